//! [`IngressStore`] in SQLite: one file (`<data_dir>/ingress.db` in the server), WAL with
//! `synchronous = FULL`, so a write that returned is on disk and survives a crash or power
//! loss. The schema is created on open. A row holds the columns the registry looks up by (id,
//! stream key, room) and the whole ingress as a JSON document ([`crate::row`]).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use hikari_types::{Ingress, IngressFilter, IngressId};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error::IngressError;
use crate::row;
use crate::store::IngressStore;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS ingress (
    id TEXT PRIMARY KEY NOT NULL,
    stream_key TEXT,
    room_name TEXT NOT NULL,
    doc TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ingress_stream_key ON ingress (stream_key) WHERE stream_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS ingress_room ON ingress (room_name);";

/// Ingress definitions in a SQLite file. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SqliteIngressStore {
    pool: SqlitePool,
}

impl SqliteIngressStore {
    /// Opens (creating the file, its directory and the schema if needed) the store at `path`.
    pub async fn open(path: &Path) -> Result<Self, IngressError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| IngressError::Store(format!("{}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::new().filename(path).create_if_missing(true).journal_mode(SqliteJournalMode::Wal);
        Self::with(options, 4).await
    }

    /// A store in memory, gone when dropped (tests, and runs without a data directory).
    pub async fn in_memory() -> Result<Self, IngressError> {
        // One connection: each in-memory connection would be a database of its own.
        Self::with(SqliteConnectOptions::from_str("sqlite::memory:")?, 1).await
    }

    async fn with(options: SqliteConnectOptions, connections: u32) -> Result<Self, IngressError> {
        let options = options.synchronous(SqliteSynchronous::Full).busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(connections).connect_with(options).await?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await?;
        Ok(Self { pool })
    }

    /// Closes the pool, waiting for connections to finish (their WAL is checkpointed).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

fn rows(rows: Vec<sqlx::sqlite::SqliteRow>) -> Result<Vec<Ingress>, IngressError> {
    rows.iter().map(|r| row::decode(r.try_get::<&str, _>("doc")?)).collect()
}

#[async_trait]
impl IngressStore for SqliteIngressStore {
    async fn put(&self, ingress: &Ingress) -> Result<(), IngressError> {
        let doc = row::encode(ingress)?;
        let key = Some(ingress.stream_key.as_str()).filter(|k| !k.is_empty());
        // An upsert keeps the row (and its rowid, the listing order) of an existing id.
        sqlx::query(
            "INSERT INTO ingress (id, stream_key, room_name, doc) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET stream_key = excluded.stream_key, room_name = excluded.room_name, doc = excluded.doc",
        )
        .bind(ingress.id.as_str())
        .bind(key)
        .bind(ingress.room_name.as_str())
        .bind(doc)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get(&self, id: &IngressId) -> Result<Option<Ingress>, IngressError> {
        let found = sqlx::query("SELECT doc FROM ingress WHERE id = $1").bind(id.as_str()).fetch_all(&self.pool).await?;
        Ok(rows(found)?.pop())
    }

    async fn by_stream_key(&self, key: &str) -> Result<Option<Ingress>, IngressError> {
        if key.is_empty() {
            return Ok(None);
        }
        let found = sqlx::query("SELECT doc FROM ingress WHERE stream_key = $1").bind(key).fetch_all(&self.pool).await?;
        Ok(rows(found)?.pop())
    }

    async fn list(&self, filter: &IngressFilter) -> Result<Vec<Ingress>, IngressError> {
        let found = match (&filter.id, &filter.room_name) {
            (Some(id), _) => sqlx::query("SELECT doc FROM ingress WHERE id = $1").bind(id.as_str()).fetch_all(&self.pool).await?,
            (None, Some(room)) => sqlx::query("SELECT doc FROM ingress WHERE room_name = $1 ORDER BY rowid").bind(room.as_str()).fetch_all(&self.pool).await?,
            (None, None) => sqlx::query("SELECT doc FROM ingress ORDER BY rowid").fetch_all(&self.pool).await?,
        };
        rows(found)
    }

    async fn delete(&self, id: &IngressId) -> Result<bool, IngressError> {
        let done = sqlx::query("DELETE FROM ingress WHERE id = $1").bind(id.as_str()).execute(&self.pool).await?;
        Ok(done.rows_affected() > 0)
    }
}
