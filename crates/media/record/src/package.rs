//! What a packaging job starts from, whatever feeds it: the outputs and path variables
//! ([`Packaging`]), and the feed: a track composite's or participant's tracks, or a room
//! composite's encoders ([`Feed`]), connected ([`Fed`]).

use hikari_egress::path::PathVars;
use hikari_egress::{CompositeOutputs, EgressSource, Encoding};
use hikari_types::{ParticipantIdentity, RoomInfo, TrackInfo};
use tokio::sync::mpsc;

use crate::rejoin::Follow;

/// What a room composite's feed starts from.
pub(crate) struct CompositeFeed {
    pub(crate) layout: String,
    pub(crate) encoding: Encoding,
    pub(crate) video: bool,
    pub(crate) audio: bool,
    /// Which tracks it takes.
    pub(crate) pick: crate::composite::Pick,
}

/// What a packaging job is fed from.
pub(crate) enum Feed<'a> {
    /// A track composite's or participant's tracks, packaged as they are.
    Tracks { video: Option<&'a TrackInfo>, audio: Option<&'a TrackInfo>, follow: Option<(ParticipantIdentity, bool)> },
    /// A room composite's encoders.
    Composite(CompositeFeed),
}

/// What a packaging job starts from.
pub(crate) struct Packaging<'a> {
    pub(crate) room: &'a RoomInfo,
    /// What the outputs' path templates name.
    pub(crate) vars: PathVars<'a>,
    pub(crate) source: EgressSource,
    pub(crate) outputs: &'a CompositeOutputs,
    pub(crate) video: bool,
    pub(crate) audio: bool,
    pub(crate) feed: Feed<'a>,
}

/// A connected feed: the job's inputs and how it follows them.
pub(crate) struct Fed {
    pub(crate) receivers: [Option<mpsc::Receiver<hikari_media_io::SinkOut>>; 2],
    pub(crate) sinks: [Option<hikari_sfu::SinkId>; 2],
    pub(crate) tracks: [Option<hikari_types::TrackSid>; 2],
    pub(crate) follow: Option<Follow>,
    /// A room composite's failure, told to the job that ends after it.
    pub(crate) failure: Option<crate::hls::Failure>,
}

/// The outputs as the record keeps them: stream keys redacted.
pub(crate) fn redacted(o: &CompositeOutputs) -> CompositeOutputs {
    CompositeOutputs { stream_urls: o.stream_urls.iter().map(|u| hikari_egress::stream::redact(u)).collect(), ..o.clone() }
}
