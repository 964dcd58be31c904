//! The storage port: what the registry needs from a store of egress records. A write that
//! returns `Ok` is durable (on disk for [`SqliteEgressStore`](crate::SqliteEgressStore)).

use async_trait::async_trait;
use hikari_types::{Egress, EgressFilter, EgressId};

use crate::error::EgressError;

/// Where egress records live.
#[async_trait]
pub trait EgressStore: Send + Sync {
    /// Inserts or replaces the egress with `egress.id`.
    async fn put(&self, egress: &Egress) -> Result<(), EgressError>;
    /// The egress with that id, if any.
    async fn get(&self, id: &EgressId) -> Result<Option<Egress>, EgressError>;
    /// The egresses `filter` selects (an id wins over a room; `active` keeps running ones),
    /// oldest first.
    async fn list(&self, filter: &EgressFilter) -> Result<Vec<Egress>, EgressError>;
}
