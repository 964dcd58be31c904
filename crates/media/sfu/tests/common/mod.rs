//! A virtual-time world: the SFU and str0m clients playing browsers, joined by an
//! in-memory network with no loss and no latency. Nothing here reads the clock after
//! start; every step advances `now` to the earliest pending deadline.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use hikari_sfu::{Command, ConnId, Join, MediaPacket, Output, RoomEvent, Sfu, SfuConfig, SignalMode, SinkEnd, SinkId};
use hikari_types::{
    AddTrack, ClientInfo, ClientSignal, DisconnectReason, JoinGrant, Permissions, Sdp, SdpKind, ServerSignal, SimulcastLayer, TrackKind, TrackSource,
    VideoQuality,
};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::format::Codec;
use str0m::media::{Direction, MediaKind, MediaTime, Mid};
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, Input, Output as RtcOutput, Rtc};

pub mod simulcast;

pub const SERVER: &str = "10.0.0.1:7882";
/// The id test clients map the AV1 dependency descriptor to (not the server's, on purpose).
pub const DD_EXT_ID: u8 = 9;

pub struct Client {
    pub identity: String,
    pub conn: ConnId,
    pub publisher: Rtc,
    pub subscriber: Rtc,
    pub pub_addr: SocketAddr,
    pub sub_addr: SocketAddr,
    pub pending_offer: Option<SdpPendingOffer>,
    /// Server signals received, in order.
    pub signals: Vec<ServerSignal>,
    /// Events of the subscriber PeerConnection.
    pub sub_events: Vec<Event>,
    /// Events of the publisher PeerConnection.
    pub pub_events: Vec<Event>,
    pub closed: Option<DisconnectReason>,
    /// Answer server offers automatically.
    pub answers: bool,
    /// Network traffic to and from this client is dropped (it vanished).
    pub vanished: bool,
    /// Drop every n-th large datagram (media) the server sends to this client; 0 for none.
    pub drop_every: usize,
    dropped_count: usize,
    /// Large datagrams from the server that were dropped.
    pub dropped: usize,
    /// RTP payload types of the media datagrams the server sent this client, with counts.
    pub pts_in: BTreeMap<u8, usize>,
    pub mids: BTreeMap<String, Mid>,
    /// The capacity of the server's path to the subscriber PeerConnection, bits per
    /// second (a bottleneck with a 250 ms queue, as `tc tbf` shapes one); `None`: unlimited.
    pub downlink: Option<u64>,
    /// When the bottleneck has sent everything queued so far.
    link_free_at: Option<Instant>,
    /// Datagrams the bottleneck dropped (its queue was full).
    pub link_dropped: usize,
}

pub struct World {
    pub now: Instant,
    pub start: Instant,
    pub sfu: Sfu,
    pub clients: Vec<Client>,
    pub events: Vec<RoomEvent>,
    queue: VecDeque<(SocketAddr, SocketAddr, Vec<u8>)>,
    server: SocketAddr,
    /// Clients joining from now on offer only H.264 video.
    pub h264_only: bool,
    /// Clients joining from now on run their PeerConnections in RTP mode (they write and
    /// read raw RTP: [`World::write_rtp`], [`rtp_received`]) and know the AV1 dependency
    /// descriptor extension.
    pub rtp_mode: bool,
    /// Clients joining from now on offer Opus with RED (and send RED when it is agreed).
    pub red: bool,
    /// Packets delivered to internal sinks, in order.
    pub sink_packets: Vec<(SinkId, MediaPacket)>,
    /// Sinks closed by the SFU.
    pub sinks_closed: Vec<(SinkId, SinkEnd)>,
    /// Signals for connections that are not clients here (internal publishers).
    pub other_signals: Vec<(ConnId, ServerSignal)>,
    /// Keyframe requests to internal publishers: (connection, track index, layer).
    pub source_keyframes: Vec<(ConnId, u8, u8)>,
    /// Datagrams waiting in a client's downlink bottleneck, with when they arrive.
    in_flight: Vec<(Instant, SocketAddr, SocketAddr, Vec<u8>)>,
}

pub fn init_log() {
    let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter("warn,hikari_sfu=debug").try_init();
}

impl World {
    pub fn new() -> Self {
        Self::with_config(|_| {})
    }

