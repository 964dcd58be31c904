//! Recording paths: a request's `filepath` (LiveKit's templates, `{room_name}` and friends)
//! into a relative path inside the recordings directory, or a clear refusal. The values
//! substituted come from applications and visitors (room names, identities), so each is
//! reduced to a safe file-name piece before it lands in a path; the result never starts at
//! the root, never climbs out with `..`, and carries the container's extension.

use crate::error::EgressError;

/// The longest path accepted, in bytes.
pub const MAX_PATH: usize = 512;
/// The longest component accepted, in bytes.
const MAX_COMPONENT: usize = 200;
/// A request without a filepath, or one naming a directory (ending in `/`), gets this name.
const DEFAULT_NAME: &str = "{room_name}-{track_id}-{time}";
/// A segmented output without a prefix, or with one naming a directory, gets this name.
const DEFAULT_SEGMENTS_NAME: &str = "{room_name}-{time}";

/// What a template may name.
#[derive(Clone, Debug, Default)]
pub struct PathVars<'a> {
    /// `{room_name}`.
    pub room_name: &'a str,
    /// `{room_id}`.
    pub room_id: &'a str,
    /// `{track_id}`.
    pub track_id: &'a str,
    /// `{track_type}`: `audio` or `video`.
    pub track_type: &'a str,
    /// `{track_source}`: `camera`, `microphone`, `screen_share`…
    pub track_source: &'a str,
    /// `{publisher_identity}`.
    pub publisher_identity: &'a str,
    /// The job's start, Unix milliseconds: `{time}` (`2026-11-30T175500`, UTC) and `{utc}`
    /// (the milliseconds).
    pub unix_millis: i64,
}

/// A value as a piece of a file name: ASCII letters, digits, `-`, `_` and `.` kept, anything
/// else (a `/`, a space, kana) becomes `_`; never `.` or `..`.
fn piece(value: &str) -> String {
    let s: String = value.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' }).collect();
    if s.is_empty() || s.chars().all(|c| c == '.') { s.replace('.', "_") + "_" } else { s }
}

/// Unix milliseconds as `YYYY-MM-DDTHHMMSS` (UTC).
fn time(unix_millis: i64) -> String {
    let secs = unix_millis.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    format!("{}T{:02}{:02}{:02}", hikari_common::clock::civil_date(days), rem / 3600, rem % 3600 / 60, rem % 60)
}

/// The relative path `template` names, with `extension` (`ogg`, `webm`, `mp4`): variables
/// substituted, the default name where none is given, the extension appended when missing.
/// Refused: an absolute path, `..` or `.` components, backslashes, control characters, a
/// path over [`MAX_PATH`] bytes, and an extension that is not the container's.
pub fn resolve(template: &str, vars: &PathVars<'_>, extension: &str) -> Result<String, EgressError> {
    let template = checked(template, DEFAULT_NAME)?;
    // The extension is the template's own (after its last `}`), never a value's dot.
    let tail = template.rsplit(['/', '}']).next().unwrap_or_default();
    let given_ext = tail.rsplit_once('.').map(|(_, ext)| ext.to_owned()).filter(|e| !e.is_empty());
    let mut path = fill(&template, vars)?;
    match given_ext {
        Some(ext) if !ext.eq_ignore_ascii_case(extension) => {
            return Err(invalid(&template, &format!("this track is recorded as a .{extension} file, not .{ext}")));
        }
        Some(_) => {}
        None => path = format!("{path}.{extension}"),
    }
    if path.len() > MAX_PATH {
        return Err(invalid(&template, &format!("longer than {MAX_PATH} bytes once its variables are filled in")));
    }
    Ok(path)
}

/// A segmented output's files: the segments' path prefix (`filename_prefix`, templates
/// filled in; default `{room_name}-{time}`, and a prefix naming a directory gets that name
/// inside it) and the playlist's path beside them (`playlist_name`, a plain file name ending
/// in `.m3u8`; default the prefix's name + `.m3u8`).
pub fn resolve_segments(prefix: &str, playlist_name: &str, vars: &PathVars<'_>) -> Result<(String, String), EgressError> {
    let template = checked(prefix, DEFAULT_SEGMENTS_NAME)?;
    let prefix = fill(&template, vars)?;
    let (dir, name) = prefix.rsplit_once('/').map_or(("", prefix.as_str()), |(d, n)| (d, n));
    let playlist = if playlist_name.is_empty() { format!("{name}.m3u8") } else { playlist_name.to_owned() };
    let playlist_ok = playlist.len() <= MAX_COMPONENT
        && playlist.to_ascii_lowercase().ends_with(".m3u8")
        && playlist.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !playlist.starts_with('.');
    if !playlist_ok {
        return Err(EgressError::InvalidArgument(format!(
            "playlist_name {playlist_name:?}: a file name of letters, digits, `-`, `_` and `.`, ending in .m3u8 (it goes beside the segments)"
        )));
    }
    let playlist = if dir.is_empty() { playlist } else { format!("{dir}/{playlist}") };
    if prefix.len() + 16 > MAX_PATH || playlist.len() > MAX_PATH {
        return Err(invalid(&template, &format!("longer than {MAX_PATH} bytes once its variables are filled in")));
    }
    Ok((prefix, playlist))
}

