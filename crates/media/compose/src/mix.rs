//! The audio mixer: every participant's decoded audio (48 kHz, stereo, interleaved i16)
//! summed into one stream.
//!
//! Each source has a FIFO the job fills as its decoder produces samples and the mixer
//! drains at the output rate. A FIFO absorbs jitter: a source is heard only once it holds
//! [`MixConfig::prebuffer`], and after running dry it waits for that much again. It also
//! absorbs clock drift: a publisher whose clock runs faster than ours slowly fills its FIFO,
//! and once it holds more than [`MixConfig::max_buffer`] the oldest samples are dropped
//! down to the prebuffer.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

/// The sample rate of every input and of the mix, in Hz.
pub const SAMPLE_RATE: u32 = 48_000;
/// Channels, interleaved (left, right).
pub const CHANNELS: usize = 2;
/// The level of silence, in dBov (the floor of RFC 6464's range).
pub const SILENCE_DBOV: f32 = -127.0;

/// The mixer's buffering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MixConfig {
    /// Audio a source must hold before it is heard, at first and after running dry.
    pub prebuffer: Duration,
    /// Audio a source may hold; beyond it the oldest is dropped down to `prebuffer`.
    /// A value below `prebuffer` counts as `prebuffer`.
    pub max_buffer: Duration,
}

impl Default for MixConfig {
    /// 60 ms of prebuffer, at most 300 ms held.
    fn default() -> Self {
        MixConfig { prebuffer: Duration::from_millis(60), max_buffer: Duration::from_millis(300) }
    }
}

/// Counters for one source, in sample frames (one frame = one left and one right sample,
/// 1/48000 s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SourceStats {
    /// Frames that went into the mix.
    pub played: u64,
    /// Frames dropped because the source held more than `max_buffer`.
    pub dropped: u64,
    /// Times the source ran dry while being heard.
    pub underflows: u64,
}

#[derive(Debug, Default)]
struct Source {
    fifo: VecDeque<i16>,
    /// Heard: the prebuffer was reached and the FIFO has not run dry since.
    playing: bool,
    stats: SourceStats,
    /// dBov of what the source contributed to the last mix.
    level: f32,
}

/// Mixes any number of sources into one stereo stream. Sources are keyed by a `u64` the job
/// chooses (one per audio track).
#[derive(Debug)]
pub struct Mixer {
    /// Interleaved samples (frames × 2) to hold before a source is heard.
    prebuffer: usize,
    /// Interleaved samples a source may hold.
    max_buffer: usize,
    sources: BTreeMap<u64, Source>,
    /// The sum before clamping, reused between calls.
    acc: Vec<i32>,
}

/// Interleaved samples in `d` of 48 kHz stereo audio, rounded down to whole frames.
fn samples_in(d: Duration) -> usize {
    let frames = d.as_nanos().saturating_mul(u128::from(SAMPLE_RATE)) / 1_000_000_000;
    usize::try_from(frames).unwrap_or(usize::MAX / CHANNELS).saturating_mul(CHANNELS)
}

impl Mixer {
    /// A mixer with no source.
    pub fn new(config: MixConfig) -> Mixer {
        let prebuffer = samples_in(config.prebuffer);
        let max_buffer = samples_in(config.max_buffer).max(prebuffer);
        Mixer { prebuffer, max_buffer, sources: BTreeMap::new(), acc: Vec::new() }
    }

