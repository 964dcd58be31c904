//! What the installed ffmpeg can do, asked once per program path: whether it runs at all
//! (a clear [`CodecError::FfmpegMissing`] otherwise) and whether its libopus wrapper has the
//! `-dtx` option (FFmpeg 5.1's has not).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tokio::process::Command;

use crate::error::CodecError;

/// How long `ffmpeg -h encoder=libopus` may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// What an ffmpeg program offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FfmpegCaps {
    /// The libopus encoder takes `-dtx`.
    pub opus_dtx: bool,
}

static CACHE: OnceLock<Mutex<HashMap<PathBuf, FfmpegCaps>>> = OnceLock::new();

/// The capabilities of the ffmpeg at `path`, asked once per path and remembered.
pub async fn probe(path: &Path) -> Result<FfmpegCaps, CodecError> {
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(caps) = cache.lock().ok().and_then(|c| c.get(path).copied()) {
        return Ok(caps);
    }
    let mut cmd = Command::new(path);
    cmd.args(["-hide_banner", "-h", "encoder=libopus"]).env_clear().stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).kill_on_drop(true);
    let output = match cmd.spawn() {
        Ok(child) => tokio::time::timeout(PROBE_TIMEOUT, child.wait_with_output()).await,
        Err(e) => return Err(spawn_error(path, e)),
    };
    let text = match output {
        Ok(Ok(out)) => String::from_utf8_lossy(&out.stdout).into_owned(),
        Ok(Err(e)) => return Err(spawn_error(path, e)),
        Err(_) => return Err(CodecError::Spawn { path: path.to_owned(), source: std::io::ErrorKind::TimedOut.into() }),
    };
    let caps = FfmpegCaps { opus_dtx: text.lines().any(|l| l.trim_start().starts_with("-dtx ")) };
    if let Ok(mut c) = cache.lock()
        && c.len() < 16
    {
        c.insert(path.to_owned(), caps);
    }
    Ok(caps)
}

/// A spawn failure: a missing program gets its own error.
pub fn spawn_error(path: &Path, e: std::io::Error) -> CodecError {
    if e.kind() == std::io::ErrorKind::NotFound {
        CodecError::FfmpegMissing { path: path.to_owned() }
    } else {
        CodecError::Spawn { path: path.to_owned(), source: e }
    }
}
