//! LiveKit's EgressService over Twirp (`livekit.Egress`, `livekit_egress.proto`): request
//! bodies into [`EgressRequest`]s, [`Egress`] jobs into `EgressInfo`. Methods and outputs this
//! server does not run yet are refused here with [`ProtocolError::Unsupported`] and a message
//! that says what works instead; sizes and paths are the registry's to check.

use hikari_types::{
    CompositeOutputs, Egress, EgressFilter, EgressId, EgressRequest, EgressResponse, EgressSource, EgressStatus, FileResult, ImagesResult, ParticipantIdentity,
    RoomName, SegmentsOutput, SegmentsResult, StartParticipant, StartTrackComposite, StartTrackEgress, StreamResult, StreamStatus, TrackSid, UpdateStream,
};
use livekit_protocol as lk;

use crate::error::ProtocolError;
use crate::twirp::{TwirpFormat, decode, encode};

pub(crate) mod outputs;
pub(crate) mod room;
use outputs::Outputs;
pub use room::known_layout;

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
            Self::StartEgress => Some(
                "the unified StartEgress request is not available on this server; call StartRoomCompositeEgress, StartTrackCompositeEgress, StartParticipantEgress or StartTrackEgress",
            ),
            Self::StartWebEgress => Some("web egress (recording a web page) is not available on this server"),
            Self::StartRoomCompositeEgress
            | Self::UpdateLayout
            | Self::StartTrackEgress
            | Self::StartTrackCompositeEgress
            | Self::StartParticipantEgress
            | Self::UpdateStream
            | Self::ListEgress
            | Self::StopEgress => None,
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
                            "StartTrackEgress: uploads given in the request (S3, GCP, Azure, AliOSS) are not taken; set egress.s3 in the server's configuration and every recording is copied there".into(),
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
        EgressMethod::StartRoomCompositeEgress => {
            let r: lk::RoomCompositeEgressRequest = decode(format, body, "RoomCompositeEgressRequest")?;
            EgressRequest::StartRoomComposite(room::start_room_composite(r)?)
        }
        EgressMethod::UpdateLayout => {
            let r: lk::UpdateLayoutRequest = decode(format, body, "UpdateLayoutRequest")?;
            if !known_layout(&r.layout) {
                return Err(ProtocolError::Invalid(format!(
                    "UpdateLayout: unknown layout {:?}; the layouts are grid, speaker and single-speaker, each with an optional -light or -dark",
                    r.layout
                )));
            }
            EgressRequest::UpdateLayout { id: egress_id(r.egress_id)?, layout: r.layout }
        }
        EgressMethod::StartTrackCompositeEgress => {
            let r: lk::TrackCompositeEgressRequest = decode(format, body, "TrackCompositeEgressRequest")?;
            let name = "StartTrackCompositeEgress";
            #[allow(deprecated)]
            let (legacy_file, legacy_segments, legacy_stream) = match r.output {
                Some(lk::track_composite_egress_request::Output::Segments(s)) => (None, Some(s), None),
                Some(lk::track_composite_egress_request::Output::Stream(s)) => (None, None, Some(s)),
                Some(lk::track_composite_egress_request::Output::File(f)) => (Some(f), None, None),
                None => (None, None, None),
            };
            let outputs = Outputs {
                files: (legacy_file, r.file_outputs),
                segments: (legacy_segments, r.segment_outputs),
                streams: (legacy_stream, r.stream_outputs),
                images: r.image_outputs,
            };
            let outputs = outputs.decode(name, &r.webhooks)?;
            let (audio, video) = (Some(r.audio_track_id).filter(|t| !t.is_empty()), Some(r.video_track_id).filter(|t| !t.is_empty()));
            if r.room_name.is_empty() || (audio.is_none() && video.is_none()) {
                return Err(ProtocolError::Invalid(format!("{name} needs room_name and an audio_track_id or a video_track_id")));
            }
            let encoding = match r.options {
                None => None,
                Some(lk::track_composite_egress_request::Options::Preset(p)) => Some(room::preset(name, p)?),
                Some(lk::track_composite_egress_request::Options::Advanced(a)) => Some(room::advanced(name, &a)?),
            };
            EgressRequest::StartTrackComposite(StartTrackComposite {
                room_name: RoomName::new(r.room_name),
                audio_track_id: audio.map(TrackSid::new),
                video_track_id: video.map(TrackSid::new),
                outputs,
                encoding,
            })
        }
        EgressMethod::StartParticipantEgress => {
            let r: lk::ParticipantEgressRequest = decode(format, body, "ParticipantEgressRequest")?;
            let name = "StartParticipantEgress";
            let outputs =
                Outputs { files: (None, r.file_outputs), segments: (None, r.segment_outputs), streams: (None, r.stream_outputs), images: r.image_outputs };
            let outputs = outputs.decode(name, &r.webhooks)?;
            if r.room_name.is_empty() || r.identity.is_empty() {
                return Err(ProtocolError::Invalid(format!("{name} needs room_name and identity")));
            }
            let encoding = match r.options {
                None => None,
                Some(lk::participant_egress_request::Options::Preset(p)) => Some(room::preset(name, p)?),
                Some(lk::participant_egress_request::Options::Advanced(a)) => Some(room::advanced(name, &a)?),
            };
            EgressRequest::StartParticipant(StartParticipant {
                room_name: RoomName::new(r.room_name),
                identity: ParticipantIdentity::new(r.identity),
                screen_share: r.screen_share,
                outputs,
                encoding,
            })
        }
        EgressMethod::UpdateStream => {
            let r: lk::UpdateStreamRequest = decode(format, body, "UpdateStreamRequest")?;
            if r.add_output_urls.is_empty() && r.remove_output_urls.is_empty() {
                return Err(ProtocolError::Invalid("UpdateStream needs add_output_urls or remove_output_urls".into()));
            }
            EgressRequest::UpdateStream(UpdateStream { id: egress_id(r.egress_id)?, add: r.add_output_urls, remove: r.remove_output_urls })
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

fn segments_output_to_proto(s: &SegmentsOutput) -> lk::SegmentedFileOutput {
    lk::SegmentedFileOutput {
        filename_prefix: s.filename_prefix.clone(),
        playlist_name: s.playlist_name.clone(),
        live_playlist_name: s.live_playlist_name.clone(),
        segment_duration: s.segment_duration,
        ..Default::default()
    }
}

fn segments_to_proto(s: &SegmentsResult) -> lk::SegmentsInfo {
    lk::SegmentsInfo {
        playlist_name: s.playlist_name.clone(),
        live_playlist_name: s.live_playlist_name.clone(),
        duration: s.duration,
        size: s.size,
        playlist_location: s.playlist_location.clone(),
        live_playlist_location: s.live_playlist_location.clone(),
        segment_count: s.segment_count,
        started_at: s.started_at,
        ended_at: s.ended_at,
    }
}

fn stream_to_proto(s: &StreamResult) -> lk::StreamInfo {
    let status = match s.status {
        StreamStatus::Active => lk::stream_info::Status::Active,
        StreamStatus::Finished => lk::stream_info::Status::Finished,
        StreamStatus::Failed => lk::stream_info::Status::Failed,
    };
    lk::StreamInfo {
        url: s.url.clone(),
        started_at: s.started_at,
        ended_at: s.ended_at,
        duration: s.duration,
        status: status as i32,
        error: s.error.clone(),
        last_retry_at: s.last_retry_at,
        retries: s.retries,
    }
}

/// A composite's outputs as its request's lists (stream URLs as stored: redacted).
/// A composite's outputs as the request lists them.
struct ProtoOutputs {
    files: Vec<lk::EncodedFileOutput>,
    segments: Vec<lk::SegmentedFileOutput>,
    streams: Vec<lk::StreamOutput>,
    images: Vec<lk::ImageOutput>,
}

fn outputs_to_proto(o: &CompositeOutputs) -> ProtoOutputs {
    let files = o.file.iter().map(|f| lk::EncodedFileOutput { file_type: lk::EncodedFileType::Mp4 as i32, filepath: f.clone(), ..Default::default() });
    let streams = (!o.stream_urls.is_empty()).then(|| lk::StreamOutput { protocol: lk::StreamProtocol::Rtmp as i32, urls: o.stream_urls.clone() });
    let images = o.images.iter().map(|i| lk::ImageOutput {
        capture_interval: i.capture_interval,
        width: i32::try_from(i.width).unwrap_or(0),
        height: i32::try_from(i.height).unwrap_or(0),
        filename_prefix: i.filename_prefix.clone(),
        image_codec: lk::ImageCodec::IcJpeg as i32,
        ..Default::default()
    });
    ProtoOutputs {
        files: files.collect(),
        segments: o.segments.iter().map(segments_output_to_proto).collect(),
        streams: streams.into_iter().collect(),
        images: images.collect(),
    }
}

fn images_to_proto(i: &ImagesResult) -> lk::ImagesInfo {
    lk::ImagesInfo { filename_prefix: i.filename_prefix.clone(), image_count: i.image_count, started_at: i.started_at, ended_at: i.ended_at }
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

/// An egress as LiveKit's `EgressInfo`: the request echoed (stream keys redacted),
/// `file_results`, `segment_results`, `stream_results` (and the deprecated `result` older
/// SDKs read).
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
        EgressSource::TrackComposite { audio_track_id, video_track_id, outputs } => {
            let o = outputs_to_proto(outputs);
            let request = lk::TrackCompositeEgressRequest {
                room_name: e.room_name.to_string(),
                audio_track_id: audio_track_id.as_ref().map(ToString::to_string).unwrap_or_default(),
                video_track_id: video_track_id.as_ref().map(ToString::to_string).unwrap_or_default(),
                file_outputs: o.files,
                segment_outputs: o.segments,
                stream_outputs: o.streams,
                image_outputs: o.images,
                ..Default::default()
            };
            (lk::egress_info::Request::TrackComposite(request), lk::EgressSourceType::Sdk)
        }
        EgressSource::Participant { identity, screen_share, outputs } => {
            let o = outputs_to_proto(outputs);
            let request = lk::ParticipantEgressRequest {
                room_name: e.room_name.to_string(),
                identity: identity.to_string(),
                screen_share: *screen_share,
                file_outputs: o.files,
                segment_outputs: o.segments,
                stream_outputs: o.streams,
                image_outputs: o.images,
                ..Default::default()
            };
            (lk::egress_info::Request::Participant(request), lk::EgressSourceType::Sdk)
        }
        EgressSource::RoomComposite { layout, audio_only, video_only, encoding, outputs } => {
            let o = outputs_to_proto(outputs);
            let request = lk::RoomCompositeEgressRequest {
                room_name: e.room_name.to_string(),
                layout: layout.clone(),
                audio_only: *audio_only,
                video_only: *video_only,
                file_outputs: o.files,
                segment_outputs: o.segments,
                stream_outputs: o.streams,
                image_outputs: o.images,
                options: Some(lk::room_composite_egress_request::Options::Advanced(room::encoding_to_proto(encoding))),
                ..Default::default()
            };
            (lk::egress_info::Request::RoomComposite(request), lk::EgressSourceType::Sdk)
        }
    };
    let file = e.file.as_ref().map(file_to_proto);
    let segments = e.segments.as_ref().map(segments_to_proto);
    let streams: Vec<lk::StreamInfo> = e.streams.iter().map(stream_to_proto).collect();
    let stream_list = (!streams.is_empty()).then(|| lk::StreamInfoList { info: streams.clone() });
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
        segment_results: segments.iter().cloned().collect(),
        stream_results: streams,
        image_results: e.images.iter().map(images_to_proto).collect(),
        result: file
            .map(lk::egress_info::Result::File)
            .or(segments.map(lk::egress_info::Result::Segments))
            .or(stream_list.map(lk::egress_info::Result::Stream)),
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
mod tests;
