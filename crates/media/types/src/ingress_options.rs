//! How an ingress publishes its tracks: LiveKit's presets and explicit encoding options
//! (`IngressAudioOptions`, `IngressVideoOptions`), kept as given so Get and List echo them.

use crate::info::{SimulcastLayer, TrackSource};

/// LiveKit's audio presets (`IngressAudioEncodingPreset`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AudioPreset {
    /// Opus, 2 channels, 96 kbit/s.
    OpusStereo96Kbps,
    /// Opus, 1 channel, 64 kbit/s.
    OpusMono64Kbps,
}

/// LiveKit's video presets (`IngressVideoEncodingPreset`), all H.264, in wire order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types)]
pub enum VideoPreset {
    /// 1280x720, 30 fps, 1.9 Mbit/s top layer, 3 layers.
    H264_720p30_3Layers,
    /// 1920x1080, 30 fps, 3.5 Mbit/s top layer, 3 layers.
    H264_1080p30_3Layers,
    /// 960x540, 25 fps, 1 Mbit/s top layer, 2 layers.
    H264_540p25_2Layers,
    /// 1280x720, 30 fps, 1.9 Mbit/s, no simulcast.
    H264_720p30_1Layer,
    /// 1920x1080, 30 fps, 3.5 Mbit/s, no simulcast.
    H264_1080p30_1Layer,
    /// 720p, 3 layers, higher bitrates for high motion.
    H264_720p30_3LayersHighMotion,
    /// 1080p, 3 layers, higher bitrates for high motion.
    H264_1080p30_3LayersHighMotion,
    /// 540p, 2 layers, higher bitrates for high motion.
    H264_540p25_2LayersHighMotion,
    /// 720p, one layer, higher bitrate for high motion.
    H264_720p30_1LayerHighMotion,
    /// 1080p, one layer, higher bitrate for high motion.
    H264_1080p30_1LayerHighMotion,
}

impl VideoPreset {
    /// Every preset, in wire order (the index is the wire value).
    pub const ALL: [VideoPreset; 10] = [
        Self::H264_720p30_3Layers,
        Self::H264_1080p30_3Layers,
        Self::H264_540p25_2Layers,
        Self::H264_720p30_1Layer,
        Self::H264_1080p30_1Layer,
        Self::H264_720p30_3LayersHighMotion,
        Self::H264_1080p30_3LayersHighMotion,
        Self::H264_540p25_2LayersHighMotion,
        Self::H264_720p30_1LayerHighMotion,
        Self::H264_1080p30_1LayerHighMotion,
    ];
}

/// The codec an ingress publishes audio in (LiveKit's `AudioCodec`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum AudioCodec {
    /// The server's choice (Opus).
    #[default]
    Default,
    /// Opus.
    Opus,
    /// AAC (not for WebRTC rooms; refused by validation, kept so a request can be echoed).
    Aac,
    /// MP3 (likewise).
    Mp3,
}

/// The codec an ingress publishes video in (LiveKit's `VideoCodec`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum VideoCodec {
    /// The server's choice (H.264).
    #[default]
    Default,
    /// H.264 constrained baseline.
    H264Baseline,
    /// H.264 main (refused by validation, as LiveKit's).
    H264Main,
    /// H.264 high (refused by validation, as LiveKit's).
    H264High,
    /// VP8.
    Vp8,
}

/// Explicit audio encoding (`IngressAudioEncodingOptions`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct AudioEncodingOptions {
    /// The codec.
    pub codec: AudioCodec,
    /// Bits per second; 0 for the default.
    pub bitrate: u32,
    /// Opus DTX off.
    pub disable_dtx: bool,
    /// 1 or 2; 0 for the default.
    pub channels: u32,
}

/// Explicit video encoding (`IngressVideoEncodingOptions`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct VideoEncodingOptions {
    /// The codec.
    pub codec: VideoCodec,
    /// Frames per second; 0 for the source's.
    pub frame_rate: f64,
    /// Simulcast layers; empty for 1/1, 1/2 and 1/4 of the source.
    pub layers: Vec<SimulcastLayer>,
}

/// A preset or explicit audio encoding.
#[derive(Clone, Debug, PartialEq)]
pub enum AudioEncoding {
    /// One of LiveKit's presets.
    Preset(AudioPreset),
    /// Explicit options.
    Options(AudioEncodingOptions),
}

/// A preset or explicit video encoding.
#[derive(Clone, Debug, PartialEq)]
pub enum VideoEncoding {
    /// One of LiveKit's presets.
    Preset(VideoPreset),
    /// Explicit options.
    Options(VideoEncodingOptions),
}

/// How the ingress publishes its audio track (`IngressAudioOptions`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct IngressAudioOptions {
    /// The track's name.
    pub name: String,
    /// Microphone or screen-share audio; unknown for the default (microphone).
    pub source: TrackSource,
    /// None for the default.
    pub encoding: Option<AudioEncoding>,
}

/// How the ingress publishes its video track (`IngressVideoOptions`).
#[derive(Clone, Debug, PartialEq, Default)]
pub struct IngressVideoOptions {
    /// The track's name.
    pub name: String,
    /// Camera or screen share; unknown for the default (camera).
    pub source: TrackSource,
    /// None for the default.
    pub encoding: Option<VideoEncoding>,
}
