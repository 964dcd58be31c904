//! The stored form of an ingress: one JSON document per row, owned by this store (the domain
//! nouns in `hikari-types` serialise nothing). Enums are stored by variant name; every
//! variant's name round-trips (tested), and a name this build does not know fails the read
//! with an error naming it rather than guessing.

use hikari_types::{
    AudioCodec, AudioEncoding, AudioEncodingOptions, AudioPreset, Encryption, Ingress, IngressAudioOptions, IngressId, IngressInput, IngressState,
    IngressStatus, IngressVideoOptions, InputAudioState, InputVideoState, ParticipantIdentity, RoomName, SimulcastLayer, TrackInfo, TrackKind, TrackSid,
    TrackSource, VideoCodec, VideoEncoding, VideoEncodingOptions, VideoPreset, VideoQuality,
};
use serde::{Deserialize, Serialize};

use crate::error::IngressError;

/// The stored document's version.
const VERSION: u32 = 1;

macro_rules! names {
    ($fn_name:ident, $fn_parse:ident, $ty:ty, [$($v:ident),+ $(,)?]) => {
        fn $fn_name(v: $ty) -> String {
            format!("{v:?}")
        }
        fn $fn_parse(s: &str) -> Result<$ty, IngressError> {
            [$(<$ty>::$v),+]
                .into_iter()
                .find(|v| format!("{v:?}") == s)
                .ok_or_else(|| IngressError::Store(format!("unknown {} {s:?} in a stored ingress", stringify!($ty))))
        }
    };
}

names!(input_name, parse_input, IngressInput, [Rtmp, Whip, Url]);
names!(status_name, parse_status, IngressStatus, [Inactive, Buffering, Publishing, Error, Complete]);
names!(audio_preset_name, parse_audio_preset, AudioPreset, [OpusStereo96Kbps, OpusMono64Kbps]);
names!(audio_codec_name, parse_audio_codec, AudioCodec, [Default, Opus, Aac, Mp3]);
names!(video_codec_name, parse_video_codec, VideoCodec, [Default, H264Baseline, H264Main, H264High, Vp8]);
names!(source_name, parse_source, TrackSource, [Unknown, Camera, Microphone, ScreenShare, ScreenShareAudio]);
names!(kind_name, parse_kind, TrackKind, [Audio, Video, Data]);
names!(quality_name, parse_quality, VideoQuality, [Low, Medium, High]);
names!(encryption_name, parse_encryption, Encryption, [None, Gcm, Custom]);

fn video_preset_name(p: VideoPreset) -> String {
    format!("{p:?}")
}

fn parse_video_preset(s: &str) -> Result<VideoPreset, IngressError> {
    VideoPreset::ALL.into_iter().find(|p| format!("{p:?}") == s).ok_or_else(|| IngressError::Store(format!("unknown video preset {s:?} in a stored ingress")))
}

#[derive(Serialize, Deserialize)]
pub(crate) struct Doc {
    v: u32,
    id: String,
    name: String,
    stream_key: String,
    url: String,
    input: String,
    enable_transcoding: Option<bool>,
    bypass_transcoding: bool,
    reusable: bool,
    enabled: Option<bool>,
    audio: Option<Audio>,
    video: Option<Video>,
    room_name: String,
    participant_identity: String,
    participant_name: String,
    participant_metadata: String,
    state: State,
}

#[derive(Serialize, Deserialize)]
struct Audio {
    name: String,
    source: String,
    preset: Option<String>,
    options: Option<AudioOpts>,
}

#[derive(Serialize, Deserialize)]
struct AudioOpts {
    codec: String,
    bitrate: u32,
    disable_dtx: bool,
    channels: u32,
}

#[derive(Serialize, Deserialize)]
struct Video {
    name: String,
    source: String,
    preset: Option<String>,
    options: Option<VideoOpts>,
}

#[derive(Serialize, Deserialize)]
struct VideoOpts {
    codec: String,
    frame_rate: f64,
    layers: Vec<Layer>,
}

#[derive(Serialize, Deserialize)]
struct Layer {
    quality: String,
    width: u32,
    height: u32,
    bitrate: u32,
}

