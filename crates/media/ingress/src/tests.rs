//! The registry against a real (in-memory or on-disk) SQLite store: LiveKit's rules, the events
//! each change emits, and durability across a reopen.

use std::sync::{Arc, Mutex};

use hikari_types::{ParticipantIdentity, RoomName, TrackInfo, TrackSid};

use super::*;

const T0: i64 = 1_800_000_000_000_000_000;

type Seen = Arc<Mutex<Vec<IngressEvent>>>;

fn urls() -> IngressUrls {
    IngressUrls {
        rtmp_base_url: "rtmp://10.0.0.1:1935/x".into(),
        whip_base_url: "http://10.0.0.1:7880/w".into(),
        srt_base_url: Some("srt://10.0.0.1:9710".into()),
    }
}

fn registry_on(store: Arc<dyn IngressStore>) -> (Registry, Seen) {
    let seen: Seen = Arc::default();
    let sink = seen.clone();
    (Registry::new(store, urls(), Arc::new(move |e| sink.lock().expect("lock").push(e))), seen)
}

async fn registry() -> (Registry, Seen) {
    registry_on(Arc::new(SqliteIngressStore::in_memory().await.expect("store")))
}

/// The events seen since the last call, as (webhook name or "updated", ingress id, status).
fn drain(seen: &Seen) -> Vec<(&'static str, String, IngressStatus)> {
    let events = std::mem::take(&mut *seen.lock().expect("lock"));
    events.iter().map(|e| (e.webhook_name().unwrap_or("updated"), e.ingress().id.to_string(), e.ingress().state.status)).collect()
}

fn rtmp(room: &str, identity: &str) -> CreateIngress {
    CreateIngress {
        input: IngressInput::Rtmp,
        name: "obs".into(),
        room_name: RoomName::new(room),
        participant_identity: ParticipantIdentity::new(identity),
        participant_name: "Host".into(),
        ..Default::default()
    }
}

fn state(status: IngressStatus) -> IngressState {
    IngressState { status, ..Default::default() }
}

#[tokio::test]
async fn create_fills_livekits_fields() {
    let (r, seen) = registry().await;
    let i = r.create(rtmp("webinar", "host"), T0).await.expect("created");
    assert!(i.id.as_str().starts_with("IN_"));
    assert!(i.stream_key.len() >= 16 && i.stream_key.chars().all(|c| c.is_ascii_alphanumeric()));
    assert_eq!(i.url, "rtmp://10.0.0.1:1935/x", "the base URL; the encoder appends / and the key");
    assert_eq!((i.reusable, i.enable_transcoding, i.bypass_transcoding), (true, None, false), "RTMP transcodes when needed");
    assert_eq!(i.state.status, IngressStatus::Inactive);
    assert_eq!(r.srt_url(&i), Some(format!("srt://10.0.0.1:9710?streamid={}", i.stream_key)));
    assert_eq!(drain(&seen), vec![("ingress_created", i.id.to_string(), IngressStatus::Inactive)]);

    let whip = r.create(CreateIngress { input: IngressInput::Whip, ..rtmp("", "cam") }, T0).await.expect("no room needed at creation");
    assert_eq!((whip.url.as_str(), whip.reusable), ("http://10.0.0.1:7880/w", true));
    assert_eq!((whip.enable_transcoding, whip.bypass_transcoding), (Some(false), true), "WHIP forwards as is unless asked");
    assert_eq!(r.srt_url(&whip), None);
    assert_ne!(whip.stream_key, i.stream_key);
    assert_eq!(r.by_stream_key(&whip.stream_key).await.expect("lookup").map(|w| w.id), Some(whip.id.clone()));
    assert_eq!(r.by_stream_key("nope").await.expect("lookup"), None);
    assert_eq!(r.by_stream_key("").await.expect("lookup"), None);
}

