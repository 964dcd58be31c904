//! Experiments, sticky assignments and the per-arm sufficient statistics of a goal.

macro_rules! experiment_repo {
    ($store:ty, $begin:literal, $lock:literal) => {
        use hikari_funnel::{ArmDay, Experiment, ExperimentId, NewExperiment, VisitorId, experiment::Status};

        const EXPERIMENT_COLS: &str = "id, funnel_id, step_id, name, arms, goal, mode, auto_winner, min_units, status, winner, decision, created_at, ended_at";

        fn mode_text(m: hikari_funnel::experiment::Mode) -> &'static str {
            match m {
                hikari_funnel::experiment::Mode::Split => "split",
                hikari_funnel::experiment::Mode::Bandit => "bandit",
            }
        }

        #[async_trait::async_trait]
        impl ExperimentRepo for $store {
            async fn create_experiment(&self, funnel: FunnelId, new: &NewExperiment, now: i64) -> R<Experiment> {
                let mut new = new.clone();
                new.validate()?;
                let mut tx = self.pool.begin_with($begin).await?;
                let rows = sqlx::query(concat!("SELECT id FROM steps WHERE funnel_id = $1", $lock)).bind(funnel.0).fetch_all(&mut *tx).await?;
                if rows.is_empty() {
                    sqlx::query("SELECT id FROM funnels WHERE id = $1").bind(funnel.0).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound("funnel"))?;
                }
                let steps = rows.iter().map(|r| r.int("id")).collect::<R<Vec<i64>>>()?;
                if !steps.contains(&new.step.0) {
                    return Err(DomainError::invalid("step", "must be a step of this funnel").into());
                }
                for (i, a) in new.arms.iter().enumerate() {
                    for (field, s) in [("page", a.page), ("next", a.next)] {
                        if s.is_some_and(|s| !steps.contains(&s.0)) {
                            return Err(DomainError::invalid(format!("arms[{i}].{field}"), "must be a step of this funnel").into());
                        }
                    }
                }
                let live = sqlx::query("SELECT id FROM experiments WHERE step_id = $1 AND status IN ('running', 'decided')")
                    .bind(new.step.0)
                    .fetch_optional(&mut *tx)
                    .await?;
                if let Some(r) = live {
                    return Err(StoreError::Conflict(format!("step {} already has a live experiment ({}); stop or delete it first", new.step, r.int("id")?)));
                }
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "INSERT INTO experiments (funnel_id, step_id, name, arms, goal, mode, auto_winner, min_units, status, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'running', $9) RETURNING {EXPERIMENT_COLS}"
                )))
                .bind(funnel.0)
                .bind(new.step.0)
                .bind(&new.name)
                .bind(row::to_json(&new.arms)?)
                .bind(row::to_json(&new.goal)?)
                .bind(mode_text(new.mode))
                .bind(new.auto_winner)
                .bind(new.min_units_per_arm)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let e = row::experiment(&row)?;
                tx.commit().await?;
                Ok(e)
            }

            async fn experiments(&self, funnel: FunnelId) -> R<Vec<Experiment>> {
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {EXPERIMENT_COLS} FROM experiments WHERE funnel_id = $1 ORDER BY id DESC")))
                    .bind(funnel.0)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(row::experiment).collect()
            }

            async fn experiment(&self, id: ExperimentId) -> R<Experiment> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {EXPERIMENT_COLS} FROM experiments WHERE id = $1")))
                    .bind(id.0)
                    .fetch_optional(&self.pool)
                    .await?
                    .ok_or(StoreError::NotFound("experiment"))?;
                row::experiment(&row)
            }

            async fn live_experiment(&self, step: StepId) -> R<Option<Experiment>> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {EXPERIMENT_COLS} FROM experiments WHERE step_id = $1 AND status IN ('running', 'decided')
                     ORDER BY id DESC LIMIT 1"
                )))
                .bind(step.0)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(row::experiment).transpose()
            }

            async fn running_experiments(&self) -> R<Vec<Experiment>> {
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {EXPERIMENT_COLS} FROM experiments WHERE status = 'running' ORDER BY id")))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(row::experiment).collect()
            }

            async fn update_experiment(&self, id: ExperimentId, weights: Option<&[f64]>, auto_winner: Option<bool>) -> R<Experiment> {
                let mut tx = self.pool.begin_with($begin).await?;
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {EXPERIMENT_COLS} FROM experiments WHERE id = $1{}", $lock)))
                    .bind(id.0)
                    .fetch_optional(&mut *tx)
                    .await?
                    .ok_or(StoreError::NotFound("experiment"))?;
                let mut e = row::experiment(&row)?;
                if let Some(w) = weights {
                    if w.len() != e.arms.len() {
                        return Err(
                            DomainError::invalid("weights", format!("the experiment has {} arms but {} weights were given", e.arms.len(), w.len())).into()
                        );
                    }
                    let w = hikari_funnel::experiment::normalise_weights(w)?;
                    for (a, w) in e.arms.iter_mut().zip(w) {
                        a.weight = w;
                    }
                }
                if let Some(on) = auto_winner {
                    e.auto_winner = on;
                }
                sqlx::query("UPDATE experiments SET arms = $1, auto_winner = $2 WHERE id = $3")
                    .bind(row::to_json(&e.arms)?)
                    .bind(e.auto_winner)
                    .bind(id.0)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(e)
            }

            async fn end_experiment(&self, id: ExperimentId, status: Status, winner: Option<usize>, decision: &serde_json::Value, now: i64) -> R<Experiment> {
                let from: &[&str] = match status {
                    Status::Decided => &["running"],
                    Status::Stopped => &["running", "decided"],
                    Status::Running => return Err(DomainError::invalid("status", "an ended experiment cannot run again").into()),
                };
                let e = self.experiment(id).await?;
                if winner.is_some_and(|w| w >= e.arms.len()) {
                    return Err(DomainError::invalid("winner", "no such arm").into());
                }
                let done = sqlx::query(
                    "UPDATE experiments SET status = $1, winner = $2, decision = $3, ended_at = $4
                     WHERE id = $5 AND (status = $6 OR status = $7)",
                )
                .bind(status.as_str())
                .bind(winner.map(|w| w as i64).or(e.winner.map(|w| w as i64)))
                .bind(row::to_json(decision)?)
                .bind(now)
                .bind(id.0)
                .bind(from[0])
                .bind(from.get(1).copied().unwrap_or(from[0]))
                .execute(&self.pool)
                .await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::Conflict(format!("experiment {id} is not running")));
                }
                self.experiment(id).await
            }

            async fn delete_experiment(&self, id: ExperimentId) -> R<()> {
                let mut tx = self.pool.begin_with($begin).await?;
                sqlx::query("DELETE FROM experiment_assignments WHERE experiment_id = $1").bind(id.0).execute(&mut *tx).await?;
                let done = sqlx::query("DELETE FROM experiments WHERE id = $1").bind(id.0).execute(&mut *tx).await?;
                if done.rows_affected() == 0 {
                    return Err(StoreError::NotFound("experiment"));
                }
                tx.commit().await?;
                Ok(())
            }

            async fn assign_visitor(&self, id: ExperimentId, visitor: &VisitorId, arm: usize, now: i64) -> R<usize> {
                // The no-op update makes RETURNING yield the stored row on a conflict too.
                let row = sqlx::query(
                    "INSERT INTO experiment_assignments (experiment_id, visitor, arm, ts) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (experiment_id, visitor) DO UPDATE SET arm = experiment_assignments.arm
                     RETURNING arm",
                )
                .bind(id.0)
                .bind(visitor.as_str())
                .bind(arm as i64)
                .bind(now)
                .fetch_one(&self.pool)
                .await?;
                usize::try_from(row.int("arm")?).map_err(|e| StoreError::Corrupt(e.to_string()))
            }

            async fn assignment(&self, id: ExperimentId, visitor: &VisitorId) -> R<Option<usize>> {
                let row = sqlx::query("SELECT arm FROM experiment_assignments WHERE experiment_id = $1 AND visitor = $2")
                    .bind(id.0)
                    .bind(visitor.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|r| usize::try_from(r.int("arm")?).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()
            }

            async fn arm_days(&self, exp: &Experiment) -> R<Vec<ArmDay>> {
                let rows = sqlx::query(
                    "SELECT arm, day, COUNT(*) AS n,
                        CAST(SUM(CASE WHEN hits > 0 AND total >= $5 THEN 1 ELSE 0 END) AS BIGINT) AS conversions,
                        CAST(COALESCE(SUM(total), 0) AS DOUBLE PRECISION) AS total_sum,
                        CAST(COALESCE(SUM(total * total), 0) AS DOUBLE PRECISION) AS total_squares
                     FROM (SELECT a.arm AS arm, a.ts / 86400000 AS day, COUNT(e.id) AS hits,
                                  COALESCE(SUM(e.value), 0) AS total
                           FROM experiment_assignments a
                           LEFT JOIN events e ON e.visitor = a.visitor AND e.name = $2 AND e.bot = $3
                                AND e.ts >= a.ts AND e.ts <= a.ts + $4
                           WHERE a.experiment_id = $1
                           GROUP BY a.visitor, a.arm, a.ts) per
                     GROUP BY arm, day ORDER BY day, arm",
                )
                .bind(exp.id.0)
                .bind(exp.goal.event().as_str())
                .bind(false)
                .bind(exp.goal.window_ms())
                // A conversion needs this much value in all (the lowest number: any event).
                .bind(exp.goal.min_value().unwrap_or(f64::MIN))
                .fetch_all(&self.pool)
                .await?;
                let binomial = exp.goal.is_binomial();
                rows.iter()
                    .map(|r| {
                        let conversions = r.int("conversions")?;
                        let (sum, sum_squares) =
                            if binomial { (conversions as f64, conversions as f64) } else { (r.float("total_sum")?, r.float("total_squares")?) };
                        Ok(ArmDay {
                            arm: usize::try_from(r.int("arm")?).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                            day: r.int("day")?,
                            n: r.int("n")?,
                            conversions,
                            sum,
                            sum_squares,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use experiment_repo;
