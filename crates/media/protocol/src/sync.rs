//! Resume and test-hook requests: `SyncState` (what a resumed client believes) and
//! `SimulateScenario` (LiveKit's `room.simulateScenario`), both ways.

use hikari_types::{ClientSignal, Scenario, SyncState};
use livekit_protocol as lk;
use lk::simulate_scenario::Scenario as S;

/// The part of a `SyncState` the server acts on: the subscriptions the client believes
/// in, the tracks it publishes and those it disabled (its SDP and data channels are for
/// migrating between nodes, which one process does not need).
pub(crate) fn sync_state_from_proto(state: lk::SyncState) -> SyncState {
    let sub = state.subscription.unwrap_or_default();
    SyncState {
        subscribe: sub.subscribe,
        track_sids: sub.track_sids.iter().chain(sub.participant_tracks.iter().flat_map(|p| p.track_sids.iter())).map(|t| t.as_str().into()).collect(),
        published: state.publish_tracks.iter().map(|t| t.track.as_ref().map(|t| t.sid.as_str()).unwrap_or_default().into()).collect(),
        disabled: state.track_sids_disabled.iter().map(|t| t.as_str().into()).collect(),
    }
}

/// A `SyncState` carrying what [`sync_state_from_proto`] reads.
pub(crate) fn sync_state_to_proto(state: &SyncState) -> lk::SyncState {
    lk::SyncState {
        subscription: Some(lk::UpdateSubscription {
            track_sids: state.track_sids.iter().map(|t| t.to_string()).collect(),
            subscribe: state.subscribe,
            ..Default::default()
        }),
        publish_tracks: state
            .published
            .iter()
            .map(|sid| lk::TrackPublishedResponse { cid: String::new(), track: Some(lk::TrackInfo { sid: sid.to_string(), ..Default::default() }) })
            .collect(),
        track_sids_disabled: state.disabled.iter().map(|t| t.to_string()).collect(),
        ..Default::default()
    }
}

/// A scenario the server plays, or [`ClientSignal::Ignored`] for the others.
pub(crate) fn scenario_from_proto(sim: lk::SimulateScenario) -> ClientSignal {
    let scenario = match sim.scenario {
        Some(S::ServerLeave(_)) => Scenario::ServerLeave,
        Some(S::LeaveRequestFullReconnect(_)) => Scenario::LeaveFullReconnect,
        Some(S::SwitchCandidateProtocol(p)) if p == lk::CandidateProtocol::Tcp as i32 => Scenario::ForceTcp,
        Some(S::SwitchCandidateProtocol(p)) if p == lk::CandidateProtocol::Tls as i32 => Scenario::ForceTls,
        Some(S::SwitchCandidateProtocol(_)) => return ClientSignal::Ignored("simulate switch_candidate_protocol (UDP is the default)"),
        Some(S::SpeakerUpdate(secs)) => Scenario::Speaker { secs: secs.max(0).unsigned_abs() },
        Some(S::NodeFailure(_)) => Scenario::NodeFailure,
        Some(S::Migration(_)) => Scenario::Migration,
        Some(S::SubscriberBandwidth(bps)) => Scenario::SubscriberBandwidth(bps.max(0) as u64),
        Some(S::DisconnectSignalOnResume(_)) => Scenario::DisconnectSignalOnResume { no_messages: false },
        Some(S::DisconnectSignalOnResumeNoMessages(_)) => Scenario::DisconnectSignalOnResume { no_messages: true },
        None => return ClientSignal::Ignored("simulate (empty)"),
    };
    ClientSignal::Simulate(scenario)
}

/// The request that asks for `scenario`.
pub(crate) fn scenario_to_proto(scenario: Scenario) -> lk::SimulateScenario {
    let s = match scenario {
        Scenario::ServerLeave => S::ServerLeave(true),
        Scenario::LeaveFullReconnect => S::LeaveRequestFullReconnect(true),
        Scenario::ForceTcp => S::SwitchCandidateProtocol(lk::CandidateProtocol::Tcp as i32),
        Scenario::ForceTls => S::SwitchCandidateProtocol(lk::CandidateProtocol::Tls as i32),
        Scenario::Speaker { secs } => S::SpeakerUpdate(i32::try_from(secs).unwrap_or(i32::MAX)),
        Scenario::NodeFailure => S::NodeFailure(true),
        Scenario::Migration => S::Migration(true),
        Scenario::DisconnectSignalOnResume { no_messages: false } => S::DisconnectSignalOnResume(true),
        Scenario::DisconnectSignalOnResume { no_messages: true } => S::DisconnectSignalOnResumeNoMessages(true),
        Scenario::SubscriberBandwidth(bps) => S::SubscriberBandwidth(i64::try_from(bps).unwrap_or(i64::MAX)),
    };
    lk::SimulateScenario { scenario: Some(s) }
}