#[tokio::test]
async fn create_refuses_what_livekit_refuses() {
    let (r, seen) = registry().await;
    let cases = [
        (rtmp("r", ""), "invalid ingress: no participant identity"),
        (CreateIngress { enable_transcoding: Some(false), ..rtmp("r", "p") }, "bypassing transcoding impossible with selected input type"),
        (CreateIngress { bypass_transcoding: true, ..rtmp("r", "p") }, "bypassing transcoding impossible with selected input type"),
        (
            CreateIngress {
                input: IngressInput::Whip,
                video: Some(IngressVideoOptions { encoding: Some(VideoEncoding::Preset(VideoPreset::H264_720p30_3Layers)), ..Default::default() }),
                ..rtmp("r", "p")
            },
            "video encoding options must be empty if transcoding is disabled",
        ),
        (
            CreateIngress {
                audio: Some(IngressAudioOptions {
                    encoding: Some(AudioEncoding::Options(AudioEncodingOptions { channels: 3, ..Default::default() })),
                    ..Default::default()
                }),
                ..rtmp("r", "p")
            },
            "invalid audio parameters: invalid audio channel count",
        ),
        (CreateIngress { name: "n".repeat(300), ..rtmp("r", "p") }, "name length exceeds limits"),
    ];
    for (request, message) in cases {
        let e = r.create(request, T0).await.expect_err(message);
        assert!(matches!(&e, IngressError::InvalidArgument(m) if m.contains(message)), "{e:?} vs {message}");
    }
    let url = r.create(CreateIngress { input: IngressInput::Url, url: "ftp://x/y".into(), ..rtmp("r", "p") }, T0).await;
    assert_eq!(url, Err(IngressError::InvalidArgument("invalid ingress: invalid url scheme ftp".into())));
    let url = r.create(CreateIngress { input: IngressInput::Url, url: "https://x/y.m3u8".into(), ..rtmp("r", "p") }, T0).await;
    assert!(matches!(url, Err(IngressError::Unimplemented(_))), "{url:?}");
    assert!(drain(&seen).is_empty(), "nothing was created");
    assert!(r.list(&IngressFilter::default()).await.expect("list").is_empty());
}

#[tokio::test]
async fn list_filters_by_room_and_id() {
    let (r, _) = registry().await;
    let a = r.create(rtmp("one", "a"), T0).await.expect("a");
    let b = r.create(rtmp("two", "b"), T0).await.expect("b");
    let c = r.create(rtmp("one", "c"), T0).await.expect("c");
    let ids = |v: Vec<Ingress>| v.into_iter().map(|i| i.id).collect::<Vec<_>>();
    assert_eq!(ids(r.list(&IngressFilter::default()).await.expect("all")), vec![a.id.clone(), b.id.clone(), c.id.clone()]);
    let one = IngressFilter { room_name: Some(RoomName::new("one")), id: None };
    assert_eq!(ids(r.list(&one).await.expect("room")), vec![a.id.clone(), c.id.clone()]);
    let by_id = IngressFilter { room_name: Some(RoomName::new("one")), id: Some(b.id.clone()) };
    assert_eq!(ids(r.list(&by_id).await.expect("id")), vec![b.id.clone()], "an id wins over a room");
    let unknown = IngressFilter { id: Some(IngressId::new("IN_nope")), room_name: None };
    assert_eq!(r.list(&unknown).await, Err(IngressError::NotFound));
    let empty = IngressFilter { room_name: Some(RoomName::new("none")), id: None };
    assert!(r.list(&empty).await.expect("none").is_empty());
}

#[tokio::test]
async fn state_changes_emit_exactly_livekits_webhooks() {
    let (r, seen) = registry().await;
    let i = r.create(rtmp("r", "p"), T0).await.expect("created");
    drain(&seen);
    let id = i.id.to_string();
    let buffering = r.set_state(&i.id, Registry::new_session_state(T0 + 1), T0 + 1).await.expect("buffering");
    assert!(buffering.state.resource_id.starts_with("RS_") && buffering.state.started_at == T0 + 1);
    assert!(drain(&seen).is_empty(), "buffering sends no webhook");
    let track = TrackInfo { sid: TrackSid::new("TR_v"), width: 1280, height: 720, ..Default::default() };
    let publishing = IngressState { status: IngressStatus::Publishing, tracks: vec![track.clone()], ..buffering.state.clone() };
    let got = r.set_state(&i.id, publishing.clone(), T0 + 2).await.expect("publishing");
    assert_eq!((got.state.started_at, got.state.updated_at, got.state.ended_at), (T0 + 1, T0 + 2, 0));
    assert_eq!(drain(&seen), vec![("ingress_started", id.clone(), IngressStatus::Publishing)]);
    r.set_state(&i.id, IngressState { error: "bitrate low".into(), ..publishing.clone() }, T0 + 3).await.expect("same status");
    assert!(drain(&seen).is_empty(), "the same status sends nothing");
    assert_eq!(r.get(&i.id).await.expect("get").state.tracks, vec![track], "tracks are kept");
    let ended = r.set_state(&i.id, IngressState { status: IngressStatus::Inactive, ..publishing }, T0 + 4).await.expect("ended");
    assert_eq!(ended.state.ended_at, T0 + 4);
    assert_eq!(drain(&seen), vec![("ingress_ended", id.clone(), IngressStatus::Inactive)]);
    // A session that fails while buffering ends too (LiveKit: any change to error).
    r.set_state(&i.id, Registry::new_session_state(T0 + 5), T0 + 5).await.expect("buffering");
    let failed = r.set_state(&i.id, IngressState { error: "HEVC is not supported".into(), ..state(IngressStatus::Error) }, T0 + 6).await.expect("error");
    assert_eq!((failed.state.ended_at, failed.state.error.as_str()), (T0 + 6, "HEVC is not supported"));
    assert_eq!(drain(&seen), vec![("ingress_ended", id.clone(), IngressStatus::Error)]);
    assert_eq!(r.set_state(&IngressId::new("IN_gone"), state(IngressStatus::Publishing), T0).await, Err(IngressError::NotFound));
}

