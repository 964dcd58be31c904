//! Contacts: upsert by normalised email, together with the submission's events.

macro_rules! contact_sql {
    ($begin:literal, $lock:literal) => {
        async fn submission_record(&self, up: &ContactUpsert, mut events: Vec<Event>) -> R<Contact> {
            let mut tx = self.pool.begin_with($begin).await?;
            let existing = sqlx::query(concat!("SELECT * FROM contacts WHERE email = $1", $lock)).bind(up.email.as_str()).fetch_optional(&mut *tx).await?;
            let contact = match existing {
                Some(row) => {
                    let mut c = row::contact(&row)?;
                    c.merge(up);
                    sqlx::query(
                        "UPDATE contacts SET name = $1, phone = $2, labels = $3, consents = $4,
                         first_visitor = $5, utm_first = $6, utm_last = $7, updated_at = $8 WHERE id = $9",
                    )
                    .bind(c.name.as_deref())
                    .bind(c.phone.as_deref())
                    .bind(row::to_json(&c.labels)?)
                    .bind(row::to_json(&c.consents)?)
                    .bind(c.first_visitor.as_ref().map(|v| v.as_str()))
                    .bind(row::to_json(&c.utm_first)?)
                    .bind(row::to_json(&c.utm_last)?)
                    .bind(c.updated_at)
                    .bind(c.id.0)
                    .execute(&mut *tx)
                    .await?;
                    c
                }
                None => {
                    let mut labels = up.labels.clone();
                    labels.sort();
                    labels.dedup();
                    let row = sqlx::query(
                        "INSERT INTO contacts (email, name, phone, labels, consents, opt_in, first_visitor,
                         utm_first, utm_last, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, 'none', $6, $7, $8, $9, $9) RETURNING *",
                    )
                    .bind(up.email.as_str())
                    .bind(up.name.as_deref())
                    .bind(up.phone.as_deref())
                    .bind(row::to_json(&labels)?)
                    .bind(row::to_json(&up.consents)?)
                    .bind(up.visitor.as_ref().map(|v| v.as_str()))
                    .bind(row::to_json(&up.utm_first)?)
                    .bind(row::to_json(&up.utm_last)?)
                    .bind(up.now)
                    .fetch_one(&mut *tx)
                    .await?;
                    row::contact(&row)?
                }
            };
            for e in &mut events {
                e.contact = Some(contact.id);
                insert_event(&mut *tx, e).await?;
            }
            tx.commit().await?;
            Ok(contact)
        }
    };
}

macro_rules! contact_repo {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl ContactRepo for $store {
            async fn record_submission(&self, up: &ContactUpsert, events: Vec<Event>) -> R<Contact> {
                // Two first-time submissions of one address race on the unique email; the loser
                // retries once and merges into the winner's row.
                match self.submission_record(up, events.clone()).await {
                    Err(StoreError::Conflict(_)) => self.submission_record(up, events).await,
                    other => other,
                }
            }

            async fn contacts(&self, limit: i64, offset: i64) -> R<Vec<Contact>> {
                let rows = sqlx::query("SELECT * FROM contacts ORDER BY id DESC LIMIT $1 OFFSET $2")
                    .bind(limit.clamp(0, 1000))
                    .bind(offset.max(0))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(row::contact).collect()
            }

            async fn contact(&self, id: ContactId) -> R<Contact> {
                let row =
                    sqlx::query("SELECT * FROM contacts WHERE id = $1").bind(id.0).fetch_optional(&self.pool).await?.ok_or(StoreError::NotFound("contact"))?;
                row::contact(&row)
            }

            async fn contact_by_email(&self, email: &Email) -> R<Option<Contact>> {
                let row = sqlx::query("SELECT * FROM contacts WHERE email = $1").bind(email.as_str()).fetch_optional(&self.pool).await?;
                row.as_ref().map(row::contact).transpose()
            }
        }
    };
}

pub(crate) use {contact_repo, contact_sql};
