//! The files of a library recording: which files in the recordings directory make it up
//! (the file; or the playlist, its init segment and segments in order; and its thumbnails),
//! and deleting them. Paths come from stored records and playlists on disk, so each is checked
//! to stay inside the recordings directory before it is opened or removed. [`byte_range`]
//! reads the span of them an HTTP `Range` header asks for (the server joins an HLS
//! recording's files into one MP4 download).

use std::path::Path;

use hikari_egress::library::image_path;
use hikari_egress::path::is_safe_relative;
use hikari_egress::{Recording, RecordingKind};

use crate::error::RecordError;

/// The media an HLS event playlist names, relative to the recordings directory.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlaylistMedia {
    /// The init segment (`EXT-X-MAP`).
    pub init: Option<String>,
    /// The segments in playlist order, with their `EXTINF` durations in seconds.
    pub segments: Vec<(String, f64)>,
}

impl PlaylistMedia {
    /// Every file, the init segment first.
    pub fn files(&self) -> impl Iterator<Item = &String> {
        self.init.iter().chain(self.segments.iter().map(|(s, _)| s))
    }
}

/// Reads an HLS event playlist of the recordings directory. A URI that would leave the
/// directory (or is absolute, or has a query) is refused.
pub fn playlist_media(dir: &Path, playlist: &str) -> Result<PlaylistMedia, RecordError> {
    if !is_safe_relative(playlist) {
        return Err(RecordError::Invalid(format!("{playlist}: not a path inside the recordings directory")));
    }
    let text = std::fs::read_to_string(dir.join(playlist)).map_err(|e| RecordError::NotFound(format!("{playlist}: {e}")))?;
    let base = playlist.rsplit_once('/').map_or("", |(d, _)| d);
    let resolve = |uri: &str| {
        let path = if base.is_empty() { uri.to_owned() } else { format!("{base}/{uri}") };
        if uri.contains("://") || uri.contains('?') || !is_safe_relative(&path) {
            return Err(RecordError::Invalid(format!("{playlist} names {uri:?}, which is not a file beside it")));
        }
        Ok(path)
    };
    let mut media = PlaylistMedia::default();
    let mut duration = 0.0;
    for line in text.lines().map(str::trim) {
        if let Some(map) = line.strip_prefix("#EXT-X-MAP:") {
            if let Some((uri, _)) = map.split_once("URI=\"").and_then(|(_, rest)| rest.split_once('"')) {
                media.init = Some(resolve(uri)?);
            }
        } else if let Some(inf) = line.strip_prefix("#EXTINF:") {
            duration = inf.split(',').next().and_then(|d| d.trim().parse::<f64>().ok()).filter(|d| d.is_finite() && *d >= 0.0).unwrap_or(0.0);
        } else if !line.is_empty() && !line.starts_with('#') {
            let path = resolve(line)?;
            if !media.segments.iter().any(|(s, _)| *s == path) {
                media.segments.push((path, duration));
            }
            duration = 0.0;
        }
    }
    Ok(media)
}

/// Every file of `recording`, relative to the recordings directory: the media (for a playlist,
/// its segments, then the playlist itself) and the thumbnails.
pub fn files_of(dir: &Path, recording: &Recording) -> Result<Vec<String>, RecordError> {
    let mut files = match recording.kind {
        RecordingKind::File => vec![recording.path.clone()],
        RecordingKind::Playlist => {
            let mut media: Vec<String> = match playlist_media(dir, &recording.path) {
                Ok(m) => m.files().cloned().collect(),
                // Deleted by hand already: the playlist alone is left to remove (if even that).
                Err(RecordError::NotFound(_)) => Vec::new(),
                Err(e) => return Err(e),
            };
            media.push(recording.path.clone());
            media
        }
    };
    if let Some((prefix, count)) = &recording.images {
        files.extend((0..*count).map(|i| image_path(prefix, i)));
    }
    Ok(files.into_iter().filter(|f| is_safe_relative(f)).collect())
}

/// A range beyond the end (HTTP 416).
#[derive(Debug, PartialEq, Eq)]
pub struct Unsatisfiable;

