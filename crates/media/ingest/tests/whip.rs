//! WHIP sessions against a recording router (the real SFU and a browser are the JS suite's
//! whip mode): who is refused and why, the join an offer makes, the state reports, PATCH
//! (trickle, ICE restart, stale entity tags), DELETE, and an encoder whose media never
//! connects.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Dir, Recorder, target};
use hikari_ingest::whip::{Patched, Whip};
use hikari_ingest::{Ingest, IngestConfig, IngestError, InputKind, Report};
use hikari_sfu::{Command, SignalMode, SignalOut};
use hikari_types::{ClientSignal, ParticipantInfo, ParticipantKind, ParticipantState, Sdp, SdpKind, ServerSignal, TrackInfo, TrackKind};

const OFFER: &str = "v=0\r\no=- 7 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n\
    m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=ice-ufrag:cli1\r\na=ice-pwd:clientpasswordclientpw\r\na=sendonly\r\na=msid:s mic\r\n\
    m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:1\r\na=ice-ufrag:cli1\r\na=ice-pwd:clientpasswordclientpw\r\na=sendonly\r\na=msid:s cam\r\n";
const RESTART: &str = "a=ice-ufrag:cli2\r\na=ice-pwd:clientpassword2clientpw\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n";

fn setup(transcode: Option<bool>) -> (Whip<Recorder, Dir>, Recorder, Arc<Dir>) {
    common::trace();
    let router = Recorder::default();
    let dir = Arc::new(Dir::new(InputKind::Whip, [("key1", target("IN_w", transcode))]));
    let whip = Whip::new(Ingest::default(), router.clone(), Arc::clone(&dir), Arc::new(IngestConfig::default()));
    (whip, router, dir)
}

