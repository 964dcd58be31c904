//! Which PeerConnection needs time next.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Instant;

use crate::demux::PcKey;

/// A min-heap of (deadline, PeerConnection). An entry is pushed only when a
/// PeerConnection's deadline moves earlier than its scheduled one, so older entries go
/// stale; the caller skips a popped entry whose deadline is not the PeerConnection's
/// `scheduled` one, so only live entries feed a timeout.
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

    /// Pops one entry due at `now`, with its deadline (the caller skips stale ones).
    pub fn pop_due(&mut self, now: Instant) -> Option<(Instant, PcKey)> {
        match self.heap.peek() {
            Some(Reverse((at, _))) if *at <= now => self.heap.pop().map(|Reverse(entry)| entry),
            _ => None,
        }
    }
}
