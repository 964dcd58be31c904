//! Messages in a session's room: chat lines and questions, and their moderation.

use crate::{StoreError, row::RowExt};
use hikari_funnel::UserId;
use hikari_webinar::{Author, Message, MessageId, MessageKind, RegistrantId, SessionId};

type R<T> = Result<T, StoreError>;

pub(crate) const MESSAGE_COLS: &str = "id, session_id, registrant_id, host_user_id, name, kind, text, at, hidden, answered, highlighted";

pub(crate) fn message(r: &impl RowExt) -> R<Message> {
    let author = match (r.opt_int("registrant_id")?, r.opt_int("host_user_id")?) {
        (Some(id), _) => Author::Attendee(RegistrantId(id)),
        (None, Some(id)) => Author::Host(UserId(id)),
        (None, None) => return Err(StoreError::Corrupt("a message without an author".into())),
    };
    let kind = r.text("kind")?;
    Ok(Message {
        id: MessageId(r.int("id")?),
        session: SessionId(r.int("session_id")?),
        author,
        name: r.text("name")?,
        kind: MessageKind::parse(&kind).ok_or_else(|| StoreError::Corrupt(format!("message kind {kind}")))?,
        text: r.text("text")?,
        at: r.int("at")?,
        hidden: r.boolean("hidden")?,
        answered: r.boolean("answered")?,
        highlighted: r.boolean("highlighted")?,
    })
}

macro_rules! chat_repo {
    ($store:ty, $begin:literal) => {
        #[async_trait::async_trait]
        impl crate::ChatRepo for $store {
            async fn post_message(&self, new: &hikari_webinar::PostedMessage, event: Option<&Event>) -> R<hikari_webinar::Message> {
                use crate::sql::chat::MESSAGE_COLS;
                let (registrant, host) = match new.author {
                    hikari_webinar::Author::Attendee(r) => (Some(r.0), None),
                    hikari_webinar::Author::Host(u) => (None, Some(u.0)),
                };
                let mut tx = self.pool.begin_with($begin).await?;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO webinar_messages (session_id, registrant_id, host_user_id, name, kind, text, at, hidden, answered, highlighted)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, FALSE, FALSE, FALSE) RETURNING {MESSAGE_COLS}"
                )))
                .bind(new.session.0)
                .bind(registrant)
                .bind(host)
                .bind(&new.name)
                .bind(new.kind.as_str())
                .bind(&new.text)
                .bind(new.at)
                .fetch_one(&mut *tx)
                .await?;
                if let Some(e) = event {
                    insert_event(&mut *tx, e).await?;
                }
                let m = crate::sql::chat::message(&row)?;
                tx.commit().await?;
                Ok(m)
            }

            async fn messages(&self, session: hikari_webinar::SessionId, limit: i64) -> R<Vec<hikari_webinar::Message>> {
                use crate::sql::chat::MESSAGE_COLS;
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {MESSAGE_COLS} FROM (SELECT {MESSAGE_COLS} FROM webinar_messages WHERE session_id = $1 ORDER BY id DESC LIMIT $2) AS latest ORDER BY id"
                )))
                .bind(session.0)
                .bind(limit.clamp(0, 10_000))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(crate::sql::chat::message).collect()
            }

            async fn moderate_message(&self, id: hikari_webinar::MessageId, m: &hikari_webinar::Moderation) -> R<hikari_webinar::Message> {
                use crate::sql::chat::MESSAGE_COLS;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "UPDATE webinar_messages SET hidden = COALESCE($2, hidden), answered = COALESCE($3, answered), highlighted = COALESCE($4, highlighted)
                     WHERE id = $1 RETURNING {MESSAGE_COLS}"
                )))
                .bind(id.0)
                .bind(m.hidden)
                .bind(m.answered)
                .bind(m.highlighted)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound("message"))?;
                crate::sql::chat::message(&row)
            }
        }
    };
}

pub(crate) use chat_repo;
