//! Pages: compare-and-swap drafts and immutable published versions.

macro_rules! page_sql {
    ($begin:literal, $lock:literal) => {
        async fn page_state(&self, step: StepId) -> R<PageState> {
            let row = sqlx::query("SELECT draft, version, published_version FROM pages WHERE step_id = $1")
                .bind(step.0)
                .fetch_optional(&self.pool)
                .await?
                .ok_or(StoreError::NotFound("page"))?;
            row::page(&row)
        }

        async fn page_save(&self, step: StepId, draft: &PageDraft, expected: i64, now: i64) -> R<i64> {
            draft.validate()?;
            let done = sqlx::query(
                "UPDATE pages SET draft = $1, version = version + 1, updated_at = $2
                 WHERE step_id = $3 AND version = $4",
            )
            .bind(row::to_json(draft)?)
            .bind(now)
            .bind(step.0)
            .bind(expected)
            .execute(&self.pool)
            .await?;
            if done.rows_affected() == 1 {
                return Ok(expected + 1);
            }
            let current = self.page_state(step).await?.version;
            Err(StoreError::VersionConflict { current })
        }

        async fn page_publish(&self, step: StepId, expected: i64, now: i64) -> R<i64> {
            let mut tx = self.pool.begin_with($begin).await?;
            let row = sqlx::query(concat!("SELECT draft, version, published_version FROM pages WHERE step_id = $1", $lock))
                .bind(step.0)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound("page"))?;
            let state = row::page(&row)?;
            if state.version != expected {
                return Err(StoreError::VersionConflict { current: state.version });
            }
            sqlx::query(
                "INSERT INTO page_versions (step_id, version, doc, created_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (step_id, version) DO NOTHING",
            )
            .bind(step.0)
            .bind(state.version)
            .bind(row::to_json(&state.draft)?)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE pages SET published_version = version WHERE step_id = $1").bind(step.0).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(state.version)
        }

        async fn page_published(&self, step: StepId) -> R<Option<(i64, PageDraft)>> {
            let row = sqlx::query(
                "SELECT v.version AS version, v.doc AS doc FROM pages p
                 JOIN page_versions v ON v.step_id = p.step_id AND v.version = p.published_version
                 WHERE p.step_id = $1",
            )
            .bind(step.0)
            .fetch_optional(&self.pool)
            .await?;
            row.map(|r| Ok((r.int("version")?, r.json("doc")?))).transpose()
        }
    };
}

pub(crate) use page_sql;
