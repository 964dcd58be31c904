//! The SFU's counters: one [`Counters`] per room, summed with the SFU's own into
//! [`SfuStats`].

/// Forwarding counters since start; plain integers bumped by the owning thread. Each
/// room keeps one; [`SfuStats`] sums them over open and closed rooms.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// RTP packets received from publishers.
    pub rtp_in: u64,
    /// RTP packets written to subscriber legs.
    pub rtp_forwarded: u64,
    /// Keyframe requests (PLI) sent to publishers.
    pub keyframe_requests: u64,
    /// Keyframe requests (PLI/FIR) received from subscribers.
    pub keyframe_requests_in: u64,
    /// Data packets relayed to receivers.
    pub data_relayed: u64,
    /// NACKs received from subscribers (answered from the retransmission cache).
    pub nacks_received: u64,
    /// NACKs sent to publishers for packets lost on their way in.
    pub nacks_sent: u64,
}

impl Counters {
    /// Adds another set of counters (one room's) to these.
    pub fn add(&mut self, c: &Counters) {
        self.rtp_in += c.rtp_in;
        self.rtp_forwarded += c.rtp_forwarded;
        self.keyframe_requests += c.keyframe_requests;
        self.keyframe_requests_in += c.keyframe_requests_in;
        self.data_relayed += c.data_relayed;
        self.nacks_received += c.nacks_received;
        self.nacks_sent += c.nacks_sent;
    }
}

/// The SFU's counters since start, with current room, participant and track counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SfuStats {
    /// Datagrams received.
    pub datagrams_in: u64,
    /// Bytes received.
    pub bytes_in: u64,
    /// PeerConnection timeouts fed (each `handle_timeout` feeds a PeerConnection at most
    /// once per deadline it had when called).
    pub timeouts_fed: u64,
    /// The rooms' forwarding counters, summed (closed rooms included).
    pub counters: Counters,
    /// Open rooms.
    pub rooms: u64,
    /// Connected participants.
    pub participants: u64,
    /// Published tracks.
    pub tracks: u64,
}
