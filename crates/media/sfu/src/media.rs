//! The media hot path: one incoming RTP packet fanned out to every subscriber leg.
//!
//! **Architecture Invariant:** nothing here locks, awaits, hops a channel or allocates
//! per packet: the payload is shared (`Arc<[u8]>`) with every leg, lookups are hash
//! maps filled on the first packet of a stream, and str0m's own datagram is the only
//! buffer created per sent packet.
//!
//! Subscriber legs are not drained per packet: a write marks the leg dirty
//! ([`Room::wrote`]) and it is drained when the driver next polls output, so the packets
//! of one burst cost each subscriber one pass over str0m's state, not one each.

use std::sync::Arc;
use std::time::{Duration, Instant};

use str0m::format::Codec;
use str0m::media::{KeyframeRequestKind, Mid, Pt};
use str0m::rtp::{ExtensionValues, RtpPacket, RtpWrite};

use crate::arena::{PcIdx, TrackIdx};
use crate::codec::FrameInfo;
use crate::codec::dd_ext::DdBytes;
use crate::codec::{self, red, vp8};
use crate::ctx::Ctx;
use crate::forward::{Packet, Verdict};
use crate::io::Output;
use crate::layers;
use crate::pc::Pc;
use crate::room::Room;
use crate::sink;
use crate::track::{CodecKey, Origin};

/// Bytes a packet takes beyond its payload: RTP header with extensions, SRTP tag.
const RTP_OVERHEAD: u64 = 40;

/// The payload type an internal publisher's packets count as: it sends one codec per track,
/// so the subscriber's payload type is looked up once.
pub(crate) const INTERNAL_PT: Pt = Pt::new_with_value(0);

/// One incoming packet, from a PeerConnection or an internal publisher.
pub(crate) struct Incoming {
    pub layer: u8,
    pub seq: u64,
    pub ts: u32,
    pub marker: bool,
    pub arrived: Instant,
    pub pt: Pt,
    pub payload: Arc<[u8]>,
    pub exts: ExtensionValues,
}

/// The least time between two keyframe requests to one publisher track.
const KEYFRAME_REQUEST_INTERVAL: Duration = Duration::from_millis(500);

impl Room {
    pub(crate) fn on_rtp(&mut self, cx: &mut Ctx, pc: PcIdx, mut packet: RtpPacket) {
        let ssrc = packet.header.ssrc;
        let (t, layer) = match self.pcs[pc].ssrc_tracks.get(&ssrc) {
            Some(&hit) => hit,
            None => match self.resolve_stream(pc, ssrc) {
                Some(found) => found,
                None => return,
            },
        };
        let Some(track) = self.tracks.get_mut(t) else { return };
        let pt_in = packet.header.payload_type;
        if track.codec.is_none() {
            track.codec = codec_of(&self.pcs[pc], pt_in);
            if let Some(c) = track.codec {
                track.info.mime_type = codec::mime(c.codec, c.red == Some(pt_in)).to_owned();
            }
        }
        let Some(codec) = track.codec else { return };
        if let Some(level) = packet.header.ext_vals.audio_level {
            track.loudness.observe(level);
        }
        let mut exts = ExtensionValues {
            audio_level: packet.header.ext_vals.audio_level,
            voice_activity: packet.header.ext_vals.voice_activity,
            video_orientation: packet.header.ext_vals.video_orientation,
            ..Default::default()
        };
        let frame = codec::inspect(codec.codec, layer, &packet.payload, dd_bytes(&packet), &mut track.codec_state);
        if dd_bytes(&packet).is_some() {
            // The dependency descriptor goes on unchanged to legs that negotiated it.
            exts.user_values = std::mem::take(&mut packet.header.ext_vals.user_values);
        }
        let incoming = Incoming {
            layer,
            seq: *packet.seq_no,
            ts: packet.header.timestamp,
            marker: packet.header.marker,
            arrived: packet.timestamp,
            pt: pt_in,
            payload: packet.payload,
            exts,
        };
        self.fan_out(cx, t, incoming, frame);
    }

