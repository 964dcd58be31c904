//! Entry points for fuzzing: [`feed`] turns arbitrary bytes into packets for a
//! [`TrackRecorder`], [`feed_hls`] into frames for an [`HlsPackager`] and its
//! [`Playlist`]; neither may panic, whatever the bytes.
//!
//! Layout: byte 0 picks the codec (bits 0-1) and the Opus container (bits 2-3); then records of
//! `[flags, seq step, ts step (2 bytes), length, payload…]` where flags bit 0 is the
//! marker, bit 1 calls `gap()` first, bit 2 makes the timestamp step go backwards.
//!
//! The cargo-fuzz target `mux_rtp` (`hikari_fuzz::mux_rtp`) runs it. The unit test below runs it on pseudo-random inputs (`HIKARI_MUX_FUZZ_ROUNDS`, default
//! 4000) in debug builds, so arithmetic overflow panics too.

use crate::hls::{HlsConfig, HlsPackager, Playlist};
use crate::{Codec, Container, Frame, Options, Packet, TrackRecorder};
use std::time::Duration;

/// A real SPS (320×240 baseline) and PPS, put in front of [`feed_hls`]'s keyframes on
/// request so the packager gets past its init segment.
const PARAMETER_SETS: [u8; 37] = [
    0, 0, 0, 24, 0x67, 0x42, 0xc0, 0x0d, 0xd9, 0x01, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0xa4,
    0x80, 0, 0, 0, 5, 0x68, 0xcb, 0x83, 0xcb, 0x20,
];

/// Drives an HLS packager and playlist with frames `data` describes: byte 0 picks the
/// tracks (bit 0 video, bit 1 audio; neither means both); then records of
/// `[flags, ts step (2 bytes), length, payload…]` where flags bit 0 makes an audio frame
/// (else video), bit 1 a keyframe, bit 2 puts SPS/PPS in front of the payload, bit 3 makes
/// the step go backwards, bit 4 multiplies it by 65536, bit 5 asks `wants_keyframe`, bit 6
/// renders the playlists.
pub fn feed_hls(data: &[u8]) {
    let Some((&pick, mut rest)) = data.split_first() else { return };
    let (video, audio) = if pick & 3 == 0 { (true, true) } else { (pick & 1 != 0, pick & 2 != 0) };
    let config = HlsConfig { segment_target: Duration::from_millis(500), part_target: Duration::from_millis(100), live_segments: 2 };
    let Ok(mut hls) = HlsPackager::new(config, video, audio.then_some((2, 312))) else { return };
    let mut playlist = Playlist::new(config);
    let (mut vts, mut ats) = (0u64, 0u64);
    let mut frame = Vec::new();
    while let [flags, t0, t1, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(len);
        rest = next;
        let step = u64::from(u16::from_be_bytes([*t0, *t1])) << if flags & 16 != 0 { 16 } else { 0 };
        let ts = if flags & 1 != 0 { &mut ats } else { &mut vts };
        *ts = if flags & 8 != 0 { ts.saturating_sub(step) } else { ts.saturating_add(step) };
        frame.clear();
        if flags & 4 != 0 {
            frame.extend_from_slice(&PARAMETER_SETS);
        }
        frame.extend_from_slice(payload);
        let f = Frame { ts: *ts, keyframe: flags & 2 != 0, size: None, data: &frame };
        let _ = if flags & 1 != 0 { hls.audio(ats, f) } else { hls.video(vts, f) };
        if flags & 32 != 0 {
            let _ = hls.wants_keyframe();
        }
        while let Some(e) = hls.poll() {
            playlist.push(e);
        }
        if flags & 64 != 0 {
            let _ = (playlist.render_live(flags & 128 != 0), playlist.last_part().map(|(m, i)| playlist.has_part(m, i)));
        }
    }
    let _ = (hls.finish(), hls.finish());
    while let Some(e) = hls.poll() {
        playlist.push(e);
    }
    let _ = (playlist.render_live(true), playlist.render_event());
}

