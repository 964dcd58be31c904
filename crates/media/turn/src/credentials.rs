//! Stateless, time-limited long-term credentials (the "TURN REST API" scheme that coturn,
//! LiveKit and most WebRTC services use): the username is `<unix expiry>:<id>` and the
//! password is base64(HMAC-SHA1(secret, username)). The server keeps no list of users: it
//! recomputes the password of any unexpired username, and a client that does not know the
//! secret cannot make a password for a username of its own.

use std::time::Duration;

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use crate::error::TurnError;

/// Longest id kept in a username (STUN allows 509 bytes; ids are participant sids).
const MAX_ID_LEN: usize = 64;

/// The key that signs TURN credentials. Its `Debug` shows nothing of it.
#[derive(Clone)]
pub struct TurnSecret {
    key: hmac::Key,
}

impl std::fmt::Debug for TurnSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TurnSecret(..)")
    }
}

/// A username and password for one client, valid until `expires_at` (Unix seconds).
#[derive(Clone, PartialEq, Eq)]
pub struct TurnCredential {
    pub username: String,
    pub password: String,
    pub expires_at: i64,
}

impl std::fmt::Debug for TurnCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TurnCredential").field("username", &self.username).field("password", &"..").finish()
    }
}

impl TurnSecret {
    /// A secret from configured bytes (shared with other TURN servers that use the scheme).
    pub fn new(secret: &[u8]) -> Self {
        Self { key: hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret) }
    }

    /// A secret derived from an API secret, so that a TURN credential reveals nothing about
    /// the key that signs access tokens.
    pub fn derive(api_secret: &str) -> Self {
        let k = hmac::Key::new(hmac::HMAC_SHA256, api_secret.as_bytes());
        Self::new(hmac::sign(&k, b"hikari turn credentials v1").as_ref())
    }

    /// Mints a credential for `id` (a participant sid or any label: characters other than
    /// letters, digits, `_`, `-` and `.` are dropped) valid for `validity` from `now_unix`.
    pub fn mint(&self, id: &str, now_unix: i64, validity: Duration) -> TurnCredential {
        let id: String = id.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')).take(MAX_ID_LEN).collect();
        let expires_at = now_unix.saturating_add(i64::try_from(validity.as_secs()).unwrap_or(i64::MAX));
        let username = format!("{expires_at}:{id}");
        let password = self.password(&username);
        TurnCredential { username, password, expires_at }
    }

    /// The password of `username` if it is well formed and unexpired at `now_unix`: what
    /// the TURN server checks a request's MESSAGE-INTEGRITY with.
    pub fn password_for(&self, username: &str, now_unix: i64) -> Result<String, TurnError> {
        let (expiry, _id) = username.split_once(':').ok_or(TurnError::MalformedUsername)?;
        let expiry: i64 = expiry.parse().map_err(|_| TurnError::MalformedUsername)?;
        if expiry < now_unix {
            return Err(TurnError::Expired);
        }
        Ok(self.password(username))
    }

    /// Checks a username and password as the server does: well formed, unexpired, and the
    /// password is the one this secret gives the username (compared in constant time).
    pub fn verify(&self, username: &str, password: &str, now_unix: i64) -> Result<(), TurnError> {
        self.password_for(username, now_unix)?;
        let tag = B64.decode(password).map_err(|_| TurnError::Forged)?;
        hmac::verify(&self.key, username.as_bytes(), &tag).map_err(|_| TurnError::Forged)
    }

    fn password(&self, username: &str) -> String {
        B64.encode(hmac::sign(&self.key, username.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_750_000_000;
    const DAY: Duration = Duration::from_secs(86_400);

    #[test]
    fn a_minted_credential_verifies_until_it_expires() {
        let s = TurnSecret::new(b"s3cret");
        let c = s.mint("PA_abc", NOW, DAY);
        assert_eq!(c.username, format!("{}:PA_abc", NOW + 86_400));
        assert_eq!(c.expires_at, NOW + 86_400);
        s.verify(&c.username, &c.password, NOW).expect("valid now");
        s.verify(&c.username, &c.password, NOW + 86_400).expect("valid at its last second");
        assert!(matches!(s.verify(&c.username, &c.password, NOW + 86_401), Err(TurnError::Expired)));
        assert_eq!(s.password_for(&c.username, NOW).expect("known"), c.password);
    }

    #[test]
    fn the_password_is_base64_hmac_sha1_of_the_username() {
        // RFC 2202 test case 2 (HMAC-SHA1, key "Jefe"): the scheme is the standard one, so
        // coturn's `use-auth-secret` with the same secret accepts the same credentials.
        let s = TurnSecret::new(b"Jefe");
        let tag = B64.decode(s.password("what do ya want for nothing?")).expect("base64");
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    }

    #[test]
    fn tampered_forged_and_malformed_usernames_are_refused() {
        let s = TurnSecret::new(b"s3cret");
        let c = s.mint("PA_abc", NOW, DAY);
        // A later expiry with the old password.
        let later = format!("{}:PA_abc", NOW + 10 * 86_400);
        assert!(matches!(s.verify(&later, &c.password, NOW), Err(TurnError::Forged)));
        // Another secret's password.
        let other = TurnSecret::new(b"other").mint("PA_abc", NOW, DAY);
        assert!(matches!(s.verify(&other.username, &other.password, NOW), Err(TurnError::Forged)));
        assert!(matches!(s.verify(&c.username, "not base64!", NOW), Err(TurnError::Forged)));
        for bad in ["", "PA_abc", "soon:PA_abc", ":x"] {
            assert!(matches!(s.verify(bad, &c.password, NOW), Err(TurnError::MalformedUsername)), "{bad:?}");
        }
    }

    #[test]
    fn ids_are_cleaned_and_secrets_never_printed() {
        let s = TurnSecret::derive("api-secret-value");
        let c = s.mint("a:b c/d\u{e9}", NOW, DAY);
        assert!(c.username.ends_with(":abcd"), "{}", c.username);
        assert_eq!(c.username.matches(':').count(), 1);
        let shown = format!("{s:?} {c:?}");
        assert!(!shown.contains(&c.password) && !shown.contains("api-secret-value"), "{shown}");
        assert_ne!(TurnSecret::derive("a").mint("x", NOW, DAY).password, TurnSecret::derive("b").mint("x", NOW, DAY).password);
    }
}
