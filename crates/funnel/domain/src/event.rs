//! The event spine: append-only, idempotent on the event id.

use crate::{ContactId, DomainError, FunnelId, StepId};
use serde::{Deserialize, Serialize};
use std::{collections::HashMap, fmt, str::FromStr};

macro_rules! token {
    ($(#[$doc:meta])* $name:ident, $what:literal, $max:literal, $ok:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// As text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = DomainError;
            fn from_str(s: &str) -> Result<Self, DomainError> {
                let ok: fn(&str) -> bool = $ok;
                if !s.is_empty() && s.len() <= $max && ok(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(DomainError::invalid($what, concat!("malformed ", $what)))
                }
            }
        }

        impl TryFrom<String> for $name {
            type Error = DomainError;
            fn try_from(s: String) -> Result<Self, DomainError> {
                s.parse()
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

token!(
    /// The first-party visitor cookie value: 16 to 64 of `0-9a-f`.
    VisitorId, "visitor", 64, |s| s.len() >= 16 && s.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
);
token!(
    /// A client- or server-generated event id (UUID-like), the idempotency key.
    EventId, "event id", 64, |s| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
);
token!(
    /// An event name, GA4 rules: `[a-z][a-z0-9_]*`, at most 40 characters, no reserved prefix.
    EventName, "event name", 40, |s| {
        s.as_bytes()[0].is_ascii_lowercase()
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            && !["firebase_", "ga_", "google_"].iter().any(|p| s.starts_with(p))
    }
);

/// Event names only the server records: page views, experiment exposures, form conversions
/// (`StepKind::submit_event`), purchases, and everything that happens around a webinar
/// (registration, attendance and what attendees do in the room). The tracking beacon may not
/// send them, so reports and experiment goals on these names count only what the server saw
/// happen.
pub const SERVER_RECORDED: &[&str] = &[
    "page_view",
    "experiment_viewed",
    "generate_lead",
    "sign_up",
    "begin_checkout",
    "purchase",
    "refund",
    "webinar_registered",
    "webinar_joined",
    "webinar_left",
    "chat_message",
    "question_asked",
    "poll_voted",
    "reaction",
    "offer_shown",
    "offer_clicked",
];

/// The prefix of every event id a client chose (server ids are hex digits, never this).
const CLIENT_ID_PREFIX: &str = "c_";

impl EventName {
    /// GA4 `page_view`.
    pub fn page_view() -> Self {
        Self("page_view".into())
    }

    /// `webinar_registered`: a contact booked on a webinar session.
    pub fn webinar_registered() -> Self {
        Self("webinar_registered".into())
    }

    /// A registrant connected to its session's room (recorded from the room's own events).
    pub fn webinar_joined() -> Self {
        Self("webinar_joined".into())
    }

    /// A registrant left its session's room, with the seconds of that stay.
    pub fn webinar_left() -> Self {
        Self("webinar_left".into())
    }

    /// Whether only the server records this name ([`SERVER_RECORDED`]).
    pub fn is_server_recorded(&self) -> bool {
        SERVER_RECORDED.contains(&self.0.as_str())
    }
}

impl EventId {
    /// A client-chosen idempotency id, namespaced (`c_…`) so it can never equal an id the
    /// server derives (a lead's id, say) and pre-empt the server's event.
    pub fn from_client(raw: &str) -> Result<Self, DomainError> {
        if raw.len() + CLIENT_ID_PREFIX.len() > 64 {
            return Err(DomainError::invalid("event id", "an event id has at most 62 characters"));
        }
        format!("{CLIENT_ID_PREFIX}{raw}").parse()
    }

    /// Where the event came from: a client (the tracking beacon) or the server itself.
    pub fn is_from_client(&self) -> bool {
        self.0.starts_with(CLIENT_ID_PREFIX)
    }
}

/// UTM parameters and click ids. Empty fields are absent.
#[derive(Clone, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
pub struct Utm {
    /// `utm_source`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `utm_medium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// `utm_campaign`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// `utm_term`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub term: Option<String>,
    /// `utm_content`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    /// `gclid`, `fbclid`, `yclid` or `ttclid`, as `name=value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub click_id: Option<String>,
}

impl Utm {
    /// Reads the UTM keys from query parameters; values are trimmed and cut to 200 characters.
    pub fn from_query(q: &HashMap<String, String>) -> Self {
        let get = |k: &str| q.get(k).map(|v| v.trim().chars().filter(|c| !c.is_control()).take(200).collect::<String>()).filter(|v| !v.is_empty());
        let click_id = ["gclid", "fbclid", "yclid", "ttclid"].iter().find_map(|k| get(k).map(|v| format!("{k}={v}")));
        Self {
            source: get("utm_source"),
            medium: get("utm_medium"),
            campaign: get("utm_campaign"),
            term: get("utm_term"),
            content: get("utm_content"),
            click_id,
        }
    }

    /// No field set.
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The value for a `utm_*` form field name.
    pub fn field(&self, name: &str) -> Option<&str> {
        match name {
            "utm_source" => self.source.as_deref(),
            "utm_medium" => self.medium.as_deref(),
            "utm_campaign" => self.campaign.as_deref(),
            "utm_term" => self.term.as_deref(),
            "utm_content" => self.content.as_deref(),
            _ => None,
        }
    }
}

/// One event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Idempotency key.
    pub id: EventId,
    /// Unix ms.
    pub ts: i64,
    /// The visitor cookie.
    pub visitor: VisitorId,
    /// The contact, once known.
    pub contact: Option<ContactId>,
    /// Session id (visitor-scoped, rotates after 30 minutes of inactivity).
    pub session: String,
    /// Funnel, if the event happened in one.
    pub funnel: Option<FunnelId>,
    /// Step, if on a step.
    pub step: Option<StepId>,
    /// Experiment variant, if any.
    pub variant: Option<String>,
    /// GA4-style name.
    pub name: EventName,
    /// Parameters.
    pub props: serde_json::Value,
    /// The visitor's first-touch UTM.
    pub utm_first: Utm,
    /// This session's UTM.
    pub utm_last: Utm,
    /// Flagged as a bot (kept, but excluded from reports).
    pub bot: bool,
}

impl Event {
    /// The GA4 `value` parameter (e.g. a `purchase`'s revenue) when it is a finite number:
    /// what value goals sum.
    pub fn value(&self) -> Option<f64> {
        self.props.get("value").and_then(serde_json::Value::as_f64).filter(|v| v.is_finite())
    }
}

/// A crude bot test on the User-Agent: empty, or a well-known crawler or tool token.
pub fn is_bot_user_agent(ua: &str) -> bool {
    let ua = ua.to_ascii_lowercase();
    ua.is_empty() || ["bot", "crawl", "spider", "slurp", "curl/", "wget/", "python-requests", "wrk"].iter().any(|t| ua.contains(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_ga4_rules() {
        assert!("generate_lead".parse::<EventName>().is_ok());
        assert!("generate_lead".parse::<EventName>().is_ok_and(|n| n.is_server_recorded()));
        assert!("cta_click".parse::<EventName>().is_ok_and(|n| !n.is_server_recorded()));
        for bad in ["", "Lead", "1x", "ga_x", "a-b", &"a".repeat(41)] {
            assert!(bad.parse::<EventName>().is_err(), "{bad}");
        }
    }

    #[test]
    fn utm_from_query() {
        let q: HashMap<_, _> =
            [("utm_source", " ads "), ("utm_campaign", "春"), ("gclid", "x")].into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let u = Utm::from_query(&q);
        assert_eq!(u.source.as_deref(), Some("ads"));
        assert_eq!(u.campaign.as_deref(), Some("春"));
        assert_eq!(u.click_id.as_deref(), Some("gclid=x"));
        assert!(u.medium.is_none());
    }

    #[test]
    fn client_ids_are_namespaced_apart_from_server_ids() {
        let server: EventId = "0123456789abcdef0123456789abcdef".parse().expect("hex id");
        let client = EventId::from_client(server.as_str()).expect("client id");
        assert_ne!(client, server);
        assert!(client.is_from_client() && !server.is_from_client());
        assert!(EventId::from_client(&"a".repeat(62)).is_ok());
        assert!(EventId::from_client(&"a".repeat(63)).is_err());
        assert!(EventId::from_client("no spaces").is_err());
    }
}