/// Drives a recorder with the packets `data` describes (see the module docs).
pub fn feed(data: &[u8]) {
    let Some((&pick, mut rest)) = data.split_first() else { return };
    let codec = [Codec::Opus, Codec::Vp8, Codec::Vp9, Codec::H264][usize::from(pick & 3)];
    let container = match (codec, pick >> 2 & 3) {
        (Codec::Opus, 1) => Some(Container::Webm),
        (Codec::Opus, 2) => Some(Container::Mp4),
        _ => None,
    };
    let Ok(mut rec) = TrackRecorder::with_options(codec, Vec::new(), Options { container, ..Options::default() }) else { return };
    let (mut seq, mut ts) = (u64::from(pick >> 4), u32::from(pick).wrapping_mul(0x9e37_79b9));
    while let [flags, seq_step, t0, t1, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(len);
        rest = next;
        if flags & 2 != 0 && rec.gap().is_err() {
            return;
        }
        seq += u64::from(*seq_step);
        let step = u32::from(u16::from_be_bytes([*t0, *t1]));
        ts = if flags & 4 != 0 { ts.wrapping_sub(step) } else { ts.wrapping_add(step) };
        if let Err(e) = rec.push(Packet { seq, ts, marker: flags & 1 != 0, payload })
            && e.is_fatal()
        {
            return;
        }
        let _ = rec.stats();
    }
    let _ = rec.finish();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// xorshift64*, enough to make varied inputs without a dependency.
    fn rng(state: &mut u64) -> u64 {
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    #[test]
    fn random_input_never_panics() {
        let mut s = 0x1234_5678_9abc_def1u64;
        let rounds = std::env::var("HIKARI_MUX_FUZZ_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(4000u32);
        for round in 0..rounds {
            let len = (rng(&mut s) % 2048) as usize;
            let mut data: Vec<u8> = (0..len).map(|_| rng(&mut s) as u8).collect();
            if let Some(first) = data.first_mut() {
                *first = round as u8;
            }
            // Make seq steps mostly 1 and payloads start like real ones, so the parsers get deep.
            let mut at = 1;
            while at + 5 < data.len() {
                data[at + 1] = if data[at + 1] < 230 { 1 } else { data[at + 1] };
                if data[at + 5] & 1 == 0 {
                    data[at + 5] = [0x10, 0x90, 0x08, 0x7c, 0x65, 0x18, 0xfc, 0x88][usize::from(data[at + 5] >> 5)];
                }
                at += 6 + usize::from(data[at + 4]);
            }
            feed(&data);
        }
    }

    #[test]
    fn random_hls_input_never_panics() {
        let mut s = 0x0bad_5eed_1234_5678u64;
        let rounds = std::env::var("HIKARI_MUX_FUZZ_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(4000u32);
        for round in 0..rounds {
            let len = (rng(&mut s) % 2048) as usize;
            let mut data: Vec<u8> = (0..len).map(|_| rng(&mut s) as u8).collect();
            if let Some(first) = data.first_mut() {
                *first = round as u8;
            }
            // Mostly forward steps of about a frame, and Opus TOCs that parse.
            let mut at = 1;
            while at + 4 < data.len() {
                data[at] &= if data[at + 1] < 200 { 0x67 } else { 0xff };
                data[at + 1] = if data[at + 1] < 240 { 0 } else { data[at + 1] };
                data[at + 4] = if data[at] & 1 != 0 && data[at + 4] & 3 == 3 { 0xfc } else { data[at + 4] };
                at += 4 + usize::from(data[at + 3]);
            }
            feed_hls(&data);
        }
    }

    #[test]
    fn edge_inputs() {
        feed_hls(&[]);
        feed_hls(&[0]);
        feed_hls(&[1, 6, 0, 0, 1, 0x65, 6, 0, 0, 1, 0x65]);
        feed_hls(&[2, 1, 255, 255, 1, 0xfc, 0x19, 255, 255, 1, 0xfc]);
        feed(&[]);
        feed(&[0]);
        feed(&[3, 0, 1, 0, 0, 1]);
        feed(&[1, 3, 1, 255, 255, 200, 0x10]);
    }
}
