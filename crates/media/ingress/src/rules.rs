//! What makes an ingress definition valid: LiveKit's checks (protocol `ingress/validation.go`)
//! with its messages, plus Hikari's bounds on sizes (everything here came from the network).
//! Pure functions, no state.

use hikari_types::{
    AudioCodec, AudioEncoding, Ingress, IngressAudioOptions, IngressInput, IngressVideoOptions, MAX_METADATA, MAX_NAME, TrackSource, VideoCodec, VideoEncoding,
    VideoEncodingOptions,
};

use crate::error::IngressError;

/// Longest URL accepted for URL input.
pub const MAX_URL: usize = 2048;

/// Sizes: names, identity and room at most [`MAX_NAME`] bytes, metadata [`MAX_METADATA`].
pub fn check_sizes(i: &Ingress) -> Result<(), IngressError> {
    let too_long = |m: &str| Err(IngressError::InvalidArgument(m.to_owned()));
    if i.name.len() > MAX_NAME || i.participant_name.len() > MAX_NAME {
        return too_long("name length exceeds limits");
    }
    if i.room_name.as_str().len() > MAX_NAME {
        return too_long("room name length exceeds limits");
    }
    if i.participant_identity.as_str().len() > MAX_NAME {
        return too_long("participant identity length exceeds limits");
    }
    if i.participant_metadata.len() > MAX_METADATA {
        return too_long("metadata size exceeds limits");
    }
    let track_names = [i.audio.as_ref().map(|a| a.name.len()), i.video.as_ref().map(|v| v.name.len())];
    if track_names.into_iter().flatten().any(|n| n > MAX_NAME) {
        return too_long("name length exceeds limits");
    }
    if i.url.len() > MAX_URL {
        return Err(IngressError::invalid_ingress("URL too long"));
    }
    Ok(())
}

/// LiveKit's `ValidateForSerialization`: consistent, though a room may still be missing.
pub fn validate_for_serialization(i: &Ingress) -> Result<(), IngressError> {
    check_sizes(i)?;
    match i.input {
        IngressInput::Rtmp | IngressInput::Whip if i.stream_key.is_empty() => return Err(IngressError::invalid_ingress("no stream key")),
        IngressInput::Url if i.url.is_empty() => return Err(IngressError::invalid_ingress("no source URL")),
        IngressInput::Url if i.enabled == Some(false) => return Err(IngressError::invalid_ingress("disabled non reusable ingress")),
        _ => {}
    }
    if i.participant_identity.as_str().is_empty() {
        return Err(IngressError::invalid_ingress("no participant identity"));
    }
    validate_bypass(i)?;
    validate_enable_transcoding(i)?;
    validate_video(i.video.as_ref())?;
    validate_audio(i.audio.as_ref())
}

/// LiveKit's `Validate`, what a session needs before it starts: a consistent definition with a
/// room (the runtime refuses an encoder whose ingress fails it).
pub fn validate(i: &Ingress) -> Result<(), IngressError> {
    if i.room_name.as_str().is_empty() {
        return Err(IngressError::invalid_ingress("no room name"));
    }
    validate_for_serialization(i)
}

fn has_encoding(i: &Ingress) -> (bool, bool) {
    (i.video.as_ref().is_some_and(|v| v.encoding.is_some()), i.audio.as_ref().is_some_and(|a| a.encoding.is_some()))
}

fn validate_bypass(i: &Ingress) -> Result<(), IngressError> {
    if !i.bypass_transcoding {
        return Ok(());
    }
    if i.input != IngressInput::Whip {
        return Err(IngressError::invalid_bypass("bypassing transcoding impossible with selected input type"));
    }
    match has_encoding(i) {
        (true, _) => Err(IngressError::invalid_bypass("video encoding options must be empty if transcoding bypass is selected")),
        (_, true) => Err(IngressError::invalid_bypass("audio encoding options must be empty if transcoding bypass is selected")),
        _ => Ok(()),
    }
}

