//! Row ids and the registrant's join key.

use hikari_funnel::DomainError;
use serde::Serialize;
use std::{fmt, str::FromStr};

hikari_funnel::row_id! {
    /// A webinar.
    WebinarId,
    /// A session of a webinar (one start time, one room).
    SessionId,
    /// A contact's registration for a session.
    RegistrantId,
    /// A chat message or question in a session's room.
    MessageId,
    /// A poll in a session's room.
    PollId,
    /// An offer in a session's room.
    OfferId,
}

/// The secret in a registrant's personal join link: 128 random bits as 32 lowercase hex
/// digits. Whoever holds it joins as that registrant, so it is made only from random bytes
/// ([`JoinKey::from_random`]) and anything else offered as one is refused by [`FromStr`].
#[derive(Clone, Eq, Hash, PartialEq, Serialize)]
#[serde(transparent)]
pub struct JoinKey(String);

impl JoinKey {
    /// The key for 16 bytes from a cryptographic random source (the caller's).
    pub fn from_random(bytes: [u8; 16]) -> Self {
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// The key as it appears in links.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for JoinKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A secret: logs show only its start.
        write!(f, "JoinKey({}…)", &self.0[..6])
    }
}

impl FromStr for JoinKey {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, DomainError> {
        if s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(Self(s.to_owned()))
        } else {
            Err(DomainError::invalid("join key", "not a join link of this server"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_key_is_32_lowercase_hex_digits_and_nothing_else() {
        let k = JoinKey::from_random([0xab; 16]);
        assert_eq!(k.as_str(), "ab".repeat(16));
        assert_eq!(k.as_str().parse::<JoinKey>(), Ok(k.clone()));
        assert!(!format!("{k:?}").contains(&"ab".repeat(4)), "Debug hides the secret");
        for bad in ["", "AB".repeat(16).as_str(), &"a".repeat(31), &"a".repeat(33), &format!("{}g", "a".repeat(31)), "../../etc/passwd"] {
            assert!(bad.parse::<JoinKey>().is_err(), "{bad:?} accepted");
        }
    }
}
