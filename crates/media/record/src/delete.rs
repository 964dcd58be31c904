//! Deleting a library recording: its files, the folders they leave empty, and its place in
//! the library.

use std::path::Path;

use hikari_egress::EgressId;

use crate::error::RecordError;
use crate::library::files_of;
use crate::start::Recorder;

impl Recorder {
    /// Deletes the files of library recording `id` and takes it out of the library; returns
    /// how many files were removed. A file already gone is not an error, so a deletion that
    /// failed half-way can be repeated.
    pub async fn delete_recording(&self, id: &EgressId, now: i64) -> Result<usize, RecordError> {
        let recording = self.registry.recording(id).await?;
        let dir = self.cfg.dir.clone();
        let removed = tokio::task::spawn_blocking(move || -> Result<usize, RecordError> {
            let mut removed = 0;
            let files = files_of(&dir, &recording)?;
            for file in &files {
                match std::fs::remove_file(dir.join(file)) {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(RecordError::File(format!("cannot delete {file}: {e}"))),
                }
            }
            // The folders the request's path made, once empty (never the directory itself).
            for file in &files {
                let mut folder = Path::new(file).parent();
                while let Some(f) = folder.filter(|f| !f.as_os_str().is_empty()) {
                    if std::fs::remove_dir(dir.join(f)).is_err() {
                        break;
                    }
                    folder = f.parent();
                }
            }
            Ok(removed)
        })
        .await
        .map_err(|e| RecordError::File(format!("the deletion stopped: {e}")))??;
        self.registry.forget(id, now).await?;
        tracing::info!(egress_id = %id, removed, "recording deleted");
        Ok(removed)
    }
}
