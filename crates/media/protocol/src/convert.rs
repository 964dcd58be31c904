//! Conversions between `hikari-types` and LiveKit's protobuf messages.

use hikari_types::{
    AddTrack, ClientInfo, ConnectionQuality, DisconnectReason, Encryption, IceServer, JoinInfo, LayerWant, LeaveAction, ParticipantInfo, ParticipantKind,
    ParticipantState, Permissions, RequestOutcome, RoomInfo, Sdp, SdpKind, ServerInfo, SimulcastLayer, TrackInfo, TrackKind, TrackSource, VideoQuality,
};
use livekit_protocol as lk;

/// The protocol version this server speaks.
pub const PROTOCOL_VERSION: i32 = 16;

/// The `candidate` member of an `RTCIceCandidateInit` JSON string, without `a=`; empty when
/// there is none or the JSON is malformed (such a candidate is ignored, as browsers do).
pub(crate) fn candidate_from_init(init: &str) -> String {
    let line = serde_json::from_str::<serde_json::Value>(init).ok().and_then(|v| v.get("candidate")?.as_str().map(str::to_owned)).unwrap_or_default();
    match line.strip_prefix("a=") {
        Some(rest) => rest.to_owned(),
        None => line,
    }
}

/// An `RTCIceCandidateInit` JSON string for a candidate line, as livekit-server sends it.
pub(crate) fn candidate_to_init(line: &str) -> String {
    serde_json::json!({ "candidate": line, "sdpMid": "0", "sdpMLineIndex": 0 }).to_string()
}

pub(crate) fn track_kind_from_proto(v: i32) -> TrackKind {
    match lk::TrackType::try_from(v) {
        Ok(lk::TrackType::Video) => TrackKind::Video,
        Ok(lk::TrackType::Data) => TrackKind::Data,
        _ => TrackKind::Audio,
    }
}

fn track_kind_to_proto(k: TrackKind) -> lk::TrackType {
    match k {
        TrackKind::Audio => lk::TrackType::Audio,
        TrackKind::Video => lk::TrackType::Video,
        TrackKind::Data => lk::TrackType::Data,
    }
}

pub(crate) fn source_from_proto(v: i32) -> TrackSource {
    match lk::TrackSource::try_from(v) {
        Ok(lk::TrackSource::Camera) => TrackSource::Camera,
        Ok(lk::TrackSource::Microphone) => TrackSource::Microphone,
        Ok(lk::TrackSource::ScreenShare) => TrackSource::ScreenShare,
        Ok(lk::TrackSource::ScreenShareAudio) => TrackSource::ScreenShareAudio,
        _ => TrackSource::Unknown,
    }
}

pub(crate) fn source_to_proto(s: TrackSource) -> lk::TrackSource {
    match s {
        TrackSource::Unknown => lk::TrackSource::Unknown,
        TrackSource::Camera => lk::TrackSource::Camera,
        TrackSource::Microphone => lk::TrackSource::Microphone,
        TrackSource::ScreenShare => lk::TrackSource::ScreenShare,
        TrackSource::ScreenShareAudio => lk::TrackSource::ScreenShareAudio,
    }
}

pub(crate) fn quality_from_proto(v: i32) -> VideoQuality {
    match lk::VideoQuality::try_from(v) {
        Ok(lk::VideoQuality::High) => VideoQuality::High,
        Ok(lk::VideoQuality::Medium) => VideoQuality::Medium,
        _ => VideoQuality::Low,
    }
}

pub(crate) fn quality_to_proto(q: VideoQuality) -> lk::VideoQuality {
    match q {
        VideoQuality::Low => lk::VideoQuality::Low,
        VideoQuality::Medium => lk::VideoQuality::Medium,
        VideoQuality::High => lk::VideoQuality::High,
    }
}

pub(crate) fn disconnect_reason_from_proto(v: i32) -> DisconnectReason {
    match lk::DisconnectReason::try_from(v) {
        Ok(lk::DisconnectReason::ClientInitiated) => DisconnectReason::ClientInitiated,
        Ok(lk::DisconnectReason::DuplicateIdentity) => DisconnectReason::DuplicateIdentity,
        Ok(lk::DisconnectReason::ServerShutdown) => DisconnectReason::ServerShutdown,
        Ok(lk::DisconnectReason::ParticipantRemoved) => DisconnectReason::ParticipantRemoved,
        Ok(lk::DisconnectReason::RoomDeleted) => DisconnectReason::RoomDeleted,
        Ok(lk::DisconnectReason::StateMismatch) => DisconnectReason::StateMismatch,
        Ok(lk::DisconnectReason::JoinFailure) => DisconnectReason::JoinFailure,
        Ok(lk::DisconnectReason::SignalClose) => DisconnectReason::SignalClose,
        Ok(lk::DisconnectReason::RoomClosed) => DisconnectReason::RoomClosed,
        _ => DisconnectReason::Unknown,
    }
}

