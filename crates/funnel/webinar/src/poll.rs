//! Polls in a session's room: a host drafts one, opens it (one open poll per session at a
//! time), registrants vote once each, and the host closes it; attendees see the results once
//! it is closed, hosts all along.

use crate::ids::{PollId, SessionId};
use hikari_funnel::DomainError;
use serde::{Deserialize, Serialize};

/// The most options a poll offers.
pub const MAX_OPTIONS: usize = 6;

/// Where a poll is in its life: drafted, open for votes, closed (results shown). Forwards only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PollState {
    /// Written, not shown to attendees.
    #[default]
    Draft,
    /// Shown; registrants vote.
    Open,
    /// Over; its results are shown.
    Closed,
}

impl PollState {
    /// Its name in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Open => "open",
            Self::Closed => "closed",
        }
    }

    /// The state stored as `s`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Self::Draft),
            "open" => Some(Self::Open),
            "closed" => Some(Self::Closed),
            _ => None,
        }
    }

    /// Whether a poll may go from `self` to `to` (forwards only; the same state is a no-op).
    pub fn check(self, to: Self) -> Result<(), DomainError> {
        if self == to || (to as u8) > (self as u8) {
            Ok(())
        } else {
            Err(DomainError::invalid("state", format!("a {} poll cannot become {}", self.as_str(), to.as_str())))
        }
    }
}

/// A poll a host writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPoll {
    /// 1 to 200 characters.
    pub question: String,
    /// 2 to 6 different options of 1 to 100 characters.
    pub options: Vec<String>,
}

fn line(field: &str, s: &mut String, max: usize) -> Result<(), DomainError> {
    *s = s.trim().to_owned();
    let n = s.chars().count();
    if n == 0 || n > max || s.chars().any(char::is_control) {
        return Err(DomainError::invalid(field, format!("1 to {max} characters on one line")));
    }
    Ok(())
}

impl NewPoll {
    /// Trims and checks the question and options.
    pub fn validate(&mut self) -> Result<(), DomainError> {
        line("question", &mut self.question, 200)?;
        if !(2..=MAX_OPTIONS).contains(&self.options.len()) {
            return Err(DomainError::invalid("options", format!("2 to {MAX_OPTIONS} options")));
        }
        for o in &mut self.options {
            line("options", o, 100)?;
        }
        let mut seen = self.options.clone();
        seen.sort();
        seen.dedup();
        if seen.len() != self.options.len() {
            return Err(DomainError::invalid("options", "each option once"));
        }
        Ok(())
    }
}

/// A stored poll with its votes counted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Poll {
    /// Row id.
    pub id: PollId,
    /// Its session.
    pub session: SessionId,
    /// The question.
    pub question: String,
    /// The options, in order.
    pub options: Vec<String>,
    /// Where it is.
    pub state: PollState,
    /// Votes per option, in the options' order.
    pub votes: Vec<u32>,
}

impl Poll {
    /// Whether `option` (an index) is one of its options.
    pub fn offers(&self, option: usize) -> bool {
        option < self.options.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polls_have_a_question_and_two_to_six_different_options() {
        let mut p = NewPoll { question: " 参加の目的は？ ".into(), options: vec![" 集客 ".into(), "売上".into()] };
        p.validate().expect("valid");
        assert_eq!((p.question.as_str(), p.options[0].as_str()), ("参加の目的は？", "集客"));
        let bad = [
            NewPoll { question: "".into(), options: vec!["a".into(), "b".into()] },
            NewPoll { question: "q".into(), options: vec!["a".into()] },
            NewPoll { question: "q".into(), options: (0..7).map(|i| i.to_string()).collect() },
            NewPoll { question: "q".into(), options: vec!["a".into(), " a ".into()] },
            NewPoll { question: "q".into(), options: vec!["a".into(), "".into()] },
            NewPoll { question: "q\nq".into(), options: vec!["a".into(), "b".into()] },
        ];
        for mut b in bad {
            assert!(b.validate().is_err(), "{b:?}");
        }
    }

    #[test]
    fn polls_only_move_forwards() {
        use PollState::*;
        assert!(Draft.check(Open).is_ok() && Open.check(Closed).is_ok() && Draft.check(Closed).is_ok() && Open.check(Open).is_ok());
        assert!(Closed.check(Open).is_err() && Open.check(Draft).is_err());
        assert_eq!(PollState::parse("open"), Some(Open));
        assert_eq!(PollState::parse("Open"), None);
    }
}
