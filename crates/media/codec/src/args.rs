//! The ffmpeg command line of a job (pure, so the tests read it): the input from stdin (a
//! container, or raw pictures or samples described by the options), one `-f rtp` output per
//! stream to its loopback port, RTCP sender reports to a second port.

use crate::output::Stream;
use crate::spec::{AudioOut, InputFormat, JobSpec, VideoLayer};

/// Where one output stream goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// The stream.
    pub stream: Stream,
    /// The port of our RTP socket.
    pub rtp: u16,
    /// The port of our RTCP socket (sender reports).
    pub rtcp: u16,
}

/// The largest datagram ffmpeg sends (`pkt_size`): 12 bytes of RTP header and the payload.
pub const PACKET_SIZE: usize = 1200;

/// The arguments after the program name. `t0_micros` is the job's time zero (Unix
/// microseconds, whole milliseconds): every RTP output's `start_time_realtime`, so each
/// stream's sender reports map its timestamps to the same zero. `dtx` is whether to ask
/// libopus for DTX (only when the build offers the option).
pub fn ffmpeg_args(spec: &JobSpec, ports: &[Ports], t0_micros: u64, dtx: bool) -> Vec<String> {
    let mut a: Vec<String> = Vec::with_capacity(64);
    let mut push = |items: &[&str]| a.extend(items.iter().map(|s| (*s).to_owned()));
    push(&["-hide_banner", "-nostdin", "-loglevel", "error", "-nostats"]);
    input_args(&mut a, spec.input);
    for p in ports {
        match p.stream {
            Stream::Audio => {
                if let Some(audio) = &spec.audio {
                    audio_args(&mut a, audio, dtx);
                }
            }
            Stream::Video(i) => {
                if let Some(layer) = spec.video.as_ref().and_then(|v| v.layers.get(usize::from(i))) {
                    let interval = spec.video.as_ref().map_or(2.0, |v| v.keyframe_interval.as_secs_f64());
                    video_args(&mut a, layer, interval);
                }
            }
        }
        let pt = p.stream.payload_type().to_string();
        // ffmpeg's option is a signed 32-bit integer: the same bits.
        let ssrc = (p.stream.ssrc() as i32).to_string();
        let t0 = t0_micros.to_string();
        let url = format!("rtp://127.0.0.1:{}?pkt_size={PACKET_SIZE}&rtcpport={}", p.rtp, p.rtcp);
        a.extend(["-payload_type", &pt, "-ssrc", &ssrc, "-start_time_realtime", &t0, "-f", "rtp", &url].map(str::to_owned));
    }
    a
}

