//! Which PeerConnection needs time next.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use crate::demux::PcKey;

/// A min-heap of (deadline, PeerConnection). Entries may be stale (the PeerConnection
/// was driven since, or removed); feeding a PeerConnection a timeout early is harmless,
/// so stale entries are simply popped. Each PeerConnection keeps at most one entry
/// earlier than its real deadline, so the heap stays near the number of PeerConnections.
#[derive(Debug, Default)]
pub(crate) struct Timers {
    heap: BinaryHeap<Reverse<(Instant, PcKey)>>,
}

impl Timers {
    pub fn push(&mut self, at: Instant, key: PcKey) {
        self.heap.push(Reverse((at, key)));
    }

    pub fn next(&self) -> Option<Instant> {
        self.heap.peek().map(|Reverse((at, _))| *at)
    }

    /// Pops one entry due at `now`.
    pub fn pop_due(&mut self, now: Instant) -> Option<PcKey> {
        match self.heap.peek() {
            Some(Reverse((at, _))) if *at <= now => self.heap.pop().map(|Reverse((_, k))| k),
            _ => None,
        }
    }
}
