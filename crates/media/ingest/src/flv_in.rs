//! Elementary streams back into FLV tag bodies, the form an ffmpeg job reads
//! (`hikari_codec::flv_out` adds the tag headers): so RTMP and MPEG-TS input reach a job
//! the same way.

use hikari_demux::{AacConfig, AudioFrame, H264Config, VideoFrame};

/// FLV's sound byte for AAC (format 10; the rate, size and channel bits are ignored for
/// AAC, whose configuration says them).
const AAC_SOUND: u8 = 0xAF;

/// The AAC sequence header's body.
pub fn aac_config(config: &AacConfig, out: &mut Vec<u8>) {
    out.extend_from_slice(&[AAC_SOUND, 0]);
    out.extend_from_slice(&config.asc);
}

/// One raw AAC frame's body.
pub fn aac_frame(frame: &AudioFrame, out: &mut Vec<u8>) {
    out.extend_from_slice(&[AAC_SOUND, 1]);
    out.extend_from_slice(&frame.data);
}

/// The AVC sequence header's body: an AVCDecoderConfigurationRecord with 4-byte NAL
/// lengths. `None` without an SPS and a PPS, or with one too long for the record.
pub fn avc_config(config: &H264Config, out: &mut Vec<u8>) -> Option<()> {
    let sps = config.sps.first()?;
    let pps = config.pps.first()?;
    if sps.len() < 4 || sps.len() > usize::from(u16::MAX) || pps.len() > usize::from(u16::MAX) {
        return None;
    }
    // Keyframe + AVC, sequence header, composition time 0.
    out.extend_from_slice(&[0x17, 0, 0, 0, 0]);
    out.extend_from_slice(&[1, sps[1], sps[2], sps[3], 0xFF, 0xE1]);
    out.extend_from_slice(&(sps.len() as u16).to_be_bytes());
    out.extend_from_slice(sps);
    out.push(1);
    out.extend_from_slice(&(pps.len() as u16).to_be_bytes());
    out.extend_from_slice(pps);
    Some(())
}

/// One access unit's body: AVC NALUs with 4-byte lengths and the composition time.
pub fn avc_frame(frame: &VideoFrame, out: &mut Vec<u8>) {
    out.push(if frame.keyframe { 0x17 } else { 0x27 });
    out.push(1);
    let cts = (frame.pts_ms - frame.dts_ms).clamp(-(1 << 23), (1 << 23) - 1) as i32;
    out.extend_from_slice(&cts.to_be_bytes()[1..]);
    for nal in &frame.nalus {
        out.extend_from_slice(&(nal.len() as u32).to_be_bytes());
        out.extend_from_slice(nal);
    }
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use hikari_demux::{Elementary, FlvDemuxer};

    use super::*;

    fn config() -> H264Config {
        // A 320x240 High-profile SPS as x264 writes it, and a PPS.
        let sps = Bytes::from_static(&[
            0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0x99,
            0x60,
        ]);
        let pps = Bytes::from_static(&[0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0]);
        H264Config { sps: vec![sps], pps: vec![pps], profile_idc: 100, constraint_flags: 0, level_idc: 13, width: 320, height: 240 }
    }

    #[test]
    fn what_is_written_reads_back_the_same_through_the_flv_demuxer() {
        let mut demux = FlvDemuxer::default();
        let mut body = Vec::new();
        avc_config(&config(), &mut body).expect("a record");
        match demux.video(0, &Bytes::from(body)) {
            Ok(Some(Elementary::VideoConfig(c))) => assert_eq!((c.sps, c.pps, c.width, c.height), (config().sps, config().pps, 320, 240)),
            other => panic!("not a config: {other:?}"),
        }
        let frame = VideoFrame { dts_ms: 40, pts_ms: 120, keyframe: true, nalus: vec![Bytes::from_static(&[0x65, 1, 2, 3]), Bytes::from_static(&[0x06, 9])] };
        let mut body = Vec::new();
        avc_frame(&frame, &mut body);
        match demux.video(40, &Bytes::from(body)) {
            Ok(Some(Elementary::Video(f))) => assert_eq!(f, frame),
            other => panic!("not a frame: {other:?}"),
        }
        let aac = AacConfig { object_type: 2, sample_rate: 48_000, channels: 2, asc: Bytes::from_static(&[0x11, 0x90]) };
        let mut body = Vec::new();
        aac_config(&aac, &mut body);
        match demux.audio(0, &Bytes::from(body)) {
            Ok(Some(Elementary::AudioConfig(c))) => assert_eq!(c, aac),
            other => panic!("not an AAC config: {other:?}"),
        }
        let raw = AudioFrame { pts_ms: 21, data: Bytes::from_static(&[0x21, 0x10, 0x05]) };
        let mut body = Vec::new();
        aac_frame(&raw, &mut body);
        match demux.audio(21, &Bytes::from(body)) {
            Ok(Some(Elementary::Audio(f))) => assert_eq!(f, raw),
            other => panic!("not an AAC frame: {other:?}"),
        }
    }

    #[test]
    fn a_config_without_parameter_sets_writes_nothing() {
        let mut c = config();
        c.pps.clear();
        let mut out = Vec::new();
        assert!(avc_config(&c, &mut out).is_none());
        assert!(out.is_empty());
    }
}