pub(crate) fn disconnect_reason_to_proto(r: DisconnectReason) -> lk::DisconnectReason {
    match r {
        DisconnectReason::Unknown => lk::DisconnectReason::UnknownReason,
        DisconnectReason::ClientInitiated => lk::DisconnectReason::ClientInitiated,
        DisconnectReason::DuplicateIdentity => lk::DisconnectReason::DuplicateIdentity,
        DisconnectReason::ServerShutdown => lk::DisconnectReason::ServerShutdown,
        DisconnectReason::ParticipantRemoved => lk::DisconnectReason::ParticipantRemoved,
        DisconnectReason::RoomDeleted => lk::DisconnectReason::RoomDeleted,
        DisconnectReason::StateMismatch => lk::DisconnectReason::StateMismatch,
        DisconnectReason::JoinFailure => lk::DisconnectReason::JoinFailure,
        DisconnectReason::SignalClose => lk::DisconnectReason::SignalClose,
        DisconnectReason::RoomClosed => lk::DisconnectReason::RoomClosed,
    }
}

pub(crate) fn leave_action_to_proto(a: LeaveAction) -> lk::leave_request::Action {
    match a {
        LeaveAction::Disconnect => lk::leave_request::Action::Disconnect,
        LeaveAction::Resume => lk::leave_request::Action::Resume,
        LeaveAction::Reconnect => lk::leave_request::Action::Reconnect,
    }
}

pub(crate) fn outcome_to_proto(o: RequestOutcome) -> lk::request_response::Reason {
    match o {
        RequestOutcome::Ok => lk::request_response::Reason::Ok,
        RequestOutcome::NotFound => lk::request_response::Reason::NotFound,
        RequestOutcome::NotAllowed => lk::request_response::Reason::NotAllowed,
        RequestOutcome::LimitExceeded => lk::request_response::Reason::LimitExceeded,
        RequestOutcome::InvalidRequest => lk::request_response::Reason::InvalidRequest,
    }
}

pub(crate) fn client_info_from_proto(c: &lk::ClientInfo) -> ClientInfo {
    let sdk = lk::client_info::Sdk::try_from(c.sdk).map(|s| s.as_str_name().to_ascii_lowercase()).unwrap_or_else(|_| "unknown".to_owned());
    ClientInfo { sdk, version: c.version.clone(), protocol: c.protocol, client_protocol: c.client_protocol, os: c.os.clone(), browser: c.browser.clone() }
}

