//! A recording's input (`hikari_mux::fuzzing::feed`): RTP payloads of any codec a track egress
//! records (Opus, VP8, VP9, H.264), with any sequence and timestamp steps, markers and gaps,
//! into the Ogg, WebM and fragmented MP4 writers. Nothing may panic.

pub fn run(data: &[u8]) {
    hikari_mux::fuzzing::feed(data);
}
