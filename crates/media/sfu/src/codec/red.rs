//! RFC 2198 redundant audio (`audio/red`): where a RED payload's primary block starts, so
//! that a subscriber that did not negotiate RED gets the primary Opus packet alone.
//!
//! ```text
//! redundant block header:  |F|  block PT  |  timestamp offset (14)  | block length (10) |
//! primary block header:    |0|  block PT  |
//! ```
//! The headers come first, then the redundant blocks in order, then the primary block, which
//! runs to the end of the payload.

use std::sync::Arc;

/// Most redundant blocks a payload may announce before it is taken as garbage.
const MAX_REDUNDANT: usize = 16;

/// The primary block of a RED payload: its payload type and where it starts. `None` when the
/// headers are truncated or the block lengths run past the payload.
pub fn primary(payload: &[u8]) -> Option<(u8, usize)> {
    let mut at = 0usize;
    let mut blocks = 0usize;
    for _ in 0..=MAX_REDUNDANT {
        let first = *payload.get(at)?;
        if first & 0x80 == 0 {
            let start = at.checked_add(1)?.checked_add(blocks)?;
            return (start <= payload.len()).then_some((first & 0x7f, start));
        }
        let hi = *payload.get(at + 2)?;
        let lo = *payload.get(at + 3)?;
        blocks += usize::from(hi & 0x03) << 8 | usize::from(lo);
        at += 4;
    }
    None
}

/// The primary block of a RED payload as a payload of its own, for a subscriber that did
/// not negotiate RED. This copies (one allocation per packet, shared by every such leg): the
/// one copy on the forwarding path, paid only while someone without RED listens to RED.
pub(crate) fn primary_payload(payload: &[u8]) -> Option<Arc<[u8]>> {
    let (_, start) = primary(payload)?;
    payload.get(start..).map(Arc::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_primary_block_after_the_redundant_ones() {
        // One redundant block of 3 bytes (PT 111), then the primary (PT 111) of 2 bytes.
        let p = [0xef, 0x03, 0xc0, 0x03, 0x6f, 1, 2, 3, 9, 9];
        assert_eq!(primary(&p), Some((111, 8)));
        assert_eq!(primary(&[0x6f, 7, 7]), Some((111, 1)), "no redundancy");
        assert_eq!(primary(&[0x6f]), Some((111, 1)), "an empty primary block");
    }

    #[test]
    fn lying_lengths_and_truncation_are_refused() {
        assert_eq!(primary(&[]), None);
        assert_eq!(primary(&[0xef, 0x03, 0xc0]), None, "a truncated header");
        assert_eq!(primary(&[0xef, 0x03, 0xc3, 0xff, 0x6f, 1]), None, "a block longer than the payload");
        assert_eq!(primary(&[0xef; 80]), None, "headers without end");
    }
}