#[derive(Serialize, Deserialize)]
struct State {
    status: String,
    error: String,
    video: Option<(String, u32, u32, u32, f64)>,
    audio: Option<(String, u32, u32, u32)>,
    room_id: String,
    started_at: i64,
    ended_at: i64,
    updated_at: i64,
    resource_id: String,
    tracks: Vec<Track>,
}

#[derive(Serialize, Deserialize)]
struct Track {
    sid: String,
    kind: String,
    name: String,
    source: String,
    muted: bool,
    width: u32,
    height: u32,
    simulcast: bool,
    layers: Vec<Layer>,
    mime_type: String,
    mid: String,
    disable_dtx: bool,
    stereo: bool,
    disable_red: bool,
    stream: String,
    encryption: String,
}

fn layer_doc(l: &SimulcastLayer) -> Layer {
    Layer { quality: quality_name(l.quality), width: l.width, height: l.height, bitrate: l.bitrate }
}

fn layer_from(l: Layer) -> Result<SimulcastLayer, IngressError> {
    Ok(SimulcastLayer { quality: parse_quality(&l.quality)?, width: l.width, height: l.height, bitrate: l.bitrate })
}

fn track_doc(t: &TrackInfo) -> Track {
    Track {
        sid: t.sid.as_str().to_owned(),
        kind: kind_name(t.kind),
        name: t.name.clone(),
        source: source_name(t.source),
        muted: t.muted,
        width: t.width,
        height: t.height,
        simulcast: t.simulcast,
        layers: t.layers.iter().map(layer_doc).collect(),
        mime_type: t.mime_type.clone(),
        mid: t.mid.clone(),
        disable_dtx: t.disable_dtx,
        stereo: t.stereo,
        disable_red: t.disable_red,
        stream: t.stream.clone(),
        encryption: encryption_name(t.encryption),
    }
}

fn track_from(t: Track) -> Result<TrackInfo, IngressError> {
    Ok(TrackInfo {
        sid: TrackSid::new(t.sid),
        kind: parse_kind(&t.kind)?,
        name: t.name,
        source: parse_source(&t.source)?,
        muted: t.muted,
        width: t.width,
        height: t.height,
        simulcast: t.simulcast,
        layers: t.layers.into_iter().map(layer_from).collect::<Result<_, _>>()?,
        mime_type: t.mime_type,
        mid: t.mid,
        disable_dtx: t.disable_dtx,
        stereo: t.stereo,
        disable_red: t.disable_red,
        stream: t.stream,
        encryption: parse_encryption(&t.encryption)?,
    })
}

fn audio_doc(a: &IngressAudioOptions) -> Audio {
    let (preset, options) = match &a.encoding {
        Some(AudioEncoding::Preset(p)) => (Some(audio_preset_name(*p)), None),
        Some(AudioEncoding::Options(o)) => {
            (None, Some(AudioOpts { codec: audio_codec_name(o.codec), bitrate: o.bitrate, disable_dtx: o.disable_dtx, channels: o.channels }))
        }
        None => (None, None),
    };
    Audio { name: a.name.clone(), source: source_name(a.source), preset, options }
}

fn audio_from(a: Audio) -> Result<IngressAudioOptions, IngressError> {
    let encoding = match (a.preset, a.options) {
        (Some(p), _) => Some(AudioEncoding::Preset(parse_audio_preset(&p)?)),
        (None, Some(o)) => Some(AudioEncoding::Options(AudioEncodingOptions {
            codec: parse_audio_codec(&o.codec)?,
            bitrate: o.bitrate,
            disable_dtx: o.disable_dtx,
            channels: o.channels,
        })),
        (None, None) => None,
    };
    Ok(IngressAudioOptions { name: a.name, source: parse_source(&a.source)?, encoding })
}

fn video_doc(v: &IngressVideoOptions) -> Video {
    let (preset, options) = match &v.encoding {
        Some(VideoEncoding::Preset(p)) => (Some(video_preset_name(*p)), None),
        Some(VideoEncoding::Options(o)) => {
            (None, Some(VideoOpts { codec: video_codec_name(o.codec), frame_rate: o.frame_rate, layers: o.layers.iter().map(layer_doc).collect() }))
        }
        None => (None, None),
    };
    Video { name: v.name.clone(), source: source_name(v.source), preset, options }
}

