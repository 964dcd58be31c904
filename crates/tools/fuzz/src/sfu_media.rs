//! Media through the SFU core's forwarding path (`media.rs`, `forward.rs`): in a
//! connected call, alice's publisher writes fuzz-chosen frames (payload, keyframe flag,
//! codec, timing), so real RTP reaches the server's keyframe detection, layer and
//! sequence rewriting and the subscriber legs; bob's subscriber asks for keyframes,
//! loses packets (NACK, retransmission), pauses and unsubscribes; alice mutes and sends
//! data packets on her data channel.
//!
//! Nothing may panic, and nobody's session ends: all of it is normal client behaviour.

use std::time::Duration;

use crate::shared::{call, run_for};
use arbitrary::{Arbitrary, Unstructured};
use hikari_types::{ClientSignal, LayerWant, ServerSignal, TrackSid, VideoQuality};
use str0m::Event;
use str0m::format::Codec;
use str0m::media::{Frequency, KeyframeRequestKind, MediaTime};

#[derive(Arbitrary, Debug)]
enum Op {
    /// One frame from alice.
    Frame { h264: bool, keyframe: bool, payload: Vec<u8>, ts_step: u16, pause_ms: u8 },
    /// Bob asks for a keyframe (PLI, or FIR).
    KeyframeRequest { fir: bool },
    /// Every n-th large datagram to bob is lost; 0 for none.
    Loss(u8),
    /// Bob pauses or resumes the track.
    /// Settings from the subscriber: any size (a lying client too), quality or pause.
    Settings { disabled: bool, quality: Option<u8>, width: u16, height: u16 },
    /// Bob unsubscribes or subscribes again.
    Subscribe(bool),
    /// Alice mutes or unmutes.
    Mute(bool),
    /// A data packet on alice's data channel.
    Data(Vec<u8>),
    /// Virtual time passes.
    Wait(u16),
}

const MAX_OPS: usize = 48;
const MAX_PAYLOAD: usize = 4000;

pub fn run(data: &[u8]) {
    let Ok(ops) = <Vec<Op>>::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let (mut w, alice, bob, video) = call();
    let sid: Option<TrackSid> = w.client(alice).signals.iter().find_map(|s| match s {
        ServerSignal::TrackPublished { track, .. } => Some(track.sid.clone()),
        _ => None,
    });
    let Some(sid) = sid else { panic!("alice's track was published") };
    let bob_mid = w.client(bob).sub_events.iter().find_map(|e| match e {
        Event::MediaAdded(m) => Some(m.mid),
        _ => None,
    });
    let mut rtp_time = 0u64;
    for op in ops.into_iter().take(MAX_OPS) {
        match op {
            Op::Frame { h264, keyframe, mut payload, ts_step, pause_ms } => {
                payload.truncate(MAX_PAYLOAD);
                let codec = if h264 { Codec::H264 } else { Codec::Vp8 };
                let mut data = match codec {
                    // Annex B: an IDR slice or a non-IDR slice, then the payload.
                    Codec::H264 => vec![0, 0, 0, 1, if keyframe { 0x65 } else { 0x41 }],
                    // VP8: the P bit of the first byte is clear on a keyframe.
                    _ => vec![if keyframe { 0x10 } else { 0x11 }],
                };
                data.extend_from_slice(&payload);
                rtp_time += u64::from(ts_step);
                let now = w.now;
                let client = &mut w.clients[alice];
                if let Some(writer) = client.publisher.writer(video) {
                    let pt = writer.payload_params().find(|p| p.spec().codec == codec).map(|p| p.pt());
                    if let Some(pt) = pt {
                        let time = MediaTime::new(rtp_time, Frequency::new(90_000).expect("nonzero"));
                        let _ = writer.write(pt, now, time, data);
                    }
                }
                w.pump();
                run_for(&mut w, Duration::from_millis(u64::from(pause_ms)));
            }
            Op::KeyframeRequest { fir } => {
                if let Some(mid) = bob_mid {
                    let kind = if fir { KeyframeRequestKind::Fir } else { KeyframeRequestKind::Pli };
                    if let Some(rx) = w.clients[bob].subscriber.direct_api().stream_rx_by_mid(mid, None) {
                        rx.request_keyframe(kind);
                    }
                    w.pump();
                }
            }
            Op::Loss(every) => w.clients[bob].drop_every = usize::from(every),
            Op::Settings { disabled, quality, width, height } => {
                let want = match quality {
                    Some(q) => LayerWant::Quality([VideoQuality::Low, VideoQuality::Medium, VideoQuality::High][usize::from(q % 3)]),
                    None => LayerWant::Size { width: u32::from(width), height: u32::from(height) },
                };
                w.signal(bob, ClientSignal::TrackSettings { track_sids: vec![sid.clone()], disabled, want, fps: 0 });
            }
            Op::Subscribe(subscribe) => w.signal(bob, ClientSignal::Subscription { track_sids: vec![sid.clone()], subscribe }),
            Op::Mute(muted) => w.signal(alice, ClientSignal::Mute { sid: sid.clone(), muted }),
            Op::Data(mut bytes) => {
                bytes.truncate(MAX_PAYLOAD);
                let channel = w.client(alice).pub_events.iter().find_map(|e| match e {
                    Event::ChannelOpen(id, label) if label == "_reliable" => Some(*id),
                    _ => None,
                });
                if let Some(mut ch) = channel.and_then(|id| w.clients[alice].publisher.channel(id)) {
                    let _ = ch.write(true, &bytes);
                }
                w.pump();
            }
            Op::Wait(ms) => run_for(&mut w, Duration::from_millis(u64::from(ms % 5000))),
        }
    }
    run_for(&mut w, Duration::from_millis(500));
    assert_eq!(w.client(alice).closed, None, "alice's session ended");
    assert_eq!(w.client(bob).closed, None, "bob's session ended");
}
