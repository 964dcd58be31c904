//! LiveKit's EgressService over Twirp (`livekit.Egress`, `livekit_egress.proto`): request
//! bodies into [`EgressRequest`]s, [`Egress`] jobs into `EgressInfo`. Methods and outputs this
//! server does not run yet are refused here with [`ProtocolError::Unsupported`] and a message
//! that says what works instead; sizes and paths are the registry's to check.

use hikari_types::{
    Egress, EgressFilter, EgressId, EgressRequest, EgressResponse, EgressSource, EgressStatus, FileResult, RoomName, StartTrackEgress, TrackSid,
};
use livekit_protocol as lk;

use crate::error::ProtocolError;
use crate::twirp::{TwirpFormat, decode, encode};

/// The EgressService methods, as the server SDKs call them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EgressMethod {
    /// `StartRoomCompositeEgress`.
    StartRoomCompositeEgress,
    /// `StartWebEgress`.
    StartWebEgress,
    /// `StartParticipantEgress`.
    StartParticipantEgress,
    /// `StartTrackCompositeEgress`.
    StartTrackCompositeEgress,
    /// `StartTrackEgress`.
    StartTrackEgress,
    /// `StartEgress` (LiveKit's unified request).
    StartEgress,
    /// `UpdateLayout`.
    UpdateLayout,
    /// `UpdateStream`.
    UpdateStream,
    /// `ListEgress`.
    ListEgress,
    /// `StopEgress`.
    StopEgress,
}

impl EgressMethod {
    /// Every method.
    pub const ALL: [EgressMethod; 10] = [
        Self::StartRoomCompositeEgress,
        Self::StartWebEgress,
        Self::StartParticipantEgress,
        Self::StartTrackCompositeEgress,
        Self::StartTrackEgress,
        Self::StartEgress,
        Self::UpdateLayout,
        Self::UpdateStream,
        Self::ListEgress,
        Self::StopEgress,
    ];

    /// The method named in a Twirp path.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The name in the Twirp path.
    pub fn name(self) -> &'static str {
        match self {
            Self::StartRoomCompositeEgress => "StartRoomCompositeEgress",
            Self::StartWebEgress => "StartWebEgress",
            Self::StartParticipantEgress => "StartParticipantEgress",
            Self::StartTrackCompositeEgress => "StartTrackCompositeEgress",
            Self::StartTrackEgress => "StartTrackEgress",
            Self::StartEgress => "StartEgress",
            Self::UpdateLayout => "UpdateLayout",
            Self::UpdateStream => "UpdateStream",
            Self::ListEgress => "ListEgress",
            Self::StopEgress => "StopEgress",
        }
    }

    /// Why a method is refused, for those this server does not run.
    fn unsupported_hint(self) -> Option<&'static str> {
        match self {
            Self::StartRoomCompositeEgress | Self::StartTrackCompositeEgress | Self::StartParticipantEgress | Self::StartEgress => {
                Some("composite recording is not available on this server yet; record each track with StartTrackEgress")
            }
            Self::StartWebEgress => Some("web egress (recording a web page) is not available on this server"),
            Self::UpdateLayout => Some("there are no composite recordings on this server yet, so no layout to update"),
            Self::UpdateStream => Some("streaming out (RTMP) is not available on this server yet"),
            Self::StartTrackEgress | Self::ListEgress | Self::StopEgress => None,
        }
    }
}

fn egress_id(id: String) -> Result<EgressId, ProtocolError> {
    if id.is_empty() {
        return Err(ProtocolError::Invalid("egress_id is required".into()));
    }
    Ok(EgressId::new(id))
}

