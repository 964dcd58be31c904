//! The media thread as the Twirp API's room administrator, with the recorder beside it for
//! rooms created to record every track (CreateRoom's `egress.tracks`).

use std::sync::Arc;

use hikari_api::{ApiError, RoomAdmin};
use hikari_media_io::{MediaError, MediaHandle};
use hikari_record::Recorder;
use hikari_types::{AdminRequest, AdminResponse};

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
        let auto = match &request {
            AdminRequest::CreateRoom { name, auto_track_egress: Some(template), .. } => match &self.recorder {
                Some(recorder) => Some((recorder, name.clone(), template.clone())),
                None => return Err(ApiError::Unimplemented("CreateRoom: egress is turned off on this server (egress.enabled: false)".into())),
            },
            _ => None,
        };
        let response = self.media.admin(request).await.map_err(|e| match e {
            MediaError::Admin(e) => e.into(),
            // Overloaded or stopped (start errors never reach a request).
            other => ApiError::Unavailable(other.to_string()),
        })?;
        if let Some((recorder, room, template)) = auto {
            recorder.auto_track_egress(room, template);
        }
        Ok(response)
    }
}
