//! What a leg dropped lately, so that a late packet (reordered, or a retransmission the
//! publisher sent after a NACK) gets the numbers it would have had when it was due.
//!
//! Dropping a packet moves every later packet's sequence number down by one (and a dropped
//! VP8 frame every later PictureID); a packet older than some drops must not take those
//! moves. The log keeps the latest runs of consecutive dropped sequence numbers with the
//! offsets before each run, in a fixed-size ring: whole frames are dropped, so a run is
//! about a frame and the ring covers a few seconds. Older than that, the numbers are
//! unknown and the packet is not sent. Pure, allocation-free.

/// Runs kept.
const RUNS: usize = 64;

#[derive(Clone, Copy, Debug, Default)]
struct Run {
    /// First dropped incoming sequence number.
    first: u64,
    /// Consecutive numbers dropped from `first`.
    count: u64,
    /// The sequence number offset before the run.
    seq_offset: u64,
    /// The PictureID offset before the run.
    pid_offset: u16,
}

/// The latest runs of dropped packets of one stream.
#[derive(Debug)]
pub(crate) struct DropLog {
    runs: [Run; RUNS],
    /// Where the next run goes.
    head: usize,
    len: usize,
    /// Runs were overwritten: a packet older than every kept run has unknown numbers.
    overflowed: bool,
}

impl Default for DropLog {
    fn default() -> Self {
        Self { runs: [Run::default(); RUNS], head: 0, len: 0, overflowed: false }
    }
}

impl DropLog {
    /// Forgets everything (another stream, another numbering).
    pub fn clear(&mut self) {
        self.len = 0;
        self.overflowed = false;
    }

    /// Records dropping `seq`, the newest packet so far, with the offsets before it.
    pub fn push(&mut self, seq: u64, seq_offset: u64, pid_offset: u16) {
        if self.len > 0 {
            let last = &mut self.runs[(self.head + RUNS - 1) % RUNS];
            if last.first.wrapping_add(last.count) == seq {
                last.count += 1;
                return;
            }
        }
        if self.len == RUNS {
            self.overflowed = true;
        } else {
            self.len += 1;
        }
        self.runs[self.head] = Run { first: seq, count: 1, seq_offset, pid_offset };
        self.head = (self.head + 1) % RUNS;
    }

    /// The sequence number and PictureID offsets that applied to the late packet `seq`,
    /// the current ones being `current`; `None` when it is older than what the log knows.
    pub fn offsets_at(&self, seq: u64, current: (u64, u16)) -> Option<(u64, u16)> {
        let mut at = current;
        for i in 0..self.len {
            let run = self.runs[(self.head + RUNS - 1 - i) % RUNS];
            if run.first < seq {
                return Some(at);
            }
            at = (run.seq_offset, run.pid_offset);
        }
        (!self.overflowed).then_some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn late_packets_take_the_offsets_of_their_time() {
        let mut log = DropLog::default();
        // Offsets 100/0; 11 and 12 dropped (one run), then 15.
        log.push(11, 100, 0);
        log.push(12, 99, 1);
        log.push(15, 98, 1);
        let now = (97, 2);
        assert_eq!(log.offsets_at(16, now), Some(now), "newer than every drop");
        assert_eq!(log.offsets_at(14, now), Some((98, 1)), "before the drop of 15");
        assert_eq!(log.offsets_at(10, now), Some((100, 0)), "before every drop");
        log.clear();
        assert_eq!(log.offsets_at(10, now), Some(now));
    }

    #[test]
    fn beyond_the_ring_the_numbers_are_unknown() {
        let mut log = DropLog::default();
        for k in 0..RUNS as u64 + 1 {
            log.push(100 + 2 * k, 1000 - k, 0);
        }
        assert_eq!(log.offsets_at(50, (0, 0)), None);
        assert!(log.offsets_at(100 + 2 * RUNS as u64 - 1, (0, 0)).is_some());
    }
}
