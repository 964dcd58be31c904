//! The media thread as the Twirp API's room administrator, with the recorder beside it for
//! rooms created to record every track (CreateRoom's `egress.tracks`), every participant
//! (`egress.participant`) or the whole room (`egress.room`).

use std::sync::Arc;

use hikari_api::{ApiError, RoomAdmin};
use hikari_media_io::{MediaError, MediaHandle};
use hikari_record::Recorder;
use hikari_types::{AdminRequest, AdminResponse, EgressRequest, EgressResponse};

/// The media thread as the API's administrator.
#[derive(Clone)]
pub struct MediaAdmin {
    /// Runs the requests.
    pub media: MediaHandle,
    /// Runs automatic track egress; `None` when egress is off.
    pub recorder: Option<Arc<Recorder>>,
}

impl RoomAdmin for MediaAdmin {
    async fn admin(&self, request: AdminRequest) -> Result<AdminResponse, ApiError> {
        let (auto, composite, participants) = match &request {
            AdminRequest::CreateRoom { name, auto_track_egress, auto_room_composite, auto_participant_egress, .. }
                if auto_track_egress.is_some() || auto_room_composite.is_some() || auto_participant_egress.is_some() =>
            {
                match &self.recorder {
                    Some(recorder) => (
                        auto_track_egress.clone().map(|t| (recorder, name.clone(), t)),
                        auto_room_composite.clone().map(|c| (recorder, c)),
                        auto_participant_egress.clone().map(|p| (recorder, name.clone(), p)),
                    ),
                    None => return Err(ApiError::Unimplemented("CreateRoom: egress is turned off on this server (egress.enabled: false)".into())),
                }
            }
            _ => (None, None, None),
        };
        let response = self.media.admin(request).await.map_err(|e| match e {
            MediaError::Admin(e) => e.into(),
            // Overloaded or stopped (start errors never reach a request).
            other => ApiError::Unavailable(other.to_string()),
        })?;
        if let Some((recorder, room, template)) = auto {
            recorder.auto_track_egress(room, template);
        }
        if let Some((recorder, room, outputs)) = participants {
            recorder.auto_participant_egress(room, *outputs);
        }
        if let Some((recorder, start)) = composite {
            // The room exists either way; a composite that cannot start is the answer's error.
            let room = start.room_name.clone();
            match recorder.handle(EgressRequest::StartRoomComposite(*start)).await {
                Ok(EgressResponse::Egress(e)) => tracing::info!(%room, egress = %e.id, "the room's composite started with it"),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(%room, error = %e, "the room's composite (egress.room) did not start");
                    return Err(crate::egress::api_error(e));
                }
            }
        }
        Ok(response)
    }
}
