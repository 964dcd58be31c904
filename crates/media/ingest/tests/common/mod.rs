//! The harness of the ingest tests: a recording router standing in for the media thread
//! (the real one is in the server's end-to-end suite), a directory of ingresses that
//! records their reports, and bounded waits on both.

#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hikari_codec::preset::{AudioPreset, VideoPreset};
use hikari_ingest::{Directory, InputKind, Report, Target};
use hikari_media_io::MediaError;
use hikari_sfu::{AdminRequest, AdminResponse, Command, ConnId, Join, SignalMode, SignalOut, SourcePacket};
use hikari_signal::Router;
use hikari_types::{ClientSignal, ServerSignal, TrackInfo};
use tokio::sync::mpsc;

/// A router that records joins and commands, answering an internal join with its tracks.
#[derive(Clone, Default)]
pub struct Recorder {
    pub joins: Arc<Mutex<Vec<Join>>>,
    pub commands: Arc<Mutex<Vec<Command>>>,
    /// The outbox of each join, kept for as long as the router lives (tests send on them).
    pub outboxes: Arc<Mutex<Vec<mpsc::Sender<SignalOut>>>>,
    next: Arc<std::sync::atomic::AtomicU64>,
}

/// The answer the recorder gives a single-PeerConnection join (a WHIP offer).
pub const ANSWER: &str = "v=0\r\na=ice-lite\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=ice-ufrag:srv1\r\na=ice-pwd:serverpassword\r\na=candidate:1 1 udp 1 10.77.0.1 7882 typ host\r\n";

impl Router for Recorder {
    fn next_conn(&self) -> ConnId {
        ConnId(self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }

    fn join(&self, join: Join, outbox: mpsc::Sender<SignalOut>) -> Result<(), MediaError> {
        // What the SFU answers an internal join with: its tracks, published.
        if let SignalMode::Internal { tracks } = &join.mode {
            for (i, t) in tracks.iter().enumerate() {
                let track = TrackInfo { sid: format!("TR_{i}").as_str().into(), kind: t.kind, ..TrackInfo::default() };
                let _ = outbox.try_send(SignalOut::Signal(ServerSignal::TrackPublished { cid: t.cid.clone(), track }));
            }
        }
        // And a single-PeerConnection join (WHIP) with the room, then the answer.
        if let SignalMode::Single { offer: Some(offer), .. } = &join.mode {
            let mut info = hikari_types::JoinInfo::default();
            info.participant.sid = format!("PA_{}", join.conn.0).as_str().into();
            info.room.sid = "RM_1".into();
            let _ = outbox.try_send(SignalOut::Signal(ServerSignal::Join(Box::new(info))));
            let answer = hikari_types::Sdp { kind: hikari_types::SdpKind::Answer, sdp: ANSWER.into(), id: offer.id, mid_to_track: Default::default() };
            let _ = outbox.try_send(SignalOut::Signal(ServerSignal::Answer(answer)));
        }
        self.joins.lock().expect("lock").push(join);
        // The outbox lives as long as the test's router: the session keeps its receiver.
        self.outboxes.lock().expect("lock").push(outbox);
        Ok(())
    }

    fn command(&self, command: Command) -> Result<(), MediaError> {
        self.commands.lock().expect("lock").push(command);
        Ok(())
    }

    async fn admin(&self, _request: AdminRequest) -> Result<AdminResponse, MediaError> {
        Err(MediaError::Unavailable("no admin here"))
    }
}

/// Ingresses by stream key, for one input; records the reports.
pub struct Dir {
    pub input: InputKind,
    pub targets: HashMap<String, Target>,
    pub reports: Mutex<Vec<(String, Report)>>,
}

impl Dir {
    /// A directory of the ingresses `(stream key, target)` taking `input`.
    pub fn new(input: InputKind, targets: impl IntoIterator<Item = (&'static str, Target)>) -> Self {
        Self { input, targets: targets.into_iter().map(|(k, t)| (k.to_owned(), t)).collect(), reports: Mutex::default() }
    }

    /// The reports of one ingress so far.
    pub fn reports_of(&self, id: &str) -> Vec<Report> {
        self.reports.lock().expect("lock").iter().filter(|(i, _)| i == id).map(|(_, r)| r.clone()).collect()
    }
}

impl Directory for Dir {
    async fn find(&self, stream_key: &str, input: InputKind) -> Option<Target> {
        assert_eq!(input, self.input);
        self.targets.get(stream_key).cloned()
    }

