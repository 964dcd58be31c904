//! The media engine: every client PeerConnection (a str0m `Rtc` in RTP mode) on one thread.
//!
//! Signaling adapters (LiveKit, Janus) never touch an `Rtc` themselves: they send closures
//! to this thread ([`Engine::call`]) that create peers, make or accept offers and add
//! candidates. The thread waits with mio on every peer's UDP socket and a waker, feeds
//! datagrams and due timeouts (a deadline heap, so only due peers are touched), paces the
//! synthetic publishers and counts what subscribers receive.
//!
//! Each PeerConnection has its own local UDP port: once SRTP flows the 5-tuple is the only
//! demultiplexing key a server has (LiveKit-style servers use one server port for all), so
//! client PCs sharing a port would be indistinguishable to it. All sockets share one thread.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::io::ErrorKind;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use mio::net::UdpSocket;
use mio::{Events, Interest, Poll, Token, Waker};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, MediaKind, Mid, Pt, Rid, Simulcast, SimulcastLayer};
use str0m::net::{Protocol, Receive};
use str0m::rtp::{RtpWrite, Ssrc};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};

use crate::stats::{Histogram, Totals};

const WAKER: Token = Token(usize::MAX);
/// Largest RTP payload the synthetic publisher puts in one packet.
const MAX_PAYLOAD: usize = 1100;
/// Bytes of the trailer at the end of every payload: magic, publisher, kind, layer, send time.
pub const TRAILER: usize = 16;
const MAGIC: [u8; 4] = *b"HKLG";
/// A keyframe every this many video frames (3 s at 30 fps, like LiveKit's load test).
const GOP_FRAMES: u64 = 90;
const FPS: u64 = 30;

/// One simulcast layer the synthetic publisher sends.
#[derive(Clone, Debug)]
pub struct LayerSpec {
    /// The rid (`q`, `h`, `f`).
    pub rid: &'static str,
    /// Average bits per second.
    pub bitrate: u32,
}

/// What a publisher sends.
#[derive(Clone, Debug)]
pub struct PublishSpec {
    /// Video layers; empty for none. One layer means no simulcast.
    pub layers: Vec<LayerSpec>,
    /// Whether an Opus track is sent (20 ms packets).
    pub audio: bool,
    /// Bytes of each Opus payload.
    pub audio_bytes: usize,
    /// The msid track id of the video (LiveKit: the `cid` of `add_track`).
    pub video_track_id: String,
    /// The msid track id of the audio.
    pub audio_track_id: String,
}

struct LayerSend {
    rid: Option<Rid>,
    frame_bytes: usize,
    seq: u64,
    picture_id: u16,
}

struct PubState {
    id: u16,
    video: Option<(Mid, Pt, Vec<LayerSend>)>,
    audio: Option<(Mid, Pt, u64, usize)>,
    next_video: Instant,
    next_audio: Instant,
    frame_no: u64,
    audio_no: u64,
    force_key: bool,
}

#[derive(Default)]
struct StreamCount {
    base: Option<u64>,
    max: u64,
    count: u64,
    /// The last extended sequence number seen on the wire (header-counted peers only).
    last_ext: u64,
}

impl StreamCount {
    /// Counts one packet with extended sequence number `seq`.
    fn record(&mut self, seq: u64) {
        if self.base.is_none() {
            self.base = Some(seq.saturating_sub(1));
            self.max = seq;
        }
        self.max = self.max.max(seq);
        self.count += 1;
    }

    /// Counts one packet by its 16-bit wire sequence number, extending it across wraps.
    fn record_wire(&mut self, seq: u16) {
        let ext = if self.base.is_none() {
            // Start far from zero so a reordered earlier packet cannot underflow.
            (1 << 32) + u64::from(seq)
        } else {
            let delta = seq.wrapping_sub(self.last_ext as u16) as i16;
            self.last_ext.wrapping_add_signed(i64::from(delta))
        };
        if self.base.is_none() || ext > self.last_ext {
            self.last_ext = ext;
        }
        self.record(ext);
    }
}

