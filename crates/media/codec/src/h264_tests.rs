//! Unit tests of the packetizer, the depacketizer and the SPS reader.

use bytes::Bytes;

use super::*;
use crate::{Depacketizer, SpsInfo, WebRtcProfile};

/// x264's SPS and PPS for 640x360 constrained baseline, 1920x1080 high with two B-frames,
/// 1280x720 main with three (`ffmpeg -f lavfi -i testsrc … -c:v libx264 -profile:v …`).
const SPS_BASELINE_360: &str = "6742c01ed900a02ff970110000030001000003003c0f162e48";
const SPS_HIGH_1080: &str = "67640028acd940780227e5c044000003000400000300f03c60c658";
const SPS_MAIN_720: &str = "674d401feca02802dd8088000003000800000301e078c18cb0";
const PPS: &str = "68cb83cb20";

fn hex(s: &str) -> Bytes {
    Bytes::from((0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect::<Vec<u8>>())
}

/// A NAL unit of the given header byte and total length, its body counting up.
fn nal(header: u8, len: usize) -> Bytes {
    let mut v = vec![header];
    v.extend((1..len).map(|i| (i % 251) as u8 + 1));
    Bytes::from(v)
}

fn depacketize(payloads: &[Bytes]) -> Vec<Vec<u8>> {
    let mut d = Depacketizer::new(1 << 22);
    let mut out = Vec::new();
    for p in payloads {
        d.push(p, &mut out).expect("valid payload");
    }
    out
}

#[test]
fn a_big_nal_is_cut_into_fu_a_fragments_that_reassemble() {
    let idr = nal(0x65, 3000);
    let mut p = Packetizer::new(1200);
    let mut out = Vec::new();
    p.packetize(std::slice::from_ref(&idr), &mut out);
    // 2999 body bytes in pieces of 1198.
    assert_eq!(out.len(), 3);
    for (k, f) in out.iter().enumerate() {
        assert!(f.len() <= 1200);
        assert_eq!(f[0], 0x60 | nal_type::FU_A, "indicator keeps F and NRI");
        assert_eq!(f[1] & 0x1f, nal_type::IDR);
        assert_eq!(f[1] & 0x80 != 0, k == 0, "start bit on the first only");
        assert_eq!(f[1] & 0x40 != 0, k == 2, "end bit on the last only");
        assert_eq!(f[1] & 0x20, 0, "reserved bit clear");
    }
    assert!(starts_keyframe(&out[0]) && !starts_keyframe(&out[1]));
    assert_eq!(depacketize(&out), vec![idr.to_vec()]);
}

#[test]
fn small_units_share_a_stap_a() {
    let (sps, pps) = (hex(SPS_BASELINE_360), hex(PPS));
    let sei = nal(0x06, 20);
    let idr = nal(0x65, 500);
    let mut p = Packetizer::new(1200);
    let mut out = Vec::new();
    p.packetize(&[sps.clone(), pps.clone(), sei.clone(), idr.clone()], &mut out);
    assert_eq!(out.len(), 1, "all four fit one payload");
    let s = &out[0];
    assert_eq!(s[0], 0x60 | nal_type::STAP_A, "F clear, NRI the highest of the units");
    let mut at = 1;
    for unit in [&sps, &pps, &sei, &idr] {
        let len = usize::from(s[at]) << 8 | usize::from(s[at + 1]);
        assert_eq!(&s[at + 2..at + 2 + len], &unit[..]);
        at += 2 + len;
    }
    assert_eq!(at, s.len());
    assert!(starts_keyframe(s));
}

#[test]
fn a_unit_that_fits_alone_goes_alone() {
    let slice = nal(0x41, 1200);
    let mut out = Vec::new();
    Packetizer::new(1200).packetize(&[slice.clone(), nal(0x41, 1199)], &mut out);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0], slice, "a single NAL unit packet is the unit itself");
    assert!(!starts_keyframe(&out[0]));
}

