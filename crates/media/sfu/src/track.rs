//! A published track and its subscriptions.

use std::time::{Duration, Instant};

use str0m::format::Codec;
use str0m::media::{Mid, Pt, Rid};
use str0m::rtp::Ssrc;

use hikari_types::{LayerWant, TrackInfo, TrackKind};

use crate::arena::{PartIdx, PcIdx};
use crate::bwe::Cap;
use crate::codec::CodecState;
use crate::dynacast::Dynacast;
use crate::forward::Forwarder;
use crate::io::SinkId;
use crate::layers;
use crate::speakers::Loudness;

/// A layer not seen for this long is taken as switched off by the publisher.
const LAYER_TIMEOUT: Duration = Duration::from_millis(1000);

/// The codec of a track's packets, enough to find the matching payload type on a
/// subscriber's PeerConnection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct CodecKey {
    pub codec: Codec,
    pub packetization_mode: Option<u8>,
    /// VP9's profile.
    pub profile_id: Option<u32>,
    pub clock_rate: u32,
    /// The publisher's RFC 2198 RED payload type for this codec, if negotiated.
    pub red: Option<Pt>,
}

#[derive(Debug, Default)]
pub(crate) struct Layer {
    pub rid: Option<Rid>,
    pub last_seen: Option<Instant>,
    pub last_keyframe_request: Option<Instant>,
    /// Bytes received since the last measurement (`Track::measure`).
    pub bytes: u64,
    /// Its bitrate, smoothed, in bits per second; kept while the layer is off (dynacast),
    /// so the allocator knows what switching it back on costs. 0 until measured.
    pub rate: u64,
}

/// One subscriber's leg of a track.
#[derive(Debug)]
pub(crate) struct DownTrack {
    /// The subscribing participant's slot.
    pub subscriber: PartIdx,
    /// The PeerConnection the leg is sent on.
    pub pc: PcIdx,
    /// Its media line once offered.
    pub mid: Option<Mid>,
    /// Its outgoing SSRC once negotiated; packets flow only then.
    pub ssrc: Option<Ssrc>,
    /// Incoming payload type to outgoing, cached after the first packet, and whether RED
    /// is stripped to its primary block for this leg (RED in, no RED negotiated here).
    pub pt: Option<(Pt, Pt, bool)>,
    pub forwarder: Forwarder,
    /// The subscriber asked to pause it (adaptive stream: the element is hidden).
    pub paused: bool,
    /// The video the subscriber asked for.
    pub want: LayerWant,
    /// The highest layer that wish allows (see `layers::max_layer`).
    pub max_layer: u8,
    /// What the subscriber's bandwidth allows (`bandwidth.rs`): a layer cap, or paused.
    pub bandwidth: Cap,
    /// When that cap last went down, if it did; the first allocation of a leg does not
    /// count (it starts uncapped, before any estimate).
    pub stepped_down_at: Option<Instant>,
    /// Whether the allocator has set `bandwidth` yet.
    pub allocated: bool,
    /// The highest temporal layer forwarded ([`ALL_TEMPORAL`] for every one).
    pub max_temporal: u8,
}

/// A temporal target that forwards every temporal layer.
pub(crate) const ALL_TEMPORAL: u8 = u8::MAX;

impl DownTrack {
    /// The layer to forward now among the `flowing` ones; `None` while the leg is paused,
    /// by the subscriber or for bandwidth.
    pub fn target(&self, flowing: u8) -> Option<u8> {
        self.ceiling().map(|c| layers::pick(c, flowing))
    }

    /// The highest layer the leg may get: the subscriber's wish within what its bandwidth
    /// allows; `None` while paused (what dynacast counts, and what `target` picks under).
    pub fn ceiling(&self) -> Option<u8> {
        match self.bandwidth {
            _ if self.paused => None,
            Cap::Paused => None,
            Cap::Layer(cap) => Some(self.max_layer.min(cap)),
        }
    }

    pub fn new(subscriber: PartIdx, pc: PcIdx, forwarder: Forwarder) -> Self {
        Self {
            subscriber,
            pc,
            mid: None,
            ssrc: None,
            pt: None,
            forwarder,
            paused: false,
            want: LayerWant::default(),
            max_layer: layers::TOP,
            bandwidth: Cap::Layer(layers::TOP),
            stepped_down_at: None,
            allocated: false,
            max_temporal: ALL_TEMPORAL,
        }
    }
}

