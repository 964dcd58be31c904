//! Where signaling sends what it hears: the owner of a room.

use std::future::Future;

use tokio::sync::mpsc;

use hikari_media_io::MediaError;
use hikari_sfu::{AdminRequest, AdminResponse, Command, ConnId, Join, SignalOut};

/// Which room owner a join goes to and how commands reach it: the media thread of this
/// process today (`MediaHandle`), the node that holds the room in a cluster later.
///
/// Every method but [`Router::admin`] returns at once: a full queue is an error
/// ([`MediaError::Unavailable`]), never a wait.
pub trait Router: Clone + Send + Sync + 'static {
    /// Numbers a new signal connection.
    fn next_conn(&self) -> ConnId;
    /// Hands a verified join to the owner of its room, which sends the join response and
    /// every later signal for the connection to `outbox`.
    fn join(&self, join: Join, outbox: mpsc::Sender<SignalOut>) -> Result<(), MediaError>;
    /// A client's signal or closed connection, to the owner of its room.
    fn command(&self, command: Command) -> Result<(), MediaError>;
    /// Runs an admin request where its room lives (the room-full check reads rooms and
    /// participants with it).
    fn admin(&self, request: AdminRequest) -> impl Future<Output = Result<AdminResponse, MediaError>> + Send;
}