    /// Appends a source's decoded audio (interleaved stereo; an odd trailing sample is
    /// dropped), creating the source on its first push. If the source then holds more than
    /// `max_buffer`, its oldest samples are dropped down to `prebuffer`.
    pub fn push(&mut self, key: u64, samples: &[i16]) {
        let source = self.sources.entry(key).or_default();
        let samples = samples.get(..samples.len() - samples.len() % CHANNELS).unwrap_or_default();
        let total = source.fifo.len().saturating_add(samples.len());
        if total <= self.max_buffer {
            source.fifo.extend(samples.iter().copied());
            return;
        }
        // Over the limit: keep only the newest `prebuffer` of the old and new samples
        // together, without copying what would be dropped at once.
        let keep = self.prebuffer;
        match samples.len().checked_sub(keep) {
            Some(skip) => {
                source.fifo.clear();
                source.fifo.extend(samples.iter().skip(skip).copied());
            }
            None => {
                let old = keep - samples.len();
                source.fifo.drain(..source.fifo.len() - old);
                source.fifo.extend(samples.iter().copied());
            }
        }
        source.stats.dropped += ((total - keep) / CHANNELS) as u64;
    }

    /// Forgets a source and its buffered audio.
    pub fn remove(&mut self, key: u64) {
        self.sources.remove(&key);
    }

    /// Whether a source exists (it was pushed to and not removed).
    pub fn contains(&self, key: u64) -> bool {
        self.sources.contains_key(&key)
    }

    /// Audio buffered for a source, if it exists.
    pub fn buffered(&self, key: u64) -> Option<Duration> {
        let frames = self.sources.get(&key)?.fifo.len() / CHANNELS;
        Some(Duration::from_nanos(frames as u64 * 1_000_000_000 / u64::from(SAMPLE_RATE)))
    }

    /// Counters for a source, if it exists.
    pub fn stats(&self, key: u64) -> Option<SourceStats> {
        self.sources.get(&key).map(|s| s.stats)
    }

    /// Fills `out` (interleaved stereo) with the next samples of every heard source, summed
    /// and clamped to the i16 range; silence where no source plays. An odd trailing sample
    /// of `out` is set to zero and consumes nothing. Allocates nothing once `out`'s length
    /// has been seen.
    pub fn mix(&mut self, out: &mut [i16]) {
        let whole = out.len() - out.len() % CHANNELS;
        self.acc.clear();
        self.acc.resize(whole, 0);
        for source in self.sources.values_mut() {
            source.level = SILENCE_DBOV;
            if !source.playing {
                if source.fifo.len() < self.prebuffer || source.fifo.is_empty() {
                    continue;
                }
                source.playing = true;
            }
            let n = source.fifo.len().min(whole);
            let mut energy = 0u64;
            for (acc, &sample) in self.acc.iter_mut().zip(source.fifo.iter()) {
                *acc = acc.saturating_add(i32::from(sample));
                energy = energy.saturating_add(u64::from(sample.unsigned_abs()).pow(2));
            }
            source.fifo.drain(..n);
            source.stats.played += (n / CHANNELS) as u64;
            source.level = dbov(energy, whole);
            if n < whole {
                source.playing = false;
                source.stats.underflows += 1;
            }
        }
        for (o, &acc) in out.iter_mut().zip(self.acc.iter()) {
            *o = acc.clamp(i32::from(i16::MIN), i32::from(i16::MAX)) as i16;
        }
        if let Some(last) = out.get_mut(whole) {
            *last = 0;
        }
    }

    /// Each source's level in the last [`Mixer::mix`] call, as dBov: the RMS of what it
    /// contributed over the whole call (missing samples count as silence) relative to full
    /// scale, 20·log10(rms / 32768), from 0 (a full-scale square wave; a full-scale sine is
    /// about -3) down to [`SILENCE_DBOV`] for silence or a source not heard. In key order.
    pub fn levels(&self) -> impl Iterator<Item = (u64, f32)> + '_ {
        self.sources.iter().map(|(&key, s)| (key, s.level))
    }
}

/// dBov of `samples` samples whose squares sum to `energy`, floored at [`SILENCE_DBOV`].
fn dbov(energy: u64, samples: usize) -> f32 {
    if energy == 0 || samples == 0 {
        return SILENCE_DBOV;
    }
    let mean = energy as f64 / samples as f64;
    let db = 10.0 * (mean / (32768.0 * 32768.0)).log10();
    (db as f32).clamp(SILENCE_DBOV, 0.0)
}

#[cfg(test)]
mod tests;
