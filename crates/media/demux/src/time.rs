//! Extending wrapping timestamps (RTMP's 32-bit milliseconds, MPEG-TS's 33-bit 90 kHz
//! ticks) to monotonic-where-the-source-is `i64`s.

/// Extends a wrapping counter of `bits` bits: each value is placed nearest to the last one
/// (a step of less than half the range either way), so wraps carry and small reorderings
/// (audio and video interleaved, B-frames) go backwards without a jump.
#[derive(Debug, Clone)]
pub(crate) struct Extender {
    bits: u32,
    last: Option<i64>,
}

impl Extender {
    /// An extender of a `bits`-bit counter (at most 62).
    pub(crate) fn new(bits: u32) -> Self {
        Self { bits: bits.min(62), last: None }
    }

    /// The extended value of `raw` (its low `bits` bits).
    pub(crate) fn extend(&mut self, raw: u64) -> i64 {
        let range = 1i64 << self.bits;
        let raw = (raw & (range as u64 - 1)) as i64;
        let v = match self.last {
            None => raw,
            Some(last) => {
                let diff = (raw - last).rem_euclid(range);
                if diff >= range / 2 { last + diff - range } else { last + diff }
            }
        };
        self.last = Some(v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::Extender;

    #[test]
    fn wraps_carry_and_small_steps_back_stay_small() {
        let mut e = Extender::new(32);
        assert_eq!(e.extend(u64::from(u32::MAX) - 10), i64::from(u32::MAX) - 10);
        assert_eq!(e.extend(5), i64::from(u32::MAX) + 6);
        assert_eq!(e.extend(1), i64::from(u32::MAX) + 2);
        let mut t = Extender::new(33);
        assert_eq!(t.extend(100), 100);
        assert_eq!(t.extend(90), 90);
        assert_eq!(t.extend((1 << 33) - 1), -1);
    }
}
