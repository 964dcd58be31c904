//! LiveKit webhooks.
//!
//! [`Notifier::notify`] takes a room event and returns at once: it never blocks and
//! never awaits, so the media thread's event consumer cannot be slowed by a slow
//! receiver. Behind it, every URL has a few *lanes*, each a bounded queue drained by one
//! task; a room always maps to the same lane, so one room's events arrive in order.
//! A failed delivery is retried with exponential backoff (the lane waits, keeping the
//! order); after the last attempt the event is counted as failed and logged. When a
//! lane's queue is full the event is dropped, counted, and the next delivered event
//! carries the count in `numDropped`.
//!
//! The body is LiveKit's `WebhookEvent` in protojson, `Content-Type:
//! application/webhook+json`, and `Authorization` is a raw JWT (no `Bearer`) signed with
//! the webhook API key, carrying the body's SHA-256 (base64) in the `sha256` claim.
#![deny(missing_docs)]

mod error;
mod event;
mod queue;
mod sign;
mod transport;

pub use error::WebhookError;
pub use event::{Event, EventKind};
pub use queue::{Notifier, WebhookCounters, WebhookSettings};
pub use sign::{body_sha256, sign_body};
pub use transport::{HttpTransport, Transport, check_url};