struct Peer {
    rtc: Rtc,
    sock: UdpSocket,
    local: SocketAddr,
    /// The deadline queued in the heap for this peer, if any.
    deadline: Option<Instant>,
    started: Instant,
    connected: Option<Instant>,
    first_media: Option<Instant>,
    pending: Option<SdpPendingOffer>,
    publisher: Option<PubState>,
    streams: HashMap<Ssrc, StreamCount>,
    /// Whether str0m decrypts this peer's media. Other receiving peers count SRTP packets
    /// by their clear RTP header (SSRC, sequence number) and never hand them to str0m, so a
    /// generator core can drive far more subscribers than it could decrypt for.
    decrypts: bool,
    failed: bool,
}

/// A snapshot of the engine's counters.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// Counters since the last reset.
    pub totals: Totals,
    /// Publisher write → subscriber receive, since the last reset.
    pub transit: Histogram,
    /// Subscriber connect start → first media packet (not reset).
    pub join: Histogram,
    /// Peers connected (ICE + DTLS).
    pub connected: usize,
    /// Peers that received media.
    pub with_media: usize,
    /// Peers whose ICE failed or disconnected.
    pub failed: usize,
    /// Peers in total.
    pub peers: usize,
    /// Packets expected by sequence-number range since the reset, summed over streams.
    pub expected: u64,
    /// Packets received in those ranges.
    pub delivered: u64,
}

/// The engine thread's state; adapters reach it through [`Engine::call`].
pub struct Core {
    poll: Poll,
    peers: Vec<Option<Peer>>,
    heap: BinaryHeap<Reverse<(Instant, usize)>>,
    epoch: Instant,
    local_ip: IpAddr,
    totals: Totals,
    transit: Histogram,
    join: Histogram,
    buf: Vec<u8>,
    next_pub_id: u16,
    /// Every this-many-th receiving peer decrypts (1: all).
    decrypt_every: usize,
    receivers: usize,
}

type Job = Box<dyn FnOnce(&mut Core) + Send>;

/// A handle to the engine thread.
#[derive(Clone)]
pub struct Engine {
    tx: mpsc::Sender<Job>,
    waker: Arc<Waker>,
}

impl Engine {
    /// Starts the engine thread; clients bind to `local_ip`. Every `decrypt_every`-th
    /// receiving PeerConnection decrypts its media (latency samples); the others count
    /// packets by header.
    pub fn spawn(local_ip: IpAddr, decrypt_every: usize) -> anyhow::Result<Engine> {
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        let (tx, rx) = mpsc::channel::<Job>();
        let core = Core {
            poll,
            peers: Vec::new(),
            heap: BinaryHeap::new(),
            epoch: Instant::now(),
            local_ip,
            totals: Totals::default(),
            transit: Histogram::default(),
            join: Histogram::default(),
            buf: vec![0; 2048],
            next_pub_id: 0,
            decrypt_every: decrypt_every.max(1),
            receivers: 0,
        };
        std::thread::Builder::new().name("media".into()).spawn(move || core.run(rx))?;
        Ok(Engine { tx, waker })
    }

    /// Runs `f` on the engine thread and returns its result.
    pub async fn call<R: Send + 'static>(&self, f: impl FnOnce(&mut Core) -> R + Send + 'static) -> anyhow::Result<R> {
        let (otx, orx) = tokio::sync::oneshot::channel();
        self.tx
            .send(Box::new(move |core: &mut Core| {
                let _ = otx.send(f(core));
            }))
            .map_err(|_| anyhow::anyhow!("media engine stopped"))?;
        self.waker.wake()?;
        Ok(orx.await?)
    }
}

fn rtc_builder() -> str0m::RtcConfig {
    Rtc::builder().set_rtp_mode(true).clear_codecs().enable_opus(true, false).enable_vp8(true).set_stats_interval(None)
}

