//! What the registry tells the rest of the server: one typed event per change, with the
//! ingress as it is after the change.

use std::sync::Arc;

use hikari_types::Ingress;

/// A change to an ingress. The registry emits each while it holds its write lock, so events
/// arrive in the order the changes were made.
#[derive(Clone, Debug, PartialEq)]
pub enum IngressEvent {
    /// `CreateIngress` stored a new definition.
    Created(Ingress),
    /// `UpdateIngress` changed the definition. If a session is running (the status is
    /// buffering or publishing), the runtime ends it, as LiveKit's ingress does, and the
    /// encoder's reconnection starts a session with the new definition.
    Updated(Ingress),
    /// The status became publishing (from anything else).
    Started(Ingress),
    /// The status became inactive, error or complete (from anything else).
    Ended(Ingress),
    /// `DeleteIngress` removed it. A running session was ended first ([`Self::Ended`]); the
    /// runtime drops it when it sees this.
    Deleted(Ingress),
}

impl IngressEvent {
    /// The ingress, after the change.
    pub fn ingress(&self) -> &Ingress {
        match self {
            Self::Created(i) | Self::Updated(i) | Self::Started(i) | Self::Ended(i) | Self::Deleted(i) => i,
        }
    }

    /// The webhook event name Hikari sends for it, if any. LiveKit's server sends only
    /// `ingress_started` and `ingress_ended` as webhooks (its `IngressCreated`, `IngressDeleted`
    /// and `IngressUpdated` go to analytics only); Hikari also sends `ingress_created` and
    /// `ingress_deleted`, which receivers that switch on the event name ignore if they do not
    /// know them. Definition updates send none, as in LiveKit.
    pub fn webhook_name(&self) -> Option<&'static str> {
        match self {
            Self::Created(_) => Some("ingress_created"),
            Self::Started(_) => Some("ingress_started"),
            Self::Ended(_) => Some("ingress_ended"),
            Self::Deleted(_) => Some("ingress_deleted"),
            Self::Updated(_) => None,
        }
    }
}

/// Where the registry delivers its events: a call that must not block (the server's bus
/// publisher). Runs while the registry's write lock is held.
pub type EventSink = Arc<dyn Fn(IngressEvent) + Send + Sync>;