/// An internal sink's leg of a track (a recorder, a packager): the forwarder as for a
/// subscriber, and always the best flowing layer.
#[derive(Debug)]
pub(crate) struct SinkLeg {
    pub sink: SinkId,
    pub forwarder: Forwarder,
}

/// Where a track's media comes from: the seam for publishers that are not PeerConnections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Origin {
    /// Media lines of a client's PeerConnection.
    Pc(PcIdx),
    /// An internal publisher (an ingest): the track's index in its join (`SignalMode::Internal`).
    Internal(u8),
}

pub(crate) struct Track {
    pub info: TrackInfo,
    /// The publishing participant's slot.
    pub owner: PartIdx,
    /// Where its media comes from.
    pub origin: Origin,
    /// Its media line on its PeerConnection, once the offer carrying it was accepted.
    pub mid: Option<Mid>,
    /// Simulcast layers by quality (index 0 is the lowest).
    pub layers: Vec<Layer>,
    pub codec: Option<CodecKey>,
    /// What reading its packets needs remembered (`codec::inspect`).
    pub codec_state: CodecState,
    pub downs: Vec<DownTrack>,
    /// The legs to internal sinks (`sink.rs`).
    pub sinks: Vec<SinkLeg>,
    /// Participants that would receive it but the publisher does not allow (`permission.rs`).
    pub denied: Vec<PartIdx>,
    /// Whether the publisher was told of its first subscriber (`TrackSubscribed`).
    pub subscribed_told: bool,
    /// What the publisher was told to encode (video).
    pub dynacast: Dynacast,
    /// Audio level over the current window (audio).
    pub loudness: Loudness,
}

impl Track {
    pub fn new(info: TrackInfo, owner: PartIdx, origin: Origin) -> Self {
        Self {
            info,
            owner,
            origin,
            mid: None,
            layers: Vec::new(),
            codec: None,
            codec_state: CodecState::default(),
            downs: Vec::new(),
            sinks: Vec::new(),
            denied: Vec::new(),
            subscribed_told: false,
            dynacast: Dynacast::default(),
            loudness: Loudness::default(),
        }
    }

    /// Whether media can be subscribed (the offer carrying it was accepted; an internal
    /// publisher's tracks are from the start).
    pub fn published(&self) -> bool {
        self.mid.is_some() || matches!(self.origin, Origin::Internal(_))
    }

    /// Whether its media arrives on PeerConnection `pc`.
    pub fn arrives_on(&self, pc: PcIdx) -> bool {
        self.origin == Origin::Pc(pc)
    }

    pub fn is_video(&self) -> bool {
        self.info.kind == TrackKind::Video
    }

    /// The layer index for a RID: LiveKit's clients name simulcast layers `q`, `h`, `f`.
    pub fn layer_of(&mut self, rid: Option<Rid>) -> u8 {
        let index = match rid.as_deref() {
            None => 0,
            Some("q") => 0,
            Some("h") => 1,
            Some("f") => 2,
            Some(_) => match self.layers.iter().position(|l| l.rid == rid) {
                Some(i) => i,
                None => self.layers.len(),
            },
        };
        if self.layers.len() <= index {
            self.layers.resize_with(index + 1, Layer::default);
        }
        self.layers[index].rid = rid;
        index as u8
    }

    /// Marks a spatial layer of an SVC stream as seen, and every layer the packet announces
    /// (a keyframe's structure names them before their packets come): its layers share one
    /// SSRC, so spatial layers stand for simulcast layers in `flowing` and keyframe requests.
    pub fn see_spatial(&mut self, spatial: u8, announced: u8, now: Instant) {
        let top = usize::from(spatial.max(announced.saturating_sub(1)).min(layers::TOP));
        if self.layers.len() <= top {
            self.layers.resize_with(top + 1, Layer::default);
        }
        self.layers[usize::from(spatial.min(layers::TOP))].last_seen = Some(now);
        // Announced layers count as flowing until they first time out; after that only their
        // packets do (an encoder that announces a layer it cannot send must not draw a PLI
        // at every keyframe).
        for l in self.layers.iter_mut().take(top + 1).skip(1).filter(|l| announced > 0 && l.last_seen.is_none()) {
            l.last_seen = Some(now);
        }
    }

