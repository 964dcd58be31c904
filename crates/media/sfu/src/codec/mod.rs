//! What the SFU reads of the media it forwards: payload descriptors and the AV1 dependency
//! descriptor, each a pure parser of network bytes that never allocates and never panics
//! (every one has a fuzz target in `fuzz/`), and [`inspect`], which turns one packet into
//! the [`FrameInfo`] the forwarder decides on.
//!
//! Malformed descriptors are not errors here: the packet is seen as a plain base-layer
//! packet (forwarded as before), never as a reason to crash.

pub mod dd;
pub mod dd_ext;
pub(crate) mod prefer;
pub mod red;
pub mod vp8;
pub mod vp9;

use str0m::format::Codec;

/// The codecs a room's PeerConnections negotiate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Enabled {
    /// RFC 2198 redundancy for Opus (`audio/red`).
    pub red: bool,
    /// `video/VP8`.
    pub vp8: bool,
    /// `video/H264`.
    pub h264: bool,
    /// `video/VP9`.
    pub vp9: bool,
    /// `video/AV1`.
    pub av1: bool,
}

/// Every codec the server supports, as LiveKit names them, in the order they are offered.
pub const SUPPORTED: [&str; 6] = ["audio/opus", "audio/red", "video/VP8", "video/H264", "video/VP9", "video/AV1"];

impl Enabled {
    /// The codecs a room's `enabled_codecs` allows (MIME types, any case; unknown ones are
    /// ignored). Empty allows all; a kind the list does not name keeps all its codecs, and
    /// Opus is always on (RED rides on it, and audio needs a codec).
    pub fn from_mimes<'a>(mimes: impl IntoIterator<Item = &'a str> + Clone) -> Self {
        let named = |m: &str| mimes.clone().into_iter().any(|x| x.eq_ignore_ascii_case(m));
        let kind = |k: &str| {
            mimes
                .clone()
                .into_iter()
                .any(|x| x.get(..k.len()).is_some_and(|p| p.eq_ignore_ascii_case(k)) && SUPPORTED.iter().any(|s| s.eq_ignore_ascii_case(x)))
        };
        let (audio, video) = (kind("audio/"), kind("video/"));
        Self {
            red: !audio || named("audio/red"),
            vp8: !video || named("video/VP8"),
            h264: !video || named("video/H264"),
            vp9: !video || named("video/VP9"),
            av1: !video || named("video/AV1"),
        }
    }

    /// The MIME types enabled, as clients are told (`enabled_publish_codecs`, the room's
    /// `enabled_codecs`).
    pub fn mimes(&self) -> impl Iterator<Item = &'static str> + '_ {
        let on = [true, self.red, self.vp8, self.h264, self.vp9, self.av1];
        SUPPORTED.into_iter().zip(on).filter(|(_, on)| *on).map(|(m, _)| m)
    }
}

/// The MIME type of a video codec named as LiveKit's clients name it in `simulcast_codecs`
/// (`vp8`, `h264`, `vp9`, `av1`, or a MIME type), if the server supports it.
pub fn video_mime(name: &str) -> Option<&'static str> {
    let name = name.strip_prefix("video/").unwrap_or(name);
    SUPPORTED.into_iter().filter(|m| m.starts_with("video/")).find(|m| m["video/".len()..].eq_ignore_ascii_case(name))
}

/// One packet's place in its stream's layers, as far as its descriptors tell.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameInfo {
    /// Spatial layer (SVC: VP9, AV1); 0 otherwise.
    pub spatial: u8,
    /// Temporal layer; 0 when the descriptor names none.
    pub temporal: u8,
    /// The packet carries spatial layer ids from one SSRC (VP9 or AV1 SVC).
    pub svc: bool,
    /// First packet of a (layer) frame.
    pub starts_frame: bool,
    /// First packet of a picture (its lowest spatial layer's first packet).
    pub starts_picture: bool,
    /// Last packet of its layer frame.
    pub ends_layer_frame: bool,
    /// A point where a receiver may start decoding this frame's temporal layer.
    pub switch_up: bool,
    /// The packet starts a keyframe.
    pub keyframe: bool,
    /// Spatial layers the stream announces in this packet (VP9's scalability structure,
    /// the dependency descriptor's template structure); 0 when it announces none.
    pub spatial_layers: u8,
    /// VP8 PictureID, with whether it is the 15-bit form.
    pub picture_id: Option<(u16, bool)>,
    /// VP8 TL0PICIDX.
    pub tl0_pic_idx: Option<u8>,
}

