//! Recording custom events from the tracking beacon (`hikari.track(name, props)`).
//!
//! Anything a visitor sends is untrusted: names the server records itself
//! ([`hikari_funnel::SERVER_RECORDED`]) are refused, a funnel and step must exist and belong
//! together, and a client's idempotency id is namespaced (`c_…`) so it can never pre-empt an
//! event the server derives its id for (a lead, say).

use crate::{builder::Builder, error::AppError, visit::Visit, writer::EventWriter};
use hikari_funnel::{EventId, FunnelId, StepId};
use serde::Deserialize;

/// At most this many events per request.
pub const MAX_EVENTS: usize = 25;
/// At most this many bytes of JSON `props` per event.
pub const MAX_PROPS_BYTES: usize = 4096;

/// One event as the beacon sends it.
#[derive(Debug, Deserialize)]
pub struct NewEvent {
    /// An idempotency id (at most 62 of `A-Za-z0-9-_`), stored as `c_<id>`; a fresh server id
    /// if absent.
    #[serde(default)]
    pub id: Option<String>,
    /// A GA4-style event name.
    pub name: String,
    /// Free-form properties.
    #[serde(default)]
    pub props: serde_json::Map<String, serde_json::Value>,
    /// The funnel id, if known.
    #[serde(default)]
    pub funnel: Option<i64>,
    /// The step id, if known.
    #[serde(default)]
    pub step: Option<i64>,
}

/// Checks and appends a visit's events; returns how many were new (ids already stored are
/// skipped). Nothing is written if any event is refused.
pub async fn collect(events: &EventWriter, funnels: &Builder, visit: &Visit, batch: Vec<NewEvent>, now: i64) -> Result<u64, AppError> {
    if batch.len() > MAX_EVENTS {
        return Err(AppError::BadRequest(format!("at most {MAX_EVENTS} events per request")));
    }
    let mut out = Vec::with_capacity(batch.len());
    let mut checked: Vec<(i64, i64)> = Vec::new();
    for e in batch {
        let name: hikari_funnel::EventName = e.name.parse()?;
        if name.is_server_recorded() {
            return Err(AppError::BadRequest(format!("{name} is recorded by the server itself; the tracking beacon sends custom event names only")));
        }
        let mut ev = visit.event(name, now);
        if let Some(id) = e.id {
            ev.id = EventId::from_client(&id)?;
        }
        match (e.funnel, e.step) {
            (None, None) => {}
            // A beacon's events mostly share one page: look each pair up once.
            (Some(funnel), Some(step)) if checked.contains(&(funnel, step)) => {}
            (Some(funnel), Some(step)) => match funnels.step(StepId(step)).await {
                Ok(s) if s.funnel_id == FunnelId(funnel) => checked.push((funnel, step)),
                Ok(_) | Err(AppError::NotFound(_)) => return Err(AppError::BadRequest(format!("no step {step} in funnel {funnel}"))),
                Err(other) => return Err(other),
            },
            _ => return Err(AppError::BadRequest("funnel and step go together".into())),
        }
        if serde_json::to_vec(&e.props).map_or(0, |v| v.len()) > MAX_PROPS_BYTES {
            return Err(AppError::BadRequest(format!("props: at most {MAX_PROPS_BYTES} bytes")));
        }
        ev.props = e.props.into();
        ev.funnel = e.funnel.map(hikari_funnel::FunnelId);
        ev.step = e.step.map(hikari_funnel::StepId);
        out.push(ev);
    }
    events.append(&out).await
}