    /// The layers that are flowing, as a bitmask (bit 0 is the low layer).
    pub fn flowing(&self, now: Instant) -> u8 {
        let fresh = |l: &Layer| l.last_seen.is_some_and(|at| now.saturating_duration_since(at) < LAYER_TIMEOUT);
        self.layers.iter().take(usize::from(layers::LAYERS)).enumerate().filter(|(_, l)| fresh(l)).fold(0, |mask, (i, _)| mask | 1 << i)
    }

    /// The highest layer the publisher can send: its top announced quality when it
    /// simulcasts, else the one layer there is.
    pub fn top_layer(&self) -> u8 {
        if self.codec_state.svc {
            // Spatial layers seen or announced on the one stream.
            return (self.layers.len().saturating_sub(1) as u8).min(layers::TOP);
        }
        if !self.info.simulcast {
            return 0;
        }
        self.info.layers.iter().map(|l| l.quality as u8).max().unwrap_or(layers::TOP).min(layers::TOP)
    }

    /// Closes a bitrate measurement window that lasted `window` (each layer's bytes become
    /// a smoothed rate).
    pub fn measure(&mut self, window: Duration) {
        let micros = window.as_micros() as u64;
        if micros == 0 {
            return;
        }
        for l in self.layers.iter_mut() {
            // Nothing in a window: the layer is off or stalled; what it costs is unchanged.
            let bytes = std::mem::take(&mut l.bytes);
            if bytes == 0 {
                continue;
            }
            let rate = bytes.saturating_mul(8_000_000) / micros;
            l.rate = if l.rate == 0 { rate } else { (l.rate * 3 + rate) / 4 };
        }
    }

    /// What receiving up to `layer` costs, bits per second: its bitrate as measured, else as
    /// the publisher announced it, else a typical figure for the layer (a camera's 180p,
    /// 360p, 720p at LiveKit's defaults); for SVC, the sum of the layers up to it.
    pub fn layer_rate(&self, layer: u8) -> u64 {
        if self.codec_state.svc {
            // A spatial layer is decoded on top of those below it: all of them are sent.
            return (0..=layer).map(|l| self.own_rate(l)).sum();
        }
        self.own_rate(layer)
    }

    /// What one layer's own packets cost (see [`Track::layer_rate`]).
    fn own_rate(&self, layer: u8) -> u64 {
        const TYPICAL: [u64; layers::LAYERS as usize] = [150_000, 500_000, 1_700_000];
        if let Some(measured) = self.layers.get(usize::from(layer)).map(|l| l.rate).filter(|&r| r > 0) {
            return measured;
        }
        let announced = self.info.layers.iter().find(|l| l.quality as u8 == layer).map(|l| u64::from(l.bitrate)).filter(|&b| b > 0);
        let layered = self.info.simulcast || self.codec_state.svc;
        announced.unwrap_or(if layered { TYPICAL[usize::from(layer.min(layers::TOP))] } else { TYPICAL[1] })
    }

    pub fn down_mut(&mut self, pc: PcIdx, mid: Mid) -> Option<&mut DownTrack> {
        self.downs.iter_mut().find(|d| d.pc == pc && d.mid == Some(mid))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arena::Idx;

    #[test]
    fn flowing_layers_are_the_ones_seen_lately() {
        let mut t = Track::new(TrackInfo::default(), PartIdx::from_slot(0), Origin::Pc(PcIdx::from_slot(0)));
        let now = Instant::now();
        let q = t.layer_of(Some("q".into()));
        let f = t.layer_of(Some("f".into()));
        assert_eq!((q, f), (0, 2));
        assert_eq!(t.flowing(now), 0);
        t.layers[0].last_seen = Some(now);
        assert_eq!(t.flowing(now), 0b001);
        t.layers[2].last_seen = Some(now + Duration::from_millis(900));
        assert_eq!(t.flowing(now + Duration::from_millis(900)), 0b101);
        assert_eq!(t.flowing(now + Duration::from_millis(1500)), 0b100, "a layer unseen for a second stopped");
        let mut plain = Track::new(TrackInfo::default(), PartIdx::from_slot(0), Origin::Pc(PcIdx::from_slot(0)));
        assert_eq!(plain.layer_of(None), 0);
    }
}
