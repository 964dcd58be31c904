//! The recordings library in the admin: every finished recording (room, start, duration, size,
//! how it ended), played in the page, downloaded, or deleted. Playback and download use the
//! library's signed links (valid for a few hours), so the page holds no media credential.

use crate::{
    admin::{
        auth::{Admin, CsrfForm, check_csrf},
        layout::layout,
        text::{Tr, recordings::R},
    },
    error::{FunnelError, HtmlError},
    extract::{ApiPath, ApiQuery},
    state::AppState,
};
use axum::{
    Form,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use hikari_funnel_app::{RecordingEntry, RecordingLibrary};
use hikari_webinar::rfc3339;
use maud::{Markup, html};
use serde::Deserialize;
use std::sync::Arc;

type Page = Result<Markup, HtmlError>;

/// How long the page's links work: long enough to watch a webinar's recording.
const LINK_TTL_SECS: i64 = 6 * 3600;

#[derive(Deserialize)]
pub(crate) struct Filter {
    room: Option<String>,
}

fn library(st: &AppState) -> Option<Arc<dyn RecordingLibrary>> {
    st.recordings.clone()
}

/// `1:02:03` or `2:03`.
fn duration(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    if s >= 3600 { format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60) } else { format!("{}:{:02}", s / 60, s % 60) }
}

/// `12.3 MB`.
fn size(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    match b {
        b if b >= 1e9 => format!("{:.2} GB", b / 1e9),
        b if b >= 1e6 => format!("{:.1} MB", b / 1e6),
        b if b >= 1e3 => format!("{:.0} kB", b / 1e3),
        b => format!("{b} B"),
    }
}

fn off(t: Tr) -> Markup {
    html! { p { (t.s(R::Off)) code { "egress.enabled: false" } (t.s(R::OffEnd)) } }
}

/// `/admin/recordings`: the library, newest first (`?room=` for one room).
pub(crate) async fn list(admin: Admin, State(st): State<AppState>, ApiQuery(filter): ApiQuery<Filter>) -> Page {
    let room = filter.room.filter(|r| !r.is_empty());
    let t = admin.tr;
    let Some(lib) = library(&st) else { return Ok(layout(t, t.s(R::Recordings), Some(&admin.csrf), off(t))) };
    let found = lib.list(room.as_deref(), 500, LINK_TTL_SECS).await?;
    Ok(layout(
        t,
        t.s(R::Recordings),
        Some(&admin.csrf),
        html! {
            h1 { (t.s(R::Recordings)) }
            form.inline method="get" action="/admin/recordings" {
                label { (t.s(R::Room)) input name="room" maxlength="256" value=(room.as_deref().unwrap_or("")); }
                button type="submit" { (t.s(R::Filter)) }
            }
            @if found.is_empty() {
                p { (t.s(R::NoRecordings)) }
            } @else {
                table #recordings {
                    thead { tr {
                        th { (t.s(R::Started)) } th { (t.s(R::Room)) } th { (t.s(R::Recorded)) } th { (t.s(R::Length)) } th { (t.s(R::Size)) }
                        th { (t.s(R::Format)) } th { (t.s(R::Status)) } th { "" }
                    } }
                    tbody {
                        @for r in &found {
                            tr data-recording=(r.id) {
                                td { time datetime=(rfc3339(r.started_at_ms)) data-ms=(r.started_at_ms) { (t.when_local(r.started_at_ms)) } }
                                td { a href={ "/admin/recordings?room=" (r.room) } { (r.room) } }
                                td { (r.source) }
                                td { (duration(r.duration_ms)) }
                                td { (size(r.size_bytes)) }
                                td { (r.format) }
                                td { (r.status) @if !r.error.is_empty() { br; small { (r.error) } } }
                                td.actions {
                                    a.button href={ "/admin/recordings/" (r.id) } { (t.s(R::Play)) }
                                    " "
                                    a href=(r.download_url) download { (t.s(R::Download)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

fn player(r: &RecordingEntry) -> Markup {
    html! {
        @if r.format == "ogg" && r.poster_url.is_none() {
            audio #player controls preload="metadata" src=(r.play_url) {}
        } @else {
            // HLS plays natively where the browser can (Safari); elsewhere the joined MP4.
            video #player controls preload="metadata" playsinline width="960" poster=[r.poster_url.as_deref()]
                src=(if r.format == "hls" { &r.download_url } else { &r.play_url }) {}
        }
    }
}

/// `/admin/recordings/{id}`: one recording, played in the page.
pub(crate) async fn show(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<String>) -> Page {
    let t = admin.tr;
    let Some(lib) = library(&st) else { return Ok(layout(t, t.s(R::Recordings), Some(&admin.csrf), off(t))) };
    let r = lib.get(&id, LINK_TTL_SECS).await?.ok_or(FunnelError::NotFound("recording"))?;
    Ok(layout(
        t,
        &t.f(R::Title, &[&r.id]),
        Some(&admin.csrf),
        html! {
            p { a href="/admin/recordings" { (t.s(R::Back)) } }
            h1 { (r.room) " · " (t.when_local(r.started_at_ms)) }
            (player(&r))
            dl {
                dt { (t.s(R::Recorded)) } dd { (r.source) }
                dt { (t.s(R::Length)) } dd { (duration(r.duration_ms)) }
                dt { (t.s(R::Size)) } dd { (size(r.size_bytes)) }
                dt { (t.s(R::Format)) } dd { (r.format) }
                dt { (t.s(R::Status)) } dd { (r.status) @if !r.error.is_empty() { " — " (r.error) } }
                dt { (t.s(R::File)) } dd { code { (r.path) } }
                dt { (t.s(R::Egress)) } dd { code { (r.id) } }
            }
            p { a.button href=(r.download_url) download { (t.s(R::Download)) } (t.f(R::LinkValid, &[&(LINK_TTL_SECS / 3600)])) }
            form method="post" action={ "/admin/recordings/" (r.id) "/delete" } data-confirm=(t.s(R::ConfirmDelete)) {
                input type="hidden" name="csrf" value=(admin.csrf);
                button.danger type="submit" { (t.s(R::DeleteRecording)) }
            }
        },
    ))
}

/// `POST /admin/recordings/{id}/delete`: removes its files and takes it out of the library.
pub(crate) async fn delete(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<String>, Form(f): Form<CsrfForm>) -> Result<Response, HtmlError> {
    check_csrf(&admin, &f.csrf)?;
    let lib = library(&st).ok_or(FunnelError::NotFound("recording"))?;
    if !lib.delete(&id).await? {
        return Err(FunnelError::NotFound("recording").into());
    }
    Ok(Redirect::to("/admin/recordings").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_lengths_and_sizes_read_well() {
        assert_eq!(Tr::default().when_local(1_764_633_600_000 + 3_723_000), "Tuesday, December 2, 2025, 10:02 JST");
        assert_eq!(Tr(hikari_funnel::Locale::Ja).when_local(1_764_633_600_000 + 3_723_000), "2025年12月2日(火) 10:02 JST");
        assert_eq!(duration(3_723_400), "1:02:03");
        assert_eq!(duration(63_000), "1:03");
        assert_eq!(size(12_345_678), "12.3 MB");
        assert_eq!(size(999), "999 B");
        assert_eq!(size(2_500_000_000), "2.50 GB");
    }
}
