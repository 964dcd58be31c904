//! `SignalRequest` and `SignalResponse`: the binary WebSocket frames.

use hikari_types::{ClientSignal, SdpKind, ServerSignal, SignalTarget, StreamState, TrackPermission, Trickle, UpdateMetadata};
use livekit_protocol as lk;
use lk::signal_request::Message as Req;
use lk::signal_response::Message as Resp;
use prost::Message;

use crate::convert::{
    add_track_from_proto, candidate_from_init, candidate_to_init, connection_quality_to_proto, disconnect_reason_from_proto, disconnect_reason_to_proto,
    ice_servers_to_proto, join_to_proto, layer_want_from_proto, layers_from_proto, leave_action_to_proto, outcome_to_proto, participant_to_proto,
    room_to_proto, sdp_from_proto, sdp_to_proto, server_info_to_proto, track_to_proto,
};
use crate::error::ProtocolError;
use crate::sync::{scenario_from_proto, sync_state_from_proto};

/// Decodes one binary frame from a client.
pub fn decode_signal(bytes: &[u8]) -> Result<ClientSignal, ProtocolError> {
    let req = lk::SignalRequest::decode(bytes).map_err(|source| ProtocolError::Malformed { what: "SignalRequest", source })?;
    let msg = req.message.ok_or(ProtocolError::Missing("SignalRequest without a message"))?;
    Ok(match msg {
        Req::Offer(s) => ClientSignal::Offer(sdp_from_proto(s, SdpKind::Offer)),
        Req::Answer(s) => ClientSignal::Answer(sdp_from_proto(s, SdpKind::Answer)),
        Req::Trickle(t) => ClientSignal::Trickle(Trickle {
            candidate: candidate_from_init(&t.candidate_init),
            target: if t.target == lk::SignalTarget::Subscriber as i32 { SignalTarget::Subscriber } else { SignalTarget::Publisher },
            is_final: t.r#final,
        }),
        Req::AddTrack(a) => ClientSignal::AddTrack(add_track_from_proto(&a)),
        Req::Mute(m) => ClientSignal::Mute { sid: m.sid.as_str().into(), muted: m.muted },
        Req::Subscription(s) => ClientSignal::Subscription {
            track_sids: s.track_sids.iter().chain(s.participant_tracks.iter().flat_map(|p| p.track_sids.iter())).map(|t| t.as_str().into()).collect(),
            subscribe: s.subscribe,
        },
        Req::TrackSetting(s) => {
            let (want, off) = layer_want_from_proto(s.quality, s.width, s.height);
            ClientSignal::TrackSettings { track_sids: s.track_sids.iter().map(|t| t.as_str().into()).collect(), disabled: s.disabled || off, want, fps: s.fps }
        }
        Req::Leave(l) => ClientSignal::Leave { reason: disconnect_reason_from_proto(l.reason) },
        Req::UpdateMetadata(u) => ClientSignal::UpdateMetadata(UpdateMetadata {
            metadata: u.metadata,
            name: u.name,
            attributes: u.attributes.into_iter().collect(),
            request_id: u.request_id,
        }),
        Req::Ping(t) => ClientSignal::Ping(t),
        Req::PingReq(p) => ClientSignal::PingReq { timestamp: p.timestamp, rtt: p.rtt },
        #[allow(deprecated)]
        Req::UpdateLayers(u) => ClientSignal::UpdateVideoLayers { track_sid: u.track_sid.as_str().into(), layers: layers_from_proto(&u.layers) },
        Req::SubscriptionPermission(p) => ClientSignal::SubscriptionPermission {
            all: p.all_participants,
            tracks: p
                .track_permissions
                .into_iter()
                .map(|t| TrackPermission {
                    participant_sid: t.participant_sid,
                    participant_identity: t.participant_identity,
                    all_tracks: t.all_tracks,
                    track_sids: t.track_sids.iter().map(|s| s.as_str().into()).collect(),
                })
                .collect(),
        },
        Req::SyncState(state) => ClientSignal::SyncState(sync_state_from_proto(state)),
        Req::Simulate(sim) => scenario_from_proto(sim),
        Req::UpdateAudioTrack(_) => ClientSignal::Ignored("update_audio_track"),
        Req::UpdateVideoTrack(_) => ClientSignal::Ignored("update_video_track"),
        Req::PublishDataTrackRequest(_) => ClientSignal::Ignored("publish_data_track_request"),
        Req::UnpublishDataTrackRequest(_) => ClientSignal::Ignored("unpublish_data_track_request"),
        Req::UpdateDataSubscription(_) => ClientSignal::Ignored("update_data_subscription"),
        Req::StoreDataBlobRequest(_) => ClientSignal::Ignored("store_data_blob_request"),
        Req::GetDataBlobRequest(_) => ClientSignal::Ignored("get_data_blob_request"),
    })
}

