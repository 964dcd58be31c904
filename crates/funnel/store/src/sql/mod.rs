//! The SQL, written once for both dialects. Each macro expands to one trait impl for a store
//! type that has a `pool` field; the backend modules invoke them with dialect details:
//! `$begin` (the statement that opens a write transaction) and `$lock` (the row-lock suffix of
//! a read-for-update, empty on SQLite where `BEGIN IMMEDIATE` already serialises writers).

pub(crate) mod admin;
pub(crate) mod chat;
pub(crate) mod contacts;
pub(crate) mod events;
pub(crate) mod experiments;
pub(crate) mod funnels;
pub(crate) mod offers;
pub(crate) mod pages;
pub(crate) mod polls;
pub(crate) mod webinars;

/// Maps a unique violation to a `Conflict` with a message for people; other errors as usual.
pub(crate) fn taken(e: sqlx::Error, msg: String) -> crate::StoreError {
    match crate::StoreError::from(e) {
        crate::StoreError::Conflict(_) => crate::StoreError::Conflict(msg),
        other => other,
    }
}

/// Instantiates every repository trait for one backend. `$conn` is its connection type.
macro_rules! backend {
    ($store:ty, $conn:ty, $begin:literal, $lock:literal) => {
        use crate::{
            AdminRepo, ContactRepo, EventQuery, EventRepo, ExperimentRepo, FunnelRepo, PageState, Session, StoreError, TokenInfo, UserInfo,
            row::{self, RowExt as _},
            sql::taken,
        };
        use hikari_funnel::{
            Contact, ContactId, ContactUpsert, DomainError, Edge, EdgeId, Email, Event, Funnel, FunnelId, Locale, NewEdge, NewFunnel, NewStep, PageDraft, Slug,
            Step, StepId, TokenId, UserId, report::StepHit,
        };

        type R<T> = Result<T, StoreError>;
        type Conn = $conn;

        impl $store {
            crate::sql::funnels::funnel_sql!($begin, $lock);
            crate::sql::pages::page_sql!($begin, $lock);
            crate::sql::contacts::contact_sql!($begin, $lock);
        }

        crate::sql::events::event_insert!();
        crate::sql::funnels::funnel_repo!($store);
        crate::sql::contacts::contact_repo!($store);
        crate::sql::events::event_repo!($store, $begin);
        crate::sql::admin::admin_repo!($store);
        crate::sql::experiments::experiment_repo!($store, $begin, $lock);
        crate::sql::webinars::webinar_repo!($store, $begin);
        crate::sql::chat::chat_repo!($store, $begin);
        crate::sql::polls::poll_repo!($store, $begin);
        crate::sql::offers::offer_repo!($store, $begin);
    };
}

pub(crate) use backend;

/// Expands to `async fn migrate(pool)` for one pool type: applies `migrations/<dialect>/` files
/// not yet recorded in `funnel_migrations`, each in its own transaction.
macro_rules! migrator {
    ($pool:ty, $dialect:literal) => {
        const MIGRATIONS: &[(i64, &str)] = &[
            (1, include_str!(concat!("../migrations/", $dialect, "/0001_init.sql"))),
            (2, include_str!(concat!("../migrations/", $dialect, "/0002_experiments.sql"))),
            (3, include_str!(concat!("../migrations/", $dialect, "/0003_webinars.sql"))),
            (4, include_str!(concat!("../migrations/", $dialect, "/0004_live_sessions.sql"))),
            (5, include_str!(concat!("../migrations/", $dialect, "/0005_reminders.sql"))),
            (6, include_str!(concat!("../migrations/", $dialect, "/0006_admin_language.sql"))),
        ];

        async fn migrate(pool: &$pool) -> Result<(), crate::StoreError> {
            use crate::row::RowExt as _;
            sqlx::raw_sql("CREATE TABLE IF NOT EXISTS funnel_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)").execute(pool).await?;
            let row = sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM funnel_migrations").fetch_one(pool).await?;
            let done = row.int("v")?;
            for &(version, sql) in MIGRATIONS.iter().filter(|m| m.0 > done) {
                let mut tx = pool.begin().await?;
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(&mut *tx).await?;
                sqlx::query("INSERT INTO funnel_migrations (version, applied_at) VALUES ($1, 0)").bind(version).execute(&mut *tx).await?;
                tx.commit().await?;
                tracing::info!(version, dialect = $dialect, "funnel migration applied");
            }
            Ok(())
        }
    };
}

pub(crate) use migrator;