/// Waits (bounded) for a report of `IN_w` that `f` picks.
async fn report<T>(dir: &Dir, f: impl Fn(&Report) -> Option<T>) -> Option<T> {
    for _ in 0..200 {
        if let Some(found) = dir.reports_of("IN_w").iter().find_map(&f) {
            return Some(found);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    None
}

fn active(sid: &str) -> SignalOut {
    let track = |kind, mime: &str| TrackInfo { kind, mime_type: mime.into(), ..TrackInfo::default() };
    let me = ParticipantInfo {
        sid: sid.into(),
        state: ParticipantState::Active,
        tracks: vec![track(TrackKind::Audio, "audio/opus"), track(TrackKind::Video, "video/H264")],
        ..ParticipantInfo::default()
    };
    SignalOut::Signal(ServerSignal::Update(vec![me]))
}

#[tokio::test]
async fn an_offer_joins_the_room_and_the_session_lives_until_delete() {
    let (whip, router, dir) = setup(None);
    assert!(matches!(whip.publish("nope", OFFER).await, Err(IngestError::UnknownKey)));
    assert!(matches!(whip.publish("key1", "hello").await, Err(IngestError::Offer(_))));
    assert!(router.joins.lock().expect("lock").is_empty() && dir.reports_of("IN_w").is_empty(), "refusals touch nothing");

    let created = whip.publish("key1", OFFER).await.expect("accepted");
    assert!(created.answer.contains("a=candidate:"));
    assert_eq!(created.etag, "\"srv1\"");
    let join = router.joins.lock().expect("lock")[0].clone();
    assert_eq!(join.grant.kind, ParticipantKind::Ingress);
    assert!(!join.grant.permissions.can_subscribe && !join.auto_subscribe);
    let SignalMode::Single { add_tracks, offer: Some(offer) } = &join.mode else { panic!("a single-PeerConnection join with the offer") };
    let cids: Vec<_> = add_tracks.iter().map(|t| (t.cid.as_str(), t.kind)).collect();
    assert_eq!(cids, [("mic", TrackKind::Audio), ("cam", TrackKind::Video)]);
    assert_eq!(offer.sdp, OFFER);
    assert!(matches!(whip.publish("key1", OFFER).await, Err(IngestError::InUse)), "one encoder per ingress");

    // The media connects: publishing, with the tracks.
    let outbox = router.outboxes.lock().expect("lock")[0].clone();
    outbox.send(active(&format!("PA_{}", join.conn.0))).await.expect("session alive");
    let video = report(&dir, |r| match r {
        Report::Publishing { room_id, tracks, video, .. } => Some((room_id.clone(), tracks.len(), video.as_ref().map(|v| v.mime_type.clone()))),
        _ => None,
    })
    .await;
    assert_eq!(video, Some(("RM_1".into(), 2, Some("video/h264".into()))));

    // PATCH: a trickle needs nothing; a stale tag is refused; a restart goes to the core as
    // an offer with the new credentials and its answer comes back as a fragment.
    let res = created.resource.as_str();
    assert_eq!(whip.patch("key1", res, None, "a=candidate:1 1 udp 1 10.0.0.2 5000 typ host\r\n").await.expect("trickle"), Patched::Trickled);
    assert!(matches!(whip.patch("key1", res, Some("\"old\""), RESTART).await, Err(IngestError::EtagMismatch)));
    assert!(matches!(whip.patch("other", res, None, RESTART).await, Err(IngestError::NoSession)), "another key's session");
    assert!(matches!(whip.patch("key1", res, None, "a=ice-ufrag:x\r\n").await, Err(IngestError::Fragment(_))));
    let answering = {
        let router = router.clone();
        tokio::spawn(async move {
            for _ in 0..200 {
                let offered = router.commands.lock().expect("lock").iter().find_map(|c| match c {
                    Command::Signal { signal: ClientSignal::Offer(sdp), .. } => Some(sdp.sdp.clone()),
                    _ => None,
                });
                if let Some(sdp) = offered {
                    let answer = Sdp { kind: SdpKind::Answer, sdp: common::ANSWER.replace("srv1", "srv2"), id: 0, mid_to_track: Default::default() };
                    outbox.send(SignalOut::Signal(ServerSignal::Answer(answer))).await.expect("session alive");
                    return sdp;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            String::new()
        })
    };
    let restarted = whip.patch("key1", res, Some(&created.etag), RESTART).await.expect("restarted");
    let offered = answering.await.expect("answered");
    assert!(offered.contains("a=ice-ufrag:cli2") && !offered.contains("cli1") && offered.contains("o=- 7 3 "), "{offered}");
    let Patched::Restarted { fragment, etag } = restarted else { panic!("a restart") };
    assert_eq!(etag, "\"srv2\"");
    assert!(fragment.contains("a=ice-ufrag:srv2") && fragment.contains("a=candidate:"), "{fragment}");

    // DELETE: only with the session's key; the participant leaves, the ingress is inactive.
    assert!(matches!(whip.delete("other", res), Err(IngestError::NoSession)));
    whip.delete("key1", res).expect("deleted");
    assert_eq!(common::ended(&dir, "IN_w").await.as_deref(), Some(""), "a clean end");
    assert!(common::media(&router).1, "the participant left the room");
    assert!(whip.is_empty());
    assert!(matches!(whip.delete("key1", res), Err(IngestError::NoSession)));
    whip.publish("key1", OFFER).await.expect("the ingress takes an encoder again");
}

#[tokio::test(start_paused = true)]
async fn an_encoder_whose_media_never_connects_ends_with_an_error() {
    let (whip, router, dir) = setup(Some(true));
    whip.publish("key1", OFFER).await.expect("accepted (transcoding is asked but WHIP passes through)");
    let error = common::ended(&dir, "IN_w").await.expect("ended");
    assert!(error.contains("ICE and DTLS"), "{error}");
    assert!(common::media(&router).1, "the participant left the room");
    assert!(whip.is_empty());
}

#[tokio::test]
async fn a_participant_removed_from_the_room_ends_the_session_cleanly() {
    let (whip, router, dir) = setup(None);
    whip.publish("key1", OFFER).await.expect("accepted");
    let outbox = router.outboxes.lock().expect("lock")[0].clone();
    let leave = ServerSignal::Leave { reason: hikari_types::DisconnectReason::ParticipantRemoved, action: hikari_types::LeaveAction::Disconnect };
    outbox.send(SignalOut::Signal(leave)).await.expect("session alive");
    assert_eq!(common::ended(&dir, "IN_w").await.as_deref(), Some(""));
    assert!(whip.is_empty());
}
