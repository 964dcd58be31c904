//! Ingress nouns to and from LiveKit's protobuf (`livekit_ingress.proto`): `IngressInfo`,
//! `IngressState` and the audio and video options. Enum values this server does not know are
//! refused with LiveKit's messages (an unknown input type is "invalid ingress type", an
//! unknown preset "invalid preset"); codecs LiveKit refuses are kept for the registry to refuse.

use hikari_types::{
    AudioCodec, AudioEncoding, AudioEncodingOptions, AudioPreset, Ingress, IngressAudioOptions, IngressId, IngressInput, IngressState, IngressStatus,
    IngressVideoOptions, InputAudioState, InputVideoState, ParticipantIdentity, RoomName, VideoCodec, VideoEncoding, VideoEncodingOptions, VideoPreset,
};
use livekit_protocol as lk;
use lk::ingress_audio_options::EncodingOptions as AudioOneof;
use lk::ingress_video_options::EncodingOptions as VideoOneof;

use crate::client::track_from_proto;
use crate::convert::{layers_from_proto, layers_to_proto, source_from_proto, source_to_proto, track_to_proto};
use crate::error::ProtocolError;

pub(crate) fn input_from_proto(v: i32) -> Result<IngressInput, ProtocolError> {
    match lk::IngressInput::try_from(v) {
        Ok(lk::IngressInput::RtmpInput) => Ok(IngressInput::Rtmp),
        Ok(lk::IngressInput::WhipInput) => Ok(IngressInput::Whip),
        Ok(lk::IngressInput::UrlInput) => Ok(IngressInput::Url),
        Err(_) => Err(ProtocolError::Invalid("invalid ingress type".into())),
    }
}

fn input_to_proto(i: IngressInput) -> lk::IngressInput {
    match i {
        IngressInput::Rtmp => lk::IngressInput::RtmpInput,
        IngressInput::Whip => lk::IngressInput::WhipInput,
        IngressInput::Url => lk::IngressInput::UrlInput,
    }
}

fn status_to_proto(s: IngressStatus) -> lk::ingress_state::Status {
    use lk::ingress_state::Status as S;
    match s {
        IngressStatus::Inactive => S::EndpointInactive,
        IngressStatus::Buffering => S::EndpointBuffering,
        IngressStatus::Publishing => S::EndpointPublishing,
        IngressStatus::Error => S::EndpointError,
        IngressStatus::Complete => S::EndpointComplete,
    }
}

fn status_from_proto(v: i32) -> IngressStatus {
    use lk::ingress_state::Status as S;
    match S::try_from(v) {
        Ok(S::EndpointBuffering) => IngressStatus::Buffering,
        Ok(S::EndpointPublishing) => IngressStatus::Publishing,
        Ok(S::EndpointError) => IngressStatus::Error,
        Ok(S::EndpointComplete) => IngressStatus::Complete,
        Ok(S::EndpointInactive) | Err(_) => IngressStatus::Inactive,
    }
}

fn audio_codec_from_proto(v: i32) -> Result<AudioCodec, ProtocolError> {
    match lk::AudioCodec::try_from(v) {
        Ok(lk::AudioCodec::DefaultAc) => Ok(AudioCodec::Default),
        Ok(lk::AudioCodec::Opus) => Ok(AudioCodec::Opus),
        Ok(lk::AudioCodec::Aac) => Ok(AudioCodec::Aac),
        Ok(lk::AudioCodec::AcMp3) => Ok(AudioCodec::Mp3),
        Err(_) => Err(ProtocolError::Invalid("invalid audio parameters: audio codec unsupported".into())),
    }
}

fn audio_codec_to_proto(c: AudioCodec) -> lk::AudioCodec {
    match c {
        AudioCodec::Default => lk::AudioCodec::DefaultAc,
        AudioCodec::Opus => lk::AudioCodec::Opus,
        AudioCodec::Aac => lk::AudioCodec::Aac,
        AudioCodec::Mp3 => lk::AudioCodec::AcMp3,
    }
}

