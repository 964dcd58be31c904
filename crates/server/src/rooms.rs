//! The media thread as the Twirp API's room administrator.

use hikari_api::{ApiError, RoomAdmin};
use hikari_media_io::{MediaError, MediaHandle};
use hikari_types::{AdminRequest, AdminResponse};

/// The media thread as the API's administrator.
#[derive(Clone)]
pub struct MediaAdmin(pub MediaHandle);

impl RoomAdmin for MediaAdmin {
    async fn admin(&self, request: AdminRequest) -> Result<AdminResponse, ApiError> {
        self.0.admin(request).await.map_err(|e| match e {
            MediaError::Admin(e) => e.into(),
            // Overloaded or stopped (start errors never reach a request).
            other => ApiError::Unavailable(other.to_string()),
        })
    }
}
