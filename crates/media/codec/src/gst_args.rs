//! The GStreamer command line of a transcode job that answers keyframe requests (pure, so
//! the tests read it): `gst-launch-1.0` with FLV from stdin, decoded once, scaled and
//! encoded per layer by x264, and sent as RTP through an `rtpbin` whose RTCP input takes
//! our PLIs: `rtpbin` turns a PLI for a layer's SSRC into a force-key-unit event to that
//! layer's encoder, which ffmpeg's command line has no way to receive.
//!
//! Every payloader starts its RTP timestamps at 0 on the pipeline's running time, so all
//! streams of the job share one timeline without sender reports.

use crate::args::{PACKET_SIZE, Ports};
use crate::error::CodecError;
use crate::output::Stream;
use crate::spec::{AudioOut, InputFormat, JobSpec, VideoLayer};

/// The elements the pipeline uses (what the probe looks for in the installation).
pub const ELEMENTS: [&str; 22] = [
    "fdsrc",
    "flvdemux",
    "queue",
    "h264parse",
    "avdec_h264",
    "videoconvert",
    "tee",
    "videorate",
    "videoscale",
    "x264enc",
    "rtph264pay",
    "rtpbin",
    "udpsink",
    "udpsrc",
    "aacparse",
    "avdec_aac",
    "audioconvert",
    "audioresample",
    "audiorate",
    "opusenc",
    "rtpopuspay",
    "fakesink",
];

/// The arguments after the program name: the pipeline, one token per argument.
/// `feedback_ports[i]` is where video layer `i`'s `udpsrc` listens for our RTCP (PLIs).
/// Only FLV input is built this way (ingest); the rest stays with ffmpeg.
pub fn gst_args(spec: &JobSpec, ports: &[Ports], feedback_ports: &[u16]) -> Result<Vec<String>, CodecError> {
    if spec.input != InputFormat::Flv {
        return Err(CodecError::Spec("the GStreamer pipeline takes FLV input only".into()));
    }
    let mut a: Vec<String> = Vec::with_capacity(160);
    let mut push = |items: &[&str]| a.extend(items.iter().map(|s| (*s).to_owned()));
    // -q: no progress on stdout; -e: end of stdin flushes the encoders before exiting.
    push(&["-q", "-e", "fdsrc", "fd=0", "!", "flvdemux", "name=demux"]);
    push(&["rtpbin", "name=rtp"]);
    let video = spec.video.as_ref().filter(|v| !v.layers.is_empty());
    if video.is_some() {
        // Decoded once; a thread per branch after the tee.
        push(&["demux.video", "!", "queue", "!", "h264parse", "!", "avdec_h264", "!", "videoconvert", "!", "tee", "name=decoded"]);
    }
    for (session, p) in ports.iter().enumerate() {
        let sink = format!("rtp.send_rtp_sink_{session}");
        match p.stream {
            Stream::Audio => {
                let Some(audio) = &spec.audio else { continue };
                a.extend(["demux.audio", "!", "queue"].map(str::to_owned));
                audio_branch(&mut a, audio, p);
            }
            Stream::Video(i) => {
                let (Some(v), Some(layer)) = (video, video.and_then(|v| v.layers.get(usize::from(i)))) else { continue };
                let gop = ((layer.fps * v.keyframe_interval.as_secs_f64()).round() as u64).max(1);
                a.extend(["decoded.", "!", "queue"].map(str::to_owned));
                video_branch(&mut a, layer, gop, p);
            }
        }
        a.extend(["!", &sink].map(str::to_owned));
        let src = format!("rtp.send_rtp_src_{session}");
        let port = format!("port={}", p.rtp);
        a.extend([&src, "!", "udpsink", "host=127.0.0.1", &port, "sync=false", "async=false"].map(str::to_owned));
        if let Stream::Video(i) = p.stream {
            // Our PLIs for this session's SSRC.
            let port = feedback_ports.get(usize::from(i)).ok_or_else(|| CodecError::Spec(format!("no feedback port for video layer {i}")))?;
            let fb = format!("port={port}");
            let rtcp = format!("rtp.recv_rtcp_sink_{session}");
            a.extend(["udpsrc", "address=127.0.0.1", &fb, "reuse=false", "caps=application/x-rtcp", "!", &rtcp].map(str::to_owned));
        }
    }
    if video.is_some() && spec.audio.is_none() {
        // The audio of the FLV, if any, goes nowhere instead of stopping the demuxer.
        a.extend(["demux.audio", "!", "fakesink", "sync=false", "async=false"].map(str::to_owned));
    }
    Ok(a)
}

/// AAC → Opus at 48 kHz, 20 ms frames, low-delay; `audiorate` keeps the samples continuous
/// (FLV's millisecond timestamps of 1024-sample frames jitter).
fn audio_branch(a: &mut Vec<String>, audio: &AudioOut, p: &Ports) {
    let caps = format!("audio/x-raw,rate=48000,channels={}", audio.channels);
    let bitrate = format!("bitrate={}", audio.bitrate);
    let dtx = format!("dtx={}", audio.dtx);
    let (pt, ssrc) = (format!("pt={}", p.stream.payload_type()), format!("ssrc={}", p.stream.ssrc()));
    a.extend(["!", "aacparse", "!", "avdec_aac", "!", "audioconvert", "!", "audioresample", "!", "audiorate", "!", &caps].map(str::to_owned));
    a.extend(["!", "opusenc", &bitrate, "frame-size=20", "audio-type=restricted-lowdelay", &dtx].map(str::to_owned));
    a.extend(["!", "rtpopuspay", &pt, &ssrc, "timestamp-offset=0", &format!("mtu={PACKET_SIZE}")].map(str::to_owned));
}