#[test]
fn parameter_sets_go_in_band_before_every_idr() {
    let (sps, pps) = (hex(SPS_HIGH_1080), hex(PPS));
    let mut p = Packetizer::new(1200);
    p.set_parameter_sets(sps.clone(), pps.clone());
    let aud = Bytes::from_static(&[0x09, 0xf0]);
    let filler = nal(0x0c, 30);
    let idr = nal(0x65, 4000);
    let mut out = Vec::new();
    p.packetize(&[aud.clone(), idr.clone(), filler.clone()], &mut out);
    assert!(starts_keyframe(&out[0]));
    assert_eq!(depacketize(&out), vec![sps.to_vec(), pps.to_vec(), idr.to_vec()], "AUD and filler dropped, SPS and PPS first");
    // A non-IDR picture gets no parameter sets; one that carries its own gets no copies.
    out.clear();
    let slice = nal(0x41, 300);
    p.packetize(&[aud.clone(), slice.clone()], &mut out);
    assert_eq!(depacketize(&out), vec![slice.to_vec()]);
    out.clear();
    let sps2 = hex(SPS_MAIN_720);
    p.packetize(&[sps2.clone(), pps.clone(), idr.clone()], &mut out);
    assert_eq!(depacketize(&out), vec![sps2.to_vec(), pps.to_vec(), idr.to_vec()]);
    // The in-band SPS replaced the configured one.
    out.clear();
    p.packetize(std::slice::from_ref(&idr), &mut out);
    assert_eq!(depacketize(&out)[0], sps2.to_vec());
    // Only dropped units: nothing to send.
    out.clear();
    p.packetize(&[aud, filler, Bytes::new()], &mut out);
    assert!(out.is_empty());
}

/// A small deterministic generator (xorshift), so the property runs are reproducible.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_access_units_round_trip_within_the_payload_size() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let headers = [0x65u8, 0x41, 0x01, 0x06, 0x67, 0x68, 0x09, 0x0c, 0x25, 0x61, 0x78, 0x7c, 0x00, 0xe5];
    for round in 0..400 {
        let mtu = [16, 17, 100, 1200, 1400][round % 5];
        let mut p = Packetizer::new(mtu);
        let (sps, pps) = (hex(SPS_BASELINE_360), hex(PPS));
        p.set_parameter_sets(sps.clone(), pps.clone());
        let count = 1 + rng.below(6);
        let units: Vec<Bytes> = (0..count)
            .map(|_| {
                let len = match rng.below(4) {
                    0 => 1 + rng.below(8),
                    1 => 1 + rng.below(mtu + 3),
                    2 => mtu - 2 + rng.below(5),
                    _ => 1 + rng.below(9000),
                };
                nal(headers[rng.below(headers.len())], len)
            })
            .collect();
        let mut out = Vec::new();
        p.packetize(&units, &mut out);
        let kept: Vec<Vec<u8>> = units.iter().filter(|n| n[0] & 0x80 == 0 && !matches!(n[0] & 0x1f, 0 | 9 | 12 | 24..=31)).map(|n| n.to_vec()).collect();
        let idr = kept.iter().any(|n| n[0] & 0x1f == 5);
        let mut expected = Vec::new();
        if idr && !kept.iter().any(|n| n[0] & 0x1f == 7) {
            expected.push(sps.to_vec());
        }
        if idr && !kept.iter().any(|n| n[0] & 0x1f == 8) {
            expected.push(pps.to_vec());
        }
        expected.extend(kept);
        assert!(out.iter().all(|o| o.len() <= mtu && !o.is_empty()), "round {round}: a payload over {mtu}");
        assert_eq!(depacketize(&out), expected, "round {round}");
        if idr && expected[0][0] & 0x1f == 7 {
            assert!(starts_keyframe(&out[0]), "round {round}");
        }
    }
}

