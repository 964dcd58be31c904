//! The active speaker, picked from audio levels over time with hysteresis so the speaker
//! layouts do not flicker between people who talk over each other.
//!
//! Levels arrive per mix call (tens of milliseconds), and speech has gaps between words, so
//! each source's level is first smoothed into an envelope: it rises at once and falls by at
//! most [`RELEASE_DB_PER_S`]. A source speaks while its envelope is above
//! [`SPEAKING_DBOV`]. The first speaker is taken at once; another one takes over only after
//! being the loudest speaker for [`HOLD`] without interruption (so the current one was quiet
//! or quieter all that time). Silence keeps the last speaker.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::mix::SILENCE_DBOV;

/// A source speaks while its smoothed level is above this, in dBov.
pub const SPEAKING_DBOV: f32 = -45.0;
/// How long another source must be the loudest before it takes over.
pub const HOLD: Duration = Duration::from_secs(1);
/// How fast a source's smoothed level falls, in dB per second: 40 dB/s bridges the gaps
/// between words but lets a finished talker go quiet within a second.
pub const RELEASE_DB_PER_S: f32 = 40.0;

/// Picks the active speaker. Time is given by the caller, as a [`Duration`] since any fixed
/// origin; it should not go backwards (if it does, no time is taken to have passed).
#[derive(Debug, Clone, Default)]
pub struct Speakers {
    /// Smoothed level per source, in dBov.
    envelopes: BTreeMap<u64, f32>,
    active: Option<u64>,
    /// The loudest speaker other than the active one, and since when it has been.
    candidate: Option<(u64, Duration)>,
    last: Option<Duration>,
}

impl Speakers {
    /// Nobody has spoken yet.
    pub fn new() -> Speakers {
        Speakers::default()
    }

    /// The current active speaker, without updating.
    pub fn active(&self) -> Option<u64> {
        self.active
    }

    /// Takes the levels (dBov, as [`crate::Mixer::levels`] gives them) measured at `now` and
    /// returns the active speaker. A known source missing from `levels` counts as silent;
    /// a level that is not a number counts as silence.
    pub fn update(&mut self, now: Duration, levels: impl IntoIterator<Item = (u64, f32)>) -> Option<u64> {
        let elapsed = self.last.map_or(Duration::ZERO, |last| now.saturating_sub(last));
        self.last = Some(now.max(self.last.unwrap_or_default()));
        let fall = RELEASE_DB_PER_S * elapsed.as_secs_f32();
        for envelope in self.envelopes.values_mut() {
            *envelope = (*envelope - fall).max(SILENCE_DBOV);
        }
        for (key, level) in levels {
            let level = if level.is_nan() { SILENCE_DBOV } else { level.clamp(SILENCE_DBOV, 0.0) };
            let envelope = self.envelopes.entry(key).or_insert(SILENCE_DBOV);
            *envelope = envelope.max(level);
        }
        let loudest = self.loudest();
        match (self.active, loudest) {
            (None, Some(key)) => {
                self.active = Some(key);
                self.candidate = None;
            }
            (Some(active), Some(key)) if key != active => match self.candidate {
                Some((candidate, since)) if candidate == key => {
                    if now.saturating_sub(since) >= HOLD {
                        self.active = Some(key);
                        self.candidate = None;
                    }
                }
                _ => self.candidate = Some((key, now)),
            },
            // The active speaker is the loudest, or nobody speaks.
            _ => self.candidate = None,
        }
        self.active
    }

    /// Forgets a source. If it was the active speaker there is none until someone speaks.
    pub fn remove(&mut self, key: u64) {
        self.envelopes.remove(&key);
        if self.active == Some(key) {
            self.active = None;
        }
        if self.candidate.is_some_and(|(k, _)| k == key) {
            self.candidate = None;
        }
    }

    /// The speaking source with the highest envelope; the lowest key on a tie.
    fn loudest(&self) -> Option<u64> {
        let mut best: Option<(u64, f32)> = None;
        for (&key, &envelope) in &self.envelopes {
            if envelope > SPEAKING_DBOV && best.is_none_or(|(_, b)| envelope > b) {
                best = Some((key, envelope));
            }
        }
        best.map(|(key, _)| key)
    }
}

#[cfg(test)]
mod tests;
