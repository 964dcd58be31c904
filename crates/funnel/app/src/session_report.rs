//! A webinar session's report: show-up, watch time, the attendees minute by minute (the
//! drop-off curve) and what they did; and each registrant's timeline, engagement score and
//! segments. Read from the session's registrants and the room's events (the arithmetic is the
//! webinar domain's).

use crate::error::AppError;
use hikari_common::clock::unix_millis;
use hikari_funnel::Event;
use hikari_funnel_store::{EventQuery, EventRepo, WebinarRepo};
use hikari_webinar::{
    Conduct, Registrant, RegistrantReport, Segment, Session, SessionFrame, SessionId, SessionReport, SessionState, Span, Stay, attendees_by_minute, engagement,
    mean_median, segments, stays_of,
};
use std::{collections::BTreeMap, sync::Arc};

/// What a report counts besides attendance.
const ACTIVITY: [&str; 6] = ["chat_message", "question_asked", "poll_voted", "reaction", "offer_shown", "offer_clicked"];

/// The most registrants, and events of one name, a report reads.
const MAX_EVENTS: i64 = 10_000;

/// Session reports; cheap to clone.
#[derive(Clone)]
pub struct SessionReports {
    webinars: Arc<dyn WebinarRepo>,
    events: Arc<dyn EventRepo>,
}

/// What a report is made of, read once.
struct Read {
    session: Session,
    registrants: Vec<Registrant>,
    /// Each registrant's stays, by registrant row id.
    stays: BTreeMap<i64, Vec<Stay>>,
    /// The room's events by name ([`ACTIVITY`]), in time order.
    activity: BTreeMap<&'static str, Vec<Event>>,
    /// `purchase` events of the registrants' contacts after they registered.
    purchases: Vec<Event>,
    /// The report's time: the session's end, or now while it runs.
    until: i64,
}

fn registrant_of(e: &Event) -> Option<i64> {
    e.props.get("registrant").and_then(serde_json::Value::as_i64)
}

impl SessionReports {
    /// Reports over the ports.
    pub fn new(webinars: Arc<dyn WebinarRepo>, events: Arc<dyn EventRepo>) -> Self {
        Self { webinars, events }
    }

    async fn named(&self, funnel: Option<hikari_funnel::FunnelId>, name: &str, session: Option<SessionId>) -> Result<Vec<Event>, AppError> {
        let q = EventQuery { funnel, name: Some(name.to_owned()), limit: MAX_EVENTS, ..Default::default() };
        let mut all = self.events.events(&q).await?;
        if let Some(session) = session {
            all.retain(|e| e.props.get("session").and_then(serde_json::Value::as_i64) == Some(session.0));
        }
        all.sort_by_key(|e| e.ts);
        Ok(all)
    }

    async fn read(&self, id: SessionId) -> Result<Read, AppError> {
        let session = self.webinars.webinar_session(id).await?;
        let webinar = self.webinars.webinar(session.webinar).await?;
        let mut registrants = self.webinars.registrants(webinar.id, MAX_EVENTS, 0).await?;
        registrants.retain(|r| r.session == id);

        // Stays from the room's joins and leaves, per registrant.
        let mut marks: BTreeMap<i64, Vec<(i64, bool)>> = BTreeMap::new();
        for (name, joined) in [("webinar_joined", true), ("webinar_left", false)] {
            for e in self.named(Some(webinar.funnel), name, Some(id)).await? {
                if let Some(who) = registrant_of(&e) {
                    marks.entry(who).or_default().push((e.ts, joined));
                }
            }
        }
        let stays = marks.into_iter().map(|(who, mut m)| (who, stays_of(who, &mut m))).collect();

        let mut activity = BTreeMap::new();
        for name in ACTIVITY {
            activity.insert(name, self.named(Some(webinar.funnel), name, Some(id)).await?);
        }
        // A purchase may come from any funnel (a checkout elsewhere, a replay's offer).
        let mut purchases = self.named(None, "purchase", None).await?;
        purchases.retain(|p| registrants.iter().any(|r| p.contact == Some(r.contact) && p.ts >= r.registered_at));

        let until = match session.state {
            SessionState::Ended => session.ended_at.unwrap_or_else(unix_millis),
            _ => unix_millis(),
        };
        Ok(Read { session, registrants, stays, activity, purchases, until })
    }

