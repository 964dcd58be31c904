//! Datagrams into the SFU core from the network: the demultiplexer (`demux.rs`: known
//! address, else a STUN binding request's username) and str0m's STUN, DTLS, SRTP and
//! RTCP parsing behind it. The scene is a connected call (alice publishes video to bob);
//! then chunks (shared/sfu.rs), each a datagram, with a header byte: which address it
//! comes from (alice's or bob's, or a stranger's) and how much virtual time passes after.
//!
//! Nothing may panic; datagrams from strangers hurt no one, and forged ones from a
//! participant's address end at most that participant's session.

use std::net::SocketAddr;
use std::time::Duration;

use crate::shared::world::{SERVER, received_frames};
use crate::shared::{assert_untouched_stay, call, chunks, run_for};
use str0m::format::Codec;
use str0m::media::MediaKind;

const MAX_CHUNKS: usize = 64;

pub fn run(data: &[u8]) {
    let (mut w, alice, bob, video) = call();
    let server: SocketAddr = SERVER.parse().expect("valid");
    let strangers: [SocketAddr; 3] =
        ["10.9.9.9:1234".parse().expect("valid"), "10.0.0.10:5002".parse().expect("valid"), "[fd00::1]:5000".parse().expect("valid")];
    let mut touched = [false; 2];
    for (header, body) in chunks(data).take(MAX_CHUNKS) {
        let from = match header & 7 {
            0 => w.client(alice).pub_addr,
            1 => w.client(alice).sub_addr,
            2 => w.client(bob).sub_addr,
            3 => w.client(bob).pub_addr,
            n => strangers[usize::from(n - 4) % strangers.len()],
        };
        if header & 7 < 4 {
            touched[usize::from(header & 7) / 2] = true;
        }
        w.sfu.handle_datagram(w.now, from, server, body);
        w.pump();
        let pause = [0, 10, 100, 1000][usize::from((header >> 3) & 3)];
        if pause > 0 {
            run_for(&mut w, Duration::from_millis(pause));
        }
    }
    run_for(&mut w, Duration::from_millis(300));
    assert_untouched_stay(&w, [alice, bob], touched, "datagrams");
    // Strangers' datagrams leave the call as it was: video still reaches bob.
    if touched == [false, false] {
        let before = received_frames(w.client(bob), MediaKind::Video).len();
        for n in 0..10 {
            w.write_frame(alice, video, Codec::Vp8, 1000 + n, n == 0);
            run_for(&mut w, Duration::from_millis(33));
        }
        run_for(&mut w, Duration::from_millis(300));
        let after = received_frames(w.client(bob), MediaKind::Video).len();
        assert!(after > before, "bob receives video after strangers' datagrams ({before} -> {after})");
    }
}
