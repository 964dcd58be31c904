//! One PeerConnection: a str0m `Rtc` in RTP mode and what the room tracks about it.

use std::collections::{HashMap, VecDeque};
use std::time::Instant;

use str0m::bwe::Bitrate;
use str0m::change::SdpPendingOffer;
use str0m::channel::{ChannelConfig, ChannelId, Reliability as ChannelReliability};
use str0m::media::Mid;
use str0m::net::TcpType;
use str0m::rtp::Ssrc;
use str0m::{Candidate, Event, IceCreds, Rtc};

use hikari_types::Reliability;

use crate::arena::{PartIdx, PcIdx, TrackIdx};
use crate::codec::{Enabled, dd_ext};
use crate::config::SfuConfig;
use crate::demux::PcKey;
use crate::io::Output;
use crate::timers::Timers;

/// Writes a PeerConnection may take before it is drained at once: bounds how many
/// packets str0m queues for it, and how long the first of them waits.
pub(crate) const MAX_PENDING_WRITES: u32 = 32;

/// Where the estimate of a subscriber's downlink starts, before feedback moves it: enough
/// for a camera's medium layer and audio at once; probing finds more within seconds.
const INITIAL_ESTIMATE: Bitrate = Bitrate::kbps(1_000);

/// How often str0m reports per-stream counts (the NACK counters come from them).
const STATS_INTERVAL: std::time::Duration = std::time::Duration::from_secs(2);

/// A stream's key in the NACK bookkeeping: media line, simulcast layer, outgoing.
pub(crate) type StreamKey = (Mid, Option<str0m::media::Rid>, bool);

/// What a PeerConnection is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// Two-PC mode: the client publishes and offers.
    Publisher,
    /// Two-PC mode: the client subscribes and the server offers.
    Subscriber,
    /// Single-PC mode: both directions, the client always offers.
    Single,
}

/// A change to a server-offered PeerConnection, applied at the next offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// Add a media line for a subscription (the track's slot index).
    Add(TrackIdx),
    /// Stop a media line.
    Remove(Mid),
}

/// A client receive-only media line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Slot {
    pub mid: Mid,
    pub video: bool,
    /// The track sent on it, if any.
    pub track: Option<TrackIdx>,
}

pub(crate) struct Pc {
    pub rtc: Rtc,
    pub role: Role,
    /// The participant slot owning this PeerConnection.
    pub owner: PartIdx,
    /// Our ICE ufrag, pinned so STUN can be demultiplexed before the address is known.
    pub ufrag: String,
    /// When a timer for this PeerConnection is queued, the earliest such time.
    pub scheduled: Option<Instant>,
    /// Server offer waiting for the client's answer, and its id.
    pub offer_in_flight: Option<(SdpPendingOffer, u32)>,
    /// When that offer was sent.
    pub offer_sent_at: Option<Instant>,
    pub offers_made: u32,
    /// Changes waiting for the next server offer.
    pub changes: Vec<Change>,
    /// Whether the server's own data channels were added (server-offered PCs only).
    pub channels_added: bool,
    /// Data channels by id: their reliability class.
    pub channels: HashMap<ChannelId, Reliability>,
    /// Channels on which the server writes data to this participant.
    pub reliable_out: Option<ChannelId>,
    pub lossy_out: Option<ChannelId>,
    /// The client's last offer's `mid_to_track_id`: which track (its cid, as the client
    /// names it) each media line carries. The LiveKit Rust SDK (Python, Node) sends it, and
    /// its msid track ids are not its cids.
    pub offer_mids: std::collections::BTreeMap<String, String>,
    /// Incoming RTP: SSRC to (track slot, simulcast layer).
    pub ssrc_tracks: HashMap<Ssrc, (TrackIdx, u8)>,
    pub connected: bool,
    /// Set when str0m reported an error; the owner is removed.
    pub failed: bool,
    /// Single-PC mode: the client's receive-only lines.
    pub slots: Vec<Slot>,
    /// Single-PC mode: lines asked for since the last client offer (audio, video).
    pub requested: (u32, u32),
    /// Single-PC mode: a new client offer was asked for.
    pub awaiting_offer: bool,
    /// The last cumulative NACK count str0m reported per stream.
    nacks_seen: HashMap<StreamKey, u64>,
    /// RTP was written and the PeerConnection not drained since (it is in its room's
    /// dirty list).
    pub dirty: bool,
    /// Writes since the last drain.
    pub pending_writes: u32,
    /// The next server offer restarts ICE (a resumed session on a new network path).
    pub restart_ice: bool,
    /// The latest estimate of the bandwidth towards the client, bits per second
    /// (`bandwidth.rs`); `None` until str0m's estimator gave one.
    pub estimate: Option<u64>,
    /// The desired bitrate str0m's estimator was last told (`bandwidth.rs`).
    pub desired_told: u64,
    /// When the estimator was last asked to probe, the estimate then, and the wait before
    /// the next probe (`bandwidth.rs`).
    pub probe: (Option<Instant>, u64, std::time::Duration),
}

