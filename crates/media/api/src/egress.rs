//! LiveKit's EgressService: `POST /twirp/livekit.Egress/{method}`, every method behind the
//! token's `roomRecord` grant, run by the server's egress runtime.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::extract::Request;

use hikari_protocol::{EgressMethod, TwirpFormat, decode_egress_request, encode_egress_response};
use hikari_types::{EgressRequest, EgressResponse};

use crate::error::ApiError;
use crate::{ApiState, EGRESS_SERVICE, authenticate, content_format, must_be_post, read_body};

/// The outcome of one EgressService call.
pub type EgressOutcome = Result<EgressResponse, ApiError>;

/// Whatever runs egress calls (the server's recorder, a fake in tests).
pub trait EgressRunner: Send + Sync {
    /// Runs one call.
    fn run(&self, request: EgressRequest) -> Pin<Box<dyn Future<Output = EgressOutcome> + Send + '_>>;
}

/// What the EgressService needs.
#[derive(Clone)]
pub struct EgressApi {
    /// Runs the calls.
    pub runner: Arc<dyn EgressRunner>,
}

/// One EgressService call: route, format, token, body, grant, then the runner.
pub(crate) async fn handle<A>(state: &ApiState<A>, method_name: &str, request: Request) -> Result<(TwirpFormat, Vec<u8>), ApiError> {
    let Some(method) = EgressMethod::from_name(method_name) else {
        return Err(ApiError::BadRoute(format!("no handler for path /twirp/{EGRESS_SERVICE}/{method_name}")));
    };
    must_be_post(request.method())?;
    let Some(egress) = &state.egress else {
        return Err(ApiError::Unimplemented("egress is turned off on this server (egress.enabled: false)".into()));
    };
    let format = content_format(&request)?;
    let claims = authenticate(state, &request)?;
    let body = read_body(request).await?;
    if !claims.video.as_ref().is_some_and(|v| v.room_record) {
        return Err(ApiError::PermissionDenied("permissions denied: the token lacks the roomRecord grant".into()));
    }
    let egress_request = decode_egress_request(method, format, &body)?;
    let response = egress.runner.run(egress_request).await?;
    Ok((format, encode_egress_response(format, &response)))
}
