use super::*;

const TICK: Duration = Duration::from_millis(20);
const LOUD: f32 = -20.0;
const SOFT: f32 = -30.0;

/// Feeds the same levels every 20 ms from `from` for `span`; returns the time reached and
/// the active speaker after each tick.
fn run(s: &mut Speakers, from: Duration, span: Duration, levels: &[(u64, f32)]) -> (Duration, Vec<Option<u64>>) {
    let mut now = from;
    let mut seen = Vec::new();
    while now < from + span {
        now += TICK;
        seen.push(s.update(now, levels.iter().copied()));
    }
    (now, seen)
}

#[test]
fn nobody_until_someone_speaks_then_at_once() {
    let mut s = Speakers::new();
    assert_eq!(s.update(Duration::ZERO, [(1, SILENCE_DBOV), (2, -60.0)]), None);
    assert_eq!(s.update(TICK, [(1, SILENCE_DBOV), (2, LOUD)]), Some(2));
    assert_eq!(s.active(), Some(2));
}

#[test]
fn another_speaker_takes_over_after_one_second() {
    let mut s = Speakers::new();
    let (t, _) = run(&mut s, Duration::ZERO, Duration::from_secs(2), &[(1, LOUD), (2, SILENCE_DBOV)]);
    assert_eq!(s.active(), Some(1));
    // 2 becomes louder than 1: it takes over after 1 s, not before.
    let (_, seen) = run(&mut s, t, Duration::from_millis(1500), &[(1, SOFT), (2, LOUD)]);
    let switched = seen.iter().position(|a| *a == Some(2)).expect("2 takes over");
    let after = TICK * switched as u32;
    assert!(after >= HOLD && after <= HOLD + 2 * TICK, "switched after {after:?}");
    assert!(seen[switched..].iter().all(|a| *a == Some(2)));
}

#[test]
fn short_interjections_do_not_flicker() {
    let mut s = Speakers::new();
    let (mut t, _) = run(&mut s, Duration::ZERO, Duration::from_secs(1), &[(1, LOUD)]);
    // 2 is louder for 600 ms at a time, then 1 again, over and over: 1 stays.
    for _ in 0..5 {
        let (t2, seen) = run(&mut s, t, Duration::from_millis(600), &[(1, SOFT), (2, LOUD)]);
        assert!(seen.iter().all(|a| *a == Some(1)));
        let (t3, seen) = run(&mut s, t2, Duration::from_millis(400), &[(1, LOUD), (2, SILENCE_DBOV)]);
        assert!(seen.iter().all(|a| *a == Some(1)));
        t = t3;
    }
}

#[test]
fn silence_keeps_the_last_speaker() {
    let mut s = Speakers::new();
    let (t, _) = run(&mut s, Duration::ZERO, Duration::from_secs(1), &[(1, LOUD), (2, SILENCE_DBOV)]);
    let (t, seen) = run(&mut s, t, Duration::from_secs(60), &[(1, SILENCE_DBOV), (2, SILENCE_DBOV)]);
    assert!(seen.iter().all(|a| *a == Some(1)));
    // Levels stop coming at all: still the same.
    assert_eq!(s.update(t + Duration::from_secs(3600), []), Some(1));
}

#[test]
fn gaps_between_words_are_bridged() {
    let mut s = Speakers::new();
    let (mut t, _) = run(&mut s, Duration::ZERO, Duration::from_secs(1), &[(1, LOUD)]);
    // 2 talks with 100 ms pauses while 1 is silent: it still takes over in about 1 s.
    let mut switched = None;
    for word in 0..10 {
        let (t2, _) = run(&mut s, t, Duration::from_millis(200), &[(1, SILENCE_DBOV), (2, LOUD)]);
        let (t3, _) = run(&mut s, t2, Duration::from_millis(100), &[(1, SILENCE_DBOV), (2, SILENCE_DBOV)]);
        t = t3;
        if switched.is_none() && s.active() == Some(2) {
            switched = Some(word);
        }
    }
    assert!(matches!(switched, Some(3 | 4)), "{switched:?}");
}

#[test]
fn remove_hands_over_to_the_next_speaker() {
    let mut s = Speakers::new();
    let (t, _) = run(&mut s, Duration::ZERO, Duration::from_secs(1), &[(1, LOUD), (2, SOFT)]);
    assert_eq!(s.active(), Some(1));
    s.remove(1);
    assert_eq!(s.active(), None);
    // 2 still speaks (its envelope is remembered): it takes over at the next update.
    assert_eq!(s.update(t + TICK, [(2, SOFT)]), Some(2));
    s.remove(2);
    assert_eq!(s.update(t + TICK * 2, [(3, SILENCE_DBOV)]), None);
    assert_eq!(s.update(t + TICK * 3, [(3, LOUD)]), Some(3));
}

#[test]
fn odd_inputs() {
    let mut s = Speakers::new();
    assert_eq!(s.update(Duration::from_secs(5), [(1, f32::NAN), (2, f32::INFINITY)]), Some(2));
    // Time going backwards counts as no time passing.
    assert_eq!(s.update(Duration::ZERO, [(1, f32::NEG_INFINITY)]), Some(2));
    assert_eq!(s.update(Duration::MAX, []), Some(2));
    s.remove(42);
}
