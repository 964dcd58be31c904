//! An HLS egress's packaging (`hikari_mux::fuzzing::feed_hls`): H.264 access units and Opus
//! packets with any timestamps (backwards, huge jumps), keyframe flags and sizes, into the
//! CMAF packager and its playlists (live, delta updates, blocking-reload lookups). Nothing
//! may panic.

pub fn run(data: &[u8]) {
    hikari_mux::fuzzing::feed_hls(data);
}
