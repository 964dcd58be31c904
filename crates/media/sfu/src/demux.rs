//! Finding the PeerConnection a datagram belongs to.
//!
//! Once a PeerConnection has accepted a datagram from a remote address, the
//! (remote, local) pair maps to it. Before that, only STUN binding requests arrive;
//! their USERNAME attribute starts with our ICE ufrag, which we chose and pinned.

use crate::arena::{PcIdx, RoomIdx};
use std::collections::HashMap;
use std::net::SocketAddr;

/// Where a PeerConnection lives: its room and its slot in that room.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct PcKey {
    pub room: RoomIdx,
    pub pc: PcIdx,
}

#[derive(Debug, Default)]
pub(crate) struct Demux {
    by_addr: HashMap<(SocketAddr, SocketAddr), PcKey>,
    by_ufrag: HashMap<String, PcKey>,
}

impl Demux {
    pub fn add_ufrag(&mut self, ufrag: String, key: PcKey) {
        self.by_ufrag.insert(ufrag, key);
    }

    pub fn learn(&mut self, remote: SocketAddr, local: SocketAddr, key: PcKey) {
        self.by_addr.insert((remote, local), key);
    }

    pub fn forget(&mut self, key: PcKey) {
        self.by_addr.retain(|_, k| *k != key);
        self.by_ufrag.retain(|_, k| *k != key);
    }

    pub fn by_addr(&self, remote: SocketAddr, local: SocketAddr) -> Option<PcKey> {
        self.by_addr.get(&(remote, local)).copied()
    }

    pub fn by_stun(&self, datagram: &[u8]) -> Option<PcKey> {
        let ufrag = stun_local_ufrag(datagram)?;
        self.by_ufrag.get(ufrag).copied()
    }
}

/// The local ufrag in a STUN binding request's USERNAME (`local:remote`), if the
/// datagram is one. Never panics on malformed input.
pub(crate) fn stun_local_ufrag(d: &[u8]) -> Option<&str> {
    const MAGIC: [u8; 4] = [0x21, 0x12, 0xa4, 0x42];
    const USERNAME: u16 = 0x0006;
    if d.len() < 20 || d[0] & 0xc0 != 0 || d[4..8] != MAGIC {
        return None;
    }
    let body_len = u16::from_be_bytes([d[2], d[3]]) as usize;
    let end = (20 + body_len).min(d.len());
    let mut at = 20;
    while at + 4 <= end {
        let kind = u16::from_be_bytes([d[at], d[at + 1]]);
        let len = u16::from_be_bytes([d[at + 2], d[at + 3]]) as usize;
        let value = d.get(at + 4..at + 4 + len)?;
        if kind == USERNAME {
            let name = std::str::from_utf8(value).ok()?;
            return name.split(':').next();
        }
        at += 4 + len.div_ceil(4) * 4;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binding_request(username: &str) -> Vec<u8> {
        let mut attr = vec![0x00, 0x06];
        attr.extend_from_slice(&(username.len() as u16).to_be_bytes());
        attr.extend_from_slice(username.as_bytes());
        while attr.len() % 4 != 0 {
            attr.push(0);
        }
        let mut d = vec![0x00, 0x01];
        d.extend_from_slice(&(attr.len() as u16).to_be_bytes());
        d.extend_from_slice(&[0x21, 0x12, 0xa4, 0x42]);
        d.extend_from_slice(&[7; 12]);
        d.extend_from_slice(&attr);
        d
    }

    #[test]
    fn finds_ufrag_and_survives_garbage() {
        assert_eq!(stun_local_ufrag(&binding_request("srv1:cli9")), Some("srv1"));
        let mut truncated = binding_request("srv1:cli9");
        truncated.truncate(27);
        assert_eq!(stun_local_ufrag(&truncated), None);
        assert_eq!(stun_local_ufrag(&[0x80; 40]), None);
        assert_eq!(stun_local_ufrag(&[]), None);
        // A length field that points past the end.
        let mut lying = binding_request("a:b");
        lying[22] = 0xff;
        assert_eq!(stun_local_ufrag(&lying), None);
    }
}