#[tokio::test]
async fn update_applies_livekits_rules() {
    let (r, seen) = registry().await;
    let i = r.create(rtmp("r", "p"), T0).await.expect("created");
    drain(&seen);
    let u = UpdateIngress { id: i.id.clone(), name: "renamed".into(), ..Default::default() };
    let got = r.update(u, T0 + 1).await.expect("updated");
    assert_eq!((got.name.as_str(), got.room_name.as_str(), got.participant_name.as_str()), ("renamed", "r", "Host"), "empty fields keep their value");
    assert_eq!(got.stream_key, i.stream_key, "the key stays");
    assert_eq!(drain(&seen), vec![("updated", i.id.to_string(), IngressStatus::Inactive)]);
    let bad = UpdateIngress { id: i.id.clone(), enable_transcoding: Some(false), ..Default::default() };
    assert!(matches!(r.update(bad, T0).await, Err(IngressError::InvalidArgument(_))));
    assert_eq!(r.get(&i.id).await.expect("get").enable_transcoding, None, "a refused update changes nothing");
    let missing = UpdateIngress { id: IngressId::new("IN_x"), ..Default::default() };
    assert_eq!(r.update(missing, T0).await, Err(IngressError::NotFound));

    // While publishing: stored, and the runtime is told (it ends the session, as LiveKit's does).
    r.set_state(&i.id, state(IngressStatus::Publishing), T0 + 2).await.expect("publishing");
    drain(&seen);
    let moved = r.update(UpdateIngress { id: i.id.clone(), room_name: RoomName::new("other"), ..Default::default() }, T0 + 3).await.expect("updated");
    assert_eq!((moved.room_name.as_str(), moved.state.status), ("other", IngressStatus::Publishing));
    assert_eq!(drain(&seen), vec![("updated", i.id.to_string(), IngressStatus::Publishing)]);

    // In error: reset to inactive first, which LiveKit reports as an end.
    r.set_state(&i.id, state(IngressStatus::Error), T0 + 4).await.expect("error");
    drain(&seen);
    let reset = r.update(UpdateIngress { id: i.id.clone(), enabled: Some(false), ..Default::default() }, T0 + 5).await.expect("updated");
    assert_eq!((reset.state.status, reset.is_enabled()), (IngressStatus::Inactive, false));
    assert_eq!(drain(&seen), vec![("ingress_ended", i.id.to_string(), IngressStatus::Inactive), ("updated", i.id.to_string(), IngressStatus::Inactive)]);
}

#[tokio::test]
async fn delete_ends_an_active_session_first() {
    let (r, seen) = registry().await;
    let idle = r.create(rtmp("r", "a"), T0).await.expect("idle");
    let live = r.create(rtmp("r", "b"), T0).await.expect("live");
    r.set_state(&live.id, state(IngressStatus::Publishing), T0 + 1).await.expect("publishing");
    drain(&seen);
    let gone = r.delete(&idle.id, T0 + 2).await.expect("deleted");
    assert_eq!(gone.state.status, IngressStatus::Inactive);
    assert_eq!(drain(&seen), vec![("ingress_deleted", idle.id.to_string(), IngressStatus::Inactive)]);
    let gone = r.delete(&live.id, T0 + 3).await.expect("deleted");
    assert_eq!((gone.state.status, gone.state.ended_at), (IngressStatus::Inactive, T0 + 3));
    let id = live.id.to_string();
    assert_eq!(drain(&seen), vec![("ingress_ended", id.clone(), IngressStatus::Inactive), ("ingress_deleted", id, IngressStatus::Inactive)]);
    assert_eq!(r.delete(&live.id, T0).await, Err(IngressError::NotFound));
    assert_eq!(r.get(&live.id).await, Err(IngressError::NotFound));
    assert_eq!(r.by_stream_key(&live.stream_key).await.expect("lookup"), None, "a deleted key no longer opens anything");
}