/// Decodes the body of an EgressService call. Methods, outputs and uploads this server does
/// not run are [`ProtocolError::Unsupported`].
pub fn decode_egress_request(method: EgressMethod, format: TwirpFormat, body: &[u8]) -> Result<EgressRequest, ProtocolError> {
    if let Some(hint) = method.unsupported_hint() {
        return Err(ProtocolError::Unsupported(format!("{}: {hint}", method.name())));
    }
    Ok(match method {
        EgressMethod::StartTrackEgress => {
            let r: lk::TrackEgressRequest = decode(format, body, "TrackEgressRequest")?;
            let filepath = match r.output {
                Some(lk::track_egress_request::Output::File(f)) => {
                    if f.output.is_some() {
                        return Err(ProtocolError::Unsupported(
                            "StartTrackEgress: uploads (S3, GCP, Azure, AliOSS) are not available on this server yet; files are kept in its recordings directory".into(),
                        ));
                    }
                    f.filepath
                }
                Some(lk::track_egress_request::Output::WebsocketUrl(_)) => {
                    return Err(ProtocolError::Unsupported("StartTrackEgress: websocket output is not available on this server; use a file output".into()));
                }
                None => return Err(ProtocolError::Invalid("StartTrackEgress needs an output (file)".into())),
            };
            if !r.webhooks.is_empty() {
                return Err(ProtocolError::Unsupported(
                    "StartTrackEgress: per-request webhooks are not available; the server's webhooks receive egress events".into(),
                ));
            }
            if r.room_name.is_empty() || r.track_id.is_empty() {
                return Err(ProtocolError::Invalid("StartTrackEgress needs room_name and track_id".into()));
            }
            EgressRequest::StartTrack(StartTrackEgress { room_name: RoomName::new(r.room_name), track_id: TrackSid::new(r.track_id), filepath })
        }
        EgressMethod::ListEgress => {
            // The page token is ignored, as LiveKit's server does: every match is returned.
            let r: lk::ListEgressRequest = decode(format, body, "ListEgressRequest")?;
            EgressRequest::List(EgressFilter {
                room_name: Some(r.room_name).filter(|n| !n.is_empty()).map(RoomName::new),
                id: Some(r.egress_id).filter(|i| !i.is_empty()).map(EgressId::new),
                active: r.active,
            })
        }
        EgressMethod::StopEgress => {
            let r: lk::StopEgressRequest = decode(format, body, "StopEgressRequest")?;
            EgressRequest::Stop(egress_id(r.egress_id)?)
        }
        other => return Err(ProtocolError::Unsupported(format!("{} is not available on this server", other.name()))),
    })
}

fn status_to_proto(s: EgressStatus) -> lk::EgressStatus {
    match s {
        EgressStatus::Starting => lk::EgressStatus::EgressStarting,
        EgressStatus::Active => lk::EgressStatus::EgressActive,
        EgressStatus::Ending => lk::EgressStatus::EgressEnding,
        EgressStatus::Complete => lk::EgressStatus::EgressComplete,
        EgressStatus::Failed => lk::EgressStatus::EgressFailed,
        EgressStatus::Aborted => lk::EgressStatus::EgressAborted,
        EgressStatus::LimitReached => lk::EgressStatus::EgressLimitReached,
    }
}

fn file_to_proto(f: &FileResult) -> lk::FileInfo {
    lk::FileInfo {
        filename: f.filename.clone(),
        started_at: f.started_at,
        ended_at: f.ended_at,
        duration: f.duration,
        size: f.size,
        location: f.location.clone(),
    }
}

/// An egress as LiveKit's `EgressInfo`: the request echoed, `file_results` (and the
/// deprecated `file` result older SDKs read).
#[allow(deprecated)]
pub fn egress_to_proto(e: &Egress) -> lk::EgressInfo {
    let (request, source_type) = match &e.source {
        EgressSource::Track { track_id, filepath } => (
            lk::egress_info::Request::Track(lk::TrackEgressRequest {
                room_name: e.room_name.to_string(),
                track_id: track_id.to_string(),
                webhooks: Vec::new(),
                output: Some(lk::track_egress_request::Output::File(lk::DirectFileOutput { filepath: filepath.clone(), disable_manifest: true, output: None })),
            }),
            lk::EgressSourceType::Sdk,
        ),
    };
    let file = e.file.as_ref().map(file_to_proto);
    lk::EgressInfo {
        egress_id: e.id.to_string(),
        room_id: e.room_id.to_string(),
        room_name: e.room_name.to_string(),
        source_type: source_type as i32,
        status: status_to_proto(e.status) as i32,
        started_at: e.started_at,
        ended_at: e.ended_at,
        updated_at: e.updated_at,
        error: e.error.clone(),
        file_results: file.iter().cloned().collect(),
        result: file.map(lk::egress_info::Result::File),
        request: Some(request),
        ..Default::default()
    }
}

