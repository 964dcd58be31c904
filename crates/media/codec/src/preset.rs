//! LiveKit's ingress encoding presets, with its values: the top layer of each video preset,
//! the lower layers at half the size of the one above and a bitrate scaled by the pixel
//! area to the power 0.75, all H.264 at the preset's frame rate; and the two Opus presets.
//! Each has the name of LiveKit's protobuf enum value, for the Twirp mapping.

use std::time::Duration;

use crate::spec::{AudioOut, Quality, VideoLayer, VideoOut};

/// Hikari's keyframe interval for transcoded ladders. LiveKit leaves x264's default and
/// forces keyframes when subscribers ask; ffmpeg cannot be asked at run time, so this bounds
/// how long a subscriber joining or switching layers waits.
pub const DEFAULT_KEYFRAME_INTERVAL: Duration = Duration::from_secs(2);

/// LiveKit's `IngressVideoEncodingPreset` values.
// LiveKit's spelling, so the names read the same on both sides of the mapping.
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VideoPreset {
    /// 1280x720, 30 fps, 1.9 Mbit/s, three layers (the default).
    H264_720P_30FPS_3_LAYERS,
    /// 1920x1080, 30 fps, 3.5 Mbit/s, three layers.
    H264_1080P_30FPS_3_LAYERS,
    /// 960x540, 25 fps, 1 Mbit/s, two layers.
    H264_540P_25FPS_2_LAYERS,
    /// 1280x720, 30 fps, 1.9 Mbit/s.
    H264_720P_30FPS_1_LAYER,
    /// 1920x1080, 30 fps, 3.5 Mbit/s.
    H264_1080P_30FPS_1_LAYER,
    /// 1280x720, 30 fps, 2.5 Mbit/s, three layers.
    H264_720P_30FPS_3_LAYERS_HIGH_MOTION,
    /// 1920x1080, 30 fps, 4.5 Mbit/s, three layers.
    H264_1080P_30FPS_3_LAYERS_HIGH_MOTION,
    /// 960x540, 25 fps, 1.3 Mbit/s, two layers.
    H264_540P_25FPS_2_LAYERS_HIGH_MOTION,
    /// 1280x720, 30 fps, 2.5 Mbit/s.
    H264_720P_30FPS_1_LAYER_HIGH_MOTION,
    /// 1920x1080, 30 fps, 4.5 Mbit/s.
    H264_1080P_30FPS_1_LAYER_HIGH_MOTION,
}

impl VideoPreset {
    /// Every preset.
    pub const ALL: [VideoPreset; 10] = [
        Self::H264_720P_30FPS_3_LAYERS,
        Self::H264_1080P_30FPS_3_LAYERS,
        Self::H264_540P_25FPS_2_LAYERS,
        Self::H264_720P_30FPS_1_LAYER,
        Self::H264_1080P_30FPS_1_LAYER,
        Self::H264_720P_30FPS_3_LAYERS_HIGH_MOTION,
        Self::H264_1080P_30FPS_3_LAYERS_HIGH_MOTION,
        Self::H264_540P_25FPS_2_LAYERS_HIGH_MOTION,
        Self::H264_720P_30FPS_1_LAYER_HIGH_MOTION,
        Self::H264_1080P_30FPS_1_LAYER_HIGH_MOTION,
    ];

