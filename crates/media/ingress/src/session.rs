//! The runtime's side of the registry: find an ingress by the stream key an encoder presents,
//! and report its session's state. The events follow livekit-server's
//! `IOInfoService.UpdateIngressState`: a change of status to publishing is `ingress_started`,
//! to inactive, error or complete is `ingress_ended`; buffering and updates that keep the
//! status send no webhook.

use hikari_types::{Ingress, IngressId, IngressState, IngressStatus};

use crate::error::IngressError;
use crate::event::IngressEvent;
use crate::ids::new_resource_id;
use crate::registry::Registry;

/// Said in the state of a session a restart cut off.
pub const INTERRUPTED: &str = "the session was interrupted by a server restart";

impl Registry {
    /// The ingress an encoder presenting `key` publishes as (RTMP stream key, SRT `streamid`,
    /// WHIP path or bearer token). `None` for an unknown (or empty) key. The caller checks
    /// [`Ingress::is_enabled`] and the input type.
    pub async fn by_stream_key(&self, key: &str) -> Result<Option<Ingress>, IngressError> {
        self.store.by_stream_key(key).await
    }

    /// Stores the state of `id`'s session and returns the ingress. `now` (Unix nanoseconds)
    /// becomes `updated_at`; it also fills `started_at` of a buffering or publishing state and
    /// `ended_at` of a state that ends the session when the caller left them 0. Emits
    /// [`IngressEvent::Started`] or [`IngressEvent::Ended`] when the status changes to
    /// publishing or to inactive/error/complete. An ingress deleted meanwhile is
    /// [`IngressError::NotFound`]: the session should end.
    pub async fn set_state(&self, id: &IngressId, mut state: IngressState, now: i64) -> Result<Ingress, IngressError> {
        let _write = self.write.lock().await;
        let mut ingress = self.store.get(id).await?.ok_or(IngressError::NotFound)?;
        let before = ingress.state.status;
        state.updated_at = now;
        if state.status.is_active() && state.started_at == 0 {
            state.started_at = now;
        }
        if before != state.status && !state.status.is_active() && state.ended_at == 0 {
            state.ended_at = now;
        }
        ingress.state = state;
        self.store.put(&ingress).await?;
        let after = ingress.state.status;
        if before != after {
            tracing::info!(ingress = %id, ?before, ?after, error = %ingress.state.error, "ingress state");
            match after {
                IngressStatus::Publishing => (self.sink)(IngressEvent::Started(ingress.clone())),
                IngressStatus::Inactive | IngressStatus::Error | IngressStatus::Complete => (self.sink)(IngressEvent::Ended(ingress.clone())),
                IngressStatus::Buffering => {}
            }
        }
        Ok(ingress)
    }

    /// The state of a new session (buffering, a fresh resource id, started now), for the
    /// runtime to fill in and pass to [`Self::set_state`].
    pub fn new_session_state(now: i64) -> IngressState {
        IngressState { status: IngressStatus::Buffering, started_at: now, resource_id: new_resource_id(), ..Default::default() }
    }

    /// At start: every ingress the previous process left buffering or publishing gets status
    /// error ([`INTERRUPTED`]) and [`IngressEvent::Ended`]. Returns how many.
    pub async fn end_interrupted(&self, now: i64) -> Result<usize, IngressError> {
        let all = self.store.list(&Default::default()).await?;
        let mut ended = 0;
        for ingress in all.into_iter().filter(|i| i.state.status.is_active()) {
            let state = IngressState { status: IngressStatus::Error, error: INTERRUPTED.into(), ..ingress.state };
            match self.set_state(&ingress.id, state, now).await {
                Ok(_) => ended += 1,
                Err(IngressError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(ended)
    }
}
