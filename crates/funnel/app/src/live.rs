//! What a running session tells the pages watching it (attendees' room pages, hosts'
//! consoles): its state and the number of attendees in the room, as [`Notice`]s on one
//! bounded broadcast channel per session that someone watches. A page that falls behind
//! skips to the newest notices; every page first gets the current state, so nothing it
//! shows depends on having seen every notice.

use hikari_webinar::{Message, Offer, Poll, Reaction, RegistrantId, SessionId, SessionState};
use serde::Serialize;
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
};
use tokio::sync::broadcast;

/// Notices a page may lag behind before it skips ahead.
const BACKLOG: usize = 64;

/// One thing that happened in a session, as its pages receive it (JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Notice {
    /// The session is now in this state.
    State {
        /// The new state.
        state: SessionState,
    },
    /// Attendees in the room now.
    Attendees {
        /// How many.
        count: u32,
    },
    /// A message was said, or a host changed it (pages replace it by id; each viewer's page
    /// gets only what it may see).
    Message {
        /// The message now.
        message: Message,
    },
    /// A poll was drafted, opened, closed or voted on (pages replace it by id).
    Poll {
        /// The poll now, its votes counted.
        poll: Poll,
    },
    /// An attendee reacted (pages float it over the stage; nobody is named).
    Reaction {
        /// Which.
        reaction: Reaction,
    },
    /// An offer was written, pinned or unpinned (pages replace it by id).
    Offer {
        /// The offer now.
        offer: Offer,
    },
    /// An attendee raised or lowered its hand (hosts' consoles only).
    Hand {
        /// Who.
        registrant: RegistrantId,
        /// The name it gave in the chat, or its fallback.
        name: String,
        /// Raised or lowered.
        raised: bool,
    },
    /// A host brought an attendee on stage or sent it back (its own page, and the consoles).
    Stage {
        /// Who.
        registrant: RegistrantId,
        /// On stage now.
        on: bool,
    },
    /// A host muted an attendee in the chat, or let it speak again (its own page, and the
    /// consoles).
    Muted {
        /// Who.
        registrant: RegistrantId,
        /// Muted now.
        muted: bool,
    },
}

/// Who takes part beyond watching, in one session: raised hands, attendees on stage,
/// attendees a host muted in the chat, and attendees a host removed (kept while this process
/// runs, as the room's own state is).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StageState {
    /// Raised hands, in the order they were raised, with the names shown.
    pub hands: Vec<(RegistrantId, String)>,
    /// Attendees on stage.
    pub on_stage: Vec<RegistrantId>,
    /// Attendees removed by a host: no pass, no chat.
    pub removed: Vec<RegistrantId>,
    /// Attendees a host muted in the chat: they watch, react and vote, but write nothing.
    pub muted: Vec<RegistrantId>,
}

#[derive(Default)]
struct Sessions {
    channels: HashMap<SessionId, broadcast::Sender<Notice>>,
    present: HashMap<SessionId, u32>,
    stages: HashMap<SessionId, StageState>,
}

/// The channels of the sessions being watched; cheap to clone.
#[derive(Clone, Default)]
pub struct LiveHub {
    inner: Arc<Mutex<Sessions>>,
}

impl LiveHub {
    fn lock(&self) -> std::sync::MutexGuard<'_, Sessions> {
        // The map stays consistent across a panic elsewhere: no invariant spans two fields.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notices of `session` from now on.
    pub fn subscribe(&self, session: SessionId) -> broadcast::Receiver<Notice> {
        self.lock().channels.entry(session).or_insert_with(|| broadcast::channel(BACKLOG).0).subscribe()
    }

    /// Tells the pages watching `session`; forgets its channel once nobody watches.
    pub fn publish(&self, session: SessionId, notice: Notice) {
        let mut s = self.lock();
        if let Some(tx) = s.channels.get(&session)
            && tx.send(notice).is_err()
        {
            s.channels.remove(&session);
        }
    }

    /// Attendees in `session`'s room, as counted since this process started.
    pub fn attendees(&self, session: SessionId) -> u32 {
        self.lock().present.get(&session).copied().unwrap_or(0)
    }

    /// Who has a hand raised, is on stage or was removed in `session`.
    pub fn stage(&self, session: SessionId) -> StageState {
        self.lock().stages.get(&session).cloned().unwrap_or_default()
    }

    /// Refuses a registrant a host removed from `session` (its chat, reactions, votes, hand).
    pub(crate) fn refuse_removed(&self, session: SessionId, who: RegistrantId) -> Result<(), crate::error::AppError> {
        match self.lock().stages.get(&session).is_some_and(|s| s.removed.contains(&who)) {
            true => Err(crate::error::AppError::Forbidden("a host removed you from this session")),
            false => Ok(()),
        }
    }

    /// Whether a host muted `who` in `session`'s chat.
    pub fn muted(&self, session: SessionId, who: RegistrantId) -> bool {
        self.lock().stages.get(&session).is_some_and(|s| s.muted.contains(&who))
    }

    /// Refuses a registrant a host muted in `session`'s chat.
    pub(crate) fn refuse_muted(&self, session: SessionId, who: RegistrantId) -> Result<(), crate::error::AppError> {
        match self.muted(session, who) {
            true => Err(crate::error::AppError::Forbidden("a host muted you in this chat")),
            false => Ok(()),
        }
    }

    /// Whether a host brought `who` on stage in `session`.
    pub(crate) fn on_stage(&self, session: SessionId, who: RegistrantId) -> bool {
        self.lock().stages.get(&session).is_some_and(|s| s.on_stage.contains(&who))
    }

    /// Changes `session`'s stage with `change`; `true` if anything changed.
    pub(crate) fn change_stage(&self, session: SessionId, change: impl FnOnce(&mut StageState) -> bool) -> bool {
        change(self.lock().stages.entry(session).or_default())
    }

    /// Counts an attendee in (`+1`) or out (`-1`) and tells the session's pages.
    pub(crate) fn count(&self, session: SessionId, delta: i32) {
        let count = {
            let mut s = self.lock();
            let n = s.present.entry(session).or_insert(0);
            *n = n.saturating_add_signed(delta);
            let count = *n;
            if count == 0 {
                s.present.remove(&session);
            }
            count
        };
        self.publish(session, Notice::Attendees { count });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn watchers_get_notices_and_counts_never_go_negative() {
        let hub = LiveHub::default();
        let s = SessionId(1);
        hub.publish(s, Notice::State { state: SessionState::Live });
        let mut rx = hub.subscribe(s);
        hub.count(s, 1);
        hub.count(s, -1);
        hub.count(s, -1);
        assert_eq!(rx.recv().await.expect("notice"), Notice::Attendees { count: 1 });
        assert_eq!(rx.recv().await.expect("notice"), Notice::Attendees { count: 0 });
        assert_eq!(rx.recv().await.expect("notice"), Notice::Attendees { count: 0 });
        assert_eq!(hub.attendees(s), 0);
        drop(rx);
        hub.publish(s, Notice::State { state: SessionState::Ended });
        assert!(hub.lock().channels.is_empty(), "a channel nobody watches is forgotten");
    }
}