impl Core {
    fn run(mut self, rx: mpsc::Receiver<Job>) {
        let mut events = Events::with_capacity(1024);
        loop {
            // Jobs from the signaling side.
            loop {
                match rx.try_recv() {
                    Ok(job) => job(&mut self),
                    Err(mpsc::TryRecvError::Empty) => break,
                    Err(mpsc::TryRecvError::Disconnected) => return,
                }
            }
            let now = Instant::now();
            self.send_media(now);
            self.fire_timeouts(now);
            let next = self.next_wake();
            let wait = next.map(|t| t.saturating_duration_since(Instant::now())).unwrap_or(Duration::from_millis(50));
            if self.poll.poll(&mut events, Some(wait.min(Duration::from_millis(50)))).is_err() {
                continue;
            }
            for ev in events.iter() {
                if ev.token() == WAKER {
                    continue;
                }
                self.read(ev.token().0);
            }
        }
    }

    fn next_wake(&self) -> Option<Instant> {
        let mut next = self.heap.peek().map(|r| r.0.0);
        for p in self.peers.iter().flatten() {
            if let Some(ps) = &p.publisher
                && p.connected.is_some()
            {
                for t in [ps.video.as_ref().map(|_| ps.next_video), ps.audio.as_ref().map(|_| ps.next_audio)].into_iter().flatten() {
                    next = Some(next.map_or(t, |n: Instant| n.min(t)));
                }
            }
        }
        next
    }

    fn nanos(&self, t: Instant) -> u64 {
        t.saturating_duration_since(self.epoch).as_nanos() as u64
    }

    /// Creates a peer with its own socket; returns its index.
    fn add_peer(&mut self, mut rtc: Rtc, started: Instant) -> anyhow::Result<usize> {
        let std_sock = std::net::UdpSocket::bind(SocketAddr::new(self.local_ip, 0))?;
        std_sock.set_nonblocking(true)?;
        let local = std_sock.local_addr()?;
        let mut sock = UdpSocket::from_std(std_sock);
        let idx = match self.peers.iter().position(Option::is_none) {
            Some(i) => i,
            None => {
                self.peers.push(None);
                self.peers.len() - 1
            }
        };
        self.poll.registry().register(&mut sock, Token(idx), Interest::READABLE)?;
        rtc.add_local_candidate(Candidate::host(local, "udp")?);
        self.peers[idx] = Some(Peer {
            rtc,
            sock,
            local,
            deadline: None,
            started,
            connected: None,
            first_media: None,
            pending: None,
            publisher: None,
            streams: HashMap::new(),
            decrypts: true,
            failed: false,
        });
        Ok(idx)
    }

    /// A publishing PeerConnection: adds the media and returns `(peer, offer SDP)`.
    pub fn new_publisher(&mut self, spec: &PublishSpec, started: Instant) -> anyhow::Result<(usize, String)> {
        let rtc = rtc_builder().build(Instant::now());
        let idx = self.add_peer(rtc, started)?;
        let id = self.next_pub_id;
        self.next_pub_id = self.next_pub_id.wrapping_add(1);
        let peer = self.peers[idx].as_mut().ok_or_else(|| anyhow::anyhow!("peer vanished"))?;
        let mut api = peer.rtc.sdp_api();
        let video = (!spec.layers.is_empty()).then(|| {
            let simulcast = (spec.layers.len() > 1).then(|| {
                let mut s = Simulcast::new();
                s.send = spec.layers.iter().map(|l| SimulcastLayer::new(l.rid)).collect();
                s
            });
            api.add_media(MediaKind::Video, Direction::SendOnly, Some("loadgen".into()), Some(spec.video_track_id.clone()), simulcast)
        });
        let audio = spec.audio.then(|| api.add_media(MediaKind::Audio, Direction::SendOnly, Some("loadgen".into()), Some(spec.audio_track_id.clone()), None));
        let (offer, pending) = api.apply().ok_or_else(|| anyhow::anyhow!("no offer to make"))?;
        peer.pending = Some(pending);
        let now = Instant::now();
        let simulcast = spec.layers.len() > 1;
        peer.publisher = Some(PubState {
            id,
            video: video.map(|mid| {
                let layers = spec
                    .layers
                    .iter()
                    .map(|l| LayerSend {
                        rid: simulcast.then(|| Rid::from(l.rid)),
                        frame_bytes: (l.bitrate as usize / 8 / FPS as usize).max(TRAILER + 16),
                        seq: 1000,
                        picture_id: 0,
                    })
                    .collect();
                (mid, Pt::from(0), layers)
            }),
            audio: audio.map(|mid| (mid, Pt::from(0), 1000, spec.audio_bytes.max(TRAILER + 4))),
            next_video: now,
            next_audio: now,
            frame_no: 0,
            audio_no: 0,
            force_key: true,
        });
        let sdp = offer.to_sdp_string();
        self.drain(idx, now);
        Ok((idx, sdp))
    }

