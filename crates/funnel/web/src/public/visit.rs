//! Who is visiting, read from the request: the first-party visitor cookie, the session, UTM
//! first and last touch, the UI language and the bot flag; and the cookies that keep them.

use crate::security::{cookie, random_hex, set_cookie};
use axum::http::{HeaderMap, HeaderValue, header};
use hikari_funnel::{Funnel, Locale, Utm, VisitorId, is_bot_user_agent};
use std::collections::HashMap;

const VISITOR: &str = "_fv";
const SESSION: &str = "_fs";
const FIRST_TOUCH: &str = "_fu";
const LAST_TOUCH: &str = "_fl";
const YEAR_S: i64 = 400 * 86_400;
const SESSION_S: i64 = 30 * 60;

/// One request's visitor context, as the use cases see it, and what is new in it.
pub(crate) struct Visit {
    pub who: hikari_funnel_app::Visit,
    new_visitor: bool,
    new_first_touch: bool,
}

impl Visit {
    /// Reads cookies and the query's UTM; a query UTM starts a new last touch and, if the
    /// visitor has none yet, becomes the first touch.
    pub fn read(headers: &HeaderMap, query: &HashMap<String, String>) -> Self {
        let existing = cookie(headers, VISITOR).and_then(|v| v.parse::<VisitorId>().ok());
        let new_visitor = existing.is_none();
        // 16 random bytes → 32 hex characters, which always parse as a VisitorId.
        let visitor = existing.unwrap_or_else(|| random_hex(16).parse().unwrap_or_else(|_| unreachable!()));
        let session = cookie(headers, SESSION).filter(|s| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit())).unwrap_or_else(|| random_hex(16));
        let from_query = Utm::from_query(query);
        let stored_first = cookie(headers, FIRST_TOUCH).and_then(|c| serde_urlencoded::from_str::<Utm>(&c).ok());
        let new_first_touch = stored_first.is_none() && !from_query.is_empty();
        let utm_first = stored_first.unwrap_or_else(|| from_query.clone());
        let utm_last =
            if from_query.is_empty() { cookie(headers, LAST_TOUCH).and_then(|c| serde_urlencoded::from_str(&c).ok()).unwrap_or_default() } else { from_query };
        let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
        let who = hikari_funnel_app::Visit { visitor, session, utm_first, utm_last, bot: is_bot_user_agent(ua) };
        Self { who, new_visitor, new_first_touch }
    }

    /// The `Set-Cookie` headers that keep this context.
    pub fn cookies(&self, secure: bool) -> Vec<(header::HeaderName, HeaderValue)> {
        let mut out = Vec::new();
        let mut push = |v: String| {
            if let Ok(h) = HeaderValue::from_str(&v) {
                out.push((header::SET_COOKIE, h));
            }
        };
        let who = &self.who;
        if self.new_visitor {
            push(set_cookie(VISITOR, who.visitor.as_str(), YEAR_S, true, secure));
        }
        push(set_cookie(SESSION, &who.session, SESSION_S, true, secure));
        let enc = |u: &Utm| serde_urlencoded::to_string(u).unwrap_or_default();
        if self.new_first_touch {
            push(set_cookie(FIRST_TOUCH, &enc(&who.utm_first), YEAR_S, true, secure));
        }
        if !who.utm_last.is_empty() {
            push(set_cookie(LAST_TOUCH, &enc(&who.utm_last), SESSION_S, true, secure));
        }
        out
    }
}

/// The UI language: `?lang=`, then the funnel's forced locale, then `Accept-Language`.
pub(crate) fn locale(headers: &HeaderMap, query: &HashMap<String, String>, funnel: Option<&Funnel>) -> Locale {
    query
        .get("lang")
        .and_then(|l| Locale::parse(l))
        .or_else(|| funnel.and_then(|f| f.locale))
        .unwrap_or_else(|| Locale::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).unwrap_or("")))
}
