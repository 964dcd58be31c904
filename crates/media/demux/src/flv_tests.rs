//! Unit tests of the FLV tag reader.

use bytes::Bytes;

use super::FlvDemuxer;
use crate::Elementary;

const SPS: &[u8] =
    &[0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0x99, 0x60];
const PPS: &[u8] = &[0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0];

/// An AVC sequence header tag body for the 320x240 High SPS.
pub(crate) fn avc_sequence_header() -> Vec<u8> {
    let mut b = vec![0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x0d, 0xff, 0xe1];
    b.extend_from_slice(&u16::try_from(SPS.len()).expect("short").to_be_bytes());
    b.extend_from_slice(SPS);
    b.push(1);
    b.extend_from_slice(&u16::try_from(PPS.len()).expect("short").to_be_bytes());
    b.extend_from_slice(PPS);
    b
}

/// A NALU tag body: keyframe or not, composition time, one IDR or non-IDR slice.
pub(crate) fn avc_frame(key: bool, cts: i32) -> Vec<u8> {
    let c = cts.to_be_bytes();
    let mut b = vec![if key { 0x17 } else { 0x27 }, 1, c[1], c[2], c[3]];
    let nal: &[u8] = if key { &[0x65, 0x88, 0x84] } else { &[0x41, 0x9a, 0x02] };
    b.extend_from_slice(&[0, 0, 0, 2, 0x09, 0xf0]); // an AUD, left out
    b.extend_from_slice(&u32::try_from(nal.len()).expect("short").to_be_bytes());
    b.extend_from_slice(nal);
    b
}

#[test]
fn reads_avc_config_and_frames_with_composition_time() {
    let mut d = FlvDemuxer::new();
    let Some(Elementary::VideoConfig(c)) = d.video(0, &Bytes::from(avc_sequence_header())).expect("valid") else { panic!("a config") };
    assert_eq!((c.width, c.height, c.profile_idc, c.sps.len(), c.pps.len()), (320, 240, 100, 1, 1));
    assert_eq!(d.video(0, &Bytes::from(avc_sequence_header())).expect("valid"), None, "the same config is told once");
    let Some(Elementary::Video(f)) = d.video(40, &Bytes::from(avc_frame(true, 66))).expect("valid") else { panic!("a frame") };
    assert_eq!((f.dts_ms, f.pts_ms, f.keyframe, f.nalus.len()), (40, 106, true, 1));
    let Some(Elementary::Video(f)) = d.video(73, &Bytes::from(avc_frame(false, -33))).expect("valid") else { panic!("a frame") };
    assert_eq!((f.dts_ms, f.pts_ms, f.keyframe), (73, 40, false));
    assert_eq!(d.video(80, &Bytes::from_static(&[0x17, 2, 0, 0, 0])).expect("end of sequence"), None);
}

#[test]
fn reads_aac_config_and_frames() {
    let mut d = FlvDemuxer::new();
    let Some(Elementary::AudioConfig(c)) = d.audio(0, &Bytes::from_static(&[0xaf, 0, 0x11, 0x88])).expect("valid") else { panic!("a config") };
    assert_eq!((c.object_type, c.sample_rate, c.channels), (2, 48000, 1));
    let Some(Elementary::Audio(a)) = d.audio(21, &Bytes::from_static(&[0xaf, 1, 0x21, 0x10])).expect("valid") else { panic!("a frame") };
    assert_eq!((a.pts_ms, &a.data[..]), (21, &[0x21, 0x10][..]));
}

#[test]
fn names_unsupported_codecs_once() {
    let mut d = FlvDemuxer::new();
    let hevc = Bytes::from_static(&[0x90, b'h', b'v', b'c', b'1', 1, 2, 3]);
    assert_eq!(d.video(0, &hevc).expect("named"), Some(Elementary::Unsupported { what: "HEVC over enhanced RTMP (FourCC hvc1)".into() }));
    assert_eq!(d.video(1, &hevc).expect("named once"), None);
    let av1 = Bytes::from_static(&[0x91, b'a', b'v', b'0', b'1', 1]);
    assert!(matches!(d.video(2, &av1), Ok(Some(Elementary::Unsupported { what })) if what.contains("AV1")));
    assert!(matches!(d.audio(0, &Bytes::from_static(&[0x2f, 0xff])), Ok(Some(Elementary::Unsupported { what })) if what.starts_with("MP3 audio")));
    assert!(matches!(d.video(0, &Bytes::from_static(&[0x14, 0])), Ok(Some(Elementary::Unsupported { what })) if what.contains("VP6")));
}

#[test]
fn enhanced_avc1_is_read_like_avc() {
    let mut d = FlvDemuxer::new();
    let legacy = avc_sequence_header();
    let mut ex = vec![0x90, b'a', b'v', b'c', b'1'];
    ex.extend_from_slice(&legacy[5..]);
    assert!(matches!(d.video(0, &Bytes::from(ex)), Ok(Some(Elementary::VideoConfig(_)))));
    let frame = avc_frame(true, 0);
    let mut x = vec![0x93, b'a', b'v', b'c', b'1'];
    x.extend_from_slice(&frame[5..]);
    assert!(matches!(d.video(10, &Bytes::from(x)), Ok(Some(Elementary::Video(f))) if f.keyframe && f.pts_ms == 10));
}

#[test]
fn truncated_tags_are_errors_not_panics() {
    let mut d = FlvDemuxer::new();
    let header = avc_sequence_header();
    for n in 0..header.len() - PPS.len() {
        assert!(d.video(0, &Bytes::copy_from_slice(&header[..n])).is_err(), "{n} bytes");
    }
    assert!(d.video(0, &Bytes::from_static(&[0x27, 1, 0, 0, 0, 0, 0, 0, 9, 0x41])).is_err(), "a NAL length past the end");
    assert!(d.audio(0, &Bytes::from_static(&[0xaf])).is_err());
    assert!(d.audio(0, &Bytes::from_static(&[0xaf, 0, 0x17])).is_err());
}

#[test]
fn timestamps_extend_across_the_32_bit_wrap() {
    let mut d = FlvDemuxer::new();
    d.audio(u32::MAX - 60, &Bytes::from_static(&[0xaf, 0, 0x11, 0x88])).expect("config");
    let mut last = 0;
    for ts in [u32::MAX - 50, u32::MAX - 29, u32::MAX - 8, 13, 34] {
        let Some(Elementary::Audio(a)) = d.audio(ts, &Bytes::from_static(&[0xaf, 1, 0])).expect("valid") else { panic!("a frame") };
        assert!(a.pts_ms > last, "{} after {last}", a.pts_ms);
        last = a.pts_ms;
    }
    assert_eq!(last, i64::from(u32::MAX) + 35);
}
