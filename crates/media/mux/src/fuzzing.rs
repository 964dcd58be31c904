//! An entry point for fuzzing: [`feed`] turns arbitrary bytes into packets for a
//! [`TrackRecorder`] and must never panic, whatever the bytes.
//!
//! Layout: byte 0 picks the codec (bits 0-1) and the Opus container (bits 2-3); then records of
//! `[flags, seq step, ts step (2 bytes), length, payload…]` where flags bit 0 is the
//! marker, bit 1 calls `gap()` first, bit 2 makes the timestamp step go backwards.
//!
//! The cargo-fuzz target `mux_rtp` (`hikari_fuzz::mux_rtp`) runs it. The unit test below runs it on pseudo-random inputs (`HIKARI_MUX_FUZZ_ROUNDS`, default
//! 4000) in debug builds, so arithmetic overflow panics too.

use crate::{Codec, Container, Options, Packet, TrackRecorder};

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
    fn edge_inputs() {
        feed(&[]);
        feed(&[0]);
        feed(&[3, 0, 1, 0, 0, 1]);
        feed(&[1, 3, 1, 255, 255, 200, 0x10]);
    }
}