    /// One incoming packet of track `t` to every subscriber leg and sink.
    pub(crate) fn fan_out(&mut self, cx: &mut Ctx, t: TrackIdx, incoming: Incoming, frame: FrameInfo) {
        let now = cx.now;
        self.counters.rtp_in += 1;
        let Some(track) = self.tracks.get_mut(t) else { return };
        let Some(codec) = track.codec else { return };
        let layer = incoming.layer;
        if let Some(l) = track.layers.get_mut(usize::from(layer)) {
            l.last_seen = Some(now);
        }
        if frame.svc {
            track.see_spatial(frame.spatial, frame.spatial_layers, now);
        }
        // Header and SRTP tag included, roughly: what a subscriber's link carries. SVC
        // packets count for their spatial layer, simulcast ones for their stream.
        let counted = if frame.svc { frame.spatial } else { layer };
        if let Some(l) = track.layers.get_mut(usize::from(counted)) {
            l.bytes += incoming.payload.len() as u64 + RTP_OVERHEAD;
        }
        let keyframe = track.is_video() && frame.keyframe;
        let flowing = track.flowing(now);
        let packet = Packet { layer, seq: incoming.seq, ts: incoming.ts, keyframe, frame };
        let pt_in = incoming.pt;
        let red_in = codec.red == Some(pt_in);
        // RED's primary block, cut out once per packet for the legs without RED.
        let mut primary = None;
        // Layers some leg waits on for a keyframe, as a bitmask.
        let mut want_keyframe = 0u8;
        for down in track.downs.iter_mut() {
            let Some(ssrc_out) = down.ssrc else { continue };
            let Some(target) = down.target(flowing) else { continue };
            let verdict = down.forwarder.on_packet(packet, target, down.max_temporal, now);
            if down.forwarder.needs_keyframe(target) {
                want_keyframe |= 1 << target;
            }
            let Verdict::Forward { seq, ts, end_of_frame, picture } = verdict else { continue };
            let Some(sub) = self.pcs.get_mut(down.pc) else { continue };
            let (pt_out, strip) = match down.pt {
                Some((i, o, strip)) if i == pt_in => (o, strip),
                _ => match payload_type_for(sub, codec, red_in) {
                    Some((o, strip)) => {
                        down.pt = Some((pt_in, o, strip));
                        (o, strip)
                    }
                    None => continue,
                },
            };
            let payload = if strip {
                let Some(p) = primary.get_or_insert_with(|| red::primary_payload(&incoming.payload)) else { continue };
                p.clone()
            } else {
                incoming.payload.clone()
            };
            let mut write = RtpWrite::new(pt_out, seq.into(), ts, incoming.arrived, payload)
                .marker(incoming.marker || end_of_frame)
                .ext_vals(incoming.exts.clone())
                .nackable(track.info.kind == hikari_types::TrackKind::Video);
            if let Some((pid, tl0)) = picture.filter(|_| codec.codec == Codec::Vp8)
                && let Some(patch) = vp8::patch(&incoming.payload, Some(pid), tl0)
            {
                write = write.vp8_patch(patch);
            }
            let mut api = sub.rtc.direct_api();
            let Some(stream) = api.stream_tx(&ssrc_out) else { continue };
            stream.write_rtp(write);
            self.counters.rtp_forwarded += 1;
            Room::wrote(cx, down.pc, sub, &mut self.dirty, &mut self.events, &mut self.failed);
        }
        if !track.sinks.is_empty() {
            // Sinks take the codec's own payload: RED audio reaches them as its primary Opus.
            let payload = if red_in { primary.get_or_insert_with(|| red::primary_payload(&incoming.payload)).clone() } else { Some(incoming.payload.clone()) };
            if let Some(payload) = payload {
                sink::to_sinks(cx.out, track, packet, incoming.marker, &payload, now, flowing, &mut want_keyframe);
            }
        }
        for layer in 0..layers::LAYERS {
            if want_keyframe & (1 << layer) != 0 {
                self.request_keyframe(cx, t, layer);
            }
        }
    }

    /// Finds the track and layer of a new incoming SSRC and caches it.
    fn resolve_stream(&mut self, pc: PcIdx, ssrc: str0m::rtp::Ssrc) -> Option<(TrackIdx, u8)> {
        let (mid, rid) = {
            let mut api = self.pcs[pc].rtc.direct_api();
            let rx = api.stream_rx(&ssrc)?;
            (rx.mid(), rx.rid())
        };
        let (t, track) = self.tracks.iter_mut().find(|(_, t)| t.arrives_on(pc) && t.mid == Some(mid))?;
        let layer = track.layer_of(rid);
        self.pcs[pc].ssrc_tracks.insert(ssrc, (t, layer));
        Some((t, layer))
    }

