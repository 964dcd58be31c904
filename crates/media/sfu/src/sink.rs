//! Internal sinks: a track's media delivered inside the process (to a recorder, an HLS
//! packager, a relay to another shard) rather than to a PeerConnection. A sink leg runs the
//! same forwarder as a subscriber's (continuous sequence numbers, switches at keyframes),
//! always wants the best layer, and counts for dynacast; its packets leave as
//! [`Output::Media`], sharing the payload with every other leg. A sink takes the codec's own
//! payload: RED-carrying audio reaches it as the RED packet's primary Opus.

use std::sync::Arc;
use std::time::Instant;

use hikari_types::{TrackKind, TrackSid};

use crate::ctx::Ctx;
use crate::forward::{Forwarder, Packet, Verdict};
use crate::io::{MediaPacket, Output, SinkEnd, SinkId};
use crate::layers;
use crate::room::Room;
use crate::track::{ALL_TEMPORAL, SinkLeg, Track};

impl Room {
    /// Starts a sink on the track named `sid`; `None` if there is no such published track.
    pub(crate) fn attach_sink(&mut self, cx: &mut Ctx, sink: SinkId, sid: &TrackSid) -> Option<()> {
        let (t, track) = self.tracks.iter_mut().find(|(_, t)| t.info.sid == *sid && t.published())?;
        let video = track.info.kind == TrackKind::Video;
        track.sinks.retain(|l| l.sink != sink);
        track.sinks.push(SinkLeg { sink, forwarder: Forwarder::for_leg(video, cx.rng.next_u64()) });
        tracing::info!(room = %self.info.name, track = %sid, ?sink, "sink attached");
        if video {
            let layer = layers::pick(layers::TOP, track.flowing(cx.now));
            self.request_keyframe(cx, t, layer);
        }
        Some(())
    }

    /// Stops a sink, wherever it is.
    pub(crate) fn detach_sink(&mut self, sink: SinkId) {
        for (_, track) in self.tracks.iter_mut() {
            track.sinks.retain(|l| l.sink != sink);
        }
    }

    /// A sink asks for a keyframe of the layer it receives.
    pub(crate) fn sink_keyframe(&mut self, cx: &mut Ctx, sink: SinkId) {
        let now = cx.now;
        let found = self.tracks.iter().find_map(|(t, track)| {
            let leg = track.sinks.iter().find(|l| l.sink == sink)?;
            Some((t, leg.forwarder.current().unwrap_or_else(|| layers::pick(layers::TOP, track.flowing(now)))))
        });
        if let Some((t, layer)) = found {
            self.request_keyframe(cx, t, layer);
        }
    }
}

/// Hands one incoming packet to a track's sinks; the layers some sink waits on a
/// keyframe of are added to `want_keyframe`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn to_sinks(
    out: &mut std::collections::VecDeque<Output>,
    track: &mut Track,
    incoming: Packet,
    marker: bool,
    payload: &Arc<[u8]>,
    now: Instant,
    flowing: u8,
    want_keyframe: &mut u8,
) {
    let target = layers::pick(layers::TOP, flowing);
    for leg in track.sinks.iter_mut() {
        let verdict = leg.forwarder.on_packet(incoming, target, ALL_TEMPORAL, now);
        if leg.forwarder.needs_keyframe(target) {
            *want_keyframe |= 1 << target;
        }
        let Verdict::Forward { seq, ts, end_of_frame, .. } = verdict else { continue };
        let packet = MediaPacket { seq, ts, marker: marker || end_of_frame, keyframe: incoming.keyframe, payload: Arc::clone(payload), arrived: now };
        out.push_back(Output::Media { sink: leg.sink, packet: Box::new(packet) });
    }
}

/// Tells a track's sinks they receive nothing more.
pub(crate) fn close_sinks(out: &mut std::collections::VecDeque<Output>, track: &Track, reason: SinkEnd) {
    for leg in &track.sinks {
        out.push_back(Output::SinkClosed { sink: leg.sink, reason });
    }
}