    /// LiveKit's name of the enum value.
    pub fn name(self) -> &'static str {
        match self {
            Self::H264_720P_30FPS_3_LAYERS => "H264_720P_30FPS_3_LAYERS",
            Self::H264_1080P_30FPS_3_LAYERS => "H264_1080P_30FPS_3_LAYERS",
            Self::H264_540P_25FPS_2_LAYERS => "H264_540P_25FPS_2_LAYERS",
            Self::H264_720P_30FPS_1_LAYER => "H264_720P_30FPS_1_LAYER",
            Self::H264_1080P_30FPS_1_LAYER => "H264_1080P_30FPS_1_LAYER",
            Self::H264_720P_30FPS_3_LAYERS_HIGH_MOTION => "H264_720P_30FPS_3_LAYERS_HIGH_MOTION",
            Self::H264_1080P_30FPS_3_LAYERS_HIGH_MOTION => "H264_1080P_30FPS_3_LAYERS_HIGH_MOTION",
            Self::H264_540P_25FPS_2_LAYERS_HIGH_MOTION => "H264_540P_25FPS_2_LAYERS_HIGH_MOTION",
            Self::H264_720P_30FPS_1_LAYER_HIGH_MOTION => "H264_720P_30FPS_1_LAYER_HIGH_MOTION",
            Self::H264_1080P_30FPS_1_LAYER_HIGH_MOTION => "H264_1080P_30FPS_1_LAYER_HIGH_MOTION",
        }
    }

    /// The preset of a LiveKit enum value name.
    pub fn from_name(name: &str) -> Option<VideoPreset> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// (width, height, fps, top bitrate, layers).
    pub fn params(self) -> (u32, u32, f64, u32, usize) {
        match self {
            Self::H264_720P_30FPS_3_LAYERS => (1280, 720, 30.0, 1_900_000, 3),
            Self::H264_1080P_30FPS_3_LAYERS => (1920, 1080, 30.0, 3_500_000, 3),
            Self::H264_540P_25FPS_2_LAYERS => (960, 540, 25.0, 1_000_000, 2),
            Self::H264_720P_30FPS_1_LAYER => (1280, 720, 30.0, 1_900_000, 1),
            Self::H264_1080P_30FPS_1_LAYER => (1920, 1080, 30.0, 3_500_000, 1),
            Self::H264_720P_30FPS_3_LAYERS_HIGH_MOTION => (1280, 720, 30.0, 2_500_000, 3),
            Self::H264_1080P_30FPS_3_LAYERS_HIGH_MOTION => (1920, 1080, 30.0, 4_500_000, 3),
            Self::H264_540P_25FPS_2_LAYERS_HIGH_MOTION => (960, 540, 25.0, 1_300_000, 2),
            Self::H264_720P_30FPS_1_LAYER_HIGH_MOTION => (1280, 720, 30.0, 2_500_000, 1),
            Self::H264_1080P_30FPS_1_LAYER_HIGH_MOTION => (1920, 1080, 30.0, 4_500_000, 1),
        }
    }

    /// The ladder, top layer first, with [`DEFAULT_KEYFRAME_INTERVAL`].
    pub fn video_out(self) -> VideoOut {
        let (width, height, fps, bitrate, count) = self.params();
        let qualities = match count {
            1 => &[Quality::High][..],
            2 => &[Quality::High, Quality::Low][..],
            _ => &[Quality::High, Quality::Medium, Quality::Low][..],
        };
        let layers = qualities
            .iter()
            .enumerate()
            .map(|(i, &quality)| {
                let (w, h) = (width >> i, height >> i);
                VideoLayer { quality, width: w, height: h, fps, bitrate: scaled_bitrate(bitrate, width, height, w, h) }
            })
            .collect();
        VideoOut { layers, keyframe_interval: DEFAULT_KEYFRAME_INTERVAL }
    }
}

/// LiveKit's rule for a lower layer's bitrate: the top one times the ratio of pixel areas
/// to the power 0.75 (same frame rate), truncated.
pub fn scaled_bitrate(top: u32, top_w: u32, top_h: u32, w: u32, h: u32) -> u32 {
    let ratio = (f64::from(w) * f64::from(h) / (f64::from(top_w) * f64::from(top_h))).powf(0.75);
    (f64::from(top) * ratio) as u32
}

/// LiveKit's `IngressAudioEncodingPreset` values.
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AudioPreset {
    /// Stereo, 96 kbit/s (the default).
    OPUS_STEREO_96KBPS,
    /// Mono, 64 kbit/s (LiveKit's spelling).
    OPUS_MONO_64KBS,
}

impl AudioPreset {
    /// Every preset.
    pub const ALL: [AudioPreset; 2] = [Self::OPUS_STEREO_96KBPS, Self::OPUS_MONO_64KBS];

