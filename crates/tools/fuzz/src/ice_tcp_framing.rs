//! RFC 4571 framing of ICE-over-TCP connections (`hikari_media_io::Deframer`): the bytes a
//! client sends on `rtc.tcp_port`, split into reads at arbitrary points. Nothing may panic;
//! every packet handed on is 1 to `MAX_PACKET` bytes; valid framing survives any split.

use hikari_media_io::{Deframer, MAX_PACKET, frame};

pub fn run(data: &[u8]) {
    // The first byte picks the read size, the rest is the stream.
    let Some((&step, stream)) = data.split_first() else { return };
    let step = usize::from(step).max(1);
    let mut d = Deframer::default();
    let mut packets = Vec::new();
    let mut garbage = false;
    for piece in stream.chunks(step) {
        d.push(piece);
        if d.drain(|p| packets.push(p.to_vec())).is_err() {
            garbage = true;
            break;
        }
    }
    assert!(packets.iter().all(|p| (1..=MAX_PACKET).contains(&p.len())));
    if garbage {
        return;
    }
    // Framing what came out gives back the stream's complete part, read in one piece.
    let mut again = Vec::new();
    for p in &packets {
        frame(p, &mut again).expect("small packets frame");
    }
    assert_eq!(&stream[..again.len()], &again[..]);
    assert!(d.pending() < 2 + MAX_PACKET, "at most one unfinished packet is held");
}
