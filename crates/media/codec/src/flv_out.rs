//! An FLV stream writer, to feed a transcode job from RTMP: the RTMP path has FLV tag
//! bodies as received (audio and video messages are tag bodies), so forwarding to ffmpeg is
//! the file header and then one tag per message (FLV 10.1, E.2–E.4).

use crate::error::CodecError;

/// An FLV tag's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagKind {
    /// Type 8: an RTMP audio message body.
    Audio,
    /// Type 9: an RTMP video message body.
    Video,
    /// Type 18: script data (`onMetaData`).
    Script,
}

/// The most body bytes a tag can carry (its size field has 24 bits).
pub const MAX_TAG_BODY: usize = 0xff_ffff;

/// The FLV header and `PreviousTagSize0`. The flags matter to ffmpeg: its demuxer stops
/// probing once it has seen the streams the header announces.
pub fn flv_header(has_audio: bool, has_video: bool) -> [u8; 13] {
    let flags = (if has_audio { 0x04 } else { 0 }) | (if has_video { 0x01 } else { 0 });
    [b'F', b'L', b'V', 1, flags, 0, 0, 0, 9, 0, 0, 0, 0]
}

/// Appends one tag (header, body, `PreviousTagSize`) to `out`. The timestamp is in
/// milliseconds, its top byte in the extended field. A body over [`MAX_TAG_BODY`] bytes
/// cannot be written: nothing is appended.
pub fn flv_tag(kind: TagKind, timestamp_ms: u32, body: &[u8], out: &mut Vec<u8>) -> Result<(), CodecError> {
    if body.len() > MAX_TAG_BODY {
        return Err(CodecError::Invalid { what: "FLV tag", why: "body longer than 16 MiB" });
    }
    let kind = match kind {
        TagKind::Audio => 8,
        TagKind::Video => 9,
        TagKind::Script => 18,
    };
    let size = (body.len() as u32).to_be_bytes();
    let ts = timestamp_ms.to_be_bytes();
    out.reserve(11 + body.len() + 4);
    out.extend_from_slice(&[kind, size[1], size[2], size[3], ts[1], ts[2], ts[3], ts[0], 0, 0, 0]);
    out.extend_from_slice(body);
    out.extend_from_slice(&(11 + body.len() as u32).to_be_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_flags() {
        assert_eq!(flv_header(true, true), [0x46, 0x4c, 0x56, 1, 5, 0, 0, 0, 9, 0, 0, 0, 0]);
        assert_eq!(flv_header(true, false)[4], 4);
        assert_eq!(flv_header(false, true)[4], 1);
    }

    #[test]
    fn a_tag_with_an_extended_timestamp() {
        let mut out = Vec::new();
        flv_tag(TagKind::Video, 0x1234_5678, &[0x17, 1, 0, 0, 0], &mut out).expect("small");
        assert_eq!(out, [9, 0, 0, 5, 0x34, 0x56, 0x78, 0x12, 0, 0, 0, 0x17, 1, 0, 0, 0, 0, 0, 0, 16]);
        out.clear();
        flv_tag(TagKind::Script, 0, &[], &mut out).expect("small");
        assert_eq!(out, [18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);
        assert!(flv_tag(TagKind::Audio, 0, &vec![0; MAX_TAG_BODY + 1], &mut out).is_err());
        assert_eq!(out.len(), 15, "nothing appended");
    }
}
