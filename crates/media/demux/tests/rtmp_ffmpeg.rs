//! A real encoder publishing: ffmpeg (x264 with B-frames, AAC) over RTMP to a loopback
//! listener whose connection is driven by an `RtmpSession` on a thread, bounded by a
//! deadline. Needs /usr/bin/ffmpeg (installed on developer machines and in CI).

use std::io::{ErrorKind, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use hikari_demux::{Elementary, Limits, RtmpEvent, RtmpSession};

const FFMPEG: &str = "/usr/bin/ffmpeg";

/// What one publish produced.
struct Run {
    events: Vec<RtmpEvent>,
    ffmpeg_ok: bool,
    ffmpeg_stderr: String,
    error: Option<String>,
}

/// Runs ffmpeg publishing 3 s of testsrc + sine to `rtmp://127.0.0.1:PORT/x/<key>`
/// (`realtime`: with `-re`), accepting the publish or rejecting it with `reject`.
fn publish(key: &str, realtime: bool, reject: Option<&str>) -> Run {
    assert!(std::path::Path::new(FFMPEG).exists(), "{FFMPEG} is needed (apt-get install ffmpeg)");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("address").port();
    let mut args: Vec<String> = vec!["-hide_banner".into(), "-loglevel".into(), "error".into()];
    if realtime {
        args.push("-re".into());
    }
    let rest = "-f lavfi -i testsrc=size=320x240:rate=30 -f lavfi -i sine=frequency=440:sample_rate=48000 -t 3 \
                -c:v libx264 -preset veryfast -bf 2 -g 30 -pix_fmt yuv420p -c:a aac -b:a 64k -ar 48000 -f flv";
    args.extend(rest.split_whitespace().map(String::from));
    args.push(format!("rtmp://127.0.0.1:{port}/x/{key}"));
    let child = Command::new(FFMPEG).args(&args).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().expect("ffmpeg starts");
    let reject = reject.map(str::to_owned);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let r = drive(&listener, reject.as_deref());
        let _ = tx.send(r);
    });
    let (events, error) = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(r) => r,
        Err(_) => (Vec::new(), Some("the session did not end within 60 s".to_owned())),
    };
    // ffmpeg ends by itself once its connection is over; wait on a thread, bounded.
    let pid = child.id();
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = done_tx.send(child.wait_with_output());
    });
    let (status, stderr) = match done_rx.recv_timeout(Duration::from_secs(20)) {
        Ok(Ok(out)) => (Some(out.status), String::from_utf8_lossy(&out.stderr).into_owned()),
        _ => {
            let _ = Command::new("kill").arg(pid.to_string()).status();
            (None, String::from("ffmpeg did not exit within 20 s"))
        }
    };
    Run { events, ffmpeg_ok: status.is_some_and(|s| s.success()), ffmpeg_stderr: stderr, error }
}

/// Accepts one connection and drives a session until the peer closes it or it fails.
fn drive(listener: &TcpListener, reject: Option<&str>) -> (Vec<RtmpEvent>, Option<String>) {
    let (mut sock, _) = listener.accept().expect("ffmpeg connects");
    sock.set_read_timeout(Some(Duration::from_millis(100))).expect("timeout");
    let mut session = RtmpSession::new(Instant::now(), Limits::default());
    let mut events = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    let end = Instant::now() + Duration::from_secs(50);
    while Instant::now() < end {
        let n = match sock.read(&mut buf) {
            Ok(0) => return (events, None),
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => 0,
            Err(e) => return (events, Some(format!("read: {e}"))),
        };
        let now = Instant::now();
        let r = if n > 0 { session.receive(&buf[..n], now) } else { session.handle_timeout(now) };
        if let Err(e) = r {
            return (events, Some(e.to_string()));
        }
        while let Some(ev) = session.poll_event() {
            if let RtmpEvent::PublishRequested { .. } = ev {
                match reject {
                    Some(reason) => session.reject(reason),
                    None => session.accept(),
                }
            }
            events.push(ev);
        }
        if let Some(out) = session.poll_transmit() {
            sock.write_all(&out).expect("write to ffmpeg");
        }
        if session.is_closed() {
            return (events, None);
        }
    }
    (events, Some("deadline".into()))
}

fn check_stream(run: &Run) {
    assert!(run.error.is_none(), "session error: {:?}; ffmpeg said: {}", run.error, run.ffmpeg_stderr);
    assert!(run.ffmpeg_ok, "ffmpeg failed: {}", run.ffmpeg_stderr);
    let ev = &run.events;
    assert_eq!(ev.first(), Some(&RtmpEvent::PublishRequested { app: "x".into(), stream_key: "testkey".into() }));
    assert_eq!(ev.last(), Some(&RtmpEvent::Unpublished));
    let meta = ev.iter().find_map(|e| if let RtmpEvent::Metadata(m) = e { Some(m) } else { None }).expect("onMetaData");
    assert_eq!((meta.width, meta.height), (Some(320), Some(240)));
    assert!(meta.encoder.as_deref().is_some_and(|e| e.starts_with("Lavf")), "{meta:?}");
    let media: Vec<&Elementary> = ev.iter().filter_map(|e| if let RtmpEvent::Media(m) = e { Some(m) } else { None }).collect();
    let Some(Elementary::VideoConfig(v)) = media.iter().find(|m| matches!(m, Elementary::VideoConfig(_))) else { panic!("no video config") };
    assert_eq!((v.width, v.height, v.profile_idc), (320, 240, 100), "High profile 320x240");
    let Some(Elementary::AudioConfig(a)) = media.iter().find(|m| matches!(m, Elementary::AudioConfig(_))) else { panic!("no audio config") };
    assert_eq!((a.object_type, a.sample_rate, a.channels), (2, 48000, 1));
    let frames: Vec<_> = media.iter().filter_map(|m| if let Elementary::Video(f) = m { Some(f) } else { None }).collect();
    assert!((85..=92).contains(&frames.len()), "{} video frames", frames.len());
    assert!(frames.iter().any(|f| f.pts_ms > f.dts_ms), "B-frames reorder");
    assert!(frames.windows(2).all(|w| w[1].dts_ms >= w[0].dts_ms), "decode order");
    let keys: Vec<usize> = frames.iter().enumerate().filter(|(_, f)| f.keyframe).map(|(i, _)| i).collect();
    assert_eq!(keys.first(), Some(&0), "starts with a keyframe");
    assert!(keys.windows(2).all(|w| w[1] - w[0] <= 30) && (3..=6).contains(&keys.len()), "keyframes at {keys:?}");
    assert!(frames.iter().all(|f| !f.nalus.is_empty()));
    let audio = media.iter().filter(|m| matches!(m, Elementary::Audio(_))).count();
    assert!((130..=150).contains(&audio), "{audio} AAC frames for 3 s at 48 kHz");
}

#[test]
fn ffmpeg_publishes_h264_with_b_frames_and_aac_in_real_time() {
    check_stream(&publish("testkey", true, None));
}

#[test]
fn ffmpeg_flooding_without_re() {
    check_stream(&publish("testkey", false, None));
}

#[test]
fn ffmpeg_sees_a_rejected_key_and_fails() {
    let run = publish("wrongkey", true, Some("unknown stream key wron…"));
    assert!(run.error.is_none(), "{:?}", run.error);
    assert_eq!(run.events, vec![RtmpEvent::PublishRequested { app: "x".into(), stream_key: "wrongkey".into() }]);
    assert!(!run.ffmpeg_ok, "ffmpeg exits non-zero");
    assert!(run.ffmpeg_stderr.contains("unknown stream key"), "ffmpeg says why: {}", run.ffmpeg_stderr);
}