pub(crate) fn add_track_from_proto(r: &lk::AddTrackRequest) -> AddTrack {
    AddTrack {
        cid: r.cid.clone(),
        name: r.name.clone(),
        kind: track_kind_from_proto(r.r#type),
        source: source_from_proto(r.source),
        width: r.width,
        height: r.height,
        muted: r.muted,
        disable_dtx: r.disable_dtx,
        stereo: r.stereo,
        disable_red: r.disable_red,
        encryption: encryption_from_proto(r.encryption),
        layers: layers_from_proto(&r.layers),
        stream: r.stream.clone(),
        codecs: r.simulcast_codecs.iter().map(|c| c.codec.clone()).filter(|c| !c.is_empty()).take(4).collect(),
    }
}

pub(crate) fn encryption_from_proto(v: i32) -> Encryption {
    match lk::encryption::Type::try_from(v) {
        Ok(lk::encryption::Type::Gcm) => Encryption::Gcm,
        Ok(lk::encryption::Type::Custom) => Encryption::Custom,
        _ => Encryption::None,
    }
}

pub(crate) fn encryption_to_proto(e: Encryption) -> lk::encryption::Type {
    match e {
        Encryption::None => lk::encryption::Type::None,
        Encryption::Gcm => lk::encryption::Type::Gcm,
        Encryption::Custom => lk::encryption::Type::Custom,
    }
}

pub(crate) fn connection_quality_to_proto(q: ConnectionQuality) -> lk::ConnectionQuality {
    match q {
        ConnectionQuality::Excellent => lk::ConnectionQuality::Excellent,
        ConnectionQuality::Good => lk::ConnectionQuality::Good,
        ConnectionQuality::Poor => lk::ConnectionQuality::Poor,
        ConnectionQuality::Lost => lk::ConnectionQuality::Lost,
    }
}

pub(crate) fn connection_quality_from_proto(v: i32) -> ConnectionQuality {
    match lk::ConnectionQuality::try_from(v) {
        Ok(lk::ConnectionQuality::Excellent) => ConnectionQuality::Excellent,
        Ok(lk::ConnectionQuality::Good) => ConnectionQuality::Good,
        Ok(lk::ConnectionQuality::Lost) => ConnectionQuality::Lost,
        _ => ConnectionQuality::Poor,
    }
}

pub(crate) fn layers_from_proto(layers: &[lk::VideoLayer]) -> Vec<SimulcastLayer> {
    layers.iter().map(|l| SimulcastLayer { quality: quality_from_proto(l.quality), width: l.width, height: l.height, bitrate: l.bitrate }).collect()
}

pub(crate) fn layers_to_proto(layers: &[SimulcastLayer]) -> Vec<lk::VideoLayer> {
    layers
        .iter()
        .map(|l| lk::VideoLayer { quality: quality_to_proto(l.quality) as i32, width: l.width, height: l.height, bitrate: l.bitrate, ..Default::default() })
        .collect()
}

/// `UpdateTrackSettings` as LiveKit reads it: a size when both sides are given, else the
/// quality (`OFF` pauses, like `disabled`). Returns the wish and whether to pause.
pub(crate) fn layer_want_from_proto(quality: i32, width: u32, height: u32) -> (LayerWant, bool) {
    if width > 0 && height > 0 {
        return (LayerWant::Size { width, height }, false);
    }
    match lk::VideoQuality::try_from(quality) {
        Ok(lk::VideoQuality::Off) => (LayerWant::default(), true),
        _ => (LayerWant::Quality(quality_from_proto(quality)), false),
    }
}

pub(crate) fn layer_want_to_proto(want: LayerWant) -> (i32, u32, u32) {
    match want {
        LayerWant::Quality(q) => (quality_to_proto(q) as i32, 0, 0),
        LayerWant::Size { width, height } => (lk::VideoQuality::High as i32, width, height),
    }
}

pub(crate) fn sdp_to_proto(s: &Sdp) -> lk::SessionDescription {
    lk::SessionDescription {
        r#type: match s.kind {
            SdpKind::Offer => "offer".into(),
            SdpKind::Answer => "answer".into(),
        },
        sdp: s.sdp.clone(),
        id: s.id,
        mid_to_track_id: s.mid_to_track.iter().map(|(mid, sid)| (mid.clone(), sid.as_str().to_owned())).collect(),
    }
}

pub(crate) fn sdp_from_proto(s: lk::SessionDescription, kind: SdpKind) -> Sdp {
    Sdp { kind, sdp: s.sdp, id: s.id, mid_to_track: s.mid_to_track_id.into_iter().map(|(k, v)| (k, v.as_str().into())).collect() }
}

pub(crate) fn track_to_proto(t: &TrackInfo) -> lk::TrackInfo {
    lk::TrackInfo {
        sid: t.sid.as_str().to_owned(),
        r#type: track_kind_to_proto(t.kind) as i32,
        name: t.name.clone(),
        muted: t.muted,
        width: t.width,
        height: t.height,
        simulcast: t.simulcast,
        disable_dtx: t.disable_dtx,
        source: source_to_proto(t.source) as i32,
        layers: layers_to_proto(&t.layers),
        mime_type: t.mime_type.clone(),
        mid: t.mid.clone(),
        stereo: t.stereo,
        disable_red: t.disable_red,
        encryption: encryption_to_proto(t.encryption) as i32,
        stream: t.stream.clone(),
        ..Default::default()
    }
}

fn permission_to_proto(p: &Permissions) -> lk::ParticipantPermission {
    lk::ParticipantPermission {
        can_subscribe: p.can_subscribe,
        can_publish: p.can_publish,
        can_publish_data: p.can_publish_data,
        can_publish_sources: p.can_publish_sources.iter().map(|s| source_to_proto(*s) as i32).collect(),
        hidden: p.hidden,
        recorder: p.recorder,
        can_update_metadata: p.can_update_metadata,
        agent: p.agent,
        ..Default::default()
    }
}

