//! Signed recording links (`hikari_auth::signed::verify_path`): the path and query of every
//! `/recordings/…` request that carries a signature instead of a token.
//!
//! The input is a path, a newline, and a query. Nothing may panic; a link that verifies is
//! unexpired and is exactly the one the server would have signed for that path and expiry.

use hikari_auth::KeySet;
use hikari_auth::signed::{percent_decode, sign_path, verify_path};

const NOW: i64 = 1_800_000_000;

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (path, query) = text.split_once('\n').unwrap_or((&text, ""));
    let keys = KeySet::new([("devkey".to_owned(), "fuzzing-secret".to_owned())]);
    let _ = percent_decode(path);
    if verify_path(&keys, path, Some(query), NOW).is_ok() {
        let expires: i64 = query.split('&').find_map(|kv| kv.strip_prefix("expires=")).and_then(|e| e.parse().ok()).expect("a verified link has an expiry");
        assert!(expires > NOW, "an expired link verified");
        let ours = sign_path(&keys, path, expires).expect("a key");
        assert!(verify_path(&keys, path, Some(&ours), NOW).is_ok(), "the server's own link for the same path fails");
    }
}
