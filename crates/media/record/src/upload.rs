//! A finished job's files copied to S3-compatible storage (`egress.s3`), before its end is
//! recorded: the egress shows `EGRESS_ENDING` meanwhile, then `EGRESS_COMPLETE` with the
//! objects' URLs as its locations. The files stay in the recordings directory (the library
//! plays and serves them from there); an upload that fails after its retries fails the
//! egress, saying so and where the files are.

use std::path::{Path, PathBuf};

use hikari_egress::library::image_path;
use hikari_egress::{EgressId, EgressOutput, EgressStatus, Registry};
use hikari_upload::Uploader;

use crate::library::playlist_media;

/// Copies the files of `outputs` (a file; a playlist's init segment and segments, then the
/// playlist; thumbnails) and puts the objects' URLs in their locations; `Err` says which
/// failed.
pub(crate) async fn upload(uploader: &Uploader, dir: &Path, outputs: &mut [EgressOutput]) -> Result<usize, String> {
    let mut sent = 0;
    for output in outputs.iter_mut() {
        match output {
            EgressOutput::File(f) => {
                f.location = uploader.upload(dir, &f.filename).await.map_err(|e| e.to_string())?;
                sent += 1;
            }
            EgressOutput::Segments(s) => {
                let media = playlist_media(dir, &s.playlist_name).map_err(|e| e.to_string())?;
                for file in media.files() {
                    uploader.upload(dir, file).await.map_err(|e| e.to_string())?;
                    sent += 1;
                }
                // The playlist last: once it is there, everything it names is.
                s.playlist_location = uploader.upload(dir, &s.playlist_name).await.map_err(|e| e.to_string())?;
                sent += 1;
            }
            EgressOutput::Images(i) => {
                for k in 0..i.image_count {
                    uploader.upload(dir, &image_path(&i.filename_prefix, k)).await.map_err(|e| e.to_string())?;
                    sent += 1;
                }
            }
            EgressOutput::Streams(_) => {}
        }
    }
    Ok(sent)
}

/// Where a job's files go: the bucket, and the recordings directory they are read from.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub(crate) uploader: Uploader,
    pub(crate) dir: PathBuf,
}

/// What job `id`, which wrote `outputs` and would end with `status` and `error`, ends with once
/// its files are uploaded (if a target is configured and something was written). The egress
/// shows `EGRESS_ENDING` while they go up.
pub(crate) async fn finish(
    target: Option<&Target>,
    registry: &Registry,
    id: &EgressId,
    now: i64,
    status: EgressStatus,
    mut outputs: Vec<EgressOutput>,
    error: String,
) -> (EgressStatus, Vec<EgressOutput>, String) {
    let written = outputs.iter().any(|o| !matches!(o, EgressOutput::Streams(_)));
    let Some(target) = target.filter(|_| written) else { return (status, outputs, error) };
    // Already ending when stopped; a job ending by itself (the track went away) says so now.
    let _ = registry.stop(id, now).await;
    match upload(&target.uploader, &target.dir, &mut outputs).await {
        Ok(sent) => {
            tracing::info!(files = sent, "recording uploaded");
            (status, outputs, error)
        }
        Err(e) => {
            let kept = outputs.iter().find_map(|o| match o {
                EgressOutput::File(f) => Some(f.filename.clone()),
                EgressOutput::Segments(s) => Some(s.playlist_name.clone()),
                _ => None,
            });
            let why = format!("{e}; the recording is kept in the recordings directory{}", kept.map_or(String::new(), |k| format!(" ({k})")));
            tracing::error!(error = %why, "recording upload failed");
            let why = if error.is_empty() { why } else { format!("{error}; {why}") };
            (EgressStatus::Failed, outputs, why)
        }
    }
}
