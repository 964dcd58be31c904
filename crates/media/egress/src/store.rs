//! The storage port: what the registry needs from a store of egress records. A write that
//! returns `Ok` is durable (on disk for [`SqliteEgressStore`](crate::SqliteEgressStore)).

use async_trait::async_trait;
use hikari_types::{Egress, EgressFilter, EgressId, RoomName};

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
    /// Ended egresses whose recording was not deleted (room's only, if given), newest first:
    /// `count` of them after skipping `offset`.
    async fn finished(&self, room: Option<&RoomName>, offset: u32, count: u32) -> Result<Vec<Egress>, EgressError>;
    /// Notes that the recording of egress `id` was deleted at `at` (Unix nanoseconds).
    async fn forget(&self, id: &EgressId, at: i64) -> Result<(), EgressError>;
    /// Whether the recording of egress `id` was deleted.
    async fn forgotten(&self, id: &EgressId) -> Result<bool, EgressError>;
}
