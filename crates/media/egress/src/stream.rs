//! RTMP destinations of an egress: which URLs are taken, and how they are shown. A stream
//! URL carries a secret (the service's stream key, sometimes a user and password), so
//! everything outside the running job — the stored record, `EgressInfo`, logs — sees it
//! through [`redact`].

use crate::error::EgressError;

/// Destinations per egress.
pub const MAX_STREAMS: usize = 8;
/// A lone path segment this long (`rtmp://host/<segment>`) is taken for a stream key.
const LONE_KEY: usize = 12;
/// The longest URL taken.
pub const MAX_URL_LEN: usize = 1024;

/// Checks one destination: `rtmp://` or `rtmps://`, a host, no whitespace or control
/// characters, bounded length.
pub fn validate_url(url: &str) -> Result<(), EgressError> {
    let bad = |why: &str| Err(EgressError::InvalidArgument(format!("stream URL {:?}: {why}", redact(url))));
    if url.len() > MAX_URL_LEN {
        return bad(&format!("longer than {MAX_URL_LEN} bytes"));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return bad("has spaces or control characters");
    }
    let Some((scheme, rest)) = url.split_once("://") else { return bad("is not a URL; use rtmp://host/app/stream-key or rtmps://…") };
    if !matches!(scheme.to_ascii_lowercase().as_str(), "rtmp" | "rtmps") {
        return bad("only rtmp:// and rtmps:// destinations are supported");
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.rsplit_once(':').filter(|(h, p)| !h.ends_with(']') || p.is_empty()).map_or(host, |(h, _)| h);
    if host.is_empty() || host.starts_with('-') {
        return bad("has no host");
    }
    Ok(())
}

/// Checks a request's list of destinations: each valid, none twice, at most [`MAX_STREAMS`].
pub fn validate_urls<'a>(urls: impl IntoIterator<Item = &'a String>) -> Result<(), EgressError> {
    let mut seen: Vec<&str> = Vec::new();
    for url in urls {
        validate_url(url)?;
        if seen.contains(&url.as_str()) {
            return Err(EgressError::InvalidArgument(format!("stream URL {:?} is given twice", redact(url))));
        }
        seen.push(url);
    }
    if seen.len() > MAX_STREAMS {
        return Err(EgressError::InvalidArgument(format!("at most {MAX_STREAMS} stream URLs per egress (got {})", seen.len())));
    }
    Ok(())
}

/// The URL with its secrets hidden: a `user:password@` becomes `{…}@` and the last path
/// segment (the stream key) keeps its first and last two characters (`{ab…yz}`; shorter
/// keys than 8 characters show nothing: `{…}`); a lone segment is masked too when it is long
/// enough to be a key rather than an app name. The query is dropped.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return mask(url) };
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = rest.split_once('/').map_or((rest, None), |(a, p)| (a, Some(p)));
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("{{…}}@{host}"),
        None => authority.to_owned(),
    };
    let Some(path) = path else { return format!("{scheme}://{authority}") };
    match path.rsplit_once('/') {
        Some((app, key)) => format!("{scheme}://{authority}/{app}/{}", mask(key)),
        None if path.is_empty() => format!("{scheme}://{authority}/"),
        // `rtmp://host/app`: an app name is shown; a long lone segment is taken for a key.
        None if path.chars().count() < LONE_KEY => format!("{scheme}://{authority}/{path}"),
        None => format!("{scheme}://{authority}/{}", mask(path)),
    }
}

fn mask(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    if chars.len() < 8 {
        return "{…}".into();
    }
    let (head, tail): (String, String) = (chars[..2].iter().collect(), chars[chars.len() - 2..].iter().collect());
    format!("{{{head}…{tail}}}")
}

