//! Codec work outside the SFU's hot path, for broadcast ingest and restreaming.
//!
//! - Passthrough, in process and pure: [`Packetizer`] cuts H.264 access units into RTP
//!   payloads (RFC 6184), [`SpsInfo`] reads what an SPS says (size, profile, whether
//!   WebRTC decoders take it as it is); [`Depacketizer`] reverses the packetizer for tests
//!   and diagnostics.
//! - Feeding a transcode job: [`flv_out`] writes an FLV stream from RTMP messages.
//! - Transcoding: a [`Job`] runs one `ffmpeg` child per ingest (AAC → Opus, H.264 → an
//!   H.264 simulcast ladder, [`preset`] has LiveKit's ladders) and hands back RTP packets
//!   ([`JobOutput`]); [`RtpView`] and [`SenderReport`] parse what ffmpeg sends. The same job
//!   encodes a room composite: raw I420 pictures or PCM samples in
//!   ([`InputFormat::RawVideo`], [`InputFormat::RawAudio`]).
//! - Decoding for composites: a [`Decoder`] runs one `ffmpeg` child per track (VP8/VP9 in
//!   IVF, H.264 Annex B, Ogg Opus in; [`ivf_header`], [`ivf_frame`] and
//!   [`annexb_from_length_prefixed`] make the input) and hands back raw frames in fixed
//!   chunks ([`Decoded`]): pictures scaled and padded into the composite's box, or samples,
//!   with a few milliseconds of delay.
//! - Restreaming and thumbnails: a [`Push`] runs one `ffmpeg` child per RTMP destination or
//!   thumbnail output, fragmented MP4 in on stdin; FLV out to the destination (H.264 copied,
//!   audio to AAC), or JPEG files at an interval.
//!
//! - Keyframes on request: [`Job::start_gst`] runs an ingress ladder in `gst-launch-1.0`
//!   instead, whose encoders answer [`Job::request_keyframe`] (an RTCP PLI); [`probe_gst`]
//!   checks the installation first.
//!
//! Architecture Invariant (ARCHITECTURE.md): nothing here decodes or encodes in process; that
//! runs in a child `ffmpeg` (or `gst-launch-1.0`) per job, so a crash, leak or stall in codec C code ends that
//! one job and never the server.

mod activity;
mod args;
mod bits;
mod caps;
mod cpu;
mod decode;
mod decode_args;
mod decode_in;
mod decode_spec;
mod depack;
mod error;
pub mod flv_out;
mod gst;
mod gst_args;
pub mod h264;
mod job;
mod output;
pub mod preset;
mod push;
mod recv;
mod rtp;
mod spec;
mod sps;
mod supervise;
mod tail;

pub use args::PACKET_SIZE;
pub use caps::{FfmpegCaps, probe as probe_ffmpeg};
pub use decode::{DECODED_QUEUE, Decoded, Decoder};
pub use decode_in::{H264_ACCESS_UNIT_DELIMITER, annexb_from_length_prefixed, ivf_frame, ivf_header};
pub use decode_spec::{DecodeInput, DecodeOutput, DecodeSpec};
pub use depack::Depacketizer;
pub use error::{Backpressure, CodecError, JobError};
pub use gst::probe_gst;
pub use h264::Packetizer;
pub use job::{Job, JobOutputs};
pub use output::{FIRST_SSRC, H264_PAYLOAD_TYPE, JobOutput, OPUS_PAYLOAD_TYPE, Stream};
pub use push::{Push, PushEvent, PushSpec, PushTarget, push_args};
pub use rtp::{RtpView, SenderReport, picture_loss_indication};
pub use spec::{AudioOut, InputFormat, JobLimits, JobSpec, MAX_LAYERS, Quality, VideoLayer, VideoOut};
pub use sps::{SpsInfo, WebRtcProfile};
