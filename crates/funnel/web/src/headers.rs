//! Security headers, one policy per route family (a leaf module): set on every response the
//! funnel serves, so a page can be neither framed by another site nor sniffed into another
//! type, and admin pages are never cached.
//!
//! Visitor pages carry the builder's inline `<style>` and `style` attributes and may embed
//! https images and videos; scripts come only from this origin (`/f/form.js`, `/f/t.js`), and
//! no page has an inline script or event handler, so `script-src 'self'` holds everywhere.
//! The admin's live preview is a `sandbox=""` `srcdoc` frame: it inherits the admin policy
//! and runs no script at all.

use axum::http::{HeaderName, HeaderValue, header};
use axum::response::Response;

/// Which policy a response gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    /// `/f/…`: published pages, forms, the beacon.
    Public,
    /// `/admin…`: the builder.
    Admin,
    /// `/api/v1/…`: JSON.
    Api,
}

const PUBLIC_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; \
    frame-src https:; media-src 'self' https:; object-src 'none'; base-uri 'none'; form-action 'self' https:; frame-ancestors 'self'";
const ADMIN_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' https: data:; \
    frame-src 'self' https:; media-src 'self' https:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// Sets the family's headers on `response` (keeping any a handler set itself). `https`: the
/// public base URL is https, so browsers are told to keep to it (HSTS).
pub(crate) fn apply(family: Family, https: bool, response: &mut Response) {
    let h = response.headers_mut();
    let (csp, frame, cache) = match family {
        Family::Public => (PUBLIC_CSP, "SAMEORIGIN", None),
        Family::Admin => (ADMIN_CSP, "DENY", Some("no-store")),
        Family::Api => (API_CSP, "DENY", Some("no-store")),
    };
    let mut set = |name: HeaderName, value: &'static str| {
        h.entry(name).or_insert(HeaderValue::from_static(value));
    };
    set(header::CONTENT_SECURITY_POLICY, csp);
    set(header::X_FRAME_OPTIONS, frame);
    set(header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(header::REFERRER_POLICY, "strict-origin-when-cross-origin");
    if let Some(c) = cache {
        set(header::CACHE_CONTROL, c);
    }
    if https {
        set(header::STRICT_TRANSPORT_SECURITY, "max-age=31536000");
    }
}
