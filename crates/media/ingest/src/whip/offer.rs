//! What a WHIP offer announces: one [`AddTrack`] per media line the encoder sends on, so
//! the SFU core's single-PeerConnection join binds each line to a track (by the msid track
//! id, the `cid`), with its simulcast layers (`a=simulcast:send` rids) for a simulcasting
//! encoder. The rest of the offer is the WebRTC stack's to read (str0m): this reads only
//! `m=`, `a=msid`, `a=mid`, the direction and `a=simulcast`.
//!
//! The offer comes from the network: it returns [`OfferError`], never panics, and is fuzzed
//! (`fuzz/fuzz_targets/whip_offer.rs`).

use hikari_types::{AddTrack, SimulcastLayer, TrackKind, TrackSource, VideoQuality};

/// The largest offer read, in bytes (browsers' offers are 4–10 KiB).
pub const MAX_OFFER_BYTES: usize = 64 * 1024;
/// Most media lines an offer may carry.
const MAX_MEDIA_LINES: usize = 8;
/// Most simulcast layers of one video line.
const MAX_LAYERS: usize = 3;

/// Why an offer was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OfferError {
    /// Larger than [`MAX_OFFER_BYTES`].
    #[error("the offer is larger than {MAX_OFFER_BYTES} bytes")]
    TooLarge,
    /// Not an SDP offer at all.
    #[error("not an SDP offer (no v=0 line)")]
    NotSdp,
    /// More media lines than allowed.
    #[error("the offer has more than {MAX_MEDIA_LINES} media lines")]
    TooManyLines,
    /// Nothing to publish.
    #[error("the offer sends no audio or video (WHIP media lines must be sendonly or sendrecv)")]
    NothingSent,
    /// More than one audio or more than one video line sends.
    #[error("the offer sends more than one {0} track; an ingress publishes one camera and one microphone")]
    Duplicate(&'static str),
    /// A simulcast line with more layers than a track has.
    #[error("the video line announces more than {MAX_LAYERS} simulcast layers")]
    TooManyLayers,
}

/// One media line as far as this reads it.
#[derive(Default)]
struct Line {
    kind: Option<TrackKind>,
    mid: String,
    track_id: String,
    sends: bool,
    rids: Vec<String>,
}

/// The tracks an offer sends: at most one audio and one video, in the offer's order.
pub fn tracks(offer: &str) -> Result<Vec<AddTrack>, OfferError> {
    if offer.len() > MAX_OFFER_BYTES {
        return Err(OfferError::TooLarge);
    }
    if !offer.trim_start().starts_with("v=0") {
        return Err(OfferError::NotSdp);
    }
    let mut lines: Vec<Line> = Vec::new();
    // Directions default to sendrecv (RFC 4566), per line or from the session level.
    let mut session_sends = true;
    for raw in offer.lines() {
        let line = raw.trim_end_matches('\r');
        if let Some(media) = line.strip_prefix("m=") {
            if lines.len() == MAX_MEDIA_LINES {
                return Err(OfferError::TooManyLines);
            }
            let kind = match media.split(' ').next() {
                Some("audio") => Some(TrackKind::Audio),
                Some("video") => Some(TrackKind::Video),
                _ => None,
            };
            lines.push(Line { kind, sends: session_sends, ..Line::default() });
            continue;
        }
        let Some(attr) = line.strip_prefix("a=") else { continue };
        let (name, value) = attr.split_once(':').unwrap_or((attr, ""));
        let sends = match name {
            "sendonly" | "sendrecv" => Some(true),
            "recvonly" | "inactive" => Some(false),
            _ => None,
        };
        let Some(current) = lines.last_mut() else {
            if let Some(s) = sends {
                session_sends = s;
            }
            continue;
        };
        match (name, sends) {
            (_, Some(s)) => current.sends = s,
            ("mid", _) => current.mid = value.trim().chars().take(32).collect(),
            // `a=msid:<stream id> <track id>`
            ("msid", _) => current.track_id = value.split_whitespace().nth(1).unwrap_or_default().chars().take(64).collect(),
            // `a=simulcast:send q;h;f` (alternatives with `,`, paused layers with `~`)
            ("simulcast", _) => current.rids = send_rids(value),
            _ => {}
        }
    }
    let mut tracks = Vec::new();
    let (mut audio, mut video) = (false, false);
    for line in lines.into_iter().filter(|l| l.sends) {
        let Some(kind) = line.kind else { continue };
        let seen = if kind == TrackKind::Audio { &mut audio } else { &mut video };
        if std::mem::replace(seen, true) {
            return Err(OfferError::Duplicate(if kind == TrackKind::Audio { "audio" } else { "video" }));
        }
        if line.rids.len() > MAX_LAYERS {
            return Err(OfferError::TooManyLayers);
        }
        let name = if kind == TrackKind::Audio { "audio" } else { "video" };
        let cid = if line.track_id.is_empty() { format!("whip-{name}-{}", line.mid) } else { line.track_id };
        tracks.push(AddTrack {
            cid,
            name: name.into(),
            kind,
            source: if kind == TrackKind::Audio { TrackSource::Microphone } else { TrackSource::Camera },
            layers: layers(&line.rids),
            ..AddTrack::default()
        });
    }
    if tracks.is_empty() {
        return Err(OfferError::NothingSent);
    }
    Ok(tracks)
}

