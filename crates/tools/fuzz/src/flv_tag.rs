//! FLV audio and video tag bodies (`hikari_demux::fuzzing::feed_flv`): AVC and AAC sequence
//! headers, NAL unit packets, enhanced RTMP FourCC headers, any bytes. Nothing may panic; no
//! access unit holds an empty NAL unit.

pub fn run(data: &[u8]) {
    hikari_demux::fuzzing::feed_flv(data);
}
