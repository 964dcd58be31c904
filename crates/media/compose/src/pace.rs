//! Pacing: how many video frames and audio samples should exist after a given time.
//!
//! The encoder reads raw frames and samples and stamps them by count (frame n at n / fps,
//! sample n at n / rate). The job keeps its output equal to [`Pacer::frames_due`] and
//! [`Pacer::samples_due`] for the time elapsed since it started, so those count-based
//! timestamps track real time however late any step runs. The arithmetic is exact integer
//! arithmetic on nanoseconds, so there is no drift even after days.

use std::time::Duration;

const NANOS_PER_SEC: u128 = 1_000_000_000;

/// Frame and sample counts due at a time since the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pacer {
    fps: u32,
    sample_rate: u32,
}

impl Pacer {
    /// A pacer for `fps` frames per second and `sample_rate` samples (per channel) per
    /// second. Zero is taken as one.
    pub fn new(fps: u32, sample_rate: u32) -> Pacer {
        Pacer { fps: fps.max(1), sample_rate: sample_rate.max(1) }
    }

    /// Frames per second.
    pub fn fps(&self) -> u32 {
        self.fps
    }

    /// Samples per second, per channel.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// Frames that should have been produced by `elapsed`: frame 0 is due at zero, frame n
    /// at n / fps, so this is `floor(elapsed × fps) + 1`.
    pub fn frames_due(&self, elapsed: Duration) -> u64 {
        saturate(elapsed.as_nanos().saturating_mul(u128::from(self.fps)) / NANOS_PER_SEC).saturating_add(1)
    }

    /// Samples (per channel) that should have been produced by `elapsed`:
    /// `floor(elapsed × rate)`.
    pub fn samples_due(&self, elapsed: Duration) -> u64 {
        saturate(elapsed.as_nanos().saturating_mul(u128::from(self.sample_rate)) / NANOS_PER_SEC)
    }

    /// When `frame` is due: the first nanosecond at or after `frame / fps`, so
    /// `frames_due(next_frame_at(n)) == n + 1` (for rates up to one frame per nanosecond). Saturates at [`Duration::MAX`].
    pub fn next_frame_at(&self, frame: u64) -> Duration {
        let nanos = (u128::from(frame) * NANOS_PER_SEC).div_ceil(u128::from(self.fps));
        let secs = nanos / NANOS_PER_SEC;
        let sub = (nanos % NANOS_PER_SEC) as u32;
        match u64::try_from(secs) {
            Ok(secs) => Duration::new(secs, sub),
            Err(_) => Duration::MAX,
        }
    }
}

fn saturate(v: u128) -> u64 {
    u64::try_from(v).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_zero_is_due_at_zero() {
        let p = Pacer::new(30, 48_000);
        assert_eq!(p.frames_due(Duration::ZERO), 1);
        assert_eq!(p.samples_due(Duration::ZERO), 0);
        assert_eq!(p.frames_due(Duration::from_nanos(33_333_333)), 1);
        assert_eq!(p.frames_due(Duration::from_nanos(33_333_334)), 2);
        assert_eq!(p.samples_due(Duration::from_millis(20)), 960);
    }

    #[test]
    fn exact_after_ten_hours() {
        let p = Pacer::new(30, 48_000);
        let ten_hours = Duration::from_secs(10 * 3600);
        assert_eq!(p.frames_due(ten_hours), 10 * 3600 * 30 + 1);
        assert_eq!(p.samples_due(ten_hours), 10 * 3600 * 48_000);
        assert_eq!(p.frames_due(ten_hours - Duration::from_nanos(1)), 10 * 3600 * 30);
        assert_eq!(p.samples_due(ten_hours - Duration::from_nanos(1)), 10 * 3600 * 48_000 - 1);
        assert_eq!(p.next_frame_at(10 * 3600 * 30), ten_hours);
    }

    #[test]
    fn next_frame_at_matches_frames_due() {
        for fps in [1, 24, 25, 30, 60] {
            let p = Pacer::new(fps, 48_000);
            for frame in (0..2_000).chain([1_000_000, 1_080_001]) {
                let at = p.next_frame_at(frame);
                assert_eq!(p.frames_due(at), frame + 1, "fps {fps} frame {frame}");
                if let Some(before) = at.checked_sub(Duration::from_nanos(1)) {
                    assert_eq!(p.frames_due(before), frame, "fps {fps} frame {frame}");
                }
            }
        }
    }

    #[test]
    fn extremes_saturate() {
        let p = Pacer::new(0, 0);
        assert_eq!((p.fps(), p.sample_rate()), (1, 1));
        let q = Pacer::new(u32::MAX, u32::MAX);
        assert_eq!(q.frames_due(Duration::MAX), u64::MAX);
        assert_eq!(q.samples_due(Duration::MAX), u64::MAX);
        assert_eq!(p.next_frame_at(u64::MAX), Duration::new(u64::MAX, 0));
        assert!(q.next_frame_at(u64::MAX) < Duration::MAX);
    }
}
