//! The recordings library in the admin: every finished recording (room, start, duration, size,
//! how it ended), played in the page, downloaded, or deleted. Playback and download use the
//! library's signed links (valid for a few hours), so the page holds no media credential.

use crate::{
    admin::{
        auth::{Admin, CsrfForm, check_csrf},
        chart,
        layout::layout,
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

/// `YYYY-MM-DD HH:MM UTC` of Unix milliseconds.
fn when(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let of_day = secs.rem_euclid(86_400);
    format!("{} {:02}:{:02} UTC", chart::date(secs.div_euclid(86_400)), of_day / 3600, of_day % 3600 / 60)
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

fn off() -> Markup {
    html! { p { "Recording is turned off on this server (" code { "egress.enabled: false" } ")." } }
}

/// `/admin/recordings`: the library, newest first (`?room=` for one room).
pub(crate) async fn list(admin: Admin, State(st): State<AppState>, ApiQuery(filter): ApiQuery<Filter>) -> Page {
    let room = filter.room.filter(|r| !r.is_empty());
    let Some(lib) = library(&st) else { return Ok(layout("Recordings", Some(&admin.csrf), off())) };
    let found = lib.list(room.as_deref(), 500, LINK_TTL_SECS).await?;
    Ok(layout(
        "Recordings",
        Some(&admin.csrf),
        html! {
            h1 { "Recordings" }
            form.inline method="get" action="/admin/recordings" {
                label { "Room" input name="room" maxlength="256" value=(room.as_deref().unwrap_or("")); }
                button type="submit" { "Filter" }
            }
            @if found.is_empty() {
                p { "No recordings yet. Start one with LiveKit's Egress API (StartParticipantEgress, StartTrackEgress); see docs/broadcast.md." }
            } @else {
                table #recordings {
                    thead { tr { th { "Started" } th { "Room" } th { "Recorded" } th { "Length" } th { "Size" } th { "Format" } th { "Status" } th { "" } } }
                    tbody {
                        @for r in &found {
                            tr data-recording=(r.id) {
                                td { time datetime=(r.started_at_ms) { (when(r.started_at_ms)) } }
                                td { a href={ "/admin/recordings?room=" (r.room) } { (r.room) } }
                                td { (r.source) }
                                td { (duration(r.duration_ms)) }
                                td { (size(r.size_bytes)) }
                                td { (r.format) }
                                td { (r.status) @if !r.error.is_empty() { br; small { (r.error) } } }
                                td.actions {
                                    a.button href={ "/admin/recordings/" (r.id) } { "Play" }
                                    " "
                                    a href=(r.download_url) download { "Download" }
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
    let Some(lib) = library(&st) else { return Ok(layout("Recordings", Some(&admin.csrf), off())) };
    let r = lib.get(&id, LINK_TTL_SECS).await?.ok_or(FunnelError::NotFound("recording"))?;
    Ok(layout(
        &format!("Recording {}", r.id),
        Some(&admin.csrf),
        html! {
            p { a href="/admin/recordings" { "← Recordings" } }
            h1 { (r.room) " · " (when(r.started_at_ms)) }
            (player(&r))
            dl {
                dt { "Recorded" } dd { (r.source) }
                dt { "Length" } dd { (duration(r.duration_ms)) }
                dt { "Size" } dd { (size(r.size_bytes)) }
                dt { "Format" } dd { (r.format) }
                dt { "Status" } dd { (r.status) @if !r.error.is_empty() { " — " (r.error) } }
                dt { "File" } dd { code { (r.path) } }
                dt { "Egress" } dd { code { (r.id) } }
            }
            p { a.button href=(r.download_url) download { "Download" } " (link valid for " (LINK_TTL_SECS / 3600) " hours)" }
            form method="post" action={ "/admin/recordings/" (r.id) "/delete" } data-confirm="Delete this recording and its files? This cannot be undone." {
                input type="hidden" name="csrf" value=(admin.csrf);
                button.danger type="submit" { "Delete recording" }
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
        assert_eq!(when(1_764_633_600_000 + 3_723_000), "2025-12-02 01:02 UTC");
        assert_eq!(duration(3_723_400), "1:02:03");
        assert_eq!(duration(63_000), "1:03");
        assert_eq!(size(12_345_678), "12.3 MB");
        assert_eq!(size(999), "999 B");
        assert_eq!(size(2_500_000_000), "2.50 GB");
    }
}
