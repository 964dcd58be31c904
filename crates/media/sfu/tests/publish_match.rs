//! Matching a publisher's media lines to the tracks it announced. The LiveKit Rust SDK (the
//! Python and Node SDKs) announces tracks with cids that are not the msid track ids of its
//! media lines and sends no `mid_to_track_id`; a presenter publishing a camera and a screen
//! share then has two pending video tracks, matched by kind in the order they were announced.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::World;
use hikari_sfu::RoomEvent;
use hikari_types::{AddTrack, ClientSignal, Permissions, Sdp, SdpKind, ServerSignal, TrackKind, TrackSource};
use str0m::media::{Direction, MediaKind};

#[test]
fn lines_without_their_cid_take_the_pending_tracks_of_their_kind_in_announce_order() {
    let mut w = World::new();
    let alice = w.join("room", "alice", Permissions::default());
    let announced = [
        ("cam-uuid", TrackSource::Camera, TrackKind::Video),
        ("mic-uuid", TrackSource::Microphone, TrackKind::Audio),
        ("screen-uuid", TrackSource::ScreenShare, TrackKind::Video),
    ];
    for (cid, source, kind) in announced {
        w.signal(alice, ClientSignal::AddTrack(AddTrack { cid: cid.into(), kind, source, width: 640, height: 360, ..Default::default() }));
    }
    let sid_of = |w: &World, cid: &str| {
        w.client(alice).signals.iter().find_map(|s| match s {
            ServerSignal::TrackPublished { cid: c, track } if c == cid => Some(track.sid.clone()),
            _ => None,
        })
    };
    let (cam, mic, screen) = (sid_of(&w, "cam-uuid").expect("cam"), sid_of(&w, "mic-uuid").expect("mic"), sid_of(&w, "screen-uuid").expect("screen"));
    // One offer, lines in announce order, msid track ids of the SDK's own making.
    let mut api = w.clients[alice].publisher.sdp_api();
    let lines = [
        api.add_media(MediaKind::Video, Direction::SendOnly, Some("s1".into()), Some("Zvi2K5us8I6mbSQgx5kSk94pzBJ6J2".into()), None),
        api.add_media(MediaKind::Audio, Direction::SendOnly, Some("s2".into()), Some("SPiTcm5zqssbKnGcB3bTggmdmZn4PT".into()), None),
        api.add_media(MediaKind::Video, Direction::SendOnly, Some("s3".into()), Some("LkLiFVSX7qu6M0SXDbjF3CqPP7xcYH".into()), None),
    ];
    api.add_channel("_reliable".into());
    let (offer, pending) = api.apply().expect("an offer");
    w.clients[alice].pending_offer = Some(pending);
    w.signal(alice, ClientSignal::Offer(Sdp { kind: SdpKind::Offer, sdp: offer.to_sdp_string(), id: 1, mid_to_track: BTreeMap::new() }));
    // The lines are bound once the PeerConnection connects.
    w.advance(Duration::from_secs(2));
    let published: BTreeMap<String, String> = w
        .events
        .iter()
        .filter_map(|e| match e {
            RoomEvent::TrackPublished(_, _, t) => Some((t.sid.to_string(), t.mid.clone())),
            _ => None,
        })
        .collect();
    let want: BTreeMap<String, String> =
        [(cam, lines[0]), (mic, lines[1]), (screen, lines[2])].into_iter().map(|(sid, mid)| (sid.to_string(), mid.to_string())).collect();
    assert_eq!(published, want, "each line carries the track announced in its place");
}
