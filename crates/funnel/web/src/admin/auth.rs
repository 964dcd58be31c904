//! Admin sign-in: sessions in the store, CSRF tokens per session, Bearer tokens for the API.

use crate::{
    admin::{
        layout::layout,
        text::{Tr, common::C},
    },
    error::{FunnelError, HtmlError},
    extract::{ClientIp, client_ip},
    security::{cookie, create_user, digest, random_hex, set_cookie, verify_password},
    state::AppState,
};
use axum::{
    Form,
    extract::{FromRequestParts, State},
    http::{HeaderMap, Method, StatusCode, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
};
use hikari_common::clock::unix_millis;
use hikari_funnel::{Email, Locale, UserId};
use hikari_funnel_store::Session;
use maud::html;
use serde::Deserialize;

const SESSION_COOKIE: &str = "hikari_admin";
const LOGIN_CSRF_COOKIE: &str = "hikari_login";
const SESSION_MS: i64 = 7 * 86_400_000;

/// A signed-in admin (from the session cookie), with the language the admin reads.
pub(crate) struct Admin {
    pub user: UserId,
    pub csrf: String,
    pub tr: Tr,
}

impl Admin {
    /// The session of the request's cookie.
    async fn session(parts: &Parts, st: &AppState) -> Result<Session, FunnelError> {
        let token = cookie(&parts.headers, SESSION_COOKIE).ok_or(FunnelError::Unauthorized)?;
        st.admin.session(&digest(&token), unix_millis()).await?.ok_or(FunnelError::Unauthorized)
    }
}

/// The language of a request's admin: the signed-in user's setting, else `Accept-Language`.
pub(crate) async fn language_of(st: &AppState, headers: &HeaderMap) -> Tr {
    let mut setting = None;
    if let Some(token) = cookie(headers, SESSION_COOKIE)
        && let Ok(Some(s)) = st.admin.session(&digest(&token), unix_millis()).await
    {
        setting = st.admin.user_language(s.user).await.ok().flatten();
    }
    Tr::choose(setting, accept_language(headers))
}

/// The request's `Accept-Language`, if readable.
fn accept_language(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok())
}

/// On pages, a missing session redirects to the sign-in page.
impl FromRequestParts<AppState> for Admin {
    type Rejection = HtmlError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, HtmlError> {
        let s = Self::session(parts, st).await?;
        let setting = st.admin.user_language(s.user).await?;
        Ok(Self { user: s.user, csrf: s.csrf, tr: Tr::choose(setting, accept_language(&parts.headers)) })
    }
}

/// A caller of the JSON API: a Bearer token, or an admin session that sent its CSRF token in
/// `X-CSRF-Token` on every method but GET.
pub(crate) struct ApiCaller;

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = FunnelError;

    async fn from_request_parts(parts: &mut Parts, st: &AppState) -> Result<Self, FunnelError> {
        let auth = parts.headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
        if let Some(auth) = auth {
            // Failed tokens are limited per client address: checked first, counted on failure.
            let ip = client_ip(parts);
            let now = unix_millis();
            if let Some(ip) = &ip
                && st.api_failures.exhausted(ip, now)
            {
                return Err(FunnelError::RateLimited);
            }
            let known = match auth.strip_prefix("Bearer ") {
                Some(token) => st.admin.token(&digest(token.trim())).await?.is_some(),
                None => false,
            };
            if !known {
                if let Some(ip) = &ip {
                    st.api_failures.allow(ip, now);
                }
                return Err(FunnelError::Unauthorized);
            }
            return Ok(Self);
        }
        let session = Admin::session(parts, st).await?;
        if parts.method != Method::GET && parts.method != Method::HEAD {
            let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok());
            if sent != Some(session.csrf.as_str()) {
                return Err(FunnelError::Csrf);
            }
        }
        Ok(Self)
    }
}

/// Checks a form's `_csrf` field against the session.
pub(crate) fn check_csrf(admin: &Admin, sent: &str) -> Result<(), FunnelError> {
    if sent == admin.csrf { Ok(()) } else { Err(FunnelError::Csrf) }
}

