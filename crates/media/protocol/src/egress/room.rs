//! `StartRoomCompositeEgress` and `UpdateLayout`: the room, the layout, the encoding (a preset
//! or advanced options, checked against what the composite encoder does: H.264 and Opus) and
//! the outputs; and the request echoed in `EgressInfo`.

use hikari_types::{Encoding, RoomName, StartRoomComposite};
use livekit_protocol as lk;

use crate::egress::outputs::Outputs;
use crate::error::ProtocolError;

const NAME: &str = "StartRoomCompositeEgress";

/// The largest canvas side, and the highest frame rate.
const MAX_SIDE: u32 = 1920;
const MAX_FPS: u32 = 60;

/// A room composite request, decoded and checked.
pub(crate) fn start_room_composite(r: lk::RoomCompositeEgressRequest) -> Result<StartRoomComposite, ProtocolError> {
    if r.room_name.is_empty() {
        return Err(ProtocolError::Invalid(format!("{NAME} needs room_name")));
    }
    if !r.custom_base_url.is_empty() {
        return Err(ProtocolError::Unsupported(format!(
            "{NAME}: custom_base_url (a web page as the template) is not available: this server composes the room itself, with the layouts grid, speaker and single-speaker (add -light for a white background)"
        )));
    }
    if r.audio_mixing != lk::AudioMixing::DefaultMixing as i32 {
        return Err(ProtocolError::Unsupported(format!("{NAME}: audio_mixing other than DEFAULT_MIXING is not available")));
    }
    if r.audio_only && r.video_only {
        return Err(ProtocolError::Invalid(format!("{NAME}: audio_only and video_only exclude each other")));
    }
    if !known_layout(&r.layout) {
        return Err(ProtocolError::Invalid(format!(
            "{NAME}: unknown layout {:?}; the layouts are grid, speaker and single-speaker, each with an optional -light or -dark",
            r.layout
        )));
    }
    let encoding = match r.options {
        None => Encoding::default(),
        Some(lk::room_composite_egress_request::Options::Preset(p)) => preset(NAME, p)?,
        Some(lk::room_composite_egress_request::Options::Advanced(a)) => advanced(NAME, &a)?,
    };
    #[allow(deprecated)]
    let (legacy_file, legacy_segments, legacy_stream) = match r.output {
        Some(lk::room_composite_egress_request::Output::File(f)) => (Some(f), None, None),
        Some(lk::room_composite_egress_request::Output::Segments(s)) => (None, Some(s), None),
        Some(lk::room_composite_egress_request::Output::Stream(s)) => (None, None, Some(s)),
        None => (None, None, None),
    };
    let outputs = Outputs {
        files: (legacy_file, r.file_outputs),
        segments: (legacy_segments, r.segment_outputs),
        streams: (legacy_stream, r.stream_outputs),
        images: r.image_outputs,
    };
    let outputs = outputs.decode(NAME, &r.webhooks)?;
    if r.audio_only && outputs.images.is_some() {
        return Err(ProtocolError::Invalid(format!("{NAME}: an image output takes thumbnails of the video, and this egress is audio_only")));
    }
    Ok(StartRoomComposite { room_name: RoomName::new(r.room_name), layout: r.layout, audio_only: r.audio_only, video_only: r.video_only, encoding, outputs })
}

/// Whether `name` is one of LiveKit's default layouts.
pub fn known_layout(name: &str) -> bool {
    let base = name.strip_suffix("-light").or_else(|| name.strip_suffix("-dark")).unwrap_or(name);
    matches!(base, "" | "grid" | "speaker" | "single-speaker")
}

/// LiveKit's presets, at its bitrates (for `method`'s refusals).
pub(crate) fn preset(method: &str, p: i32) -> Result<Encoding, ProtocolError> {
    use lk::EncodingOptionsPreset as P;
    let (width, height, fps, kbps) = match P::try_from(p) {
        Ok(P::H264720p30) => (1280, 720, 30, 3000),
        Ok(P::H264720p60) => (1280, 720, 60, 4500),
        Ok(P::H2641080p30) => (1920, 1080, 30, 4500),
        Ok(P::H2641080p60) => (1920, 1080, 60, 6000),
        Ok(P::PortraitH264720p30) => (720, 1280, 30, 3000),
        Ok(P::PortraitH264720p60) => (720, 1280, 60, 4500),
        Ok(P::PortraitH2641080p30) => (1080, 1920, 30, 4500),
        Ok(P::PortraitH2641080p60) => (1080, 1920, 60, 6000),
        Ok(P::Passthrough) => {
            return Err(ProtocolError::Invalid(format!("{method}: PASSTHROUGH is not a preset here: H.264 tracks are packaged as they are without one")));
        }
        Err(_) => return Err(ProtocolError::Invalid(format!("{method}: unknown preset {p}"))),
    };
    Ok(Encoding { width, height, fps, video_bitrate: kbps * 1000, ..Encoding::default() })
}

