//! Signed, expiring links to one file: whoever holds the link may fetch that path, and nothing
//! else, until it expires. A replay page's `<video>` or a download button carries one instead of
//! a LiveKit token, which would grant far more (every recording, egress control).
//!
//! The query is `key=<API key>&expires=<Unix seconds>&signature=<base64url, no padding>`, the
//! signature an HMAC-SHA256 with the key's secret over `hikari-url-v1`, the path (decoded, as
//! the server resolves it) and the expiry, each on a line. Removing a key from the server
//! revokes every link signed with it.

use aws_lc_rs::hmac;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AuthError;
use crate::token::KeySet;

/// The longest a link may live: 30 days.
pub const MAX_LINK_TTL_SECS: i64 = 30 * 24 * 3600;

fn tag(secret: &str, path: &str, expires: i64) -> hmac::Tag {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::sign(&key, format!("hikari-url-v1\n{path}\n{expires}").as_bytes())
}

/// The query that lets `path` be fetched until `expires` (Unix seconds), signed with the set's
/// first key; `None` when the set has no key.
pub fn sign_path(keys: &KeySet, path: &str, expires: i64) -> Option<String> {
    let (key, secret) = keys.first()?;
    let signature = URL_SAFE_NO_PAD.encode(tag(secret, path, expires).as_ref());
    Some(format!("key={}&expires={expires}&signature={signature}", percent_encode(key)))
}

/// Whether `query` holds a link signature at all (the other credential is a token).
pub fn has_signature(query: Option<&str>) -> bool {
    param(query, "signature").is_some()
}

/// Checks a signed link for `path` at `now` (Unix seconds).
pub fn verify_path(keys: &KeySet, path: &str, query: Option<&str>, now: i64) -> Result<(), AuthError> {
    let (Some(key), Some(expires), Some(signature)) = (param(query, "key"), param(query, "expires"), param(query, "signature")) else {
        return Err(AuthError::Missing);
    };
    let expires: i64 = expires.parse().map_err(|_| AuthError::Malformed)?;
    let secret = keys.secret(&percent_decode(key).ok_or(AuthError::Malformed)?).ok_or(AuthError::UnknownKey)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| AuthError::Malformed)?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes());
    hmac::verify(&key, format!("hikari-url-v1\n{path}\n{expires}").as_bytes(), &signature).map_err(|_| AuthError::BadSignature)?;
    if now >= expires {
        return Err(AuthError::Expired);
    }
    Ok(())
}

/// A query parameter's raw value.
fn param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?.split('&').find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

/// Everything but unreserved characters (RFC 3986) and `/` as `%XX`: a path or a value made
/// safe for a URL.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `%XX` sequences decoded; `None` if the result is not UTF-8 or a sequence is cut.
pub fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> KeySet {
        KeySet::new([("devkey".to_owned(), "secret-one".to_owned()), ("other key".to_owned(), "secret-two".to_owned())])
    }

    #[test]
    fn a_link_opens_its_path_until_it_expires() {
        let keys = keys();
        let query = sign_path(&keys, "/recordings/webinar/あ.mp4", 1_000).expect("a key");
        assert!(has_signature(Some(&query)));
        assert_eq!(verify_path(&keys, "/recordings/webinar/あ.mp4", Some(&query), 999), Ok(()));
        assert_eq!(verify_path(&keys, "/recordings/webinar/あ.mp4", Some(&query), 1_000), Err(AuthError::Expired));
        assert_eq!(verify_path(&keys, "/recordings/webinar/other.mp4", Some(&query), 10), Err(AuthError::BadSignature));
        // A later expiry, a key dropped from the server, a cut signature: refused.
        let longer = query.replace("expires=1000", "expires=99999");
        assert_eq!(verify_path(&keys, "/recordings/webinar/あ.mp4", Some(&longer), 10), Err(AuthError::BadSignature));
        let revoked = KeySet::new([("x".to_owned(), "y".to_owned())]);
        assert_eq!(verify_path(&revoked, "/recordings/webinar/あ.mp4", Some(&query), 10), Err(AuthError::UnknownKey));
        let cut = &query[..query.len() - 3];
        assert_eq!(verify_path(&keys, "/recordings/webinar/あ.mp4", Some(cut), 10), Err(AuthError::BadSignature));
        for bad in ["", "key=devkey&expires=5", "key=devkey&expires=x&signature=AA", "key=devkey&expires=5&signature=!!"] {
            assert!(verify_path(&keys, "/recordings/a", Some(bad), 1).is_err(), "{bad}");
        }
        assert!(verify_path(&keys, "/recordings/a", None, 1).is_err());
        assert!(sign_path(&KeySet::default(), "/a", 1).is_none());
    }

    #[test]
    fn paths_and_values_round_trip_through_percent_encoding() {
        for s in ["webinar/あ 1.mp4", "a&b=c%d", "devkey"] {
            assert_eq!(percent_decode(&percent_encode(s)).as_deref(), Some(s));
        }
        assert_eq!(percent_encode("a b/c"), "a%20b/c");
        assert_eq!(percent_decode("a%2"), None);
        assert_eq!(percent_decode("%ff"), None);
    }
}