impl Pc {
    /// A PeerConnection offering the configured candidates (only the TCP ones if `tcp_only`)
    /// and the room's codecs, with the AV1 dependency descriptor extension.
    pub fn new(cfg: &SfuConfig, codecs: Enabled, role: Role, owner: PartIdx, creds: IceCreds, now: Instant, tcp_only: bool) -> Self {
        let ufrag = creds.ufrag.clone();
        let mut builder = Rtc::builder()
            .set_rtp_mode(true)
            .set_ice_lite(true)
            .set_local_ice_credentials(creds)
            .clear_codecs()
            .enable_opus(true, codecs.red)
            .enable_vp8(codecs.vp8)
            .enable_h264(codecs.h264)
            .enable_vp9(codecs.vp9)
            .enable_av1(codecs.av1)
            .set_extension(dd_ext::ID, dd_ext::serializer())
            .set_stats_interval(Some(STATS_INTERVAL));
        // The server sends media on these: estimate the subscriber's downlink (TWCC), which
        // also paces what is sent (keyframe bursts) at the estimate.
        if cfg.congestion_control && role != Role::Publisher {
            builder = builder.enable_bwe(Some(INITIAL_ESTIMATE));
        }
        let mut rtc = builder.build(now);
        for addr in cfg.candidates.iter().filter(|_| !tcp_only) {
            match Candidate::host(*addr, "udp") {
                Ok(c) => {
                    rtc.add_local_candidate(c);
                }
                Err(e) => tracing::warn!(%addr, error = %e, "unusable local candidate"),
            }
        }
        for addr in &cfg.tcp_candidates {
            match Candidate::builder().tcp().host(*addr).tcptype(TcpType::Passive).build() {
                Ok(c) => {
                    rtc.add_local_candidate(c);
                }
                Err(e) => tracing::warn!(%addr, error = %e, "unusable local TCP candidate"),
            }
        }
        Self {
            rtc,
            role,
            owner,
            ufrag,
            scheduled: None,
            offer_in_flight: None,
            offer_mids: Default::default(),
            offer_sent_at: None,
            offers_made: 0,
            changes: Vec::new(),
            channels_added: false,
            channels: HashMap::new(),
            reliable_out: None,
            lossy_out: None,
            ssrc_tracks: HashMap::new(),
            connected: false,
            failed: false,
            slots: Vec::new(),
            restart_ice: false,
            requested: (0, 0),
            awaiting_offer: false,
            nacks_seen: HashMap::new(),
            dirty: false,
            pending_writes: 0,
            estimate: None,
            desired_told: 0,
            probe: (None, 0, crate::bwe::PROBE_INTERVAL),
        }
    }

    /// The data channels LiveKit's server creates on the subscriber PeerConnection.
    pub fn server_channel_configs() -> [ChannelConfig; 2] {
        [
            ChannelConfig { label: "_reliable".into(), ordered: true, ..Default::default() },
            ChannelConfig { label: "_lossy".into(), ordered: false, reliability: ChannelReliability::MaxRetransmits { retransmits: 0 }, ..Default::default() },
        ]
    }

    pub fn register_channel(&mut self, id: ChannelId, label: &str) {
        let reliability = match label {
            "_reliable" => Reliability::Reliable,
            "_lossy" => Reliability::Lossy,
            // `_data_track` and application labels are not relayed.
            _ => return,
        };
        self.channels.insert(id, reliability);
        // In single-PC mode the client's own channels carry data both ways.
        match reliability {
            Reliability::Reliable if self.reliable_out.is_none() => self.reliable_out = Some(id),
            Reliability::Lossy if self.lossy_out.is_none() => self.lossy_out = Some(id),
            _ => {}
        }
    }

    /// The increase of a stream's cumulative NACK count since its last report.
    pub fn nack_increase(&mut self, key: StreamKey, total: u64) -> u64 {
        let last = self.nacks_seen.insert(key, total).unwrap_or(0);
        total.saturating_sub(last)
    }

    pub fn out_channel(&self, reliability: Reliability) -> Option<ChannelId> {
        match reliability {
            Reliability::Reliable => self.reliable_out,
            Reliability::Lossy => self.lossy_out,
        }
    }
}

/// Drains a PeerConnection after a mutation (str0m's single-mutation invariant):
/// datagrams go to `out`, events to `events`, the next timeout to `timers`. A
/// PeerConnection that fails gets its owner pushed to `failed`.
pub(crate) fn drain(
    pc: &mut Pc,
    key: PcKey,
    events: &mut VecDeque<(PcIdx, Event)>,
    out: &mut VecDeque<Output>,
    timers: &mut Timers,
    failed: &mut Vec<PartIdx>,
) {
    pc.dirty = false;
    pc.pending_writes = 0;
    loop {
        match pc.rtc.poll_output() {
            Ok(str0m::Output::Timeout(at)) => {
                if pc.scheduled.is_none_or(|s| at < s) {
                    pc.scheduled = Some(at);
                    timers.push(at, key);
                }
                return;
            }
            Ok(str0m::Output::Transmit(t)) => out.push_back(Output::Transmit(t)),
            Ok(str0m::Output::Event(e)) => events.push_back((key.pc, e)),
            Err(e) => {
                tracing::warn!(error = %e, "peer connection failed");
                if !pc.failed {
                    pc.failed = true;
                    failed.push(pc.owner);
                }
                return;
            }
        }
    }
}
