//! What a public URL `/f/{funnel}/{step}` points at: the funnel, the step, its published page
//! and its live experiment with the arms' variant pages; resolved through the page cache.

use crate::{cache::PageCache, error::AppError};
use hikari_funnel::{Edge, Experiment, Funnel, PageDraft, RoutingContext, Slug, Step, next_step};
use hikari_funnel_store::{ExperimentRepo, FunnelRepo, StoreError};
use std::{collections::BTreeMap, sync::Arc};

/// A funnel, one of its steps and the step's published page.
#[derive(Debug)]
pub struct Target {
    /// The funnel.
    pub funnel: Funnel,
    /// All its steps, by position.
    pub steps: Vec<Step>,
    /// The step addressed.
    pub step: Step,
    /// The step's published page (empty for a redirect step without one).
    pub page: PageDraft,
    /// The step's live experiment, if any.
    pub experiment: Option<Experiment>,
    /// Per arm, its variant page (`None`: the step's own).
    pub variants: Vec<Option<PageDraft>>,
}

impl Target {
    /// The page an arm serves (the step's own page without an experiment).
    pub fn page_of(&self, arm: Option<usize>) -> &PageDraft {
        arm.and_then(|a| self.variants.get(a)).and_then(Option::as_ref).unwrap_or(&self.page)
    }

    /// The arm's name, for the `variant` field of events.
    pub fn arm_name(&self, arm: Option<usize>) -> Option<String> {
        let e = self.experiment.as_ref()?;
        Some(e.arms.get(arm?)?.name.clone())
    }

    /// The public path of this step, which forms post to.
    pub fn path(&self) -> String {
        format!("/f/{}/{}", self.funnel.slug, self.step.slug)
    }

    /// The path of the step after a submit: the experiment arm's `next` step (a path split),
    /// else the first matching edge, else the next step by position, else the same step.
    pub fn follow(&self, arm: Option<usize>, edges: &[Edge], form: &str, values: &BTreeMap<String, String>, events: &[String], labels: &[String]) -> String {
        let cx = RoutingContext { form: Some(form), events, values: Some(values), labels };
        let split = self.experiment.as_ref().zip(arm).and_then(|(e, a)| e.arms.get(a)).and_then(|a| a.next);
        let by_edge = split.or_else(|| next_step(edges, self.step.id, &cx));
        let next = by_edge
            .and_then(|id| self.steps.iter().find(|s| s.id == id))
            .or_else(|| self.steps.iter().find(|s| s.position > self.step.position))
            .unwrap_or(&self.step);
        format!("/f/{}/{}", self.funnel.slug, next.slug)
    }
}

/// Resolves public URLs to [`Target`]s, cached; owns the page cache.
#[derive(Clone)]
pub struct Pages {
    funnels: Arc<dyn FunnelRepo>,
    experiments: Arc<dyn ExperimentRepo>,
    cache: Arc<PageCache<Target>>,
}

impl Pages {
    /// Resolution over these ports, with a fresh cache.
    pub fn new(funnels: Arc<dyn FunnelRepo>, experiments: Arc<dyn ExperimentRepo>) -> Self {
        Self { funnels, experiments, cache: Arc::new(PageCache::new()) }
    }

    /// The cache, shared with the use cases that must drop it after a change.
    pub fn cache(&self) -> Arc<PageCache<Target>> {
        self.cache.clone()
    }

    /// Forgets every cached page (after a change to funnels, steps, pages or experiments).
    pub fn invalidate(&self) {
        self.cache.invalidate();
    }

    /// The target of `/f/{funnel}/{step}`, `None` if there is none (bad slug, unknown funnel
    /// or step, unpublished page).
    pub async fn target(&self, funnel: &str, step: &str) -> Result<Option<Arc<Target>>, AppError> {
        if let Some(t) = self.cache.get(funnel, step) {
            return Ok(Some(t));
        }
        let generation = self.cache.generation();
        let Some(t) = self.load(funnel, step).await? else {
            return Ok(None);
        };
        let t = Arc::new(t);
        self.cache.put(funnel, step, generation, t.clone());
        Ok(Some(t))
    }

    async fn load(&self, funnel: &str, step: &str) -> Result<Option<Target>, AppError> {
        let (Ok(fslug), Ok(sslug)) = (funnel.parse::<Slug>(), step.parse::<Slug>()) else {
            return Ok(None);
        };
        let funnel = match self.funnels.funnel_by_slug(&fslug).await {
            Ok(f) => f,
            Err(StoreError::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let steps = self.funnels.steps(funnel.id).await?;
        let Some(step) = steps.iter().find(|s| s.slug == sslug).cloned() else {
            return Ok(None);
        };
        // A redirect step needs no page of its own.
        let page = match self.funnels.published_page(step.id).await? {
            Some((_, page)) => page,
            None if step.redirect_url.is_some() => PageDraft::default(),
            None => return Ok(None),
        };
        let experiment = self.experiments.live_experiment(step.id).await?;
        let mut variants = Vec::new();
        for arm in experiment.iter().flat_map(|e| &e.arms) {
            variants.push(match arm.page {
                Some(p) => self.funnels.published_page(p).await?.map(|(_, d)| d),
                None => None,
            });
        }
        Ok(Some(Target { funnel, steps, step, page, experiment, variants }))
    }
}