#[derive(Deserialize)]
pub(crate) struct Credentials {
    email: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

fn login_page(t: Tr, title: C, action: &str, csrf: &str, error: Option<C>) -> maud::Markup {
    layout(
        t,
        t.s(title),
        None,
        html! {
            h1 { (t.s(title)) }
            @if let Some(e) = error { p.error role="alert" { (t.s(e)) } }
            form method="post" action=(action) {
                input type="hidden" name="csrf" value=(csrf);
                label { (t.s(C::Email)) input type="email" name="email" required autocomplete="username"; }
                label { (t.s(C::Password)) input type="password" name="password" required minlength="8" autocomplete="current-password"; }
                button type="submit" { (t.s(title)) }
            }
        },
    )
}

fn login_response(st: &AppState, headers: &HeaderMap, status: StatusCode, title: C, action: &str, error: Option<C>) -> Response {
    let csrf = random_hex(16);
    let c = set_cookie(LOGIN_CSRF_COOKIE, &csrf, 3600, true, st.secure_cookies());
    let t = Tr::choose(None, accept_language(headers));
    (status, [(header::SET_COOKIE, c)], login_page(t, title, action, &csrf, error)).into_response()
}

pub(crate) async fn login_form(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, HtmlError> {
    if st.admin.user_count().await? == 0 {
        return Ok(Redirect::to("/admin/setup").into_response());
    }
    Ok(login_response(&st, &headers, StatusCode::OK, C::SignIn, "/admin/login", None))
}

pub(crate) async fn login(State(st): State<AppState>, headers: HeaderMap, ClientIp(ip): ClientIp, Form(c): Form<Credentials>) -> Result<Response, HtmlError> {
    if cookie(&headers, LOGIN_CSRF_COOKIE).as_deref() != Some(c.csrf.as_str()) || c.csrf.is_empty() {
        return Err(FunnelError::Csrf.into());
    }
    if !st.logins.allow(&ip, unix_millis()) {
        return Err(FunnelError::RateLimited.into());
    }
    let user = match Email::parse(&c.email) {
        Ok(email) => st.admin.user_by_email(&email).await?,
        Err(_) => None,
    };
    match user {
        Some((id, hash)) if verify_password(&c.password, &hash) => Ok(start_session(&st, id).await?),
        _ => Ok(login_response(&st, &headers, StatusCode::UNAUTHORIZED, C::SignIn, "/admin/login", Some(C::WrongPassword))),
    }
}

async fn start_session(st: &AppState, user: UserId) -> Result<Response, FunnelError> {
    let token = random_hex(32);
    let now = unix_millis();
    st.admin.create_session(&digest(&token), &Session { user, csrf: random_hex(16) }, now + SESSION_MS).await?;
    let c = set_cookie(SESSION_COOKIE, &token, SESSION_MS / 1000, true, st.secure_cookies());
    Ok((StatusCode::SEE_OTHER, [(header::SET_COOKIE, c), (header::LOCATION, "/admin".to_string())]).into_response())
}

/// First run: the page that creates the first user, open only while there is none.
pub(crate) async fn setup_form(State(st): State<AppState>, headers: HeaderMap) -> Result<Response, HtmlError> {
    if st.admin.user_count().await? > 0 {
        return Ok(Redirect::to("/admin/login").into_response());
    }
    Ok(login_response(&st, &headers, StatusCode::OK, C::FirstAdmin, "/admin/setup", None))
}

pub(crate) async fn setup(State(st): State<AppState>, headers: HeaderMap, Form(c): Form<Credentials>) -> Result<Response, HtmlError> {
    if cookie(&headers, LOGIN_CSRF_COOKIE).as_deref() != Some(c.csrf.as_str()) || c.csrf.is_empty() {
        return Err(FunnelError::Csrf.into());
    }
    if st.admin.user_count().await? > 0 {
        return Err(FunnelError::Conflict("an admin already exists; sign in instead".into()).into());
    }
    let id = create_user(&*st.admin, &c.email, &c.password).await?;
    Ok(start_session(&st, id).await?)
}

#[derive(Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    pub(crate) csrf: String,
}

pub(crate) async fn logout(State(st): State<AppState>, admin: Admin, headers: HeaderMap, Form(f): Form<CsrfForm>) -> Result<Response, HtmlError> {
    check_csrf(&admin, &f.csrf)?;
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        st.admin.delete_session(&digest(&token)).await?;
    }
    let c = set_cookie(SESSION_COOKIE, "", 0, true, st.secure_cookies());
    Ok((StatusCode::SEE_OTHER, [(header::SET_COOKIE, c), (header::LOCATION, "/admin/login".to_string())]).into_response())
}

#[derive(Deserialize)]
pub(crate) struct LanguageForm {
    #[serde(default)]
    csrf: String,
    /// `ja`, `en`, or anything else (`auto`) to follow the browser again.
    #[serde(default)]
    language: String,
}

/// `POST /admin/language`: stores the signed-in user's admin language (or clears it) and goes
/// back to the page the switch was on.
pub(crate) async fn set_language(State(st): State<AppState>, admin: Admin, headers: HeaderMap, Form(f): Form<LanguageForm>) -> Result<Response, HtmlError> {
    check_csrf(&admin, &f.csrf)?;
    st.admin.set_user_language(admin.user, Locale::parse(&f.language)).await?;
    let back = headers.get(header::REFERER).and_then(|v| v.to_str().ok()).and_then(admin_path).unwrap_or("/admin");
    Ok(Redirect::to(back).into_response())
}

/// The path of a same-site admin page from a `Referer` (`https://host/admin/x?y` → `/admin/x?y`).
fn admin_path(referer: &str) -> Option<&str> {
    let rest = referer.split_once("://").map_or(referer, |(_, r)| r);
    let path = &rest[rest.find('/')?..];
    (path == "/admin" || path.starts_with("/admin/") || path.starts_with("/admin?")).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::admin_path;

    #[test]
    fn goes_back_only_to_admin_pages() {
        assert_eq!(admin_path("https://h.example/admin/webinars/3?x=1"), Some("/admin/webinars/3?x=1"));
        assert_eq!(admin_path("http://localhost:8080/admin"), Some("/admin"));
        assert_eq!(admin_path("https://h.example/f/spring"), None);
        assert_eq!(admin_path("https://h.example//evil.example/admin"), None);
        assert_eq!(admin_path("https://h.example"), None);
    }
}
