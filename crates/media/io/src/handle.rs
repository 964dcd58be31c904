//! The handle through which the rest of the server reaches the media thread.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};

use mio::Waker;
use tokio::sync::{mpsc, oneshot, watch};

use hikari_sfu::{AdminError, AdminRequest, AdminResponse, Command, ConnId, Join, SignalOut, SinkId};
use hikari_types::{RoomName, TrackSid};

use crate::error::MediaError;
use crate::sinks::SinkOut;
use crate::stats::MediaStats;

/// What the handle queues for the media thread.
pub(crate) enum Message {
    Command(Command),
    Join(Box<Join>, mpsc::Sender<SignalOut>),
    Admin(AdminRequest, oneshot::Sender<Result<AdminResponse, AdminError>>),
    AttachSink { sink: SinkId, room: RoomName, track: TrackSid, outlet: mpsc::Sender<SinkOut> },
}

/// A handle to the media thread, shared by the signaling tasks, the API and metrics.
#[derive(Clone)]
pub struct MediaHandle {
    tx: SyncSender<Message>,
    waker: Arc<Waker>,
    next_conn: Arc<AtomicU64>,
    stats: watch::Receiver<MediaStats>,
}

impl MediaHandle {
    pub(crate) fn new(tx: SyncSender<Message>, waker: Arc<Waker>, stats: watch::Receiver<MediaStats>) -> Self {
        Self { tx, waker, next_conn: Arc::new(AtomicU64::new(1)), stats }
    }

    /// Numbers a new signal connection.
    pub fn next_conn(&self) -> ConnId {
        ConnId(self.next_conn.fetch_add(1, Ordering::Relaxed))
    }

    /// Queues a join; the media thread sends the join response, and every later signal
    /// for the connection, to `outbox`. A full outbox counts the client as too slow.
    pub fn join(&self, join: Join, outbox: mpsc::Sender<SignalOut>) -> Result<(), &'static str> {
        self.send(Message::Join(Box::new(join), outbox))
    }

    /// Queues a command (a client signal, a closed connection).
    pub fn command(&self, command: Command) -> Result<(), &'static str> {
        self.send(Message::Command(command))
    }

    /// Runs an admin request on the media thread.
    pub async fn admin(&self, request: AdminRequest) -> Result<AdminResponse, MediaError> {
        let (tx, rx) = oneshot::channel();
        self.send(Message::Admin(request, tx)).map_err(MediaError::Unavailable)?;
        Ok(rx.await.map_err(|_| MediaError::Unavailable("media thread stopped"))??)
    }

    /// Starts an internal sink on a track: its packets come to `outlet` in batches, then a
    /// [`SinkOut::Closed`] (or the sender is dropped) when nothing more comes. Stop it with
    /// [`Command::DetachSink`].
    pub fn attach_sink(&self, sink: SinkId, room: RoomName, track: TrackSid, outlet: mpsc::Sender<SinkOut>) -> Result<(), &'static str> {
        self.send(Message::AttachSink { sink, room, track, outlet })
    }

    /// The latest counters.
    pub fn stats(&self) -> MediaStats {
        *self.stats.borrow()
    }

    fn send(&self, m: Message) -> Result<(), &'static str> {
        match self.tx.try_send(m) {
            Ok(()) => {
                let _ = self.waker.wake();
                Ok(())
            }
            Err(TrySendError::Full(_)) => Err("media thread overloaded"),
            Err(TrySendError::Disconnected(_)) => Err("media thread stopped"),
        }
    }
}
