//! The recordings library, as the funnel reads it: a port ([`RecordingLibrary`]) that the
//! binary's wiring implements over the media half's egress records, so admin pages (and the
//! replay step, later) list, play and delete recordings without naming a media crate.
//! Playback and download addresses are signed, expiring links: a page can embed them without
//! holding any credential.

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

use crate::error::AppError;

/// One finished recording.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordingEntry {
    /// The egress that made it (`EG_…`).
    pub id: String,
    /// Its room.
    pub room: String,
    /// What was recorded (`participant host`, `track TR_…`).
    pub source: String,
    /// `complete`, or how it ended early (`failed`, `aborted`, `limit_reached`).
    pub status: &'static str,
    /// Why it did not complete, if it did not.
    pub error: String,
    /// Unix milliseconds: recording started.
    pub started_at_ms: i64,
    /// Unix milliseconds: recording ended.
    pub ended_at_ms: i64,
    /// Milliseconds of media.
    pub duration_ms: i64,
    /// Bytes on disk.
    pub size_bytes: i64,
    /// `mp4`, `webm`, `ogg`, or `hls` (segments and a playlist).
    pub format: &'static str,
    /// The file's path in the recordings directory.
    pub path: String,
    /// A signed link a player opens (the file, or the HLS playlist).
    pub play_url: String,
    /// A signed link to one downloadable file (for HLS: the segments joined as one MP4).
    pub download_url: String,
    /// A signed link to the first thumbnail, if thumbnails were taken.
    pub poster_url: Option<String>,
    /// Unix seconds: when the links stop working.
    pub links_expire_at: i64,
}

/// A boxed future of the port.
pub type LibraryFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 'a>>;

/// Where recordings are listed and deleted.
pub trait RecordingLibrary: Send + Sync {
    /// Finished recordings, newest first (one room's, if given), at most `limit`; links valid
    /// for `link_ttl_secs`.
    fn list<'a>(&'a self, room: Option<&'a str>, limit: u32, link_ttl_secs: i64) -> LibraryFuture<'a, Vec<RecordingEntry>>;
    /// One recording, if it is in the library.
    fn get<'a>(&'a self, id: &'a str, link_ttl_secs: i64) -> LibraryFuture<'a, Option<RecordingEntry>>;
    /// Deletes a recording's files and takes it out of the library; `false` if it was not there.
    fn delete<'a>(&'a self, id: &'a str) -> LibraryFuture<'a, bool>;
}
