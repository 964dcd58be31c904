//! The event writer: the one path by which events reach the store.
//!
//! Page views and exposures are written by group commit: [`EventWriter::record`] hands an
//! event to a bounded queue (8192) and waits; one task appends whatever has queued up (up to
//! 512 at a time) in a single transaction and then answers every waiter of the batch. So
//! `record` returns only once its event is committed (a crash after a page's 200 loses
//! nothing), while concurrent page views share one transaction. When the queue is full the
//! caller waits for room, so nothing is dropped under load. [`WriterTask::shutdown`] closes
//! the queue, writes what is still in it and ends the task; an event recorded after that is
//! written directly.
//!
//! Writes whose result the caller needs go through the same writer, directly: a beacon's
//! events ([`EventWriter::append`], which counts the new ones), a form submission's contact
//! and events, committed together ([`EventWriter::submission`]), and a webinar registration
//! with its event ([`EventWriter::registration`]), and a registrant's attendance with its
//! presence event ([`EventWriter::presence`]), and a registrant's chat message with its event
//! ([`EventWriter::message`]), and a vote with its event ([`EventWriter::vote`]).

use crate::error::AppError;
use hikari_funnel::{Contact, ContactUpsert, Event};
use hikari_funnel_store::{ChatRepo, ContactRepo, EventRepo, PollRepo, WebinarRepo};
use hikari_webinar::{Attendance, Message, NewRegistrant, PollId, PostedMessage, Registrant, RegistrantId};
use std::sync::Arc;
use tokio::{
    sync::{Notify, mpsc, oneshot},
    task::JoinHandle,
};

/// A queued event and who waits for its commit (`true`: stored).
type Queued = (Event, oneshot::Sender<bool>);

/// Told of every event once it is stored: the binary publishes them on its event bus. (An
/// event sent twice with one id is stored once but may be told twice.)
pub type OnStored = Arc<dyn Fn(&Event) + Send + Sync>;

const QUEUE: usize = 8192;
const BATCH: usize = 512;

/// The handle use cases write events with; cheap to clone.
#[derive(Clone)]
pub struct EventWriter {
    tx: mpsc::Sender<Queued>,
    events: Arc<dyn EventRepo>,
    contacts: Arc<dyn ContactRepo>,
    on_stored: OnStored,
}

/// The writer's background task, owned by whoever started it.
#[must_use = "call shutdown() to drain the queue; dropping this leaves the task running"]
pub struct WriterTask {
    stop: Arc<Notify>,
    task: JoinHandle<()>,
}

impl EventWriter {
    /// Starts the writer task (needs a Tokio runtime); returns the handle and the task.
    /// `on_stored` is told of each event once it is committed.
    pub fn start(events: Arc<dyn EventRepo>, contacts: Arc<dyn ContactRepo>, on_stored: OnStored) -> (Self, WriterTask) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let stop = Arc::new(Notify::new());
        let task = tokio::spawn(writer(events.clone(), rx, stop.clone(), on_stored.clone()));
        (Self { tx, events, contacts, on_stored }, WriterTask { stop, task })
    }

    /// Records an event and returns once it is committed, in a batch with whatever else is
    /// queued. Waits for room when the queue is full (back-pressure on page views rather than
    /// a second writer contending for the database); writes directly once the queue is
    /// closed (after shutdown). An error means the event is not stored.
    pub async fn record(&self, event: Event) -> Result<(), AppError> {
        let (done, stored) = oneshot::channel();
        match self.tx.send((event, done)).await {
            Ok(()) => match stored.await {
                Ok(true) => Ok(()),
                Ok(false) | Err(_) => Err(AppError::Unavailable("the event could not be stored")),
            },
            Err(mpsc::error::SendError((e, _))) => {
                self.events.append_events(std::slice::from_ref(&e)).await?;
                (self.on_stored)(&e);
                Ok(())
            }
        }
    }

    /// Appends events now, skipping ids already stored; returns how many were new.
    pub async fn append(&self, events: &[Event]) -> Result<u64, AppError> {
        let new = self.events.append_events(events).await?;
        events.iter().for_each(|e| (self.on_stored)(e));
        Ok(new)
    }

    /// Upserts a contact and appends its events in one transaction; returns the contact.
    pub async fn submission(&self, up: &ContactUpsert, events: Vec<Event>) -> Result<Contact, AppError> {
        let contact = self.contacts.record_submission(up, events.clone()).await?;
        for mut e in events {
            e.contact = Some(contact.id);
            (self.on_stored)(&e);
        }
        Ok(contact)
    }
}

