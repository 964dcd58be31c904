//! RFC 2198 redundant audio headers (`hikari_sfu::codec::red`): any RED payload a
//! publisher sends. Nothing may panic; the primary block found lies inside the payload.

use hikari_sfu::codec::red;

pub fn run(data: &[u8]) {
    let Some((pt, start)) = red::primary(data) else { return };
    assert!(pt < 128);
    assert!(start >= 1 && start <= data.len());
    assert!(data[..start].iter().any(|b| b & 0x80 == 0), "the primary block's header precedes it");
}
