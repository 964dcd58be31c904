//! Webhook bodies and their signature (`encode_webhook`, `sign_body`): rooms,
//! participants and tracks carry names, metadata and attributes that clients chose, so
//! every field is fuzzed, metadata up to far past the limits. The body must parse back
//! as JSON with the same values, and its token must verify and carry the body's hash.

use arbitrary::{Arbitrary, Unstructured};
use hikari_auth::KeySet;
use hikari_protocol::{WebhookBody, encode_webhook};
use hikari_types::{
    DisconnectReason, ParticipantInfo, ParticipantKind, ParticipantState, Permissions, RoomInfo, SimulcastLayer, TrackInfo, TrackKind, TrackSource,
    VideoQuality,
};
use hikari_webhook::{body_sha256, sign_body};
use serde_json::Value;

const NOW: i64 = 1_800_000_000;

#[derive(Arbitrary, Debug)]
struct Input {
    event: String,
    id: String,
    created_at: i64,
    num_dropped: i32,
    room: Option<Room>,
    participant: Option<Participant>,
    track: Option<Track>,
    api_key: String,
    secret: String,
}

#[derive(Arbitrary, Debug)]
struct Room {
    sid: String,
    name: String,
    timeouts: (u32, u32, u32),
    creation_time_ms: i64,
    metadata: Big,
    counts: (u32, u32),
    active_recording: bool,
    enabled_codecs: Vec<String>,
}

#[derive(Arbitrary, Debug)]
struct Participant {
    sid: String,
    identity: String,
    name: String,
    state: u8,
    tracks: Vec<Track>,
    metadata: Big,
    attributes: Vec<(String, String)>,
    joined_at_ms: i64,
    version: u32,
    permissions: [bool; 8],
    sources: Vec<u8>,
    kind: u8,
    client_protocol: i32,
    disconnect_reason: u8,
}

#[derive(Arbitrary, Debug)]
struct Track {
    sid: String,
    kind: u8,
    name: String,
    source: u8,
    flags: [bool; 6],
    size: (u32, u32),
    layers: Vec<(u8, u32, u32, u32)>,
    mime_type: String,
    mid: String,
    stream: String,
}

/// A string repeated up to 64 Ki times, to at most 80 KiB: metadata past the 64 KiB limit
/// from a short input.
#[derive(Arbitrary, Debug)]
struct Big {
    text: String,
    repeat: u16,
}

impl Big {
    fn build(&self) -> String {
        let times = if self.text.is_empty() { 0 } else { usize::from(self.repeat).min(80 * 1024 / self.text.len()) };
        self.text.repeat(times.max(1))
    }
}

fn pick<T: Copy>(all: &[T], i: u8) -> T {
    all[usize::from(i) % all.len()]
}

fn source(i: u8) -> TrackSource {
    use TrackSource::*;
    pick(&[Unknown, Camera, Microphone, ScreenShare, ScreenShareAudio], i)
}

fn track(t: &Track) -> TrackInfo {
    use VideoQuality::*;
    TrackInfo {
        sid: t.sid.as_str().into(),
        kind: pick(&[TrackKind::Audio, TrackKind::Video, TrackKind::Data], t.kind),
        name: t.name.clone(),
        source: source(t.source),
        muted: t.flags[0],
        width: t.size.0,
        height: t.size.1,
        simulcast: t.flags[1],
        layers: t.layers.iter().map(|&(q, width, height, bitrate)| SimulcastLayer { quality: pick(&[Low, Medium, High], q), width, height, bitrate }).collect(),
        mime_type: t.mime_type.clone(),
        mid: t.mid.clone(),
        disable_dtx: t.flags[2],
        stereo: t.flags[3],
        disable_red: t.flags[4],
        stream: t.stream.clone(),
        encryption: if t.flags[5] { hikari_types::Encryption::Gcm } else { hikari_types::Encryption::None },
    }
}