fn video_codec_from_proto(v: i32) -> Result<VideoCodec, ProtocolError> {
    match lk::VideoCodec::try_from(v) {
        Ok(lk::VideoCodec::DefaultVc) => Ok(VideoCodec::Default),
        Ok(lk::VideoCodec::H264Baseline) => Ok(VideoCodec::H264Baseline),
        Ok(lk::VideoCodec::H264Main) => Ok(VideoCodec::H264Main),
        Ok(lk::VideoCodec::H264High) => Ok(VideoCodec::H264High),
        Ok(lk::VideoCodec::Vp8) => Ok(VideoCodec::Vp8),
        Err(_) => Err(ProtocolError::Invalid("invalid video parameters: video codec unsupported".into())),
    }
}

fn video_codec_to_proto(c: VideoCodec) -> lk::VideoCodec {
    match c {
        VideoCodec::Default => lk::VideoCodec::DefaultVc,
        VideoCodec::H264Baseline => lk::VideoCodec::H264Baseline,
        VideoCodec::H264Main => lk::VideoCodec::H264Main,
        VideoCodec::H264High => lk::VideoCodec::H264High,
        VideoCodec::Vp8 => lk::VideoCodec::Vp8,
    }
}

fn audio_preset_to_proto(p: AudioPreset) -> lk::IngressAudioEncodingPreset {
    match p {
        AudioPreset::OpusStereo96Kbps => lk::IngressAudioEncodingPreset::OpusStereo96kbps,
        AudioPreset::OpusMono64Kbps => lk::IngressAudioEncodingPreset::OpusMono64kbs,
    }
}

pub(crate) fn audio_from_proto(a: lk::IngressAudioOptions) -> Result<IngressAudioOptions, ProtocolError> {
    let encoding = match a.encoding_options {
        None => None,
        Some(AudioOneof::Preset(p)) => Some(AudioEncoding::Preset(match lk::IngressAudioEncodingPreset::try_from(p) {
            Ok(lk::IngressAudioEncodingPreset::OpusStereo96kbps) => AudioPreset::OpusStereo96Kbps,
            Ok(lk::IngressAudioEncodingPreset::OpusMono64kbs) => AudioPreset::OpusMono64Kbps,
            Err(_) => return Err(ProtocolError::Invalid("invalid audio parameters: invalid preset".into())),
        })),
        Some(AudioOneof::Options(o)) => Some(AudioEncoding::Options(AudioEncodingOptions {
            codec: audio_codec_from_proto(o.audio_codec)?,
            bitrate: o.bitrate,
            disable_dtx: o.disable_dtx,
            channels: o.channels,
        })),
    };
    Ok(IngressAudioOptions { name: a.name, source: source_from_proto(a.source), encoding })
}

fn audio_to_proto(a: &IngressAudioOptions) -> lk::IngressAudioOptions {
    let encoding_options = a.encoding.as_ref().map(|e| match e {
        AudioEncoding::Preset(p) => AudioOneof::Preset(audio_preset_to_proto(*p) as i32),
        AudioEncoding::Options(o) => AudioOneof::Options(lk::IngressAudioEncodingOptions {
            audio_codec: audio_codec_to_proto(o.codec) as i32,
            bitrate: o.bitrate,
            disable_dtx: o.disable_dtx,
            channels: o.channels,
        }),
    });
    lk::IngressAudioOptions { name: a.name.clone(), source: source_to_proto(a.source) as i32, encoding_options }
}

pub(crate) fn video_from_proto(v: lk::IngressVideoOptions) -> Result<IngressVideoOptions, ProtocolError> {
    let encoding = match v.encoding_options {
        None => None,
        Some(VideoOneof::Preset(p)) => {
            let preset = usize::try_from(p).ok().and_then(|i| VideoPreset::ALL.get(i).copied());
            Some(VideoEncoding::Preset(preset.ok_or_else(|| ProtocolError::Invalid("invalid video parameters: invalid preset".into()))?))
        }
        Some(VideoOneof::Options(o)) => Some(VideoEncoding::Options(VideoEncodingOptions {
            codec: video_codec_from_proto(o.video_codec)?,
            frame_rate: o.frame_rate,
            layers: layers_from_proto(&o.layers),
        })),
    };
    Ok(IngressVideoOptions { name: v.name, source: source_from_proto(v.source), encoding })
}