#[tokio::test]
async fn definitions_survive_a_reopen_and_interrupted_sessions_end() {
    let dir = std::env::temp_dir().join(format!("hikari-ingress-test-{}-{}", std::process::id(), T0 % 1000));
    let _ = std::fs::remove_dir_all(&dir);
    let path = dir.join("ingress.db");
    let store = SqliteIngressStore::open(&path).await.expect("open");
    let (r, _) = registry_on(Arc::new(store.clone()));
    let video = IngressVideoOptions {
        name: "cam".into(),
        source: hikari_types::TrackSource::ScreenShare,
        encoding: Some(VideoEncoding::Options(VideoEncodingOptions {
            codec: VideoCodec::H264Baseline,
            frame_rate: 29.97,
            layers: vec![hikari_types::SimulcastLayer { quality: hikari_types::VideoQuality::High, width: 1280, height: 720, bitrate: 2_000_000 }],
        })),
    };
    let audio = IngressAudioOptions { name: "mic".into(), encoding: Some(AudioEncoding::Preset(AudioPreset::OpusMono64Kbps)), ..Default::default() };
    let created = r.create(CreateIngress { video: Some(video), audio: Some(audio), participant_metadata: "{\"a\":1}".into(), ..rtmp("r", "p") }, T0).await;
    let created = created.expect("created");
    let live = r.create(rtmp("r", "q"), T0).await.expect("live");
    r.set_state(&live.id, state(IngressStatus::Publishing), T0 + 1).await.expect("publishing");
    drop(r);
    store.close().await;
    drop(store);

    let (r, seen) = registry_on(Arc::new(SqliteIngressStore::open(&path).await.expect("reopen")));
    assert_eq!(r.get(&created.id).await.expect("still there"), created, "every field comes back as it was");
    assert_eq!(r.by_stream_key(&created.stream_key).await.expect("lookup").map(|i| i.id), Some(created.id.clone()));
    assert_eq!(r.end_interrupted(T0 + 9).await.expect("recovered"), 1);
    let live = r.get(&live.id).await.expect("live");
    assert_eq!((live.state.status, live.state.error.as_str(), live.state.ended_at), (IngressStatus::Error, INTERRUPTED, T0 + 9));
    assert_eq!(drain(&seen), vec![("ingress_ended", live.id.to_string(), IngressStatus::Error)]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_enum_variant_round_trips_through_the_stored_form() {
    let mut i = Ingress { id: IngressId::new("IN_x"), stream_key: "k".into(), ..Default::default() };
    for input in [IngressInput::Rtmp, IngressInput::Whip, IngressInput::Url] {
        for status in [IngressStatus::Inactive, IngressStatus::Buffering, IngressStatus::Publishing, IngressStatus::Error, IngressStatus::Complete] {
            (i.input, i.state.status) = (input, status);
            assert_eq!(row::decode(&row::encode(&i).expect("encode")).expect("decode"), i);
        }
    }
    for preset in VideoPreset::ALL {
        i.video = Some(IngressVideoOptions { encoding: Some(VideoEncoding::Preset(preset)), ..Default::default() });
        assert_eq!(row::decode(&row::encode(&i).expect("encode")).expect("decode"), i);
    }
    for codec in [VideoCodec::Default, VideoCodec::H264Baseline, VideoCodec::H264Main, VideoCodec::H264High, VideoCodec::Vp8] {
        i.video =
            Some(IngressVideoOptions { encoding: Some(VideoEncoding::Options(VideoEncodingOptions { codec, ..Default::default() })), ..Default::default() });
        assert_eq!(row::decode(&row::encode(&i).expect("encode")).expect("decode"), i);
    }
    for (preset, codec) in [(AudioPreset::OpusStereo96Kbps, AudioCodec::Aac), (AudioPreset::OpusMono64Kbps, AudioCodec::Mp3)] {
        i.audio = Some(IngressAudioOptions { encoding: Some(AudioEncoding::Preset(preset)), ..Default::default() });
        assert_eq!(row::decode(&row::encode(&i).expect("encode")).expect("decode"), i);
        i.audio =
            Some(IngressAudioOptions { encoding: Some(AudioEncoding::Options(AudioEncodingOptions { codec, ..Default::default() })), ..Default::default() });
        assert_eq!(row::decode(&row::encode(&i).expect("encode")).expect("decode"), i);
    }
    assert!(matches!(row::decode("{\"v\":2}"), Err(IngressError::Store(_))));
}