    /// A subscriber lost a picture: ask the publisher of that leg's track.
    pub(crate) fn on_keyframe_request(&mut self, cx: &mut Ctx, pc: PcIdx, mid: Mid) {
        self.counters.keyframe_requests_in += 1;
        let now = cx.now;
        let found = self.tracks.iter_mut().find_map(|(t, track)| {
            let flowing = track.flowing(now);
            track.down_mut(pc, mid).map(|d| (t, d.forwarder.current().or_else(|| d.target(flowing)).unwrap_or(d.max_layer)))
        });
        if let Some((t, layer)) = found {
            self.request_keyframe(cx, t, layer);
        }
    }

    /// Asks a track's publisher for a keyframe on `layer`, at most once per
    /// [`KEYFRAME_REQUEST_INTERVAL`] and layer.
    pub(crate) fn request_keyframe(&mut self, cx: &mut Ctx, t: TrackIdx, layer: u8) {
        let now = cx.now;
        let Some(track) = self.tracks.get_mut(t) else { return };
        let Some(state) = track.layers.get_mut(usize::from(layer)) else { return };
        if state.last_keyframe_request.is_some_and(|at| now.saturating_duration_since(at) < KEYFRAME_REQUEST_INTERVAL) {
            return;
        }
        state.last_keyframe_request = Some(now);
        let rid = state.rid;
        let pc = match track.origin {
            Origin::Pc(pc) => pc,
            Origin::Internal(index) => {
                let Some(owner) = self.participants.get(track.owner) else { return };
                cx.out.push_back(Output::SourceKeyframe { conn: owner.conn, track: index, layer });
                self.counters.keyframe_requests += 1;
                return;
            }
        };
        let Some(mid) = track.mid else { return };
        let Some(publisher) = self.pcs.get_mut(pc) else { return };
        if let Some(rx) = publisher.rtc.direct_api().stream_rx_by_mid(mid, rid) {
            rx.request_keyframe(KeyframeRequestKind::Pli);
            self.counters.keyframe_requests += 1;
        }
        self.drain(cx, pc);
    }
}

fn codec_of(pc: &Pc, pt: Pt) -> Option<CodecKey> {
    pc.rtc.codec_config().params().iter().find(|p| p.pt() == pt || p.red() == Some(pt)).map(|p| {
        let spec = p.spec();
        CodecKey {
            codec: spec.codec,
            packetization_mode: spec.format.packetization_mode,
            profile_id: spec.format.profile_id,
            clock_rate: spec.clock_rate.get(),
            red: p.red(),
        }
    })
}

/// The subscriber's payload type for a codec (for H.264 the packetization mode must
/// match, for VP9 the profile, when the subscriber has one that does), and whether a RED packet must be cut to its primary block for it: RED goes out
/// as RED where the subscriber negotiated it, else as the primary codec.
fn payload_type_for(pc: &Pc, codec: CodecKey, red_in: bool) -> Option<(Pt, bool)> {
    let params = pc.rtc.codec_config().params();
    let same = |p: &&str0m::format::PayloadParams| p.spec().codec == codec.codec;
    let p = params
        .iter()
        .filter(same)
        .find(|p| {
            let f = &p.spec().format;
            match codec.codec {
                Codec::H264 => f.packetization_mode == codec.packetization_mode,
                Codec::Vp9 => f.profile_id == codec.profile_id,
                _ => true,
            }
        })
        .or_else(|| params.iter().find(same))?;
    match (red_in, p.red()) {
        (true, Some(red)) => Some((red, false)),
        (true, None) => Some((p.pt(), true)),
        (false, _) => Some((p.pt(), false)),
    }
}

/// The AV1 dependency descriptor's bytes, when the packet carried one.
fn dd_bytes(packet: &RtpPacket) -> Option<&[u8]> {
    packet.header.ext_vals.user_values.get::<DdBytes>().map(DdBytes::as_slice)
}
