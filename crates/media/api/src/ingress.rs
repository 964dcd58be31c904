//! LiveKit's IngressService: `POST /twirp/livekit.Ingress/{method}`, every method behind the
//! token's `ingressAdmin` grant, run by the ingress registry.

use std::sync::Arc;

use axum::extract::Request;

use hikari_ingress::Registry;
use hikari_protocol::{IngressMethod, TwirpFormat, decode_ingress_request, encode_ingress_response};

use crate::error::ApiError;
use crate::{ApiState, INGRESS_SERVICE, authenticate, content_format, must_be_post, read_body};

/// What the IngressService needs: the registry, and the clock its states are stamped with.
#[derive(Clone)]
pub struct IngressApi {
    /// Runs the calls.
    pub registry: Arc<Registry>,
    /// The current Unix time in nanoseconds (a parameter so tests control it).
    pub now_nanos: fn() -> i64,
}

/// One IngressService call: route, format, token, body, grant, then the registry.
pub(crate) async fn handle<A>(state: &ApiState<A>, method_name: &str, request: Request) -> Result<(TwirpFormat, Vec<u8>), ApiError> {
    let Some(method) = IngressMethod::from_name(method_name) else {
        return Err(ApiError::BadRoute(format!("no handler for path /twirp/{INGRESS_SERVICE}/{method_name}")));
    };
    must_be_post(request.method())?;
    let Some(ingress) = &state.ingress else {
        return Err(ApiError::Unimplemented("ingress is turned off on this server (ingress.enabled: false)".into()));
    };
    let format = content_format(&request)?;
    let claims = authenticate(state, &request)?;
    let body = read_body(request).await?;
    let ingress_request = decode_ingress_request(method, format, &body)?;
    if !claims.video.as_ref().is_some_and(|v| v.ingress_admin) {
        return Err(ApiError::PermissionDenied("permissions denied: the token lacks the ingressAdmin grant".into()));
    }
    let response = ingress.registry.handle(ingress_request, (ingress.now_nanos)()).await?;
    Ok((format, encode_ingress_response(format, &response)))
}
