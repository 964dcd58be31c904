//! What people say in a session's room: chat messages and questions, who wrote them, and
//! what hosts did with them (hidden, answered, highlighted). Everyone sees the chat; a
//! question is seen by hosts and its asker until a host highlights it.

use crate::ids::{MessageId, RegistrantId, SessionId};
use hikari_funnel::{DomainError, UserId};
use serde::{Deserialize, Serialize};

/// The longest message, in characters.
pub const MAX_MESSAGE_CHARS: usize = 500;

/// A chat line or a question for the hosts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageKind {
    /// Seen by everyone.
    #[default]
    Chat,
    /// For the hosts (and its asker) until highlighted.
    Question,
}

impl MessageKind {
    /// Its name in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::Question => "question",
        }
    }

    /// The kind stored as `s`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "chat" => Some(Self::Chat),
            "question" => Some(Self::Question),
            _ => None,
        }
    }
}

/// A reaction an attendee sends to the stage: one of a fixed few, so nothing a visitor
/// types is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reaction {
    /// 👍
    ThumbsUp,
    /// ❤️
    Heart,
    /// 👏
    Clap,
    /// 😂
    Laugh,
    /// 🎉
    Party,
    /// 😮
    Wow,
}

impl Reaction {
    /// Its name in events.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ThumbsUp => "thumbs_up",
            Self::Heart => "heart",
            Self::Clap => "clap",
            Self::Laugh => "laugh",
            Self::Party => "party",
            Self::Wow => "wow",
        }
    }
}

/// Who wrote a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// A registrant, from its personal link.
    Attendee(RegistrantId),
    /// A signed-in host.
    Host(UserId),
}

/// Who is looking: what a page may show depends on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// A registrant's room page.
    Attendee(RegistrantId),
    /// A host's console: sees everything, hidden messages included.
    Host,
}

/// A message someone sends.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// Chat (default) or a question.
    #[serde(default)]
    pub kind: MessageKind,
    /// 1 to 500 characters (line breaks allowed).
    pub text: String,
}

impl NewMessage {
    /// Trims the text and checks it.
    pub fn validate(&mut self) -> Result<(), DomainError> {
        self.text = self.text.trim().to_owned();
        let n = self.text.chars().count();
        if n == 0 || n > MAX_MESSAGE_CHARS {
            return Err(DomainError::invalid("text", format!("1 to {MAX_MESSAGE_CHARS} characters")));
        }
        if self.text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(DomainError::invalid("text", "no control characters"));
        }
        Ok(())
    }
}

/// A checked message to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostedMessage {
    /// Its session.
    pub session: SessionId,
    /// Who wrote it.
    pub author: Author,
    /// The name shown beside it.
    pub name: String,
    /// Chat or question.
    pub kind: MessageKind,
    /// The checked text ([`NewMessage::validate`]).
    pub text: String,
    /// Unix ms.
    pub at: i64,
}

/// A stored message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    /// Row id.
    pub id: MessageId,
    /// Its session.
    pub session: SessionId,
    /// Who wrote it.
    pub author: Author,
    /// The name shown beside it.
    pub name: String,
    /// Chat or question.
    pub kind: MessageKind,
    /// The text.
    pub text: String,
    /// Unix ms.
    pub at: i64,
    /// Hidden by a host: nobody but hosts sees it.
    pub hidden: bool,
    /// A question a host marked answered.
    pub answered: bool,
    /// Shown to everyone by a host (a question, or a chat line pinned above the chat).
    pub highlighted: bool,
}

impl Message {
    /// Whether `viewer` may see it.
    pub fn visible_to(&self, viewer: Viewer) -> bool {
        match viewer {
            Viewer::Host => true,
            Viewer::Attendee(r) => {
                let own = self.author == Author::Attendee(r);
                !self.hidden && (self.kind == MessageKind::Chat || self.highlighted || own)
            }
        }
    }
}

/// What a host does to a message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Moderation {
    /// Hide (or show again).
    pub hidden: Option<bool>,
    /// Mark a question answered (or not).
    pub answered: Option<bool>,
    /// Highlight (or stop).
    pub highlighted: Option<bool>,
}

impl Moderation {
    /// The message after this moderation.
    pub fn apply(self, m: &Message) -> Message {
        Message {
            hidden: self.hidden.unwrap_or(m.hidden),
            answered: self.answered.unwrap_or(m.answered),
            highlighted: self.highlighted.unwrap_or(m.highlighted),
            ..m.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(kind: MessageKind, author: Author) -> Message {
        Message {
            id: MessageId(1),
            session: SessionId(1),
            author,
            name: "n".into(),
            kind,
            text: "t".into(),
            at: 0,
            hidden: false,
            answered: false,
            highlighted: false,
        }
    }

    #[test]
    fn messages_are_one_to_five_hundred_characters_of_text() {
        let mut ok = NewMessage { kind: MessageKind::Chat, text: "  こんにちは\n皆さん  ".into() };
        ok.validate().expect("valid");
        assert_eq!(ok.text, "こんにちは\n皆さん");
        assert!(NewMessage { kind: MessageKind::Chat, text: "あ".repeat(500) }.validate().is_ok());
        for bad in ["", "   ", &"あ".repeat(501), "bell\u{7}", "nul\0"] {
            assert!(NewMessage { kind: MessageKind::Question, text: bad.into() }.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn questions_reach_hosts_and_their_asker_until_highlighted() {
        let (me, other) = (Viewer::Attendee(RegistrantId(1)), Viewer::Attendee(RegistrantId(2)));
        let q = msg(MessageKind::Question, Author::Attendee(RegistrantId(1)));
        assert!(q.visible_to(me) && q.visible_to(Viewer::Host) && !q.visible_to(other));
        let q = Moderation { highlighted: Some(true), ..Default::default() }.apply(&q);
        assert!(q.visible_to(other));
        let chat = msg(MessageKind::Chat, Author::Host(UserId(1)));
        assert!(chat.visible_to(other));
        let hidden = Moderation { hidden: Some(true), ..Default::default() }.apply(&chat);
        assert!(!hidden.visible_to(other) && hidden.visible_to(Viewer::Host) && !hidden.answered);
    }
}
