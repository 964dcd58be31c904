//! LiveKit signaling adapter: `/rtc` (two PeerConnections) over a WebSocket, protobuf frames.

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use futures_util::{SinkExt, StreamExt};
use hikari_auth::{AccessToken, VideoGrant};
use hikari_protocol::{decode_server_signal, encode_client_signal};
use hikari_types::{
    AddTrack, ClientSignal, DisconnectReason, LayerWant, Sdp, SdpKind, ServerSignal, SignalTarget, SimulcastLayer, TrackKind, TrackSource, VideoQuality,
};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use crate::engine::{Engine, PublishSpec};
use crate::{Client, Role};

/// Where and how to join.
#[derive(Clone, Debug)]
pub struct LiveKit {
    /// `ws://host:port`.
    pub url: String,
    /// API key.
    pub key: String,
    /// API secret.
    pub secret: String,
}

fn token(lk: &LiveKit, room: &str, identity: &str) -> anyhow::Result<String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() as i64;
    let grant = VideoGrant { room_join: true, room: room.to_owned(), ..Default::default() };
    Ok(AccessToken::new(&lk.key, now - 10, 3600).identity(identity).video(grant).sign(&lk.secret)?)
}

fn sdp(kind: SdpKind, sdp: String, id: u32) -> Sdp {
    Sdp { kind, sdp, id, mid_to_track: BTreeMap::new() }
}

fn add_tracks(spec: &PublishSpec) -> Vec<AddTrack> {
    let mut out = Vec::new();
    if !spec.layers.is_empty() {
        let dims = [(320, 180, VideoQuality::Low), (640, 360, VideoQuality::Medium), (1280, 720, VideoQuality::High)];
        let n = spec.layers.len();
        let layers = spec
            .layers
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let (width, height, quality) = dims[dims.len() - n + i];
                SimulcastLayer { quality, width, height, bitrate: l.bitrate }
            })
            .collect();
        out.push(AddTrack {
            cid: spec.video_track_id.clone(),
            name: "camera".into(),
            kind: TrackKind::Video,
            source: TrackSource::Camera,
            width: 1280,
            height: 720,
            layers,
            ..Default::default()
        });
    }
    if spec.audio {
        out.push(AddTrack {
            cid: spec.audio_track_id.clone(),
            name: "microphone".into(),
            kind: TrackKind::Audio,
            source: TrackSource::Microphone,
            ..Default::default()
        });
    }
    out
}

/// Runs one participant until `stop` turns true or the server ends the session.
/// Adds the video tracks of `participants` not yet in `videos`.
fn note_videos(videos: &mut Vec<hikari_types::TrackSid>, participants: &[hikari_types::ParticipantInfo]) {
    for t in participants.iter().flat_map(|p| &p.tracks).filter(|t| t.kind == TrackKind::Video) {
        if !videos.contains(&t.sid) {
            videos.push(t.sid.clone());
        }
    }
}

pub async fn run(engine: Engine, lk: LiveKit, client: Client, mut stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let started = Instant::now();
    let token = match &client.token {
        Some(t) => t.clone(),
        None => token(&lk, &client.room, &client.identity)?,
    };
    let url = format!("{}/rtc?access_token={token}&auto_subscribe=1&protocol=16&sdk=rust&version=0.0.1", lk.url);
    let (ws, _) = tokio_tungstenite::connect_async(url.as_str()).await.context("websocket connect")?;
    let (mut sink, mut stream) = ws.split();
    let mut pub_peer: Option<usize> = None;
    let mut sub_peer: Option<usize> = None;
    let mut announced = 0usize;
    let mut published = 0usize;
    // Video tracks of the others, for a client that asks for their low layer.
    let mut videos: Vec<hikari_types::TrackSid> = Vec::new();
    let mut ping = tokio::time::interval(Duration::from_secs(5));
    let result: anyhow::Result<()> = async {
        loop {
            tokio::select! {
                _ = stop.changed() => {
                    let leave = encode_client_signal(&ClientSignal::Leave { reason: DisconnectReason::ClientInitiated });
                    let _ = sink.send(Message::Binary(leave.into())).await;
                    let _ = sink.close().await;
                    return Ok(());
                }
                _ = ping.tick() => {
                    let ts = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as i64;
                    sink.send(Message::Binary(encode_client_signal(&ClientSignal::PingReq { timestamp: ts, rtt: 0 }).into())).await?;
                }
                msg = stream.next() => {
                    let Some(msg) = msg else { bail!("signal connection closed") };
                    let Message::Binary(bytes) = msg? else { continue };
                    let Some(signal) = decode_server_signal(&bytes)? else { continue };
                    let mut replies = Vec::new();
                    match signal {
                        ServerSignal::Join(j) => {
                            note_videos(&mut videos, &j.others);
                            let secs = u64::try_from(j.ping_interval).unwrap_or(5).clamp(1, 30);
                            ping = tokio::time::interval(Duration::from_secs(secs));
                            if let Role::Publisher(spec) = &client.role {
                                for t in add_tracks(spec) {
                                    announced += 1;
                                    replies.push(ClientSignal::AddTrack(t));
                                }
                            }
                        }
                        ServerSignal::TrackPublished { .. } => {
                            published += 1;
                            if published == announced && pub_peer.is_none()
                                && let Role::Publisher(spec) = &client.role
                            {
                                let spec = spec.clone();
                                let (peer, offer) = engine.call(move |c| c.new_publisher(&spec, started)).await??;
                                pub_peer = Some(peer);
                                replies.push(ClientSignal::Offer(sdp(SdpKind::Offer, offer, 1)));
                            }
                        }
                        ServerSignal::Answer(s) => {
                            let peer = pub_peer.context("answer without an offer")?;
                            engine.call(move |c| c.accept_answer(peer, &s.sdp)).await??;
                        }
                        ServerSignal::Offer(s) => {
                            let id = s.id;
                            let answer = match sub_peer {
                                None => {
                                    let (peer, answer) = engine.call(move |c| c.new_subscriber(&s.sdp, started)).await??;
                                    sub_peer = Some(peer);
                                    answer
                                }
                                Some(peer) => engine.call(move |c| c.accept_offer(peer, &s.sdp)).await??,
                            };
                            replies.push(ClientSignal::Answer(sdp(SdpKind::Answer, answer, id)));
                            if client.low && !videos.is_empty() {
                                let want = LayerWant::Quality(VideoQuality::Low);
                                replies.push(ClientSignal::TrackSettings { track_sids: videos.clone(), disabled: false, want, fps: 0 });
                            }
                        }
                        ServerSignal::Update(list) => note_videos(&mut videos, &list),
                        ServerSignal::Trickle(t) => {
                            let peer = match t.target { SignalTarget::Publisher => pub_peer, SignalTarget::Subscriber => sub_peer };
                            let line = Some(t.candidate).filter(|l| !l.is_empty());
                            if let (Some(peer), Some(line)) = (peer, line) {
                                engine.call(move |c| c.add_candidate(peer, &line)).await?;
                            }
                        }
                        ServerSignal::Leave { reason, .. } => bail!("server asked to leave: {reason:?}"),
                        _ => {}
                    }
                    for r in replies {
                        sink.send(Message::Binary(encode_client_signal(&r).into())).await?;
                    }
                }
            }
        }
    }
    .await;
    for peer in [pub_peer, sub_peer].into_iter().flatten() {
        let _ = engine.call(move |c| c.remove(peer)).await;
    }
    result
}
