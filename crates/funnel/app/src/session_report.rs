//! A webinar session's report: show-up, watch time, the attendees minute by minute (the
//! drop-off curve) and what they did, from the session's registrants and the room's events
//! (the arithmetic is the webinar domain's).

use crate::error::AppError;
use hikari_common::clock::unix_millis;
use hikari_funnel::Event;
use hikari_funnel_store::{EventQuery, EventRepo, WebinarRepo};
use hikari_webinar::{SessionId, SessionReport, SessionState, Stay, attendees_by_minute, mean_median};
use std::{collections::BTreeMap, sync::Arc};

/// What a report counts besides attendance.
const ACTIVITY: [&str; 6] = ["chat_message", "question_asked", "poll_voted", "reaction", "offer_shown", "offer_clicked"];

/// The most events of one name a report reads.
const MAX_EVENTS: i64 = 10_000;

/// Session reports; cheap to clone.
#[derive(Clone)]
pub struct SessionReports {
    webinars: Arc<dyn WebinarRepo>,
    events: Arc<dyn EventRepo>,
}

impl SessionReports {
    /// Reports over the ports.
    pub fn new(webinars: Arc<dyn WebinarRepo>, events: Arc<dyn EventRepo>) -> Self {
        Self { webinars, events }
    }

    async fn named(&self, funnel: hikari_funnel::FunnelId, name: &str, session: SessionId) -> Result<Vec<Event>, AppError> {
        let q = EventQuery { funnel: Some(funnel), name: Some(name.to_owned()), limit: MAX_EVENTS, ..Default::default() };
        let mut all = self.events.events(&q).await?;
        all.retain(|e| e.props.get("session").and_then(serde_json::Value::as_i64) == Some(session.0));
        all.sort_by_key(|e| e.ts);
        Ok(all)
    }

    /// The report of one session.
    pub async fn report(&self, id: SessionId) -> Result<SessionReport, AppError> {
        let session = self.webinars.webinar_session(id).await?;
        let webinar = self.webinars.webinar(session.webinar).await?;
        let mut registrants = self.webinars.registrants(webinar.id, MAX_EVENTS, 0).await?;
        registrants.retain(|r| r.session == id);
        let attended: Vec<i64> = registrants.iter().filter(|r| r.attendance.first_joined_at.is_some()).map(|r| r.attendance.watched_ms / 1000).collect();
        let (mean, median) = mean_median(&attended);

        // Stays from the room's joins and leaves, per registrant in time order.
        let mut marks: Vec<(i64, i64, bool)> = Vec::new();
        for (name, joined) in [("webinar_joined", true), ("webinar_left", false)] {
            for e in self.named(webinar.funnel, name, id).await? {
                if let Some(who) = e.props.get("registrant").and_then(serde_json::Value::as_i64) {
                    marks.push((e.ts, who, joined));
                }
            }
        }
        marks.sort_unstable();
        let mut stays: Vec<Stay> = Vec::new();
        for (ts, who, joined) in marks {
            if joined {
                stays.push(Stay { from: ts, to: None, who });
            } else if let Some(open) = stays.iter_mut().rev().find(|s| s.who == who && s.to.is_none()) {
                open.to = Some(ts);
            }
        }
        let start = session.live_at.or_else(|| stays.iter().map(|s| s.from).min());
        let end = match session.state {
            SessionState::Ended => session.ended_at,
            _ => Some(unix_millis()),
        };
        let curve = match (start, end) {
            (Some(from), Some(to)) => attendees_by_minute(&stays, from, to),
            _ => Vec::new(),
        };

        let mut activity = BTreeMap::new();
        let (mut shown, mut clicked) = (Vec::new(), Vec::new());
        for name in ACTIVITY {
            let events = self.named(webinar.funnel, name, id).await?;
            let who = |e: &Event| e.props.get("registrant").and_then(serde_json::Value::as_i64);
            match name {
                "offer_shown" => shown = events.iter().filter_map(who).collect(),
                "offer_clicked" => clicked = events.iter().filter_map(who).collect(),
                _ => {}
            }
            activity.insert(name.to_owned(), u32::try_from(events.len()).unwrap_or(u32::MAX));
        }
        for v in [&mut shown, &mut clicked] {
            v.sort_unstable();
            v.dedup();
        }
        let rate = |n: usize, d: usize| if d == 0 { 0.0 } else { n as f64 / d as f64 };
        Ok(SessionReport {
            registrations: u32::try_from(registrants.len()).unwrap_or(u32::MAX),
            attended: u32::try_from(attended.len()).unwrap_or(u32::MAX),
            show_up_rate: rate(attended.len(), registrants.len()),
            watch_seconds_mean: mean,
            watch_seconds_median: median,
            attendees_by_minute: curve,
            curve_starts_at: start,
            activity,
            offer_click_rate: rate(clicked.len(), shown.len()),
        })
    }
}