    /// Applies the server's answer to a publisher's offer.
    pub fn accept_answer(&mut self, idx: usize, sdp: &str) -> anyhow::Result<()> {
        let peer = self.peers.get_mut(idx).and_then(Option::as_mut).ok_or_else(|| anyhow::anyhow!("no peer {idx}"))?;
        let answer = SdpAnswer::from_sdp_string(sdp)?;
        let pending = peer.pending.take().ok_or_else(|| anyhow::anyhow!("no pending offer"))?;
        peer.rtc.sdp_api().accept_answer(pending, answer)?;
        // Start connectivity checks now rather than at the deadline str0m gave before it
        // knew the remote candidates.
        let _ = peer.rtc.handle_input(Input::Timeout(Instant::now()));
        let pt_of = |rtc: &Rtc, codec: Codec| rtc.codec_config().params().iter().find(|p| p.spec().codec == codec).map(|p| p.pt());
        let vp8 = pt_of(&peer.rtc, Codec::Vp8);
        let opus = pt_of(&peer.rtc, Codec::Opus);
        if let Some(ps) = peer.publisher.as_mut() {
            if let (Some(v), Some(pt)) = (ps.video.as_mut(), vp8) {
                v.1 = pt;
            }
            if let (Some(a), Some(pt)) = (ps.audio.as_mut(), opus) {
                a.1 = pt;
            }
        }
        self.drain(idx, Instant::now());
        Ok(())
    }

    /// A receiving PeerConnection that answers `offer`; returns `(peer, answer SDP)`.
    pub fn new_subscriber(&mut self, offer: &str, started: Instant) -> anyhow::Result<(usize, String)> {
        let rtc = rtc_builder().build(Instant::now());
        let idx = self.add_peer(rtc, started)?;
        let decrypts = self.receivers.is_multiple_of(self.decrypt_every);
        self.receivers += 1;
        if let Some(p) = self.peers[idx].as_mut() {
            p.decrypts = decrypts;
        }
        let answer = self.accept_offer(idx, offer)?;
        Ok((idx, answer))
    }

    /// Answers a (re)offer on an existing peer.
    pub fn accept_offer(&mut self, idx: usize, offer: &str) -> anyhow::Result<String> {
        let peer = self.peers.get_mut(idx).and_then(Option::as_mut).ok_or_else(|| anyhow::anyhow!("no peer {idx}"))?;
        let offer = SdpOffer::from_sdp_string(offer)?;
        let answer = peer.rtc.sdp_api().accept_offer(offer)?;
        let _ = peer.rtc.handle_input(Input::Timeout(Instant::now()));
        self.drain(idx, Instant::now());
        Ok(answer.to_sdp_string())
    }

    /// Adds a remote candidate (an SDP `candidate:` line, with or without `a=`).
    pub fn add_candidate(&mut self, idx: usize, line: &str) {
        let line = line.trim().strip_prefix("a=").unwrap_or(line.trim());
        if line.is_empty() {
            return;
        }
        if let (Some(peer), Ok(c)) = (self.peers.get_mut(idx).and_then(Option::as_mut), Candidate::from_sdp_string(line)) {
            peer.rtc.add_remote_candidate(c);
            self.drain(idx, Instant::now());
        }
    }

