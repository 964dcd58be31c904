//! What the media half and the funnel half share, and nothing else: the one wall-clock
//! reading ([`clock`]) and the one bounded, typed event bus ([`bus`]).
//!
//! Architecture Invariant: this crate names no type of either half; it depends only on
//! `tokio`'s channels (no runtime) and `tracing`.

pub mod bus;
pub mod clock;