/// `text` (an error message) with `url`'s secrets hidden: the URL redacted, and its key and
/// credentials masked wherever they appear alone.
pub fn scrub(text: &str, url: &str) -> String {
    let mut out = text.replace(url, &redact(url));
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split('/').next().unwrap_or("");
    let mut secrets: Vec<&str> = Vec::new();
    if let Some((userinfo, _)) = authority.rsplit_once('@') {
        secrets.push(userinfo);
        secrets.extend(userinfo.split(':'));
    }
    let path = rest.strip_prefix(authority).unwrap_or("");
    secrets.extend(path.split(['/', '?', '&', '=', '#']).filter(|p| p.len() >= 4));
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    for secret in secrets.into_iter().filter(|s| s.len() >= 4) {
        // The app name (`live2`) is no secret, but masking it costs nothing: keys come first.
        if !redact(url).contains(secret) {
            out = out.replace(secret, &mask(secret));
        }
    }
    out
}

/// Whether `given` names the destination `url` (whole, or as [`redact`] shows it).
pub fn names(given: &str, url: &str) -> bool {
    given == url || given == redact(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_keys_and_credentials() {
        assert_eq!(redact("rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop"), "rtmp://a.rtmp.youtube.com/live2/{ab…op}");
        assert_eq!(redact("rtmps://u:secret@live.example:443/app/key?token=zzz"), "rtmps://{…}@live.example:443/app/{…}");
        assert_eq!(redact("rtmp://host/app"), "rtmp://host/app");
        assert_eq!(redact("rtmp://host/0123456789abcdef"), "rtmp://host/{01…ef}");
        assert_eq!(redact("rtmp://host"), "rtmp://host");
        assert_eq!(redact("garbage-with-secret"), "{ga…et}");
        let url = "rtmp://127.0.0.1:1935/live/0123456789abcdef";
        assert!(!redact(url).contains("456789"));
        assert!(names(&redact(url), url) && names(url, url) && !names("rtmp://127.0.0.1:1935/live/x", url));
    }

    #[test]
    fn scrubs_error_texts() {
        let url = "rtmp://user:hunter22@127.0.0.1:1935/live/0123456789abcdef?t=tok3n";
        let text = format!("{url}: Connection refused; publishing 0123456789abcdef as user hunter22 with tok3n");
        let clean = scrub(&text, url);
        for secret in ["0123456789abcdef", "hunter22", "tok3n"] {
            assert!(!clean.contains(secret), "{clean}");
        }
        assert!(clean.contains("Connection refused") && clean.contains("127.0.0.1:1935/live/{01…ef}"), "{clean}");
        // YouTube's backup ingest puts the key after a query.
        let backup = "rtmp://b.rtmp.youtube.com/live2?backup=1/abcd-efgh-ijkl-mnop";
        assert!(!redact(backup).contains("efgh") && !scrub(&format!("{backup}: refused"), backup).contains("efgh"));
    }

    #[test]
    fn takes_rtmp_and_rtmps_only() {
        for ok in ["rtmp://a.rtmp.youtube.com/live2/key", "rtmps://live-api-s.facebook.com:443/rtmp/FB-1", "rtmp://[::1]:1935/live/k", "rtmp://u:p@h/a/k"] {
            assert!(validate_url(ok).is_ok(), "{ok}");
        }
        for bad in ["", "-i", "file:///etc/passwd", "http://x/y", "srt://h:1", "rtmp://", "rtmp:///app/key", "rtmp://h/a b", "rtmp://-h/x", "rtmp://h/\u{7}"] {
            assert!(matches!(validate_url(bad), Err(EgressError::InvalidArgument(_))), "{bad:?}");
        }
        assert!(validate_url(&format!("rtmp://h/{}", "k".repeat(MAX_URL_LEN))).is_err());
        let secret = "rtmp://h/app/supersecretkey1";
        let Err(EgressError::InvalidArgument(m)) = validate_urls([&secret.to_string(), &secret.to_string()]) else { panic!("a duplicate is refused") };
        assert!(!m.contains("supersecret"), "{m}");
        let many: Vec<String> = (0..=MAX_STREAMS).map(|i| format!("rtmp://h/app/k{i}")).collect();
        assert!(validate_urls(&many).is_err());
    }
}
