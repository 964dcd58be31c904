//! Hikari experiment statistics (temporary header, replaced below).
#![deny(missing_docs)]

pub mod dist;
mod error;
mod stats;

pub use error::{Result, StatsError};
pub use stats::{ArmStats, BinomialStats, MeanStats};
