//! The PostgreSQL backend, chosen with `--database-url postgres://…`.

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;

/// Funnel storage in PostgreSQL. Cheap to clone.
#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    schema: Option<String>,
}

impl PgStore {
    /// Connects and migrates. With `schema`, the tables live in that schema (created if
    /// missing), which lets test runs share one database without colliding.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<Self, StoreError> {
        let mut options = PgConnectOptions::from_str(url)?;
        if let Some(s) = schema {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                return Err(StoreError::Config("schema: use a-z 0-9 _".into()));
            }
            let admin = PgPoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {s}"))).execute(&admin).await?;
            admin.close().await;
            options = options.options([("search_path", s)]);
        }
        let pool = PgPoolOptions::new().max_connections(8).connect_with(options).await?;
        migrate(&pool).await?;
        Ok(Self { pool, schema: schema.map(str::to_owned) })
    }

    /// Drops this store's schema with everything in it (for tests); a no-op without a schema.
    pub async fn drop_schema(self) -> Result<(), StoreError> {
        if let Some(s) = &self.schema {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {s} CASCADE"))).execute(&self.pool).await?;
        }
        self.pool.close().await;
        Ok(())
    }
}

crate::sql::migrator!(PgPool, "postgres");
crate::sql::backend!(PgStore, sqlx::PgConnection, "BEGIN", " FOR UPDATE");
