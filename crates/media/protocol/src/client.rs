//! The client side of the signal protocol: requests a client sends, responses it reads.
//! Used by load generators and test clients; the server uses `decode_signal` and
//! `encode_signal`.

use hikari_types::{
    ClientSignal, JoinInfo, LeaveAction, ParticipantInfo, ParticipantState, QualityInfo, RoomInfo, SdpKind, ServerInfo, ServerSignal, SignalTarget,
    SpeakerInfo, StreamState, TrackInfo, Trickle,
};
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use lk::signal_response::Message as Resp;
use prost::Message;

use crate::convert::{
    candidate_from_init, candidate_to_init, connection_quality_from_proto, disconnect_reason_from_proto, disconnect_reason_to_proto, encryption_from_proto,
    encryption_to_proto, ice_servers_from_proto, layer_want_to_proto, layers_from_proto, layers_to_proto, quality_from_proto, sdp_from_proto, sdp_to_proto,
    source_from_proto, track_kind_from_proto,
};
use crate::error::ProtocolError;
use crate::sync::{scenario_to_proto, sync_state_to_proto};

fn target_to_proto(t: SignalTarget) -> i32 {
    match t {
        SignalTarget::Publisher => lk::SignalTarget::Publisher as i32,
        SignalTarget::Subscriber => lk::SignalTarget::Subscriber as i32,
    }
}

