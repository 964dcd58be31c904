//! Whether the installed GStreamer can run the keyframe-answering ladder
//! ([`crate::gst_args`]): `gst-inspect-1.0` (beside `gst-launch-1.0`) lists its elements,
//! once per program path. The answer says which elements are missing, so a server without
//! them can say why it falls back to ffmpeg.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use tokio::process::Command;

use crate::gst_args::ELEMENTS;

/// How long `gst-inspect-1.0` may take (it reads the plugin registry; the first run after an
/// installation builds it).
const PROBE_TIMEOUT: Duration = Duration::from_secs(20);

static CACHE: OnceLock<Mutex<HashMap<PathBuf, Result<(), String>>>> = OnceLock::new();

/// `Ok` when `gst_launch` and every element the pipeline needs are installed; otherwise
/// what is missing, in words. Asked once per path and remembered.
pub async fn probe_gst(gst_launch: &Path) -> Result<(), String> {
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(known) = cache.lock().ok().and_then(|c| c.get(gst_launch).cloned()) {
        return known;
    }
    let answer = ask(gst_launch).await;
    if let Ok(mut c) = cache.lock()
        && c.len() < 16
    {
        c.insert(gst_launch.to_owned(), answer.clone());
    }
    answer
}

async fn ask(gst_launch: &Path) -> Result<(), String> {
    let inspect = inspect_path(gst_launch);
    let mut cmd = Command::new(&inspect);
    cmd.env_clear().stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::null()).kill_on_drop(true);
    // The registry lives under HOME; without it GStreamer rescans every plugin each time.
    if let Some(home) = std::env::var_os("HOME") {
        cmd.env("HOME", home);
    }
    let child = cmd.spawn().map_err(|e| format!("{} cannot be run: {e}", inspect.display()))?;
    let out = match tokio::time::timeout(PROBE_TIMEOUT, child.wait_with_output()).await {
        Ok(Ok(out)) => out,
        Ok(Err(e)) => return Err(format!("{} failed: {e}", inspect.display())),
        Err(_) => return Err(format!("{} did not answer in {} s", inspect.display(), PROBE_TIMEOUT.as_secs())),
    };
    missing(&String::from_utf8_lossy(&out.stdout))
}

/// `gst-inspect-1.0` beside `gst-launch-1.0` (or on the PATH when only a name is given).
fn inspect_path(gst_launch: &Path) -> PathBuf {
    let name = gst_launch.file_name().and_then(|n| n.to_str()).unwrap_or("gst-launch-1.0").replacen("launch", "inspect", 1);
    gst_launch.with_file_name(name)
}

/// The elements of [`ELEMENTS`] absent from a `gst-inspect-1.0` listing
/// (`plugin:  element: description` lines).
fn missing(listing: &str) -> Result<(), String> {
    let present: std::collections::HashSet<&str> = listing.lines().filter_map(|l| l.split(':').nth(1)).map(str::trim).collect();
    let absent: Vec<&str> = ELEMENTS.into_iter().filter(|e| !present.contains(e)).collect();
    if absent.is_empty() {
        return Ok(());
    }
    Err(format!(
        "GStreamer lacks {} (Debian: apt-get install gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav)",
        absent.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listing_missing_x264_names_it() {
        let full: String = ELEMENTS.iter().map(|e| format!("plugin:  {e}: something\n")).collect();
        assert_eq!(missing(&full), Ok(()));
        let partial = full.replace("x264enc", "x265enc");
        let err = missing(&partial).expect_err("x264enc is missing");
        assert!(err.starts_with("GStreamer lacks x264enc ("), "{err}");
        assert!(missing("").expect_err("empty").contains("fdsrc, flvdemux"));
    }

    #[test]
    fn inspect_sits_beside_launch() {
        assert_eq!(inspect_path(Path::new("/opt/gst/bin/gst-launch-1.0")), PathBuf::from("/opt/gst/bin/gst-inspect-1.0"));
        assert_eq!(inspect_path(Path::new("gst-launch-1.0")), PathBuf::from("gst-inspect-1.0"));
    }
}