    async fn report(&self, ingress_id: &str, report: Report) {
        self.reports.lock().expect("lock").push((ingress_id.to_owned(), report));
    }
}

/// An ingress into the room `webinar` as `obs`, with LiveKit's default presets.
pub fn target(id: &str, transcode: Option<bool>) -> Target {
    Target {
        ingress_id: id.into(),
        room: "webinar".into(),
        identity: "obs".into(),
        name: "OBS".into(),
        metadata: String::new(),
        transcode,
        video: VideoPreset::H264_720P_30FPS_3_LAYERS.video_out(),
        audio: AudioPreset::OPUS_STEREO_96KBPS.audio_out(),
    }
}

/// Logs to the test's output (once per test binary).
pub fn trace() {
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("debug,srt_protocol=info").try_init();
}

/// Runs ffmpeg with `args` (no stdin, at most 30 s); returns whether it exited 0.
pub async fn ffmpeg<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> bool {
    let run = tokio::process::Command::new("/usr/bin/ffmpeg").args(args).stdin(std::process::Stdio::null()).kill_on_drop(true).status();
    let status = tokio::time::timeout(Duration::from_secs(30), run).await.expect("ffmpeg finishes").expect("ffmpeg runs");
    status.success()
}

/// The arguments of 3 s of 320x240 test video and a 440 Hz tone, H.264 with `x264` options
/// and AAC; the output format and URL follow.
pub fn test_media<'a>(x264: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["-nostdin", "-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "testsrc=size=320x240:rate=30", "-f", "lavfi"];
    args.extend(["-i", "sine=frequency=440:sample_rate=48000", "-t", "3", "-c:v", "libx264", "-preset", "veryfast", "-g", "30", "-pix_fmt", "yuv420p"]);
    args.extend(x264);
    args.extend(["-c:a", "aac", "-b:a", "64k"]);
    args
}

/// Waits (bounded) until the ingress reports its end: `Some("")` for a clean end, the
/// error otherwise, `None` if it never ended.
pub async fn ended(dir: &Dir, id: &str) -> Option<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Some(error) = dir.reports.lock().expect("lock").iter().find_map(|(i, r)| match r {
            Report::Ended { error } if i == id => Some(error.clone()),
            _ => None,
        }) {
            return error.or(Some(String::new()));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// (track, layer) → packets, and whether a leave was sent.
pub fn media(router: &Recorder) -> (HashMap<(u8, u8), Vec<SourcePacket>>, bool) {
    let mut by = HashMap::<(u8, u8), Vec<_>>::new();
    let mut left = false;
    for c in router.commands.lock().expect("lock").iter() {
        match c {
            Command::SourceMedia { track, layer, packets, .. } => by.entry((*track, *layer)).or_default().extend(packets.iter().cloned()),
            Command::Signal { signal: ClientSignal::Leave { .. }, .. } => left = true,
            _ => {}
        }
    }
    (by, left)
}

/// Checks what RTMP and SRT publishing of [`test_media`] with `-bf 0` both give: one
/// internal join with a 320x240 H.264 track passed through and an Opus track, about 90
/// frames and 3 s of 20 ms Opus packets, a leave, and Buffering then Publishing reports.
pub fn assert_passthrough(router: &Recorder, dir: &Dir, id: &str) {
    let joins = router.joins.lock().expect("lock").clone();
    assert_eq!(joins.len(), 1);
    let SignalMode::Internal { tracks } = &joins[0].mode else { panic!("an internal join") };
    let kinds: Vec<_> = tracks.iter().map(|t| (t.cid.as_str(), t.codecs[0].as_str(), t.width, t.height, t.layers.len())).collect();
    assert_eq!(kinds, vec![("video", "video/H264", 320, 240, 1), ("audio", "audio/opus", 0, 0, 0)]);
    assert_eq!(joins[0].grant.kind, hikari_types::ParticipantKind::Ingress);
    let (by, left) = media(router);
    let video = &by[&(0, 0)];
    let frames = video.iter().filter(|p| p.marker).count();
    assert!((80..=92).contains(&frames), "about 90 frames passed through: {frames}");
    assert!(hikari_codec::h264::starts_keyframe(&video[0].payload), "the first packet starts a keyframe");
    assert!(video.windows(2).all(|p| p[1].seq == p[0].seq + 1), "consecutive sequence numbers");
    let audio = &by[&(1, 0)];
    assert!((120..=160).contains(&audio.len()), "about 3 s of 20 ms Opus packets: {}", audio.len());
    assert!(audio.windows(2).all(|p| p[1].ts.wrapping_sub(p[0].ts) == 960), "Opus timestamps 960 apart");
    assert!(left, "the publisher leaves the room when the encoder stops");
    let reports = dir.reports_of(id);
    assert!(matches!(reports.first(), Some(Report::Buffering)), "{reports:?}");
    let publishing = reports.iter().find_map(|r| match r {
        Report::Publishing { tracks, video, .. } => Some((tracks.len(), video.as_ref().map(|v| (v.width, v.height)))),
        _ => None,
    });
    assert_eq!(publishing, Some((2, Some((320, 240)))));
}
