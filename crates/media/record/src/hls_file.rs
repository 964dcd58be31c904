//! A packaging job's MP4 file output: the packager's init segment, then every part as it
//! comes. That is a fragmented MP4 (H.264 and Opus) that a crash leaves readable up to its
//! last fragment; it is synced at each segment's end and at the end, before its result is
//! reported.

use std::fs::File;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use hikari_egress::FileResult;
use hikari_mux::hls::HlsEvent;

/// The file, and what has gone into it.
pub(crate) struct FileOut {
    pub(crate) file: Option<File>,
    pub(crate) full: PathBuf,
    /// Relative to the recordings directory.
    pub(crate) relative: String,
    /// Where this server serves it.
    pub(crate) location: String,
    pub(crate) bytes: u64,
}

impl FileOut {
    /// Writes what `event` carries (an init segment or a part); a segment's end syncs.
    pub(crate) fn event(&mut self, event: &HlsEvent) -> Result<(), String> {
        let Some(f) = self.file.as_mut() else { return Ok(()) };
        match event {
            HlsEvent::Init(data) | HlsEvent::Part { data, .. } => {
                f.write_all(data).map_err(|e| io_error(&format!("write {}", self.full.display()), &e))?;
                self.bytes += data.len() as u64;
            }
            HlsEvent::SegmentEnd { .. } => f.sync_data().map_err(|e| io_error(&format!("sync {}", self.full.display()), &e))?,
            HlsEvent::End => {}
        }
        Ok(())
    }

    /// The file as `FileInfo` reports it.
    pub(crate) fn result(&self, duration: Duration, started_at: i64, ended_at: i64) -> FileResult {
        FileResult {
            filename: self.relative.clone(),
            started_at,
            ended_at,
            duration: i64::try_from(duration.as_nanos()).unwrap_or(i64::MAX),
            size: i64::try_from(self.bytes).unwrap_or(i64::MAX),
            location: self.location.clone(),
        }
    }

    /// Syncs and closes the file.
    pub(crate) fn finish(&mut self) -> Result<(), String> {
        match self.file.take() {
            Some(f) => f.sync_all().map_err(|e| io_error(&format!("sync {}", self.full.display()), &e)),
            None => Ok(()),
        }
    }

    /// Removes the file (nothing playable went into it).
    pub(crate) fn discard(&mut self) {
        self.file = None;
        let _ = std::fs::remove_file(&self.full);
    }
}

/// An I/O error as the job reports it: a full disk says so first (the job then ends
/// LIMIT_REACHED).
pub(crate) fn io_error(what: &str, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::StorageFull { format!("the disk is full: cannot {what}: {e}") } else { format!("cannot {what}: {e}") }
}