/// Encodes one client message as a binary `SignalRequest` frame.
///
/// [`ClientSignal::Ignored`] has no wire form and encodes as an empty request.
pub fn encode_client_signal(signal: &ClientSignal) -> Vec<u8> {
    let message = match signal {
        ClientSignal::Offer(s) => Some(Req::Offer(sdp_to_proto(s))),
        ClientSignal::Answer(s) => Some(Req::Answer(sdp_to_proto(s))),
        ClientSignal::Trickle(t) => {
            Some(Req::Trickle(lk::TrickleRequest { candidate_init: candidate_to_init(&t.candidate), target: target_to_proto(t.target), r#final: t.is_final }))
        }
        ClientSignal::AddTrack(a) => Some(Req::AddTrack(lk::AddTrackRequest {
            cid: a.cid.clone(),
            name: a.name.clone(),
            r#type: match a.kind {
                hikari_types::TrackKind::Audio => lk::TrackType::Audio,
                hikari_types::TrackKind::Video => lk::TrackType::Video,
                hikari_types::TrackKind::Data => lk::TrackType::Data,
            } as i32,
            source: match a.source {
                hikari_types::TrackSource::Unknown => lk::TrackSource::Unknown,
                hikari_types::TrackSource::Camera => lk::TrackSource::Camera,
                hikari_types::TrackSource::Microphone => lk::TrackSource::Microphone,
                hikari_types::TrackSource::ScreenShare => lk::TrackSource::ScreenShare,
                hikari_types::TrackSource::ScreenShareAudio => lk::TrackSource::ScreenShareAudio,
            } as i32,
            width: a.width,
            height: a.height,
            muted: a.muted,
            disable_dtx: a.disable_dtx,
            stereo: a.stereo,
            disable_red: a.disable_red,
            encryption: encryption_to_proto(a.encryption) as i32,
            layers: layers_to_proto(&a.layers),
            stream: a.stream.clone(),
            simulcast_codecs: a.codecs.iter().map(|c| lk::SimulcastCodec { codec: c.clone(), ..Default::default() }).collect(),
            ..Default::default()
        })),
        ClientSignal::Mute { sid, muted } => Some(Req::Mute(lk::MuteTrackRequest { sid: sid.to_string(), muted: *muted })),
        ClientSignal::Subscription { track_sids, subscribe } => Some(Req::Subscription(lk::UpdateSubscription {
            track_sids: track_sids.iter().map(|t| t.to_string()).collect(),
            subscribe: *subscribe,
            ..Default::default()
        })),
        ClientSignal::TrackSettings { track_sids, disabled, want, fps } => {
            let (quality, width, height) = layer_want_to_proto(*want);
            Some(Req::TrackSetting(lk::UpdateTrackSettings {
                track_sids: track_sids.iter().map(|t| t.to_string()).collect(),
                disabled: *disabled,
                quality,
                width,
                height,
                fps: *fps,
                ..Default::default()
            }))
        }
        #[allow(deprecated)]
        ClientSignal::UpdateVideoLayers { track_sid, layers } => {
            Some(Req::UpdateLayers(lk::UpdateVideoLayers { track_sid: track_sid.to_string(), layers: layers_to_proto(layers) }))
        }
        ClientSignal::Leave { reason } => Some(Req::Leave(lk::LeaveRequest { reason: disconnect_reason_to_proto(*reason) as i32, ..Default::default() })),
        ClientSignal::UpdateMetadata(u) => Some(Req::UpdateMetadata(lk::UpdateParticipantMetadata {
            metadata: u.metadata.clone(),
            name: u.name.clone(),
            attributes: u.attributes.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            request_id: u.request_id,
        })),
        ClientSignal::SubscriptionPermission { all, tracks } => Some(Req::SubscriptionPermission(lk::SubscriptionPermission {
            all_participants: *all,
            track_permissions: tracks
                .iter()
                .map(|t| lk::TrackPermission {
                    participant_sid: t.participant_sid.clone(),
                    participant_identity: t.participant_identity.clone(),
                    all_tracks: t.all_tracks,
                    track_sids: t.track_sids.iter().map(|s| s.to_string()).collect(),
                })
                .collect(),
        })),
        ClientSignal::Ping(t) => Some(Req::Ping(*t)),
        ClientSignal::PingReq { timestamp, rtt } => Some(Req::PingReq(lk::Ping { timestamp: *timestamp, rtt: *rtt })),
        ClientSignal::Simulate(scenario) => Some(Req::Simulate(scenario_to_proto(*scenario))),
        ClientSignal::SyncState(state) => Some(Req::SyncState(sync_state_to_proto(state))),
        ClientSignal::Ignored(_) => None,
    };
    lk::SignalRequest { message }.encode_to_vec()
}

pub(crate) fn track_from_proto(t: &lk::TrackInfo) -> TrackInfo {
    TrackInfo {
        sid: t.sid.as_str().into(),
        kind: track_kind_from_proto(t.r#type),
        name: t.name.clone(),
        source: source_from_proto(t.source),
        muted: t.muted,
        width: t.width,
        height: t.height,
        simulcast: t.simulcast,
        layers: layers_from_proto(&t.layers),
        mime_type: t.mime_type.clone(),
        mid: t.mid.clone(),
        disable_dtx: t.disable_dtx,
        stereo: t.stereo,
        disable_red: t.disable_red,
        encryption: encryption_from_proto(t.encryption),
        stream: t.stream.clone(),
    }
}

fn participant_from_proto(p: &lk::ParticipantInfo) -> ParticipantInfo {
    ParticipantInfo {
        sid: p.sid.as_str().into(),
        identity: p.identity.as_str().into(),
        name: p.name.clone(),
        state: match lk::participant_info::State::try_from(p.state) {
            Ok(lk::participant_info::State::Joined) => ParticipantState::Joined,
            Ok(lk::participant_info::State::Active) => ParticipantState::Active,
            Ok(lk::participant_info::State::Disconnected) => ParticipantState::Disconnected,
            _ => ParticipantState::Joining,
        },
        tracks: p.tracks.iter().map(track_from_proto).collect(),
        metadata: p.metadata.clone(),
        attributes: p.attributes.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        joined_at_ms: p.joined_at_ms,
        version: p.version,
        is_publisher: p.is_publisher,
        client_protocol: p.client_protocol,
        disconnect_reason: disconnect_reason_from_proto(p.disconnect_reason),
        ..Default::default()
    }
}

fn room_from_proto(r: &lk::Room) -> RoomInfo {
    RoomInfo {
        sid: r.sid.as_str().into(),
        name: r.name.as_str().into(),
        empty_timeout: r.empty_timeout,
        departure_timeout: r.departure_timeout,
        max_participants: r.max_participants,
        creation_time_ms: r.creation_time_ms,
        metadata: r.metadata.clone(),
        num_participants: r.num_participants,
        num_publishers: r.num_publishers,
        active_recording: r.active_recording,
        enabled_codecs: r.enabled_codecs.iter().map(|c| c.mime.clone()).collect(),
    }
}

fn target_from_proto(v: i32) -> SignalTarget {
    if v == lk::SignalTarget::Subscriber as i32 { SignalTarget::Subscriber } else { SignalTarget::Publisher }
}

/// Decodes one binary `SignalResponse` frame from the server.
///
/// Returns `Ok(None)` for well-formed messages a client may ignore (those with no
/// [`ServerSignal`] counterpart).
pub fn decode_server_signal(bytes: &[u8]) -> Result<Option<ServerSignal>, ProtocolError> {
    let resp = lk::SignalResponse::decode(bytes).map_err(|source| ProtocolError::Malformed { what: "SignalResponse", source })?;
    let msg = resp.message.ok_or(ProtocolError::Missing("SignalResponse without a message"))?;
    Ok(Some(match msg {
        Resp::Join(j) => {
            let server = j.server_info.as_ref();
            ServerSignal::Join(Box::new(JoinInfo {
                room: j.room.as_ref().map(room_from_proto).unwrap_or_default(),
                participant: j.participant.as_ref().map(participant_from_proto).ok_or(ProtocolError::Missing("JoinResponse without a participant"))?,
                others: j.other_participants.iter().map(participant_from_proto).collect(),
                subscriber_primary: j.subscriber_primary,
                ping_interval: j.ping_interval,
                ping_timeout: j.ping_timeout,
                server: ServerInfo {
                    version: j.server_version.clone(),
                    protocol: server.map(|s| s.protocol).unwrap_or_default(),
                    node_id: server.map(|s| s.node_id.clone()).unwrap_or_default(),
                    region: j.server_region.clone(),
                },
                publish_codecs: j.enabled_publish_codecs.iter().map(|c| c.mime.clone()).collect(),
                single_pc: false,
                ice_servers: ice_servers_from_proto(&j.ice_servers),
                force_relay: j.client_configuration.as_ref().is_some_and(|c| c.force_relay == lk::ClientConfigSetting::Enabled as i32),
            }))
        }
        Resp::Reconnect(r) => ServerSignal::Reconnect {
            participant: Default::default(),
            ice_servers: ice_servers_from_proto(&r.ice_servers),
            server: ServerInfo {
                version: r.server_info.as_ref().map(|s| s.version.clone()).unwrap_or_default(),
                protocol: r.server_info.as_ref().map(|s| s.protocol).unwrap_or_default(),
                node_id: r.server_info.as_ref().map(|s| s.node_id.clone()).unwrap_or_default(),
                region: r.server_info.as_ref().map(|s| s.region.clone()).unwrap_or_default(),
            },
        },
        Resp::Answer(s) => ServerSignal::Answer(sdp_from_proto(s, SdpKind::Answer)),
        Resp::Offer(s) => ServerSignal::Offer(sdp_from_proto(s, SdpKind::Offer)),
        Resp::Trickle(t) => {
            ServerSignal::Trickle(Trickle { candidate: candidate_from_init(&t.candidate_init), target: target_from_proto(t.target), is_final: t.r#final })
        }
        Resp::Update(u) => ServerSignal::Update(u.participants.iter().map(participant_from_proto).collect()),
        Resp::TrackPublished(t) => ServerSignal::TrackPublished {
            cid: t.cid,
            track: t.track.as_ref().map(track_from_proto).ok_or(ProtocolError::Missing("TrackPublishedResponse without a track"))?,
        },
        Resp::TrackUnpublished(t) => ServerSignal::TrackUnpublished(t.track_sid.as_str().into()),
        Resp::Leave(l) => ServerSignal::Leave {
            reason: disconnect_reason_from_proto(l.reason),
            action: match lk::leave_request::Action::try_from(l.action) {
                Ok(lk::leave_request::Action::Resume) => LeaveAction::Resume,
                Ok(lk::leave_request::Action::Reconnect) => LeaveAction::Reconnect,
                _ => LeaveAction::Disconnect,
            },
        },
        Resp::Mute(m) => ServerSignal::Mute { sid: m.sid.as_str().into(), muted: m.muted },
        Resp::RoomUpdate(r) => ServerSignal::RoomUpdate(r.room.as_ref().map(room_from_proto).unwrap_or_default()),
        Resp::Pong(t) => ServerSignal::Pong(t),
        Resp::PongResp(p) => ServerSignal::PongResp { last_ping_timestamp: p.last_ping_timestamp, timestamp: p.timestamp },
        Resp::TrackSubscribed(t) => ServerSignal::TrackSubscribed(t.track_sid.as_str().into()),
        Resp::SubscriptionPermissionUpdate(u) => ServerSignal::SubscriptionPermissionUpdate {
            participant_sid: u.participant_sid.as_str().into(),
            track_sid: u.track_sid.as_str().into(),
            allowed: u.allowed,
        },
        Resp::SubscribedQualityUpdate(u) => {
            let qualities = u.subscribed_codecs.first().map_or(&u.subscribed_qualities, |c| &c.qualities);
            let mut enabled = [false; 3];
            for q in qualities {
                if let Some(slot) = enabled.get_mut(quality_from_proto(q.quality) as usize) {
                    *slot = q.enabled;
                }
            }
            let codec = u.subscribed_codecs.first().map(|c| c.codec.clone()).unwrap_or_default();
            ServerSignal::SubscribedQuality { track_sid: u.track_sid.as_str().into(), codec, enabled }
        }
        Resp::ConnectionQuality(u) => ServerSignal::ConnectionQuality(
            u.updates
                .iter()
                .map(|q| QualityInfo { sid: q.participant_sid.as_str().into(), quality: connection_quality_from_proto(q.quality), score: q.score })
                .collect(),
        ),
        Resp::SpeakersChanged(s) => {
            ServerSignal::SpeakersChanged(s.speakers.iter().map(|s| SpeakerInfo { sid: s.sid.as_str().into(), level: s.level, active: s.active }).collect())
        }
        Resp::StreamStateUpdate(u) => ServerSignal::StreamState(
            u.stream_states
                .iter()
                .map(|s| {
                    let state = if s.state == lk::StreamState::Paused as i32 { StreamState::Paused } else { StreamState::Active };
                    (s.participant_sid.as_str().into(), s.track_sid.as_str().into(), state)
                })
                .collect(),
        ),
        Resp::MediaSectionsRequirement(m) => ServerSignal::MediaSectionsRequirement { audios: m.num_audios, videos: m.num_videos },
        _ => return Ok(None),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signal::{decode_signal, encode_signal};
    use hikari_types::{DisconnectReason, Sdp};

    #[test]
    fn client_requests_round_trip_through_the_server_decoder() {
        let offer = ClientSignal::Offer(Sdp { kind: SdpKind::Offer, sdp: "v=0".into(), id: 3, mid_to_track: Default::default() });
        assert_eq!(decode_signal(&encode_client_signal(&offer)).expect("valid"), offer);
        let ping = ClientSignal::PingReq { timestamp: 9, rtt: 1 };
        assert_eq!(decode_signal(&encode_client_signal(&ping)).expect("valid"), ping);
    }

    #[test]
    fn server_responses_round_trip_through_the_client_decoder() {
        let leave = ServerSignal::Leave { reason: DisconnectReason::RoomDeleted, action: LeaveAction::Disconnect };
        assert_eq!(decode_server_signal(&encode_signal(&leave)).expect("valid"), Some(leave));
        assert!(decode_server_signal(&[0xff, 0xff]).is_err());
    }
}