    /// A world whose SFU configuration `adjust` changed first.
    pub fn with_config(adjust: impl FnOnce(&mut SfuConfig)) -> Self {
        init_log();
        let now = Instant::now();
        let server: SocketAddr = SERVER.parse().expect("valid address");
        let mut cfg = SfuConfig::new(vec![server], (now, 1_800_000_000_000), 42, std::sync::Arc::new(hikari_protocol::LiveKitData));
        adjust(&mut cfg);
        Self {
            now,
            start: now,
            sfu: Sfu::new(cfg, now),
            clients: Vec::new(),
            events: Vec::new(),
            queue: VecDeque::new(),
            server,
            h264_only: false,
            rtp_mode: false,
            red: false,
            sink_packets: Vec::new(),
            sinks_closed: Vec::new(),
            other_signals: Vec::new(),
            source_keyframes: Vec::new(),
            in_flight: Vec::new(),
        }
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    /// A client joins `room` with two PeerConnections; returns its index.
    pub fn join(&mut self, room: &str, identity: &str, permissions: Permissions) -> usize {
        let i = self.clients.len();
        let pub_addr: SocketAddr = format!("10.0.0.{}:5000", 10 + i).parse().expect("valid");
        let sub_addr: SocketAddr = format!("10.0.0.{}:5001", 10 + i).parse().expect("valid");
        let builder = || {
            let b = if self.h264_only { Rtc::builder().clear_codecs().enable_opus(true, false).enable_h264(true) } else { Rtc::builder() };
            let b = if self.red { b.enable_opus(true, true) } else { b };
            if self.rtp_mode { b.set_rtp_mode(true).set_extension(DD_EXT_ID, hikari_sfu::codec::dd_ext::serializer()) } else { b }
        };
        let mut publisher = builder().build(self.now);
        publisher.add_local_candidate(Candidate::host(pub_addr, "udp").expect("host candidate"));
        let mut subscriber = builder().build(self.now);
        subscriber.add_local_candidate(Candidate::host(sub_addr, "udp").expect("host candidate"));
        let conn = ConnId(i as u64 + 1);
        self.clients.push(Client {
            identity: identity.to_owned(),
            conn,
            publisher,
            subscriber,
            pub_addr,
            sub_addr,
            pending_offer: None,
            signals: Vec::new(),
            sub_events: Vec::new(),
            pub_events: Vec::new(),
            closed: None,
            answers: true,
            vanished: false,
            drop_every: 0,
            dropped_count: 0,
            dropped: 0,
            pts_in: BTreeMap::new(),
            mids: BTreeMap::new(),
            downlink: None,
            link_free_at: None,
            link_dropped: 0,
        });
        self.command(Command::Join(Box::new(Join {
            conn,
            grant: JoinGrant {
                room: room.into(),
                identity: identity.into(),
                name: identity.to_owned(),
                metadata: String::new(),
                attributes: BTreeMap::new(),
                permissions,
                kind: hikari_types::ParticipantKind::Standard,
            },
            client: ClientInfo { sdk: "test".into(), protocol: 16, client_protocol: 1, ..Default::default() },
            auto_subscribe: true,
            mode: SignalMode::Dual,
            resume: None,
        })));
        i
    }

    /// Client `c`'s signal connection closes without a leave (a network change).
    pub fn drop_signal(&mut self, c: usize) {
        let conn = self.clients[c].conn;
        self.command(Command::Closed { conn });
    }

    /// Client `c` comes back on a new signal connection with `reconnect=1&sid=<sid>`, as
    /// LiveKit's SDKs resume; its PeerConnections are the ones it had.
    pub fn resume(&mut self, c: usize, sid: &str) -> ConnId {
        let conn = ConnId(1000 + self.clients.iter().map(|x| x.conn.0).max().unwrap_or(0));
        self.clients[c].conn = conn;
        let identity = self.clients[c].identity.clone();
        self.command(Command::Join(Box::new(Join {
            conn,
            grant: JoinGrant {
                room: "room".into(),
                identity: identity.as_str().into(),
                name: identity,
                metadata: String::new(),
                attributes: BTreeMap::new(),
                permissions: Permissions::default(),
                kind: hikari_types::ParticipantKind::Standard,
            },
            client: ClientInfo { sdk: "test".into(), protocol: 16, client_protocol: 1, ..Default::default() },
            auto_subscribe: true,
            mode: SignalMode::Dual,
            resume: Some(sid.into()),
        })));
        conn
    }

    /// The participant sid client `c` was given at join.
    pub fn sid(&self, c: usize) -> String {
        self.clients[c].signals.iter().find_map(|s| if let ServerSignal::Join(j) = s { Some(j.participant.sid.to_string()) } else { None }).expect("joined")
    }

    /// The sid of the first track client `c` published (`TrackPublished`).
    pub fn published_sid(&self, c: usize) -> hikari_types::TrackSid {
        let published = |s: &ServerSignal| if let ServerSignal::TrackPublished { track, .. } = s { Some(track.sid.clone()) } else { None };
        self.clients[c].signals.iter().find_map(published).expect("a published track")
    }

    pub fn command(&mut self, command: Command) {
        self.sfu.handle_command(self.now, command);
        self.pump();
    }

    pub fn signal(&mut self, client: usize, signal: ClientSignal) {
        let conn = self.clients[client].conn;
        self.command(Command::Signal { conn, signal });
    }

    /// Announces a track, waits for `track_published`, then offers it with a data channel.
    pub fn publish(&mut self, c: usize, kind: TrackKind) -> Mid {
        let cid = format!("{}-{:?}", self.clients[c].identity, kind);
        let source = if kind == TrackKind::Video { TrackSource::Camera } else { TrackSource::Microphone };
        self.publish_track(c, AddTrack { cid, kind, source, width: 640, height: 360, ..Default::default() }, None)
    }

    /// Publishes a video track in three simulcast layers, `q` 320x180, `h` 640x360 and
    /// `f` 1280x720, as LiveKit's clients announce them.
    pub fn publish_simulcast(&mut self, c: usize) -> Mid {
        let cid = format!("{}-simulcast", self.clients[c].identity);
        let layers = [(VideoQuality::Low, 320, 180), (VideoQuality::Medium, 640, 360), (VideoQuality::High, 1280, 720)]
            .into_iter()
            .map(|(quality, width, height)| SimulcastLayer { quality, width, height, bitrate: 0 })
            .collect();
        let add = AddTrack { cid, kind: TrackKind::Video, source: TrackSource::Camera, width: 1280, height: 720, layers, ..Default::default() };
        let mut simulcast = str0m::media::Simulcast::new();
        for rid in ["q", "h", "f"] {
            simulcast.add_send_layer(str0m::media::SimulcastLayer::new(rid));
        }
        self.publish_track(c, add, Some(simulcast))
    }

    /// Announces `add`, waits for `track_published`, then offers it (with a data channel on
    /// the first offer).
    pub fn publish_track(&mut self, c: usize, add: AddTrack, simulcast: Option<str0m::media::Simulcast>) -> Mid {
        let (cid, kind) = (add.cid.clone(), add.kind);
        self.signal(c, ClientSignal::AddTrack(add));
        assert!(
            self.clients[c].signals.iter().any(|s| matches!(s, ServerSignal::TrackPublished { cid: x, .. } if *x == cid)),
            "server answers add_track with track_published"
        );
        let media_kind = if kind == TrackKind::Video { MediaKind::Video } else { MediaKind::Audio };
        let first = self.clients[c].mids.is_empty();
        let mut api = self.clients[c].publisher.sdp_api();
        let mid = api.add_media(media_kind, Direction::SendOnly, Some("stream".into()), Some(cid.clone()), simulcast);
        if first {
            api.add_channel("_reliable".into());
        }
        let (offer, pending) = api.apply().expect("an offer");
        self.clients[c].pending_offer = Some(pending);
        self.clients[c].mids.insert(cid, mid);
        self.signal(c, ClientSignal::Offer(Sdp { kind: SdpKind::Offer, sdp: offer.to_sdp_string(), id: 1, mid_to_track: BTreeMap::new() }));
        mid
    }

    /// Writes one VP8-like frame (first byte even for a keyframe) or Opus frame.
    pub fn write_frame(&mut self, c: usize, mid: Mid, codec: Codec, frame_no: u64, keyframe: bool) -> Vec<u8> {
        let data = self.write_frame_unsent(c, mid, codec, frame_no, keyframe);
        self.pump();
        data
    }

    /// [`World::write_frame`] without moving anything: the packets wait in the client until
    /// the next pump, so several writes reach the server as one burst.
    pub fn write_frame_unsent(&mut self, c: usize, mid: Mid, codec: Codec, frame_no: u64, keyframe: bool) -> Vec<u8> {
        let mut data = match codec {
            // Annex B: an IDR slice (type 5) or a non-IDR slice (type 1).
            Codec::H264 => vec![0, 0, 0, 1, if keyframe { 0x65 } else { 0x41 }],
            _ => vec![if keyframe { 0x00 } else { 0x01 }],
        };
        data.extend_from_slice(&frame_no.to_be_bytes());
        data.resize(if codec == Codec::Opus { 120 } else { 1800 }, 0xab);
        let (rate, step) = if codec == Codec::Opus { (48_000, 960) } else { (90_000, 3000) };
        let now = self.now;
        let client = &mut self.clients[c];
        let writer = client.publisher.writer(mid).expect("media negotiated");
        let pt = writer.payload_params().find(|p| p.spec().codec == codec).expect("codec negotiated").pt();
        let time = MediaTime::new(frame_no * step, str0m::media::Frequency::new(rate).expect("nonzero"));
        writer.write(pt, now, time, data.clone()).expect("write accepted");
        data
    }

    /// Writes one VP8-like frame of simulcast layer `rid`: its first byte is even for a
    /// keyframe, its second names the layer, then the frame number.
    pub fn write_layer_frame(&mut self, c: usize, mid: Mid, rid: &str, frame_no: u64, keyframe: bool) {
        self.write_layer_frame_sized(c, mid, rid, frame_no, keyframe, 600);
    }

    /// [`World::write_layer_frame`] with a frame of `size` bytes.
    pub fn write_layer_frame_sized(&mut self, c: usize, mid: Mid, rid: &str, frame_no: u64, keyframe: bool, size: usize) {
        let mut data = vec![if keyframe { 0x00 } else { 0x01 }, rid.as_bytes()[0]];
        data.extend_from_slice(&frame_no.to_be_bytes());
        data.resize(size.max(data.len()), 0xab);
        let now = self.now;
        let writer = self.clients[c].publisher.writer(mid).expect("media negotiated");
        let pt = writer.payload_params().find(|p| p.spec().codec == Codec::Vp8).expect("VP8 negotiated").pt();
        let time = MediaTime::new(frame_no * 3000, str0m::media::Frequency::new(90_000).expect("nonzero"));
        writer.rid(rid.into()).write(pt, now, time, data).expect("write accepted");
    }

    /// Writes one raw RTP packet of `codec` on client `c`'s publisher (RTP mode), its
    /// sequence number, timestamp and marker given, with a dependency descriptor if given;
    /// the packet waits in the client until the next pump.
    pub fn write_rtp(&mut self, c: usize, mid: Mid, codec: Codec, header: (u64, u32, bool), payload: Vec<u8>, dd: Option<&[u8]>) {
        self.write_rtp_rid(c, (mid, None), codec, header, payload, dd);
    }

    /// [`World::write_rtp`] on a media line's simulcast layer `rid`.
    pub fn write_rtp_rid(
        &mut self,
        c: usize,
        (mid, rid): (Mid, Option<&str>),
        codec: Codec,
        (seq, ts, marker): (u64, u32, bool),
        payload: Vec<u8>,
        dd: Option<&[u8]>,
    ) {
        let now = self.now;
        let rtc = &mut self.clients[c].publisher;
        let pt = rtc.codec_config().params().iter().find(|p| p.spec().codec == codec).expect("codec configured").pt();
        let mut exts = str0m::rtp::ExtensionValues::default();
        if let Some(dd) = dd.and_then(hikari_sfu::codec::dd_ext::DdBytes::new) {
            exts.user_values.set(dd);
        }
        let write = str0m::rtp::RtpWrite::new(pt, seq.into(), ts, now, payload).marker(marker).ext_vals(exts);
        let mut api = rtc.direct_api();
        let stream = api.stream_tx_by_mid(mid, rid.map(Into::into)).expect("a send stream for the line");
        stream.write_rtp(write);
    }

    /// Writes one Opus frame carrying an audio level (0 loudest, -127 silent).
    pub fn write_audio_level(&mut self, c: usize, mid: Mid, frame_no: u64, level: i8) {
        let now = self.now;
        let writer = self.clients[c].publisher.writer(mid).expect("media negotiated");
        let pt = writer.payload_params().find(|p| p.spec().codec == Codec::Opus).expect("Opus negotiated").pt();
        let time = MediaTime::new(frame_no * 960, str0m::media::Frequency::new(48_000).expect("nonzero"));
        writer.audio_level(level, level > -40).write(pt, now, time, vec![0xf8; 60]).expect("write accepted");
    }

    /// Runs until `done` or `limit` of virtual time passes; returns whether `done` held.
    pub fn run_until(&mut self, limit: Duration, mut done: impl FnMut(&World) -> bool) -> bool {
        let end = self.now + limit;
        while self.now < end {
            if done(self) {
                return true;
            }
            self.advance((end - self.now).min(Duration::from_millis(5)));
        }
        done(self)
    }

    /// Lets `d` of virtual time pass, every deadline on the way handled (as a frame interval
    /// passes between a browser's frames).
    pub fn pass(&mut self, d: Duration) {
        let end = self.now + d;
        while self.now < end {
            self.advance(end - self.now);
        }
    }

    /// Moves time forward by at most `max`, feeding every due timeout.
    pub fn advance(&mut self, max: Duration) {
        let mut next = self.now + max;
        next = next.min(self.sfu.poll_timeout().max(self.now));
        self.now = next.max(self.now + Duration::from_micros(100));
        self.sfu.handle_timeout(self.now);
        for c in &mut self.clients {
            let _ = c.publisher.handle_input(Input::Timeout(self.now));
            let _ = c.subscriber.handle_input(Input::Timeout(self.now));
        }
        let now = self.now;
        let (due, waiting) = std::mem::take(&mut self.in_flight).into_iter().partition(|(at, ..)| *at <= now);
        self.in_flight = waiting;
        for (_, src, dst, bytes) in due {
            self.arrive(src, dst, &bytes);
        }
        self.pump();
    }

    /// Moves every queued output until nothing is left.
    pub fn pump(&mut self) {
        for _ in 0..100_000 {
            let mut moved = false;
            while let Some(out) = self.sfu.poll_output() {
                moved = true;
                self.on_server_output(out);
            }
            for c in &mut self.clients {
                moved |= drain_client(&mut c.publisher, &mut c.pub_events, &mut self.queue, c.vanished);
                moved |= drain_client(&mut c.subscriber, &mut c.sub_events, &mut self.queue, c.vanished);
            }
            while let Some((src, dst, bytes)) = self.queue.pop_front() {
                moved = true;
                self.deliver(src, dst, &bytes);
            }
            if !moved {
                return;
            }
        }
        panic!("the world did not settle");
    }

    fn deliver(&mut self, src: SocketAddr, dst: SocketAddr, bytes: &[u8]) {
        let now = self.now;
        if let Some(c) = self.clients.iter_mut().find(|c| c.sub_addr == dst && c.downlink.is_some())
            && let Some(bps) = c.downlink
        {
            // A bottleneck: each datagram leaves when the ones before it have, and is
            // dropped when it would wait longer than the queue holds.
            let start = c.link_free_at.map_or(now, |t| t.max(now));
            if start.saturating_duration_since(now) > Duration::from_millis(250) {
                c.link_dropped += 1;
                return;
            }
            let leaves = start + Duration::from_micros((bytes.len() as u64 + 28) * 8 * 1_000_000 / bps.max(1));
            c.link_free_at = Some(leaves);
            self.in_flight.push((leaves, src, dst, bytes.to_vec()));
            return;
        }
        self.arrive(src, dst, bytes);
    }

    fn arrive(&mut self, src: SocketAddr, dst: SocketAddr, bytes: &[u8]) {
        if dst == self.server {
            self.sfu.handle_datagram(self.now, src, dst, bytes);
            return;
        }
        let now = self.now;
        for c in &mut self.clients {
            if c.vanished {
                continue;
            }
            if src == self.server && dst == c.sub_addr && bytes.len() > 12 && (128..192).contains(&bytes[0]) && !(200..=206).contains(&bytes[1]) {
                *c.pts_in.entry(bytes[1] & 0x7f).or_default() += 1;
            }
            if c.drop_every > 0 && src == self.server && bytes.len() > 400 && (dst == c.sub_addr || dst == c.pub_addr) {
                c.dropped_count += 1;
                if c.dropped_count % c.drop_every == 0 {
                    c.dropped += 1;
                    continue;
                }
            }
            let (rtc, events) = if dst == c.pub_addr {
                (&mut c.publisher, &mut c.pub_events)
            } else if dst == c.sub_addr {
                (&mut c.subscriber, &mut c.sub_events)
            } else {
                continue;
            };
            if let Ok(r) = Receive::new(Protocol::Udp, src, dst, bytes) {
                let _ = rtc.handle_input(Input::Receive(now, r));
                // In RTP mode str0m holds one received packet until it is polled.
                if self.rtp_mode {
                    drain_client(rtc, events, &mut self.queue, c.vanished);
                }
            }
        }
    }

    fn on_server_output(&mut self, out: Output) {
        match out {
            Output::Transmit(t) => self.queue.push_back((t.source, t.destination, t.contents.to_vec())),
            Output::Signal { conn, signal } => {
                let signal = *signal;
                let Some(c) = self.clients.iter().position(|c| c.conn == conn) else {
                    self.other_signals.push((conn, signal));
                    return;
                };
                let reply = self.autopilot(c, &signal);
                self.clients[c].signals.push(signal);
                if let Some(reply) = reply {
                    self.sfu.handle_command(self.now, Command::Signal { conn, signal: reply });
                }
            }
            Output::Close { conn, reason } => {
                if let Some(c) = self.clients.iter_mut().find(|c| c.conn == conn) {
                    c.closed = Some(reason);
                }
            }
            Output::Event(e) => self.events.push(*e),
            Output::Media { sink, packet } => self.sink_packets.push((sink, *packet)),
            Output::SinkClosed { sink, reason } => self.sinks_closed.push((sink, reason)),
            Output::SourceKeyframe { conn, track, layer } => self.source_keyframes.push((conn, track, layer)),
            Output::AdminReply { .. } => {}
        }
    }

    /// What a client SDK does on its own: answer offers, apply answers.
    fn autopilot(&mut self, c: usize, signal: &ServerSignal) -> Option<ClientSignal> {
        let client = &mut self.clients[c];
        match signal {
            ServerSignal::Offer(sdp) if client.answers => {
                let offer = SdpOffer::from_sdp_string(&sdp.sdp).expect("server offers valid SDP");
                let answer = client.subscriber.sdp_api().accept_offer(offer).expect("client accepts the offer");
                Some(ClientSignal::Answer(Sdp { kind: SdpKind::Answer, sdp: answer.to_sdp_string(), id: sdp.id, mid_to_track: BTreeMap::new() }))
            }
            ServerSignal::Answer(sdp) => {
                let answer = SdpAnswer::from_sdp_string(&sdp.sdp).expect("server answers valid SDP");
                let pending = client.pending_offer.take().expect("an offer was pending");
                client.publisher.sdp_api().accept_answer(pending, answer).expect("client accepts the answer");
                None
            }
            _ => None,
        }
    }

    pub fn client(&self, c: usize) -> &Client {
        &self.clients[c]
    }

    /// alice publishes video to bob; returns once bob has the track and alice's
    /// publisher PeerConnection is connected: (world, alice, bob, alice's video line).
    pub fn video_call() -> (World, usize, usize, Mid) {
        let mut w = World::new();
        let alice = w.join("room", "alice", Permissions::default());
        let bob = w.join("room", "bob", Permissions::default());
        let video = w.publish(alice, TrackKind::Video);
        assert!(w.run_until(Duration::from_secs(5), |w| {
            w.client(bob).sub_events.iter().any(|e| matches!(e, Event::MediaAdded(_)))
                && w.client(alice).pub_events.iter().any(|e| matches!(e, Event::Connected))
        }));
        (w, alice, bob, video)
    }
}

fn drain_client(rtc: &mut Rtc, events: &mut Vec<Event>, queue: &mut VecDeque<(SocketAddr, SocketAddr, Vec<u8>)>, vanished: bool) -> bool {
    let mut moved = false;
    loop {
        match rtc.poll_output() {
            Ok(RtcOutput::Timeout(_)) | Err(_) => return moved,
            Ok(RtcOutput::Transmit(t)) => {
                moved = true;
                if !vanished {
                    queue.push_back((t.source, t.destination, t.contents.to_vec()));
                }
            }
            Ok(RtcOutput::Event(e)) => {
                moved = true;
                events.push(e);
            }
        }
    }
}

/// Frames a client's subscriber PeerConnection received, by kind.
pub fn received_frames(c: &Client, kind: MediaKind) -> Vec<Vec<u8>> {
    c.sub_events
        .iter()
        .filter_map(|e| match e {
            Event::MediaData(d) if (d.params.spec().codec != Codec::Opus) == (kind == MediaKind::Video) => Some(d.data.to_vec()),
            _ => None,
        })
        .collect()
}

/// Whether a set of frames contains all of `wanted` (order kept).
pub fn contains_all(frames: &[Vec<u8>], wanted: &[Vec<u8>]) -> bool {
    let have: HashSet<&Vec<u8>> = frames.iter().collect();
    wanted.iter().all(|w| have.contains(w))
}

/// Raw RTP packets a client's subscriber PeerConnection received (RTP mode), in order.
pub fn rtp_received(c: &Client) -> Vec<&str0m::rtp::RtpPacket> {
    c.sub_events.iter().filter_map(|e| if let Event::RtpPacket(p) = e { Some(p) } else { None }).collect()
}