/// Encodes one message to a client as a binary frame.
pub fn encode_signal(signal: &ServerSignal) -> Vec<u8> {
    let message = match signal {
        ServerSignal::Join(j) => Resp::Join(join_to_proto(j)),
        ServerSignal::Reconnect { server, ice_servers, .. } => Resp::Reconnect(lk::ReconnectResponse {
            server_info: Some(server_info_to_proto(server)),
            ice_servers: ice_servers_to_proto(ice_servers),
            ..Default::default()
        }),
        ServerSignal::Answer(s) => Resp::Answer(sdp_to_proto(s)),
        ServerSignal::Offer(s) => Resp::Offer(sdp_to_proto(s)),
        ServerSignal::Trickle(t) => Resp::Trickle(lk::TrickleRequest {
            candidate_init: candidate_to_init(&t.candidate),
            target: match t.target {
                SignalTarget::Publisher => lk::SignalTarget::Publisher,
                SignalTarget::Subscriber => lk::SignalTarget::Subscriber,
            } as i32,
            r#final: t.is_final,
        }),
        ServerSignal::Update(ps) => Resp::Update(lk::ParticipantUpdate { participants: ps.iter().map(participant_to_proto).collect() }),
        ServerSignal::TrackPublished { cid, track } => {
            Resp::TrackPublished(lk::TrackPublishedResponse { cid: cid.clone(), track: Some(track_to_proto(track)) })
        }
        ServerSignal::TrackUnpublished(sid) => Resp::TrackUnpublished(lk::TrackUnpublishedResponse { track_sid: sid.to_string() }),
        ServerSignal::Leave { reason, action } => Resp::Leave(lk::LeaveRequest {
            // Older clients read this flag instead of the action.
            can_reconnect: *action != hikari_types::LeaveAction::Disconnect,
            reason: disconnect_reason_to_proto(*reason) as i32,
            action: leave_action_to_proto(*action) as i32,
            regions: None,
        }),
        ServerSignal::Mute { sid, muted } => Resp::Mute(lk::MuteTrackRequest { sid: sid.to_string(), muted: *muted }),
        ServerSignal::SpeakersChanged(speakers) => Resp::SpeakersChanged(lk::SpeakersChanged {
            speakers: speakers.iter().map(|s| lk::SpeakerInfo { sid: s.sid.to_string(), level: s.level, active: s.active }).collect(),
        }),
        ServerSignal::RoomUpdate(r) => Resp::RoomUpdate(lk::RoomUpdate { room: Some(room_to_proto(r)) }),
        ServerSignal::Pong(t) => Resp::Pong(*t),
        ServerSignal::PongResp { last_ping_timestamp, timestamp } => {
            Resp::PongResp(lk::Pong { last_ping_timestamp: *last_ping_timestamp, timestamp: *timestamp })
        }
        ServerSignal::RequestResponse { request_id, outcome, message } => Resp::RequestResponse(lk::RequestResponse {
            request_id: *request_id,
            reason: outcome_to_proto(*outcome) as i32,
            message: message.clone(),
            request: None,
        }),
        ServerSignal::TrackSubscribed(sid) => Resp::TrackSubscribed(lk::TrackSubscribed { track_sid: sid.to_string() }),
        ServerSignal::SubscriptionPermissionUpdate { participant_sid, track_sid, allowed } => {
            Resp::SubscriptionPermissionUpdate(lk::SubscriptionPermissionUpdate {
                participant_sid: participant_sid.to_string(),
                track_sid: track_sid.to_string(),
                allowed: *allowed,
            })
        }
        ServerSignal::SubscribedQuality { track_sid, codec, enabled } => {
            let qualities: Vec<_> = [lk::VideoQuality::Low, lk::VideoQuality::Medium, lk::VideoQuality::High]
                .iter()
                .zip(enabled)
                .map(|(q, on)| lk::SubscribedQuality { quality: *q as i32, enabled: *on })
                .collect();
            Resp::SubscribedQualityUpdate(lk::SubscribedQualityUpdate {
                track_sid: track_sid.to_string(),
                subscribed_codecs: vec![lk::SubscribedCodec { codec: codec.clone(), qualities: qualities.clone() }],
                subscribed_qualities: qualities,
            })
        }
        ServerSignal::ConnectionQuality(updates) => Resp::ConnectionQuality(lk::ConnectionQualityUpdate {
            updates: updates
                .iter()
                .map(|u| lk::ConnectionQualityInfo {
                    participant_sid: u.sid.to_string(),
                    quality: connection_quality_to_proto(u.quality) as i32,
                    score: u.score,
                })
                .collect(),
        }),
        ServerSignal::StreamState(states) => Resp::StreamStateUpdate(lk::StreamStateUpdate {
            stream_states: states
                .iter()
                .map(|(p, t, state)| lk::StreamStateInfo {
                    participant_sid: p.to_string(),
                    track_sid: t.to_string(),
                    state: match state {
                        StreamState::Active => lk::StreamState::Active,
                        StreamState::Paused => lk::StreamState::Paused,
                    } as i32,
                })
                .collect(),
        }),
        ServerSignal::MediaSectionsRequirement { audios, videos } => {
            Resp::MediaSectionsRequirement(lk::MediaSectionsRequirement { num_audios: *audios, num_videos: *videos })
        }
    };
    lk::SignalResponse { message: Some(message) }.encode_to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;
    use hikari_types::{DisconnectReason, LeaveAction};

    #[test]
    fn decodes_ping_and_offer() {
        let ping = lk::SignalRequest { message: Some(Req::PingReq(lk::Ping { timestamp: 42, rtt: 3 })) };
        assert_eq!(decode_signal(&ping.encode_to_vec()).expect("valid"), ClientSignal::PingReq { timestamp: 42, rtt: 3 });
        let offer =
            lk::SignalRequest { message: Some(Req::Offer(lk::SessionDescription { r#type: "offer".into(), sdp: "v=0".into(), id: 7, ..Default::default() })) };
        match decode_signal(&offer.encode_to_vec()).expect("valid") {
            ClientSignal::Offer(s) => assert_eq!((s.sdp.as_str(), s.id), ("v=0", 7)),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn force_relay_is_told_in_the_client_configuration() {
        use hikari_types::JoinInfo;
        let mut join = JoinInfo { subscriber_primary: true, ping_interval: 5, ping_timeout: 15, ..Default::default() };
        let relay = |join: &JoinInfo| match lk::SignalResponse::decode(encode_signal(&ServerSignal::Join(Box::new(join.clone()))).as_slice()) {
            Ok(lk::SignalResponse { message: Some(Resp::Join(j)) }) => j.client_configuration.map(|c| c.force_relay),
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(relay(&join), None);
        join.force_relay = true;
        assert_eq!(relay(&join), Some(lk::ClientConfigSetting::Enabled as i32));
    }

    #[test]
    fn rejects_garbage_and_empty() {
        assert!(decode_signal(&[0xff, 0xff, 0xff]).is_err());
        assert!(matches!(decode_signal(&[]), Err(ProtocolError::Missing(_))));
    }

    #[test]
    fn encodes_leave() {
        let bytes = encode_signal(&ServerSignal::Leave { reason: DisconnectReason::DuplicateIdentity, action: LeaveAction::Disconnect });
        let back = lk::SignalResponse::decode(bytes.as_slice()).expect("round trip");
        match back.message {
            Some(Resp::Leave(l)) => assert_eq!(l.reason, lk::DisconnectReason::DuplicateIdentity as i32),
            other => panic!("unexpected {other:?}"),
        }
    }
}