    /// Forces this side's ICE role (Janus takes the controlling role when it answers and
    /// the controlled one when it offers, the reverse of RFC 8445's offerer rule).
    pub fn set_controlling(&mut self, idx: usize, controlling: bool) {
        if let Some(peer) = self.peers.get_mut(idx).and_then(Option::as_mut) {
            peer.rtc.direct_api().set_ice_controlling(controlling);
        }
    }

    /// Closes and forgets a peer.
    pub fn remove(&mut self, idx: usize) {
        if let Some(mut p) = self.peers.get_mut(idx).and_then(Option::take) {
            let _ = self.poll.registry().deregister(&mut p.sock);
            p.rtc.disconnect();
        }
    }

    /// Counters, and optionally restarts the measurement window.
    pub fn snapshot(&mut self, reset: bool) -> Snapshot {
        let mut s = Snapshot { totals: self.totals.clone(), transit: self.transit.clone(), join: self.join.clone(), ..Default::default() };
        for p in self.peers.iter_mut().flatten() {
            s.peers += 1;
            s.connected += usize::from(p.connected.is_some());
            s.with_media += usize::from(p.first_media.is_some());
            s.failed += usize::from(p.failed);
            for c in p.streams.values_mut() {
                if let Some(base) = c.base {
                    let exp = c.max.saturating_sub(base);
                    s.expected += exp;
                    s.delivered += c.count.min(exp);
                }
                if reset {
                    c.base = Some(c.max);
                    c.count = 0;
                }
            }
        }
        if reset {
            self.totals = Totals::default();
            self.transit = Histogram::default();
        }
        s
    }

    fn read(&mut self, idx: usize) {
        for _ in 0..256 {
            let Some(peer) = self.peers.get_mut(idx).and_then(Option::as_mut) else {
                return;
            };
            let (n, src) = match peer.sock.recv_from(&mut self.buf) {
                Ok(x) => x,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(_) => return,
            };
            let now = Instant::now();
            self.totals.rx_datagrams += 1;
            self.totals.rx_bytes += n as u64;
            if !peer.decrypts
                && peer.connected.is_some()
                && let Some((ssrc, seq)) = srtp_header(&self.buf[..n])
            {
                self.totals.rx_rtp += 1;
                self.totals.rx_payload_bytes += n.saturating_sub(12 + 16) as u64;
                if peer.first_media.is_none() {
                    peer.first_media = Some(now);
                    self.join.record(now.saturating_duration_since(peer.started));
                }
                peer.streams.entry(ssrc.into()).or_default().record_wire(seq);
                continue;
            }
            let Ok(recv) = Receive::new(Protocol::Udp, src, peer.local, &self.buf[..n]) else {
                continue;
            };
            if peer.rtc.handle_input(Input::Receive(now, recv)).is_err() {
                peer.failed = true;
                continue;
            }
            self.drain(idx, now);
        }
    }

    fn fire_timeouts(&mut self, now: Instant) {
        while let Some(&Reverse((t, idx))) = self.heap.peek() {
            if t > now {
                break;
            }
            self.heap.pop();
            let Some(peer) = self.peers.get_mut(idx).and_then(Option::as_mut) else {
                continue;
            };
            if peer.deadline != Some(t) {
                continue;
            }
            peer.deadline = None;
            if peer.rtc.handle_input(Input::Timeout(now)).is_err() {
                peer.failed = true;
            }
            self.drain(idx, now);
        }
    }

