//! A publisher's codec choice, honoured. A client names the codec of a new track in its
//! `AddTrackRequest` (livekit-client's `videoCodec: 'h264'`) but offers every codec it has,
//! VP8 first; a sender encodes with the first codec of the answer, and str0m answers in the
//! server's configured order (VP8 first). LiveKit's server puts the announced codec first in
//! the offer before answering; str0m ignores the offer's order, so here each new video line
//! the publisher only sends on (`a=sendonly`) is narrowed, before the offer reaches str0m,
//! to the codec announced for its track (every payload type of that codec, with their RTX):
//! the answer then holds that codec alone. Lines it receives on, lines of tracks announced
//! without a codec the line offers and the room enables, and lines of tracks already
//! published are left as they are.

use super::Enabled;

/// The primary video codecs by their `rtpmap` name, as the room enables them.
fn enabled_video(name: &str, enabled: &Enabled) -> bool {
    match name.to_ascii_uppercase().as_str() {
        "VP8" => enabled.vp8,
        "H264" => enabled.h264,
        "VP9" => enabled.vp9,
        "AV1" => enabled.av1,
        _ => false,
    }
}

/// The offer with every send-only video line narrowed to the codec `announced` gives for it
/// (by its `a=mid` and its `a=msid` track id; a codec name such as `H264`) when the room
/// enables it.
pub(crate) fn narrow_sending_video(sdp: &str, enabled: &Enabled, announced: &dyn Fn(&str, &str) -> Option<String>) -> String {
    let mut out = String::with_capacity(sdp.len());
    let mut section: Vec<&str> = Vec::new();
    for line in sdp.split_inclusive('\n') {
        if line.starts_with("m=") && !section.is_empty() {
            narrow_section(&section, enabled, announced, &mut out);
            section.clear();
        }
        section.push(line);
    }
    narrow_section(&section, enabled, announced, &mut out);
    out
}

/// A line's content without its line ending.
fn content(line: &str) -> &str {
    line.trim_end_matches(['\r', '\n'])
}

/// The payload type an `a=rtpmap:`, `a=fmtp:` or `a=rtcp-fb:` line is about.
fn attribute_pt(line: &str) -> Option<&str> {
    let rest = ["a=rtpmap:", "a=fmtp:", "a=rtcp-fb:"].iter().find_map(|p| line.strip_prefix(p))?;
    rest.split([' ', '\t']).next()
}

fn narrow_section(lines: &[&str], enabled: &Enabled, announced: &dyn Fn(&str, &str) -> Option<String>, out: &mut String) {
    let keep = lines.first().filter(|m| m.starts_with("m=video ")).and_then(|_| chosen(lines, enabled, announced));
    let Some(keep) = keep else {
        lines.iter().for_each(|l| out.push_str(l));
        return;
    };
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            // m=video <port> <proto> <pt>…: the kept payload types, in their order.
            let text = content(line);
            let mut fields = text.split(' ');
            let head: Vec<&str> = fields.by_ref().take(3).collect();
            let pts: Vec<&str> = fields.filter(|pt| keep.contains(pt)).collect();
            out.push_str(&[head, pts].concat().join(" "));
            out.push_str(&line[text.len()..]);
        } else if attribute_pt(content(line)).is_none_or(|pt| keep.contains(&pt)) {
            out.push_str(line);
        }
    }
}

