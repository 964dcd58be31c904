//! Webinars, sessions and registrants.

use crate::{StoreError, row::RowExt};
use hikari_funnel::{ContactId, FunnelId};
use hikari_webinar::{RegistrantId, SessionId, WebinarId};

type R<T> = Result<T, StoreError>;

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

pub(crate) const WEBINAR_COLS: &str = "id, funnel_id, title, time_zone, duration_minutes, schedule, reminders, created_at";
pub(crate) const SESSION_COLS: &str = "id, webinar_id, starts_at, room, state, live_at, ended_at";
pub(crate) const REGISTRANT_COLS: &str =
    "id, webinar_id, session_id, contact_id, join_key, visitor, variant, utm, registered_at, first_joined_at, in_room_since, watched_ms";

pub(crate) fn webinar(r: &impl RowExt) -> R<hikari_webinar::Webinar> {
    Ok(hikari_webinar::Webinar {
        id: WebinarId(r.int("id")?),
        funnel: FunnelId(r.int("funnel_id")?),
        title: r.text("title")?,
        time_zone: r.text("time_zone")?.parse().map_err(corrupt)?,
        duration_minutes: u32::try_from(r.int("duration_minutes")?).map_err(corrupt)?,
        schedule: r.json("schedule")?,
        reminders: r.json("reminders")?,
        created_at: r.int("created_at")?,
    })
}

pub(crate) fn session(r: &impl RowExt) -> R<hikari_webinar::Session> {
    Ok(hikari_webinar::Session {
        id: SessionId(r.int("id")?),
        webinar: WebinarId(r.int("webinar_id")?),
        starts_at: r.int("starts_at")?,
        room: r.text("room")?,
        state: r.text("state")?.parse().map_err(corrupt)?,
        live_at: r.opt_int("live_at")?,
        ended_at: r.opt_int("ended_at")?,
    })
}

pub(crate) fn registrant(r: &impl RowExt) -> R<hikari_webinar::Registrant> {
    Ok(hikari_webinar::Registrant {
        id: RegistrantId(r.int("id")?),
        webinar: WebinarId(r.int("webinar_id")?),
        session: SessionId(r.int("session_id")?),
        contact: ContactId(r.int("contact_id")?),
        join_key: r.text("join_key")?.parse().map_err(corrupt)?,
        visitor: r.opt_text("visitor")?,
        variant: r.opt_text("variant")?,
        utm: r.json("utm")?,
        registered_at: r.int("registered_at")?,
        attendance: hikari_webinar::Attendance {
            first_joined_at: r.opt_int("first_joined_at")?,
            in_room_since: r.opt_int("in_room_since")?,
            watched_ms: r.int("watched_ms")?,
        },
    })
}

