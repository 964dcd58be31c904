//! Subscribers' track settings, publishers' layer updates and dynacast: the room's side
//! of `layers.rs` and `dynacast.rs`.

use hikari_types::{LayerWant, ServerSignal, SimulcastLayer, TrackSid};

use crate::arena::{Arena, PartIdx};
use crate::ctx::Ctx;
use crate::layers;
use crate::room::{Participant, Room};
use crate::svc;
use crate::track::Track;

/// Most layers a publisher may announce for one track.
const MAX_LAYERS: usize = 4;

impl Room {
    /// A subscriber's `UpdateTrackSettings`: pause or resume, which layer it wants, and
    /// the frame rate, which caps the temporal layer (`svc::temporal_for_fps`).
    pub(crate) fn update_track_settings(&mut self, cx: &mut Ctx, p: PartIdx, sids: &[TrackSid], disabled: bool, want: LayerWant, fps: u32) {
        let mut changed = false;
        for (_, track) in self.tracks.iter_mut().filter(|(_, t)| sids.contains(&t.info.sid)) {
            let max = layers::max_layer(want, &track.info.layers);
            for down in track.downs.iter_mut().filter(|d| d.subscriber == p) {
                if down.paused && !disabled {
                    down.forwarder.resync();
                }
                changed |= down.paused != disabled || down.max_layer != max;
                down.paused = disabled;
                down.want = want;
                down.max_layer = max;
                down.max_temporal = svc::temporal_for_fps(fps);
            }
        }
        if changed {
            // A new wish is met now, not at the next tick: the subscriber's bandwidth is
            // shared again, then the publishers hear what their subscribers need.
            self.reallocate(cx, p);
            let Room { tracks, participants, .. } = self;
            for (_, track) in tracks.iter_mut().filter(|(_, t)| sids.contains(&t.info.sid)) {
                tell_publisher(cx, participants, track);
            }
        }
    }

    /// A publisher's `UpdateVideoLayers`: its layers' sizes changed (a resized camera or
    /// screen), so every subscriber's wish maps to a layer again.
    pub(crate) fn update_video_layers(&mut self, cx: &mut Ctx, p: PartIdx, sid: &TrackSid, mut announced: Vec<SimulcastLayer>) {
        let Some((_, track)) = self.tracks.iter_mut().find(|(_, t)| t.owner == p && t.info.sid == *sid && t.is_video()) else { return };
        announced.truncate(MAX_LAYERS);
        track.info.layers = announced;
        for down in track.downs.iter_mut() {
            down.max_layer = layers::max_layer(down.want, &track.info.layers);
        }
        self.touch(cx, p);
    }

    /// Periodic dynacast: layers no one needs any more are switched off once they stayed
    /// unneeded for `dynacast::DOWN_DELAY`; new needs are met here too if nothing else
    /// told the publisher sooner.
    pub(crate) fn tick_dynacast(&mut self, cx: &mut Ctx) {
        let Room { tracks, participants, .. } = self;
        for (_, track) in tracks.iter_mut() {
            tell_publisher(cx, participants, track);
        }
    }
}

/// Tells a track's publisher if its subscribers now need other layers.
pub(crate) fn tell_publisher(cx: &mut Ctx, participants: &Arena<PartIdx, Participant>, track: &mut Track) {
    if let Some(signal) = dynacast_signal(track, cx.now)
        && let Some(owner) = participants.get(track.owner)
    {
        cx.signal(owner.conn, signal);
    }
}

/// The `SubscribedQualityUpdate` a video track's publisher should get now, if any.
fn dynacast_signal(track: &mut Track, now: std::time::Instant) -> Option<ServerSignal> {
    if !track.is_video() || !track.published() {
        return None;
    }
    let top = track.top_layer();
    // Sinks (recorders) want the best layer.
    let wishes = track.downs.iter().filter_map(|d| d.ceiling()).chain(track.sinks.iter().map(|_| layers::TOP));
    let needed = layers::needed(wishes, top);
    let all = layers::needed(std::iter::once(top), top);
    let mask = track.dynacast.update(needed, all, now)?;
    tracing::debug!(track = %track.info.sid, layers = format_args!("{mask:03b}"), "dynacast");
    let codec = track.info.mime_type.rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
    Some(ServerSignal::SubscribedQuality { track_sid: track.info.sid.clone(), codec, enabled: [mask & 1 != 0, mask & 2 != 0, mask & 4 != 0] })
}
