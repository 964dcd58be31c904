//! Funnels, steps and edges.

macro_rules! funnel_sql {
    ($begin:literal, $lock:literal) => {
        // Funnels, steps and edges: the multi-statement parts of `FunnelRepo`.
        async fn funnel_create(&self, new: &NewFunnel, now: i64) -> R<Funnel> {
            new.validate()?;
            let row = sqlx::query(
                "INSERT INTO funnels (slug, name, locale, created_at) VALUES ($1, $2, $3, $4)
                 RETURNING id, slug, name, locale, created_at",
            )
            .bind(new.slug.as_str())
            .bind(new.name.trim())
            .bind(new.locale.map(|l| l.tag()))
            .bind(now)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| taken(e, format!("funnel slug {:?} is taken", new.slug.as_str())))?;
            row::funnel(&row)
        }

        async fn step_create(&self, funnel: FunnelId, new: &NewStep, now: i64) -> R<Step> {
            new.validate()?;
            let mut tx = self.pool.begin_with($begin).await?;
            sqlx::query("SELECT id FROM funnels WHERE id = $1").bind(funnel.0).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound("funnel"))?;
            let row = sqlx::query(
                "INSERT INTO steps (funnel_id, slug, name, kind, position, redirect_url)
                 VALUES ($1, $2, $3, $4,
                         (SELECT COALESCE(MAX(position), 0) + 1 FROM steps WHERE funnel_id = $1), $5)
                 RETURNING id, funnel_id, slug, name, kind, position, redirect_url",
            )
            .bind(funnel.0)
            .bind(new.slug.as_str())
            .bind(new.name.trim())
            .bind(new.kind.as_str())
            .bind(new.redirect_url.as_deref())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| taken(e, format!("step slug {:?} is taken in this funnel", new.slug.as_str())))?;
            let step = row::step(&row)?;
            sqlx::query("INSERT INTO pages (step_id, draft, version, published_version, updated_at) VALUES ($1, $2, 1, NULL, $3)")
                .bind(step.id.0)
                .bind(row::to_json(&PageDraft::default())?)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(step)
        }

        async fn steps_reorder(&self, funnel: FunnelId, order: &[StepId]) -> R<()> {
            let mut tx = self.pool.begin_with($begin).await?;
            let rows = sqlx::query(concat!("SELECT id FROM steps WHERE funnel_id = $1", $lock)).bind(funnel.0).fetch_all(&mut *tx).await?;
            let mut have = rows.iter().map(|r| r.int("id")).collect::<R<Vec<i64>>>()?;
            let mut want: Vec<i64> = order.iter().map(|s| s.0).collect();
            have.sort_unstable();
            want.sort_unstable();
            if have != want {
                return Err(DomainError::invalid("order", "must list each step of the funnel exactly once").into());
            }
            for (i, id) in order.iter().enumerate() {
                sqlx::query("UPDATE steps SET position = $1 WHERE id = $2").bind(i as i64 + 1).bind(id.0).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(())
        }

        async fn edge_create(&self, funnel: FunnelId, new: &NewEdge) -> R<Edge> {
            new.condition.validate()?;
            if new.from_step == new.to_step {
                return Err(DomainError::invalid("to_step", "an edge must join two different steps").into());
            }
            let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM steps WHERE funnel_id = $1 AND id IN ($2, $3)")
                .bind(funnel.0)
                .bind(new.from_step.0)
                .bind(new.to_step.0)
                .fetch_one(&self.pool)
                .await?
                .int("n")?;
            if n != 2 {
                return Err(DomainError::invalid("from_step/to_step", "both must be steps of this funnel").into());
            }
            let row = sqlx::query(
                "INSERT INTO edges (funnel_id, from_step, to_step, condition, priority) VALUES ($1, $2, $3, $4, $5)
                 RETURNING id, funnel_id, from_step, to_step, condition, priority",
            )
            .bind(funnel.0)
            .bind(new.from_step.0)
            .bind(new.to_step.0)
            .bind(row::to_json(&new.condition)?)
            .bind(new.priority)
            .fetch_one(&self.pool)
            .await?;
            row::edge(&row)
        }

        async fn delete_where(&self, sql: &'static str, id: i64, what: &'static str) -> R<()> {
            let done = sqlx::query(sql).bind(id).execute(&self.pool).await?;
            if done.rows_affected() == 0 { Err(StoreError::NotFound(what)) } else { Ok(()) }
        }
    };
}