/// Streams (simulcast layers) of a track whose dependency descriptors are read apart.
const STREAMS: usize = 3;

/// What a track remembers between packets to read them: per stream, the AV1 dependency
/// descriptor's last template structure; and whether the track is spatially scalable (seen
/// once a packet names a spatial layer above 0 or announces several, then for good, so that
/// every packet of one stream is judged alike).
#[derive(Debug, Default)]
pub(crate) struct CodecState {
    pub dd: [Option<dd::Structure>; STREAMS],
    pub svc: bool,
}

/// Reads one packet of `codec` from the track's stream (simulcast layer) `stream`: its
/// payload and, for AV1, its dependency descriptor bytes.
/// H.264's sequence parameter set NAL unit type.
const H264_SPS: u8 = 7;

pub(crate) fn inspect(codec: Codec, stream: u8, payload: &[u8], dd_bytes: Option<&[u8]>, state: &mut CodecState) -> FrameInfo {
    let mut info = match codec {
        Codec::Vp8 => vp8::parse(payload).map(from_vp8).unwrap_or_default(),
        Codec::Vp9 => vp9::parse(payload).map(from_vp9).unwrap_or_default(),
        Codec::Av1 => {
            let keyframe = str0m::format::detect_av1_keyframe(payload);
            let known = state.dd.get_mut(usize::from(stream));
            let mut info = dd_bytes.zip(known).and_then(|(b, known)| from_dd(b, known)).unwrap_or_default();
            info.keyframe |= keyframe;
            info
        }
        // A decoder starts at the parameter sets: an encoder that sends SPS and PPS in packets
        // of their own before the IDR (ffmpeg's RTP muxer) starts its keyframe with the SPS,
        // so a leg must start there (as LiveKit's and Galene's forwarders do); an IDR without
        // them in band still counts.
        Codec::H264 => {
            FrameInfo { keyframe: str0m::format::detect_h264_nalu(payload, H264_SPS) || str0m::format::detect_h264_keyframe(payload), ..Default::default() }
        }
        _ => FrameInfo::default(),
    };
    state.svc |= info.spatial > 0 || info.spatial_layers > 1;
    info.svc = state.svc;
    info
}

fn from_vp8(d: vp8::Vp8Descriptor) -> FrameInfo {
    FrameInfo {
        temporal: d.temporal(),
        starts_frame: d.starts_frame(),
        starts_picture: d.starts_frame(),
        switch_up: d.layer_sync || d.temporal() == 0,
        keyframe: d.keyframe,
        picture_id: d.picture_id.map(|p| (p, d.long_picture_id)),
        tl0_pic_idx: d.tl0_pic_idx,
        ..Default::default()
    }
}

fn from_vp9(d: vp9::Vp9Descriptor) -> FrameInfo {
    FrameInfo {
        spatial: d.sid,
        temporal: d.tid,
        starts_frame: d.begin,
        starts_picture: d.starts_picture(),
        ends_layer_frame: d.end,
        switch_up: d.switching_up || d.tid == 0,
        keyframe: d.keyframe(),
        spatial_layers: d.spatial_layers,
        ..Default::default()
    }
}

fn from_dd(bytes: &[u8], known: &mut Option<dd::Structure>) -> Option<FrameInfo> {
    let (frame, brought) = dd::parse(bytes, known.as_ref())?;
    if let Some(s) = brought {
        *known = Some(s);
    }
    let s = known.as_ref()?;
    let switch = s.target_for(frame.spatial, frame.temporal).is_some_and(|dt| frame.dti(dt) == dd::DTI_SWITCH);
    Some(FrameInfo {
        spatial: frame.spatial,
        temporal: frame.temporal,
        starts_frame: frame.start_of_frame,
        starts_picture: frame.start_of_frame && frame.spatial == 0,
        ends_layer_frame: frame.end_of_frame,
        switch_up: switch || frame.temporal == 0,
        keyframe: frame.has_structure && frame.start_of_frame && frame.spatial == 0,
        spatial_layers: if frame.has_structure { s.max_spatial.saturating_add(1) } else { 0 },
        ..Default::default()
    })
}

