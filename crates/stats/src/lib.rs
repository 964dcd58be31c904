//! Hikari experiment statistics (temporary header, replaced below).
#![deny(missing_docs)]

mod assign;
mod bandit;
mod bayesian;
pub mod dist;
mod effect;
mod error;
mod experiment;
mod frequentist;
mod rng;
mod sequential;
mod srm;
mod stats;

pub use assign::{assign, fnv1a32, hash_v2, try_assign};
pub use bandit::{bandit_weights, bandit_weights_exact, BanditConfig, BanditResult};
pub use bayesian::{bayesian_test, BayesianConfig, BayesianResult, GaussianPrior};
pub use effect::{Degenerate, DifferenceType, Uplift};
pub use error::{Result, StatsError};
pub use experiment::{analyze, AnalysisConfig, ArmAnalysis, Engine, ExperimentAnalysis};
pub use frequentist::{t_test, FrequentistConfig, FrequentistResult};
pub use sequential::{sequential_test, SequentialConfig, DEFAULT_SEQUENTIAL_TUNING};
pub use srm::{srm_p_value, DEFAULT_SRM_THRESHOLD};
pub use stats::{ArmStats, BinomialStats, MeanStats};