macro_rules! funnel_repo {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl FunnelRepo for $store {
            async fn create_funnel(&self, new: &NewFunnel, now: i64) -> R<Funnel> {
                self.funnel_create(new, now).await
            }

            async fn funnels(&self) -> R<Vec<Funnel>> {
                let rows = sqlx::query("SELECT id, slug, name, locale, created_at FROM funnels ORDER BY id DESC").fetch_all(&self.pool).await?;
                rows.iter().map(row::funnel).collect()
            }

            async fn funnel(&self, id: FunnelId) -> R<Funnel> {
                let row = sqlx::query("SELECT id, slug, name, locale, created_at FROM funnels WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound("funnel"))?;
                row::funnel(&row)
            }

            async fn funnel_by_slug(&self, slug: &Slug) -> R<Funnel> {
                let row = sqlx::query("SELECT id, slug, name, locale, created_at FROM funnels WHERE slug = $1")
                    .bind(slug.as_str())
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound("funnel"))?;
                row::funnel(&row)
            }

            async fn update_funnel(&self, id: FunnelId, name: &str, locale: Option<Locale>) -> R<Funnel> {
                let n = name.trim().chars().count();
                if n == 0 || n > 200 {
                    return Err(DomainError::invalid("name", "use 1-200 characters").into());
                }
                let row = sqlx::query(
                    "UPDATE funnels SET name = $1, locale = $2 WHERE id = $3
                     RETURNING id, slug, name, locale, created_at",
                )
                .bind(name.trim())
                .bind(locale.map(|l| l.tag()))
                .bind(id.0)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound("funnel"))?;
                row::funnel(&row)
            }

            async fn delete_funnel(&self, id: FunnelId) -> R<()> {
                self.delete_where("DELETE FROM funnels WHERE id = $1", id.0, "funnel").await
            }

            async fn create_step(&self, funnel: FunnelId, new: &NewStep, now: i64) -> R<Step> {
                self.step_create(funnel, new, now).await
            }

            async fn steps(&self, funnel: FunnelId) -> R<Vec<Step>> {
                let rows = sqlx::query(
                    "SELECT id, funnel_id, slug, name, kind, position, redirect_url FROM steps
                     WHERE funnel_id = $1 ORDER BY position, id",
                )
                .bind(funnel.0)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(row::step).collect()
            }

            async fn step(&self, id: StepId) -> R<Step> {
                let row = sqlx::query("SELECT id, funnel_id, slug, name, kind, position, redirect_url FROM steps WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound("step"))?;
                row::step(&row)
            }

            async fn reorder_steps(&self, funnel: FunnelId, order: &[StepId]) -> R<()> {
                self.steps_reorder(funnel, order).await
            }

            async fn delete_step(&self, id: StepId) -> R<()> {
                self.delete_where("DELETE FROM steps WHERE id = $1", id.0, "step").await
            }

            async fn create_edge(&self, funnel: FunnelId, new: &NewEdge) -> R<Edge> {
                self.edge_create(funnel, new).await
            }

            async fn edges(&self, funnel: FunnelId) -> R<Vec<Edge>> {
                let rows = sqlx::query(
                    "SELECT id, funnel_id, from_step, to_step, condition, priority FROM edges
                     WHERE funnel_id = $1 ORDER BY priority, id",
                )
                .bind(funnel.0)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(row::edge).collect()
            }

            async fn delete_edge(&self, id: EdgeId) -> R<()> {
                self.delete_where("DELETE FROM edges WHERE id = $1", id.0, "edge").await
            }

            async fn page(&self, step: StepId) -> R<PageState> {
                self.page_state(step).await
            }

            async fn save_page(&self, step: StepId, draft: &PageDraft, expected: i64, now: i64) -> R<i64> {
                self.page_save(step, draft, expected, now).await
            }

            async fn publish_page(&self, step: StepId, expected: i64, now: i64) -> R<i64> {
                self.page_publish(step, expected, now).await
            }

            async fn published_page(&self, step: StepId) -> R<Option<(i64, PageDraft)>> {
                self.page_published(step).await
            }
        }
    };
}

pub(crate) use {funnel_repo, funnel_sql};
