//! The funnel's HTTP layer: public pages under `/f/`, the builder under `/admin`, the JSON API
//! under `/api/v1/` (described by `/api/v1/openapi.json`).
//!
//! The binary calls [`start`] once with a [`FunnelConfig`], merges the returned router into its
//! own and keeps the returned [`Background`] (the event writer and the experiment scheduler of
//! `hikari-funnel-app`), calling [`Background::shutdown`] after its servers stop. It should
//! serve the router with `into_make_service_with_connect_info::<SocketAddr>()` so the form rate
//! limit can key on the client address. [`create_user`] and [`create_token`] back the
//! `hikari admin create-user` and `create-token` commands.
//!
//! Handlers are thin: parse the request, call a use case of `hikari-funnel-app` (sign-in and
//! API tokens use the store's admin port), render. Every error is a [`FunnelError`]
//! (the app's `AppError` and the store's errors convert into it), mapped to an HTTP status in
//! exactly one place (`error.rs`). Visitor pages are server-rendered with escaping by
//! construction (maud); `html` blocks go through ammonia; the only scripts visitors load are
//! two small first-party files (form checks and the tracking beacon).
//!
//! Modules only reference modules that do not reference them back: shared items live in leaf
//! modules (`config`, `error`, `state`, `notices`, `admin/layout`, `api/reply`, `api/openapi/parts`), and
//! this file only declares, re-exports and wires.

mod admin;
mod api;
mod assets;
mod config;
mod error;
mod extract;
mod headers;
mod notices;
mod public;
mod ratelimit;
mod render;
mod report_csv;
mod security;
mod state;

pub use assets::{hls_js_path, livekit_client_path};
pub use config::{DEFAULT_BEACONS_PER_MINUTE, DEFAULT_SUBMITS_PER_MINUTE, DEFAULT_VIEWS_PER_MINUTE, FunnelConfig};
pub use error::FunnelError;
pub use hikari_funnel::{TokenId, UserId};
pub use hikari_funnel_app::Background;

use axum::Router;
use std::sync::Arc;

/// Opens the store (running migrations), starts the application's background tasks and builds
/// the funnel router: `/f/…`, `/admin…` and `/api/v1/…`. The caller owns the returned
/// [`Background`] and shuts it down after it stops serving.
pub async fn start(config: FunnelConfig) -> Result<(Router, Background), FunnelError> {
    let started = start_with(config, Ports::none()).await?;
    Ok((started.router, started.background))
}

/// What the binary's wiring lends the funnel: where stored events go, and the media half's
/// recordings library and rooms (each optional).
pub struct Ports {
    /// Told of every funnel event once it is stored (the binary publishes them on its bus).
    pub on_stored: hikari_funnel_app::OnStored,
    /// The recordings library, when the server records.
    pub recordings: Option<Arc<dyn hikari_funnel_app::RecordingLibrary>>,
    /// The rooms webinars run in; without them nobody joins a session.
    pub rooms: Option<Arc<dyn hikari_funnel_app::RoomAccess>>,
    /// Encoder input (OBS) into webinar rooms, when the server takes it.
    pub encoders: Option<Arc<dyn hikari_funnel_app::EncoderAccess>>,
}

impl Ports {
    /// No ports: events go nowhere, no recordings, no rooms.
    pub fn none() -> Self {
        Self { on_stored: Arc::new(|_| {}), recordings: None, rooms: None, encoders: None }
    }
}

/// A started funnel: its router, its background tasks, and the webinar use cases (the
/// binary's wiring tells them of room events: attendance).
pub struct Started {
    /// `/f/…`, `/admin…`, `/join/…` and `/api/v1/…`.
    pub router: Router,
    /// Shut down after serving stops.
    pub background: Background,
    /// Webinars, sessions and attendance.
    pub webinars: hikari_funnel_app::Webinars,
}

/// [`start`] with the media half's [`Ports`].
pub async fn start_with(config: FunnelConfig, ports: Ports) -> Result<Started, FunnelError> {
    let Ports { on_stored, recordings, rooms, encoders } = ports;
    let store = hikari_funnel_store::open(&config.data_dir, config.database_url.as_deref()).await?;
    let (mut app, background) = hikari_funnel_app::App::start(store.clone(), config.experiment_interval, on_stored);
    if let Some(rooms) = rooms {
        app = app.with_rooms(rooms);
    }
    if let Some(encoders) = encoders {
        app = app.with_encoders(encoders);
    }
    let webinars = app.webinars.clone();
    let https = config.public_base_url.starts_with("https://");
    let state = state::AppState::new(app, store, config, recordings);
    let with_headers = move |family: headers::Family| {
        axum::middleware::map_response(move |mut response: axum::response::Response| async move {
            headers::apply(family, https, &mut response);
            response
        })
    };
    let router = Router::new()
        .merge(public::routes().layer(with_headers(headers::Family::Public)))
        .merge(admin::routes(state.clone()).layer(with_headers(headers::Family::Admin)))
        .merge(api::routes(state.clone()).layer(with_headers(headers::Family::Api)))
        .layer(axum::extract::DefaultBodyLimit::max(hikari_funnel::MAX_PAGE_BYTES * 2))
        .with_state(state);
    Ok(Started { router, background, webinars })
}

/// Creates an admin user (for `hikari admin create-user`). The password needs 8+ characters.
pub async fn create_user(config: &FunnelConfig, email: &str, password: &str) -> Result<UserId, FunnelError> {
    let store = hikari_funnel_store::open(&config.data_dir, config.database_url.as_deref()).await?;
    security::create_user(&*store, email, password).await
}

/// Creates an API token (for `hikari admin create-token`) and returns its secret, which is
/// shown only once: only its hash is stored.
pub async fn create_token(config: &FunnelConfig, name: &str) -> Result<String, FunnelError> {
    let store = hikari_funnel_store::open(&config.data_dir, config.database_url.as_deref()).await?;
    Ok(security::issue_token(&*store, name).await?.1)
}

/// Shared by the binary's tests: the store type behind the router.
pub type SharedStore = Arc<dyn hikari_funnel_store::Store>;
