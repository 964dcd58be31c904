//! The ffmpeg command line of a decode job (pure, so the tests read it), tuned for latency:
//! a picture leaves ffmpeg as soon as its frame is in.
//!
//! What held pictures back, measured with ffmpeg 5.1 on two cores (VP8, VP9 and H.264
//! 640x360 fed frame by frame, scaled to 320x180): the default probe (5 MB or 5 s: all of a
//! one-second H.264 input), the decoder's frame threads (`-threads` auto: two frames) and
//! the rawvideo encoder's own frame threads (one more), so a 32-byte probe and `-threads 1`
//! on both sides; for H.264, the parser waits for the next access unit's start (one frame;
//! see [`crate::H264_ACCESS_UNIT_DELIMITER`]). The small probe still finds the stream: the
//! format is named and the first frame gives the size. No `-fflags nobuffer`: it would throw
//! away what the probe read, the first keyframe with it. Left, measured by the test
//! `pictures_come_out_as_their_frames_go_in` (a frame written only once the previous
//! picture was read): about 1 ms from writing a frame to reading its picture, 6 ms at most
//! (after ffmpeg's start, 100 to 200 ms).

use crate::decode_spec::{DecodeInput, DecodeOutput, DecodeSpec};

/// The arguments after the program name.
pub fn decode_args(spec: &DecodeSpec) -> Vec<String> {
    let mut a: Vec<String> = Vec::with_capacity(40);
    let mut push = |items: &[&str]| a.extend(items.iter().map(|s| (*s).to_owned()));
    push(&["-hide_banner", "-nostdin", "-loglevel", "error", "-nostats", "-probesize", "32", "-analyzeduration", "0", "-threads", "1"]);
    match spec.input {
        DecodeInput::Ivf => push(&["-f", "ivf"]),
        // WebRTC's H.264 has no B-frames: pictures go out as decoded even when the SPS does
        // not bound the reordering (libwebrtc senders add the bound; others may not).
        DecodeInput::H264AnnexB => push(&["-flags", "low_delay", "-f", "h264"]),
        DecodeInput::OggOpus => push(&["-f", "ogg"]),
    }
    push(&["-i", "pipe:0"]);
    match spec.output {
        DecodeOutput::Video { width, height, pad } => {
            let [r, g, b] = pad;
            // Scaled into the box with the aspect kept, centred and padded: a source that
            // changes size mid-stream (ffmpeg rebuilds the filters) still comes out at W x H.
            let filter = format!(
                "scale={width}:{height}:force_original_aspect_ratio=decrease:force_divisible_by=2,pad={width}:{height}:-1:-1:color=0x{r:02X}{g:02X}{b:02X},setsar=1,format=yuv420p"
            );
            push(&["-map", "0:v:0", "-vf", &filter, "-fps_mode", "passthrough", "-c:v", "rawvideo", "-threads", "1", "-flush_packets", "1", "-f", "rawvideo"]);
        }
        DecodeOutput::Audio { sample_rate, channels, .. } => {
            let (rate, channels) = (sample_rate.to_string(), channels.to_string());
            push(&["-map", "0:a:0", "-c:a", "pcm_s16le", "-ar", &rate, "-ac", &channels, "-flush_packets", "1", "-f", "s16le"]);
        }
    }
    push(&["pipe:1"]);
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_video_decode_scales_pads_and_writes_raw_pictures() {
        let spec = DecodeSpec { input: DecodeInput::Ivf, output: DecodeOutput::Video { width: 320, height: 240, pad: [0x20, 0x60, 0xc0] }, input_queue: 8 };
        let args = decode_args(&spec).join(" ");
        assert_eq!(
            args,
            "-hide_banner -nostdin -loglevel error -nostats -probesize 32 -analyzeduration 0 -threads 1 -f ivf -i pipe:0 -map 0:v:0 \
             -vf scale=320:240:force_original_aspect_ratio=decrease:force_divisible_by=2,pad=320:240:-1:-1:color=0x2060C0,setsar=1,format=yuv420p \
             -fps_mode passthrough -c:v rawvideo -threads 1 -flush_packets 1 -f rawvideo pipe:1"
        );
        let h264 = decode_args(&DecodeSpec { input: DecodeInput::H264AnnexB, ..spec }).join(" ");
        assert!(h264.contains("-threads 1 -flags low_delay -f h264 -i pipe:0"), "{h264}");
    }

    #[test]
    fn an_audio_decode_writes_s16le() {
        let spec =
            DecodeSpec { input: DecodeInput::OggOpus, output: DecodeOutput::Audio { sample_rate: 48_000, channels: 2, chunk_samples: 480 }, input_queue: 8 };
        let args = decode_args(&spec).join(" ");
        assert!(
            args.contains("-analyzeduration 0 -threads 1 -f ogg -i pipe:0 -map 0:a:0 -c:a pcm_s16le -ar 48000 -ac 2 -flush_packets 1 -f s16le pipe:1"),
            "{args}"
        );
        assert!(!args.contains("low_delay") && !args.contains("-vf"), "{args}");
    }
}
