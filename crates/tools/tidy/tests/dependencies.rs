//! The dependency rules of ARCHITECTURE.md, read from `cargo metadata`: each
//! **Architecture Invariant** about what a crate may depend on fails here when broken.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each workspace crate: its folder (relative to `crates/`) and its direct normal
/// dependencies.
struct Crate {
    folder: String,
    deps: BTreeSet<String>,
}

fn workspace() -> BTreeMap<String, Crate> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--no-deps", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let crates_dir = root.join("crates").canonicalize().expect("crates/");
    let mut crates = BTreeMap::new();
    for p in meta["packages"].as_array().expect("packages") {
        let manifest = Path::new(p["manifest_path"].as_str().expect("manifest_path"));
        let folder = manifest.parent().and_then(|d| d.strip_prefix(&crates_dir).ok()).map(|d| d.display().to_string()).unwrap_or_default();
        let deps = p["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .filter(|d| d["kind"].is_null()) // normal dependencies, not dev or build
            .map(|d| d["name"].as_str().unwrap_or_default().to_owned())
            .collect();
        crates.insert(p["name"].as_str().expect("name").to_owned(), Crate { folder, deps });
    }
    crates
}

/// Every workspace crate `name` depends on, directly or not.
fn closure(crates: &BTreeMap<String, Crate>, name: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![name.to_owned()];
    while let Some(n) = todo.pop() {
        for d in crates.get(&n).map(|c| c.deps.iter()).into_iter().flatten() {
            if crates.contains_key(d) && seen.insert(d.clone()) {
                todo.push(d.clone());
            }
        }
    }
    seen
}

fn in_half(c: &Crate, half: &str) -> bool {
    c.folder.starts_with(&format!("{half}/"))
}

#[test]
fn the_layout_has_the_two_halves_the_root_and_the_tools() {
    let crates = workspace();
    for (name, c) in &crates {
        let top = c.folder.split('/').next().unwrap_or_default();
        assert!(["media", "funnel", "server", "common", "tools"].contains(&top), "{name} lives in crates/{}: outside the layout of ARCHITECTURE.md", c.folder);
    }
    assert_eq!(crates["hikari"].folder, "server");
}

#[test]
fn media_and_funnel_crates_do_not_depend_on_each_other() {
    let crates = workspace();
    for (name, c) in &crates {
        for (mine, other) in [("media", "funnel"), ("funnel", "media")] {
            if in_half(c, mine) {
                let crossing: Vec<_> = closure(&crates, name).into_iter().filter(|d| in_half(&crates[d], other)).collect();
                assert!(crossing.is_empty(), "{name} ({mine}) depends on {crossing:?} ({other}); they meet only in crates/server");
            }
        }
    }
}

#[test]
fn nothing_but_the_binary_depends_on_the_tools_or_the_binary() {
    let crates = workspace();
    for (name, c) in &crates {
        if c.folder.starts_with("tools/") {
            continue;
        }
        for d in &c.deps {
            if let Some(dep) = crates.get(d) {
                assert!(!dep.folder.starts_with("tools/") && d != "hikari", "{name} depends on {d}");
            }
        }
    }
}

#[test]
fn hikari_types_has_no_dependencies_and_common_only_channels_and_logs() {
    let crates = workspace();
    assert!(crates["hikari-types"].deps.is_empty(), "hikari-types depends on {:?}", crates["hikari-types"].deps);
    let common: Vec<&str> = crates["hikari-common"].deps.iter().map(String::as_str).collect();
    assert_eq!(common, vec!["tokio", "tracing"]);
}

/// hikari-fuzz is the one other: its bodies and seeds build wire messages to check what the
/// parsers make of them.
#[test]
fn only_hikari_protocol_names_livekit_protocol_or_prost() {
    for (name, c) in &workspace() {
        for wire in ["livekit-protocol", "prost", "pbjson-types"] {
            let allowed = name == "hikari-protocol" || name == "hikari-fuzz";
            assert!(allowed || !c.deps.contains(wire), "{name} depends on {wire}; only hikari-protocol (and the fuzz bodies) may");
        }
    }
}

