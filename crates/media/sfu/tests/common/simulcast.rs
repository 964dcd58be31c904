//! A simulcast publisher as a browser runs it, and helpers to watch what subscribers get:
//! shared by the layer-choice and bandwidth tests.

use std::time::Duration;

use hikari_types::{ClientSignal, LayerWant, Permissions, ServerSignal, TrackSid};
use str0m::Event;
use str0m::media::{MediaKind, Mid};

use super::World;

pub const FRAME: Duration = Duration::from_millis(33);
pub const RIDS: [&str; 3] = ["q", "h", "f"];

/// A simulcast encoder as a browser runs it: one frame per enabled layer each step, a
/// keyframe on a layer when asked (PLI) or when the layer is switched back on.
pub struct Encoder {
    pub c: usize,
    pub mid: Mid,
    pub frame: u64,
    pub on: [bool; 3],
    pub key: [bool; 3],
    pub events_seen: usize,
    pub signals_seen: usize,
    /// Keyframe requests received, per layer.
    pub plis: [usize; 3],
    /// Dynacast updates received: the enabled layers of each.
    pub updates: Vec<[bool; 3]>,
    /// Each layer's frame size in bytes.
    pub sizes: [usize; 3],
}

impl Encoder {
    pub fn new(c: usize, mid: Mid) -> Self {
        Self { c, mid, frame: 0, on: [true; 3], key: [true; 3], events_seen: 0, signals_seen: 0, plis: [0; 3], updates: Vec::new(), sizes: [600; 3] }
    }

    pub fn step(&mut self, w: &mut World) {
        for (l, rid) in RIDS.iter().enumerate() {
            if self.on[l] {
                w.write_layer_frame_sized(self.c, self.mid, rid, self.frame, self.key[l], self.sizes[l]);
                self.key[l] = false;
            }
        }
        self.frame += 1;
        w.pump();
        w.pass(FRAME);
        let client = w.client(self.c);
        for e in &client.pub_events[self.events_seen..] {
            if let Event::KeyframeRequest(req) = e
                && let Some(l) = req.rid.and_then(|r| RIDS.iter().position(|x| **x == *r))
            {
                self.key[l] = true;
                self.plis[l] += 1;
            }
        }
        self.events_seen = client.pub_events.len();
        for s in &client.signals[self.signals_seen..] {
            if let ServerSignal::SubscribedQuality { enabled, .. } = s {
                for (l, on) in enabled.iter().enumerate() {
                    if *on && !self.on[l] {
                        self.key[l] = true;
                    }
                }
                self.on = *enabled;
                self.updates.push(*enabled);
            }
        }
        self.signals_seen = client.signals.len();
    }

    pub fn run(&mut self, w: &mut World, d: Duration) {
        for _ in 0..(d.as_millis() / FRAME.as_millis()).max(1) {
            self.step(w);
        }
    }
}

/// The layer letters of the video frames a client received, in order.
pub fn layers_received(w: &World, c: usize) -> Vec<u8> {
    super::received_frames(w.client(c), MediaKind::Video).iter().filter_map(|f| f.get(1).copied()).collect()
}

/// Video frames (first byte, layer) received since index `from`.
pub fn frames_since(w: &World, c: usize, from: usize) -> Vec<(u8, u8)> {
    super::received_frames(w.client(c), MediaKind::Video).iter().skip(from).filter_map(|f| Some((*f.first()?, *f.get(1)?))).collect()
}

pub fn settings(w: &mut World, c: usize, sid: &TrackSid, disabled: bool, want: LayerWant) {
    w.signal(c, ClientSignal::TrackSettings { track_sids: vec![sid.clone()], disabled, want, fps: 0 });
}

/// alice publishes three layers; the other identities subscribe.
pub fn simulcast_call(subscribers: &[&str]) -> (World, Encoder, Vec<usize>, TrackSid) {
    simulcast_call_with(subscribers, |_| {})
}

/// [`simulcast_call`] on an SFU whose configuration `adjust` changed.
pub fn simulcast_call_with(subscribers: &[&str], adjust: impl FnOnce(&mut hikari_sfu::SfuConfig)) -> (World, Encoder, Vec<usize>, TrackSid) {
    let mut w = World::with_config(adjust);
    let alice = w.join("room", "alice", Permissions::default());
    let subs: Vec<usize> = subscribers.iter().map(|id| w.join("room", id, Permissions::default())).collect();
    let mid = w.publish_simulcast(alice);
    assert!(w.run_until(Duration::from_secs(5), |w| {
        subs.iter().all(|&s| w.client(s).sub_events.iter().any(|e| matches!(e, Event::MediaAdded(_))))
            && w.client(alice).pub_events.iter().any(|e| matches!(e, Event::Connected))
    }));
    let sid = w.published_sid(alice);
    (w, Encoder::new(alice, mid), subs, sid)
}