fn validate_enable_transcoding(i: &Ingress) -> Result<(), IngressError> {
    let enabled = if i.input == IngressInput::Whip {
        i.enable_transcoding.unwrap_or(false)
    } else {
        if i.enable_transcoding == Some(false) {
            return Err(IngressError::invalid_bypass("bypassing transcoding impossible with selected input type"));
        }
        true
    };
    if enabled {
        return Ok(());
    }
    match has_encoding(i) {
        (true, _) => Err(IngressError::invalid_bypass("video encoding options must be empty if transcoding is disabled")),
        (_, true) => Err(IngressError::invalid_bypass("audio encoding options must be empty if transcoding is disabled")),
        _ => Ok(()),
    }
}

fn validate_video(options: Option<&IngressVideoOptions>) -> Result<(), IngressError> {
    let Some(o) = options else { return Ok(()) };
    if !matches!(o.source, TrackSource::Unknown | TrackSource::Camera | TrackSource::ScreenShare) {
        return Err(IngressError::invalid_video("invalid track source"));
    }
    match &o.encoding {
        Some(VideoEncoding::Options(e)) => validate_video_encoding(e),
        Some(VideoEncoding::Preset(_)) | None => Ok(()),
    }
}

fn validate_video_encoding(o: &VideoEncodingOptions) -> Result<(), IngressError> {
    if !(o.frame_rate >= 0.0 && o.frame_rate.is_finite()) {
        return Err(IngressError::invalid_video("invalid framerate"));
    }
    if !matches!(o.codec, VideoCodec::Default | VideoCodec::H264Baseline | VideoCodec::Vp8) {
        return Err(IngressError::invalid_video("video codec unsupported"));
    }
    let mut by_quality = [None; 3];
    for layer in &o.layers {
        if layer.width == 0 || layer.height == 0 {
            return Err(IngressError::invalid_video("invalid output media dimensions"));
        }
        if layer.width % 2 == 1 {
            return Err(IngressError::invalid_ingress("layer width must be even"));
        }
        if layer.height % 2 == 1 {
            return Err(IngressError::invalid_ingress("layer height must be even"));
        }
        let slot = &mut by_quality[layer.quality as usize];
        if slot.is_some() {
            return Err(IngressError::invalid_video("more than one layer with the same quality level"));
        }
        *slot = Some((layer.width, layer.height));
    }
    let (mut w, mut h) = (0, 0);
    for (lw, lh) in by_quality.into_iter().flatten() {
        if lh < h {
            return Err(IngressError::invalid_video("video layers do not have increasing height with increasing quality"));
        }
        if lw < w {
            return Err(IngressError::invalid_video("video layers do not have increasing width with increasing quality"));
        }
        (w, h) = (lw, lh);
    }
    Ok(())
}

fn validate_audio(options: Option<&IngressAudioOptions>) -> Result<(), IngressError> {
    let Some(o) = options else { return Ok(()) };
    if !matches!(o.source, TrackSource::Unknown | TrackSource::Microphone | TrackSource::ScreenShareAudio) {
        return Err(IngressError::invalid_audio("invalid track source"));
    }
    let Some(AudioEncoding::Options(e)) = &o.encoding else { return Ok(()) };
    if !matches!(e.codec, AudioCodec::Default | AudioCodec::Opus) {
        return Err(IngressError::invalid_audio("audio codec unsupported"));
    }
    if e.channels > 2 {
        return Err(IngressError::invalid_audio("invalid audio channel count"));
    }
    Ok(())
}

/// LiveKit's `updateEnableTranscoding`, where Hikari differs: WHIP defaults to no
/// transcoding (as in LiveKit); for RTMP and SRT an unset `enable_transcoding` stays unset,
/// meaning *when needed*: H.264 that WebRTC decoders take as it is passes through (the
/// lowest-latency path), anything else gets the preset's ladder; `true` always transcodes.
/// (LiveKit's RTMP ingress always transcodes and reports `true`.) Fills the deprecated
/// `bypass_transcoding` beside it.
pub fn fill_transcoding(i: &mut Ingress) {
    if i.input == IngressInput::Whip {
        i.enable_transcoding.get_or_insert(false);
    }
    i.bypass_transcoding = i.enable_transcoding == Some(false);
}

#[cfg(test)]
mod tests;