/// The span an HTTP `Range` header asks of `total` bytes: `Ok(None)` for the whole (no header, or
/// one this server does not serve, such as several ranges: the whole is a valid answer),
/// `Err(Unsatisfiable)` when it cannot be satisfied.
pub fn byte_range(header: Option<&str>, total: u64) -> Result<Option<(u64, u64)>, Unsatisfiable> {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Ok(None) };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.split_once('-') else { return Ok(None) };
    let (first, last) = (first.trim(), last.trim());
    let parsed = match (first.is_empty(), last.is_empty()) {
        (true, true) => return Ok(None),
        (true, false) => {
            let Ok(n) = last.parse::<u64>() else { return Ok(None) };
            if n == 0 {
                return Err(Unsatisfiable);
            }
            (total.saturating_sub(n), total.saturating_sub(1))
        }
        (false, _) => {
            let Ok(a) = first.parse::<u64>() else { return Ok(None) };
            let b = match last.parse::<u64>() {
                _ if last.is_empty() => u64::MAX,
                Ok(b) if b >= a => b,
                _ => return Ok(None),
            };
            (a, b.min(total.saturating_sub(1)))
        }
    };
    if total == 0 || parsed.0 >= total { Err(Unsatisfiable) } else { Ok(Some(parsed)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hikari_egress::{EgressId, EgressStatus};

    fn recording(kind: RecordingKind, path: &str) -> Recording {
        Recording {
            id: EgressId::new("EG_x"),
            room_name: "r".into(),
            source: String::new(),
            status: EgressStatus::Complete,
            error: String::new(),
            started_at: 0,
            ended_at: 0,
            duration: 0,
            size: 0,
            kind,
            path: path.into(),
            images: Some(("r/host".into(), 2)),
        }
    }

    #[test]
    fn a_playlist_names_its_init_segment_and_segments_in_order() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::create_dir_all(dir.path().join("r")).expect("mkdir");
        let playlist = "#EXTM3U\n#EXT-X-MAP:URI=\"host_init.mp4\"\n#EXTINF:4.0,\nhost_seg0.m4s\n#EXTINF:4.0,\nhost_seg1.m4s\n#EXT-X-ENDLIST\n";
        std::fs::write(dir.path().join("r/host.m3u8"), playlist).expect("write");
        let media = playlist_media(dir.path(), "r/host.m3u8").expect("media");
        assert_eq!(media.init.as_deref(), Some("r/host_init.mp4"));
        assert_eq!(media.segments, [("r/host_seg0.m4s".to_owned(), 4.0), ("r/host_seg1.m4s".to_owned(), 4.0)]);
        let all = files_of(dir.path(), &recording(RecordingKind::Playlist, "r/host.m3u8")).expect("files");
        assert_eq!(all, ["r/host_init.mp4", "r/host_seg0.m4s", "r/host_seg1.m4s", "r/host.m3u8", "r/host_00000.jpeg", "r/host_00001.jpeg"]);
        // A playlist deleted by hand leaves only itself to remove.
        let gone = files_of(dir.path(), &recording(RecordingKind::Playlist, "r/gone.m3u8")).expect("files");
        assert_eq!(gone[0], "r/gone.m3u8");
        assert_eq!(files_of(dir.path(), &recording(RecordingKind::File, "r/a.mp4")).expect("files")[0], "r/a.mp4");
    }

    #[test]
    fn ranges_are_read_as_the_rfc_says() {
        assert_eq!(byte_range(None, 100), Ok(None));
        assert_eq!(byte_range(Some("bytes=0-9"), 100), Ok(Some((0, 9))));
        assert_eq!(byte_range(Some("bytes=90-"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=90-500"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=-10"), 100), Ok(Some((90, 99))));
        assert_eq!(byte_range(Some("bytes=-500"), 100), Ok(Some((0, 99))));
        assert_eq!(byte_range(Some("bytes=100-"), 100), Err(Unsatisfiable));
        assert_eq!(byte_range(Some("bytes=-0"), 100), Err(Unsatisfiable));
        for whole in ["bytes=0-1,5-6", "items=0-1", "bytes=x-1", "bytes=5-1", "bytes=-"] {
            assert_eq!(byte_range(Some(whole), 100), Ok(None), "{whole}");
        }
    }

    #[test]
    fn a_playlist_cannot_name_files_outside_the_directory() {
        let dir = tempfile::tempdir().expect("dir");
        for (i, uri) in ["../../etc/passwd", "/etc/passwd", "http://example.com/x.m4s", "a.m4s?x=1"].into_iter().enumerate() {
            let name = format!("p{i}.m3u8");
            std::fs::write(dir.path().join(&name), format!("#EXTM3U\n#EXTINF:1,\n{uri}\n")).expect("write");
            assert!(matches!(playlist_media(dir.path(), &name), Err(RecordError::Invalid(_))), "{uri}");
        }
        assert!(matches!(playlist_media(dir.path(), "../x.m3u8"), Err(RecordError::Invalid(_))));
    }
}
