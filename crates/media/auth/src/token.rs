//! Signing and verifying tokens.

use std::collections::HashMap;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

use crate::claims::{Claims, VideoGrant};
use crate::error::AuthError;

/// Extracts the token from an `Authorization` header or an `access_token` parameter,
/// the header taking precedence as LiveKit's server does.
pub fn token_from_request<'a>(authorization: Option<&'a str>, access_token: Option<&'a str>) -> Result<&'a str, AuthError> {
    match authorization {
        Some(h) if !h.is_empty() => h.strip_prefix("Bearer ").ok_or(AuthError::BadHeader),
        _ => access_token.filter(|t| !t.is_empty()).ok_or(AuthError::Missing),
    }
}

/// API keys and their secrets.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: HashMap<String, String>,
}

impl std::fmt::Debug for KeySet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach logs.
        f.debug_struct("KeySet").field("keys", &self.keys.keys().collect::<Vec<_>>()).finish()
    }
}

impl KeySet {
    /// A set from `(key, secret)` pairs.
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self { keys: pairs.into_iter().collect() }
    }

    /// Whether no key is configured.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The secret of `key`.
    pub fn secret(&self, key: &str) -> Option<&str> {
        self.keys.get(key).map(String::as_str)
    }

    /// Any one key and secret (for signing outgoing webhooks).
    pub fn first(&self) -> Option<(&str, &str)> {
        let mut keys: Vec<_> = self.keys.iter().collect();
        keys.sort();
        keys.first().map(|(k, s)| (k.as_str(), s.as_str()))
    }

    /// Verifies an HS256 token at `now_unix` and returns its claims.
    pub fn verify(&self, token: &str, now_unix: i64) -> Result<Claims, AuthError> {
        let unverified = jsonwebtoken::dangerous::insecure_decode::<Claims>(token).map_err(|_| AuthError::Malformed)?;
        let secret = self.secret(&unverified.claims.iss).ok_or(AuthError::UnknownKey)?;
        let mut validation = Validation::new(Algorithm::HS256);
        // Expiry is checked below against the caller's clock, not the system's.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.required_spec_claims.clear();
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(secret.as_bytes()), &validation).map_err(|e| match e.kind() {
            jsonwebtoken::errors::ErrorKind::InvalidSignature => AuthError::BadSignature,
            _ => AuthError::Malformed,
        })?;
        let claims = data.claims;
        // A minute of leeway for clock skew between the token's issuer and us.
        const LEEWAY: i64 = 60;
        // Saturating: the times are the token's, so any i64 (an `exp` near the maximum must not
        // overflow into the past).
        if claims.exp.is_some_and(|exp| now_unix > exp.saturating_add(LEEWAY)) {
            return Err(AuthError::Expired);
        }
        if claims.nbf.is_some_and(|nbf| now_unix.saturating_add(LEEWAY) < nbf) {
            return Err(AuthError::NotYetValid);
        }
        Ok(claims)
    }
}

/// A token being built for signing.
#[derive(Clone, Debug, Default)]
pub struct AccessToken {
    claims: Claims,
}

impl AccessToken {
    /// A token issued under `api_key`, valid from `now_unix` for `ttl_secs`.
    pub fn new(api_key: &str, now_unix: i64, ttl_secs: i64) -> Self {
        Self { claims: Claims { iss: api_key.to_owned(), nbf: Some(now_unix), exp: Some(now_unix + ttl_secs), ..Default::default() } }
    }

    /// Sets the identity.
    pub fn identity(mut self, identity: &str) -> Self {
        self.claims.sub = identity.to_owned();
        self.claims.jti = identity.to_owned();
        self
    }

    /// Sets the display name.
    pub fn name(mut self, name: &str) -> Self {
        self.claims.name = name.to_owned();
        self
    }

    /// Sets the video grant.
    pub fn video(mut self, grant: VideoGrant) -> Self {
        self.claims.video = Some(grant);
        self
    }

    /// Sets the webhook body hash.
    pub fn sha256(mut self, digest_b64: String) -> Self {
        self.claims.sha256 = digest_b64;
        self
    }

    /// Signs with `secret`.
    pub fn sign(&self, secret: &str) -> Result<String, AuthError> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &self.claims, &EncodingKey::from_secret(secret.as_bytes())).map_err(|_| AuthError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> KeySet {
        KeySet::new([("devkey".to_owned(), "secret".to_owned())])
    }

    fn join_token(secret: &str, now: i64) -> String {
        AccessToken::new("devkey", now, 600)
            .identity("alice")
            .video(VideoGrant { room_join: true, room: "r".into(), ..Default::default() })
            .sign(secret)
            .expect("signing works")
    }

    #[test]
    fn round_trip_and_refusals() {
        let now = 1_800_000_000;
        let claims = keys().verify(&join_token("secret", now), now + 1).expect("valid");
        assert_eq!(claims.join_grant().expect("grant").identity.as_str(), "alice");
        assert_eq!(keys().verify(&join_token("wrong", now), now), Err(AuthError::BadSignature));
        assert_eq!(keys().verify(&join_token("secret", now), now + 3600), Err(AuthError::Expired));
        assert_eq!(keys().verify(&join_token("secret", now), now - 3600), Err(AuthError::NotYetValid));
        assert_eq!(keys().verify("not.a.jwt", now), Err(AuthError::Malformed));
        let other = KeySet::new([("other".to_owned(), "secret".to_owned())]);
        assert_eq!(other.verify(&join_token("secret", now), now), Err(AuthError::UnknownKey));
    }

    /// `exp + 60` overflowed for a signed `exp` near `i64::MAX`: a panic with overflow checks,
    /// an expiry wrapped into the past without (the `access_token` fuzz target replays it).
    #[test]
    fn validity_times_at_the_ends_of_the_range() {
        let now = 1_800_000_000;
        let sign = |exp, nbf| {
            let claims = Claims { iss: "devkey".into(), exp, nbf, ..Default::default() };
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(b"secret")).expect("signs")
        };
        assert!(keys().verify(&sign(Some(i64::MAX), Some(i64::MIN)), now).is_ok());
        assert_eq!(keys().verify(&sign(Some(i64::MIN), None), now), Err(AuthError::Expired));
        assert_eq!(keys().verify(&sign(None, Some(i64::MAX)), now), Err(AuthError::NotYetValid));
    }

    #[test]
    fn token_sources() {
        assert_eq!(token_from_request(Some("Bearer abc"), None), Ok("abc"));
        assert_eq!(token_from_request(Some("Basic abc"), Some("x")), Err(AuthError::BadHeader));
        assert_eq!(token_from_request(None, Some("q")), Ok("q"));
        assert_eq!(token_from_request(None, None), Err(AuthError::Missing));
    }
}
