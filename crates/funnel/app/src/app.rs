//! The composition root: splits the store into its ports, builds the use cases over them and
//! starts the background tasks.

use crate::{
    background::Background,
    builder::Builder,
    chat::Chat,
    collect::{NewEvent, collect},
    error::AppError,
    experiments::Experiments,
    offers::Offers,
    page_view::view,
    polls::Polls,
    records::Records,
    reports::Reports,
    scheduler::SchedulerTask,
    session_report::SessionReports,
    stage::Stage,
    submit::{SubmitPorts, Submitted, submit},
    target::{Pages, Target},
    visit::Visit,
    webinars::Webinars,
    writer::{EventWriter, OnStored},
};
use hikari_funnel_store::{FunnelRepo, Store};
use std::{collections::HashMap, sync::Arc, time::Duration};

/// The funnel application: every use case, each over the narrow ports it needs. Cheap to
/// clone; the web front ends (and, later, the MCP server) hold one.
#[derive(Clone)]
pub struct App {
    /// Public URL resolution and the page cache.
    pub pages: Pages,
    /// Funnels, steps, edges and pages.
    pub builder: Builder,
    /// Experiment management, assignment, results and evaluation.
    pub experiments: Experiments,
    /// The one event writer.
    pub events: EventWriter,
    /// The funnel report.
    pub reports: Reports,
    /// Contacts and events, read-only.
    pub records: Records,
    /// Webinars, sessions, registrations and tickets.
    pub webinars: Webinars,
    /// What people say in sessions' rooms.
    pub chat: Chat,
    /// Polls in sessions' rooms.
    pub polls: Polls,
    /// Offers in sessions' rooms.
    pub offers: Offers,
    /// Webinar sessions' reports.
    pub session_reports: SessionReports,
    /// Raised hands, attendees on stage, removals.
    pub stage: Stage,
    funnels: Arc<dyn FunnelRepo>,
}

impl App {
    /// Builds the application over `store` and starts the event writer and the experiment
    /// scheduler (every `experiment_interval`); needs a Tokio runtime. The caller keeps the
    /// returned [`Background`] and shuts it down when it stops serving. `on_stored` is told of
    /// every event once it is stored.
    pub fn start(store: Arc<dyn Store>, experiment_interval: Duration, on_stored: OnStored) -> (Self, Background) {
        let funnels: Arc<dyn FunnelRepo> = store.clone();
        let pages = Pages::new(funnels.clone(), store.clone());
        let experiments = Experiments::new(store.clone(), pages.cache());
        let (events, writer) = EventWriter::start(store.clone(), store.clone(), on_stored);
        let scheduler = SchedulerTask::start(experiments.clone(), experiment_interval);
        let builder = Builder::new(funnels.clone(), pages.cache());
        let reports = Reports::new(funnels.clone(), store.clone());
        let records = Records::new(store.clone(), store.clone());
        let webinars = Webinars::new(store.clone(), events.clone());
        let chat = Chat::new(store.clone(), store.clone(), store.clone(), webinars.live().clone(), events.clone());
        let polls = Polls::new(store.clone(), store.clone(), webinars.live().clone(), events.clone());
        let offers = Offers::new(store.clone(), store.clone(), webinars.live().clone(), events.clone());
        let stage = Stage::new(store.clone(), store.clone(), webinars.live().clone(), events.clone());
        let session_reports = SessionReports::new(store.clone(), store);
        let app = Self { pages, builder, experiments, events, reports, records, webinars, chat, polls, offers, session_reports, stage, funnels };
        (app, Background { writer, scheduler })
    }

    /// The same application, letting webinar hosts and registrants into rooms through
    /// `rooms` (the binary's wiring provides it over the media half).
    pub fn with_rooms(self, rooms: Arc<dyn crate::rooms::RoomAccess>) -> Self {
        Self { webinars: self.webinars.with_rooms(rooms.clone()), stage: self.stage.with_rooms(rooms), ..self }
    }

    /// The same application, letting encoders (OBS) present in webinar rooms through
    /// `encoders` (the binary's wiring provides it over its ingress).
    pub fn with_encoders(self, encoders: Arc<dyn crate::rooms::EncoderAccess>) -> Self {
        Self { webinars: self.webinars.with_encoders(encoders), ..self }
    }

    /// Resolves `/f/{funnel}/{step}` (`None`: no such published page).
    pub async fn target(&self, funnel: &str, step: &str) -> Result<Option<Arc<Target>>, AppError> {
        self.pages.target(funnel, step).await
    }

    /// Records a view of a page (and the experiment exposure); returns the arm served.
    pub async fn view(&self, t: &Target, visit: &Visit, now: i64) -> Result<Option<usize>, AppError> {
        view(&self.experiments, &self.events, t, visit, now).await
    }

    /// Handles a form submission on a page (see [`crate::submit::submit`]).
    pub async fn submit(&self, t: &Target, visit: &Visit, raw: &HashMap<String, String>, now: i64) -> Result<Submitted, AppError> {
        let ports = SubmitPorts { funnels: &*self.funnels, experiments: &self.experiments, events: &self.events, webinars: &self.webinars };
        submit(&ports, t, visit, raw, now).await
    }

    /// Records a beacon's custom events; returns how many were new.
    pub async fn collect(&self, visit: &Visit, batch: Vec<NewEvent>, now: i64) -> Result<u64, AppError> {
        collect(&self.events, &self.builder, visit, batch, now).await
    }
}