#[test]
fn the_depacketizer_refuses_broken_payloads() {
    let mut d = Depacketizer::new(100);
    let mut out = Vec::new();
    assert!(d.push(&[], &mut out).is_err());
    assert!(d.push(&[0x1c, 0x05, 1], &mut out).is_err(), "FU-A middle without a start");
    assert!(d.push(&[0x18, 0, 9, 0x67], &mut out).is_err(), "STAP-A length past the payload");
    assert!(d.push(&[0x18, 0], &mut out).is_err(), "STAP-A cut inside a length");
    assert!(d.push(&[0x1d, 0x85], &mut out).is_err(), "FU-B");
    assert!(d.push(&[0x1c, 0x85, 1], &mut out).is_ok());
    assert!(d.push(&[0x1c, 0x05].iter().chain([0u8; 120].iter()).copied().collect::<Vec<_>>(), &mut out).is_err(), "over the cap");
    assert!(out.is_empty());
}

#[test]
fn sps_of_x264_streams() {
    let b = SpsInfo::parse(&hex(SPS_BASELINE_360)).expect("valid");
    assert_eq!((b.profile_idc, b.constraint_flags, b.level_idc, b.width, b.height), (66, 0xc0, 30, 640, 360));
    assert_eq!(b.webrtc_profile(), Some(WebRtcProfile::ConstrainedBaseline));
    assert_eq!(b.webrtc_profile_level_id(), "42e01e");
    assert_eq!(b.no_reordering(), Some(true));
    assert!(b.passthrough_safe());
    assert_eq!(b.fps, Some(30.0));

    let h = SpsInfo::parse(&hex(SPS_HIGH_1080)).expect("valid");
    assert_eq!((h.profile_idc, h.level_idc, h.width, h.height), (100, 40, 1920, 1080), "1088 coded lines cropped to 1080");
    assert_eq!(h.webrtc_profile_level_id(), "640028");
    assert_eq!(h.max_num_reorder_frames, Some(2));
    assert_eq!(h.no_reordering(), Some(false));
    assert!(!h.passthrough_safe(), "B-frames");

    let m = SpsInfo::parse(&hex(SPS_MAIN_720)).expect("valid");
    assert_eq!((m.width, m.height), (1280, 720));
    assert_eq!(m.webrtc_profile(), Some(WebRtcProfile::Main));
    assert_eq!(m.webrtc_profile_level_id(), "4d001f");
    assert!(!m.passthrough_safe());
}

#[test]
fn profiles_webrtc_does_not_negotiate() {
    let mut s = SpsInfo::parse(&hex(SPS_HIGH_1080)).expect("valid");
    s.profile_idc = 110; // High 10
    assert_eq!(s.webrtc_profile(), None);
    assert_eq!(s.webrtc_profile_level_id(), "6e0028", "the SPS's own bytes");
    s.profile_idc = 100;
    s.chroma_format_idc = 2;
    assert_eq!(s.webrtc_profile(), None, "4:2:2");
    s.chroma_format_idc = 1;
    s.constraint_flags = 0x0c;
    assert_eq!(s.webrtc_profile_level_id(), "640c28");
}

#[test]
fn broken_sps_are_refused_not_panicked_on() {
    let full = hex(SPS_HIGH_1080);
    for cut in 0..full.len() - 1 {
        // Cut anywhere before the VUI: an error; inside the VUI: still a size.
        let _ = SpsInfo::parse(&full[..cut]);
    }
    assert!(SpsInfo::parse(&full[..4]).is_err());
    assert!(SpsInfo::parse(&hex(PPS)).is_err(), "not an SPS");
    assert!(SpsInfo::parse(&[0x67, 0x42, 0, 0x1e, 0, 0, 0, 0, 0, 0]).is_err(), "no Exp-Golomb code ends");
    assert!(SpsInfo::parse(&vec![0x67; 5000]).is_err(), "too long");
}
