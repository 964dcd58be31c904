//! Static files, embedded in the binary.

use axum::{http::header, response::IntoResponse};

fn serve(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body)
}

pub(crate) async fn form_js() -> impl IntoResponse {
    serve("text/javascript; charset=utf-8", include_str!("../assets/form.js"))
}

pub(crate) async fn track_js() -> impl IntoResponse {
    serve("text/javascript; charset=utf-8", include_str!("../assets/track.js"))
}

pub(crate) async fn ticket_js() -> impl IntoResponse {
    serve("text/javascript; charset=utf-8", include_str!("../assets/w.js"))
}

pub(crate) async fn room_js() -> impl IntoResponse {
    serve("text/javascript; charset=utf-8", include_str!("../assets/room.js"))
}

pub(crate) async fn console_js() -> impl IntoResponse {
    serve("text/javascript; charset=utf-8", include_str!("../assets/console.js"))
}

pub(crate) async fn admin_js() -> impl IntoResponse {
    serve("text/javascript; charset=utf-8", include_str!("../assets/admin.js"))
}

pub(crate) async fn builder_js() -> impl IntoResponse {
    serve("text/javascript; charset=utf-8", include_str!("../assets/builder.js"))
}

pub(crate) async fn admin_css() -> impl IntoResponse {
    serve("text/css; charset=utf-8", include_str!("../assets/admin.css"))
}

/// Where the embedded livekit-client is served: the pinned version is in the name, so the
/// file can be cached for good.
pub fn livekit_client_path() -> String {
    format!("/f/vendor/livekit-client-{}.umd.js", hikari_vendor::LIVEKIT_CLIENT_VERSION)
}

/// Where the embedded hls.js is served (versioned like [`livekit_client_path`]).
pub fn hls_js_path() -> String {
    format!("/f/vendor/hls-{}.min.js", hikari_vendor::HLS_JS_VERSION)
}

fn immutable(body: &'static [u8]) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")], body)
}

pub(crate) async fn livekit_client_js() -> impl IntoResponse {
    immutable(hikari_vendor::LIVEKIT_CLIENT)
}

pub(crate) async fn hls_js() -> impl IntoResponse {
    immutable(hikari_vendor::HLS_JS)
}