    fn drain(&mut self, idx: usize, now: Instant) {
        let epoch = self.epoch;
        let Some(peer) = self.peers.get_mut(idx).and_then(Option::as_mut) else {
            return;
        };
        for _ in 0..100_000 {
            match peer.rtc.poll_output() {
                Ok(Output::Timeout(t)) => {
                    if peer.deadline != Some(t) {
                        peer.deadline = Some(t);
                        self.heap.push(Reverse((t, idx)));
                    }
                    return;
                }
                Ok(Output::Transmit(t)) => match peer.sock.send_to(&t.contents, t.destination) {
                    Ok(_) => {
                        self.totals.tx_datagrams += 1;
                        self.totals.tx_bytes += t.contents.len() as u64;
                    }
                    Err(_) => self.totals.tx_errors += 1,
                },
                Ok(Output::Event(e)) => match e {
                    Event::Connected => {
                        peer.connected.get_or_insert(now);
                    }
                    Event::IceConnectionStateChange(IceConnectionState::Disconnected) => peer.failed = true,
                    Event::KeyframeRequest(_) => {
                        self.totals.keyframe_requests += 1;
                        if let Some(ps) = peer.publisher.as_mut() {
                            ps.force_key = true;
                        }
                    }
                    Event::RtpPacket(p) => {
                        self.totals.rx_rtp += 1;
                        self.totals.rx_payload_bytes += p.payload.len() as u64;
                        if peer.first_media.is_none() {
                            peer.first_media = Some(now);
                            self.join.record(now.saturating_duration_since(peer.started));
                        }
                        peer.streams.entry(p.header.ssrc).or_default().record(*p.seq_no);
                        if let Some(sent) = trailer_time(&p.payload) {
                            let at = now.saturating_duration_since(epoch).as_nanos() as u64;
                            self.transit.record(Duration::from_nanos(at.saturating_sub(sent)));
                        }
                    }
                    _ => {}
                },
                Err(_) => {
                    peer.failed = true;
                    return;
                }
            }
        }
    }

    fn send_media(&mut self, now: Instant) {
        let send_ns = self.nanos(now);
        for idx in 0..self.peers.len() {
            let Some(peer) = self.peers[idx].as_mut() else {
                continue;
            };
            if peer.connected.is_none() {
                continue;
            }
            let Some(ps) = peer.publisher.as_mut() else {
                continue;
            };
            let mut wrote = false;
            if let Some((mid, pt, layers)) = ps.video.as_mut()
                && ps.next_video <= now
            {
                let key = ps.force_key || ps.frame_no % GOP_FRAMES == 0;
                ps.force_key = false;
                let time = (ps.frame_no * 3000) as u32;
                for (li, layer) in layers.iter_mut().enumerate() {
                    let bytes = if key { layer.frame_bytes * 4 } else { layer.frame_bytes };
                    let n = bytes.div_ceil(MAX_PAYLOAD).max(1);
                    let per = bytes / n;
                    layer.picture_id = (layer.picture_id + 1) & 0x7fff;
                    for i in 0..n {
                        let payload = vp8_payload(i == 0, key, layer.picture_id, per.max(TRAILER + 16), ps.id, li as u8, send_ns);
                        let mut api = peer.rtc.direct_api();
                        let Some(tx) = api.stream_tx_by_mid(*mid, layer.rid) else {
                            break;
                        };
                        tx.write_rtp(RtpWrite::new(*pt, layer.seq.into(), time, now, payload).marker(i + 1 == n).nackable(true));
                        layer.seq += 1;
                        self.totals.tx_rtp += 1;
                    }
                }
                ps.frame_no += 1;
                ps.next_video += Duration::from_micros(1_000_000 / FPS);
                if ps.next_video < now {
                    ps.next_video = now;
                }
                wrote = true;
            }
            if let Some((mid, pt, seq, bytes)) = ps.audio.as_mut()
                && ps.next_audio <= now
            {
                let mut payload = vec![0x78u8; *bytes];
                put_trailer(&mut payload, ps.id, 0xff, 0, send_ns);
                let time = (ps.audio_no * 960) as u32;
                let mut api = peer.rtc.direct_api();
                if let Some(tx) = api.stream_tx_by_mid(*mid, None) {
                    tx.write_rtp(RtpWrite::new(*pt, (*seq).into(), time, now, payload).marker(true).nackable(false));
                    *seq += 1;
                    self.totals.tx_rtp += 1;
                }
                ps.audio_no += 1;
                ps.next_audio += Duration::from_millis(20);
                if ps.next_audio < now {
                    ps.next_audio = now;
                }
                wrote = true;
            }
            if wrote {
                self.drain(idx, now);
            }
        }
    }
}

