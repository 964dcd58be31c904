//! Reading contacts and events (the JSON API's lists, the admin contacts page). Read-only:
//! events and contacts are written only by the [`crate::writer::EventWriter`].

use crate::error::AppError;
use hikari_funnel::{Contact, ContactId, Event};
use hikari_funnel_store::{ContactRepo, EventQuery, EventRepo};
use std::sync::Arc;

/// Contacts and the event log, read-only; cheap to clone.
#[derive(Clone)]
pub struct Records {
    contacts: Arc<dyn ContactRepo>,
    events: Arc<dyn EventRepo>,
}

impl Records {
    /// Reads over the contact and event ports.
    pub fn new(contacts: Arc<dyn ContactRepo>, events: Arc<dyn EventRepo>) -> Self {
        Self { contacts, events }
    }

    /// Contacts, newest first.
    pub async fn contacts(&self, limit: i64, offset: i64) -> Result<Vec<Contact>, AppError> {
        Ok(self.contacts.contacts(limit, offset).await?)
    }

    /// One contact.
    pub async fn contact(&self, id: ContactId) -> Result<Contact, AppError> {
        Ok(self.contacts.contact(id).await?)
    }

    /// Events matching a filter, newest first.
    pub async fn events(&self, q: &EventQuery) -> Result<Vec<Event>, AppError> {
        Ok(self.events.events(q).await?)
    }
}
