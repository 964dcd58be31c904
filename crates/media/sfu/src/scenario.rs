//! What `simulateScenario` left pending for one participant: a simulated speech to end,
//! a resume whose signal connection is to be dropped. Plain state; the room's side is
//! `simulate.rs`.

use std::time::{Duration, Instant};

/// Longest simulated speech (`speaker`): a client cannot keep itself on the speaker list.
pub(crate) const MAX_SPEECH: Duration = Duration::from_secs(60);
/// How long a `disconnect-signal-on-resume` request waits for its resume (LiveKit's 5 s).
pub(crate) const DROP_WINDOW: Duration = Duration::from_secs(5);
/// The level a simulated speaker is reported at.
pub(crate) const SPEECH_LEVEL: f32 = 0.9;

/// How a resume's signal connection is dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ResumeDrop {
    /// After the reconnect response and the missed signals.
    AfterResponse,
    /// Before anything is sent.
    BeforeAnything,
}

/// One participant's pending simulations.
#[derive(Debug, Default)]
pub(crate) struct Simulated {
    /// Reported as a speaker until then.
    pub speaking_until: Option<Instant>,
    /// The next resume before this deadline has its signal connection dropped once.
    pub drop_next_resume: Option<(Instant, ResumeDrop)>,
}

impl Simulated {
    /// Starts (or extends) a simulated speech of `secs`; whether it is new (others must
    /// be told) rather than extended.
    pub fn speak(&mut self, now: Instant, secs: u32) -> bool {
        let until = now + Duration::from_secs(u64::from(secs)).min(MAX_SPEECH);
        self.speaking_until.replace(until).is_none()
    }

    /// Whether a simulated speech ended at `now` (once).
    pub fn speech_ended(&mut self, now: Instant) -> bool {
        if self.speaking_until.is_some_and(|until| now >= until) {
            self.speaking_until = None;
            return true;
        }
        false
    }

    /// How this resume's signal connection is to be dropped, if it is (once).
    pub fn take_resume_drop(&mut self, now: Instant) -> Option<ResumeDrop> {
        let (until, how) = self.drop_next_resume.take()?;
        (now < until).then_some(how)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_speech_is_told_once_and_ends_once() {
        let t0 = Instant::now();
        let mut s = Simulated::default();
        assert!(s.speak(t0, 3));
        assert!(!s.speak(t0 + Duration::from_secs(1), 3), "a second request extends, tells no one");
        assert!(!s.speech_ended(t0 + Duration::from_secs(3)));
        assert!(s.speech_ended(t0 + Duration::from_secs(4)));
        assert!(!s.speech_ended(t0 + Duration::from_secs(5)));
        assert!(s.speak(t0, u32::MAX));
        assert_eq!(s.speaking_until, Some(t0 + MAX_SPEECH), "bounded");
    }

    #[test]
    fn a_resume_drop_is_used_once_and_expires() {
        let t0 = Instant::now();
        let mut s = Simulated { drop_next_resume: Some((t0 + DROP_WINDOW, ResumeDrop::AfterResponse)), ..Default::default() };
        assert_eq!(s.take_resume_drop(t0), Some(ResumeDrop::AfterResponse));
        assert_eq!(s.take_resume_drop(t0), None);
        s.drop_next_resume = Some((t0 + DROP_WINDOW, ResumeDrop::BeforeAnything));
        assert_eq!(s.take_resume_drop(t0 + DROP_WINDOW), None, "too late");
    }
}
