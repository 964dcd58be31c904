//! The funnel side's configuration, set by the binary (a leaf module).

use std::path::PathBuf;

/// Default page views per client address per minute that count.
pub const DEFAULT_VIEWS_PER_MINUTE: u32 = 600;
/// Default form submissions per client address per minute.
pub const DEFAULT_SUBMITS_PER_MINUTE: u32 = 20;
/// Default tracking beacons per client address per minute.
pub const DEFAULT_BEACONS_PER_MINUTE: u32 = 120;

/// Everything the funnel side needs from the binary's configuration.
#[derive(Clone, Debug)]
pub struct FunnelConfig {
    /// Where the SQLite file lives (`<data_dir>/funnel.sqlite3`) when no database URL is set.
    pub data_dir: PathBuf,
    /// `postgres://…` (or `sqlite:…`) to override the default SQLite file.
    pub database_url: Option<String>,
    /// The public origin, e.g. `https://example.com`; `https` turns on `Secure` cookies.
    pub public_base_url: String,
    /// Page views per client address per minute that count: beyond it a view is served but
    /// flagged like a bot's; beyond ten times it the address gets 429.
    pub view_limit_per_minute: u32,
    /// Form submissions allowed per client address per minute.
    pub submit_limit_per_minute: u32,
    /// Tracking-beacon requests (`/f/collect`) allowed per client address per minute.
    pub collect_limit_per_minute: u32,
    /// How often running experiments are evaluated (automatic winner, bandit reweights).
    pub experiment_interval: std::time::Duration,
}

impl FunnelConfig {
    /// A config with defaults: SQLite under `data_dir`; 600 counted page views, 20 submissions
    /// and 120 beacons a minute per client address.
    pub fn new(data_dir: impl Into<PathBuf>, public_base_url: impl Into<String>) -> Self {
        Self {
            data_dir: data_dir.into(),
            database_url: None,
            public_base_url: public_base_url.into(),
            view_limit_per_minute: DEFAULT_VIEWS_PER_MINUTE,
            submit_limit_per_minute: DEFAULT_SUBMITS_PER_MINUTE,
            collect_limit_per_minute: DEFAULT_BEACONS_PER_MINUTE,
            experiment_interval: std::time::Duration::from_secs(600),
        }
    }
}