pub(crate) fn participant_to_proto(p: &ParticipantInfo) -> lk::ParticipantInfo {
    lk::ParticipantInfo {
        sid: p.sid.as_str().to_owned(),
        identity: p.identity.as_str().to_owned(),
        state: match p.state {
            ParticipantState::Joining => lk::participant_info::State::Joining,
            ParticipantState::Joined => lk::participant_info::State::Joined,
            ParticipantState::Active => lk::participant_info::State::Active,
            ParticipantState::Disconnected => lk::participant_info::State::Disconnected,
        } as i32,
        tracks: p.tracks.iter().map(track_to_proto).collect(),
        metadata: p.metadata.clone(),
        joined_at: p.joined_at_ms / 1000,
        joined_at_ms: p.joined_at_ms,
        name: p.name.clone(),
        version: p.version,
        permission: Some(permission_to_proto(&p.permission)),
        is_publisher: p.is_publisher,
        kind: match p.kind {
            ParticipantKind::Standard => lk::participant_info::Kind::Standard,
            ParticipantKind::Ingress => lk::participant_info::Kind::Ingress,
            ParticipantKind::Egress => lk::participant_info::Kind::Egress,
            ParticipantKind::Sip => lk::participant_info::Kind::Sip,
            ParticipantKind::Agent => lk::participant_info::Kind::Agent,
        } as i32,
        attributes: p.attributes.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        disconnect_reason: disconnect_reason_to_proto(p.disconnect_reason) as i32,
        client_protocol: p.client_protocol,
        ..Default::default()
    }
}

pub(crate) fn room_to_proto(r: &RoomInfo) -> lk::Room {
    lk::Room {
        sid: r.sid.as_str().to_owned(),
        name: r.name.as_str().to_owned(),
        empty_timeout: r.empty_timeout,
        departure_timeout: r.departure_timeout,
        max_participants: r.max_participants,
        creation_time: r.creation_time_ms / 1000,
        creation_time_ms: r.creation_time_ms,
        metadata: r.metadata.clone(),
        num_participants: r.num_participants,
        num_publishers: r.num_publishers,
        active_recording: r.active_recording,
        enabled_codecs: r.enabled_codecs.iter().map(|m| lk::Codec { mime: m.clone(), fmtp_line: String::new() }).collect(),
        ..Default::default()
    }
}

pub(crate) fn server_info_to_proto(s: &ServerInfo) -> lk::ServerInfo {
    lk::ServerInfo {
        edition: lk::server_info::Edition::Standard as i32,
        version: s.version.clone(),
        protocol: PROTOCOL_VERSION,
        region: s.region.clone(),
        node_id: s.node_id.clone(),
        ..Default::default()
    }
}

pub(crate) fn join_to_proto(j: &JoinInfo) -> lk::JoinResponse {
    lk::JoinResponse {
        room: Some(room_to_proto(&j.room)),
        participant: Some(participant_to_proto(&j.participant)),
        other_participants: j.others.iter().map(participant_to_proto).collect(),
        server_version: j.server.version.clone(),
        subscriber_primary: j.subscriber_primary,
        server_region: j.server.region.clone(),
        ping_timeout: j.ping_timeout.max(1),
        ping_interval: j.ping_interval.max(1),
        server_info: Some(server_info_to_proto(&j.server)),
        enabled_publish_codecs: j.publish_codecs.iter().map(|m| lk::Codec { mime: m.clone(), fmtp_line: String::new() }).collect(),
        ice_servers: ice_servers_to_proto(&j.ice_servers),
        // `force-tls`: the SDKs then set the ICE transport policy to relay.
        client_configuration: j.force_relay.then(|| lk::ClientConfiguration { force_relay: lk::ClientConfigSetting::Enabled as i32, ..Default::default() }),
        ..Default::default()
    }
}

pub(crate) fn ice_servers_from_proto(servers: &[lk::IceServer]) -> Vec<IceServer> {
    servers.iter().map(|s| IceServer { urls: s.urls.clone(), username: s.username.clone(), credential: s.credential.clone() }).collect()
}

pub(crate) fn ice_servers_to_proto(servers: &[IceServer]) -> Vec<lk::IceServer> {
    servers.iter().map(|s| lk::IceServer { urls: s.urls.clone(), username: s.username.clone(), credential: s.credential.clone() }).collect()
}

#[cfg(test)]
mod candidate_tests {
    use super::*;

    #[test]
    fn the_candidate_line_is_read_from_the_init_json_and_written_back() {
        let line = "candidate:1 1 udp 2122260223 10.77.0.2 54321 typ host generation 0";
        let init = format!(r#"{{"sdpMid":"0","sdpMLineIndex":0,"candidate":"{line}"}}"#);
        assert_eq!(candidate_from_init(&init), line);
        assert_eq!(candidate_from_init(&format!(r#"{{"candidate":"a={line}"}}"#)), line, "an a= prefix is dropped");
        for bad in ["", "{}", "not json", "{", r#"{"candidate":5}"#, "[]"] {
            assert_eq!(candidate_from_init(bad), "", "{bad}");
        }
        assert_eq!(candidate_from_init(&candidate_to_init(line)), line);
    }
}