#[test]
fn the_sfu_core_has_no_io_runtime_or_clock_dependency() {
    let crates = workspace();
    let sfu = &crates["hikari-sfu"].deps;
    for io in ["tokio", "mio", "nix", "socket2", "axum", "hyper", "reqwest", "sqlx", "hikari-common"] {
        assert!(!sfu.contains(io), "hikari-sfu depends on {io}");
    }
    // No wire format either: data packets and trickled candidates are parsed by
    // hikari-protocol before the core sees them (`hikari_types::DataPackets`, `Trickle`).
    for wire in ["hikari-protocol", "livekit-protocol", "prost", "pbjson-types", "serde", "serde_json"] {
        assert!(!sfu.contains(wire), "hikari-sfu depends on the wire crate {wire}");
    }
    // Workspace crates it may use: the nouns.
    let ours: Vec<_> = sfu.iter().filter(|d| crates.contains_key(*d)).map(String::as_str).collect();
    assert_eq!(ours, vec!["hikari-types"]);
}

#[test]
fn anyhow_appears_only_in_binaries() {
    for (name, c) in &workspace() {
        if c.deps.contains("anyhow") {
            assert!(["hikari", "hikari-loadgen"].contains(&name.as_str()), "{name} depends on anyhow; library crates have their own error enum");
        }
    }
}

#[test]
fn the_funnel_domain_has_no_io_dependency() {
    let deps: Vec<_> = workspace()["hikari-funnel"].deps.iter().cloned().collect();
    assert_eq!(deps, vec!["serde", "serde_json", "thiserror"], "the funnel domain stays pure: no runtime, web or database crate");
}

#[test]
fn the_webinar_domain_has_no_io_dependency() {
    let deps: Vec<_> = workspace()["hikari-webinar"].deps.iter().cloned().collect();
    // jiff: dates and time zones, from the tz database compiled in (no file reads).
    assert_eq!(deps, vec!["hikari-funnel", "jiff", "serde"], "the webinar domain stays pure: no runtime, web or database crate");
}

#[test]
fn the_funnel_application_layer_knows_no_http_or_sql() {
    let deps = &workspace()["hikari-funnel-app"].deps;
    for web_or_sql in ["axum", "hyper", "http", "tower", "maud", "sqlx"] {
        assert!(!deps.contains(web_or_sql), "hikari-funnel-app depends on {web_or_sql}: use cases take and return plain types");
    }
}

#[test]
fn the_ingress_and_egress_registries_know_no_http_wire_or_media() {
    let crates = workspace();
    for registry in ["hikari-ingress", "hikari-egress"] {
        for other in ["axum", "hyper", "http", "livekit-protocol", "prost", "hikari-sfu", "hikari-media-io", "hikari-mux"] {
            assert!(!crates[registry].deps.contains(other), "{registry} depends on {other}: it keeps records; the runtime and the edge do the rest");
        }
    }
}

#[test]
fn the_recording_muxers_are_sans_io() {
    let deps: Vec<_> = workspace()["hikari-mux"].deps.iter().cloned().collect();
    // `bytes`: the HLS window hands out shared buffers (a data type, no I/O).
    assert_eq!(deps, vec!["bytes", "hikari-codec", "thiserror"], "hikari-mux writes to any `Write`: no runtime, no files, no SFU");
}

#[test]
fn the_compositor_is_pure() {
    let deps = &workspace()["hikari-compose"].deps;
    assert!(deps.is_empty(), "hikari-compose depends on {deps:?}: it only decides and draws; the record crate does the rest");
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../media/compose/src");
    for entry in std::fs::read_dir(&src).expect("crates/media/compose/src") {
        let path = entry.expect("an entry").path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file");
            for io in ["Instant::now", "SystemTime", "std::fs", "std::net", "std::thread", "std::process", "std::io::"] {
                assert!(!text.contains(io), "{} uses {io}: the compositor takes time and data as inputs", path.display());
            }
        }
    }
}
