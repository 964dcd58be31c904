//! Polls in a session's room and their votes.

use crate::{StoreError, row::RowExt};
use hikari_webinar::{Poll, PollId, PollState, SessionId};

type R<T> = Result<T, StoreError>;

pub(crate) const POLL_COLS: &str = "id, session_id, question, options, state";

/// A poll row, its votes not yet counted.
pub(crate) fn poll(r: &impl RowExt) -> R<Poll> {
    let state = r.text("state")?;
    let options: Vec<String> = r.json("options")?;
    Ok(Poll {
        id: PollId(r.int("id")?),
        session: SessionId(r.int("session_id")?),
        question: r.text("question")?,
        votes: vec![0; options.len()],
        options,
        state: PollState::parse(&state).ok_or_else(|| StoreError::Corrupt(format!("poll state {state}")))?,
    })
}

/// Adds a counted `(poll, choice, n)` row to its poll.
pub(crate) fn count(polls: &mut [Poll], r: &impl RowExt) -> R<()> {
    let (id, choice, n) = (PollId(r.int("poll_id")?), r.int("choice")?, r.int("n")?);
    if let Some(p) = polls.iter_mut().find(|p| p.id == id)
        && let Some(slot) = usize::try_from(choice).ok().and_then(|c| p.votes.get_mut(c))
    {
        *slot = u32::try_from(n).unwrap_or(u32::MAX);
    }
    Ok(())
}

macro_rules! poll_repo {
    ($store:ty, $begin:literal) => {
        #[async_trait::async_trait]
        impl crate::PollRepo for $store {
            async fn create_poll(&self, session: hikari_webinar::SessionId, new: &hikari_webinar::NewPoll, now: i64) -> R<hikari_webinar::Poll> {
                use crate::sql::polls::POLL_COLS;
                let mut new = new.clone();
                new.validate()?;
                sqlx::query("SELECT id FROM webinar_sessions WHERE id = $1")
                    .bind(session.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound("session"))?;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO webinar_polls (session_id, question, options, state, created_at) VALUES ($1, $2, $3, 'draft', $4) RETURNING {POLL_COLS}"
                )))
                .bind(session.0)
                .bind(&new.question)
                .bind(row::to_json(&new.options)?)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                crate::sql::polls::poll(&row)
            }

            async fn polls(&self, session: hikari_webinar::SessionId) -> R<Vec<hikari_webinar::Poll>> {
                use crate::sql::polls::POLL_COLS;
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {POLL_COLS} FROM webinar_polls WHERE session_id = $1 ORDER BY id")))
                    .bind(session.0)
                    .fetch_all(&self.pool)
                    .await?;
                let mut polls = rows.iter().map(crate::sql::polls::poll).collect::<R<Vec<_>>>()?;
                let counts = sqlx::query(
                    "SELECT v.poll_id AS poll_id, v.choice AS choice, COUNT(*) AS n FROM webinar_votes v
                     JOIN webinar_polls p ON p.id = v.poll_id WHERE p.session_id = $1 GROUP BY v.poll_id, v.choice",
                )
                .bind(session.0)
                .fetch_all(&self.pool)
                .await?;
                for c in &counts {
                    crate::sql::polls::count(&mut polls, c)?;
                }
                Ok(polls)
            }

            async fn set_poll_state(&self, id: hikari_webinar::PollId, to: hikari_webinar::PollState) -> R<hikari_webinar::Poll> {
                use crate::sql::polls::POLL_COLS;
                let mut tx = self.pool.begin_with($begin).await?;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {POLL_COLS} FROM webinar_polls WHERE id = $1")))
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::NotFound("poll"))?;
                let current = crate::sql::polls::poll(&row)?;
                current.state.check(to)?;
                if to == hikari_webinar::PollState::Open && current.state != to {
                    let open = sqlx::query("SELECT id FROM webinar_polls WHERE session_id = $1 AND state = 'open'")
                        .bind(current.session.0)
                        .fetch_optional(&mut *tx)
                        .await?;
                    if let Some(other) = open {
                        return Err(StoreError::Conflict(format!("poll {} is open: close it first (one open poll at a time)", other.int("id")?)));
                    }
                }
                sqlx::query("UPDATE webinar_polls SET state = $2 WHERE id = $1").bind(id.0).bind(to.as_str()).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(hikari_webinar::Poll { state: to, ..current })
            }

            async fn vote(&self, poll: hikari_webinar::PollId, registrant: hikari_webinar::RegistrantId, choice: usize, at: i64, event: &Event) -> R<bool> {
                let mut tx = self.pool.begin_with($begin).await?;
                let done = sqlx::query(
                    "INSERT INTO webinar_votes (poll_id, registrant_id, choice, at) VALUES ($1, $2, $3, $4) ON CONFLICT (poll_id, registrant_id) DO NOTHING",
                )
                .bind(poll.0)
                .bind(registrant.0)
                .bind(i64::try_from(choice).unwrap_or(i64::MAX))
                .bind(at)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() == 0 {
                    return Ok(false);
                }
                insert_event(&mut *tx, event).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn votes_of(&self, session: hikari_webinar::SessionId, registrant: hikari_webinar::RegistrantId) -> R<Vec<(hikari_webinar::PollId, usize)>> {
                let rows = sqlx::query(
                    "SELECT v.poll_id AS poll_id, v.choice AS choice FROM webinar_votes v JOIN webinar_polls p ON p.id = v.poll_id
                     WHERE p.session_id = $1 AND v.registrant_id = $2",
                )
                .bind(session.0)
                .bind(registrant.0)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|r| Ok((hikari_webinar::PollId(r.int("poll_id")?), usize::try_from(r.int("choice")?).unwrap_or(usize::MAX)))).collect()
            }
        }
    };
}

pub(crate) use poll_repo;