fn video_to_proto(v: &IngressVideoOptions) -> lk::IngressVideoOptions {
    let encoding_options = v.encoding.as_ref().map(|e| match e {
        // `VideoPreset::ALL` is in wire order: the index is the wire value.
        VideoEncoding::Preset(p) => VideoOneof::Preset(VideoPreset::ALL.iter().position(|x| x == p).unwrap_or(0) as i32),
        VideoEncoding::Options(o) => VideoOneof::Options(lk::IngressVideoEncodingOptions {
            video_codec: video_codec_to_proto(o.codec) as i32,
            frame_rate: o.frame_rate,
            layers: layers_to_proto(&o.layers),
        }),
    });
    lk::IngressVideoOptions { name: v.name.clone(), source: source_to_proto(v.source) as i32, encoding_options }
}

fn state_to_proto(s: &IngressState) -> lk::IngressState {
    lk::IngressState {
        status: status_to_proto(s.status) as i32,
        error: s.error.clone(),
        video: s.video.as_ref().map(|v| lk::InputVideoState {
            mime_type: v.mime_type.clone(),
            average_bitrate: v.average_bitrate,
            width: v.width,
            height: v.height,
            framerate: v.framerate,
        }),
        audio: s.audio.as_ref().map(|a| lk::InputAudioState {
            mime_type: a.mime_type.clone(),
            average_bitrate: a.average_bitrate,
            channels: a.channels,
            sample_rate: a.sample_rate,
        }),
        room_id: s.room_id.clone(),
        started_at: s.started_at,
        ended_at: s.ended_at,
        updated_at: s.updated_at,
        resource_id: s.resource_id.clone(),
        tracks: s.tracks.iter().map(track_to_proto).collect(),
    }
}

fn state_from_proto(s: lk::IngressState) -> IngressState {
    IngressState {
        status: status_from_proto(s.status),
        error: s.error,
        video: s.video.map(|v| InputVideoState {
            mime_type: v.mime_type,
            average_bitrate: v.average_bitrate,
            width: v.width,
            height: v.height,
            framerate: v.framerate,
        }),
        audio: s.audio.map(|a| InputAudioState {
            mime_type: a.mime_type,
            average_bitrate: a.average_bitrate,
            channels: a.channels,
            sample_rate: a.sample_rate,
        }),
        room_id: s.room_id,
        started_at: s.started_at,
        ended_at: s.ended_at,
        updated_at: s.updated_at,
        resource_id: s.resource_id,
        tracks: s.tracks.iter().map(track_from_proto).collect(),
    }
}

/// An ingress as LiveKit's `IngressInfo`.
pub fn ingress_to_proto(i: &Ingress) -> lk::IngressInfo {
    lk::IngressInfo {
        ingress_id: i.id.as_str().to_owned(),
        name: i.name.clone(),
        stream_key: i.stream_key.clone(),
        url: i.url.clone(),
        input_type: input_to_proto(i.input) as i32,
        bypass_transcoding: i.bypass_transcoding,
        enable_transcoding: i.enable_transcoding,
        audio: i.audio.as_ref().map(audio_to_proto),
        video: i.video.as_ref().map(video_to_proto),
        room_name: i.room_name.as_str().to_owned(),
        participant_identity: i.participant_identity.as_str().to_owned(),
        participant_name: i.participant_name.clone(),
        participant_metadata: i.participant_metadata.clone(),
        reusable: i.reusable,
        state: Some(state_to_proto(&i.state)),
        enabled: i.enabled,
    }
}

/// LiveKit's `IngressInfo` as an ingress (for clients of this server and for tests).
pub fn ingress_from_proto(i: lk::IngressInfo) -> Result<Ingress, ProtocolError> {
    Ok(Ingress {
        id: IngressId::new(i.ingress_id),
        name: i.name,
        stream_key: i.stream_key,
        url: i.url,
        input: input_from_proto(i.input_type)?,
        enable_transcoding: i.enable_transcoding,
        bypass_transcoding: i.bypass_transcoding,
        reusable: i.reusable,
        enabled: i.enabled,
        audio: i.audio.map(audio_from_proto).transpose()?,
        video: i.video.map(video_from_proto).transpose()?,
        room_name: RoomName::new(i.room_name),
        participant_identity: ParticipantIdentity::new(i.participant_identity),
        participant_name: i.participant_name,
        participant_metadata: i.participant_metadata,
        state: i.state.map(state_from_proto).unwrap_or_default(),
    })
}
