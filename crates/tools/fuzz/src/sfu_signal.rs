//! Client signals into the SFU core. The first byte sets mallory up (`setup` in
//! shared/sfu.rs: one or two PeerConnections, grants); then chunks (shared/sfu.rs) each
//! carry a `SignalRequest` frame, decoded with `decode_signal` as the server does, and a
//! header byte: who sends it (mallory mostly; alice and bob, the world's well-behaved
//! clients, never send SDP from the input) and how much virtual time passes after it.
//! A header of `0xF0` or more closes the sender's signal connection instead.
//!
//! Nothing may panic, and a bad signal ends at most its sender's session: alice and bob,
//! unless the input spoke for them, are still in the room at the end.

use crate::shared;

use std::time::Duration;

use crate::shared::{MALLORY, assert_untouched_stay, chunks, run_for, signal_scene};
use hikari_protocol::decode_signal;
use hikari_sfu::Command;
use hikari_types::ClientSignal;

/// At most this many chunks are played: enough for any signalling sequence.
const MAX_CHUNKS: usize = 64;

pub fn run(data: &[u8]) {
    let Some((&flags, rest)) = data.split_first() else { return };
    let shared::SignalScene { mut w, alice, bob } = signal_scene(flags);
    let mut touched = [false; 2];
    for (header, body) in chunks(rest).take(MAX_CHUNKS) {
        let who = header & 3;
        let conn = match who {
            2 => w.clients[alice].conn,
            3 => w.clients[bob].conn,
            _ => MALLORY,
        };
        if header >= 0xf0 {
            if who >= 2 {
                touched[usize::from(who - 2)] = true;
            }
            w.command(Command::Closed { conn });
        } else if let Ok(signal) = decode_signal(body) {
            let sdp = matches!(signal, ClientSignal::Offer(_) | ClientSignal::Answer(_));
            if who >= 2 && !sdp {
                touched[usize::from(who - 2)] = true;
                w.command(Command::Signal { conn, signal });
            } else if who < 2 {
                w.command(Command::Signal { conn, signal });
            }
        }
        let pause = [0, 20, 300, 1500][usize::from((header >> 2) & 3)];
        if pause > 0 {
            run_for(&mut w, Duration::from_millis(pause));
        }
    }
    // Let timers run: answers that never come, renegotiation, housekeeping.
    run_for(&mut w, Duration::from_secs(3));
    assert_untouched_stay(&w, [alice, bob], touched, "signals");
}
