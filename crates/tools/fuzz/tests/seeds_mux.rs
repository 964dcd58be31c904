//! Seeds of `mux_rtp` (`hikari_mux::fuzzing::feed`): a few packets of each codec a track
//! egress records, laid out as the entry point reads them (a codec byte, then records of
//! flags, sequence step, big-endian timestamp step, length and payload).

use hikari_fuzz::seed::emit;
use hikari_mux::{Codec, Packet, TrackRecorder};

/// One record: `marker`, a sequence step of 1, `ts_step`, the payload.
fn record(marker: bool, ts_step: u16, payload: &[u8]) -> Vec<u8> {
    let len = u8::try_from(payload.len()).expect("a short payload");
    [&[u8::from(marker), 1][..], &ts_step.to_be_bytes(), &[len], payload].concat()
}

/// A VP8 keyframe of 320x240 in one packet: the payload descriptor (S, partition 0), the
/// frame tag (keyframe), the start code and the size.
fn vp8_keyframe() -> Vec<u8> {
    [&[0x10u8, 0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00][..], &[0x11; 20]].concat()
}

/// H.264: SPS and PPS (baseline 320x240, as x264 writes them) and an IDR slice.
const SPS: &[u8] =
    &[0x67, 0x42, 0xc0, 0x0d, 0xd9, 0x01, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0x99, 0x20];
const PPS: &[u8] = &[0x68, 0xcb, 0x83, 0xcb, 0x20];
const IDR: &[u8] = &[0x65, 0x88, 0x84, 0x00, 0x33, 0xff, 0xfe, 0xf6, 0xf0, 0xfe, 0x05, 0x36, 0x56, 0x04, 0x50, 0x96];

#[test]
fn mux_rtp() {
    let opus: Vec<u8> = [vec![0u8], record(true, 960, &[0xfc, 0xff, 0xfe]), record(true, 960, &[0xfc, 0xff, 0xfe]), record(true, 960, &[0xfc, 1])].concat();
    let opus_webm = [&[4u8][..], &opus[1..]].concat();
    let opus_mp4 = [&[8u8][..], &opus[1..]].concat();
    let vp8 = [vec![1u8], record(true, 3000, &vp8_keyframe()), record(true, 3000, &vp8_keyframe())].concat();
    let h264 = [vec![3u8], record(false, 3000, SPS), record(false, 0, PPS), record(true, 0, IDR), record(true, 3000, IDR)].concat();
    let seeds = emit("mux_rtp", vec![("opus-ogg", opus), ("opus-webm", opus_webm), ("opus-mp4", opus_mp4), ("vp8-webm", vp8), ("h264-mp4", h264)]);
    for (name, bytes) in &seeds {
        hikari_fuzz::mux_rtp::run(bytes);
        assert!(bytes.len() > 10, "{name}");
    }
    // The VP8 and H.264 seeds carry real keyframes: a recorder writes frames from them.
    for (codec, payloads) in [(Codec::Vp8, vec![vp8_keyframe()]), (Codec::H264, vec![SPS.to_vec(), PPS.to_vec(), IDR.to_vec()])] {
        let mut rec = TrackRecorder::new(codec, Vec::new());
        for (i, p) in payloads.iter().enumerate() {
            let _ = rec.push(Packet { seq: i as u64, ts: 0, marker: i + 1 == payloads.len(), payload: p });
        }
        let _ = rec.push(Packet { seq: payloads.len() as u64, ts: 3000, marker: true, payload: &payloads[payloads.len() - 1] });
        assert!(rec.stats().frames >= 1, "{codec:?}: {:?}", rec.stats());
    }
}

/// One `feed_hls` record: flags, a timestamp step, the payload.
fn hls_record(flags: u8, step: u16, payload: &[u8]) -> Vec<u8> {
    let len = u8::try_from(payload.len()).expect("a short payload");
    [&[flags][..], &step.to_be_bytes(), &[len], payload].concat()
}

#[test]
fn hls_packager() {
    // Length-prefixed NAL units: an IDR slice (with SPS/PPS put in front: flags bit 2) and a
    // non-IDR slice; Opus packets of 20 ms.
    let idr = [&[0u8, 0, 0, IDR.len() as u8][..], IDR].concat();
    let slice = [0u8, 0, 0, 4, 0x41, 0x9a, 0x02, 0x03];
    let mut both = vec![0u8];
    for i in 0..40u16 {
        let key = i % 15 == 0;
        both.extend(hls_record(
            if key { 2 | 4 } else { 0 } | if i % 10 == 9 { 64 | 32 } else { 0 },
            if i == 0 { 0 } else { 3000 },
            if key { &idr } else { &slice },
        ));
        both.extend(hls_record(1, 960, &[0xfc, 0xff, 0xfe]));
        both.extend(hls_record(1, 960, &[0xfc, 0xff, 0xfe]));
    }
    let audio: Vec<u8> = [vec![2u8], (0..60).flat_map(|_| hls_record(1 | 64, 960, &[0xfc, 0xff, 0xfe])).collect()].concat();
    let seeds = emit("hls_packager", vec![("h264-opus", both), ("opus-only", audio)]);
    for (name, bytes) in &seeds {
        hikari_fuzz::hls_packager::run(bytes);
        assert!(bytes.len() > 100, "{name}");
    }
}
