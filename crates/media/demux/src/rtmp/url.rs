//! Which app and stream key a publish names, from the `connect` command's `app` and
//! `tcUrl` and the `publish` command's stream name.
//!
//! LiveKit's pair (URL `rtmp://host:1935/x`, key `KEY`) arrives as app `x` and name `KEY`
//! from OBS's "Custom" service, and ffmpeg's `rtmp://host:1935/x/KEY` arrives the same
//! way. A server URL holding the key with an empty key field arrives as app `x/KEY` and an
//! empty name. Query strings (`KEY?foo=bar`) are not part of the key.

/// The part of `s` before any `?`, without surrounding slashes and spaces.
fn clean(s: &str) -> &str {
    s.split('?').next().unwrap_or_default().trim().trim_matches('/')
}

/// The path of an `rtmp://host[:port]/path` URL.
fn url_path(tc_url: &str) -> &str {
    let rest = tc_url.split_once("://").map_or(tc_url, |(_, r)| r);
    rest.split_once('/').map_or("", |(_, p)| p)
}

/// The `(app, stream_key)` a publisher means: the app as `connect` gave it (or from
/// `tcUrl`), the key from the stream name, or from the app's (or `tcUrl`'s) second path
/// component when the name is empty.
pub fn publish_target(app: &str, tc_url: Option<&str>, name: &str) -> (String, String) {
    let mut app = clean(app).to_owned();
    if app.is_empty()
        && let Some(u) = tc_url
    {
        app = clean(url_path(u)).to_owned();
    }
    let key = clean(name);
    if !key.is_empty() {
        return (app, key.to_owned());
    }
    match app.split_once('/') {
        Some((a, k)) => (a.to_owned(), clean(k).to_owned()),
        None => (app, String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::publish_target;

    fn t(app: &str, tc: Option<&str>, name: &str) -> (String, String) {
        publish_target(app, tc, name)
    }

    #[test]
    fn the_forms_encoders_use() {
        let want = ("x".to_owned(), "KEY".to_owned());
        assert_eq!(t("x", Some("rtmp://h:1935/x"), "KEY"), want, "OBS custom / ffmpeg");
        assert_eq!(t("x/", Some("rtmp://h:1935/x/"), "KEY"), want, "trailing slash");
        assert_eq!(t("x", None, "KEY?foo=bar"), want, "query on the key");
        assert_eq!(t("x?token=1", None, "KEY"), want, "query on the app");
        assert_eq!(t("x/KEY", Some("rtmp://h/x/KEY"), ""), want, "key in the server URL");
        assert_eq!(t("", Some("rtmp://h:1935/x/KEY"), ""), want, "only tcUrl");
        assert_eq!(t("x", None, ""), ("x".to_owned(), String::new()));
    }
}
