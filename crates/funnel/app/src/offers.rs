//! Offers in a session's room: hosts write them and pin one at a time; a registrant's page
//! shows the pinned one (`offer_shown`, once per registrant and offer) and its button goes
//! through the server (`offer_clicked`) to the offer's address.

use crate::{
    error::AppError,
    live::{LiveHub, Notice},
    webinars::{Ticket, registrant_event},
    writer::EventWriter,
};
use hikari_funnel::EventName;
use hikari_funnel_store::{OfferRepo, WebinarRepo};
use hikari_webinar::{NewOffer, Offer, OfferId, SessionId};
use std::sync::Arc;

/// The offer use cases; cheap to clone.
#[derive(Clone)]
pub struct Offers {
    repo: Arc<dyn OfferRepo>,
    webinars: Arc<dyn WebinarRepo>,
    live: LiveHub,
    events: EventWriter,
}

impl Offers {
    /// The use cases over the ports, telling `live`'s pages of every change; events go
    /// through `events`.
    pub fn new(repo: Arc<dyn OfferRepo>, webinars: Arc<dyn WebinarRepo>, live: LiveHub, events: EventWriter) -> Self {
        Self { repo, webinars, live, events }
    }

    /// A host writes an offer for a session that has not ended (not pinned yet).
    pub async fn create(&self, session: SessionId, new: &NewOffer, now: i64) -> Result<Offer, AppError> {
        let s = self.webinars.webinar_session(session).await?;
        if !s.state.admits_hosts() {
            return Err(AppError::Conflict(format!("session {session} has ended")));
        }
        let o = self.repo.create_offer(session, new, now).await?;
        self.live.publish(session, Notice::Offer { offer: o.clone() });
        Ok(o)
    }

    /// A session's offers (for hosts).
    pub async fn list(&self, session: SessionId) -> Result<Vec<Offer>, AppError> {
        self.webinars.webinar_session(session).await?;
        Ok(self.repo.offers(session).await?)
    }

    /// A host pins (unpinning any other) or unpins an offer; every page hears of each change.
    pub async fn pin(&self, id: OfferId, pinned: bool) -> Result<Offer, AppError> {
        let changed = self.repo.pin_offer(id, pinned).await?;
        // The others first, so a page never shows two pinned offers.
        let mut named = None;
        for o in changed {
            if o.id == id {
                named = Some(o);
            } else {
                self.live.publish(o.session, Notice::Offer { offer: o });
            }
        }
        let o = named.ok_or(AppError::NotFound("offer"))?;
        self.live.publish(o.session, Notice::Offer { offer: o.clone() });
        Ok(o)
    }

    /// The offer pinned in a registrant's session, if any.
    pub async fn pinned(&self, t: &Ticket) -> Result<Option<Offer>, AppError> {
        Ok(self.repo.offers(t.session.id).await?.into_iter().find(|o| o.pinned))
    }

    async fn of_session(&self, t: &Ticket, id: OfferId) -> Result<Offer, AppError> {
        self.repo.offers(t.session.id).await?.into_iter().find(|o| o.id == id).ok_or(AppError::NotFound("offer"))
    }

    /// A registrant's page showed a pinned offer of its session: `offer_shown`, once per
    /// registrant and offer.
    pub async fn shown(&self, t: &Ticket, id: OfferId, now: i64) -> Result<(), AppError> {
        let o = self.of_session(t, id).await?;
        if !o.pinned {
            return Err(AppError::Conflict(format!("offer {id} is not pinned")));
        }
        let name: EventName = "offer_shown".parse()?;
        let e = registrant_event(&t.webinar, &t.session, &t.registrant, name, now, &id.to_string(), serde_json::json!({ "offer": id }))?;
        self.events.append(&[e]).await?;
        Ok(())
    }

    /// A registrant clicked an offer of its session: `offer_clicked`, and where to send it.
    pub async fn clicked(&self, t: &Ticket, id: OfferId, now: i64) -> Result<String, AppError> {
        let o = self.of_session(t, id).await?;
        let name: EventName = "offer_clicked".parse()?;
        let seed = format!("{id}:{now}");
        let e = registrant_event(&t.webinar, &t.session, &t.registrant, name, now, &seed, serde_json::json!({ "offer": id }))?;
        self.events.append(&[e]).await?;
        Ok(o.target_for(t.registrant.join_key.as_str()))
    }
}
