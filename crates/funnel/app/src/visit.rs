//! Who is visiting, as the use cases see it: the visitor id, the session, UTM first and last
//! touch and the bot flag. Reading them from cookies and headers is the web front end's job.

use crate::ids::random_hex;
use hikari_funnel::{Event, EventId, EventName, Utm, VisitorId};

/// One request's visitor context.
#[derive(Clone, Debug)]
pub struct Visit {
    /// The first-party visitor id.
    pub visitor: VisitorId,
    /// The session id.
    pub session: String,
    /// First-touch UTM.
    pub utm_first: Utm,
    /// Last-touch UTM.
    pub utm_last: Utm,
    /// Whether the User-Agent looks like a bot.
    pub bot: bool,
}

impl Visit {
    /// An event in this visit, with a fresh id.
    pub fn event(&self, name: EventName, now: i64) -> Event {
        // 16 random bytes → 32 hex characters, which always parse as an EventId.
        let id: EventId = random_hex(16).parse().unwrap_or_else(|_| unreachable!());
        Event {
            id,
            ts: now,
            visitor: self.visitor.clone(),
            contact: None,
            session: self.session.clone(),
            funnel: None,
            step: None,
            variant: None,
            name,
            props: serde_json::Value::Object(Default::default()),
            utm_first: self.utm_first.clone(),
            utm_last: self.utm_last.clone(),
            bot: self.bot,
        }
    }
}
