//! Shared state handed to every handler (a leaf module: it names only other crates' types and
//! the leaf modules `config` and `ratelimit`).

use crate::{config::FunnelConfig, ratelimit::RateLimiter};
use hikari_funnel_app::{App, RecordingLibrary};
use hikari_funnel_store::AdminRepo;
use std::sync::Arc;

/// The router's state: cheap to clone. No handler gets the whole store: the use cases live in
/// [`App`]; sign-in and API tokens use the admin port.
#[derive(Clone)]
pub(crate) struct AppState {
    pub app: App,
    pub admin: Arc<dyn AdminRepo>,
    pub config: Arc<FunnelConfig>,
    /// Page views per client address (counted up to ten times the limit).
    pub views: Arc<RateLimiter>,
    pub submits: Arc<RateLimiter>,
    pub logins: Arc<RateLimiter>,
    pub collects: Arc<RateLimiter>,
    /// Chat messages per registrant (5 in 10 seconds).
    pub chats: Arc<RateLimiter>,
    /// Reactions per registrant (10 in 10 seconds).
    pub reactions: Arc<RateLimiter>,
    /// Failed API tokens per client address (20 a minute).
    pub api_failures: Arc<RateLimiter>,
    pub sanitizer: Arc<ammonia::Builder<'static>>,
    /// The recordings library, when the server records (the binary's wiring provides it).
    pub recordings: Option<Arc<dyn RecordingLibrary>>,
}

impl AppState {
    pub fn new(app: App, admin: Arc<dyn AdminRepo>, config: FunnelConfig, recordings: Option<Arc<dyn RecordingLibrary>>) -> Self {
        let views = RateLimiter::new(config.view_limit_per_minute.max(1), 60_000);
        let submits = RateLimiter::new(config.submit_limit_per_minute.max(1), 60_000);
        let collects = RateLimiter::new(config.collect_limit_per_minute.max(1), 60_000);
        Self {
            app,
            admin,
            config: Arc::new(config),
            views: Arc::new(views),
            submits: Arc::new(submits),
            logins: Arc::new(RateLimiter::new(10, 60_000)),
            collects: Arc::new(collects),
            chats: Arc::new(RateLimiter::new(5, 10_000)),
            reactions: Arc::new(RateLimiter::new(10, 10_000)),
            api_failures: Arc::new(RateLimiter::new(20, 60_000)),
            sanitizer: Arc::new(ammonia::Builder::default()),
            recordings,
        }
    }

    /// Whether cookies get the `Secure` attribute.
    pub fn secure_cookies(&self) -> bool {
        self.config.public_base_url.starts_with("https://")
    }
}
