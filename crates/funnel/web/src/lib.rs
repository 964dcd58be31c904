//! The funnel's HTTP layer: public pages under `/f/`, the builder under `/admin`, the JSON API
//! under `/api/v1/` (described by `/api/v1/openapi.json`).
//!
//! The binary calls [`router`] once with a [`FunnelConfig`] and merges the returned router into
//! its own; it should serve it with `into_make_service_with_connect_info::<SocketAddr>()` so the
//! form rate limit can key on the client address. [`create_user`] and [`create_token`] back the
//! `hikari admin create-user` and `create-token` commands.
//!
//! Handlers are thin: parse the request into domain types, call the store, render. Every error
//! is a [`FunnelError`], mapped to an HTTP status in exactly one place (`error.rs`). Visitor
//! pages are server-rendered with escaping by construction (maud); `html` blocks go through
//! ammonia; the only scripts visitors load are two small first-party files (form checks and
//! the tracking beacon).

mod admin;
mod api;
mod assets;
mod clock;
mod error;
mod experiments;
mod extract;
mod public;
mod ratelimit;
mod render;
mod reporting;
mod security;
mod sink;
mod state;

pub use error::FunnelError;
pub use hikari_funnel::{TokenId, UserId};

use axum::Router;
use std::{path::PathBuf, sync::Arc};

/// Everything the funnel side needs from the binary's configuration.
#[derive(Clone, Debug)]
pub struct FunnelConfig {
    /// Where the SQLite file lives (`<data_dir>/funnel.sqlite3`) when no database URL is set.
    pub data_dir: PathBuf,
    /// `postgres://…` (or `sqlite:…`) to override the default SQLite file.
    pub database_url: Option<String>,
    /// The public origin, e.g. `https://example.com`; `https` turns on `Secure` cookies.
    pub public_base_url: String,
    /// Form submissions allowed per client address per minute.
    pub submit_limit_per_minute: u32,
    /// How often running experiments are evaluated (automatic winner, bandit reweights).
    pub experiment_interval: std::time::Duration,
}

impl FunnelConfig {
    /// A config with defaults: SQLite under `data_dir`, 20 submissions a minute.
    pub fn new(data_dir: impl Into<PathBuf>, public_base_url: impl Into<String>) -> Self {
        Self {
            data_dir: data_dir.into(),
            database_url: None,
            public_base_url: public_base_url.into(),
            submit_limit_per_minute: 20,
            experiment_interval: std::time::Duration::from_secs(600),
        }
    }
}

/// Opens the store (running migrations) and builds the funnel router: `/f/…`, `/admin…` and
/// `/api/v1/…`.
pub async fn router(config: FunnelConfig) -> Result<Router, FunnelError> {
    let store = hikari_funnel_store::open(&config.data_dir, config.database_url.as_deref()).await?;
    let every = config.experiment_interval;
    let state = state::AppState::new(store, config);
    experiments::spawn(state.clone(), every);
    Ok(Router::new()
        .merge(public::routes())
        .merge(admin::routes())
        .merge(api::routes(state.clone()))
        .layer(axum::extract::DefaultBodyLimit::max(hikari_funnel::MAX_PAGE_BYTES * 2))
        .with_state(state))
}

/// Creates an admin user (for `hikari admin create-user`). The password needs 8+ characters.
pub async fn create_user(config: &FunnelConfig, email: &str, password: &str) -> Result<UserId, FunnelError> {
    let store = hikari_funnel_store::open(&config.data_dir, config.database_url.as_deref()).await?;
    admin::auth::create_user(&*store, email, password).await
}

/// Creates an API token (for `hikari admin create-token`) and returns its secret, which is
/// shown only once: only its hash is stored.
pub async fn create_token(config: &FunnelConfig, name: &str) -> Result<String, FunnelError> {
    let store = hikari_funnel_store::open(&config.data_dir, config.database_url.as_deref()).await?;
    Ok(security::issue_token(&*store, name).await?.1)
}

/// Shared by the binary's tests: the store type behind the router.
pub type SharedStore = Arc<dyn hikari_funnel_store::Store>;
