//! What a transcode job makes: [`JobSpec`] with its input (a container, or raw pictures or
//! samples from the composite encoder), the Opus output and the H.264 simulcast ladder, and
//! the limits that keep a job bounded.

use std::time::Duration;

use crate::error::CodecError;

/// Most video layers a job encodes.
pub const MAX_LAYERS: usize = 4;

/// What the job's input bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// An FLV stream ([`crate::flv_out`] writes one from RTMP messages).
    Flv,
    /// An MPEG transport stream (SRT).
    MpegTs,
    /// Raw I420 pictures (a room composite): each exactly `width * height * 3 / 2` bytes, Y
    /// then U then V planes, at `fps`. Timestamps count frames, so the input must come at a
    /// steady rate with no gap (repeat the last picture rather than skip one). Video only.
    RawVideo {
        /// Even, 16 to 3840.
        width: u32,
        /// Even, 16 to 2160.
        height: u32,
        /// 1 to 60.
        fps: u32,
    },
    /// Raw signed 16-bit little-endian samples, channels interleaved (a room's mix).
    /// Timestamps count samples, so silence must be written, not skipped. Audio only.
    RawAudio {
        /// 8000 to 48000 Hz.
        sample_rate: u32,
        /// 1 or 2.
        channels: u8,
    },
}

impl InputFormat {
    /// Bytes of one raw picture, for [`InputFormat::RawVideo`].
    pub fn frame_bytes(&self) -> Option<usize> {
        match *self {
            Self::RawVideo { width, height, .. } => usize::try_from(u64::from(width) * u64::from(height) * 3 / 2).ok(),
            _ => None,
        }
    }
}

/// Checks the size of raw pictures (in or out of ffmpeg).
pub(crate) fn check_picture(width: u32, height: u32) -> Result<(), CodecError> {
    if !(16..=3840).contains(&width) || !(16..=2160).contains(&height) || width % 2 == 1 || height % 2 == 1 {
        return Err(CodecError::Spec(format!("raw picture size {width}x{height}: width and height must be even, 16 to 3840 by 16 to 2160")));
    }
    Ok(())
}

/// Checks the format of raw samples (in or out of ffmpeg).
pub(crate) fn check_samples(sample_rate: u32, channels: u8) -> Result<(), CodecError> {
    if !(8_000..=48_000).contains(&sample_rate) {
        return Err(CodecError::Spec(format!("raw audio at {sample_rate} Hz: the sample rate must be 8000 to 48000 Hz")));
    }
    if !matches!(channels, 1 | 2) {
        return Err(CodecError::Spec(format!("raw audio with {channels} channels: must be 1 or 2")));
    }
    Ok(())
}

/// The Opus encode: 48 kHz, 20 ms frames, low-delay mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioOut {
    /// 1 or 2.
    pub channels: u8,
    /// Bits per second.
    pub bitrate: u32,
    /// Discontinuous transmission, when the ffmpeg build's libopus wrapper offers it
    /// (FFmpeg 5.1's does not; then the request is ignored).
    pub dtx: bool,
}

/// A simulcast layer's place in the ladder, as LiveKit names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Quality {
    /// The smallest.
    Low,
    /// The middle one.
    Medium,
    /// The top one.
    High,
}

/// One H.264 encode of the ladder.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoLayer {
    /// Which layer of the ladder this is.
    pub quality: Quality,
    /// Width in pixels (even); the picture is scaled into it with its aspect kept.
    pub width: u32,
    /// Height in pixels (even).
    pub height: u32,
    /// Frames per second.
    pub fps: f64,
    /// Bits per second (constant-ish: `-b:v`, `-maxrate` and a one-second `-bufsize`).
    pub bitrate: u32,
}

/// The H.264 ladder: one x264 encode per layer, keyframes aligned across layers.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoOut {
    /// The layers; [`crate::Stream::Video`]'s index points into this list.
    pub layers: Vec<VideoLayer>,
    /// Time between keyframes (also the longest wait for a subscriber joining or switching
    /// layers: ffmpeg cannot be asked for a keyframe on demand).
    pub keyframe_interval: Duration,
}

impl VideoOut {
    /// The ladder fitted to a source of `width`×`height`, as LiveKit's ingress does it:
    /// from the lowest quality up, each layer shrunk to the source's aspect ratio inside its
    /// own size (never enlarged, rounded up to even), and no layer after the first one that
    /// covers the whole source. The result is ordered from low to high.
    pub fn fit_to_source(&self, width: u32, height: u32) -> VideoOut {
        let mut layers = self.layers.clone();
        layers.sort_by_key(|l| l.quality);
        let mut out = Vec::with_capacity(layers.len());
        if width == 0 || height == 0 {
            return VideoOut { layers, keyframe_interval: self.keyframe_interval };
        }
        for mut layer in layers {
            let (mut w, mut h) = (width, height);
            if w > layer.width {
                w = layer.width;
                h = (u64::from(w) * u64::from(height) / u64::from(width)) as u32;
            }
            if h > layer.height {
                h = layer.height;
                w = (u64::from(h) * u64::from(width) / u64::from(height)) as u32;
            }
            layer.width = w.div_ceil(2) * 2;
            layer.height = h.div_ceil(2) * 2;
            let covers = layer.width >= width && layer.height >= height;
            out.push(layer);
            if covers {
                break;
            }
        }
        VideoOut { layers: out, keyframe_interval: self.keyframe_interval }
    }
}

