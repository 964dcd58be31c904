//! One registrant's session: its watch timeline, what it did, an engagement score, and the
//! segments it falls in (what follow-up messages and experiment goals select on). Pure
//! arithmetic over what the caller read.

use crate::{ids::RegistrantId, report::Stay};
use hikari_funnel::ContactId;
use serde::{Deserialize, Serialize};

/// One registrant's session, as the report shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegistrantReport {
    /// The registrant.
    pub registrant: RegistrantId,
    /// Its contact.
    pub contact: ContactId,
    /// Unix ms it registered.
    pub registered_at: i64,
    /// The experiment arm its registration page showed, if any.
    pub variant: Option<String>,
    /// Its stays in the room, in time order: the watch timeline.
    pub timeline: Vec<Span>,
    /// Seconds watched (finished stays, and the current one up to the report's time).
    pub watched_seconds: i64,
    /// What it did.
    pub conduct: Conduct,
    /// 0 to 100 ([`engagement`]).
    pub engagement: u8,
    /// The segments it is in ([`segments`]).
    pub segments: Vec<Segment>,
}

/// A stay in the room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Span {
    /// Unix ms it joined.
    pub from: i64,
    /// Unix ms it left; `None` while it is in the room.
    pub to: Option<i64>,
}

impl From<&Stay> for Span {
    fn from(s: &Stay) -> Self {
        Span { from: s.from, to: s.to }
    }
}

/// What one registrant did in the room, counted from its events.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Conduct {
    /// Chat messages it sent.
    pub messages: u32,
    /// Questions it asked.
    pub questions: u32,
    /// Polls it voted in.
    pub votes: u32,
    /// Reactions it sent.
    pub reactions: u32,
    /// Unix ms its page first showed an offer, if one did.
    pub offer_shown_at: Option<i64>,
    /// It clicked an offer.
    pub offer_clicked: bool,
    /// Its contact bought (a `purchase` after it registered).
    pub bought: bool,
}

/// A group of registrants that follow-up messages, exports and reports select.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// The session ended and it never joined.
    NoShow,
    /// It joined at least once.
    Attended,
    /// It joined, and had left for good before the session's first offer appeared.
    LeftBeforeOffer,
    /// It clicked an offer, and its contact has not bought.
    ClickedNotBought,
    /// Its contact bought after registering.
    Bought,
}

impl Segment {
    /// Every segment, in order.
    pub const ALL: [Segment; 5] = [Segment::NoShow, Segment::Attended, Segment::LeftBeforeOffer, Segment::ClickedNotBought, Segment::Bought];

    /// The name used in the API and in query strings.
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::NoShow => "no_show",
            Segment::Attended => "attended",
            Segment::LeftBeforeOffer => "left_before_offer",
            Segment::ClickedNotBought => "clicked_not_bought",
            Segment::Bought => "bought",
        }
    }
}

impl std::str::FromStr for Segment {
    type Err = hikari_funnel::DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Segment::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| hikari_funnel::DomainError::invalid("segment", "no_show, attended, left_before_offer, clicked_not_bought or bought"))
    }
}

/// What the session around a registrant looked like, for judging it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionFrame {
    /// Unix ms it went live, if it did.
    pub live_at: Option<i64>,
    /// Unix ms it ended, or the report's time while it runs.
    pub until: i64,
    /// It ended (no-shows are known only then).
    pub ended: bool,
    /// Unix ms any registrant's page first showed an offer, if one did.
    pub first_offer_at: Option<i64>,
}

/// The points of the engagement score (0 to 100): watching most, then taking part.
pub mod points {
    /// For watching the whole live part (in proportion to the part watched).
    pub const WATCHING: f64 = 60.0;
    /// Per chat message or question, up to [`TALKING_MAX`].
    pub const TALKING: u32 = 5;
    /// The most chat and questions give.
    pub const TALKING_MAX: u32 = 15;
    /// Per poll voted in, up to [`VOTING_MAX`].
    pub const VOTING: u32 = 5;
    /// The most votes give.
    pub const VOTING_MAX: u32 = 10;
    /// Per reaction, up to [`REACTING_MAX`].
    pub const REACTING: u32 = 1;
    /// The most reactions give.
    pub const REACTING_MAX: u32 = 5;
    /// For clicking an offer.
    pub const CLICKING: u32 = 10;
}

/// The engagement score (0 to 100) of a registrant who watched `watched_ms` of the live part
/// of `frame` and did `conduct`: [`points`] says what each part is worth.
pub fn engagement(watched_ms: i64, conduct: &Conduct, frame: &SessionFrame) -> u8 {
    let live_ms = frame.live_at.map_or(0, |at| (frame.until - at).max(0));
    let watching = if live_ms == 0 { 0.0 } else { points::WATCHING * (watched_ms.max(0) as f64 / live_ms as f64).min(1.0) };
    let talking = (conduct.messages.saturating_add(conduct.questions)).saturating_mul(points::TALKING).min(points::TALKING_MAX);
    let voting = conduct.votes.saturating_mul(points::VOTING).min(points::VOTING_MAX);
    let reacting = conduct.reactions.saturating_mul(points::REACTING).min(points::REACTING_MAX);
    let clicking = if conduct.offer_clicked { points::CLICKING } else { 0 };
    let total = watching.round() as u32 + talking + voting + reacting + clicking;
    u8::try_from(total.min(100)).unwrap_or(100)
}

