//! Per-arm results of an experiment (from the store's sufficient statistics) and of
//! caller-supplied statistics (`POST /api/v1/stats/compare`), in one JSON shape.

use crate::error::AppError;
use hikari_funnel::{ArmDay, DomainError, Experiment, experiment::Mode};
use hikari_funnel_store::ExperimentRepo;
use hikari_stats::{AnalysisConfig, ArmStats, ExperimentAnalysis, analyze};
use serde::Deserialize;
use serde_json::{Value, json};

fn invalid(e: hikari_stats::StatsError) -> AppError {
    DomainError::invalid("arms", e).into()
}

/// Totals per arm over all days.
pub fn arm_stats(e: &Experiment, days: &[ArmDay]) -> Vec<ArmStats> {
    (0..e.arms.len())
        .map(|arm| {
            let mine = days.iter().filter(|d| d.arm == arm);
            let (n, conv, sum, sq) =
                mine.fold((0u64, 0u64, 0.0, 0.0), |a, d| (a.0 + d.n.max(0) as u64, a.1 + d.conversions.max(0) as u64, a.2 + d.sum, a.3 + d.sum_squares));
            if e.goal.is_binomial() { ArmStats::binomial(n, conv) } else { ArmStats::mean_metric(n, sum, sq) }
        })
        .collect()
}

/// The weights the SRM check compares with: the configured ones, except for bandits, whose
/// weights change over time (their split is not tested; the observed shares are used).
pub fn srm_weights(e: &Experiment, stats: &[ArmStats]) -> Vec<f64> {
    let total: u64 = stats.iter().map(ArmStats::n).sum();
    match e.mode {
        Mode::Bandit if total > 0 && stats.iter().all(|s| s.n() > 0) => stats.iter().map(|s| s.n() as f64 / total as f64).collect(),
        _ => e.weights(),
    }
}

/// Analysis when every arm has at least one unit; `None` before that.
pub fn analysis(stats: &[ArmStats], weights: &[f64]) -> Result<Option<ExperimentAnalysis>, AppError> {
    if stats.iter().any(|s| s.n() == 0) {
        return Ok(None);
    }
    analyze(stats, weights, &AnalysisConfig::default()).map(Some).map_err(invalid)
}

/// One JSON object per arm: `{arm, visitors, conversions | sum, mean, chance_to_win, risk,
/// uplift: {mean, ci}, p_value, ci}` (comparisons are null for control).
pub fn arms_json(names: &[String], stats: &[ArmStats], a: Option<&ExperimentAnalysis>) -> Vec<Value> {
    stats
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let row = a.and_then(|a| a.arms.get(i));
            let bayes = row.and_then(|r| r.bayesian);
            let freq = row.and_then(|r| r.frequentist);
            let mut v = json!({
                "arm": names.get(i).cloned().unwrap_or_else(|| i.to_string()),
                "index": i,
                "visitors": s.n(),
                "mean": if s.n() > 0 { s.mean() } else { 0.0 },
                "chance_to_win": bayes.map(|b| b.chance_to_win),
                "risk": bayes.map(|b| b.risk[1]),
                "uplift": bayes.map(|b| json!({ "mean": b.expected, "ci": b.ci })),
                "p_value": freq.map(|f| f.p_value),
                "ci": freq.map(|f| f.ci),
            });
            if s.is_binomial() {
                v["conversions"] = json!(s.sum().round() as u64);
            } else {
                v["sum"] = json!(s.sum());
                v["sum_squares"] = json!(s.sum_squares());
            }
            v
        })
        .collect()
}

/// Whether the split looks broken: the SRM p-value is below GrowthBook's threshold (0.001).
pub fn srm_warning(srm_p: Option<f64>) -> bool {
    srm_p.is_some_and(|p| p < hikari_stats::DEFAULT_SRM_THRESHOLD)
}

