//! Active speakers from the audio-level header extension (RFC 6464).
//!
//! Each audio track keeps a [`Loudness`]: packets add their level, and every tick the
//! window closes. A window counts as speech when at least [`MIN_ACTIVE_PERCENT`] of its
//! packets are at [`ACTIVE_DBOV`] or louder (so a cough or a click is not a speaker); its
//! loudness is then the mean linear level of those packets, else 0. The result is
//! smoothed (half the difference per tick), so a speaker fades out over about a second
//! after falling silent rather than flickering between words. LiveKit's defaults are the
//! same in spirit (active level 35, 40th percentile).

/// Levels at or above this loudness (in -dBov; smaller is louder) count as speech.
const ACTIVE_DBOV: u8 = 35;
/// The share of a window's packets that must be speech.
const MIN_ACTIVE_PERCENT: u32 = 40;
/// Below this smoothed level a participant is silent.
const SILENT: f32 = 0.005;

/// One audio track's level over the current window.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Loudness {
    active: u32,
    total: u32,
    sum: f32,
    smoothed: f32,
}

impl Loudness {
    /// Adds one packet's level: str0m's value, 0 loudest down to -127.
    pub fn observe(&mut self, level: i8) {
        let dbov = level.unsigned_abs().min(127);
        self.total += 1;
        if dbov <= ACTIVE_DBOV {
            self.active += 1;
            self.sum += linear(dbov);
        }
    }

    /// Closes the window: the smoothed level, 0 for silence.
    pub fn close_window(&mut self) -> f32 {
        let loud = if self.active > 0 && self.active * 100 >= self.total * MIN_ACTIVE_PERCENT { self.sum / self.active as f32 } else { 0.0 };
        self.smoothed += (loud - self.smoothed) / 2.0;
        if self.smoothed < SILENT {
            self.smoothed = 0.0;
        }
        *self = Self { smoothed: self.smoothed, ..Self::default() };
        self.smoothed
    }
}

/// -dBov to a linear level in 0..=1.
fn linear(dbov: u8) -> f32 {
    10f32.powf(-f32::from(dbov) / 20.0)
}

/// What participants were last told about one speaker.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub(crate) struct Spoken {
    pub active: bool,
    pub level: f32,
}

impl Spoken {
    /// Whether a new level is worth telling: speaking started or stopped, or the level
    /// moved enough to reorder speakers.
    pub fn changed(&self, level: f32) -> bool {
        (level > 0.0) != self.active || (level > 0.0 && (level - self.level).abs() >= 0.02)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(l: &mut Loudness, levels: &[i8]) -> f32 {
        for &x in levels {
            l.observe(x);
        }
        l.close_window()
    }

    #[test]
    fn speech_rises_then_fades_over_several_windows() {
        let mut l = Loudness::default();
        let speech = [-20i8; 15];
        let first = window(&mut l, &speech);
        assert!(first > 0.0);
        let second = window(&mut l, &speech);
        assert!(second > first, "smoothing rises towards the level: {first} then {second}");
        let mut silent_after = 0;
        for n in 1..=10 {
            if window(&mut l, &[-127; 15]) == 0.0 {
                silent_after = n;
                break;
            }
        }
        assert!((2..=6).contains(&silent_after), "fades out in a few windows, not at once: {silent_after}");
    }

    #[test]
    fn short_noises_and_quiet_rooms_are_not_speech() {
        let mut l = Loudness::default();
        let mut click = vec![-127i8; 15];
        click[3] = -10;
        assert_eq!(window(&mut l, &click), 0.0, "one loud packet in fifteen");
        assert_eq!(window(&mut l, &[-50; 15]), 0.0, "background noise");
        assert_eq!(window(&mut l, &[]), 0.0, "no packets (DTX, muted)");
    }

    #[test]
    fn louder_speech_has_a_higher_level() {
        let (mut a, mut b) = (Loudness::default(), Loudness::default());
        assert!(window(&mut a, &[-10; 15]) > window(&mut b, &[-30; 15]));
    }

    #[test]
    fn a_level_is_told_when_speaking_changes_or_it_moves_enough() {
        let s = Spoken { active: true, level: 0.3 };
        assert!(!s.changed(0.31));
        assert!(s.changed(0.4));
        assert!(s.changed(0.0));
        assert!(Spoken::default().changed(0.1));
        assert!(!Spoken::default().changed(0.0));
    }
}
