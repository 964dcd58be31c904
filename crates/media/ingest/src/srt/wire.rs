//! Datagrams to SRT packets, safely. `srt_protocol`'s parser panics on some handshakes
//! (an extension it has no type for, such as a packet filter, group or congestion
//! controller), so [`parse`] refuses those before parsing (no caller that Hikari serves
//! sends them: ffmpeg and OBS send the handshake, keying material and stream id
//! extensions only) and catches any other panic of the parser as a refusal.

use srt_protocol::packet::Packet;

use super::guard::guarded;

/// Where a handshake's extensions start: the 16-byte header and the 48-byte handshake.
const EXTENSIONS_AT: usize = 64;
/// The extensions `srt_protocol` parses without panicking: HSREQ/HSRSP, KMREQ/KMRSP, SID.
const KNOWN_EXTENSIONS: std::ops::RangeInclusive<u16> = 1..=5;

/// The packet a datagram holds, or `None` when it is not one `srt_protocol` can take.
pub fn parse(datagram: &[u8], ipv6: bool) -> Option<Packet> {
    if has_unknown_extension(datagram) {
        return None;
    }
    guarded(|| Packet::parse(&mut &datagram[..], ipv6))?.ok()
}

/// Whether a datagram is an HSv5 handshake (not an induction) with an extension other
/// than [`KNOWN_EXTENSIONS`], walked as `srt_protocol` walks it.
fn has_unknown_extension(d: &[u8]) -> bool {
    let word = |at: usize| d.get(at..at + 4).map(|w| u32::from_be_bytes([w[0], w[1], w[2], w[3]]));
    let handshake = d.get(..2) == Some(&[0x80, 0x00][..]);
    let version_5 = word(16) == Some(5);
    let induction = word(36) == Some(1);
    if !handshake || !version_5 || induction {
        return false;
    }
    let mut at = EXTENSIONS_AT;
    while d.len().saturating_sub(at) > 4 {
        let kind = u16::from_be_bytes([d[at], d[at + 1]]);
        let size = usize::from(u16::from_be_bytes([d[at + 2], d[at + 3]])) * 4;
        if !KNOWN_EXTENSIONS.contains(&kind) {
            return true;
        }
        at += 4 + size;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::{has_unknown_extension, parse};

    /// An HSv5 conclusion handshake (no extensions yet) from a caller.
    fn conclusion() -> Vec<u8> {
        let mut d = vec![0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        d.extend(5u32.to_be_bytes()); // version
        d.extend([0, 0, 0, 0]); // encryption, extension flags
        d.extend(1u32.to_be_bytes()); // initial sequence number
        d.extend(1500u32.to_be_bytes()); // MSS
        d.extend(8192u32.to_be_bytes()); // flow window
        d.extend((-1i32).to_be_bytes()); // conclusion
        d.extend(7u32.to_be_bytes()); // socket id
        d.extend(0u32.to_be_bytes()); // cookie
        d.extend([127, 0, 0, 1]);
        d.extend([0; 12]);
        d
    }

    #[test]
    fn a_handshake_with_an_extension_the_parser_would_panic_on_is_refused() {
        let mut d = conclusion();
        assert!(parse(&d, false).is_some(), "a plain conclusion parses");
        // A congestion controller extension (type 6) of one word: "live".
        d.extend([0, 6, 0, 1, b'e', b'v', b'i', b'l']);
        assert!(has_unknown_extension(&d), "refused before parsing");
        assert!(parse(&d, false).is_none());
    }

    #[test]
    fn garbage_is_none() {
        assert!(parse(&[], false).is_none());
        assert!(parse(&[0x80; 15], false).is_none());
        let mut d = conclusion();
        d.extend([0, 5, 0xff, 0xff, 1, 2, 3, 4]);
        assert!(parse(&d, false).is_none(), "an extension longer than the datagram");
    }
}
