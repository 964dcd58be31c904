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

pub(crate) async fn admin_js() -> impl IntoResponse {
    serve("text/javascript; charset=utf-8", include_str!("../assets/admin.js"))
}

pub(crate) async fn builder_js() -> impl IntoResponse {
    serve("text/javascript; charset=utf-8", include_str!("../assets/builder.js"))
}

pub(crate) async fn admin_css() -> impl IntoResponse {
    serve("text/css; charset=utf-8", include_str!("../assets/admin.css"))
}