fn invalid(template: &str, why: &str) -> EgressError {
    EgressError::InvalidArgument(format!("filepath {template:?}: {why}"))
}

/// The template, checked and trimmed, with `default_name` where it names no file.
fn checked(template: &str, default_name: &str) -> Result<String, EgressError> {
    if template.len() > MAX_PATH {
        return Err(invalid(template, &format!("longer than {MAX_PATH} bytes")));
    }
    if template.starts_with('/') || template.contains('\\') || template.chars().any(char::is_control) {
        return Err(invalid(template, "must be a path relative to the recordings directory, without backslashes or control characters"));
    }
    let mut template = template.trim().to_owned();
    if template.is_empty() || template.ends_with('/') {
        template.push_str(default_name);
    }
    Ok(template)
}

/// The template with its variables substituted; every component must be a name.
fn fill(template: &str, vars: &PathVars<'_>) -> Result<String, EgressError> {
    let mut path = template.to_owned();
    for (name, value) in [
        ("{room_name}", piece(vars.room_name)),
        ("{room_id}", piece(vars.room_id)),
        ("{track_id}", piece(vars.track_id)),
        ("{track_type}", piece(vars.track_type)),
        ("{track_source}", piece(vars.track_source)),
        ("{publisher_identity}", piece(vars.publisher_identity)),
        ("{time}", time(vars.unix_millis)),
        ("{utc}", vars.unix_millis.to_string()),
    ] {
        path = path.replace(name, &value);
    }
    if path.split('/').any(|c| c.is_empty() || c == "." || c == ".." || c.len() > MAX_COMPONENT) {
        return Err(invalid(template, "every part of the path must be a name (no empty parts, no `.` or `..`, at most 200 bytes each)"));
    }
    Ok(path)
}

/// Whether a relative path (a download's, from a URL) names something inside the recordings
/// directory: non-empty parts, none `.` or `..`, no backslash or control character, at most
/// [`MAX_PATH`] bytes. Symbolic links are the server's to refuse (it resolves the path).
pub fn is_safe_relative(path: &str) -> bool {
    path.len() <= MAX_PATH
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path.split('/').all(|c| !c.is_empty() && c != "." && c != ".." && c.len() <= MAX_COMPONENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars() -> PathVars<'static> {
        PathVars {
            room_name: "ウェビナー/../x", room_id: "RM_1", track_id: "TR_a", track_type: "audio", unix_millis: 1_796_061_300_000, ..Default::default()
        }
    }

    #[test]
    fn templates_fill_in_and_values_cannot_climb_out() {
        assert_eq!(resolve("", &vars(), "ogg").expect("default"), "______.._x-TR_a-2026-11-30T175500.ogg");
        assert_eq!(resolve("rec/{room_id}/{track_id}", &vars(), "ogg").expect("ok"), "rec/RM_1/TR_a.ogg");
        assert_eq!(resolve("rec/", &vars(), "webm").expect("dir"), "rec/______.._x-TR_a-2026-11-30T175500.webm");
        assert_eq!(resolve("a/{track_type}.OGG", &vars(), "ogg").expect("ext kept"), "a/audio.OGG");
        assert_eq!(resolve("{utc}", &vars(), "mp4").expect("utc"), "1796061300000.mp4");
        assert_eq!(time(0), "1970-01-01T000000");
        assert_eq!(time(951_782_400_000), "2000-02-29T000000");
    }

    #[test]
    fn segment_prefixes_and_playlists_stay_inside() {
        let v = vars();
        assert_eq!(resolve_segments("", "", &v).expect("default"), ("______.._x-2026-11-30T175500".into(), "______.._x-2026-11-30T175500.m3u8".into()));
        assert_eq!(
            resolve_segments("hls/{room_id}/", "index.m3u8", &v).expect("dir"),
            ("hls/RM_1/______.._x-2026-11-30T175500".into(), "hls/RM_1/index.m3u8".into())
        );
        assert_eq!(resolve_segments("hls/{room_id}/part", "", &v).expect("prefix"), ("hls/RM_1/part".into(), "hls/RM_1/part.m3u8".into()));
        for (prefix, playlist) in [("../x", ""), ("/x", ""), ("a//b", ""), ("a", "../p.m3u8"), ("a", "d/p.m3u8"), ("a", "p.txt"), ("a", ".m3u8")] {
            assert!(matches!(resolve_segments(prefix, playlist, &v), Err(EgressError::InvalidArgument(_))), "{prefix} {playlist}");
        }
    }

    #[test]
    fn download_paths_stay_inside() {
        assert!(is_safe_relative("a/b-TR_1.ogg"));
        for bad in ["", "/a", "a/", "../a", "a/./b", "a\\b", "a\u{7f}b", "a//b"] {
            assert!(!is_safe_relative(bad), "{bad:?}");
        }
    }

    #[test]
    fn hostile_paths_are_refused() {
        for bad in ["/etc/passwd", "../x", "a/../../x", "a//b", "./a", "a\\b", "a\u{0}b", "a\nb", "x.mp4", &"a".repeat(600)] {
            let e = resolve(bad, &vars(), "ogg").expect_err(bad);
            assert!(matches!(&e, EgressError::InvalidArgument(m) if m.contains("filepath")), "{bad}: {e}");
        }
    }
}
