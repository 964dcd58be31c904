//! Seeds of `signed_link` (a path, a newline, a query) and `byte_range` (8 bytes of total
//! size, then a `Range` header): links the server signs, links cut or changed, and the
//! range forms RFC 9110 allows.

use hikari_auth::KeySet;
use hikari_auth::signed::sign_path;
use hikari_fuzz::seed::emit;

#[test]
fn signed_link() {
    let keys = KeySet::new([("devkey".to_owned(), "fuzzing-secret".to_owned())]);
    let path = "/recordings/webinar/2026-12-01/host.m3u8";
    let good = sign_path(&keys, path, 1_800_003_600).expect("a key");
    let expired = sign_path(&keys, path, 1_799_999_999).expect("a key");
    let link = |p: &str, q: &str| format!("{p}\n{q}").into_bytes();
    let seeds = vec![
        ("valid", link(path, &good)),
        ("valid-with-format", link(path, &format!("{good}&format=mp4"))),
        ("expired", link(path, &expired)),
        ("other-path", link("/recordings/webinar/other.mp4", &good)),
        ("unknown-key", link(path, &good.replace("key=devkey", "key=nobody"))),
        ("encoded", link("/recordings/%E3%81%82/a.ogg", "key=dev%6Bey&expires=1800000100&signature=AAAA")),
        ("huge-expiry", link(path, "key=devkey&expires=99999999999999999999&signature=x")),
        ("empty", Vec::new()),
    ];
    for (name, bytes) in emit("signed_link", seeds) {
        hikari_fuzz::signed_link::run(&bytes);
        assert!(!name.is_empty());
    }
}

#[test]
fn byte_range() {
    let with = |total: u64, header: &str| [&total.to_be_bytes()[..], header.as_bytes()].concat();
    let seeds = vec![
        ("first-100", with(86_061, "bytes=0-99")),
        ("open-end", with(86_061, "bytes=1000-")),
        ("suffix", with(86_061, "bytes=-500")),
        ("beyond", with(100, "bytes=100-")),
        ("several", with(100, "bytes=0-1,5-6")),
        ("empty-file", with(0, "bytes=0-")),
        ("max", with(u64::MAX, "bytes=18446744073709551614-")),
    ];
    for (_, bytes) in emit("byte_range", seeds) {
        hikari_fuzz::byte_range::run(&bytes);
    }
}
