//! Users, sessions and API tokens.

macro_rules! admin_repo {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl AdminRepo for $store {
            async fn create_user(&self, email: &Email, password_hash: &str, now: i64) -> R<UserId> {
                let row = sqlx::query("INSERT INTO users (email, password_hash, created_at) VALUES ($1, $2, $3) RETURNING id")
                    .bind(email.as_str())
                    .bind(password_hash)
                    .bind(now)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(|e| taken(e, format!("user {email} exists")))?;
                Ok(UserId(row.int("id")?))
            }

            async fn user_by_email(&self, email: &Email) -> R<Option<(UserId, String)>> {
                let row = sqlx::query("SELECT id, password_hash FROM users WHERE email = $1").bind(email.as_str()).fetch_optional(&self.pool).await?;
                row.map(|r| Ok((UserId(r.int("id")?), r.text("password_hash")?))).transpose()
            }

            async fn user_count(&self) -> R<i64> {
                Ok(sqlx::query("SELECT COUNT(*) AS n FROM users").fetch_one(&self.pool).await?.int("n")?)
            }

            async fn users(&self) -> R<Vec<UserInfo>> {
                let rows = sqlx::query("SELECT id, email, created_at FROM users ORDER BY id").fetch_all(&self.pool).await?;
                rows.iter().map(|r| Ok(UserInfo { id: UserId(r.int("id")?), email: r.text("email")?, created_at: r.int("created_at")? })).collect()
            }

            async fn create_session(&self, token_hash: &str, s: &Session, expires_at: i64) -> R<()> {
                sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, expires_at) VALUES ($1, $2, $3, $4)")
                    .bind(token_hash)
                    .bind(s.user.0)
                    .bind(s.csrf.as_str())
                    .bind(expires_at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn session(&self, token_hash: &str, now: i64) -> R<Option<Session>> {
                let row = sqlx::query("SELECT user_id, csrf FROM sessions WHERE token_hash = $1 AND expires_at > $2")
                    .bind(token_hash)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|r| Ok(Session { user: UserId(r.int("user_id")?), csrf: r.text("csrf")? })).transpose()
            }

            async fn user_language(&self, user: UserId) -> R<Option<Locale>> {
                let row = sqlx::query("SELECT language FROM users WHERE id = $1").bind(user.0).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => r.opt_text("language")?.as_deref().and_then(Locale::parse),
                    None => None,
                })
            }

            async fn set_user_language(&self, user: UserId, language: Option<Locale>) -> R<()> {
                let done = sqlx::query("UPDATE users SET language = $1 WHERE id = $2").bind(language.map(Locale::tag)).bind(user.0).execute(&self.pool).await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound("user")) } else { Ok(()) }
            }

            async fn delete_session(&self, token_hash: &str) -> R<()> {
                sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&self.pool).await?;
                Ok(())
            }

            async fn create_token(&self, name: &str, token_hash: &str, now: i64) -> R<TokenId> {
                let n = name.trim().chars().count();
                if n == 0 || n > 100 {
                    return Err(DomainError::invalid("name", "use 1-100 characters").into());
                }
                let row = sqlx::query("INSERT INTO api_tokens (name, token_hash, created_at) VALUES ($1, $2, $3) RETURNING id")
                    .bind(name.trim())
                    .bind(token_hash)
                    .bind(now)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(TokenId(row.int("id")?))
            }

            async fn token(&self, token_hash: &str) -> R<Option<TokenId>> {
                let row = sqlx::query("SELECT id FROM api_tokens WHERE token_hash = $1").bind(token_hash).fetch_optional(&self.pool).await?;
                row.map(|r| Ok(TokenId(r.int("id")?))).transpose()
            }

            async fn tokens(&self) -> R<Vec<TokenInfo>> {
                let rows = sqlx::query("SELECT id, name, created_at FROM api_tokens ORDER BY id").fetch_all(&self.pool).await?;
                rows.iter().map(|r| Ok(TokenInfo { id: TokenId(r.int("id")?), name: r.text("name")?, created_at: r.int("created_at")? })).collect()
            }

            async fn delete_token(&self, id: TokenId) -> R<()> {
                let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1").bind(id.0).execute(&self.pool).await?;
                if done.rows_affected() == 0 { Err(StoreError::NotFound("token")) } else { Ok(()) }
            }
        }
    };
}

pub(crate) use admin_repo;
