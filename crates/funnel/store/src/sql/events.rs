//! The append-only event log.

/// Expands to the module-level `insert_event`, used by event appends and submissions alike.
macro_rules! event_insert {
    () => {
        async fn insert_event(conn: &mut Conn, e: &Event) -> R<bool> {
            let done = sqlx::query(
                "INSERT INTO events (id, ts, visitor, contact_id, session, funnel_id, step_id, variant, name,
                 props, utm_first, utm_last, utm_source, utm_campaign, bot, value)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
                 ON CONFLICT (id) DO NOTHING",
            )
            .bind(e.id.as_str())
            .bind(e.ts)
            .bind(e.visitor.as_str())
            .bind(e.contact.map(|c| c.0))
            .bind(e.session.as_str())
            .bind(e.funnel.map(|f| f.0))
            .bind(e.step.map(|s| s.0))
            .bind(e.variant.as_deref())
            .bind(e.name.as_str())
            .bind(row::to_json(&e.props)?)
            .bind(row::to_json(&e.utm_first)?)
            .bind(row::to_json(&e.utm_last)?)
            .bind(e.utm_first.source.as_deref())
            .bind(e.utm_first.campaign.as_deref())
            .bind(e.bot)
            .bind(e.value())
            .execute(conn)
            .await?;
            Ok(done.rows_affected() == 1)
        }
    };
}

macro_rules! event_repo {
    ($store:ty, $begin:literal) => {
        #[async_trait::async_trait]
        impl EventRepo for $store {
            async fn append_events(&self, events: &[Event]) -> R<u64> {
                let mut tx = self.pool.begin_with($begin).await?;
                let mut n = 0;
                for e in events {
                    n += u64::from(insert_event(&mut *tx, e).await?);
                }
                tx.commit().await?;
                Ok(n)
            }

            async fn events(&self, q: &EventQuery) -> R<Vec<Event>> {
                let rows = sqlx::query(
                    "SELECT * FROM events WHERE ($1 IS NULL OR funnel_id = $1) AND ($2 IS NULL OR contact_id = $2)
                     AND ($3 IS NULL OR visitor = $3) AND ($4 IS NULL OR name = $4)
                     ORDER BY ts DESC, id DESC LIMIT $5",
                )
                .bind(q.funnel.map(|f| f.0))
                .bind(q.contact.map(|c| c.0))
                .bind(q.visitor.as_deref())
                .bind(q.name.as_deref())
                .bind(q.limit.clamp(0, 10_000))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(row::event).collect()
            }

            async fn step_hits(&self, funnel: FunnelId, since: i64, until: i64) -> R<Vec<StepHit>> {
                let rows = sqlx::query(
                    "SELECT visitor, step_id, ts, utm_source, utm_campaign FROM events
                     WHERE funnel_id = $1 AND name = 'page_view' AND bot = $2 AND step_id IS NOT NULL
                     AND ts >= $3 AND ts < $4 ORDER BY ts, id",
                )
                .bind(funnel.0)
                .bind(false)
                .bind(since)
                .bind(until)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(StepHit {
                            visitor: r.text("visitor")?,
                            step: StepId(r.int("step_id")?),
                            ts: r.int("ts")?,
                            utm_source: r.opt_text("utm_source")?,
                            utm_campaign: r.opt_text("utm_campaign")?,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use {event_insert, event_repo};
