use super::*;

/// 1 ms of prebuffer (96 interleaved samples), at most 2 ms (192).
fn small() -> Mixer {
    Mixer::new(MixConfig { prebuffer: Duration::from_millis(1), max_buffer: Duration::from_millis(2) })
}

/// A mixer with no buffering: every pushed sample is heard at the next mix.
fn immediate() -> Mixer {
    Mixer::new(MixConfig { prebuffer: Duration::ZERO, max_buffer: Duration::from_millis(300) })
}

#[test]
fn defaults() {
    let c = MixConfig::default();
    assert_eq!((c.prebuffer, c.max_buffer), (Duration::from_millis(60), Duration::from_millis(300)));
    let m = Mixer::new(c);
    assert_eq!((m.prebuffer, m.max_buffer), (2 * 2880, 2 * 14400));
}

#[test]
fn two_sources_sum_exactly() {
    let mut m = immediate();
    m.push(1, &[1, 2, 3, 4, -5, 6]);
    m.push(2, &[10, 20, 30, 40, 50, -60]);
    let mut out = [0; 6];
    m.mix(&mut out);
    assert_eq!(out, [11, 22, 33, 44, 45, -54]);
    assert_eq!(m.stats(1), Some(SourceStats { played: 3, dropped: 0, underflows: 0 }));
}

#[test]
fn saturation_clamps() {
    let mut m = immediate();
    m.push(1, &[30_000, -30_000, 30_000, 100]);
    m.push(2, &[30_000, -30_000, -30_000, 100]);
    m.push(3, &[30_000, -30_000, 0, 100]);
    let mut out = [0; 4];
    m.mix(&mut out);
    assert_eq!(out, [i16::MAX, i16::MIN, 0, 300]);
}

#[test]
fn odd_lengths_are_trimmed() {
    let mut m = immediate();
    m.push(1, &[1, 2, 3]);
    assert_eq!(m.buffered(1), Some(Duration::from_nanos(20_833)));
    let mut out = [9; 3];
    m.mix(&mut out);
    assert_eq!(out, [1, 2, 0]);
    assert_eq!(m.stats(1).map(|s| s.played), Some(1));
}

#[test]
fn prebuffer_delays_a_new_source() {
    let mut m = small();
    let mut out = [0; 48];
    m.push(1, &[7; 94]);
    m.mix(&mut out);
    assert_eq!(out, [0; 48], "94 < 96 samples buffered: not heard yet");
    assert_eq!(m.stats(1), Some(SourceStats::default()));
    m.push(1, &[7; 2]);
    m.mix(&mut out);
    assert_eq!(out, [7; 48]);
    m.mix(&mut out);
    assert_eq!(out, [7; 48]);
    assert_eq!(m.stats(1).map(|s| (s.played, s.underflows)), Some((48, 0)));
}

#[test]
fn underflow_goes_silent_then_prebuffers_again() {
    let mut m = small();
    let mut out = [0; 64];
    m.push(1, &[5; 96]);
    m.mix(&mut out);
    assert_eq!(out, [5; 64]);
    // 32 left: half a buffer, then silence, and an underflow.
    m.mix(&mut out);
    assert_eq!(&out[..32], &[5; 32]);
    assert_eq!(&out[32..], &[0; 32]);
    assert_eq!(m.stats(1), Some(SourceStats { played: 48, dropped: 0, underflows: 1 }));
    // Less than the prebuffer arrives: still silent, no new underflow counted.
    m.push(1, &[6; 64]);
    m.mix(&mut out);
    assert_eq!(out, [0; 64]);
    m.push(1, &[6; 32]);
    m.mix(&mut out);
    assert_eq!(out, [6; 64]);
    assert_eq!(m.stats(1), Some(SourceStats { played: 80, dropped: 0, underflows: 1 }));
}

#[test]
fn overflow_drops_the_oldest_down_to_the_prebuffer() {
    let mut m = small();
    let samples: Vec<i16> = (0..192).collect();
    m.push(1, &samples);
    assert_eq!(m.stats(1).map(|s| s.dropped), Some(0), "exactly max_buffer is kept");
    m.push(1, &[1000, 1001]);
    // 194 > 192: keep the newest 96.
    assert_eq!(m.stats(1).map(|s| s.dropped), Some(49));
    assert_eq!(m.buffered(1), Some(Duration::from_millis(1)));
    let mut out = [0; 96];
    m.mix(&mut out);
    let want: Vec<i16> = (98..192).chain([1000, 1001]).collect();
    assert_eq!(out.as_slice(), want.as_slice());
    // One huge push keeps only its newest part.
    let big: Vec<i16> = (0..10_000).map(|i| (i % 1000) as i16).collect();
    m.push(2, &big);
    assert_eq!(m.buffered(2), Some(Duration::from_millis(1)));
    assert_eq!(m.stats(2).map(|s| s.dropped), Some((10_000 - 96) / 2));
}

#[test]
fn remove_forgets_a_source() {
    let mut m = immediate();
    m.push(1, &[3; 8]);
    m.push(2, &[4; 8]);
    m.remove(1);
    assert!(!m.contains(1) && m.contains(2));
    assert_eq!(m.stats(1), None);
    let mut out = [0; 8];
    m.mix(&mut out);
    assert_eq!(out, [4; 8]);
    assert_eq!(m.levels().map(|(k, _)| k).collect::<Vec<_>>(), [2]);
}

#[test]
fn levels_of_a_sine_and_silence() {
    let mut m = immediate();
    let sine: Vec<i16> = (0..960)
        .flat_map(|i| {
            let s = (f64::from(i) * 2.0 * std::f64::consts::PI * 1000.0 / 48_000.0).sin() * 32767.0;
            [s as i16, s as i16]
        })
        .collect();
    let half: Vec<i16> = sine.iter().map(|s| s / 10).collect();
    m.push(1, &sine);
    m.push(2, &[0; 1920]);
    m.push(3, &half);
    let mut out = vec![0; 1920];
    m.mix(&mut out);
    let levels: Vec<(u64, f32)> = m.levels().collect();
    assert_eq!(levels.len(), 3);
    assert!((levels[0].1 + 3.01).abs() < 0.05, "full-scale sine ≈ -3 dBov: {}", levels[0].1);
    assert_eq!(levels[1].1, SILENCE_DBOV);
    assert!((levels[2].1 + 23.01).abs() < 0.1, "-20 dB: {}", levels[2].1);
    // Nothing left: every source is silent at the next mix.
    m.mix(&mut out);
    assert!(m.levels().all(|(_, l)| l == SILENCE_DBOV));
}

#[test]
fn empty_and_odd_outputs() {
    let mut m = immediate();
    m.mix(&mut []);
    m.push(1, &[1, 1]);
    m.mix(&mut []);
    assert_eq!(m.stats(1), Some(SourceStats::default()), "an empty mix consumes nothing");
    let mut one = [5];
    m.mix(&mut one);
    assert_eq!(one, [0]);
    assert_eq!(m.stats(7), None);
    assert_eq!(m.buffered(7), None);
}

#[test]
fn zero_config_does_not_panic() {
    let mut m = Mixer::new(MixConfig { prebuffer: Duration::ZERO, max_buffer: Duration::ZERO });
    m.push(1, &[1; 10]);
    let mut out = [0; 4];
    m.mix(&mut out);
    assert_eq!(out, [0; 4]);
    let mut m = Mixer::new(MixConfig { prebuffer: Duration::MAX, max_buffer: Duration::ZERO });
    m.push(1, &[1; 10]);
    m.mix(&mut out);
}