/// The MIME type LiveKit reports for a track: RED-carrying audio is `audio/red`.
pub fn mime(codec: Codec, red: bool) -> &'static str {
    match codec {
        Codec::Opus if red => "audio/red",
        Codec::Opus => "audio/opus",
        Codec::Vp8 => "video/VP8",
        Codec::H264 => "video/H264",
        Codec::Vp9 => "video/VP9",
        Codec::Av1 => "video/AV1",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enabled_codecs_restrict_by_kind() {
        let all = Enabled::from_mimes([]);
        assert_eq!(all.mimes().count(), SUPPORTED.len());
        let some = Enabled::from_mimes(["video/vp8", "audio/opus"]);
        assert_eq!(some.mimes().collect::<Vec<_>>(), vec!["audio/opus", "video/VP8"]);
        let video_only = Enabled::from_mimes(["video/AV1", "video/h265"]);
        assert!(video_only.red && video_only.av1 && !video_only.vp8 && !video_only.h264);
        assert_eq!(Enabled::from_mimes(["video/h265"]), all, "an unknown codec restricts nothing");
        assert_eq!(Enabled::from_mimes(["audiö/x", "ö", ""]), all, "no panic on any text");
    }

    #[test]
    fn clients_codec_names_map_to_mime_types() {
        assert_eq!(video_mime("vp9"), Some("video/VP9"));
        assert_eq!(video_mime("AV1"), Some("video/AV1"));
        assert_eq!(video_mime("video/h264"), Some("video/H264"));
        assert_eq!(video_mime("h265"), None);
        assert_eq!(video_mime(""), None);
    }

    #[test]
    fn malformed_descriptors_read_as_plain_base_layer_packets() {
        let mut state = CodecState::default();
        assert_eq!(inspect(Codec::Vp8, 0, &[0x80], None, &mut state), FrameInfo::default());
        assert_eq!(inspect(Codec::Vp9, 0, &[0xa0], None, &mut state), FrameInfo::default());
        assert_eq!(inspect(Codec::Av1, 0, &[0x00], Some(&[0xff]), &mut state), FrameInfo::default());
        assert_eq!(inspect(Codec::Av1, 7, &[0x00], Some(&[0x80, 0, 1]), &mut state), FrameInfo::default(), "no such stream");
        assert_eq!(inspect(Codec::Opus, 0, &[1, 2, 3], None, &mut state), FrameInfo::default());
    }

    #[test]
    fn an_h264_keyframe_starts_at_its_parameter_sets() {
        let mut state = CodecState::default();
        let key = |payload: &[u8], state: &mut CodecState| inspect(Codec::H264, 0, payload, None, state).keyframe;
        assert!(key(&[0x67, 0x42, 0xc0, 0x1e], &mut state), "an SPS in a packet of its own (ffmpeg)");
        assert!(!key(&[0x68, 0xce, 0x3c, 0x80], &mut state), "a PPS alone does not start one");
        assert!(key(&[0x7c, 0x85, 0x88], &mut state), "the first fragment of an IDR (FU-A) still does");
        assert!(!key(&[0x7c, 0x05, 0x88], &mut state), "a later fragment does not");
        assert!(key(&[0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce], &mut state), "a STAP-A with the SPS (browsers)");
        assert!(!key(&[0x41, 0x9a], &mut state), "a non-IDR slice");
    }

    #[test]
    fn vp8_temporal_layers_and_vp9_spatial_layers() {
        let mut state = CodecState::default();
        // TID 2, Y, 15-bit PictureID 300, TL0PICIDX 4; an inter frame.
        let f = inspect(Codec::Vp8, 0, &[0x90, 0xe0, 0x81, 0x2c, 0x04, 0xa0, 0x01], None, &mut state);
        assert_eq!((f.temporal, f.switch_up, f.keyframe, f.picture_id, f.tl0_pic_idx), (2, true, false, Some((300, true)), Some(4)));
        // A VP9 stream is spatially scalable once a packet shows an upper spatial layer.
        let s0 = [0xac, 0x05, 0x40, 0x00, 0xaa];
        assert!(!inspect(Codec::Vp9, 0, &s0, None, &mut state).svc, "L1T3: temporal layers only");
        let f = inspect(Codec::Vp9, 0, &[0xac, 0x05, 0x43, 0x00, 0xaa], None, &mut state);
        assert_eq!((f.spatial, f.temporal, f.svc, f.ends_layer_frame, f.keyframe), (1, 2, true, true, false));
        assert!(inspect(Codec::Vp9, 0, &s0, None, &mut state).svc, "for good");
    }
}