fn video_from(v: Video) -> Result<IngressVideoOptions, IngressError> {
    let encoding = match (v.preset, v.options) {
        (Some(p), _) => Some(VideoEncoding::Preset(parse_video_preset(&p)?)),
        (None, Some(o)) => Some(VideoEncoding::Options(VideoEncodingOptions {
            codec: parse_video_codec(&o.codec)?,
            frame_rate: o.frame_rate,
            layers: o.layers.into_iter().map(layer_from).collect::<Result<_, _>>()?,
        })),
        (None, None) => None,
    };
    Ok(IngressVideoOptions { name: v.name, source: parse_source(&v.source)?, encoding })
}

/// The JSON text stored for `i`.
pub(crate) fn encode(i: &Ingress) -> Result<String, IngressError> {
    let s = &i.state;
    let doc = Doc {
        v: VERSION,
        id: i.id.as_str().to_owned(),
        name: i.name.clone(),
        stream_key: i.stream_key.clone(),
        url: i.url.clone(),
        input: input_name(i.input),
        enable_transcoding: i.enable_transcoding,
        bypass_transcoding: i.bypass_transcoding,
        reusable: i.reusable,
        enabled: i.enabled,
        audio: i.audio.as_ref().map(audio_doc),
        video: i.video.as_ref().map(video_doc),
        room_name: i.room_name.as_str().to_owned(),
        participant_identity: i.participant_identity.as_str().to_owned(),
        participant_name: i.participant_name.clone(),
        participant_metadata: i.participant_metadata.clone(),
        state: State {
            status: status_name(s.status),
            error: s.error.clone(),
            video: s.video.as_ref().map(|v| (v.mime_type.clone(), v.average_bitrate, v.width, v.height, v.framerate)),
            audio: s.audio.as_ref().map(|a| (a.mime_type.clone(), a.average_bitrate, a.channels, a.sample_rate)),
            room_id: s.room_id.clone(),
            started_at: s.started_at,
            ended_at: s.ended_at,
            updated_at: s.updated_at,
            resource_id: s.resource_id.clone(),
            tracks: s.tracks.iter().map(track_doc).collect(),
        },
    };
    serde_json::to_string(&doc).map_err(|e| IngressError::Store(e.to_string()))
}

/// The ingress stored as `text`.
pub(crate) fn decode(text: &str) -> Result<Ingress, IngressError> {
    let d: Doc = serde_json::from_str(text).map_err(|e| IngressError::Store(format!("a stored ingress does not parse: {e}")))?;
    if d.v != VERSION {
        return Err(IngressError::Store(format!("a stored ingress has version {}, this build reads {VERSION}", d.v)));
    }
    let s = d.state;
    Ok(Ingress {
        id: IngressId::new(d.id),
        name: d.name,
        stream_key: d.stream_key,
        url: d.url,
        input: parse_input(&d.input)?,
        enable_transcoding: d.enable_transcoding,
        bypass_transcoding: d.bypass_transcoding,
        reusable: d.reusable,
        enabled: d.enabled,
        audio: d.audio.map(audio_from).transpose()?,
        video: d.video.map(video_from).transpose()?,
        room_name: RoomName::new(d.room_name),
        participant_identity: ParticipantIdentity::new(d.participant_identity),
        participant_name: d.participant_name,
        participant_metadata: d.participant_metadata,
        state: IngressState {
            status: parse_status(&s.status)?,
            error: s.error,
            video: s.video.map(|(mime_type, average_bitrate, width, height, framerate)| InputVideoState {
                mime_type,
                average_bitrate,
                width,
                height,
                framerate,
            }),
            audio: s.audio.map(|(mime_type, average_bitrate, channels, sample_rate)| InputAudioState { mime_type, average_bitrate, channels, sample_rate }),
            room_id: s.room_id,
            started_at: s.started_at,
            ended_at: s.ended_at,
            updated_at: s.updated_at,
            resource_id: s.resource_id,
            tracks: s.tracks.into_iter().map(track_from).collect::<Result<_, _>>()?,
        },
    })
}
