//! Unit tests of the TS demuxer on hand-made packets: tables, a video unit ended by the
//! next unit start, an audio unit of two ADTS frames, continuity gaps, the PES cap, sync.

use super::TsDemuxer;
use crate::ts::psi::crc32;
use crate::{DemuxError, Elementary};

const SPS: &[u8] =
    &[0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0x99, 0x60];

/// One packet: header, stuffing in an adaptation field, then `payload` (at most 184 bytes).
fn packet(pid: u16, start: bool, cc: u8, payload: &[u8]) -> Vec<u8> {
    let mut p = vec![0x47, (u8::from(start) << 6) | (pid >> 8) as u8, pid as u8];
    let stuffing = 184 - payload.len();
    if stuffing == 0 {
        p.push(0x10 | cc);
    } else {
        p.push(0x30 | cc);
        p.push((stuffing - 1) as u8);
        if stuffing > 1 {
            p.push(0);
            p.extend(std::iter::repeat_n(0xff, stuffing - 2));
        }
    }
    p.extend_from_slice(payload);
    p
}

/// A PSI section (pointer field first) with its CRC.
fn section(table: u8, body: &[u8]) -> Vec<u8> {
    let len = 5 + body.len() + 4;
    let mut s = vec![table, 0xb0 | (len >> 8) as u8, len as u8, 0, 1, 0xc1, 0, 0];
    s.extend_from_slice(body);
    s.extend_from_slice(&crc32(&s).to_be_bytes());
    [&[0u8][..], &s].concat()
}

fn tables() -> Vec<u8> {
    let pat = section(0, &[0, 1, 0xf0, 0x00]);
    let pmt = section(2, &[0xe1, 0x00, 0xf0, 0x00, 0x1b, 0xe1, 0x00, 0xf0, 0x00, 0x0f, 0xe1, 0x01, 0xf0, 0x00]);
    [packet(0, true, 0, &pat), packet(0x1000, true, 0, &pmt)].concat()
}

fn pts_bytes(marker: u8, t: u64) -> [u8; 5] {
    [marker | ((t >> 29) & 0x0e) as u8 | 1, (t >> 22) as u8, ((t >> 14) & 0xfe) as u8 | 1, (t >> 7) as u8, ((t << 1) & 0xfe) as u8 | 1]
}

/// A video PES (length 0) with PTS and DTS around `es`.
fn video_pes(pts: u64, dts: u64, es: &[u8]) -> Vec<u8> {
    let mut p = vec![0, 0, 1, 0xe0, 0, 0, 0x80, 0xc0, 10];
    p.extend_from_slice(&pts_bytes(0x30, pts));
    p.extend_from_slice(&pts_bytes(0x10, dts));
    p.extend_from_slice(es);
    p
}

fn audio_pes(pts: u64, es: &[u8]) -> Vec<u8> {
    let len = 3 + 5 + es.len();
    let mut p = vec![0, 0, 1, 0xc0, (len >> 8) as u8, len as u8, 0x80, 0x80, 5];
    p.extend_from_slice(&pts_bytes(0x20, pts));
    p.extend_from_slice(es);
    p
}

fn adts(payload: &[u8]) -> Vec<u8> {
    let len = 7 + payload.len();
    let mut h = vec![0xff, 0xf1, 0x4c, 0x40 | (len >> 11) as u8, (len >> 3) as u8, ((len & 7) << 5) as u8 | 0x1f, 0xfc];
    h.extend_from_slice(payload);
    h
}

fn idr_au() -> Vec<u8> {
    [&[0, 0, 0, 1, 9, 0xf0][..], &[0, 0, 0, 1], SPS, &[0, 0, 0, 1, 0x68, 0xeb, 0xe3, 0xcb, 0x22, 0xc0], &[0, 0, 1, 0x65, 0x88, 0x84]].concat()
}

fn stream() -> Vec<u8> {
    [
        tables(),
        packet(0x100, true, 0, &video_pes(9000 + 3003, 9000, &idr_au())),
        packet(0x101, true, 0, &audio_pes(9000, &[adts(&[0x21; 10]), adts(&[0x22; 12])].concat())),
        packet(0x100, true, 1, &video_pes(9000 + 6006, 9000 + 3003, &[0, 0, 1, 0x41, 0x9a])),
    ]
    .concat()
}

fn all(d: &mut TsDemuxer) -> Vec<Elementary> {
    std::iter::from_fn(|| d.poll()).collect()
}

#[test]
fn tables_video_and_audio_units() {
    let mut d = TsDemuxer::new();
    d.push(&stream()).expect("valid");
    d.flush();
    let u = all(&mut d);
    let kinds: Vec<String> = u
        .iter()
        .map(|e| match e {
            Elementary::VideoConfig(c) => format!("h264 {}x{}", c.width, c.height),
            Elementary::Video(f) => format!("video {} {} {} {}", f.dts_ms, f.pts_ms, f.keyframe, f.nalus.len()),
            Elementary::AudioConfig(c) => format!("aac {} {}", c.sample_rate, c.channels),
            Elementary::Audio(a) => format!("audio {} {}", a.pts_ms, a.data.len()),
            other => format!("{other:?}"),
        })
        .collect();
    // The audio unit ends with its PES length; the first video unit only at the next start.
    assert_eq!(kinds, vec!["aac 48000 1", "audio 100 10", "audio 121 12", "h264 320x240", "video 100 133 true 3", "video 133 167 false 1"]);
}

#[test]
fn continuity_gaps_drop_the_unit_and_are_counted() {
    let mut d = TsDemuxer::new();
    let au = idr_au().repeat(20); // spans several packets
    let pes = video_pes(3000, 3000, &au);
    let mut bytes = tables();
    for (i, c) in pes.chunks(184).enumerate() {
        if i != 1 {
            bytes.extend(packet(0x100, i == 0, i as u8 & 0x0f, c));
        }
    }
    bytes.extend(packet(0x100, true, 9, &video_pes(6000, 6000, &[0, 0, 1, 0x41, 1])));
    d.push(&bytes).expect("valid");
    d.flush();
    assert_eq!(d.stats().cc_errors, 2, "the lost packet, then the jump to 9");
    assert!(d.stats().dropped_units >= 1);
    assert_eq!(all(&mut d).iter().filter(|u| matches!(u, Elementary::Video(_))).count(), 1);
}

#[test]
fn pes_over_the_cap_is_dropped() {
    let mut d = TsDemuxer::with_max_pes(1000);
    let pes = video_pes(3000, 3000, &idr_au().repeat(40));
    let mut bytes = tables();
    for (i, c) in pes.chunks(184).enumerate() {
        bytes.extend(packet(0x100, i == 0, i as u8 & 0x0f, c));
    }
    d.push(&bytes).expect("valid");
    d.flush();
    assert_eq!(d.stats().dropped_units, 1);
    assert!(all(&mut d).is_empty());
}

#[test]
fn resyncs_after_garbage_and_refuses_a_stream_without_sync() {
    let mut d = TsDemuxer::new();
    let mut bytes = vec![0x47, 1, 2, 3, 0x47];
    bytes.extend(stream());
    for b in bytes.chunks(5) {
        d.push(b).expect("resyncs");
    }
    d.flush();
    assert_eq!(d.stats().skipped_bytes, 5);
    assert_eq!(all(&mut d).len(), 6);
    assert_eq!(TsDemuxer::new().push(&[0u8; 4000]), Err(DemuxError::NoSync(16 * 188)));
}