/// Bounds of a running job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JobLimits {
    /// Input chunks queued for ffmpeg's stdin before [`crate::Job::write`] says
    /// [`crate::Backpressure::Full`].
    pub input_queue: usize,
    /// Outputs queued for the consumer; past it, RTP packets are dropped (and counted).
    pub output_queue: usize,
    /// The stall watchdog: input arrived but no output came for this long → killed.
    pub stall_after: Duration,
}

impl Default for JobLimits {
    fn default() -> Self {
        Self { input_queue: 512, output_queue: 2048, stall_after: Duration::from_secs(10) }
    }
}

/// A transcode job: the input container and what to make of it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSpec {
    /// The input container.
    pub input: InputFormat,
    /// The Opus output, if any.
    pub audio: Option<AudioOut>,
    /// The H.264 ladder, if any.
    pub video: Option<VideoOut>,
    /// Queue sizes and the stall watchdog.
    pub limits: JobLimits,
}

impl JobSpec {
    /// Checks that ffmpeg can be asked for this.
    pub fn validate(&self) -> Result<(), CodecError> {
        let bad = |why: &str| Err(CodecError::Spec(why.to_owned()));
        let has_video = self.video.as_ref().is_some_and(|v| !v.layers.is_empty());
        if self.audio.is_none() && !has_video {
            return bad("no output");
        }
        match self.input {
            InputFormat::Flv | InputFormat::MpegTs => {}
            InputFormat::RawVideo { width, height, fps } => {
                check_picture(width, height)?;
                if !(1..=60).contains(&fps) {
                    return Err(CodecError::Spec(format!("raw video at {fps} fps: the frame rate must be 1 to 60")));
                }
                if self.audio.is_some() {
                    return bad("raw video input has no audio to encode");
                }
            }
            InputFormat::RawAudio { sample_rate, channels } => {
                check_samples(sample_rate, channels)?;
                if has_video {
                    return bad("raw audio input has no video to encode");
                }
            }
        }
        if let Some(a) = &self.audio {
            if !matches!(a.channels, 1 | 2) {
                return bad("audio channels must be 1 or 2");
            }
            if !(6_000..=510_000).contains(&a.bitrate) {
                return bad("audio bitrate must be 6 to 510 kbit/s");
            }
        }
        if let Some(v) = &self.video {
            if v.layers.len() > MAX_LAYERS {
                return bad("more than four video layers");
            }
            if !(Duration::from_millis(100)..=Duration::from_secs(60)).contains(&v.keyframe_interval) {
                return bad("keyframe interval must be 0.1 to 60 s");
            }
            for l in &v.layers {
                if l.width < 2 || l.height < 2 || l.width > 8192 || l.height > 8192 || l.width % 2 == 1 || l.height % 2 == 1 {
                    return bad("layer sizes must be even, 2 to 8192 pixels");
                }
                if !(l.fps > 0.0 && l.fps <= 120.0) {
                    return bad("layer frame rates must be above 0 and at most 120");
                }
                if !(10_000..=100_000_000).contains(&l.bitrate) {
                    return bad("layer bitrates must be 10 kbit/s to 100 Mbit/s");
                }
            }
        }
        let l = &self.limits;
        if l.input_queue == 0 || l.output_queue == 0 || l.stall_after.is_zero() {
            return bad("queues and the stall window must not be zero");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::{AudioPreset, VideoPreset};

    fn spec(input: InputFormat, audio: bool, video: bool) -> JobSpec {
        JobSpec {
            input,
            audio: audio.then(|| AudioPreset::OPUS_STEREO_96KBPS.audio_out()),
            video: video.then(|| VideoPreset::H264_720P_30FPS_3_LAYERS.video_out()),
            limits: JobLimits::default(),
        }
    }

    fn refusal(spec: &JobSpec) -> String {
        match spec.validate() {
            Err(CodecError::Spec(why)) => why,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn raw_inputs_are_checked() {
        let video = |width, height, fps| InputFormat::RawVideo { width, height, fps };
        assert!(spec(video(1280, 720, 30), false, true).validate().is_ok());
        assert!(spec(video(16, 16, 1), false, true).validate().is_ok());
        assert!(spec(video(3840, 2160, 60), false, true).validate().is_ok());
        for bad in [video(1281, 720, 30), video(1280, 721, 30), video(14, 720, 30), video(3842, 720, 30), video(1280, 2162, 30)] {
            let why = refusal(&spec(bad, false, true));
            assert!(why.contains("must be even, 16 to 3840 by 16 to 2160"), "{why}");
        }
        assert!(refusal(&spec(video(1280, 720, 0), false, true)).contains("frame rate must be 1 to 60"));
        assert!(refusal(&spec(video(1280, 720, 61), false, true)).contains("at 61 fps"));
        assert!(refusal(&spec(video(1280, 720, 30), true, true)).contains("no audio"));

        let audio = |sample_rate, channels| InputFormat::RawAudio { sample_rate, channels };
        assert!(spec(audio(48_000, 2), true, false).validate().is_ok());
        assert!(spec(audio(8_000, 1), true, false).validate().is_ok());
        assert!(refusal(&spec(audio(7_999, 1), true, false)).contains("8000 to 48000 Hz"));
        assert!(refusal(&spec(audio(96_000, 2), true, false)).contains("96000 Hz"));
        assert!(refusal(&spec(audio(48_000, 0), true, false)).contains("must be 1 or 2"));
        assert!(refusal(&spec(audio(48_000, 3), true, false)).contains("3 channels"));
        assert!(refusal(&spec(audio(48_000, 2), true, true)).contains("no video"));
        assert!(refusal(&spec(audio(48_000, 2), false, false)).contains("no output"));

        assert_eq!(video(320, 180, 30).frame_bytes(), Some(86_400));
        assert_eq!(InputFormat::Flv.frame_bytes(), None);
    }
}