/// `(SSRC, sequence number)` of an SRTP (not SRTCP) datagram, read from its clear header
/// (RFC 7983 demultiplexing: first byte 128..=191; RFC 5761: RTCP types 192..=223).
fn srtp_header(d: &[u8]) -> Option<(u32, u16)> {
    if d.len() < 12 || !(128..=191).contains(&d[0]) || (192..=223).contains(&d[1]) {
        return None;
    }
    Some((u32::from_be_bytes([d[8], d[9], d[10], d[11]]), u16::from_be_bytes([d[2], d[3]])))
}

fn put_trailer(buf: &mut [u8], publisher: u16, kind: u8, layer: u8, send_ns: u64) {
    let n = buf.len();
    let t = &mut buf[n - TRAILER..];
    t[..4].copy_from_slice(&MAGIC);
    t[4..6].copy_from_slice(&publisher.to_be_bytes());
    t[6] = kind;
    t[7] = layer;
    t[8..].copy_from_slice(&send_ns.to_be_bytes());
}

fn trailer_time(payload: &[u8]) -> Option<u64> {
    let n = payload.len();
    if n < TRAILER {
        return None;
    }
    let t = &payload[n - TRAILER..];
    if t[..4] != MAGIC {
        return None;
    }
    let mut b = [0u8; 8];
    b.copy_from_slice(&t[8..]);
    Some(u64::from_be_bytes(b))
}

/// A valid VP8 RTP payload: descriptor with a 15-bit picture id, then (first packet of a
/// frame) a VP8 frame header, a keyframe's start code and 1280×720 size, filler, trailer.
fn vp8_payload(first: bool, key: bool, picture_id: u16, len: usize, publisher: u16, layer: u8, send_ns: u64) -> Vec<u8> {
    let mut p = vec![0u8; len];
    p[0] = if first { 0x90 } else { 0x80 }; // X=1, S=first, PID=0
    p[1] = 0x80; // I: picture id present
    p[2] = 0x80 | (picture_id >> 8) as u8;
    p[3] = picture_id as u8;
    if first {
        // Frame tag: P bit 0 = keyframe; show_frame set; first partition size arbitrary.
        p[4] = if key { 0x10 } else { 0x11 };
        p[5] = 0x02;
        p[6] = 0x00;
        if key {
            p[7..10].copy_from_slice(&[0x9d, 0x01, 0x2a]);
            p[10..12].copy_from_slice(&1280u16.to_le_bytes());
            p[12..14].copy_from_slice(&720u16.to_le_bytes());
        }
    }
    put_trailer(&mut p, publisher, 0, layer, send_ns);
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_sequence_numbers_extend_across_the_wrap_and_count_gaps() {
        let mut c = StreamCount::default();
        for seq in [65533u16, 65534, 65535, 0, 2, 1, 3] {
            c.record_wire(seq);
        }
        // 65533..=3 is 7 packets, all received (1 arrived late).
        assert_eq!(c.base.map(|b| c.max - b), Some(7));
        assert_eq!(c.count, 7);
        c.record_wire(10); // 4..=9 lost
        assert_eq!(c.base.map(|b| c.max - b), Some(14));
        assert_eq!(c.count, 8);
    }

    #[test]
    fn only_srtp_media_is_counted_by_header() {
        let mut rtp = [0u8; 40];
        rtp[0] = 0x80;
        rtp[1] = 96;
        rtp[2..4].copy_from_slice(&513u16.to_be_bytes());
        rtp[8..12].copy_from_slice(&7u32.to_be_bytes());
        assert_eq!(srtp_header(&rtp), Some((7, 513)));
        let mut rtcp = rtp;
        rtcp[1] = 201; // receiver report
        assert_eq!(srtp_header(&rtcp), None);
        let dtls = [22u8; 40];
        assert_eq!(srtp_header(&dtls), None);
        assert_eq!(srtp_header(&rtp[..8]), None);
    }
}