/// One layer: frame rate first (frames dropped or repeated), scaled into the layer's box
/// with the aspect kept and black borders, x264 baseline without B-frames, a keyframe every
/// `gop` frames and whenever the layer's SSRC gets a PLI. x264 writes SPS and PPS before
/// every IDR (byte-stream output), so the payloader adds none (it would before every slice).
fn video_branch(a: &mut Vec<String>, layer: &VideoLayer, gop: u64, p: &Ports) {
    let millis = (layer.fps * 1000.0).round().max(1.0) as u64;
    let caps = format!("video/x-raw,format=I420,width={},height={},pixel-aspect-ratio=1/1,framerate={millis}/1000", layer.width, layer.height);
    let kbps = (layer.bitrate / 1000).max(1);
    let (bitrate, gop) = (format!("bitrate={kbps}"), format!("key-int-max={gop}"));
    let (pt, ssrc) = (format!("pt={}", p.stream.payload_type()), format!("ssrc={}", p.stream.ssrc()));
    // `videorate` drops and repeats frames to the layer's rate, as ffmpeg's `fps` filter does
    // (with `drop-only` a 25 or 29.97 fps source could not be negotiated to 30 at all).
    a.extend(["!", "videorate", "!", "videoscale", "add-borders=true", "!", &caps].map(str::to_owned));
    // vbv-buf-capacity: one second of the bitrate, as `-bufsize` does in the ffmpeg job.
    a.extend(
        ["!", "x264enc", "speed-preset=veryfast", "tune=zerolatency", &bitrate, "vbv-buf-capacity=1000", &gop, "bframes=0", "byte-stream=true", "aud=false"]
            .map(str::to_owned),
    );
    a.extend(["!", "video/x-h264,profile=constrained-baseline"].map(str::to_owned));
    a.extend(["!", "rtph264pay", &pt, &ssrc, "timestamp-offset=0", "config-interval=0", &format!("mtu={PACKET_SIZE}")].map(str::to_owned));
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::preset::{AudioPreset, VideoPreset};
    use crate::spec::JobLimits;

    fn spec() -> JobSpec {
        JobSpec {
            input: InputFormat::Flv,
            audio: Some(AudioPreset::OPUS_STEREO_96KBPS.audio_out()),
            video: Some(VideoPreset::H264_720P_30FPS_3_LAYERS.video_out()),
            limits: JobLimits::default(),
        }
    }

    fn ports() -> Vec<Ports> {
        [Stream::Audio, Stream::Video(0), Stream::Video(1), Stream::Video(2)]
            .into_iter()
            .enumerate()
            .map(|(i, stream)| Ports { stream, rtp: 40_000 + 2 * i as u16, rtcp: 40_001 + 2 * i as u16 })
            .collect()
    }

    #[test]
    fn every_video_session_takes_plis_and_every_stream_starts_at_timestamp_zero() {
        let args = gst_args(&spec(), &ports(), &[39_997, 39_998, 39_999]).expect("args").join(" ");
        for port in [39_997, 39_998, 39_999] {
            assert_eq!(args.matches(&format!("udpsrc address=127.0.0.1 port={port} ")).count(), 1, "{args}");
        }
        for session in 1..=3 {
            assert!(args.contains(&format!("caps=application/x-rtcp ! rtp.recv_rtcp_sink_{session}")), "{args}");
        }
        assert_eq!(args.matches("timestamp-offset=0").count(), 4, "{args}");
        assert!(args.contains("rtpopuspay pt=111 ssrc="), "{args}");
        assert!(
            args.contains(
                "x264enc speed-preset=veryfast tune=zerolatency bitrate=1900 vbv-buf-capacity=1000 key-int-max=60 bframes=0 byte-stream=true aud=false"
            ),
            "{args}"
        );
        assert!(args.contains("width=1280,height=720,pixel-aspect-ratio=1/1,framerate=30000/1000"), "{args}");
        assert!(args.starts_with("-q -e fdsrc fd=0 ! flvdemux name=demux"), "{args}");
    }

    #[test]
    fn video_alone_sends_the_flv_audio_to_a_fakesink_and_the_keyframe_interval_sets_the_gop() {
        let mut s = spec();
        s.audio = None;
        if let Some(v) = s.video.as_mut() {
            v.keyframe_interval = Duration::from_secs(10);
        }
        let ports: Vec<Ports> = ports().into_iter().filter(|p| p.stream != Stream::Audio).collect();
        let args = gst_args(&s, &ports, &[1, 2, 3]).expect("args").join(" ");
        assert!(args.contains("demux.audio ! fakesink"), "{args}");
        assert!(args.contains("key-int-max=300"), "{args}");
        assert!(!args.contains("opusenc"), "{args}");
    }

    #[test]
    fn other_inputs_are_left_to_ffmpeg() {
        let mut s = spec();
        s.input = InputFormat::MpegTs;
        assert!(gst_args(&s, &ports(), &[1, 2, 3]).is_err());
    }

    #[test]
    fn the_probe_list_names_every_element_the_pipeline_uses() {
        let args = gst_args(&spec(), &ports(), &[1, 2, 3]).expect("args");
        for (i, token) in args.iter().enumerate() {
            let after_link = i == 2 || args.get(i.wrapping_sub(1)).is_some_and(|t| t == "!");
            let element = after_link && !token.contains('/') && !token.contains('=') && !token.contains('.');
            if element {
                assert!(ELEMENTS.contains(&token.as_str()), "{token} is not probed");
            }
        }
    }
}
