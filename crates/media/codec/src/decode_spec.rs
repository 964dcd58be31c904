//! What a decode job reads and writes ([`DecodeSpec`]), apart from the job itself so the
//! command line (`decode_args.rs`) and the job (`decode.rs`) both read it.

use crate::error::CodecError;
use crate::spec::{check_picture, check_samples};

/// The compressed stream a decode job reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeInput {
    /// VP8 or VP9 in IVF ([`crate::ivf_header`], [`crate::ivf_frame`]).
    Ivf,
    /// H.264 in Annex B ([`crate::annexb_from_length_prefixed`]); each access unit best
    /// followed by [`crate::H264_ACCESS_UNIT_DELIMITER`]. No B-frames (WebRTC has none).
    H264AnnexB,
    /// Opus in Ogg pages.
    OggOpus,
}

/// What a decode job writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeOutput {
    /// I420 pictures of exactly `width` x `height`: each decoded picture scaled into the box
    /// with its aspect kept, centred, and padded with the RGB colour `pad`. One chunk per
    /// decoded picture (`width * height * 3 / 2` bytes), as the source's frames come.
    Video {
        /// Even, 16 to 3840.
        width: u32,
        /// Even, 16 to 2160.
        height: u32,
        /// Red, green, blue of the bars.
        pad: [u8; 3],
    },
    /// Signed 16-bit little-endian samples, channels interleaved, resampled to `sample_rate`.
    Audio {
        /// 8000 to 48000 Hz.
        sample_rate: u32,
        /// 1 or 2.
        channels: u8,
        /// Samples (per channel) in each chunk: `chunk_samples * channels * 2` bytes.
        chunk_samples: u32,
    },
}

/// A decode job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeSpec {
    /// The compressed stream.
    pub input: DecodeInput,
    /// The raw frames.
    pub output: DecodeOutput,
    /// Input chunks queued for ffmpeg's stdin before [`Decoder::write`] says
    /// [`Backpressure::Full`].
    pub input_queue: usize,
}

impl DecodeSpec {
    /// Checks that ffmpeg can be asked for this.
    pub fn validate(&self) -> Result<(), CodecError> {
        let bad = |why: &str| Err(CodecError::Spec(why.to_owned()));
        if self.input_queue == 0 {
            return bad("the decode input queue must not be zero");
        }
        match (self.input, self.output) {
            (DecodeInput::OggOpus, DecodeOutput::Video { .. }) => bad("Opus decodes to audio, not video"),
            (DecodeInput::Ivf | DecodeInput::H264AnnexB, DecodeOutput::Audio { .. }) => bad("a video stream decodes to video, not audio"),
            (_, DecodeOutput::Video { width, height, .. }) => check_picture(width, height),
            (_, DecodeOutput::Audio { sample_rate, channels, chunk_samples }) => {
                check_samples(sample_rate, channels)?;
                if chunk_samples == 0 || chunk_samples > sample_rate {
                    return Err(CodecError::Spec(format!("{chunk_samples} samples per chunk: must be 1 to one second's ({sample_rate})")));
                }
                Ok(())
            }
        }
    }

    /// Bytes of each [`Decoded::Chunk`].
    pub fn chunk_bytes(&self) -> usize {
        let bytes = match self.output {
            DecodeOutput::Video { width, height, .. } => u64::from(width) * u64::from(height) * 3 / 2,
            DecodeOutput::Audio { channels, chunk_samples, .. } => u64::from(chunk_samples) * u64::from(channels) * 2,
        };
        usize::try_from(bytes).unwrap_or(usize::MAX)
    }
}