/// An experiment's results (`GET /api/v1/experiments/{id}/results`, the admin results page).
pub async fn results(repo: &dyn ExperimentRepo, e: &Experiment) -> Result<Value, AppError> {
    let days = repo.arm_days(e).await?;
    let stats = arm_stats(e, &days);
    let a = analysis(&stats, &srm_weights(e, &stats))?;
    let names: Vec<String> = e.arms.iter().map(|a| a.name.clone()).collect();
    let srm_p = match e.mode {
        Mode::Bandit => None,
        Mode::Split => a.as_ref().map(|a| a.srm_p),
    };
    let daily: Vec<Value> = days.iter().map(|d| json!({ "day": d.day, "arm": d.arm, "visitors": d.n, "conversions": d.conversions, "sum": d.sum })).collect();
    Ok(json!({
        "id": e.id.0,
        "name": e.name,
        "metric": if e.goal.is_binomial() { "binomial" } else { "mean" },
        "weights": e.weights(),
        "arms": arms_json(&names, &stats, a.as_ref()),
        "overall": {
            "srm_p": srm_p,
            "srm_warning": srm_warning(srm_p),
            "status": e.status.as_str(),
            "winner": e.winner.and_then(|w| names.get(w).cloned()),
        },
        "decision": e.decision,
        "daily": daily,
    }))
}

/// One arm of `POST /api/v1/stats/compare`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArmInput {
    /// The arm's name (default: its index).
    #[serde(default)]
    pub name: Option<String>,
    /// Units (visitors).
    pub n: u64,
    /// Converted units, for a binomial metric.
    #[serde(default)]
    pub conversions: Option<u64>,
    /// Sum of values, for a value metric.
    #[serde(default)]
    pub sum: Option<f64>,
    /// Sum of squared values, for a value metric.
    #[serde(default)]
    pub sum_squares: Option<f64>,
}

/// The body of `POST /api/v1/stats/compare`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareInput {
    /// The arms, control first.
    pub arms: Vec<ArmInput>,
    /// The configured weights (default: equal).
    #[serde(default)]
    pub weights: Option<Vec<f64>>,
}

/// Per-arm numbers for outside data: binomial arms carry `conversions`, value arms `sum`
/// and `sum_squares`; all arms must be of one kind.
pub fn compare(input: CompareInput) -> Result<Value, AppError> {
    let k = input.arms.len();
    if !(2..=hikari_funnel::experiment::MAX_ARMS).contains(&k) {
        return Err(DomainError::invalid("arms", format!("need 2 to {} arms, got {k}", hikari_funnel::experiment::MAX_ARMS)).into());
    }
    let mut stats = Vec::with_capacity(k);
    for (i, a) in input.arms.iter().enumerate() {
        stats.push(match (a.conversions, a.sum, a.sum_squares) {
            (Some(c), None, None) => ArmStats::binomial(a.n, c),
            (None, Some(s), Some(q)) => ArmStats::mean_metric(a.n, s, q),
            _ => {
                return Err(DomainError::invalid(format!("arms[{i}]"), "give either conversions (binomial) or sum and sum_squares (value metric)").into());
            }
        });
        stats[i].validate().map_err(|e| AppError::from(DomainError::invalid(format!("arms[{i}]"), e)))?;
    }
    if stats.iter().any(|s| s.is_binomial() != stats[0].is_binomial()) {
        return Err(DomainError::invalid("arms", "all arms must be binomial or all value metrics").into());
    }
    let weights = match input.weights {
        Some(w) if w.len() != k => {
            return Err(DomainError::invalid("weights", format!("{k} arms but {} weights", w.len())).into());
        }
        Some(w) => hikari_funnel::experiment::normalise_weights(&w)?,
        None => vec![1.0 / k as f64; k],
    };
    if stats.iter().any(|s| s.n() == 0) {
        return Err(DomainError::invalid("arms", "every arm needs n ≥ 1").into());
    }
    let a = analyze(&stats, &weights, &AnalysisConfig::default()).map_err(invalid)?;
    let names: Vec<String> = input.arms.iter().enumerate().map(|(i, a)| a.name.clone().unwrap_or_else(|| i.to_string())).collect();
    Ok(json!({ "arms": arms_json(&names, &stats, Some(&a)), "srm_p": a.srm_p }))
}