impl EventWriter {
    /// Books a registrant and appends its event (its contact set) in one transaction; a
    /// contact already booked on the session gets its registrant back and no event is stored
    /// (`false`).
    pub async fn registration(&self, webinars: &dyn WebinarRepo, new: &NewRegistrant, mut event: Event) -> Result<(Registrant, bool), AppError> {
        event.contact = Some(new.contact);
        let (r, created) = webinars.register(new, &event).await?;
        if created {
            (self.on_stored)(&event);
        }
        Ok((r, created))
    }

    /// Stores a registrant's message with its event in one transaction.
    pub async fn message(&self, chat: &dyn ChatRepo, posted: &PostedMessage, event: Event) -> Result<Message, AppError> {
        let m = chat.post_message(posted, Some(&event)).await?;
        (self.on_stored)(&event);
        Ok(m)
    }

    /// Stores a registrant's vote with its event in one transaction (`false`, nothing
    /// stored: it had voted on this poll).
    pub async fn vote(&self, polls: &dyn PollRepo, poll: PollId, registrant: RegistrantId, choice: usize, at: i64, event: Event) -> Result<bool, AppError> {
        let stored = polls.vote(poll, registrant, choice, at, &event).await?;
        if stored {
            (self.on_stored)(&event);
        }
        Ok(stored)
    }

    /// Replaces a registrant's attendance and appends its presence event in one transaction
    /// (`false`, nothing stored: the attendance was no longer `before`).
    pub async fn presence(
        &self,
        webinars: &dyn WebinarRepo,
        id: RegistrantId,
        before: &Attendance,
        after: &Attendance,
        event: Event,
    ) -> Result<bool, AppError> {
        let stored = webinars.record_presence(id, before, after, &event).await?;
        if stored {
            (self.on_stored)(&event);
        }
        Ok(stored)
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

async fn writer(store: Arc<dyn EventRepo>, mut rx: mpsc::Receiver<Queued>, stop: Arc<Notify>, on_stored: OnStored) {
    let mut batch = Vec::with_capacity(BATCH);
    loop {
        tokio::select! {
            biased;
            () = stop.notified() => break,
            n = rx.recv_many(&mut batch, BATCH) => {
                if n == 0 {
                    return;
                }
                write(&*store, &mut batch, &on_stored).await;
            }
        }
    }
    // Shutdown: refuse new events (they are written directly from now on), drain the rest.
    rx.close();
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        write(&*store, &mut batch, &on_stored).await;
    }
}

/// Commits a batch, then tells each waiter whether its event is stored.
async fn write(store: &dyn EventRepo, batch: &mut Vec<Queued>, on_stored: &OnStored) {
    let (events, waiters): (Vec<Event>, Vec<oneshot::Sender<bool>>) = batch.drain(..).unzip();
    // One retry covers a transient lock timeout; ids make the retry idempotent.
    let stored = match store.append_events(&events).await {
        Ok(_) => true,
        Err(first) => match store.append_events(&events).await {
            Ok(_) => true,
            Err(e) => {
                tracing::error!(error = %e, first = %first, refused = events.len(), "funnel events not stored; their requests fail");
                false
            }
        },
    };
    if stored {
        events.iter().for_each(|e| on_stored(e));
    }
    for done in waiters {
        // A waiter that went away (its request was cancelled) needs no answer.
        let _ = done.send(stored);
    }
}
