//! What the SFU targets (and the seed generator) share: the virtual-time world of the
//! SFU's own tests, reused as is, the scenes the targets start from, and the chunked
//! input format.
#![allow(dead_code)]

// The SFU's test world, as its tests use it (a library here, so clippy asks more of it).
#[path = "../../../media/sfu/tests/common/mod.rs"]
#[allow(clippy::new_without_default)]
pub mod world;

use std::collections::BTreeMap;
use std::sync::Once;

use hikari_sfu::{Command, ConnId, Join, SignalMode};
use hikari_types::{ClientInfo, JoinGrant, Permissions, TrackKind};
use str0m::media::Mid;
use world::World;

/// The participant whose signals are fuzzed. The world has no client for this
/// connection, so nothing answers what the server sends it: the input does.
pub const MALLORY: ConnId = ConnId(1000);

/// Logging off: the world's test logger would print every SFU debug line.
pub fn quiet() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = tracing::subscriber::set_global_default(tracing::subscriber::NoSubscriber::default());
    });
}

/// Splits an input into chunks: a header byte, a little-endian `u16` length, then the
/// body (shorter if the input ends first).
pub fn chunks(mut data: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    std::iter::from_fn(move || {
        let (&header, rest) = data.split_first()?;
        let (len, rest) = match rest {
            [a, b, rest @ ..] => (usize::from(u16::from_le_bytes([*a, *b])), rest),
            _ => (rest.len(), &[][..]),
        };
        let (body, rest) = rest.split_at(len.min(rest.len()));
        data = rest;
        Some((header, body))
    })
}

/// One chunk, for seeds.
pub fn chunk(header: u8, body: &[u8]) -> Vec<u8> {
    let len = u16::try_from(body.len()).expect("a chunk body fits in 64 KiB");
    let mut out = vec![header];
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(body);
    out
}

/// Mallory's setup byte, the first of a `sfu_signal` input.
pub mod setup {
    /// One PeerConnection (`/rtc/v1`) instead of two.
    pub const SINGLE_PC: u8 = 1;
    /// The token does not allow publishing.
    pub const NO_PUBLISH: u8 = 2;
    /// The token does not allow subscribing.
    pub const NO_SUBSCRIBE: u8 = 4;
    /// The token allows updating its own metadata.
    pub const UPDATE_METADATA: u8 = 8;
    /// Hidden from others.
    pub const HIDDEN: u8 = 16;
    /// No automatic subscription.
    pub const NO_AUTO_SUBSCRIBE: u8 = 32;
    /// An agent.
    pub const AGENT: u8 = 64;
    /// Alice publishes audio as well as video.
    pub const ALICE_AUDIO: u8 = 128;
}

/// The scene of `sfu_signal`: alice publishes video (and audio), bob subscribes, both are
/// the world's clients; mallory joins with the setup byte's options.
pub struct SignalScene {
    pub w: World,
    pub alice: usize,
    pub bob: usize,
}

/// Alice and bob, before mallory joins.
pub fn alice_and_bob(flags: u8) -> SignalScene {
    quiet();
    let mut w = World::new();
    let alice = w.join("room", "alice", Permissions::default());
    w.publish(alice, TrackKind::Video);
    if flags & setup::ALICE_AUDIO != 0 {
        w.publish(alice, TrackKind::Audio);
    }
    let bob = w.join("room", "bob", Permissions::default());
    SignalScene { w, alice, bob }
}

/// The scene with mallory joined; for setup byte 0, the same join as `World::join`.
pub fn signal_scene(flags: u8) -> SignalScene {
    let mut scene = alice_and_bob(flags);
    let permissions = Permissions {
        can_publish: flags & setup::NO_PUBLISH == 0,
        can_subscribe: flags & setup::NO_SUBSCRIBE == 0,
        can_update_metadata: flags & setup::UPDATE_METADATA != 0,
        hidden: flags & setup::HIDDEN != 0,
        agent: flags & setup::AGENT != 0,
        ..Permissions::default()
    };
    let mode = if flags & setup::SINGLE_PC != 0 { SignalMode::Single { add_tracks: Vec::new(), offer: None } } else { SignalMode::Dual };
    scene.w.command(Command::Join(Box::new(Join {
        conn: MALLORY,
        grant: JoinGrant {
            room: "room".into(),
            identity: "mallory".into(),
            name: "mallory".to_owned(),
            metadata: String::new(),
            attributes: BTreeMap::new(),
            permissions,
            kind: hikari_types::ParticipantKind::Standard,
        },
        client: ClientInfo { sdk: "test".into(), protocol: 16, client_protocol: 1, ..Default::default() },
        auto_subscribe: flags & setup::NO_AUTO_SUBSCRIBE == 0,
        mode,
        resume: None,
    })));
    scene
}

/// The scene of `sfu_datagram` and `sfu_media`: alice publishes video to bob over
/// connected PeerConnections.
pub fn call() -> (World, usize, usize, Mid) {
    quiet();
    World::video_call()
}

/// Asserts that each of `clients` the input did not speak for (`touched` false) is still in
/// the call: one participant's bad input (`what`) never ends another's session.
pub fn assert_untouched_stay(w: &World, clients: [usize; 2], touched: [bool; 2], what: &str) {
    for (c, touched) in clients.into_iter().zip(touched) {
        if !touched {
            assert_eq!(w.client(c).closed, None, "{} was closed by someone else's {what}", w.client(c).identity);
        }
    }
}

/// Runs the world for `d` of virtual time, in steps as long as the SFU's timers allow.
/// Bounded: a world whose timers never move on stops after 20 000 steps.
pub fn run_for(w: &mut World, d: std::time::Duration) {
    let end = w.now + d;
    for _ in 0..20_000 {
        if w.now >= end {
            return;
        }
        let left = end - w.now;
        w.advance(left);
    }
}
