//! The `Authorization` token of a webhook.

use base64::Engine;
use hikari_auth::AccessToken;
use sha2::{Digest, Sha256};

use crate::error::WebhookError;

/// How long a webhook token is valid, as LiveKit's server.
pub const TOKEN_TTL_SECS: i64 = 300;

/// Base64 (standard alphabet, padded) of the body's SHA-256.
pub fn body_sha256(body: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body))
}

/// A JWT issued by `api_key`, valid from `now_unix` for five minutes, carrying the body's
/// hash in the `sha256` claim.
pub fn sign_body(api_key: &str, secret: &str, body: &[u8], now_unix: i64) -> Result<String, WebhookError> {
    Ok(AccessToken::new(api_key, now_unix, TOKEN_TTL_SECS).sha256(body_sha256(body)).sign(secret)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use hikari_auth::KeySet;

    #[test]
    fn the_token_verifies_and_carries_the_body_hash() {
        let body = br#"{"event":"room_started"}"#;
        let token = sign_body("whkey", "whsecret", body, 1_800_000_000).expect("signs");
        let keys = KeySet::new([("whkey".to_owned(), "whsecret".to_owned())]);
        let claims = keys.verify(&token, 1_800_000_010).expect("verifies");
        assert_eq!(claims.iss, "whkey");
        assert_eq!(claims.sha256, body_sha256(body));
        assert_eq!(claims.exp, Some(1_800_000_000 + TOKEN_TTL_SECS));
        // The known SHA-256 of "abc".
        assert_eq!(body_sha256(b"abc"), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
    }
}