fn room(r: &Room) -> RoomInfo {
    RoomInfo {
        sid: r.sid.as_str().into(),
        name: r.name.as_str().into(),
        empty_timeout: r.timeouts.0,
        departure_timeout: r.timeouts.1,
        max_participants: r.timeouts.2,
        creation_time_ms: r.creation_time_ms,
        metadata: r.metadata.build(),
        num_participants: r.counts.0,
        num_publishers: r.counts.1,
        active_recording: r.active_recording,
        enabled_codecs: r.enabled_codecs.clone(),
    }
}

fn participant(p: &Participant) -> ParticipantInfo {
    use DisconnectReason::*;
    use ParticipantKind::*;
    use ParticipantState::*;
    const REASONS: [DisconnectReason; 10] =
        [Unknown, ClientInitiated, DuplicateIdentity, ServerShutdown, ParticipantRemoved, RoomDeleted, StateMismatch, JoinFailure, SignalClose, RoomClosed];
    let f = p.permissions;
    ParticipantInfo {
        sid: p.sid.as_str().into(),
        identity: p.identity.as_str().into(),
        name: p.name.clone(),
        state: pick(&[Joining, Joined, Active, Disconnected], p.state),
        tracks: p.tracks.iter().map(track).collect(),
        metadata: p.metadata.build(),
        attributes: p.attributes.iter().cloned().collect(),
        joined_at_ms: p.joined_at_ms,
        version: p.version,
        permission: Permissions {
            can_subscribe: f[0],
            can_publish: f[1],
            can_publish_data: f[2],
            can_publish_sources: p.sources.iter().map(|&s| source(s)).collect(),
            hidden: f[3],
            recorder: f[4],
            can_update_metadata: f[5],
            agent: f[6],
        },
        is_publisher: f[7],
        kind: pick(&[Standard, Ingress, Egress, Sip, Agent], p.kind),
        client_protocol: p.client_protocol,
        disconnect_reason: pick(&REASONS, p.disconnect_reason),
    }
}

/// protojson leaves out empty strings.
fn string_field<'a>(v: &'a Value, name: &str) -> &'a str {
    v.get(name).map(|s| s.as_str().expect("a string field is a JSON string")).unwrap_or("")
}

pub fn run(data: &[u8]) {
    let Ok(input) = <Input>::arbitrary_take_rest(Unstructured::new(data)) else { return };
    let room = input.room.as_ref().map(room);
    let participant = input.participant.as_ref().map(participant);
    let track = input.track.as_ref().map(track);
    let body = encode_webhook(&WebhookBody {
        event: &input.event,
        room: room.as_ref(),
        participant: participant.as_ref(),
        track: track.as_ref(),
        ingress: None,
        egress: None,
        id: &input.id,
        created_at: input.created_at,
        num_dropped: input.num_dropped,
    });
    let v: Value = serde_json::from_slice(&body).expect("a webhook body is JSON");
    assert_eq!(string_field(&v, "event"), input.event);
    assert_eq!(string_field(&v, "id"), input.id);
    if let Some(r) = &room {
        let json = v.get("room").expect("the room is in the body");
        assert_eq!(string_field(json, "name"), r.name.as_str());
        assert_eq!(string_field(json, "metadata"), r.metadata);
    }
    if let Some(p) = &participant {
        let json = v.get("participant").expect("the participant is in the body");
        assert_eq!(string_field(json, "identity"), p.identity.as_str());
        assert_eq!(string_field(json, "metadata"), p.metadata);
        let attributes = json.get("attributes").and_then(Value::as_object).map_or(0, |a| a.len());
        assert_eq!(attributes, p.attributes.len());
    }
    if let Some(t) = &track {
        assert_eq!(string_field(v.get("track").expect("the track is in the body"), "name"), t.name);
    }
    // The body is sent as is; its token must verify with the same key and carry its hash.
    let Ok(token) = sign_body(&input.api_key, &input.secret, &body, NOW) else { return };
    let keys = KeySet::new([(input.api_key.clone(), input.secret.clone())]);
    let claims = keys.verify(&token, NOW + 1).expect("a webhook token verifies");
    assert_eq!(claims.iss, input.api_key);
    assert_eq!(claims.sha256, body_sha256(&body));
}
