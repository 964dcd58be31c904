//! The RTMP destinations of one egress. The job's thread hands every CMAF fragment it makes
//! to [`Restream::part`]; each destination has a task on the runtime that runs one push job
//! ([`hikari_codec::Push`]: ffmpeg, fragmented MP4 in, FLV out) at a time, starting it at a
//! keyframe after the init segment. A destination that drops is retried with backoff and
//! never pushed to twice at once (no second broadcast at the service); after
//! [`GIVE_UP`] without a connection it fails. Destinations never affect each other or the
//! job: a full queue skips fragments up to the next keyframe.
//!
//! Stream keys live only here, in memory: every URL and error that leaves (the registry,
//! webhooks, logs) goes through [`hikari_egress::stream`]'s redaction first.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hikari_codec::{Push, PushEvent, PushSpec, PushTarget};
use hikari_egress::stream::{names, redact, scrub};
use hikari_egress::{EgressId, Registry, StreamResult, StreamStatus};
use tokio::sync::{mpsc, watch};

use crate::feed::Feed;

/// Fragments queued per destination (about 20 s of 333 ms parts).
const QUEUE: usize = 64;
/// The first wait before a reconnection, doubled each time up to [`BACKOFF_MAX`].
const BACKOFF_MIN: Duration = Duration::from_secs(1);
const BACKOFF_MAX: Duration = Duration::from_secs(30);
/// A connection that lasted this long resets the backoff.
const STABLE: Duration = Duration::from_secs(30);
/// Without a connection for this long, a destination fails.
pub(crate) const GIVE_UP: Duration = Duration::from_secs(600);
/// A connection whose output does not advance for this long is dropped and retried.
const STALL: Duration = Duration::from_secs(20);
/// How long a finishing push may take to flush and close.
const CLOSE_GRACE: Duration = Duration::from_secs(10);

/// One destination.
struct Dest {
    /// Which one (a URL removed and added again is another).
    key: u64,
    /// Whole, with its key: never leaves this module but to ffmpeg.
    url: String,
    result: StreamResult,
    /// ffmpeg's stdin while a push runs.
    feed: Option<Feed>,
    stop: watch::Sender<bool>,
    /// Removed by UpdateStream or finished: no longer a destination.
    gone: bool,
}

#[derive(Default)]
struct State {
    init: Option<Bytes>,
    dests: Vec<Dest>,
    next_key: u64,
}

/// The destinations of one egress.
pub(crate) struct Restream {
    id: EgressId,
    ffmpeg: PathBuf,
    video: bool,
    audio: bool,
    /// The egress also writes HLS: it goes on when every destination is gone.
    has_segments: bool,
    registry: Arc<Registry>,
    now_nanos: fn() -> i64,
    state: Mutex<State>,
    /// Orders reports, so the last one stored is the newest.
    report: tokio::sync::Mutex<()>,
    tasks: Mutex<Vec<tokio::task::JoinHandle<()>>>,
}

/// What the runtime needs to make a [`Restream`].
pub(crate) struct RestreamConfig {
    pub(crate) id: EgressId,
    pub(crate) ffmpeg: PathBuf,
    pub(crate) video: bool,
    pub(crate) audio: bool,
    pub(crate) has_segments: bool,
    pub(crate) registry: Arc<Registry>,
    pub(crate) now_nanos: fn() -> i64,
}

