//! Secrets: random tokens, hashes, passwords and cookies; creating users and API tokens.

use crate::error::FunnelError;
use argon2::{
    Argon2,
    password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash},
};
use axum::http::{HeaderMap, header};
use hikari_common::clock::unix_millis;
use hikari_funnel::{Email, TokenId, UserId};
pub(crate) use hikari_funnel_app::ids::{digest, random_hex};
use hikari_funnel_store::AdminRepo;

/// Hashes a password with Argon2id and a random salt.
pub(crate) fn hash_password(password: &str) -> Result<String, FunnelError> {
    Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|e| FunnelError::BadRequest(format!("cannot hash password: {e}")))
}

/// Checks a password against a stored hash.
pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Creates an API token; returns its id and its secret (shown once).
pub(crate) async fn issue_token(store: &dyn AdminRepo, name: &str) -> Result<(TokenId, String), FunnelError> {
    let secret = format!("hkf_{}", random_hex(20));
    let id = store.create_token(name, &digest(&secret), unix_millis()).await?;
    Ok((id, secret))
}

/// Creates a user after checking the email and password.
pub(crate) async fn create_user(store: &dyn AdminRepo, email: &str, password: &str) -> Result<UserId, FunnelError> {
    let email = Email::parse(email)?;
    if password.chars().count() < 8 || password.len() > 1024 {
        return Err(FunnelError::BadRequest("password: use 8 to 1024 characters".into()));
    }
    Ok(store.create_user(&email, &hash_password(password)?, unix_millis()).await?)
}

/// The value of cookie `name`, if sent.
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

/// A `Set-Cookie` value.
pub(crate) fn set_cookie(name: &str, value: &str, max_age_s: i64, http_only: bool, secure: bool) -> String {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age_s}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("correct horse").expect("hash");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn cookies_parse() {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, "a=1; _fv=abc".parse().expect("header"));
        assert_eq!(cookie(&h, "_fv").as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "b"), None);
    }
}
