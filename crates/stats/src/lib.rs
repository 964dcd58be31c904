//! Hikari experiment statistics (temporary header, replaced below).
#![deny(missing_docs)]

mod bayesian;
pub mod dist;
mod effect;
mod error;
mod frequentist;
mod sequential;
mod srm;
mod stats;

pub use bayesian::{bayesian_test, BayesianConfig, BayesianResult, GaussianPrior};
pub use effect::{Degenerate, DifferenceType, Uplift};
pub use error::{Result, StatsError};
pub use frequentist::{t_test, FrequentistConfig, FrequentistResult};
pub use sequential::{sequential_test, SequentialConfig, DEFAULT_SEQUENTIAL_TUNING};
pub use srm::{srm_p_value, DEFAULT_SRM_THRESHOLD};
pub use stats::{ArmStats, BinomialStats, MeanStats};
