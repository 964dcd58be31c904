//! Shared state handed to every handler.

use crate::{
    FunnelConfig,
    public::{PageCache, Target},
    ratelimit::RateLimiter,
    sink::EventSink,
};
use hikari_funnel_store::Store;
use std::sync::Arc;

/// The router's state: cheap to clone.
#[derive(Clone)]
pub(crate) struct AppState {
    pub store: Arc<dyn Store>,
    pub events: EventSink,
    pub pages: Arc<PageCache<Target>>,
    pub config: Arc<FunnelConfig>,
    pub submits: Arc<RateLimiter>,
    pub logins: Arc<RateLimiter>,
    pub sanitizer: Arc<ammonia::Builder<'static>>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, config: FunnelConfig) -> Self {
        let submits = RateLimiter::new(config.submit_limit_per_minute.max(1), 60_000);
        Self {
            events: EventSink::start(store.clone()),
            pages: Arc::new(PageCache::new()),
            store,
            config: Arc::new(config),
            submits: Arc::new(submits),
            logins: Arc::new(RateLimiter::new(10, 60_000)),
            sanitizer: Arc::new(ammonia::Builder::default()),
        }
    }

    /// Whether cookies get the `Secure` attribute.
    pub fn secure_cookies(&self) -> bool {
        self.config.public_base_url.starts_with("https://")
    }
}
