//! What goes into the SFU and what comes out.

use hikari_types::{
    AddTrack, ClientInfo, ClientSignal, DisconnectReason, JoinGrant, ParticipantInfo, ParticipantSid, RoomInfo, RoomName, Sdp, ServerSignal, TrackInfo,
    TrackSid,
};

/// How a packet travels: UDP, or ICE over TCP.
pub use str0m::net::Protocol;
/// A datagram to send: str0m's transmit (protocol, source, destination, contents).
pub use str0m::net::Transmit;

/// One signal connection (a WebSocket), numbered by the driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnId(pub u64);

/// How a client signals its PeerConnections.
#[derive(Clone, Debug, PartialEq)]
pub enum SignalMode {
    /// `/rtc`: a publisher and a subscriber PeerConnection.
    Dual,
    /// `/rtc/v1`: one PeerConnection; the client always offers.
    Single {
        /// Tracks announced in the join request.
        add_tracks: Vec<AddTrack>,
        /// The offer carried in the join request.
        offer: Option<Sdp>,
    },
    /// An internal publisher (an ingest): no PeerConnection. Its tracks are published at
    /// once, in this order (their `cid`s come back in `TrackPublished` signals with their
    /// sids); their media arrives as [`Command::SourceMedia`] and keyframe requests leave as
    /// [`SignalOut::Keyframe`]. It leaves with a `Leave` signal.
    Internal {
        /// Its tracks; each names its codec first in `codecs` (`video/H264`, `audio/opus`).
        tracks: Vec<AddTrack>,
    },
}

/// A verified request to join a room.
#[derive(Clone, Debug, PartialEq)]
pub struct Join {
    /// The signal connection.
    pub conn: ConnId,
    /// Who joins which room, with what rights (from the token).
    pub grant: JoinGrant,
    /// What the client says about itself.
    pub client: ClientInfo,
    /// Subscribe to all tracks automatically.
    pub auto_subscribe: bool,
    /// Two PeerConnections or one.
    pub mode: SignalMode,
    /// A resume (`reconnect=1`): the session the client had, by participant sid (empty when
    /// the client named none: its identity's session).
    pub resume: Option<ParticipantSid>,
}

/// Input that is not a datagram or a timeout.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// A client joins.
    Join(Box<Join>),
    /// A client's signal.
    Signal {
        /// Its connection.
        conn: ConnId,
        /// What it said.
        signal: ClientSignal,
    },
    /// The signal connection closed or timed out without a leave.
    Closed {
        /// The connection.
        conn: ConnId,
    },
    /// An administration request; its reply carries `id`.
    Admin {
        /// Chosen by the driver to match the reply.
        id: u64,
        /// The request.
        request: hikari_types::AdminRequest,
    },
    /// The server is stopping: every participant gets a leave (`ServerShutdown`) and its
    /// connection closes; every room finishes.
    Shutdown,
    /// An internal sink (a recorder, a packager, a relay) starts receiving a track: its
    /// packets come out as [`Output::Media`], starting at a keyframe, until
    /// [`Command::DetachSink`] or [`Output::SinkClosed`].
    AttachSink {
        /// Chosen by the driver; names the sink in its outputs.
        sink: SinkId,
        /// The room.
        room: RoomName,
        /// The track.
        track: TrackSid,
    },
    /// A sink stops receiving.
    DetachSink {
        /// The sink.
        sink: SinkId,
    },
    /// A sink asks for a keyframe (say, to start a segment with one).
    SinkKeyframe {
        /// The sink.
        sink: SinkId,
    },
    /// Media of an internal publisher (a [`SignalMode::Internal`] join): the RTP packets of
    /// one frame, or fewer, for one of its tracks.
    SourceMedia {
        /// The publisher's signal connection.
        conn: ConnId,
        /// Which of its tracks: the index in its join's `tracks`.
        track: u8,
        /// The simulcast layer (0 is the lowest; 0 without simulcast).
        layer: u8,
        /// When the ingest read the input these packets were made of, if they came straight
        /// from it (not through a codec job): the driver measures the ingest latency from it;
        /// the core does not read it.
        received: Option<std::time::Instant>,
        /// The packets, in order.
        packets: Vec<SourcePacket>,
    },
}

/// One RTP packet from an internal publisher, packetized by it (RTP payload format of the
/// track's codec).
#[derive(Clone, Debug, PartialEq)]
pub struct SourcePacket {
    /// Extended sequence number: one more per packet of this track and layer.
    pub seq: u64,
    /// RTP timestamp, in the codec's clock rate.
    pub ts: u32,
    /// The RTP marker bit (the last packet of a video frame).
    pub marker: bool,
    /// The RTP payload.
    pub payload: std::sync::Arc<[u8]>,
}

