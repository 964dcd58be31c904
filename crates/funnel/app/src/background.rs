//! The application's background tasks, handed to whoever started the application.

use crate::{scheduler::SchedulerTask, writer::WriterTask};

/// The event writer and the experiment scheduler. Keep it while serving; after the HTTP
/// servers have stopped, call [`Background::shutdown`]. Dropping it leaves both tasks running
/// until the runtime ends (events still queued then are lost).
#[must_use = "call shutdown() after the servers stop, so queued events are written"]
pub struct Background {
    pub(crate) writer: WriterTask,
    pub(crate) scheduler: SchedulerTask,
}

impl Background {
    /// Stops the scheduler, then closes the event queue, writes every event still queued and
    /// waits for both tasks to end.
    pub async fn shutdown(self) {
        self.scheduler.shutdown().await;
        self.writer.shutdown().await;
    }
}
