//! What a webinar room receives from visitors and hosts: the JSON bodies of the personal
//! link's routes (`/join/{key}/messages`, `…/polls/{id}/vote`, `…/reactions`) and of the
//! hosts' API (polls, offers, moderation, session states, the stage), read as `ApiJson`
//! reads them and validated as the domain does; participant identities as the room's events
//! carry them, segment names from query strings, and wall-clock times as the admin's
//! `datetime-local` field sends them. The first byte picks which.
//!
//! Nothing may panic, and what passes keeps its promises: a message is 1 to 500 characters
//! without control characters but line breaks; a poll has 2 to 6 different options; an
//! offer goes to this site or https only and never hands a registrant's key to another
//! site; an identity has one spelling; a segment name has one spelling; a wall-clock time in
//! Tokyo (no daylight saving) is nine hours ahead of the instant it names.

use hikari_webinar::{
    MAX_MESSAGE_CHARS, Moderation, NewMessage, NewOffer, NewPoll, Offer, OfferId, PollState, Reaction, RoomIdentity, Segment, SessionId, SessionState, Zone,
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
struct Hand {
    raised: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct StageChange {
    registrant: i64,
    on: bool,
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
            if let Ok(text) = std::str::from_utf8(body) {
                if let Ok(s) = text.parse::<Segment>() {
                    assert_eq!(s.as_str(), text, "one spelling per segment");
                }
                // Years 1970 to 9999, which the check below writes back as the field would.
                if let Ok(at) = Zone::default().instant_of(text)
                    && (0..253_402_268_400_000).contains(&at)
                {
                    // Tokyo has no daylight saving: the wall clock reads the instant + 9 h.
                    assert_eq!(Zone::default().instant_of(&hikari_webinar_local(at)), Ok(at), "{text:?}");
                }
            }
        }
        4 => {
            let _ = api_json::<Vote>(body);
            let _ = api_json::<React>(body);
            let _ = api_json::<Hand>(body);
            let _ = api_json::<StageChange>(body);
        }
        _ => {
            let _ = api_json::<Moderation>(body);
            let _ = api_json::<States>(body);
        }
    }
}

/// `YYYY-MM-DDTHH:MM:SS.mmm` in Tokyo (UTC+9) of a Unix-ms instant.
fn hikari_webinar_local(ms: i64) -> String {
    let local = ms + 9 * 3_600_000;
    let (days, rest) = (local.div_euclid(86_400_000), local.rem_euclid(86_400_000));
    let date = hikari_common::clock::civil_date(days);
    format!("{date}T{:02}:{:02}:{:02}.{:03}", rest / 3_600_000, rest % 3_600_000 / 60_000, rest % 60_000 / 1000, rest % 1000)
}