/// The segments of a registrant with `stays` in the room (in time order) and `conduct`.
pub fn segments(stays: &[Stay], conduct: &Conduct, frame: &SessionFrame) -> Vec<Segment> {
    let mut out = Vec::new();
    if stays.is_empty() {
        if frame.ended {
            out.push(Segment::NoShow);
        }
    } else {
        out.push(Segment::Attended);
        let gone_at = stays.iter().map(|s| s.to).try_fold(i64::MIN, |last, to| to.map(|t| last.max(t)));
        if let (Some(gone), Some(offer)) = (gone_at, frame.first_offer_at)
            && conduct.offer_shown_at.is_none()
            && gone <= offer
        {
            out.push(Segment::LeftBeforeOffer);
        }
    }
    if conduct.bought {
        out.push(Segment::Bought);
    } else if conduct.offer_clicked {
        out.push(Segment::ClickedNotBought);
    }
    out
}

/// One registrant's stays in time order, from its joins and leaves (`(unix ms, joined)`,
/// in any order): a leave closes the latest open stay; a leave without one is ignored.
pub fn stays_of(who: i64, marks: &mut [(i64, bool)]) -> Vec<Stay> {
    marks.sort_unstable();
    let mut stays: Vec<Stay> = Vec::new();
    for &(at, joined) in marks.iter() {
        if joined {
            stays.push(Stay { from: at, to: None, who });
        } else if let Some(open) = stays.iter_mut().rev().find(|s| s.to.is_none()) {
            open.to = Some(at);
        }
    }
    stays
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    fn frame(ended: bool, first_offer_at: Option<i64>) -> SessionFrame {
        SessionFrame { live_at: Some(0), until: 60 * MIN, ended, first_offer_at }
    }

    fn stay(from: i64, to: Option<i64>) -> Stay {
        Stay { from, to, who: 1 }
    }

    #[test]
    fn watching_the_whole_session_and_taking_part_scores_100() {
        let all = Conduct { messages: 2, questions: 1, votes: 2, reactions: 9, offer_shown_at: Some(1), offer_clicked: true, bought: false };
        assert_eq!(engagement(60 * MIN, &all, &frame(true, None)), 100);
        assert_eq!(engagement(120 * MIN, &all, &frame(true, None)), 100, "capped");
        assert_eq!(engagement(30 * MIN, &Conduct::default(), &frame(true, None)), 30, "half the live part: half of 60");
        let one_message = Conduct { messages: 1, ..Conduct::default() };
        assert_eq!(engagement(0, &one_message, &frame(true, None)), 5);
        let never_live = SessionFrame { live_at: None, ..frame(true, None) };
        assert_eq!(engagement(10 * MIN, &Conduct::default(), &never_live), 0);
        let many = Conduct { messages: u32::MAX, questions: u32::MAX, votes: u32::MAX, reactions: u32::MAX, ..Conduct::default() };
        assert_eq!(engagement(i64::MAX, &many, &frame(true, None)), 90, "no overflow");
    }

    #[test]
    fn segments_follow_attendance_offers_and_purchases() {
        let none = Conduct::default();
        assert_eq!(segments(&[], &none, &frame(true, None)), [Segment::NoShow]);
        assert_eq!(segments(&[], &none, &frame(false, None)), [], "no-show only once the session ended");
        let left_early = [stay(0, Some(10 * MIN))];
        assert_eq!(segments(&left_early, &none, &frame(true, Some(40 * MIN))), [Segment::Attended, Segment::LeftBeforeOffer]);
        assert_eq!(segments(&left_early, &none, &frame(true, None)), [Segment::Attended], "no offer: nothing to leave before");
        let back_later = [stay(0, Some(10 * MIN)), stay(50 * MIN, None)];
        assert_eq!(segments(&back_later, &none, &frame(true, Some(40 * MIN))), [Segment::Attended], "still in the room");
        let clicked = Conduct { offer_shown_at: Some(40 * MIN), offer_clicked: true, ..none };
        assert_eq!(segments(&[stay(0, Some(45 * MIN))], &clicked, &frame(true, Some(40 * MIN))), [Segment::Attended, Segment::ClickedNotBought]);
        let bought = Conduct { bought: true, ..clicked };
        assert_eq!(segments(&[stay(0, Some(45 * MIN))], &bought, &frame(true, Some(40 * MIN))), [Segment::Attended, Segment::Bought]);
        assert_eq!(segments(&[], &bought, &frame(true, None)), [Segment::NoShow, Segment::Bought], "bought from the replay or an email");
    }

    #[test]
    fn stays_pair_joins_and_leaves() {
        let mut marks = [(30, false), (10, true), (50, true), (5, false)];
        assert_eq!(stays_of(7, &mut marks), [Stay { from: 10, to: Some(30), who: 7 }, Stay { from: 50, to: None, who: 7 }]);
    }

    #[test]
    fn segment_names_round_trip() {
        for s in Segment::ALL {
            assert_eq!(s.as_str().parse::<Segment>().expect("known"), s);
            assert_eq!(serde_json::to_value(s).expect("json"), s.as_str());
        }
        assert!("bought ".parse::<Segment>().is_err());
    }
}
