//! Error pages in the admin's language: an admin handler's refusal (404, 403, 422, …) is
//! rendered by `HtmlError` in English, with an `ErrorNote`; for a Japanese admin this layer
//! says it again in Japanese, keeping the English details marked `lang="en"`.

use crate::{
    admin::{
        auth::language_of,
        text::{Tr, errors},
    },
    error::ErrorNote,
    state::AppState,
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::{IntoResponse, Response},
};
use maud::{DOCTYPE, html};

/// The admin routes' layer.
pub(crate) async fn in_admin_language(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let response = next.run(req).await;
    let Some(note) = response.extensions().get::<ErrorNote>().cloned() else { return response };
    let t = language_of(&st, &headers).await;
    if !t.ja() {
        return response;
    }
    (note.status, page(t, &note)).into_response()
}

fn page(t: Tr, note: &ErrorNote) -> maud::Markup {
    let detail = !note.status.is_server_error() && note.code != "not_found";
    html! {
        (DOCTYPE)
        html lang=(t.0.tag()) {
            head { meta charset="utf-8"; title { (errors::title(note.status.as_u16())) } }
            body {
                h1 { (errors::title(note.status.as_u16())) }
                p { (errors::message(note.code, note.what)) }
                @if detail { p { small lang="en" { (note.message) } } }
                p { a href="/admin" { (errors::home()) } }
            }
        }
    }
}