    /// The report of one session.
    pub async fn report(&self, id: SessionId) -> Result<SessionReport, AppError> {
        let read = self.read(id).await?;
        let attended: Vec<i64> = read.registrants.iter().filter(|r| r.attendance.first_joined_at.is_some()).map(|r| r.attendance.watched_ms / 1000).collect();
        let (mean, median) = mean_median(&attended);
        let stays: Vec<Stay> = read.stays.values().flatten().copied().collect();
        let start = read.session.live_at.or_else(|| stays.iter().map(|s| s.from).min());
        let curve = start.map(|from| attendees_by_minute(&stays, from, read.until)).unwrap_or_default();

        let distinct = |name: &str| {
            let mut who: Vec<i64> = read.activity.get(name).into_iter().flatten().filter_map(registrant_of).collect();
            who.sort_unstable();
            who.dedup();
            who.len()
        };
        let (shown, clicked) = (distinct("offer_shown"), distinct("offer_clicked"));
        let activity = read.activity.iter().map(|(name, events)| ((*name).to_owned(), u32::try_from(events.len()).unwrap_or(u32::MAX))).collect();
        let rate = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
        Ok(SessionReport {
            registrations: u32::try_from(read.registrants.len()).unwrap_or(u32::MAX),
            attended: u32::try_from(attended.len()).unwrap_or(u32::MAX),
            show_up_rate: rate(attended.len(), read.registrants.len()),
            watch_seconds_mean: mean,
            watch_seconds_median: median,
            attendees_by_minute: curve,
            curve_starts_at: start,
            activity,
            offer_click_rate: rate(clicked, shown),
        })
    }

    /// Each registrant of a session (in `segment`, when given), most engaged first: its watch
    /// timeline, what it did, its engagement score and its segments.
    pub async fn registrants(&self, id: SessionId, segment: Option<Segment>) -> Result<Vec<RegistrantReport>, AppError> {
        let read = self.read(id).await?;
        let frame = SessionFrame {
            live_at: read.session.live_at,
            until: read.until,
            ended: read.session.state == SessionState::Ended,
            first_offer_at: read.activity.get("offer_shown").and_then(|e| e.first()).map(|e| e.ts),
        };
        let mut out: Vec<RegistrantReport> = read
            .registrants
            .iter()
            .map(|r| {
                let mine = |name: &str| read.activity.get(name).into_iter().flatten().filter(|e| registrant_of(e) == Some(r.id.0));
                let count = |name: &str| u32::try_from(mine(name).count()).unwrap_or(u32::MAX);
                let conduct = Conduct {
                    messages: count("chat_message"),
                    questions: count("question_asked"),
                    votes: count("poll_voted"),
                    reactions: count("reaction"),
                    offer_shown_at: mine("offer_shown").next().map(|e| e.ts),
                    offer_clicked: mine("offer_clicked").next().is_some(),
                    bought: read.purchases.iter().any(|p| p.contact == Some(r.contact) && p.ts >= r.registered_at),
                };
                let stays = read.stays.get(&r.id.0).map(Vec::as_slice).unwrap_or_default();
                let open_ms = r.attendance.in_room_since.map_or(0, |since| (read.until - since).max(0));
                let watched_ms = r.attendance.watched_ms + open_ms;
                RegistrantReport {
                    registrant: r.id,
                    contact: r.contact,
                    registered_at: r.registered_at,
                    variant: r.variant.clone(),
                    timeline: stays.iter().map(Span::from).collect(),
                    watched_seconds: watched_ms / 1000,
                    engagement: engagement(watched_ms, &conduct, &frame),
                    segments: segments(stays, &conduct, &frame),
                    conduct,
                }
            })
            .filter(|r| segment.is_none_or(|s| r.segments.contains(&s)))
            .collect();
        out.sort_by(|a, b| b.engagement.cmp(&a.engagement).then(a.registrant.0.cmp(&b.registrant.0)));
        Ok(out)
    }
}
