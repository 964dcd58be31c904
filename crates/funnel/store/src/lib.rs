//! Funnel storage: one narrow set of traits ([`FunnelRepo`], [`ContactRepo`], [`EventRepo`],
//! [`AdminRepo`], [`ExperimentRepo`], [`WebinarRepo`], together [`Store`]) and two implementations, [`SqliteStore`] (the default, a
//! file in the data directory) and [`PgStore`] (`postgres://…`).
//!
//! Both implementations share their SQL: every statement is written once, in the portable
//! subset both dialects accept (`$1` placeholders, `ON CONFLICT`, `RETURNING`), inside
//! `macro_rules!` bodies in [`sql`] that each backend instantiates with its own pool type. What
//! differs per dialect lives in the backend modules and in `migrations/<dialect>/`, applied in
//! order by a small runner that records versions in `funnel_migrations`.
//!
//! Invariants:
//! - Multi-row writes (a submission's contact and events, a publish) run in one transaction:
//!   nothing is half-saved.
//! - Page edits are compare-and-swap on a version number: a stale edit gets
//!   [`StoreError::VersionConflict`], never overwrites.
//! - Events are append-only and idempotent on their id.
//! - JSON columns are `TEXT` in both dialects, so the code never branches on the dialect.

mod error;
mod postgres;
mod repo;
mod row;
mod sql;
mod sqlite;

pub use error::StoreError;
pub use postgres::PgStore;
pub use repo::{
    AdminRepo, ChatRepo, ContactRepo, EventQuery, EventRepo, ExperimentRepo, FunnelRepo, OfferRepo, PageState, PollRepo, Session, Store, TokenInfo, UserInfo,
    WebinarRepo,
};
pub use sqlite::SqliteStore;

use std::{path::Path, sync::Arc};

/// Opens the configured store: PostgreSQL when `database_url` is given, else SQLite at
/// `<data_dir>/funnel.sqlite3`. Runs pending migrations.
pub async fn open(data_dir: &Path, database_url: Option<&str>) -> Result<Arc<dyn Store>, StoreError> {
    match database_url {
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => Ok(Arc::new(PgStore::connect(url, None).await?)),
        Some(url) if url.starts_with("sqlite:") => Ok(Arc::new(SqliteStore::connect_url(url).await?)),
        Some(_) => Err(StoreError::Config("database URL must start with postgres:// or sqlite:".into())),
        None => Ok(Arc::new(SqliteStore::open(&data_dir.join("funnel.sqlite3")).await?)),
    }
}
