//! The fuzz targets' bodies (docs/security.md, "Fuzzing"): one module per parser of
//! network input, each with `run(&[u8])`, which must never panic on any input.
//!
//! `fuzz/` (a cargo-fuzz workspace of its own) wraps each `run` in one line of
//! `fuzz_target!`, for coverage-guided runs (`scripts/fuzz`). Here they are ordinary code
//! of the main workspace: linted with it, and `cargo test` replays every committed corpus
//! input (`fuzz/corpus/<target>/`) through them (tests/corpus.rs), so a crash the fuzzer
//! once found stays fixed without a fuzzing build.
pub mod seed;
pub mod shared;

pub mod access_token;
pub mod av1_dependency_descriptor;
pub mod byte_range;
pub mod data_packet;
pub mod egress_body;
pub mod flv_tag;
pub mod funnel_form;
pub mod funnel_json;
pub mod h264_payload;
pub mod h264_sps;
pub mod hls_packager;
pub mod ice_tcp_framing;
pub mod ingress_body;
pub mod join_request;
pub mod mpegts_demux;
pub mod mux_rtp;
pub mod red_payload;
pub mod rtmp_session;
pub mod rtp_header;
pub mod sfu_datagram;
pub mod sfu_media;
pub mod sfu_signal;
pub mod signal_frame;
pub mod signed_link;
pub mod srt_listener;
pub mod turn_server;
pub mod twirp_body;
pub mod vp8_descriptor;
pub mod vp9_descriptor;
pub mod webhook_payload;
pub mod webinar_json;
pub mod whip_offer;

/// A target's body: any bytes in, a panic only for a bug.
pub type Body = fn(&[u8]);

/// Every target by its name, the name of its file in `fuzz/fuzz_targets/` and of its
/// corpus directory.
pub const TARGETS: &[(&str, Body)] = &[
    ("access_token", access_token::run),
    ("av1_dependency_descriptor", av1_dependency_descriptor::run),
    ("byte_range", byte_range::run),
    ("data_packet", data_packet::run),
    ("egress_body", egress_body::run),
    ("flv_tag", flv_tag::run),
    ("funnel_form", funnel_form::run),
    ("funnel_json", funnel_json::run),
    ("h264_payload", h264_payload::run),
    ("h264_sps", h264_sps::run),
    ("hls_packager", hls_packager::run),
    ("ice_tcp_framing", ice_tcp_framing::run),
    ("ingress_body", ingress_body::run),
    ("join_request", join_request::run),
    ("mpegts_demux", mpegts_demux::run),
    ("mux_rtp", mux_rtp::run),
    ("red_payload", red_payload::run),
    ("rtmp_session", rtmp_session::run),
    ("rtp_header", rtp_header::run),
    ("sfu_datagram", sfu_datagram::run),
    ("sfu_media", sfu_media::run),
    ("sfu_signal", sfu_signal::run),
    ("signal_frame", signal_frame::run),
    ("signed_link", signed_link::run),
    ("srt_listener", srt_listener::run),
    ("turn_server", turn_server::run),
    ("twirp_body", twirp_body::run),
    ("vp8_descriptor", vp8_descriptor::run),
    ("vp9_descriptor", vp9_descriptor::run),
    ("webhook_payload", webhook_payload::run),
    ("webinar_json", webinar_json::run),
    ("whip_offer", whip_offer::run),
];
