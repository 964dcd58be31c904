//! H.264 RTP payloads (`hikari_codec::Depacketizer`, `h264::starts_keyframe`) as a
//! transcode job sends them, and the units they hold cut again by the `Packetizer`.
//! Nothing may panic; no unit outgrows the cap; whatever the depacketizer reassembles,
//! the packetizer cuts into payloads of at most the size asked that reassemble to the same
//! units (AUD and filler dropped, parameter sets added only before an IDR).

use bytes::Bytes;
use hikari_codec::Depacketizer;
use hikari_codec::h264::{Packetizer, starts_keyframe};

const CAP: usize = 1 << 16;

pub fn run(data: &[u8]) {
    // The first byte picks the payload size for the packetizer, then payloads follow, each
    // behind a one-byte length.
    let Some((&mtu, mut rest)) = data.split_first() else { return };
    let mtu = usize::from(mtu) * 8;
    let mut d = Depacketizer::new(CAP);
    let mut units = Vec::new();
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len).min(tail.len());
        let _ = starts_keyframe(&tail[..len]);
        let _ = d.push(&tail[..len], &mut units);
        rest = &tail[len..];
    }
    assert!(units.iter().all(|u| !u.is_empty() && u.len() <= CAP));
    // IDR slices left out: the parameter sets the packetizer adds before them are checked
    // by the unit tests.
    let units: Vec<Bytes> = units.into_iter().filter(|u| u[0] & 0x1f != 5).map(Bytes::from).collect();
    let mut p = Packetizer::new(mtu);
    let mut out = Vec::new();
    p.packetize(&units, &mut out);
    let size = mtu.max(hikari_codec::h264::MIN_PAYLOAD);
    assert!(out.iter().all(|o| !o.is_empty() && o.len() <= size));
    let mut back = Vec::new();
    let mut d = Depacketizer::new(CAP);
    for o in &out {
        d.push(o, &mut back).expect("the packetizer's own payloads");
    }
    let sent = |u: &&Bytes| u[0] & 0x80 == 0 && !matches!(u[0] & 0x1f, 0 | 9 | 12 | 24..=31);
    let expected: Vec<Vec<u8>> = units.iter().filter(sent).map(|u| u.to_vec()).collect();
    assert_eq!(back, expected);
}
