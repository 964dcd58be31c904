//! What a running room composite can be told, kept by the recorder.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use tokio::sync::watch;

/// A running composite's controls.
#[derive(Clone)]
pub(crate) struct Control {
    /// The layout it draws (`UpdateLayout`).
    pub(crate) layout: watch::Sender<String>,
    /// Set to end it (`StopEgress`).
    pub(crate) stop: Arc<AtomicBool>,
}