/// The rids a `simulcast` attribute value sends, first alternative of each, paused included.
fn send_rids(value: &str) -> Vec<String> {
    let mut parts = value.split_whitespace();
    while let Some(direction) = parts.next() {
        let list = parts.next().unwrap_or_default();
        if direction == "send" {
            return list
                .split(';')
                .filter_map(|alts| alts.split(',').next())
                .map(|rid| rid.trim_start_matches('~').chars().take(16).collect::<String>())
                .filter(|rid| !rid.is_empty())
                .take(MAX_LAYERS + 1)
                .collect();
        }
    }
    Vec::new()
}

/// The layers of a simulcast line: LiveKit's rids `q`, `h`, `f` by name, others from the
/// lowest in the order sent. A single stream announces no layers.
fn layers(rids: &[String]) -> Vec<SimulcastLayer> {
    if rids.len() < 2 {
        return Vec::new();
    }
    let by_name = rids.iter().all(|r| matches!(r.as_str(), "q" | "h" | "f"));
    let mut qualities: Vec<VideoQuality> = if by_name {
        rids.iter()
            .map(|r| match r.as_str() {
                "q" => VideoQuality::Low,
                "h" => VideoQuality::Medium,
                _ => VideoQuality::High,
            })
            .collect()
    } else {
        [VideoQuality::Low, VideoQuality::Medium, VideoQuality::High].into_iter().take(rids.len()).collect()
    };
    qualities.sort();
    qualities.dedup();
    qualities.into_iter().map(|quality| SimulcastLayer { quality, ..SimulcastLayer::default() }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHROME: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n\
        m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendonly\r\na=msid:s1 a-track\r\na=rtpmap:111 opus/48000/2\r\n\
        m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=sendonly\r\na=msid:s1 v-track\r\na=rtpmap:96 H264/90000\r\n";

    #[test]
    fn a_browser_offer_announces_a_microphone_and_a_camera() {
        let t = tracks(CHROME).expect("valid");
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].cid.as_str(), t[0].kind, t[0].source), ("a-track", TrackKind::Audio, TrackSource::Microphone));
        assert_eq!((t[1].cid.as_str(), t[1].kind, t[1].source), ("v-track", TrackKind::Video, TrackSource::Camera));
        assert!(t[1].layers.is_empty());
    }

    #[test]
    fn simulcast_rids_become_layers_from_the_lowest() {
        let offer = CHROME.replace("a=msid:s1 v-track\r\n", "a=msid:s1 v-track\r\na=rid:f send\r\na=rid:h send\r\na=rid:q send\r\na=simulcast:send f;h;~q\r\n");
        let t = tracks(&offer).expect("valid");
        let q: Vec<_> = t[1].layers.iter().map(|l| l.quality).collect();
        assert_eq!(q, [VideoQuality::Low, VideoQuality::Medium, VideoQuality::High]);
        let other = CHROME.replace("a=msid:s1 v-track\r\n", "a=simulcast:send hi,x;lo\r\n");
        assert_eq!(tracks(&other).expect("valid")[1].layers.len(), 2);
        let four = CHROME.replace("a=msid:s1 v-track\r\n", "a=simulcast:send a;b;c;d\r\n");
        assert_eq!(tracks(&four), Err(OfferError::TooManyLayers));
    }

    #[test]
    fn lines_without_msid_get_a_cid_and_receive_only_lines_are_skipped() {
        let offer = CHROME.replace("a=msid:s1 a-track\r\n", "").replace("a=mid:1\r\na=sendonly", "a=mid:1\r\na=recvonly");
        let t = tracks(&offer).expect("audio still sends");
        assert_eq!((t.len(), t[0].cid.as_str()), (1, "whip-audio-0"));
    }

    #[test]
    fn bad_offers_are_refused_with_a_reason() {
        assert_eq!(tracks("hello"), Err(OfferError::NotSdp));
        assert_eq!(tracks(&"v=0\r\n".repeat(20_000)), Err(OfferError::TooLarge));
        assert_eq!(tracks("v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"), Err(OfferError::NothingSent));
        assert_eq!(tracks(&format!("{CHROME}{}", "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n".repeat(7))), Err(OfferError::TooManyLines));
        assert_eq!(tracks(&format!("{CHROME}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=sendonly\r\n")), Err(OfferError::Duplicate("audio")));
        let session_recvonly = CHROME.replace("t=0 0\r\n", "t=0 0\r\na=recvonly\r\n").replace("a=sendonly\r\n", "");
        assert_eq!(tracks(&session_recvonly), Err(OfferError::NothingSent));
    }
}
