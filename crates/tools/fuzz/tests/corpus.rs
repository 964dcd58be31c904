//! Every committed corpus input (`fuzz/corpus/<target>/`) through its target's body, once:
//! the generated seeds and whatever a fuzzing run found and merged, crashes included.
//! One test per target, so they spread over the cores; a panic names the input.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use hikari_fuzz::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fuzz")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|entry| entry.expect("a directory entry").path()).collect();
    files.sort();
    files
}

fn replay(target: &str) {
    let Some((_, body)) = TARGETS.iter().find(|(name, _)| *name == target) else { panic!("{target} is not in TARGETS") };
    let inputs = files(&fuzz_dir().join("corpus").join(target));
    assert!(!inputs.is_empty(), "{target} has no corpus");
    for input in inputs {
        let data = std::fs::read(&input).expect("a corpus file");
        if catch_unwind(AssertUnwindSafe(|| body(&data))).is_err() {
            panic!("{target} panics on {}", input.display());
        }
    }
}

macro_rules! replays {
    ($($target:ident),* $(,)?) => {
        $(#[test] fn $target() { replay(stringify!($target)) })*
        const REPLAYED: &[&str] = &[$(stringify!($target)),*];
    };
}

replays!(
    access_token,
    av1_dependency_descriptor,
    byte_range,
    data_packet,
    egress_body,
    flv_tag,
    funnel_form,
    funnel_json,
    h264_payload,
    h264_sps,
    hls_packager,
    ice_tcp_framing,
    ingress_body,
    join_request,
    mpegts_demux,
    mux_rtp,
    red_payload,
    rtmp_session,
    rtp_header,
    sfu_datagram,
    sfu_media,
    sfu_signal,
    signal_frame,
    signed_link,
    srt_listener,
    turn_server,
    twirp_body,
    vp8_descriptor,
    vp9_descriptor,
    webhook_payload,
    webinar_json,
    whip_offer
);

/// A target added in one place is added everywhere: its body in `TARGETS`, its replay
/// here, its one-line wrapper and `[[bin]]` in fuzz/, and its corpus.
#[test]
fn every_target_has_a_body_a_replay_a_wrapper_and_a_corpus() {
    let bodies: Vec<&str> = TARGETS.iter().map(|(name, _)| *name).collect();
    assert_eq!(bodies, REPLAYED, "TARGETS and the replays here name the same targets, in order");
    let dir = fuzz_dir();
    let wrappers: Vec<String> =
        files(&dir.join("fuzz_targets")).iter().filter_map(|p| p.file_name()?.to_str()?.strip_suffix(".rs").map(str::to_owned)).collect();
    assert_eq!(wrappers, bodies, "fuzz/fuzz_targets holds one wrapper per body");
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for name in bodies {
        let wrapper = std::fs::read_to_string(dir.join("fuzz_targets").join(format!("{name}.rs"))).expect("a wrapper");
        assert!(
            wrapper.contains(&format!("libfuzzer_sys::fuzz_target!(|data: &[u8]| hikari_fuzz::{name}::run(data));")),
            "fuzz/fuzz_targets/{name}.rs calls hikari_fuzz::{name}::run and nothing else"
        );
        assert!(manifest.contains(&format!("name = \"{name}\"\npath = \"fuzz_targets/{name}.rs\"")), "fuzz/Cargo.toml has a [[bin]] for {name}");
        assert!(dir.join("corpus").join(name).is_dir(), "fuzz/corpus/{name} exists");
    }
}
