//! Test helpers: make real media with ffmpeg, split it into frames (IVF, Annex B, Ogg),
//! packetize the frames into RTP payloads, and ask ffprobe/ffmpeg about the result.
//! Every external process runs under `timeout`.

#![allow(dead_code)]

use hikari_mux::{Codec, Packet, TrackRecorder};
use std::path::{Path, PathBuf};
use std::process::Command;

/// RTP payload budget, as a WebRTC sender would use.
pub const MTU: usize = 1200;

/// A fresh directory for one test.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hikari-mux-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// Runs `program args` under `timeout 60`; returns (success, stdout, stderr).
pub fn run(program: &str, args: &[&str]) -> (bool, String, String) {
    let out = Command::new("timeout").args(["-k", "5", "60", program]).args(args).output().expect("run timeout");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Encodes `seconds` of test media with ffmpeg into `dir/name`; `codec_args` pick the codec and format.
pub fn make_media(dir: &Path, name: &str, video: bool, seconds: u32, codec_args: &[&str]) -> Vec<u8> {
    let path = dir.join(name);
    let p = path.to_str().expect("utf-8 path");
    let t = seconds.to_string();
    let mut args = vec!["-v", "error", "-y", "-f", "lavfi", "-i"];
    args.push(if video { "testsrc=size=320x240:rate=30" } else { "sine=frequency=440:sample_rate=48000" });
    args.extend(["-t", &t]);
    args.extend(codec_args);
    args.push(p);
    let (ok, _, err) = run("ffmpeg", &args);
    assert!(ok, "ffmpeg failed: {err}");
    std::fs::read(&path).expect("read media")
}

/// The frames of an IVF file (32-byte header, then 12-byte frame headers).
pub fn ivf_frames(data: &[u8]) -> Vec<Vec<u8>> {
    assert_eq!(&data[..4], b"DKIF");
    let mut at = usize::from(u16::from_le_bytes([data[6], data[7]]));
    let mut frames = Vec::new();
    while at + 12 <= data.len() {
        let len = u32::from_le_bytes(data[at..at + 4].try_into().expect("4")) as usize;
        frames.push(data[at + 12..at + 12 + len].to_vec());
        at += 12 + len;
    }
    frames
}

/// The NAL units of an Annex B stream.
pub fn annex_b_nals(data: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= data.len() {
        if data[i..i + 3] == [0, 0, 1] {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut nals = Vec::new();
    for (k, &s) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).map_or(data.len(), |&n| n - 3);
        while end > s && data[end - 1] == 0 {
            end -= 1; // trailing zero of a 4-byte start code
        }
        nals.push(&data[s..end]);
    }
    nals
}

/// Groups NAL units into access units: a new one starts at an AUD/SPS/PPS/SEI after a
/// slice, or at a slice with first_mb_in_slice = 0.
pub fn access_units<'a>(nals: &[&'a [u8]]) -> Vec<Vec<&'a [u8]>> {
    let mut aus: Vec<Vec<&[u8]>> = Vec::new();
    let mut has_slice = false;
    for &nal in nals {
        let t = nal[0] & 0x1f;
        let slice = matches!(t, 1 | 5);
        let first_mb_zero = slice && nal.get(1).is_some_and(|b| b & 0x80 != 0);
        let new_au = aus.is_empty() || (has_slice && (matches!(t, 6..=9) || first_mb_zero));
        if new_au {
            aus.push(Vec::new());
            has_slice = false;
        }
        has_slice |= slice;
        aus.last_mut().expect("au").push(nal);
    }
    aus
}

/// The packets of an Ogg stream (lacing joined across pages), header packets included.
pub fn ogg_packets(data: &[u8]) -> Vec<Vec<u8>> {
    let mut packets = Vec::new();
    let mut cur = Vec::new();
    let mut at = 0;
    while at + 27 <= data.len() {
        assert_eq!(&data[at..at + 4], b"OggS");
        let n = usize::from(data[at + 26]);
        let lacing = &data[at + 27..at + 27 + n];
        let mut body = at + 27 + n;
        for &l in lacing {
            cur.extend_from_slice(&data[body..body + usize::from(l)]);
            body += usize::from(l);
            if l < 255 {
                packets.push(std::mem::take(&mut cur));
            }
        }
        at = body;
    }
    packets
}

