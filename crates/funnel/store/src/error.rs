use hikari_funnel::DomainError;

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No row with that id (the string names the kind).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule was broken (a slug or email already taken).
    #[error("already exists: {0}")]
    Conflict(String),
    /// A page was edited since the version the caller read.
    #[error("version conflict: the page is at version {current}")]
    VersionConflict {
        /// The stored version.
        current: i64,
    },
    /// A value failed a domain rule.
    #[error(transparent)]
    Invalid(#[from] DomainError),
    /// Stored data does not parse (a bug or a hand-edited database).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// Bad configuration.
    #[error("configuration: {0}")]
    Config(String),
    /// The database failed.
    #[error("database: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Self::NotFound("row"),
            sqlx::Error::Database(d) if d.is_unique_violation() => Self::Conflict(d.message().to_owned()),
            sqlx::Error::Database(d) if d.is_foreign_key_violation() => Self::Invalid(DomainError::invalid("reference", "names a row that does not exist")),
            _ => Self::Database(e),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Corrupt(e.to_string())
    }
}
