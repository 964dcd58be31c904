//! The funnel report: ordered levels per step and the first-touch UTM breakdown, from the
//! non-bot page views in a time range.

use crate::error::AppError;
use hikari_common::clock::unix_millis;
use hikari_funnel::{
    Funnel, FunnelId, Step,
    report::{FunnelReport, funnel_report},
};
use hikari_funnel_store::{EventRepo, FunnelRepo};
use serde::Deserialize;
use std::sync::Arc;

/// Report parameters; all optional.
#[derive(Debug, Default, Deserialize)]
pub struct ReportQuery {
    /// Conversion window in hours (default 168, at most 8784).
    pub window_hours: Option<i64>,
    /// Events from this time on, Unix ms (default: all).
    pub since: Option<i64>,
    /// Events before this time, Unix ms (default: now).
    pub until: Option<i64>,
}

/// The report use case; cheap to clone.
#[derive(Clone)]
pub struct Reports {
    funnels: Arc<dyn FunnelRepo>,
    events: Arc<dyn EventRepo>,
}

impl Reports {
    /// Reports over the funnel and event ports (the latter only read).
    pub fn new(funnels: Arc<dyn FunnelRepo>, events: Arc<dyn EventRepo>) -> Self {
        Self { funnels, events }
    }

    /// The report of funnel `id` (`NotFound` if there is none): its steps and their levels.
    pub async fn by_id(&self, id: FunnelId, q: &ReportQuery) -> Result<(Vec<Step>, FunnelReport), AppError> {
        let f = self.funnels.funnel(id).await?;
        self.report(&f, q).await
    }

    /// The report of a funnel the caller has already loaded.
    pub async fn report(&self, funnel: &Funnel, q: &ReportQuery) -> Result<(Vec<Step>, FunnelReport), AppError> {
        let hours = q.window_hours.unwrap_or(168);
        if !(1..=8784).contains(&hours) {
            return Err(AppError::BadRequest("window_hours: use 1-8784".into()));
        }
        let steps = self.funnels.steps(funnel.id).await?;
        let since = q.since.unwrap_or(0);
        let until = q.until.unwrap_or_else(|| unix_millis().saturating_add(1));
        let hits = self.events.step_hits(funnel.id, since, until).await?;
        let ids: Vec<_> = steps.iter().map(|s| s.id).collect();
        Ok((steps, funnel_report(&ids, &hits, hours * 3_600_000)))
    }
}
