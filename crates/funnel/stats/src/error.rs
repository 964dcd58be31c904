//! The one error type of the crate.

use thiserror::Error;

/// Why a computation could not be carried out.
///
/// Degenerate but valid data (zero variance, zero conversions, a sample of one) is not an
/// error: the tests return gbstats' uninformative default result with a
/// [`crate::Degenerate`] reason instead. Errors are reserved for input that no
/// statistics can be computed from.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum StatsError {
    /// A number that must be finite was NaN or infinite.
    #[error("{field} must be a finite number, got {value}")]
    NonFinite {
        /// Which input was not finite.
        field: &'static str,
        /// The offending value.
        value: f64,
    },
    /// A binomial arm reported more conversions than units.
    #[error("conversions ({conversions}) exceed units ({n})")]
    ConversionsExceedUnits {
        /// Units in the arm.
        n: u64,
        /// Conversions reported for the arm.
        conversions: u64,
    },
    /// The sum of squares is smaller than the square of the sum allows (sum² / n).
    #[error("sum of squares {sum_squares} is below sum²/n for n = {n}, sum = {sum}")]
    InconsistentMoments {
        /// Units in the arm.
        n: u64,
        /// Sum of values.
        sum: f64,
        /// Sum of squared values.
        sum_squares: f64,
    },
    /// The arms of one comparison are not of the same metric kind.
    #[error("control and variant must both be binomial or both be mean metrics")]
    MixedMetricKinds,
    /// Fewer arms than the computation needs.
    #[error("at least {required} arms are required, got {got}")]
    TooFewArms {
        /// Minimum number of arms.
        required: usize,
        /// Number of arms given.
        got: usize,
    },
    /// Two lists that must be parallel have different lengths.
    #[error("{what}: expected {expected} entries, got {got}")]
    LengthMismatch {
        /// Which list is off.
        what: &'static str,
        /// Its expected length.
        expected: usize,
        /// Its actual length.
        got: usize,
    },
    /// A parameter is outside its valid range.
    #[error("{name} = {value} is out of range: {expected}")]
    OutOfRange {
        /// Parameter name.
        name: &'static str,
        /// The value given.
        value: f64,
        /// What was expected, as a phrase.
        expected: &'static str,
    },
    /// Weights must be non-negative and at least one must be positive.
    #[error("weights must be finite, non-negative and not all zero")]
    InvalidWeights,
    /// A prior with zero or negative variance, or an improper prior on an arm without
    /// variance, leaves the posterior undefined.
    #[error("the posterior is undefined: {0}")]
    UndefinedPosterior(&'static str),
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, StatsError>;
