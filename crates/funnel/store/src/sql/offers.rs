//! Offers in a session's room.

use crate::{StoreError, row::RowExt};
use hikari_webinar::{Offer, OfferId, SessionId};

type R<T> = Result<T, StoreError>;

pub(crate) const OFFER_COLS: &str = "id, session_id, title, price, url, ends_at, stock, pinned";

pub(crate) fn offer(r: &impl RowExt) -> R<Offer> {
    Ok(Offer {
        id: OfferId(r.int("id")?),
        session: SessionId(r.int("session_id")?),
        title: r.text("title")?,
        price: r.text("price")?,
        url: r.text("url")?,
        ends_at: r.opt_int("ends_at")?,
        stock: r.opt_int("stock")?.map(|s| u32::try_from(s).unwrap_or(0)),
        pinned: r.boolean("pinned")?,
    })
}

macro_rules! offer_repo {
    ($store:ty, $begin:literal) => {
        #[async_trait::async_trait]
        impl crate::OfferRepo for $store {
            async fn create_offer(&self, session: hikari_webinar::SessionId, new: &hikari_webinar::NewOffer, now: i64) -> R<hikari_webinar::Offer> {
                use crate::sql::offers::OFFER_COLS;
                let mut new = new.clone();
                new.validate()?;
                sqlx::query("SELECT id FROM webinar_sessions WHERE id = $1")
                    .bind(session.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound("session"))?;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO webinar_offers (session_id, title, price, url, ends_at, stock, pinned, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7) RETURNING {OFFER_COLS}"
                )))
                .bind(session.0)
                .bind(&new.title)
                .bind(&new.price)
                .bind(&new.url)
                .bind(new.ends_at)
                .bind(new.stock.map(i64::from))
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                crate::sql::offers::offer(&row)
            }

            async fn offers(&self, session: hikari_webinar::SessionId) -> R<Vec<hikari_webinar::Offer>> {
                use crate::sql::offers::OFFER_COLS;
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {OFFER_COLS} FROM webinar_offers WHERE session_id = $1 ORDER BY id")))
                    .bind(session.0)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(crate::sql::offers::offer).collect()
            }

            async fn pin_offer(&self, id: hikari_webinar::OfferId, pinned: bool) -> R<Vec<hikari_webinar::Offer>> {
                use crate::sql::offers::OFFER_COLS;
                let mut tx = self.pool.begin_with($begin).await?;
                let session = sqlx::query("SELECT session_id FROM webinar_offers WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::NotFound("offer"))?
                    .int("session_id")?;
                // One pinned offer per session: pinning one unpins the others.
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE webinar_offers SET pinned = (id = $1 AND $2) WHERE session_id = $3 AND (pinned OR id = $1) RETURNING {OFFER_COLS}"
                )))
                .bind(id.0)
                .bind(pinned)
                .bind(session)
                .fetch_all(&mut *tx)
                .await?;
                tx.commit().await?;
                rows.iter().map(crate::sql::offers::offer).collect()
            }
        }
    };
}

pub(crate) use offer_repo;