/// An RTP packet as the test keeps it.
#[derive(Debug, Clone)]
pub struct Rtp {
    pub seq: u64,
    pub ts: u32,
    pub marker: bool,
    pub payload: Vec<u8>,
    /// Index of the frame it belongs to.
    pub frame: usize,
}

/// Numbers packets: sequence from `seq0`, timestamps `ts0 + frame * step` (wrapping).
fn number(payloads: Vec<(usize, bool, Vec<u8>)>, seq0: u64, ts0: u32, step: u32) -> Vec<Rtp> {
    payloads
        .into_iter()
        .enumerate()
        .map(|(k, (frame, marker, payload))| Rtp { seq: seq0 + k as u64, ts: ts0.wrapping_add(step.wrapping_mul(frame as u32)), marker, payload, frame })
        .collect()
}

/// VP8 frames → payloads (RFC 7741 with a 7-bit picture ID; S on the first packet).
pub fn packetize_vp8(frames: &[Vec<u8>], seq0: u64, ts0: u32) -> Vec<Rtp> {
    packetize_vp8_mtu(frames, seq0, ts0, MTU)
}

/// [`packetize_vp8`] with `mtu` bytes of VP8 data per packet.
pub fn packetize_vp8_mtu(frames: &[Vec<u8>], seq0: u64, ts0: u32, mtu: usize) -> Vec<Rtp> {
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let chunks: Vec<&[u8]> = f.chunks(mtu).collect();
        for (k, c) in chunks.iter().enumerate() {
            let mut p = vec![if k == 0 { 0x90 } else { 0x80 }, 0x80, (i & 0x7f) as u8];
            p.extend_from_slice(c);
            out.push((i, k + 1 == chunks.len(), p));
        }
    }
    number(out, seq0, ts0, 3000)
}

/// VP9 frames → payloads (non-flexible descriptor with a picture ID, B/E bits, and a
/// scalability structure with the size on keyframes).
pub fn packetize_vp9(frames: &[Vec<u8>], seq0: u64, ts0: u32, size: (u16, u16)) -> Vec<Rtp> {
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        let key = f[0] & 0x04 == 0; // frame_type bit for profile 0, show_existing 0
        let chunks: Vec<&[u8]> = f.chunks(MTU).collect();
        for (k, c) in chunks.iter().enumerate() {
            let (b, e) = (k == 0, k + 1 == chunks.len());
            let v = b && key;
            let mut p = vec![0x80 | if key { 0 } else { 0x40 } | u8::from(b) << 3 | u8::from(e) << 2 | u8::from(v) << 1, (i & 0x7f) as u8];
            if v {
                p.push(0x10); // one layer, Y
                p.extend_from_slice(&size.0.to_be_bytes());
                p.extend_from_slice(&size.1.to_be_bytes());
            }
            p.extend_from_slice(c);
            out.push((i, e, p));
        }
    }
    number(out, seq0, ts0, 3000)
}

/// H.264 access units → payloads: SPS+PPS in a STAP-A, small NAL units alone, large ones in FU-A.
pub fn packetize_h264(aus: &[Vec<&[u8]>], seq0: u64, ts0: u32) -> Vec<Rtp> {
    packetize_h264_mtu(aus, seq0, ts0, MTU)
}

/// [`packetize_h264`] with at most `mtu` bytes per payload.
pub fn packetize_h264_mtu(aus: &[Vec<&[u8]>], seq0: u64, ts0: u32, mtu: usize) -> Vec<Rtp> {
    let mut out = Vec::new();
    for (i, au) in aus.iter().enumerate() {
        let mut payloads: Vec<Vec<u8>> = Vec::new();
        let params: Vec<&&[u8]> = au.iter().filter(|n| matches!(n[0] & 0x1f, 7 | 8)).collect();
        if params.len() == 2 {
            let mut stap = vec![24 | (params[0][0] & 0x60)];
            for n in &params {
                stap.extend_from_slice(&(n.len() as u16).to_be_bytes());
                stap.extend_from_slice(n);
            }
            payloads.push(stap);
        }
        for nal in au.iter().filter(|n| params.len() != 2 || !matches!(n[0] & 0x1f, 7 | 8)) {
            if nal.len() <= mtu {
                payloads.push(nal.to_vec());
                continue;
            }
            let chunks: Vec<&[u8]> = nal[1..].chunks(mtu - 2).collect();
            for (k, c) in chunks.iter().enumerate() {
                let fu_header = nal[0] & 0x1f | if k == 0 { 0x80 } else { 0 } | if k + 1 == chunks.len() { 0x40 } else { 0 };
                let mut p = vec![nal[0] & 0xe0 | 28, fu_header];
                p.extend_from_slice(c);
                payloads.push(p);
            }
        }
        let n = payloads.len();
        out.extend(payloads.into_iter().enumerate().map(|(k, p)| (i, k + 1 == n, p)));
    }
    number(out, seq0, ts0, 3000)
}

