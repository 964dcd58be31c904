//! Page views are written in batches off the request path: the page handler hands
//! events to a bounded queue and one task appends whatever has queued up (up to 512 at a
//! time) in a single transaction. When the queue is full the handler waits for room, so
//! nothing is dropped under load; events still queued when the process stops are lost.
//! Form submissions do not come through here: their contact and events commit together.

use crate::FunnelError;
use hikari_funnel::Event;
use hikari_funnel_store::Store;
use std::sync::Arc;
use tokio::sync::mpsc;

const QUEUE: usize = 8192;
const BATCH: usize = 512;

#[derive(Clone)]
pub(crate) struct EventSink {
    tx: mpsc::Sender<Event>,
    store: Arc<dyn Store>,
}

impl EventSink {
    /// Starts the writer task; needs a Tokio runtime.
    pub fn start(store: Arc<dyn Store>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE);
        tokio::spawn(writer(store.clone(), rx));
        Self { tx, store }
    }

    /// Queues an event, waiting for room when the queue is full (back-pressure on page
    /// views rather than a second writer contending for the database); writes it directly
    /// only if the writer task is gone.
    pub async fn record(&self, event: Event) -> Result<(), FunnelError> {
        match self.tx.send(event).await {
            Ok(()) => Ok(()),
            Err(mpsc::error::SendError(e)) => {
                self.store.append_events(&[e]).await?;
                Ok(())
            }
        }
    }
}

async fn writer(store: Arc<dyn Store>, mut rx: mpsc::Receiver<Event>) {
    let mut batch = Vec::with_capacity(BATCH);
    while rx.recv_many(&mut batch, BATCH).await > 0 {
        // One retry covers a transient lock timeout; ids make the retry idempotent.
        if let Err(first) = store.append_events(&batch).await
            && let Err(e) = store.append_events(&batch).await
        {
            tracing::error!(error = %e, first = %first, lost = batch.len(), "funnel events not stored");
        }
        batch.clear();
    }
}
