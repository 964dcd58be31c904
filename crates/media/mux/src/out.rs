//! The writers' output: any `std::io::Write`, counting the bytes written, and the
//! per-track counters every writer keeps for [`crate::Stats`].

use std::io::Write;

/// A writer that counts what went through it.
#[derive(Debug)]
pub(crate) struct Out<W> {
    pub(crate) w: W,
    pub(crate) bytes: u64,
}

impl<W: Write> Out<W> {
    pub(crate) fn new(w: W) -> Self {
        Self { w, bytes: 0 }
    }

    pub(crate) fn put(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.w.write_all(data)?;
        self.bytes += data.len() as u64;
        Ok(())
    }
}

/// Frames written and the time they span, in one clock.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Span {
    pub(crate) frames: u64,
    first: Option<u64>,
    last: u64,
    last_duration: u64,
}

impl Span {
    /// Records a frame at `ts` lasting `duration` (when known; else the last interval).
    pub(crate) fn add(&mut self, ts: u64, duration: Option<u64>) {
        let interval = if self.frames > 0 { ts.saturating_sub(self.last) } else { 0 };
        self.first.get_or_insert(ts);
        self.last_duration = duration.unwrap_or(if interval > 0 { interval } else { self.last_duration });
        self.last = ts;
        self.frames += 1;
    }

    /// From the first frame's start to the last frame's end, in clock units.
    pub(crate) fn duration(&self) -> u64 {
        self.first.map_or(0, |f| self.last - f + self.last_duration)
    }
}
