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

#[cfg(test)]
mod tests {
    use super::*;

    /// A full disk is told as such (the packaging job then ends LIMIT_REACHED), and a file
    /// that got nothing playable is removed.
    #[test]
    fn a_full_disk_says_so_and_an_empty_file_goes() {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full");
        let mut out = FileOut { file: Some(full), full: "/dev/full".into(), relative: "x.mp4".into(), location: "/r/x.mp4".into(), bytes: 0 };
        let e = out.event(&HlsEvent::Init(b"ftyp".to_vec())).expect_err("no space");
        assert!(e.starts_with("the disk is full"), "{e}");
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("y.mp4");
        let file = std::fs::File::create(&path).expect("file");
        let mut out = FileOut { file: Some(file), full: path.clone(), relative: "y.mp4".into(), location: "/r/y.mp4".into(), bytes: 0 };
        out.event(&HlsEvent::Init(b"ftyp".to_vec())).expect("written");
        assert_eq!((out.bytes, out.result(Duration::from_secs(2), 1, 3).size), (4, 4));
        out.discard();
        assert!(!path.exists());
    }
}