/// Opus packets → payloads, 20 ms apart at 48 kHz.
pub fn packetize_opus(packets: &[Vec<u8>], seq0: u64, ts0: u32) -> Vec<Rtp> {
    number(packets.iter().enumerate().map(|(i, p)| (i, i == 0, p.clone())).collect(), seq0, ts0, 960)
}

/// Pushes packets into a recorder; every push must succeed.
pub fn feed<W: std::io::Write>(rec: &mut TrackRecorder<W>, packets: &[Rtp]) {
    for p in packets {
        rec.push(Packet { seq: p.seq, ts: p.ts, marker: p.marker, payload: &p.payload }).expect("push");
    }
}

/// A recorder writing into memory, seekable for the WebM Duration.
pub fn recorder(codec: Codec) -> TrackRecorder<std::io::Cursor<Vec<u8>>> {
    TrackRecorder::new(codec, std::io::Cursor::new(Vec::new()))
}

/// The value of `"key": value` in ffprobe's JSON (first occurrence), quotes removed.
pub fn json_field(json: &str, key: &str) -> Option<String> {
    let at = json.find(&format!("\"{key}\": "))? + key.len() + 4;
    let rest = &json[at..];
    let end = rest.find([',', '\n', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim().trim_matches('"').to_string())
}

/// What ffprobe says about a file.
#[derive(Debug)]
pub struct Probe {
    pub codec: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The container's duration, when it gives one.
    pub format_duration: Option<f64>,
    /// The end of the last packet (pts + duration).
    pub packets_end: f64,
    pub json: String,
}

/// Runs ffprobe on `path`.
pub fn probe(path: &Path) -> Probe {
    let p = path.to_str().expect("utf-8 path");
    let (ok, json, err) = run("ffprobe", &["-v", "error", "-show_entries", "stream=codec_name,width,height:format=duration", "-of", "json", p]);
    assert!(ok, "ffprobe failed on {p}: {err}");
    let (ok, csv, err) = run("ffprobe", &["-v", "error", "-select_streams", "0", "-show_entries", "packet=pts_time,duration_time", "-of", "csv=p=0", p]);
    assert!(ok, "ffprobe packets failed on {p}: {err}");
    let packets_end = csv
        .lines()
        .filter_map(|l| {
            let mut f = l.split(',').map(|v| v.trim().parse::<f64>().unwrap_or(0.0));
            Some(f.next()? + f.next().unwrap_or(0.0))
        })
        .fold(0.0, f64::max);
    Probe {
        codec: json_field(&json, "codec_name").unwrap_or_default(),
        width: json_field(&json, "width").and_then(|v| v.parse().ok()),
        height: json_field(&json, "height").and_then(|v| v.parse().ok()),
        format_duration: json_field(&json, "duration").and_then(|v| v.parse().ok()),
        packets_end,
        json,
    }
}

/// Decodes the whole file; returns ffmpeg's error output (empty when clean).
pub fn decode_errors(path: &Path) -> String {
    let (ok, _, err) = run("ffmpeg", &["-v", "error", "-i", path.to_str().expect("utf-8 path"), "-f", "null", "-"]);
    if ok { err } else { format!("ffmpeg failed: {err}") }
}

/// How many frames a decoder gets out of the file.
pub fn decoded_frames(path: &Path) -> u64 {
    let p = path.to_str().expect("utf-8 path");
    let (ok, out, err) =
        run("ffprobe", &["-v", "error", "-count_frames", "-select_streams", "0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", p]);
    assert!(ok, "ffprobe -count_frames failed: {err}");
    out.trim().trim_end_matches(',').parse().expect("frame count")
}
