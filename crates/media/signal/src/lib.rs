//! LiveKit WebSocket signaling: `/rtc` (two PeerConnections), `/rtc/v1` (one), and their
//! `/validate` twins. Tokens are checked before the upgrade, so a refused join gets an
//! HTTP status and LiveKit's message; a join to a full room is refused with HTTP 429
//! before the upgrade too. Each accepted client gets one session task that relays its
//! signals to and from the owner of its room.
//!
//! Signaling never names the media thread: it talks to a [`Router`] (which owner a join
//! goes to, how commands and admin requests reach it), the way `hikari-api` talks to its
//! `RoomAdmin`. [`hikari_media_io::MediaHandle`] is the local router; a cluster router
//! (rooms on other nodes) is another implementation.
#![deny(missing_docs)]

mod full;
mod ice;
mod local;
mod router;
mod rtc;

use axum::routing::get;

pub use ice::IceServers;
pub use router::Router;
pub use rtc::{MAX_FRAME, OUTBOX, SignalState};

/// The signaling routes with their state, to merge into the server's router. The
/// `/validate` routes allow any origin (browsers fetch them cross-origin to read why a
/// connection failed); every route first refuses joins to full rooms.
pub fn routes<R: Router>(state: SignalState<R>) -> axum::Router {
    axum::Router::new()
        .route("/rtc", get(rtc::rtc::<R>))
        .route("/rtc/v1", get(rtc::rtc_v1::<R>))
        .merge(
            axum::Router::new()
                .route("/rtc/validate", get(rtc::validate::<R>))
                .route("/rtc/v1/validate", get(rtc::validate_v1::<R>))
                .layer(axum::middleware::map_response(allow_any_origin)),
        )
        .layer(axum::middleware::from_fn_with_state(state.clone(), full::refuse_full_rooms::<R>))
        .with_state(state)
}

async fn allow_any_origin(mut response: axum::response::Response) -> axum::response::Response {
    response.headers_mut().insert(axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN, axum::http::HeaderValue::from_static("*"));
    response
}
