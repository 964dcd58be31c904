//! The event writer: the one path by which events reach the store.
//!
//! Page views and exposures are written in batches off the request path: [`EventWriter::record`]
//! hands an event to a bounded queue (8192) and one task appends whatever has queued up (up to
//! 512 at a time) in a single transaction. When the queue is full the caller waits for room, so
//! nothing is dropped under load. [`WriterTask::shutdown`] closes the queue, writes what is
//! still in it and ends the task; an event recorded after that is written directly.
//!
//! Writes whose result the caller needs go through the same writer, directly: a beacon's
//! events ([`EventWriter::append`], which counts the new ones) and a form submission's contact
//! and events, committed together ([`EventWriter::submission`]).

use crate::error::AppError;
use hikari_funnel::{Contact, ContactUpsert, Event};
use hikari_funnel_store::{ContactRepo, EventRepo};
use std::sync::Arc;
use tokio::{
    sync::{Notify, mpsc},
    task::JoinHandle,
};

const QUEUE: usize = 8192;
const BATCH: usize = 512;

/// The handle use cases write events with; cheap to clone.
#[derive(Clone)]
pub struct EventWriter {
    tx: mpsc::Sender<Event>,
    events: Arc<dyn EventRepo>,
    contacts: Arc<dyn ContactRepo>,
}

/// The writer's background task, owned by whoever started it.
#[must_use = "call shutdown() to drain the queue; dropping this leaves the task running"]
pub struct WriterTask {
    stop: Arc<Notify>,
    task: JoinHandle<()>,
}

impl EventWriter {
    /// Starts the writer task (needs a Tokio runtime); returns the handle and the task.
    pub fn start(events: Arc<dyn EventRepo>, contacts: Arc<dyn ContactRepo>) -> (Self, WriterTask) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(writer(events.clone(), rx, stop.clone()));
        (Self { tx, events, contacts }, WriterTask { stop, task })
    }

    /// Queues an event, waiting for room when the queue is full (back-pressure on page views
    /// rather than a second writer contending for the database); writes it directly only if
    /// the queue is closed (after shutdown).
    pub async fn record(&self, event: Event) -> Result<(), AppError> {
        match self.tx.send(event).await {
            Ok(()) => Ok(()),
            Err(mpsc::error::SendError(e)) => {
                self.events.append_events(&[e]).await?;
                Ok(())
            }
        }
    }

    /// Appends events now, skipping ids already stored; returns how many were new.
    pub async fn append(&self, events: &[Event]) -> Result<u64, AppError> {
        Ok(self.events.append_events(events).await?)
    }

    /// Upserts a contact and appends its events in one transaction; returns the contact.
    pub async fn submission(&self, up: &ContactUpsert, events: Vec<Event>) -> Result<Contact, AppError> {
        Ok(self.contacts.record_submission(up, events).await?)
    }
}

impl WriterTask {
    /// Closes the queue, writes every event still in it and waits for the task to end.
    pub async fn shutdown(self) {
        self.stop.notify_one();
        if let Err(e) = self.task.await {
            tracing::error!(error = %e, "funnel event writer ended abnormally");
        }
    }
}

async fn writer(store: Arc<dyn EventRepo>, mut rx: mpsc::Receiver<Event>, stop: Arc<Notify>) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            biased;
            () = stop.notified() => break,
            n = rx.recv_many(&mut batch, BATCH) => {
                if n == 0 {
                    return;
                }
                write(&*store, &mut batch).await;
            }
        }
    }
    // Shutdown: refuse new events (they are written directly from now on), drain the rest.
    rx.close();
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        write(&*store, &mut batch).await;
    }
}

async fn write(store: &dyn EventRepo, batch: &mut Vec<Event>) {
    // One retry covers a transient lock timeout; ids make the retry idempotent.
    if let Err(first) = store.append_events(batch).await
        && let Err(e) = store.append_events(batch).await
    {
        tracing::error!(error = %e, first = %first, lost = batch.len(), "funnel events not stored");
    }
    batch.clear();
}