impl Restream {
    pub(crate) fn new(c: RestreamConfig) -> Arc<Self> {
        Arc::new(Self {
            id: c.id,
            ffmpeg: c.ffmpeg,
            video: c.video,
            audio: c.audio,
            has_segments: c.has_segments,
            registry: c.registry,
            now_nanos: c.now_nanos,
            state: Mutex::default(),
            report: tokio::sync::Mutex::new(()),
            tasks: Mutex::default(),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts pushing to `url` (checked by the caller). Needs the runtime.
    pub(crate) fn add(self: &Arc<Self>, url: String) {
        let (stop, stop_rx) = watch::channel(false);
        let result = StreamResult { url: redact(&url), ..Default::default() };
        let key = {
            let mut s = self.lock();
            s.next_key += 1;
            let key = s.next_key;
            s.dests.push(Dest { key, url: url.clone(), result, feed: None, stop, gone: false });
            key
        };
        let task = tokio::spawn(self.clone().run(key, url, stop_rx));
        if let Ok(mut t) = self.tasks.lock() {
            t.push(task);
        }
    }

    /// Whether `url` (whole or redacted) names a live destination.
    pub(crate) fn has(&self, url: &str) -> bool {
        self.lock().dests.iter().any(|d| !d.gone && names(url, &d.url))
    }

    /// How many destinations are live (not removed or ended).
    pub(crate) fn live_count(&self) -> usize {
        self.lock().dests.iter().filter(|d| !d.gone).count()
    }

    pub(crate) fn has_segments(&self) -> bool {
        self.has_segments
    }

    /// Ends the destination `url` names (it becomes finished).
    pub(crate) fn remove(&self, url: &str) {
        let mut s = self.lock();
        for d in s.dests.iter_mut().filter(|d| !d.gone && names(url, &d.url)) {
            d.gone = true;
            let _ = d.stop.send(true);
        }
    }

    /// The init segment (before any part).
    pub(crate) fn init(&self, data: Bytes) {
        self.lock().init = Some(data);
    }

    /// One CMAF fragment, to every connected destination that can take it.
    pub(crate) fn part(&self, data: &Bytes, independent: bool) {
        let mut s = self.lock();
        let State { init, dests, .. } = &mut *s;
        let Some(init) = init.as_ref() else { return };
        for feed in dests.iter_mut().filter_map(|d| d.feed.as_mut()) {
            feed.offer(init, data, independent);
        }
    }

    /// Whether every destination has failed (nothing more will reach any).
    pub(crate) fn all_failed(&self) -> bool {
        let s = self.lock();
        !s.dests.is_empty() && s.dests.iter().all(|d| d.result.status == StreamStatus::Failed)
    }

    /// Whether some destination was connected at some time.
    pub(crate) fn any_started(&self) -> bool {
        self.lock().dests.iter().any(|d| d.result.started_at > 0)
    }

    /// The failed destinations' errors, joined.
    pub(crate) fn errors(&self) -> String {
        let s = self.lock();
        let each = s.dests.iter().filter(|d| d.result.status == StreamStatus::Failed).map(|d| format!("{}: {}", d.result.url, d.result.error));
        each.collect::<Vec<_>>().join("; ")
    }

    /// Ends every destination (the egress ends) and waits for them to close, at most
    /// [`CLOSE_GRACE`] and a little.
    pub(crate) async fn finish(&self) {
        for d in self.lock().dests.iter_mut() {
            d.gone = true;
            let _ = d.stop.send(true);
        }
        let tasks: Vec<_> = self.tasks.lock().map(|mut t| t.drain(..).collect()).unwrap_or_default();
        for t in tasks {
            let _ = tokio::time::timeout(CLOSE_GRACE + Duration::from_secs(2), t).await;
        }
    }

    /// Stores and tells every destination's state.
    pub(crate) async fn report(&self) -> Option<hikari_egress::Egress> {
        let _order = self.report.lock().await;
        let (results, urls) = {
            let s = self.lock();
            (s.dests.iter().map(|d| d.result.clone()).collect(), s.dests.iter().filter(|d| !d.gone).map(|d| d.result.url.clone()).collect())
        };
        match self.registry.streams(&self.id, results, Some(urls), (self.now_nanos)()).await {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(egress = %self.id, error = %e, "cannot record the streams' state");
                None
            }
        }
    }

    fn update(&self, key: u64, f: impl FnOnce(&mut Dest)) {
        if let Some(d) = self.lock().dests.iter_mut().find(|d| d.key == key) {
            f(d);
        }
    }

    /// One destination's life: push, and on a drop wait and push again, until it is removed,
    /// the egress ends, or it has been down for [`GIVE_UP`].
    async fn run(self: Arc<Self>, key: u64, url: String, mut stop: watch::Receiver<bool>) {
        let shown = redact(&url);
        let spec = PushSpec { target: PushTarget::Rtmp(url.clone()), video: self.video, audio: self.audio, queue: QUEUE };
        let mut backoff = BACKOFF_MIN;
        let mut down_since = Instant::now();
        let failed = loop {
            if *stop.borrow() {
                break false;
            }
            let why = match Push::start(&spec, &self.ffmpeg).await {
                Err(e) => {
                    // No ffmpeg to run: retrying would not help.
                    let why = e.to_string();
                    self.update(key, |d| d.result.error = why.clone());
                    break true;
                }
                Ok((push, events)) => {
                    let (why, live_for) = self.push(key, push, events, &mut stop).await;
                    if live_for >= STABLE {
                        backoff = BACKOFF_MIN;
                    }
                    if live_for > Duration::ZERO {
                        down_since = Instant::now();
                    }
                    match why {
                        None => break false,
                        Some(why) => scrub(&why, &url),
                    }
                }
            };
            tracing::warn!(egress = %self.id, url = %shown, error = %why, retry_in = ?backoff, "a stream destination dropped");
            self.update(key, |d| d.result.error = why);
            self.report().await;
            if down_since.elapsed() >= GIVE_UP {
                break true;
            }
            tokio::select! {
                _ = tokio::time::sleep(backoff) => {}
                _ = stop.changed() => break false,
            }
            backoff = (backoff * 2).min(BACKOFF_MAX);
            let now = (self.now_nanos)();
            self.update(key, |d| {
                d.result.retries += 1;
                d.result.last_retry_at = now;
            });
            self.report().await;
        };
        let now = (self.now_nanos)();
        self.update(key, |d| {
            d.gone = true;
            d.feed = None;
            d.result.status = if failed { StreamStatus::Failed } else { StreamStatus::Finished };
            if !failed {
                d.result.error.clear();
            }
            d.result.ended_at = now;
            if d.result.started_at > 0 {
                d.result.duration = now - d.result.started_at;
            }
        });
        tracing::info!(egress = %self.id, url = %shown, failed, "a stream destination ended");
        self.report().await;
    }

    /// Runs one push until it ends: `None` when it was stopped (and closed cleanly), else why
    /// it ended; and how long it was live.
    async fn push(&self, key: u64, mut push: Push, mut events: mpsc::Receiver<PushEvent>, stop: &mut watch::Receiver<bool>) -> (Option<String>, Duration) {
        self.update(key, |d| d.feed = push.input().map(Feed::new));
        let mut live_at: Option<Instant> = None;
        let (mut last_time, mut last_move) = (0i64, Instant::now());
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        let why = loop {
            tokio::select! {
                ev = events.recv() => match ev {
                    Some(PushEvent::Progress { out_time_us, bytes }) => {
                        if out_time_us > last_time {
                            (last_time, last_move) = (out_time_us, Instant::now());
                        }
                        if live_at.is_none() && (bytes > 0 || out_time_us > 0) {
                            live_at = Some(Instant::now());
                            let now = (self.now_nanos)();
                            self.update(key, |d| {
                                if d.result.started_at == 0 {
                                    d.result.started_at = now;
                                }
                                d.result.error.clear();
                            });
                            self.report().await;
                        }
                    }
                    Some(PushEvent::Ended(Ok(()))) | None => break Some("the destination closed the connection".to_owned()),
                    Some(PushEvent::Ended(Err(e))) => break Some(e.to_string()),
                },
                _ = stop.changed() => {
                    self.update(key, |d| d.feed = None);
                    push.close_input();
                    let _ = tokio::time::timeout(CLOSE_GRACE, async { while let Some(ev) = events.recv().await { if matches!(ev, PushEvent::Ended(_)) { break } } }).await;
                    break None;
                }
                _ = tick.tick() => {
                    if live_at.is_some() && last_move.elapsed() >= STALL {
                        break Some(format!("no media reached the destination for {} s", STALL.as_secs()));
                    }
                }
            }
        };
        self.update(key, |d| d.feed = None);
        (why, live_at.map_or(Duration::ZERO, |t| t.elapsed()))
    }
}

#[cfg(test)]
mod tests {
    use hikari_egress::{CompositeOutputs, EgressSource, EgressStatus, SqliteEgressStore};

    use super::*;

    fn now() -> i64 {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(1, |d| i64::try_from(d.as_nanos()).unwrap_or(1))
    }

    /// A destination that refuses the connection is retried and reported, its key never in
    /// the record; the one beside it is untouched; the end finishes both.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_refusing_destination_is_retried_and_its_key_never_stored() {
        if std::process::Command::new("ffmpeg").arg("-version").output().is_err() {
            return; // the server-SDK suite runs the real thing
        }
        let registry = Arc::new(Registry::new(Arc::new(SqliteEgressStore::in_memory().await.expect("store")), Arc::new(|_| {})));
        let outputs = CompositeOutputs { stream_urls: vec!["rtmp://127.0.0.1:1/live/{se…y1}".into()], ..Default::default() };
        let source = EgressSource::Participant { identity: "p".into(), screen_share: false, outputs };
        let egress = registry.start("r".into(), source, "RM_1".into(), 1).await.expect("start");
        let cfg = RestreamConfig {
            id: egress.id.clone(),
            ffmpeg: "ffmpeg".into(),
            video: false,
            audio: true,
            has_segments: false,
            registry: registry.clone(),
            now_nanos: now,
        };
        let r = Restream::new(cfg);
        // Port 1 on loopback: nothing listens, the connection is refused.
        r.add("rtmp://127.0.0.1:1/live/secret-key-number-1".into());
        // A second destination that is removed at once: it finishes, never retried.
        r.add("rtmp://127.0.0.1:1/other/secret-key-number-2".into());
        assert!(r.has("rtmp://127.0.0.1:1/other/{se…-2}"), "named by its redacted form");
        r.remove("rtmp://127.0.0.1:1/other/{se…-2}");
        // ffmpeg opens its output once media comes: 20 ms Opus packets, packaged as the job does.
        let feeder = r.clone();
        let feeding = tokio::spawn(async move {
            let config = hikari_mux::hls::HlsConfig::default();
            let mut packager = hikari_mux::hls::HlsPackager::new(config, false, Some((2, 0))).expect("packager");
            let mut tick = tokio::time::interval(Duration::from_millis(20));
            for k in 0..2_000u64 {
                tick.tick().await;
                let frame = hikari_mux::Frame { ts: 0, keyframe: true, size: None, data: &[0xfc, 0xff, 0xfe] };
                packager.audio(k * 960, frame).expect("audio");
                while let Some(event) = packager.poll() {
                    match event {
                        hikari_mux::hls::HlsEvent::Init(data) => feeder.init(data.into()),
                        hikari_mux::hls::HlsEvent::Part { data, independent, .. } => feeder.part(&data.into(), independent),
                        _ => {}
                    }
                }
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        let retried = loop {
            let e = registry.get(&egress.id).await.expect("get");
            if e.streams.first().is_some_and(|s| s.retries >= 1 && !s.error.is_empty()) {
                break e;
            }
            assert!(Instant::now() < deadline, "no retry reported: {e:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        let text = format!("{retried:?}");
        assert!(!text.contains("secret-key"), "{text}");
        assert_eq!(retried.status, EgressStatus::Starting, "never connected");
        assert_eq!(retried.streams[0].url, "rtmp://127.0.0.1:1/live/{se…-1}");
        assert_eq!(retried.streams[0].status, StreamStatus::Active, "still being retried");
        feeding.abort();
        r.finish().await;
        let e = r.report().await.expect("reported");
        assert!(e.streams.iter().all(|s| s.status == StreamStatus::Finished && s.ended_at > 0), "{:?}", e.streams);
        assert!(!r.any_started() && !r.all_failed());
        let EgressSource::Participant { outputs, .. } = e.source else { panic!("participant") };
        assert!(outputs.stream_urls.is_empty(), "no destination left: {:?}", outputs.stream_urls);
    }
}
