//! The local router: every room lives on this process's media thread.

use tokio::sync::mpsc;

use hikari_media_io::{MediaError, MediaHandle};
use hikari_sfu::{AdminRequest, AdminResponse, Command, ConnId, Join, SignalOut};

use crate::router::Router;

impl Router for MediaHandle {
    fn next_conn(&self) -> ConnId {
        MediaHandle::next_conn(self)
    }

    fn join(&self, join: Join, outbox: mpsc::Sender<SignalOut>) -> Result<(), MediaError> {
        MediaHandle::join(self, join, outbox).map_err(MediaError::Unavailable)
    }

    fn command(&self, command: Command) -> Result<(), MediaError> {
        MediaHandle::command(self, command).map_err(MediaError::Unavailable)
    }

    async fn admin(&self, request: AdminRequest) -> Result<AdminResponse, MediaError> {
        MediaHandle::admin(self, request).await
    }
}
