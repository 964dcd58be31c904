//! Experiment statistics for Hikari: the numbers behind A/B/n tests, bandits and
//! automatic winners, computed exactly as GrowthBook's `gbstats` 0.8.0 computes them.
//!
//! # Model
//!
//! Every arm is summarised by sufficient statistics, never raw rows: [`ArmStats`] is
//! either binomial (`n`, `conversions`) or a value metric (`n`, `sum`, `sum_squares`).
//! Arm 0 is control; every other arm is compared with it.
//!
//! The effect of a variant is the relative lift `(μ_B − μ_A) / μ_A` (GrowthBook's
//! default) or the absolute difference, with a normal approximation of its sampling
//! variance (the delta method for relative lifts). On top of that:
//!
//! * [`bayesian_test`]: chance to win, expected loss (risk) for control and variant, and
//!   the credible interval of the uplift, from the Gaussian posterior of the effect
//!   (improper prior by default, optional proper prior on the relative effect);
//! * [`t_test`]: Welch's two-sided t-test with p-value and confidence interval;
//! * [`sequential_test`]: an always-valid confidence sequence (tuning N* = 5000) whose
//!   p-value and interval stay valid however often results are looked at;
//! * [`srm_p_value`]: the sample-ratio-mismatch chi-square test (warn below 0.001);
//! * [`analyze`]: all of the above for every arm of an experiment at once;
//! * [`decide`]: the automatic-winner rule (minimum sample, chance to win ≥ 0.95,
//!   risk ≤ 0.0025, no SRM) returning [`Decision::Continue`], [`Decision::Winner`] or
//!   [`Decision::Stop`];
//! * [`bandit_weights`]: top-two Thompson sampling weights with a 1 % floor, produced once
//!   every arm has 100 units (seeded Monte Carlo, or [`bandit_weights_exact`] by
//!   quadrature);
//! * [`assign`]: deterministic, sticky-by-construction arm assignment by GrowthBook's
//!   FNV-1a-32 v2 hash.
//!
//! Everything is a pure, deterministic function: no IO, clocks, threads or global state.
//!
//! # Bad input
//!
//! Nothing here panics on input. Data that is valid but cannot support a test (zero
//! conversions in control, `n ≤ 1`, zero variance, an empty arm) gives gbstats' own
//! uninformative result (chance to win 0.5, p-value 1, intervals `[0, 0]`) with the
//! reason in a `degenerate` field. Data that is not a possible sample (NaN or infinite
//! sums, more conversions than units, mismatched lists, invalid weights or thresholds)
//! is a [`StatsError`].
//!
//! # Example
//!
//! ```
//! use hikari_stats::{analyze, decide, AnalysisConfig, ArmStats, Decision, WinnerRule};
//!
//! let arms = [ArmStats::binomial(1000, 100), ArmStats::binomial(1000, 130)];
//! let analysis = analyze(&arms, &[0.5, 0.5], &AnalysisConfig::default())?;
//! let b = analysis.arms[1].bayesian.expect("variants have results");
//! assert!((b.chance_to_win - 0.967276).abs() < 1e-6);
//! assert!(matches!(decide(&analysis, &WinnerRule::default())?, Decision::Winner { arm: 1, .. }));
//! # Ok::<(), hikari_stats::StatsError>(())
//! ```
//!
//! # Agreement with gbstats
//!
//! `tests/fixtures/*.json` hold gbstats 0.8.0's outputs on inputs that cover the edge
//! cases above; `scripts/gbstats-fixtures --check` regenerates them in a venv and fails
//! if they are stale. The tests require 1e-9 relative agreement for closed-form numbers
//! and 1e-7 for numbers that go through the Student t distribution (with an absolute
//! floor of 1e-15 for p-values that gbstats computes as `1 − cdf`). Bandit weights, being
//! Monte-Carlo estimates on different random streams, are compared within ±0.01.
#![deny(missing_docs)]

mod assign;
mod bandit;
mod bayesian;
mod decision;
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
pub use bandit::{BanditConfig, BanditResult, bandit_weights, bandit_weights_exact};
pub use bayesian::{BayesianConfig, BayesianResult, GaussianPrior, bayesian_test};
pub use decision::{ContinueReason, Decision, Evidence, StopReason, WinnerRule, decide};
pub use effect::{Degenerate, DifferenceType, Uplift};
pub use error::{Result, StatsError};
pub use experiment::{AnalysisConfig, ArmAnalysis, Engine, ExperimentAnalysis, analyze};
pub use frequentist::{FrequentistConfig, FrequentistResult, t_test};
pub use sequential::{DEFAULT_SEQUENTIAL_TUNING, SequentialConfig, sequential_test};
pub use srm::{DEFAULT_SRM_THRESHOLD, srm_p_value};
pub use stats::{ArmStats, BinomialStats, MeanStats};
