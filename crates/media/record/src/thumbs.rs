//! Thumbnails of a packaging job (`ImageOutput`): one push job ([`hikari_codec::Push`] with a
//! JPEG target) fed the same CMAF fragments as the streams, from the first keyframe on, writes
//! `<prefix>_00000.jpeg`, `<prefix>_00001.jpeg`, … every `capture_interval` seconds into the
//! recordings directory. Fed from the job's thread without waiting: a full queue skips
//! fragments up to the next keyframe. A failing ffmpeg ends the thumbnails, not the job.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bytes::Bytes;
use hikari_codec::{Push, PushEvent, PushSpec, PushTarget};
use hikari_egress::ImagesResult;
use tokio::sync::mpsc;

use crate::feed::Feed;

/// LiveKit's default interval between images.
const DEFAULT_INTERVAL: u32 = 10;
/// Fragments queued for ffmpeg (about 20 s).
const QUEUE: usize = 64;
/// How long ffmpeg may take to write its last image and exit.
const CLOSE_GRACE: Duration = Duration::from_secs(10);

/// A running thumbnail output.
pub(crate) struct Thumbnails {
    push: Push,
    events: mpsc::Receiver<PushEvent>,
    feed: Option<Feed>,
    init: Option<Bytes>,
    /// The directory the images go to, and their names' start (`<name>_`).
    dir: PathBuf,
    name: String,
    /// The prefix as `ImagesInfo` reports it (relative to the recordings directory).
    prefix: String,
    pub(crate) started_at: Option<i64>,
    /// Why ffmpeg ended early, if it did.
    pub(crate) error: Option<String>,
}

/// The first image's file name for a prefix `name` (to refuse overwriting one).
pub(crate) fn first_file(name: &str) -> String {
    hikari_egress::library::image_path(name, 0)
}

impl Thumbnails {
    /// Starts ffmpeg (on the current runtime). `recordings` is the directory, `prefix` the
    /// resolved files' prefix relative to it.
    pub(crate) async fn start(ffmpeg: &Path, recordings: &Path, prefix: &str, every: u32, width: u32, height: u32) -> Result<Self, String> {
        let full = recordings.join(prefix);
        let dir = full.parent().map_or_else(|| recordings.to_path_buf(), Path::to_path_buf);
        let name = full.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let every = if every == 0 { DEFAULT_INTERVAL } else { every };
        let target = PushTarget::Jpeg { pattern: dir.join(format!("{name}_%05d.jpeg")), every, width, height };
        let spec = PushSpec { target, video: true, audio: false, queue: QUEUE };
        let (push, events) = Push::start(&spec, ffmpeg).await.map_err(|e| e.to_string())?;
        let feed = push.input().map(Feed::new);
        Ok(Self { push, events, feed, init: None, dir, name, prefix: prefix.to_owned(), started_at: None, error: None })
    }

    pub(crate) fn init(&mut self, data: Bytes) {
        self.init = Some(data);
    }

    /// One fragment; `now` stamps the first one taken.
    pub(crate) fn part(&mut self, data: &Bytes, independent: bool, now: i64) {
        let (Some(feed), Some(init)) = (self.feed.as_mut(), self.init.as_ref()) else { return };
        if feed.offer(init, data, independent) && self.started_at.is_none() {
            self.started_at = Some(now);
        }
        // ffmpeg gone: note why (its last lines), once.
        while let Ok(event) = self.events.try_recv() {
            if let PushEvent::Ended(result) = event {
                self.feed = None;
                self.error = Some(result.err().map_or_else(|| "ffmpeg ended early".to_owned(), |e| e.to_string()));
            }
        }
    }

    /// Images written so far.
    pub(crate) fn count(&self) -> i64 {
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return 0 };
        let start = format!("{}_", self.name);
        let numbered =
            |n: &str| n.strip_prefix(&start).and_then(|r| r.strip_suffix(".jpeg")).is_some_and(|d| d.len() >= 5 && d.bytes().all(|b| b.is_ascii_digit()));
        let count = entries.filter_map(Result::ok).filter(|e| numbered(&e.file_name().to_string_lossy())).count();
        i64::try_from(count).unwrap_or(i64::MAX)
    }

    pub(crate) fn result(&self, ended_at: i64) -> ImagesResult {
        ImagesResult { filename_prefix: self.prefix.clone(), image_count: self.count(), started_at: self.started_at.unwrap_or(0), ended_at }
    }

    /// Ends the input and waits (bounded) for ffmpeg to write its last image and exit.
    pub(crate) async fn finish(&mut self) {
        self.feed = None;
        self.push.close_input();
        let ended = tokio::time::timeout(CLOSE_GRACE, async {
            while let Some(event) = self.events.recv().await {
                if let PushEvent::Ended(result) = event {
                    return result.err();
                }
            }
            None
        })
        .await;
        match ended {
            Ok(Some(e)) if self.error.is_none() => self.error = Some(e.to_string()),
            Err(_) => self.error = Some("ffmpeg did not finish the thumbnails in time".into()),
            _ => {}
        }
    }
}
