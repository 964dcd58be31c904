//! Data packets as the core sees them: which channel, who receives, and the port through
//! which the core has them parsed and built without knowing their wire format.

use crate::{ParticipantIdentity, ParticipantSid};

/// Which data channel a packet travels on. The channel decides, not the packet's
/// deprecated `kind` field (the Python SDK sends `LOSSY` on `_reliable`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Reliability {
    /// `_reliable`: ordered and retransmitted.
    Reliable,
    /// `_lossy`: unordered, no retransmission.
    Lossy,
}

/// A data packet rewritten for its receivers.
#[derive(Clone, Debug, PartialEq)]
pub struct DataRelay {
    /// Receivers by identity; with `destination_sids`, empty means everyone but the sender.
    pub destination_identities: Vec<ParticipantIdentity>,
    /// Receivers by participant SID (older clients address by SID).
    pub destination_sids: Vec<ParticipantSid>,
    /// The packet to send, with the sender's identity stamped.
    pub bytes: Vec<u8>,
}

/// The participant a data packet came from, as the relay stamps it.
#[derive(Clone, Copy, Debug)]
pub struct DataSender<'a> {
    /// Its identity.
    pub identity: &'a ParticipantIdentity,
    /// Its SID.
    pub sid: &'a ParticipantSid,
    /// Hidden participants are not named to the receivers.
    pub hidden: bool,
    /// Agents may send transcriptions.
    pub agent: bool,
}

/// The data-packet wire format, handed to the SFU core by whoever builds it (the binary
/// gives `hikari_protocol`'s LiveKit implementation), so that the core parses no wire
/// format itself.
pub trait DataPackets: Send + Sync + std::fmt::Debug {
    /// Parses a packet `sender` sent on a `reliability` channel and rewrites it for its
    /// receivers; `Ok(None)` for packets that are not relayed, `Err` with the reason for a
    /// malformed one.
    fn relay(&self, bytes: &[u8], sender: DataSender<'_>, reliability: Reliability) -> Result<Option<DataRelay>, String>;

    /// A user packet sent by the server itself (the `SendData` API).
    fn user_packet(&self, payload: Vec<u8>, topic: Option<String>, destination_identities: &[ParticipantIdentity], reliability: Reliability) -> Vec<u8>;
}