/// An internal receiver of one track's media, numbered by the driver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SinkId(pub u64);

/// One RTP packet for a sink, after the forwarder: sequence numbers continuous across
/// layer switches, as a subscriber would receive them.
#[derive(Clone, Debug, PartialEq)]
pub struct MediaPacket {
    /// Extended sequence number.
    pub seq: u64,
    /// RTP timestamp.
    pub ts: u32,
    /// The RTP marker bit (end of a video frame).
    pub marker: bool,
    /// Whether this packet starts a keyframe.
    pub keyframe: bool,
    /// The RTP payload (shared with every other leg).
    pub payload: std::sync::Arc<[u8]>,
    /// When it arrived.
    pub arrived: std::time::Instant,
}

/// Why a sink stopped receiving.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkEnd {
    /// No such room or track (at attach).
    NotFound,
    /// The track was unpublished.
    Unpublished,
    /// The room closed.
    RoomClosed,
}

/// Something that happened in a room, for webhooks, metrics and the funnel.
#[derive(Clone, Debug, PartialEq)]
pub enum RoomEvent {
    /// A room was created.
    RoomStarted(RoomInfo),
    /// A room closed.
    RoomFinished(RoomInfo),
    /// A participant joined.
    ParticipantJoined(RoomInfo, ParticipantInfo),
    /// A participant left.
    ParticipantLeft(RoomInfo, ParticipantInfo),
    /// A track was published.
    TrackPublished(RoomInfo, ParticipantInfo, TrackInfo),
    /// A track was unpublished.
    TrackUnpublished(RoomInfo, ParticipantInfo, TrackInfo),
    /// A participant's metadata, name, attributes or permissions changed through the API.
    ParticipantUpdated(RoomInfo, ParticipantInfo),
}

/// What one signal connection receives from the owner of its room: the driver's
/// per-connection view of [`Output::Signal`] and [`Output::Close`].
#[derive(Debug)]
pub enum SignalOut {
    /// Send this signal.
    Signal(ServerSignal),
    /// Close the connection (after the signals queued before).
    Close(DisconnectReason),
    /// For an internal publisher: a subscriber or sink needs a keyframe of this track
    /// (the index in its join's `tracks`) and layer.
    Keyframe {
        /// The track's index.
        track: u8,
        /// The layer.
        layer: u8,
    },
}

/// What the driver must do. One goes through the SFU's queue per datagram sent, so the
/// rare, large variants are boxed: the enum stays the size of a [`Transmit`].
#[derive(Debug)]
pub enum Output {
    /// Send a datagram.
    Transmit(Transmit),
    /// Send a signal on a connection.
    Signal {
        /// The connection.
        conn: ConnId,
        /// The message.
        signal: Box<ServerSignal>,
    },
    /// Close a connection once its queued signals are sent.
    Close {
        /// The connection.
        conn: ConnId,
        /// Why.
        reason: DisconnectReason,
    },
    /// A room event.
    Event(Box<RoomEvent>),
    /// A packet for a sink.
    Media {
        /// The sink.
        sink: SinkId,
        /// The packet.
        packet: Box<MediaPacket>,
    },
    /// A sink receives nothing more.
    SinkClosed {
        /// The sink.
        sink: SinkId,
        /// Why.
        reason: SinkEnd,
    },
    /// An internal publisher's track needs a keyframe (see [`SignalOut::Keyframe`]).
    SourceKeyframe {
        /// The publisher's connection.
        conn: ConnId,
        /// The track's index in its join.
        track: u8,
        /// The layer.
        layer: u8,
    },
    /// The outcome of [`Command::Admin`].
    AdminReply {
        /// The request's id.
        id: u64,
        /// Its outcome.
        result: Box<Result<hikari_types::AdminResponse, hikari_types::AdminError>>,
    },
}

impl Output {
    /// [`Output::Signal`].
    pub fn signal(conn: ConnId, signal: ServerSignal) -> Self {
        Output::Signal { conn, signal: Box::new(signal) }
    }

    /// [`Output::Event`].
    pub fn event(event: RoomEvent) -> Self {
        Output::Event(Box::new(event))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_output_is_no_bigger_than_a_transmit_and_its_tag() {
        assert!(std::mem::size_of::<super::Output>() <= std::mem::size_of::<super::Transmit>() + 8);
    }
}
