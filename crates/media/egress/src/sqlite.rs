//! [`EgressStore`] in SQLite: one file (`<data_dir>/egress.db` in the server), WAL with
//! `synchronous = FULL`, so a write that returned is on disk and survives a crash or power
//! loss. A row holds the columns the registry looks up by (id, room, status) and the whole
//! egress as a JSON document ([`crate::row`]).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use hikari_types::{Egress, EgressFilter, EgressId, EgressStatus, RoomName};
use sqlx::Row;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error::EgressError;
use crate::row;
use crate::store::EgressStore;

const SCHEMA: &str = "CREATE TABLE IF NOT EXISTS egress (
    id TEXT PRIMARY KEY NOT NULL,
    room_name TEXT NOT NULL,
    active INTEGER NOT NULL,
    doc TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS egress_room ON egress (room_name);
CREATE INDEX IF NOT EXISTS egress_active ON egress (active) WHERE active = 1;
CREATE TABLE IF NOT EXISTS recording_deleted (
    id TEXT PRIMARY KEY NOT NULL,
    deleted_at INTEGER NOT NULL
);";

/// Egress records in a SQLite file. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SqliteEgressStore {
    pool: SqlitePool,
}

impl SqliteEgressStore {
    /// Opens (creating the file, its directory and the schema if needed) the store at `path`.
    pub async fn open(path: &Path) -> Result<Self, EgressError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| EgressError::Store(format!("{}: {e}", dir.display())))?;
        }
        let options = SqliteConnectOptions::new().filename(path).create_if_missing(true).journal_mode(SqliteJournalMode::Wal);
        Self::with(options, 4).await
    }

    /// A store in memory, gone when dropped (tests).
    pub async fn in_memory() -> Result<Self, EgressError> {
        // One connection: each in-memory connection would be a database of its own.
        Self::with(SqliteConnectOptions::from_str("sqlite::memory:")?, 1).await
    }

    async fn with(options: SqliteConnectOptions, connections: u32) -> Result<Self, EgressError> {
        let options = options.synchronous(SqliteSynchronous::Full).busy_timeout(Duration::from_secs(10));
        let pool = SqlitePoolOptions::new().max_connections(connections).connect_with(options).await?;
        sqlx::raw_sql(SCHEMA).execute(&pool).await?;
        Ok(Self { pool })
    }
}

fn rows(rows: Vec<sqlx::sqlite::SqliteRow>) -> Result<Vec<Egress>, EgressError> {
    rows.iter().map(|r| row::decode(r.try_get::<&str, _>("doc")?)).collect()
}

#[async_trait]
impl EgressStore for SqliteEgressStore {
    async fn put(&self, egress: &Egress) -> Result<(), EgressError> {
        let doc = row::encode(egress)?;
        sqlx::query(
            "INSERT INTO egress (id, room_name, active, doc) VALUES ($1, $2, $3, $4)
             ON CONFLICT (id) DO UPDATE SET room_name = excluded.room_name, active = excluded.active, doc = excluded.doc",
        )
        .bind(egress.id.as_str())
        .bind(egress.room_name.as_str())
        .bind(i64::from(EgressStatus::is_active(egress.status)))
        .bind(doc)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get(&self, id: &EgressId) -> Result<Option<Egress>, EgressError> {
        let found = sqlx::query("SELECT doc FROM egress WHERE id = $1").bind(id.as_str()).fetch_all(&self.pool).await?;
        Ok(rows(found)?.pop())
    }

    async fn list(&self, filter: &EgressFilter) -> Result<Vec<Egress>, EgressError> {
        let active = i64::from(filter.active);
        let found = match (&filter.id, &filter.room_name) {
            (Some(id), _) => sqlx::query("SELECT doc FROM egress WHERE id = $1 AND active >= $2").bind(id.as_str()).bind(active).fetch_all(&self.pool).await?,
            (None, Some(room)) => {
                sqlx::query("SELECT doc FROM egress WHERE room_name = $1 AND active >= $2 ORDER BY rowid")
                    .bind(room.as_str())
                    .bind(active)
                    .fetch_all(&self.pool)
                    .await?
            }
            (None, None) => sqlx::query("SELECT doc FROM egress WHERE active >= $1 ORDER BY rowid").bind(active).fetch_all(&self.pool).await?,
        };
        rows(found)
    }

    async fn finished(&self, room: Option<&RoomName>, offset: u32, count: u32) -> Result<Vec<Egress>, EgressError> {
        let found = sqlx::query(
            "SELECT doc FROM egress WHERE active = 0 AND ($1 IS NULL OR room_name = $1)
             AND id NOT IN (SELECT id FROM recording_deleted) ORDER BY rowid DESC LIMIT $2 OFFSET $3",
        )
        .bind(room.map(RoomName::as_str))
        .bind(i64::from(count))
        .bind(i64::from(offset))
        .fetch_all(&self.pool)
        .await?;
        rows(found)
    }

    async fn forget(&self, id: &EgressId, at: i64) -> Result<(), EgressError> {
        sqlx::query("INSERT INTO recording_deleted (id, deleted_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
            .bind(id.as_str())
            .bind(at)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn forgotten(&self, id: &EgressId) -> Result<bool, EgressError> {
        Ok(sqlx::query("SELECT 1 FROM recording_deleted WHERE id = $1").bind(id.as_str()).fetch_optional(&self.pool).await?.is_some())
    }
}
