//! Building funnels: funnels, steps, edges and pages, for the JSON API, the admin pages and
//! the MCP server alike. Every change drops the cached public pages once it is stored, so no
//! front end has to remember to.

use crate::{cache::PageCache, error::AppError, target::Target};
use hikari_common::clock::unix_millis;
use hikari_funnel::{Edge, EdgeId, Funnel, FunnelId, Locale, NewEdge, NewFunnel, NewStep, PageDraft, Step, StepId};
use hikari_funnel_store::{FunnelRepo, PageState};
use std::sync::Arc;

/// The builder use cases over the funnel port; cheap to clone.
#[derive(Clone)]
pub struct Builder {
    repo: Arc<dyn FunnelRepo>,
    pages: Arc<PageCache<Target>>,
}

impl Builder {
    /// The use cases over `repo`, dropping `pages` after every change.
    pub fn new(repo: Arc<dyn FunnelRepo>, pages: Arc<PageCache<Target>>) -> Self {
        Self { repo, pages }
    }

    fn changed<T>(&self, r: T) -> T {
        self.pages.invalidate();
        r
    }

    /// All funnels, newest first.
    pub async fn funnels(&self) -> Result<Vec<Funnel>, AppError> {
        Ok(self.repo.funnels().await?)
    }

    /// One funnel.
    pub async fn funnel(&self, id: FunnelId) -> Result<Funnel, AppError> {
        Ok(self.repo.funnel(id).await?)
    }

    /// Creates a funnel; `Conflict` if the slug is taken.
    pub async fn create_funnel(&self, new: &NewFunnel) -> Result<Funnel, AppError> {
        Ok(self.changed(self.repo.create_funnel(new, unix_millis()).await?))
    }

    /// Renames a funnel and sets its forced locale.
    pub async fn update_funnel(&self, id: FunnelId, name: &str, locale: Option<Locale>) -> Result<Funnel, AppError> {
        Ok(self.changed(self.repo.update_funnel(id, name, locale).await?))
    }

    /// Deletes a funnel with its steps, edges and pages (events stay).
    pub async fn delete_funnel(&self, id: FunnelId) -> Result<(), AppError> {
        self.repo.delete_funnel(id).await?;
        self.pages.invalidate();
        Ok(())
    }

    /// A funnel's steps by position.
    pub async fn steps(&self, funnel: FunnelId) -> Result<Vec<Step>, AppError> {
        Ok(self.repo.steps(funnel).await?)
    }

    /// One step.
    pub async fn step(&self, id: StepId) -> Result<Step, AppError> {
        Ok(self.repo.step(id).await?)
    }

    /// Appends a step (with an empty page at version 1).
    pub async fn create_step(&self, funnel: FunnelId, new: &NewStep) -> Result<Step, AppError> {
        Ok(self.changed(self.repo.create_step(funnel, new, unix_millis()).await?))
    }

    /// Renumbers the steps of a funnel; `order` must list each step exactly once.
    pub async fn reorder_steps(&self, funnel: FunnelId, order: &[StepId]) -> Result<(), AppError> {
        self.repo.reorder_steps(funnel, order).await?;
        self.pages.invalidate();
        Ok(())
    }

    /// Deletes a step and its edges and page.
    pub async fn delete_step(&self, id: StepId) -> Result<(), AppError> {
        self.repo.delete_step(id).await?;
        self.pages.invalidate();
        Ok(())
    }

    /// A funnel's edges.
    pub async fn edges(&self, funnel: FunnelId) -> Result<Vec<Edge>, AppError> {
        Ok(self.repo.edges(funnel).await?)
    }

    /// Adds an edge between two steps of the funnel.
    pub async fn create_edge(&self, funnel: FunnelId, new: &NewEdge) -> Result<Edge, AppError> {
        Ok(self.changed(self.repo.create_edge(funnel, new).await?))
    }

    /// Deletes an edge.
    pub async fn delete_edge(&self, id: EdgeId) -> Result<(), AppError> {
        self.repo.delete_edge(id).await?;
        self.pages.invalidate();
        Ok(())
    }

    /// A step's page: the draft, its version and the published version.
    pub async fn page(&self, step: StepId) -> Result<PageState, AppError> {
        Ok(self.repo.page(step).await?)
    }

    /// Saves the draft if the stored version is still `expected` (else `VersionConflict`);
    /// returns the new version.
    pub async fn save_page(&self, step: StepId, draft: &PageDraft, expected: i64) -> Result<i64, AppError> {
        Ok(self.changed(self.repo.save_page(step, draft, expected, unix_millis()).await?))
    }

    /// Publishes the draft at version `expected`; returns the published version.
    pub async fn publish_page(&self, step: StepId, expected: i64) -> Result<i64, AppError> {
        Ok(self.changed(self.repo.publish_page(step, expected, unix_millis()).await?))
    }
}
