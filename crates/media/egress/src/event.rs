//! What the registry tells the rest of the server: one typed event per status change, with
//! the egress as it is after the change.

use std::sync::Arc;

use hikari_types::Egress;

/// A change to an egress. The registry emits each while it holds its write lock, so events
/// arrive in the order the changes were made.
#[derive(Clone, Debug, PartialEq)]
pub enum EgressEvent {
    /// A job was accepted (status starting).
    Started(Egress),
    /// It became active or ending, or its results changed.
    Updated(Egress),
    /// It reached an end: complete, failed, aborted or limit reached.
    Ended(Egress),
}

impl EgressEvent {
    /// The egress, after the change.
    pub fn egress(&self) -> &Egress {
        match self {
            Self::Started(e) | Self::Updated(e) | Self::Ended(e) => e,
        }
    }

    /// The webhook event name, as LiveKit's server sends it.
    pub fn webhook_name(&self) -> &'static str {
        match self {
            Self::Started(_) => "egress_started",
            Self::Updated(_) => "egress_updated",
            Self::Ended(_) => "egress_ended",
        }
    }
}

/// Where the registry delivers its events: a call that must not block (the server's bus
/// publisher). Runs while the registry's write lock is held.
pub type EventSink = Arc<dyn Fn(EgressEvent) + Send + Sync>;
