//! Access tokens (`KeySet::verify`, `token_from_request`, `Claims::join_grant`): the
//! `Authorization` header or `access_token` parameter of every signal and Twirp request.
//!
//! The first byte picks the mode. Even: the rest is the header value as sent. Odd: the
//! rest is a token's claims, as bytes, signed with the known secret, so that the
//! claims reach the JSON decoder and the expiry checks the way a token issued by a key
//! holder would. Nothing may panic; a token that verifies is within its validity window.

use base64::Engine;
use hikari_auth::{KeySet, token_from_request};
use jsonwebtoken::{Algorithm, EncodingKey};

const KEY: &str = "devkey";
const SECRET: &str = "fuzzing-secret";
const NOW: i64 = 1_800_000_000;
const LEEWAY: i64 = 60;

fn signed(claims: &[u8]) -> String {
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let message = format!("{}.{}", b64(br#"{"alg":"HS256","typ":"JWT"}"#), b64(claims));
    let signature = jsonwebtoken::crypto::sign(message.as_bytes(), &EncodingKey::from_secret(SECRET.as_bytes()), Algorithm::HS256).expect("HS256 signs");
    format!("{message}.{signature}")
}

pub fn run(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let keys = KeySet::new([(KEY.to_owned(), SECRET.to_owned())]);
    let header;
    let token = if mode & 1 == 0 {
        header = String::from_utf8_lossy(rest).into_owned();
        match token_from_request(Some(&header), Some(&header)) {
            Ok(t) => t.to_owned(),
            Err(_) => return,
        }
    } else {
        signed(rest)
    };
    let Ok(claims) = keys.verify(&token, NOW) else { return };
    assert_eq!(claims.iss, KEY, "only a known key verifies");
    assert!(claims.exp.is_none_or(|exp| NOW <= exp.saturating_add(LEEWAY)), "an expired token verified: {:?}", claims.exp);
    assert!(claims.nbf.is_none_or(|nbf| nbf <= NOW + LEEWAY), "a token not yet valid verified: {:?}", claims.nbf);
    if let Ok(grant) = claims.join_grant() {
        assert!(!grant.room.as_str().is_empty() && !grant.identity.as_str().is_empty());
    }
}
