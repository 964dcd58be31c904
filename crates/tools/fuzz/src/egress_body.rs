//! EgressService request bodies (`decode_egress_request`): the first byte picks the method
//! and the format (protobuf or protojson), the rest is the body. Nothing may panic, and a
//! decoded request keeps the decoder's promises (a composite has an output, ids are never
//! empty). Its RTMP URLs then go through what the server does with them
//! (`hikari_egress::stream`: checked, redacted for the record and the logs, scrubbed from
//! error texts): nothing panics there either, and a valid URL's stream key is never shown
//! whole.

use hikari_egress::stream::{names, redact, scrub, validate_url, validate_urls};
use hikari_protocol::{EgressMethod, TwirpFormat, decode_egress_request};
use hikari_types::{CompositeOutputs, EgressRequest};

pub fn run(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else { return };
    let method = EgressMethod::ALL[usize::from(selector >> 1) % EgressMethod::ALL.len()];
    let format = if selector & 1 == 0 { TwirpFormat::Protobuf } else { TwirpFormat::Json };
    let Ok(request) = decode_egress_request(method, format, body) else { return };
    match request {
        EgressRequest::StartTrack(t) => assert!(!t.room_name.as_str().is_empty() && !t.track_id.as_str().is_empty()),
        EgressRequest::StartTrackComposite(c) => {
            assert!(!c.room_name.as_str().is_empty() && (c.audio_track_id.is_some() || c.video_track_id.is_some()));
            assert!([&c.audio_track_id, &c.video_track_id].into_iter().flatten().all(|t| !t.as_str().is_empty()));
            outputs(&c.outputs);
        }
        EgressRequest::StartParticipant(p) => {
            assert!(!p.room_name.as_str().is_empty() && !p.identity.as_str().is_empty());
            outputs(&p.outputs);
        }
        EgressRequest::StartRoomComposite(r) => {
            assert!(!r.room_name.as_str().is_empty() && hikari_protocol::known_layout(&r.layout) && !(r.audio_only && r.video_only));
            let e = r.encoding;
            assert!((16..=1920).contains(&e.width) && (16..=1920).contains(&e.height) && e.width % 2 == 0 && e.height % 2 == 0, "{e:?}");
            assert!((1..=60).contains(&e.fps) && e.video_bitrate > 0 && e.audio_bitrate > 0 && (500..=10_000).contains(&e.keyframe_interval_ms), "{e:?}");
            assert!(!(r.audio_only && r.outputs.images.is_some()));
            outputs(&r.outputs);
        }
        EgressRequest::UpdateLayout { id, layout } => assert!(!id.as_str().is_empty() && hikari_protocol::known_layout(&layout)),
        EgressRequest::UpdateStream(u) => {
            assert!(!u.id.as_str().is_empty() && (!u.add.is_empty() || !u.remove.is_empty()));
            urls(&u.add);
            urls(&u.remove);
            // How the server matches a removal against the destinations it streams to.
            for (given, url) in u.remove.iter().flat_map(|r| u.add.iter().map(move |a| (r, a))) {
                let _ = names(given, url);
            }
        }
        EgressRequest::List(f) => {
            assert!(f.id.as_ref().is_none_or(|i| !i.as_str().is_empty()) && f.room_name.as_ref().is_none_or(|r| !r.as_str().is_empty()));
        }
        EgressRequest::Stop(id) => assert!(!id.as_str().is_empty()),
    }
}

/// A composite's outputs: a file, HLS, RTMP, thumbnails, or several, never none; thumbnails
/// of a bounded, even size and interval.
fn outputs(o: &CompositeOutputs) {
    assert!(o.file.is_some() || o.segments.is_some() || !o.stream_urls.is_empty() || o.images.is_some());
    assert!(o.segments.as_ref().is_none_or(|s| s.segment_duration <= 60));
    assert!(o.images.as_ref().is_none_or(|i| i.width <= 3840 && i.height <= 3840 && i.width % 2 == 0 && i.height % 2 == 0 && i.capture_interval <= 3600));
    urls(&o.stream_urls);
}

/// A request's destinations, as the server checks the list, then each one.
fn urls(urls: &[String]) {
    let _ = validate_urls(urls);
    for url in urls {
        one_url(url);
    }
}

/// One destination, as the server handles it: checked, redacted (the stored record, the
/// logs), and scrubbed from an error that names it. When it is valid and its last path
/// segment (the stream key) comes after an app (`rtmp://host/app/key`; `rtmp://host/app`
/// shows its app, by design), the redacted URL does not hold the key, unless the key is too
/// short to hide (under 8 characters), occurs earlier in the URL, or holds the marks the
/// redaction writes (`{`, `…`, `}`).
fn one_url(url: &str) {
    let shown = redact(url);
    let _ = scrub(&format!("{url}: error"), url);
    if validate_url(url).is_err() {
        return;
    }
    let Some((before, last)) = url.rsplit_once('/') else { return };
    let key = last.split(['?', '#']).next().unwrap_or("");
    let after_app = before.split_once("://").is_some_and(|(_, rest)| rest.contains('/'));
    if after_app && key.chars().count() >= 8 && !before.contains(key) && !key.contains(['{', '…', '}']) {
        assert!(!shown.contains(key), "{url:?} shows its key as {shown:?}");
    }
}