#[cfg(test)]
mod tests {
    use lk::signal_request::Message as Req;
    use prost::Message;

    use super::*;
    use crate::{decode_signal, encode_client_signal};

    #[test]
    fn simulated_scenarios_round_trip_and_the_others_are_ignored() {
        let request = |s: S| lk::SignalRequest { message: Some(Req::Simulate(lk::SimulateScenario { scenario: Some(s) })) }.encode_to_vec();
        let played = [
            (S::ServerLeave(true), Scenario::ServerLeave),
            (S::LeaveRequestFullReconnect(true), Scenario::LeaveFullReconnect),
            (S::SwitchCandidateProtocol(lk::CandidateProtocol::Tcp as i32), Scenario::ForceTcp),
            (S::SwitchCandidateProtocol(lk::CandidateProtocol::Tls as i32), Scenario::ForceTls),
            (S::SpeakerUpdate(3), Scenario::Speaker { secs: 3 }),
            (S::SpeakerUpdate(-4), Scenario::Speaker { secs: 0 }),
            (S::NodeFailure(true), Scenario::NodeFailure),
            (S::Migration(true), Scenario::Migration),
            (S::DisconnectSignalOnResume(true), Scenario::DisconnectSignalOnResume { no_messages: false }),
            (S::DisconnectSignalOnResumeNoMessages(true), Scenario::DisconnectSignalOnResume { no_messages: true }),
            (S::SubscriberBandwidth(300_000), Scenario::SubscriberBandwidth(300_000)),
            (S::SubscriberBandwidth(-5), Scenario::SubscriberBandwidth(0)),
        ];
        for (wire, scenario) in played {
            let signal = decode_signal(&request(wire)).expect("valid");
            assert_eq!(signal, ClientSignal::Simulate(scenario));
            assert_eq!(decode_signal(&encode_client_signal(&signal)).expect("valid"), signal, "round trip");
        }
        let udp = S::SwitchCandidateProtocol(lk::CandidateProtocol::Udp as i32);
        assert!(matches!(decode_signal(&request(udp)).expect("valid"), ClientSignal::Ignored(_)));
    }

    #[test]
    fn sync_state_decodes_subscriptions_publications_and_disabled_tracks() {
        let state = lk::SyncState {
            answer: Some(lk::SessionDescription { r#type: "answer".into(), sdp: "v=0".into(), ..Default::default() }),
            subscription: Some(lk::UpdateSubscription {
                track_sids: vec!["TR_a".into()],
                subscribe: false,
                participant_tracks: vec![lk::ParticipantTracks { participant_sid: "PA_x".into(), track_sids: vec!["TR_b".into()] }],
            }),
            publish_tracks: vec![
                lk::TrackPublishedResponse { cid: "c".into(), track: Some(lk::TrackInfo { sid: "TR_mine".into(), ..Default::default() }) },
                lk::TrackPublishedResponse { cid: "d".into(), track: None },
            ],
            track_sids_disabled: vec!["TR_c".into()],
            ..Default::default()
        };
        let bytes = lk::SignalRequest { message: Some(Req::SyncState(state)) }.encode_to_vec();
        let signal = decode_signal(&bytes).expect("valid");
        let expected = SyncState {
            subscribe: false,
            track_sids: vec!["TR_a".into(), "TR_b".into()],
            published: vec!["TR_mine".into(), "".into()],
            disabled: vec!["TR_c".into()],
        };
        assert_eq!(signal, ClientSignal::SyncState(expected));
        assert_eq!(decode_signal(&encode_client_signal(&signal)).expect("valid"), signal, "round trip");
        // An empty one (no subscription at all) is valid and says nothing.
        let empty = lk::SignalRequest { message: Some(Req::SyncState(lk::SyncState::default())) }.encode_to_vec();
        assert_eq!(decode_signal(&empty).expect("valid"), ClientSignal::SyncState(SyncState::default()));
    }
}
