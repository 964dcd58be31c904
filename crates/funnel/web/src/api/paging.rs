//! Paged lists in the JSON API (a leaf module, shared by the handlers).

use crate::error::FunnelError;
use serde::Deserialize;

/// `?limit&offset`.
#[derive(Deserialize)]
pub(crate) struct Paging {
    #[serde(default = "default_limit")]
    pub(crate) limit: i64,
    #[serde(default)]
    pub(crate) offset: i64,
}

pub(crate) fn default_limit() -> i64 {
    100
}

/// The most rows a list returns; a larger `limit` is refused, not silently cut.
const MAX_LIMIT: i64 = 1000;

pub(crate) fn checked_limit(limit: i64) -> Result<i64, FunnelError> {
    if (0..=MAX_LIMIT).contains(&limit) {
        Ok(limit)
    } else {
        Err(FunnelError::BadRequest(format!("limit: between 0 and {MAX_LIMIT} (got {limit}); page with offset")))
    }
}
