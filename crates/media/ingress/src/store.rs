//! The storage port: what the registry needs from a store of ingress definitions. A write that
//! returns `Ok` is durable (on disk for [`SqliteIngressStore`](crate::SqliteIngressStore)).

use async_trait::async_trait;
use hikari_types::{Ingress, IngressFilter, IngressId};

use crate::error::IngressError;

/// Where ingress definitions and their state live.
#[async_trait]
pub trait IngressStore: Send + Sync {
    /// Inserts or replaces the ingress with `ingress.id`. Stream keys are unique: storing a
    /// second ingress with the key of another fails with [`IngressError::Store`].
    async fn put(&self, ingress: &Ingress) -> Result<(), IngressError>;
    /// The ingress with that id, if any.
    async fn get(&self, id: &IngressId) -> Result<Option<Ingress>, IngressError>;
    /// The ingress whose stream key is `key`, if any (empty keys match nothing).
    async fn by_stream_key(&self, key: &str) -> Result<Option<Ingress>, IngressError>;
    /// The ingresses `filter` selects (an id wins over a room; neither: all), oldest first.
    async fn list(&self, filter: &IngressFilter) -> Result<Vec<Ingress>, IngressError>;
    /// Removes the ingress; whether it existed.
    async fn delete(&self, id: &IngressId) -> Result<bool, IngressError>;
}