    /// LiveKit's name of the enum value.
    pub fn name(self) -> &'static str {
        match self {
            Self::OPUS_STEREO_96KBPS => "OPUS_STEREO_96KBPS",
            Self::OPUS_MONO_64KBS => "OPUS_MONO_64KBS",
        }
    }

    /// The preset of a LiveKit enum value name.
    pub fn from_name(name: &str) -> Option<AudioPreset> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The Opus output, DTX on (LiveKit's default).
    pub fn audio_out(self) -> AudioOut {
        match self {
            Self::OPUS_STEREO_96KBPS => AudioOut { channels: 2, bitrate: 96_000, dtx: true },
            Self::OPUS_MONO_64KBS => AudioOut { channels: 1, bitrate: 64_000, dtx: true },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(p: VideoPreset) -> Vec<(u32, u32, u32)> {
        p.video_out().layers.iter().map(|l| (l.width, l.height, l.bitrate)).collect()
    }

    #[test]
    fn ladders_have_livekits_sizes_and_bitrates() {
        assert_eq!(sizes(VideoPreset::H264_720P_30FPS_3_LAYERS), [(1280, 720, 1_900_000), (640, 360, 671_751), (320, 180, 237_500)]);
        assert_eq!(sizes(VideoPreset::H264_1080P_30FPS_3_LAYERS), [(1920, 1080, 3_500_000), (960, 540, 1_237_436), (480, 270, 437_500)]);
        assert_eq!(sizes(VideoPreset::H264_540P_25FPS_2_LAYERS), [(960, 540, 1_000_000), (480, 270, 353_553)]);
        assert_eq!(sizes(VideoPreset::H264_1080P_30FPS_3_LAYERS_HIGH_MOTION)[1], (960, 540, 1_590_990));
        assert_eq!(sizes(VideoPreset::H264_720P_30FPS_1_LAYER_HIGH_MOTION), [(1280, 720, 2_500_000)]);
        let q: Vec<Quality> = VideoPreset::H264_540P_25FPS_2_LAYERS.video_out().layers.iter().map(|l| l.quality).collect();
        assert_eq!(q, [Quality::High, Quality::Low], "two layers are HIGH and LOW, as in LiveKit");
        assert_eq!(VideoPreset::H264_540P_25FPS_2_LAYERS.video_out().layers[0].fps, 25.0);
    }

    #[test]
    fn names_round_trip() {
        for p in VideoPreset::ALL {
            assert_eq!(VideoPreset::from_name(p.name()), Some(p));
            assert!(crate::JobSpec { input: crate::InputFormat::Flv, audio: None, video: Some(p.video_out()), limits: Default::default() }.validate().is_ok());
        }
        for p in AudioPreset::ALL {
            assert_eq!(AudioPreset::from_name(p.name()), Some(p));
        }
        assert_eq!(AudioPreset::OPUS_MONO_64KBS.audio_out(), AudioOut { channels: 1, bitrate: 64_000, dtx: true });
        assert_eq!(VideoPreset::from_name("H264_720P_30FPS_3_LAYER"), None);
    }

    #[test]
    fn a_ladder_fits_a_smaller_source() {
        let v = VideoPreset::H264_720P_30FPS_3_LAYERS.video_out();
        let fit = |w, h| v.fit_to_source(w, h).layers.iter().map(|l| (l.quality, l.width, l.height)).collect::<Vec<_>>();
        assert_eq!(fit(640, 360), [(Quality::Low, 320, 180), (Quality::Medium, 640, 360)], "no layer above the source");
        assert_eq!(fit(1920, 1080), [(Quality::Low, 320, 180), (Quality::Medium, 640, 360), (Quality::High, 1280, 720)]);
        // 4:3 inside 16:9 boxes: the height limits; odd results round up to even.
        assert_eq!(fit(1440, 1080), [(Quality::Low, 240, 180), (Quality::Medium, 480, 360), (Quality::High, 960, 720)]);
        assert_eq!(fit(200, 100), [(Quality::Low, 200, 100)]);
        assert_eq!(fit(321, 181), [(Quality::Low, 320, 180), (Quality::Medium, 322, 182)]);
    }
}
