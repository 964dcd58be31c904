//! H.264 sequence parameter sets (`hikari_codec::SpsInfo`): an encoder's SPS from an RTMP
//! AVC sequence header or an MPEG-TS stream. Nothing may panic; a parsed picture has a
//! size and a `profile-level-id` of six hex digits.

use hikari_codec::SpsInfo;

pub fn run(data: &[u8]) {
    let Ok(sps) = SpsInfo::parse(data) else { return };
    assert!(sps.width > 0 && sps.height > 0 && sps.width <= 16384 && sps.height <= 32768);
    let id = sps.webrtc_profile_level_id();
    assert!(id.len() == 6 && id.bytes().all(|b| b.is_ascii_hexdigit()));
    let _ = (sps.passthrough_safe(), sps.no_reordering());
}