/// The input options and `-i pipe:0`.
fn input_args(a: &mut Vec<String>, input: InputFormat) {
    // No `-fflags nobuffer`: it throws away what the probe read, the first keyframe with
    // it. No `-flags low_delay` on the decoder: for a stream whose SPS does not bound its
    // reordering it would emit B-frame streams out of order; for the others it changes
    // nothing. A small probe: for FLV it ends as soon as the streams the header announces
    // are seen; for MPEG-TS once the PMT is read.
    const PROBE: [&str; 4] = ["-probesize", "65536", "-analyzeduration", "200000"];
    // Raw input: the options tell everything, so the probe reads no more than the first
    // packet and the encode starts at once.
    const NO_PROBE: [&str; 4] = ["-probesize", "32", "-analyzeduration", "0"];
    match input {
        InputFormat::Flv => a.extend(PROBE.iter().chain(&["-f", "flv"]).map(|s| (*s).to_owned())),
        InputFormat::MpegTs => a.extend(PROBE.iter().chain(&["-f", "mpegts"]).map(|s| (*s).to_owned())),
        // Timestamps count frames (and samples) from zero: the `fps` filter passes each
        // picture through when the layer's rate is the input's, and `aresample`'s `async`
        // finds nothing to stretch or pad.
        InputFormat::RawVideo { width, height, fps } => {
            let (size, rate) = (format!("{width}x{height}"), fps.to_string());
            a.extend(NO_PROBE.map(str::to_owned));
            a.extend(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", &size, "-framerate", &rate].map(str::to_owned));
        }
        InputFormat::RawAudio { sample_rate, channels } => {
            let (rate, channels) = (sample_rate.to_string(), channels.to_string());
            a.extend(NO_PROBE.map(str::to_owned));
            a.extend(["-f", "s16le", "-ar", &rate, "-ac", &channels].map(str::to_owned));
        }
    }
    a.extend(["-i", "pipe:0"].map(str::to_owned));
}

fn audio_args(a: &mut Vec<String>, audio: &AudioOut, dtx: bool) {
    let (channels, bitrate) = (audio.channels.to_string(), audio.bitrate.to_string());
    // Resampled to 48 kHz with its timestamps followed by stretching, padding or trimming
    // (`async`): the samples stay continuous, so each 20 ms packet is 960 ticks after the
    // last one even though FLV's millisecond timestamps of 1024-sample AAC frames jitter.
    a.extend(["-map", "0:a:0", "-af", "aresample=48000:async=1", "-c:a", "libopus", "-ar", "48000", "-ac", &channels, "-b:a", &bitrate].map(str::to_owned));
    a.extend(["-frame_duration", "20", "-application", "lowdelay"].map(str::to_owned));
    if dtx && audio.dtx {
        a.extend(["-dtx", "1"].map(str::to_owned));
    }
}

fn video_args(a: &mut Vec<String>, layer: &VideoLayer, keyframe_interval: f64) {
    let (w, h, fps) = (layer.width, layer.height, layer.fps);
    // Frame rate first (fewer frames to scale), then scaled into the layer's box with the
    // aspect kept and padded to it, so a source that changes size mid-stream still fits.
    let filter = format!("fps={fps},scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad={w}:{h}:-1:-1,setsar=1,format=yuv420p");
    let gop = ((fps * keyframe_interval).round() as u64).max(1).to_string();
    let bitrate = layer.bitrate.to_string();
    let keys = format!("expr:gte(t,n_forced*{keyframe_interval})");
    a.extend(["-map", "0:v:0", "-vf", &filter, "-fps_mode", "passthrough"].map(str::to_owned));
    // Baseline (x264 marks it constrained baseline, 42e0/42c0), no B-frames; SPS and PPS
    // repeat before every IDR because the RTP muxer asks for no global header.
    a.extend(["-c:v", "libx264", "-preset", "veryfast", "-tune", "zerolatency", "-profile:v", "baseline", "-bf", "0"].map(str::to_owned));
    a.extend(["-b:v", &bitrate, "-maxrate", &bitrate, "-bufsize", &bitrate].map(str::to_owned));
    // Keyframes at the same instants on every layer: forced by time, and x264's own
    // interval and scene cuts kept out of the way.
    a.extend(["-g", &gop, "-keyint_min", &gop, "-sc_threshold", "0", "-force_key_frames", &keys].map(str::to_owned));
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::output::FIRST_SSRC;
    use crate::preset::{AudioPreset, VideoPreset};
    use crate::spec::JobLimits;

    #[test]
    fn the_command_line_of_a_ladder() {
        let spec = JobSpec {
            input: InputFormat::Flv,
            audio: Some(AudioPreset::OPUS_STEREO_96KBPS.audio_out()),
            video: Some(VideoPreset::H264_720P_30FPS_3_LAYERS.video_out()),
            limits: JobLimits::default(),
        };
        let ports = [
            Ports { stream: Stream::Audio, rtp: 5000, rtcp: 5001 },
            Ports { stream: Stream::Video(0), rtp: 5002, rtcp: 5003 },
            Ports { stream: Stream::Video(2), rtp: 5006, rtcp: 5007 },
        ];
        let args = ffmpeg_args(&spec, &ports, 1_700_000_000_123_000, false).join(" ");
        assert!(args.starts_with("-hide_banner -nostdin -loglevel error -nostats"), "{args}");
        assert!(args.contains("-f flv -i pipe:0"), "{args}");
        assert!(!args.contains("nobuffer") && !args.contains("-re "), "{args}");
        assert!(
            args.contains(
                "-map 0:a:0 -af aresample=48000:async=1 -c:a libopus -ar 48000 -ac 2 -b:a 96000 -frame_duration 20 -application lowdelay -payload_type 111"
            ),
            "{args}"
        );
        assert!(!args.contains("-dtx"), "DTX only when the build has it");
        assert!(args.contains("scale=1280:720:force_original_aspect_ratio=decrease"), "{args}");
        assert!(args.contains("scale=320:180:"), "{args}");
        assert!(!args.contains("scale=640:360:"), "layer 1 has no port");
        assert!(
            args.contains("-bf 0 -b:v 1900000 -maxrate 1900000 -bufsize 1900000 -g 60 -keyint_min 60 -sc_threshold 0 -force_key_frames expr:gte(t,n_forced*2)"),
            "{args}"
        );
        assert!(args.contains(&format!(
            "-payload_type 104 -ssrc {} -start_time_realtime 1700000000123000 -f rtp rtp://127.0.0.1:5006?pkt_size=1200&rtcpport=5007",
            FIRST_SSRC + 3
        )));
        let with_dtx = ffmpeg_args(&spec, &ports, 0, true).join(" ");
        assert!(with_dtx.contains("-application lowdelay -dtx 1"));
        let mut ts = spec.clone();
        ts.input = InputFormat::MpegTs;
        if let Some(v) = ts.video.as_mut() {
            v.keyframe_interval = Duration::from_millis(1500);
        }
        let args = ffmpeg_args(&ts, &ports, 0, false).join(" ");
        assert!(args.contains("-f mpegts -i pipe:0") && args.contains("-g 45 ") && args.contains("n_forced*1.5)"), "{args}");
        assert!(args.contains("-probesize 65536 -analyzeduration 200000 -f mpegts"), "{args}");
    }

    #[test]
    fn raw_inputs_are_described_by_their_options() {
        let layer = VideoLayer { quality: crate::spec::Quality::Low, width: 320, height: 180, fps: 30.0, bitrate: 500_000 };
        let video = JobSpec {
            input: InputFormat::RawVideo { width: 1280, height: 720, fps: 30 },
            audio: None,
            video: Some(crate::spec::VideoOut { layers: vec![layer], keyframe_interval: Duration::from_secs(2) }),
            limits: JobLimits::default(),
        };
        let ports = [Ports { stream: Stream::Video(0), rtp: 5002, rtcp: 5003 }];
        let args = ffmpeg_args(&video, &ports, 0, false).join(" ");
        assert!(
            args.starts_with(
                "-hide_banner -nostdin -loglevel error -nostats -probesize 32 -analyzeduration 0 -f rawvideo -pix_fmt yuv420p -video_size 1280x720 -framerate 30 -i pipe:0 -map 0:v:0 -vf fps=30,scale=320:180:"
            ),
            "{args}"
        );
        assert!(args.contains("-c:v libx264") && args.contains("-payload_type 102") && !args.contains("0:a"), "{args}");

        let audio = JobSpec {
            input: InputFormat::RawAudio { sample_rate: 16_000, channels: 1 },
            audio: Some(AudioPreset::OPUS_STEREO_96KBPS.audio_out()),
            video: None,
            limits: JobLimits::default(),
        };
        let ports = [Ports { stream: Stream::Audio, rtp: 5000, rtcp: 5001 }];
        let args = ffmpeg_args(&audio, &ports, 0, false).join(" ");
        assert!(
            args.starts_with(
                "-hide_banner -nostdin -loglevel error -nostats -probesize 32 -analyzeduration 0 -f s16le -ar 16000 -ac 1 -i pipe:0 -map 0:a:0 -af aresample=48000:async=1 -c:a libopus -ar 48000 -ac 2"
            ),
            "{args}"
        );
        assert!(!args.contains("0:v"), "{args}");
    }
}
