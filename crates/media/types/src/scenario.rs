//! Requests a client makes about its own session: a test scenario for the server to play
//! (`SimulateScenario`) and what it believes after a resume (`SyncState`).

use crate::ids::TrackSid;

/// A scenario a client asks the server to play (`SimulateScenario`): only ever about itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// The server sends it a leave (`server-leave`).
    ServerLeave,
    /// The server sends it a leave asking for a fresh join (`leave-full-reconnect`).
    LeaveFullReconnect,
    /// Its next session offers ICE over TCP only (`force-tcp`).
    ForceTcp,
    /// Its downlink is taken to be this many bits per second whatever the estimate says;
    /// 0 lifts the limit (`subscriber-bandwidth`).
    SubscriberBandwidth(u64),
    /// Its next session must relay its media through TURN over TLS (`force-tls`).
    ForceTls,
    /// It is reported as a speaker for this many seconds, then as silent (`speaker`).
    Speaker {
        /// How long, in seconds.
        secs: u32,
    },
    /// Its signal connection closes without a leave, as when a signalling node dies; the
    /// client resumes (`node-failure`).
    NodeFailure,
    /// Its signal connection closes without a leave, as when the room moves to another
    /// node; the client resumes (`migration`).
    Migration,
    /// Its next resume (within a few seconds) has its signal connection closed right
    /// after the reconnect response, or before any response when `no_messages`, so the
    /// client resumes again (`disconnect-signal-on-resume[-no-messages]`).
    DisconnectSignalOnResume {
        /// Close before sending anything.
        no_messages: bool,
    },
}

/// What a client believes after a resume (`SyncState`): the part the server acts on.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SyncState {
    /// `track_sids` lists the tracks it subscribes to (true: it does not auto-subscribe) or
    /// those it unsubscribed from (false: it auto-subscribes).
    pub subscribe: bool,
    /// Tracks of others, as `subscribe` says.
    pub track_sids: Vec<TrackSid>,
    /// The tracks it publishes, by sid (empty for an entry that named no track).
    pub published: Vec<TrackSid>,
    /// Tracks it receives but disabled (`UpdateTrackSettings` disabled).
    pub disabled: Vec<TrackSid>,
}