/// The payload types to keep on a send-only video line: those of its track's announced codec
/// and their RTX; `None` to leave the line as it is.
fn chosen<'a>(lines: &[&'a str], enabled: &Enabled, announced: &dyn Fn(&str, &str) -> Option<String>) -> Option<Vec<&'a str>> {
    if !lines.iter().any(|l| content(l) == "a=sendonly") {
        return None;
    }
    let attribute = |prefix: &str| lines.iter().find_map(|l| content(l).strip_prefix(prefix));
    let mid = attribute("a=mid:").unwrap_or_default();
    let msid_track = attribute("a=msid:").and_then(|m| m.split(' ').nth(1)).unwrap_or_default();
    let wanted = announced(mid, msid_track).filter(|name| enabled_video(name, enabled))?;
    let name_of = |pt: &str| {
        lines.iter().find_map(|l| {
            let rest = content(l).strip_prefix("a=rtpmap:")?;
            let (p, codec) = rest.split_once(' ')?;
            (p == pt).then(|| codec.split('/').next().unwrap_or_default())
        })
    };
    let order: Vec<&str> = content(lines.first()?).split(' ').skip(3).collect();
    let mut keep: Vec<&str> = order.iter().copied().filter(|pt| name_of(pt).is_some_and(|n| n.eq_ignore_ascii_case(&wanted))).collect();
    if keep.is_empty() {
        return None;
    }
    // RTX of a kept payload type: `a=fmtp:<rtx> apt=<kept>`.
    let rtx: Vec<&str> = lines
        .iter()
        .filter_map(|l| {
            let rest = content(l).strip_prefix("a=fmtp:")?;
            let (pt, params) = rest.split_once(' ')?;
            let apt = params.split(';').find_map(|kv| kv.trim().strip_prefix("apt="))?;
            keep.contains(&apt).then_some(pt)
        })
        .collect();
    keep.extend(rtx.iter().copied().filter(|pt| order.contains(pt)));
    Some(keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Enabled = Enabled { red: true, vp8: true, h264: true, vp9: true, av1: true };

    /// A send-only video line as Chromium offers it with H.264 preferred, then an audio line
    /// and a receive-only video line.
    fn offer() -> String {
        [
            "v=0",
            "o=- 1 2 IN IP4 127.0.0.1",
            "s=-",
            "m=video 9 UDP/TLS/RTP/SAVPF 102 103 96 97 45 116",
            "a=mid:0",
            "a=sendonly",
            "a=msid:stream cam-1",
            "a=rtpmap:102 H264/90000",
            "a=rtcp-fb:102 nack",
            "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
            "a=rtpmap:103 rtx/90000",
            "a=fmtp:103 apt=102",
            "a=rtpmap:96 VP8/90000",
            "a=rtcp-fb:96 nack",
            "a=rtpmap:97 rtx/90000",
            "a=fmtp:97 apt=96",
            "a=rtpmap:45 AV1/90000",
            "a=rtpmap:116 red/90000",
            "a=simulcast:send q;h;f",
            "m=audio 9 UDP/TLS/RTP/SAVPF 111 63",
            "a=mid:1",
            "a=sendonly",
            "a=rtpmap:111 opus/48000/2",
            "a=rtpmap:63 red/48000/2",
            "m=video 9 UDP/TLS/RTP/SAVPF 96 102",
            "a=mid:2",
            "a=recvonly",
            "a=rtpmap:96 VP8/90000",
            "a=rtpmap:102 H264/90000",
            "",
        ]
        .join("\r\n")
    }

    /// The camera (`cam-1`) was announced as H.264; nothing else was.
    fn h264_camera(mid: &str, msid_track: &str) -> Option<String> {
        (mid == "0" && msid_track == "cam-1").then(|| "H264".to_owned())
    }

    #[test]
    fn a_sending_video_line_keeps_its_announced_codec_and_its_rtx() {
        let out = narrow_sending_video(&offer(), &ALL, &h264_camera);
        let sections: Vec<&str> = out.split("m=").collect();
        let video = sections[1];
        assert!(video.starts_with("video 9 UDP/TLS/RTP/SAVPF 102 103\r\n"), "{video}");
        assert!(video.contains("a=fmtp:102 level-asymmetry") && video.contains("a=fmtp:103 apt=102") && video.contains("a=rtcp-fb:102 nack"));
        assert!(!video.contains("VP8") && !video.contains("a=fmtp:97") && !video.contains("AV1") && !video.contains("red/90000"), "{video}");
        assert!(video.contains("a=simulcast:send q;h;f") && video.contains("a=sendonly"), "other attributes stay");
        assert_eq!(sections[2], offer().split("m=").nth(2).expect("audio"), "audio is left alone");
        assert_eq!(sections[3], offer().split("m=").nth(3).expect("recv"), "a receiving line is left alone");
    }

    #[test]
    fn lines_without_an_announced_enabled_offered_codec_are_left_alone() {
        let vp8 = |_: &str, _: &str| Some("VP8".to_owned());
        assert!(narrow_sending_video(&offer(), &ALL, &vp8).contains("m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"));
        let no_h264 = Enabled { h264: false, ..ALL };
        assert_eq!(narrow_sending_video(&offer(), &no_h264, &h264_camera), offer(), "a codec the room does not enable");
        let vp9 = |_: &str, _: &str| Some("VP9".to_owned());
        assert_eq!(narrow_sending_video(&offer(), &ALL, &vp9), offer(), "a codec the line does not offer");
        assert_eq!(narrow_sending_video(&offer(), &ALL, &|_: &str, _: &str| None), offer(), "a track announced without a codec");
        // Not an SDP at all: unchanged, for str0m to refuse.
        assert_eq!(narrow_sending_video("garbage\nm=video x", &ALL, &vp8), "garbage\nm=video x");
    }
}
