//! Architecture Invariants of ARCHITECTURE.md that are about code rather than
//! dependencies, checked on the identifiers of non-test code (`#[cfg(test)]` left out).

use std::path::{Path, PathBuf};

use hikari_tidy::code_identifiers;

fn crate_dir(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(rel)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// `(file, name)` for every identifier of `forbidden` in the non-test code of `files`; an
/// entry `"A B"` matches the identifier A directly followed by B (`"Instant now"`).
fn uses(files: &[PathBuf], forbidden: &[&str]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for f in files {
        let ids = code_identifiers(f).expect("tokens");
        let name = f.file_name().unwrap_or_default().to_string_lossy().into_owned();
        for (k, id) in ids.iter().enumerate() {
            let pair = ids.get(k + 1).map(|next| format!("{id} {next}")).unwrap_or_default();
            if forbidden.contains(&id.as_str()) || forbidden.contains(&pair.as_str()) {
                found.push((name.clone(), if forbidden.contains(&id.as_str()) { id.clone() } else { pair }));
            }
        }
    }
    found
}

#[test]
fn the_sfu_core_holds_no_lock_reads_no_clock_and_never_awaits() {
    let files = rust_files(&crate_dir("media/sfu/src"));
    assert!(files.len() > 10);
    // `Instant` as a type is an input; reading the clock and every lock, thread and socket
    // are the driver's business.
    let found = uses(&files, &["Mutex", "RwLock", "SystemTime", "Instant now", "await", "async", "thread", "UdpSocket", "TcpStream", "tokio"]);
    assert!(found.is_empty(), "the SFU core is sans-IO with one owner per room: {found:?}");
}

#[test]
fn the_media_hot_path_allocates_nothing_per_packet() {
    // `media.rs` is the RTP path (`on_rtp` and what it calls per packet): the forwarder, the
    // layer filter and the descriptor parsers. Not here: `codec/red.rs`, whose one copy per
    // packet (RED cut to its primary block) is paid only while a subscriber without RED
    // listens to RED, and `codec/dd_ext.rs`, str0m's hook for the dependency descriptor.
    let files = ["media.rs", "forward.rs", "droplog.rs", "svc.rs", "codec/mod.rs", "codec/vp8.rs", "codec/vp9.rs", "codec/dd.rs"]
        .map(|f| crate_dir(&format!("media/sfu/src/{f}")));
    let found = uses(&files, &["vec!", "Vec", "Box", "String", "format!", "to_vec", "to_owned", "to_string", "collect", "HashMap", "BTreeMap"]);
    // The one allocation: a track's MIME type, set on its first packet only.
    assert_eq!(found, vec![("media.rs".to_owned(), "to_owned".to_owned())], "per-packet allocation on the hot path");
}

#[test]
fn hikari_types_serialises_nothing() {
    let found = uses(&rust_files(&crate_dir("media/types/src")), &["Serialize", "Deserialize", "serde"]);
    assert!(found.is_empty(), "each boundary owns its format: {found:?}");
}

#[test]
fn the_detector_sees_test_code_as_absent() {
    let dir = std::env::temp_dir().join(format!("hikari-tidy-inv-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("x.rs");
    std::fs::write(
        &file,
        "fn f() { let m = std::sync::Mutex::new(1); let t = Instant::now(); }\n#[cfg(test)]\nmod tests { fn g() { let v: Vec<u8> = vec![]; } }",
    )
    .expect("write");
    let found = uses(&[file], &["Mutex", "Vec", "vec!", "Instant now"]);
    assert_eq!(found.iter().map(|(_, id)| id.as_str()).collect::<Vec<_>>(), vec!["Mutex", "Instant now"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_sfu_core_keys_its_slots_by_typed_indices() {
    // Rooms, participants, PeerConnections and tracks live in `arena::Arena`s keyed by
    // `RoomIdx`, `PartIdx`, `PcIdx` and `TrackIdx`; a bare slab would hand out `usize`s that
    // can be passed for one another.
    let files: Vec<PathBuf> = rust_files(&crate_dir("media/sfu/src")).into_iter().filter(|f| !f.ends_with("arena.rs")).collect();
    let found = uses(&files, &["Slab", "slab"]);
    assert!(found.is_empty(), "slots outside arena.rs: {found:?}");
}

#[test]
fn no_tracing_span_is_entered_by_hand() {
    // An entered span's guard held across an `.await` stays current on the worker thread the
    // task left, after the span is closed: the next `Span::current()` there panics inside
    // tracing-subscriber (seen in sqlx's pool task). Async code uses `Instrument`.
    let mut files = Vec::new();
    for group in ["common", "funnel", "media", "server"] {
        files.extend(rust_files(&crate_dir(group)));
    }
    assert!(files.len() > 100);
    let found = uses(&files, &["enter", "entered", "in_scope"]);
    assert!(found.is_empty(), "use tracing::Instrument instead: {found:?}");
}

#[test]
fn nothing_built_by_others_is_committed() {
    // Browser packages come from the lockfile at build time (crates/funnel/vendor); a
    // minified or UMD build in the tree would be someone else's built file.
    fn walk(dir: &Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                if !matches!(name.as_str(), "target" | "node_modules" | ".git" | ".venv" | "corpus" | "artifacts") {
                    walk(&path, found);
                }
            } else if name.ends_with(".min.js") || name.ends_with(".umd.js") || name.ends_with(".bundle.js") {
                found.push(path.display().to_string());
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let mut found = Vec::new();
    walk(&root, &mut found);
    assert!(found.is_empty(), "built files of other projects in the tree: {found:?}");
}
