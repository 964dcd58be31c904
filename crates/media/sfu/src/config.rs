//! Configuration of the SFU core.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hikari_types::{DataPackets, ServerInfo};

/// The LiveKit server version whose protocol Hikari speaks; SDKs enable features by it.
pub const LIVEKIT_COMPATIBLE_VERSION: &str = "1.9.0";

/// Limits and defaults for rooms created by a join.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoomDefaults {
    /// Seconds a room with no participant ever lives.
    pub empty_timeout: u32,
    /// Seconds a room lives after its last participant left.
    pub departure_timeout: u32,
    /// Maximum participants; 0 for no limit.
    pub max_participants: u32,
    /// Create rooms on first join.
    pub auto_create: bool,
    /// The codecs rooms allow, as MIME types (`audio/opus`, `audio/red`, `video/VP8`,
    /// `video/H264`, `video/VP9`, `video/AV1`; any case); empty for all of them. A kind
    /// (audio, video) the list does not name keeps all its codecs.
    pub enabled_codecs: Vec<String>,
}

impl Default for RoomDefaults {
    fn default() -> Self {
        Self { empty_timeout: 300, departure_timeout: 20, max_participants: 0, auto_create: true, enabled_codecs: Vec::new() }
    }
}

/// Everything the core needs to know, given once.
#[derive(Clone, Debug)]
pub struct SfuConfig {
    /// Local UDP addresses advertised as host candidates; the driver binds one socket each.
    pub candidates: Vec<SocketAddr>,
    /// Local TCP addresses advertised as passive host candidates (ICE over TCP, for
    /// clients whose UDP is blocked); empty when the driver listens on none.
    pub tcp_candidates: Vec<SocketAddr>,
    /// Seconds between client pings.
    pub ping_interval: u32,
    /// Seconds of silence before a client is considered gone.
    pub ping_timeout: u32,
    /// How long a participant whose media connection dropped is kept.
    pub media_loss_grace: Duration,
    /// How long a client may take to answer a server offer before it is disconnected.
    pub negotiation_timeout: Duration,
    /// How long a participant whose signal connection closed without a leave is kept for
    /// the client to resume (`reconnect=1`) before it is removed.
    pub resume_window: Duration,
    /// Whether the server estimates each subscriber's downlink (transport-wide congestion
    /// control) and fits the video it forwards to it (`rtc.congestion_control`).
    pub congestion_control: bool,
    /// Whether a subscriber's video may be paused when its bandwidth cannot carry even the
    /// lowest layer (`rtc.congestion_control.allow_pause`); otherwise it keeps that layer.
    pub allow_pause: bool,
    /// Room defaults.
    pub room: RoomDefaults,
    /// What the server says about itself in join responses.
    pub server: ServerInfo,
    /// Seed for SIDs and ICE credentials.
    pub seed: u64,
    /// A moment and the Unix time in milliseconds at that moment, to stamp join times.
    pub epoch: (Instant, i64),
    /// The data packets' wire format (the core parses none itself).
    pub data: Arc<dyn DataPackets>,
}

impl SfuConfig {
    /// A configuration with defaults for the given candidates, epoch, seed and data-packet format.
    pub fn new(candidates: Vec<SocketAddr>, epoch: (Instant, i64), seed: u64, data: Arc<dyn DataPackets>) -> Self {
        Self {
            candidates,
            tcp_candidates: Vec::new(),
            ping_interval: 5,
            ping_timeout: 15,
            media_loss_grace: Duration::from_secs(15),
            negotiation_timeout: Duration::from_secs(15),
            resume_window: Duration::from_secs(20),
            congestion_control: true,
            allow_pause: false,
            room: RoomDefaults::default(),
            server: ServerInfo { version: LIVEKIT_COMPATIBLE_VERSION.into(), protocol: 16, node_id: "ND_local".into(), region: String::new() },
            seed,
            epoch,
            data,
        }
    }

    /// Unix milliseconds at `now`.
    pub fn unix_ms(&self, now: Instant) -> i64 {
        let (at, unix) = self.epoch;
        match now.checked_duration_since(at) {
            Some(d) => unix + d.as_millis() as i64,
            None => unix - at.duration_since(now).as_millis() as i64,
        }
    }
}