/// Encodes the outcome of an EgressService call (`EgressInfo`, or `ListEgressResponse`).
pub fn encode_egress_response(format: TwirpFormat, response: &EgressResponse) -> Vec<u8> {
    match response {
        EgressResponse::Egress(e) => encode(format, &egress_to_proto(e)),
        EgressResponse::List(items) => encode(format, &lk::ListEgressResponse { items: items.iter().map(egress_to_proto).collect(), next_page_token: None }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_track_egress_decodes_from_json_and_protobuf() {
        let json = br#"{"room_name":"r","track_id":"TR_a","file":{"filepath":"x/{track_id}.ogg"}}"#;
        let want = EgressRequest::StartTrack(StartTrackEgress { room_name: "r".into(), track_id: "TR_a".into(), filepath: "x/{track_id}.ogg".into() });
        assert_eq!(decode_egress_request(EgressMethod::StartTrackEgress, TwirpFormat::Json, json).expect("json"), want);
        let pb = prost::Message::encode_to_vec(&lk::TrackEgressRequest {
            room_name: "r".into(),
            track_id: "TR_a".into(),
            output: Some(lk::track_egress_request::Output::File(lk::DirectFileOutput { filepath: "x/{track_id}.ogg".into(), ..Default::default() })),
            ..Default::default()
        });
        assert_eq!(decode_egress_request(EgressMethod::StartTrackEgress, TwirpFormat::Protobuf, &pb).expect("protobuf"), want);
    }

    #[test]
    fn what_is_not_run_here_is_unsupported_with_a_hint_and_bad_bodies_are_refused() {
        for m in [EgressMethod::StartRoomCompositeEgress, EgressMethod::StartWebEgress, EgressMethod::UpdateStream] {
            let e = decode_egress_request(m, TwirpFormat::Json, b"{}").expect_err("unsupported");
            assert!(matches!(&e, ProtocolError::Unsupported(msg) if msg.starts_with(m.name())), "{e}");
        }
        let ws = br#"{"room_name":"r","track_id":"TR_a","websocket_url":"wss://x"}"#;
        assert!(matches!(decode_egress_request(EgressMethod::StartTrackEgress, TwirpFormat::Json, ws), Err(ProtocolError::Unsupported(_))));
        let s3 = br#"{"room_name":"r","track_id":"TR_a","file":{"filepath":"a","s3":{"bucket":"b"}}}"#;
        assert!(matches!(decode_egress_request(EgressMethod::StartTrackEgress, TwirpFormat::Json, s3), Err(ProtocolError::Unsupported(_))));
        for body in [&br#"{"room_name":"r","track_id":"TR_a"}"#[..], br#"{"track_id":"TR_a","file":{}}"#, b"{"] {
            assert!(decode_egress_request(EgressMethod::StartTrackEgress, TwirpFormat::Json, body).is_err());
        }
        assert!(matches!(decode_egress_request(EgressMethod::StopEgress, TwirpFormat::Json, b"{}"), Err(ProtocolError::Invalid(_))));
        let list = decode_egress_request(EgressMethod::ListEgress, TwirpFormat::Json, br#"{"room_name":"r","active":true}"#).expect("list");
        assert_eq!(list, EgressRequest::List(EgressFilter { room_name: Some("r".into()), id: None, active: true }));
    }

    #[test]
    #[allow(deprecated)]
    fn an_egress_encodes_with_its_request_status_and_file() {
        let e = Egress {
            id: "EG_a".into(),
            room_id: "RM_b".into(),
            room_name: "r".into(),
            source: EgressSource::Track { track_id: "TR_c".into(), filepath: "f.ogg".into() },
            status: EgressStatus::Complete,
            started_at: 1,
            ended_at: 3,
            updated_at: 3,
            error: String::new(),
            file: Some(FileResult { filename: "r/f.ogg".into(), size: 10, duration: 2, ..Default::default() }),
        };
        let p = egress_to_proto(&e);
        assert_eq!((p.egress_id.as_str(), p.status), ("EG_a", lk::EgressStatus::EgressComplete as i32));
        assert_eq!(p.file_results.len(), 1);
        assert!(matches!(p.result, Some(lk::egress_info::Result::File(ref f)) if f.filename == "r/f.ogg"));
        assert!(matches!(p.request, Some(lk::egress_info::Request::Track(ref t)) if t.track_id == "TR_c"));
        let json = String::from_utf8(encode_egress_response(TwirpFormat::Json, &EgressResponse::List(vec![e]))).expect("utf-8");
        assert!(json.contains("\"EGRESS_COMPLETE\"") && json.contains("\"EG_a\""), "{json}");
    }
}