macro_rules! webinar_repo {
    ($store:ty, $begin:literal) => {
        #[async_trait::async_trait]
        impl crate::WebinarRepo for $store {
            async fn create_webinar(&self, new: &hikari_webinar::NewWebinar, now: i64) -> R<hikari_webinar::Webinar> {
                use crate::sql::webinars::WEBINAR_COLS;
                let mut new = new.clone();
                new.validate()?;
                sqlx::query("SELECT id FROM funnels WHERE id = $1")
                    .bind(new.funnel.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound("funnel"))?;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO webinars (funnel_id, title, time_zone, duration_minutes, schedule, reminders, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {WEBINAR_COLS}"
                )))
                .bind(new.funnel.0)
                .bind(&new.title)
                .bind(new.time_zone.name())
                .bind(i64::from(new.duration_minutes))
                .bind(row::to_json(&new.schedule)?)
                .bind(row::to_json(&new.reminders)?)
                .bind(now)
                .fetch_one(&self.pool)
                .await
                .map_err(|e| taken(e, format!("funnel {} already has a webinar", new.funnel)))?;
                crate::sql::webinars::webinar(&row)
            }

            async fn webinars(&self) -> R<Vec<hikari_webinar::Webinar>> {
                use crate::sql::webinars::WEBINAR_COLS;
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {WEBINAR_COLS} FROM webinars ORDER BY id DESC"))).fetch_all(&self.pool).await?;
                rows.iter().map(crate::sql::webinars::webinar).collect()
            }

            async fn webinar(&self, id: hikari_webinar::WebinarId) -> R<hikari_webinar::Webinar> {
                use crate::sql::webinars::WEBINAR_COLS;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {WEBINAR_COLS} FROM webinars WHERE id = $1")))
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound("webinar"))?;
                crate::sql::webinars::webinar(&row)
            }

            async fn funnel_webinar(&self, funnel: FunnelId) -> R<Option<hikari_webinar::Webinar>> {
                use crate::sql::webinars::WEBINAR_COLS;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {WEBINAR_COLS} FROM webinars WHERE funnel_id = $1")))
                    .bind(funnel.0)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(crate::sql::webinars::webinar).transpose()
            }

            async fn update_webinar(&self, id: hikari_webinar::WebinarId, new: &hikari_webinar::NewWebinar) -> R<hikari_webinar::Webinar> {
                use crate::sql::webinars::WEBINAR_COLS;
                let mut new = new.clone();
                new.validate()?;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE webinars SET title = $2, time_zone = $3, duration_minutes = $4, schedule = $5, reminders = $6 WHERE id = $1 RETURNING {WEBINAR_COLS}"
                )))
                .bind(id.0)
                .bind(&new.title)
                .bind(new.time_zone.name())
                .bind(i64::from(new.duration_minutes))
                .bind(row::to_json(&new.schedule)?)
                .bind(row::to_json(&new.reminders)?)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound("webinar"))?;
                crate::sql::webinars::webinar(&row)
            }

            async fn delete_webinar(&self, id: hikari_webinar::WebinarId) -> R<()> {
                let done = sqlx::query("DELETE FROM webinars WHERE id = $1").bind(id.0).execute(&self.pool).await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound("webinar"));
                }
                Ok(())
            }

            async fn webinar_session_at(&self, webinar: hikari_webinar::WebinarId, starts_at: i64) -> R<hikari_webinar::Session> {
                use crate::sql::webinars::SESSION_COLS;
                sqlx::query("SELECT id FROM webinars WHERE id = $1")
                    .bind(webinar.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound("webinar"))?;
                sqlx::query("INSERT INTO webinar_sessions (webinar_id, starts_at, room) VALUES ($1, $2, $3) ON CONFLICT (webinar_id, starts_at) DO NOTHING")
                    .bind(webinar.0)
                    .bind(starts_at)
                    .bind(hikari_webinar::Session::room_for(webinar, starts_at))
                    .execute(&self.pool)
                    .await?;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SESSION_COLS} FROM webinar_sessions WHERE webinar_id = $1 AND starts_at = $2")))
                    .bind(webinar.0)
                    .bind(starts_at)
                    .fetch_one(&self.pool)
                    .await?;
                crate::sql::webinars::session(&row)
            }

            async fn webinar_sessions(&self, webinar: hikari_webinar::WebinarId) -> R<Vec<hikari_webinar::Session>> {
                use crate::sql::webinars::SESSION_COLS;
                let rows =
                    sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SESSION_COLS} FROM webinar_sessions WHERE webinar_id = $1 ORDER BY starts_at, id")))
                        .bind(webinar.0)
                        .fetch_all(&self.pool)
                        .await?;
                rows.iter().map(crate::sql::webinars::session).collect()
            }

            async fn webinar_session(&self, id: hikari_webinar::SessionId) -> R<hikari_webinar::Session> {
                use crate::sql::webinars::SESSION_COLS;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SESSION_COLS} FROM webinar_sessions WHERE id = $1")))
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound("session"))?;
                crate::sql::webinars::session(&row)
            }

            async fn delete_webinar_session(&self, id: hikari_webinar::SessionId) -> R<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                let booked =
                    sqlx::query("SELECT COUNT(*) AS n FROM webinar_registrants WHERE session_id = $1").bind(id.0).fetch_one(&mut *tx).await?.int("n")?;
                if booked > 0 {
                    return Err(StoreError::Conflict(format!("session {id} has {booked} registrants; it cannot be deleted")));
                }
                let done = sqlx::query("DELETE FROM webinar_sessions WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound("session"));
                }
                tx.commit().await?;
                Ok(())
            }

            async fn register(&self, new: &hikari_webinar::NewRegistrant, event: &Event) -> R<(hikari_webinar::Registrant, bool)> {
                use crate::sql::webinars::REGISTRANT_COLS;
                let mut tx = self.pool.begin_with($begin).await?;
                let webinar = sqlx::query("SELECT webinar_id FROM webinar_sessions WHERE id = $1")
                    .bind(new.session.0)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::NotFound("session"))?
                    .int("webinar_id")?;
                let inserted = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO webinar_registrants (webinar_id, session_id, contact_id, join_key, visitor, variant, utm, registered_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (session_id, contact_id) DO NOTHING RETURNING {REGISTRANT_COLS}"
                )))
                .bind(webinar)
                .bind(new.session.0)
                .bind(new.contact.0)
                .bind(new.join_key.as_str())
                .bind(new.visitor.as_deref())
                .bind(new.variant.as_deref())
                .bind(row::to_json(&new.utm)?)
                .bind(new.now)
                .fetch_optional(&mut *tx)
                .await?;
                let (row, created) = match inserted {
                    Some(row) => {
                        let mut e = event.clone();
                        e.contact = Some(new.contact);
                        insert_event(&mut *tx, &e).await?;
                        (row, true)
                    }
                    None => (
                        sqlx::query(sqlx::AssertSqlSafe(format!(
                            "SELECT {REGISTRANT_COLS} FROM webinar_registrants WHERE session_id = $1 AND contact_id = $2"
                        )))
                        .bind(new.session.0)
                        .bind(new.contact.0)
                        .fetch_one(&mut *tx)
                        .await?,
                        false,
                    ),
                };
                let r = crate::sql::webinars::registrant(&row)?;
                tx.commit().await?;
                Ok((r, created))
            }

            async fn registrant_by_key(&self, key: &hikari_webinar::JoinKey) -> R<Option<hikari_webinar::Registrant>> {
                use crate::sql::webinars::REGISTRANT_COLS;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {REGISTRANT_COLS} FROM webinar_registrants WHERE join_key = $1")))
                    .bind(key.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(crate::sql::webinars::registrant).transpose()
            }

            async fn set_session_state(&self, id: hikari_webinar::SessionId, to: hikari_webinar::SessionState, now: i64) -> R<hikari_webinar::Session> {
                use crate::sql::webinars::SESSION_COLS;
                let mut tx = self.pool.begin_with($begin).await?;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SESSION_COLS} FROM webinar_sessions WHERE id = $1")))
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::NotFound("session"))?;
                let current = crate::sql::webinars::session(&row)?;
                current.state.check(to)?;
                if current.state == to {
                    return Ok(current);
                }
                let live = to == hikari_webinar::SessionState::Live;
                let ended = to == hikari_webinar::SessionState::Ended;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE webinar_sessions SET state = $2,
                       live_at = CASE WHEN $3 AND live_at IS NULL THEN $5 ELSE live_at END,
                       ended_at = CASE WHEN $4 THEN $5 ELSE ended_at END
                     WHERE id = $1 RETURNING {SESSION_COLS}"
                )))
                .bind(id.0)
                .bind(to.as_str())
                .bind(live)
                .bind(ended)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let s = crate::sql::webinars::session(&row)?;
                tx.commit().await?;
                Ok(s)
            }

            async fn registrant(&self, id: hikari_webinar::RegistrantId) -> R<hikari_webinar::Registrant> {
                use crate::sql::webinars::REGISTRANT_COLS;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {REGISTRANT_COLS} FROM webinar_registrants WHERE id = $1")))
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound("registrant"))?;
                crate::sql::webinars::registrant(&row)
            }

            async fn record_presence(
                &self,
                id: hikari_webinar::RegistrantId,
                before: &hikari_webinar::Attendance,
                after: &hikari_webinar::Attendance,
                event: &Event,
            ) -> R<bool> {
                let mut tx = self.pool.begin_with($begin).await?;
                let done = sqlx::query(
                    "UPDATE webinar_registrants SET first_joined_at = $2, in_room_since = $3, watched_ms = $4
                     WHERE id = $1 AND watched_ms = $5 AND in_room_since IS NOT DISTINCT FROM $6",
                )
                .bind(id.0)
                .bind(after.first_joined_at)
                .bind(after.in_room_since)
                .bind(after.watched_ms)
                .bind(before.watched_ms)
                .bind(before.in_room_since)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                insert_event(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn registrants(&self, webinar: hikari_webinar::WebinarId, limit: i64, offset: i64) -> R<Vec<hikari_webinar::Registrant>> {
                use crate::sql::webinars::REGISTRANT_COLS;
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {REGISTRANT_COLS} FROM webinar_registrants WHERE webinar_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3"
                )))
                .bind(webinar.0)
                .bind(limit.clamp(0, 10_000))
                .bind(offset.max(0))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(crate::sql::webinars::registrant).collect()
            }
        }
    };
}

pub(crate) use webinar_repo;