/// Advanced options: zero fields take the default preset's values.
pub(crate) fn advanced(method: &str, a: &lk::EncodingOptions) -> Result<Encoding, ProtocolError> {
    let d = Encoding::default();
    let video_codec = lk::VideoCodec::try_from(a.video_codec).ok();
    if !matches!(video_codec, Some(lk::VideoCodec::DefaultVc | lk::VideoCodec::H264Baseline | lk::VideoCodec::H264Main | lk::VideoCodec::H264High)) {
        return Err(ProtocolError::Unsupported(format!("{method}: composites are encoded as H.264 (video_codec {} is not available)", a.video_codec)));
    }
    let audio_codec = lk::AudioCodec::try_from(a.audio_codec).ok();
    if !matches!(audio_codec, Some(lk::AudioCodec::DefaultAc | lk::AudioCodec::Opus)) {
        return Err(ProtocolError::Unsupported(format!(
            "{method}: composites encode their audio as Opus (audio_codec {} is not available); RTMP streams are sent with AAC",
            a.audio_codec
        )));
    }
    if a.audio_frequency != 0 && a.audio_frequency != 48_000 {
        return Err(ProtocolError::Unsupported(format!("{method}: the audio is 48000 Hz (audio_frequency {} is not available)", a.audio_frequency)));
    }
    let or = |v: i32, default: u32| if v == 0 { Ok(default) } else { u32::try_from(v).map_err(|_| ()) };
    let bad = |what: &str, v: i32, range: &str| ProtocolError::Invalid(format!("{method}: {what} must be {range} (got {v})"));
    let side = |v: i32, default: u32, what: &str| match or(v, default) {
        Ok(s) if (16..=MAX_SIDE).contains(&s) => Ok(s & !1),
        _ => Err(bad(what, v, &format!("16 to {MAX_SIDE}"))),
    };
    let (width, height) = (side(a.width, d.width, "width")?, side(a.height, d.height, "height")?);
    let fps = match or(a.framerate, d.fps) {
        Ok(f) if (1..=MAX_FPS).contains(&f) => f,
        _ => return Err(bad("framerate", a.framerate, &format!("1 to {MAX_FPS}"))),
    };
    let video_kbps = match or(a.video_bitrate, d.video_bitrate / 1000) {
        Ok(k) if (100..=20_000).contains(&k) => k,
        _ => return Err(bad("video_bitrate (kbps)", a.video_bitrate, "100 to 20000")),
    };
    let audio_kbps = match or(a.audio_bitrate, d.audio_bitrate / 1000) {
        Ok(k) if (16..=510).contains(&k) => k,
        _ => return Err(bad("audio_bitrate (kbps)", a.audio_bitrate, "16 to 510")),
    };
    let keyframe_interval_ms = if a.key_frame_interval == 0.0 {
        d.keyframe_interval_ms
    } else if (0.5..=10.0).contains(&a.key_frame_interval) {
        (a.key_frame_interval * 1000.0).round() as u32
    } else {
        return Err(ProtocolError::Invalid(format!("{method}: key_frame_interval must be 0.5 to 10 seconds (got {})", a.key_frame_interval)));
    };
    Ok(Encoding { width, height, fps, video_bitrate: video_kbps * 1000, audio_bitrate: audio_kbps * 1000, keyframe_interval_ms })
}

/// The encoding as advanced options (what the egress's `EgressInfo` echoes).
pub(super) fn encoding_to_proto(e: &Encoding) -> lk::EncodingOptions {
    lk::EncodingOptions {
        width: i32::try_from(e.width).unwrap_or(0),
        height: i32::try_from(e.height).unwrap_or(0),
        framerate: i32::try_from(e.fps).unwrap_or(0),
        video_codec: lk::VideoCodec::H264Baseline as i32,
        video_bitrate: i32::try_from(e.video_bitrate / 1000).unwrap_or(0),
        audio_codec: lk::AudioCodec::Opus as i32,
        audio_bitrate: i32::try_from(e.audio_bitrate / 1000).unwrap_or(0),
        audio_frequency: 48_000,
        key_frame_interval: f64::from(e.keyframe_interval_ms) / 1000.0,
        ..Default::default()
    }
}
