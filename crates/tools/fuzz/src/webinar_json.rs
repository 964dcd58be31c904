//! What a webinar room receives from visitors and hosts: the JSON bodies of the personal
//! link's routes (`/join/{key}/messages`, `…/polls/{id}/vote`, `…/reactions`) and of the
//! hosts' API (polls, offers, moderation, session states), read as `ApiJson` reads them and
//! validated as the domain does; and participant identities as the room's events carry
//! them. The first byte picks which.
//!
//! Nothing may panic, and what passes keeps its promises: a message is 1 to 500 characters
//! without control characters but line breaks; a poll has 2 to 6 different options; an
//! offer goes to this site or https only and never hands a registrant's key to another
//! site; an identity has one spelling.

use hikari_webinar::{
    MAX_MESSAGE_CHARS, Moderation, NewMessage, NewOffer, NewPoll, Offer, OfferId, PollState, Reaction, RoomIdentity, SessionId, SessionState,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Vote {
    choice: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct React {
    reaction: Reaction,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct States {
    session: Option<SessionState>,
    poll: Option<PollState>,
}

fn api_json<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    let v: Value = serde_json::from_slice(body).ok()?;
    serde_json::from_value(v).ok()
}

pub fn run(data: &[u8]) {
    let Some((&kind, body)) = data.split_first() else { return };
    match kind % 6 {
        0 => {
            if let Some(mut m) = api_json::<NewMessage>(body)
                && m.validate().is_ok()
            {
                let n = m.text.chars().count();
                assert!((1..=MAX_MESSAGE_CHARS).contains(&n), "{n} characters");
                assert!(!m.text.chars().any(|c| c.is_control() && c != '\n'));
            }
        }
        1 => {
            if let Some(mut p) = api_json::<NewPoll>(body)
                && p.validate().is_ok()
            {
                assert!((2..=6).contains(&p.options.len()));
                let mut o = p.options.clone();
                o.sort();
                o.dedup();
                assert_eq!(o.len(), p.options.len(), "options are different");
            }
        }
        2 => {
            if let Some(mut new) = api_json::<NewOffer>(body)
                && new.validate().is_ok()
            {
                let lower = new.url.to_ascii_lowercase();
                assert!((new.url.starts_with('/') && !new.url.starts_with("//") && !new.url.contains('\\')) || lower.starts_with("https://"), "{}", new.url);
                let offer = Offer {
                    id: OfferId(1),
                    session: SessionId(1),
                    title: new.title,
                    price: new.price,
                    url: new.url.clone(),
                    ends_at: new.ends_at,
                    stock: new.stock,
                    pinned: true,
                };
                let key = "0123456789abcdef0123456789abcdef";
                let target = offer.target_for(key);
                assert_eq!(target.contains(key) && !new.url.contains(key), new.url.starts_with('/'), "the key goes only to this site: {target}");
            }
        }
        3 => {
            if let Ok(text) = std::str::from_utf8(body)
                && let Ok(id) = text.parse::<RoomIdentity>()
            {
                assert_eq!(id.to_string(), text, "one spelling per identity");
            }
        }
        4 => {
            let _ = api_json::<Vote>(body);
            let _ = api_json::<React>(body);
        }
        _ => {
            let _ = api_json::<Moderation>(body);
            let _ = api_json::<States>(body);
        }
    }
}
