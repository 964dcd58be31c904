//! The router over real SQLite, request by request: bad input gets clear 4xx answers and
//! leaves nothing half-saved.

use axum::{
    Router,
    body::{Body, to_bytes},
    http::{Request, StatusCode, header},
};
use hikari_funnel_web::{FunnelConfig, create_token, start};
use serde_json::{Value, json};
use tower::ServiceExt;

struct App {
    router: Router,
    token: String,
    dir: std::path::PathBuf,
}

impl Drop for App {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn app(submit_limit: u32) -> App {
    app_with(|c| c.submit_limit_per_minute = submit_limit).await
}

async fn app_with(configure: impl FnOnce(&mut FunnelConfig)) -> App {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("funnel_http_{}_{nanos}", std::process::id()));
    let mut config = FunnelConfig::new(&dir, "http://127.0.0.1");
    configure(&mut config);
    let token = create_token(&config, "test").await.expect("token");
    App { router: start(config).await.expect("router").0, token, dir }
}

impl App {
    async fn call(&self, req: Request<Body>) -> (StatusCode, axum::http::HeaderMap, String) {
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let (parts, body) = res.into_parts();
        let bytes = to_bytes(body, 10 << 20).await.expect("body");
        (parts.status, parts.headers, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn api(&self, method: &str, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path).header(header::AUTHORIZATION, format!("Bearer {}", self.token));
        let body = match body {
            Some(v) => {
                req = req.header(header::CONTENT_TYPE, "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        let (status, _, text) = self.call(req.body(body).expect("request")).await;
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn raw(&self, method: &str, path: &str, content_type: &str, body: impl Into<Body>) -> (StatusCode, String) {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", self.token))
            .header(header::CONTENT_TYPE, content_type)
            .header(header::USER_AGENT, "Mozilla/5.0 test")
            .header(header::ACCEPT_LANGUAGE, "ja")
            .body(body.into())
            .expect("request");
        let (s, h, t) = self.call(req).await;
        (s, h.get(header::LOCATION).map_or(t, |l| format!("LOCATION {}", l.to_str().unwrap_or(""))))
    }

    /// A funnel `f` with an opt-in page (form) published and a thank-you step.
    async fn funnel(&self) {
        assert_eq!(self.api("POST", "/api/v1/funnels", Some(json!({"slug": "f", "name": "F"}))).await.0, StatusCode::CREATED);
        for (slug, kind) in [("in", "optin"), ("ty", "thankyou")] {
            let body = json!({"slug": slug, "name": slug, "kind": kind});
            assert_eq!(self.api("POST", "/api/v1/funnels/1/steps", Some(body)).await.0, StatusCode::CREATED);
        }
        let page = json!({"version": 1, "css": "", "page": {"sections": [{"id": "s", "columns": [{"id": "c", "blocks": [
            {"id": "h", "type": "heading", "text": "<script>alert(1)</script>"},
            {"id": "x", "type": "html", "html": "<b>ok</b><script>evil()</script><a href=\"javascript:x\" onclick=\"y\">l</a>"},
            {"id": "form", "type": "form", "fields": [
                {"name": "name", "type": "text", "required": true},
                {"name": "email", "type": "email", "required": true}]}]}]}]}});
        assert_eq!(self.api("PUT", "/api/v1/steps/1/page", Some(page)).await.0, StatusCode::OK);
        assert_eq!(self.api("POST", "/api/v1/steps/1/publish", Some(json!({"version": 2}))).await.0, StatusCode::OK);
        let empty = json!({"version": 1, "page": {"sections": []}});
        assert_eq!(self.api("PUT", "/api/v1/steps/2/page", Some(empty)).await.0, StatusCode::OK);
        assert_eq!(self.api("POST", "/api/v1/steps/2/publish", Some(json!({"version": 2}))).await.0, StatusCode::OK);
    }
}

#[tokio::test]
async fn api_refuses_bad_input_clearly() {
    let a = app(20).await;
    let s = a.call(Request::get("/api/v1/funnels").body(Body::empty()).expect("req")).await.0;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, t) = a.raw("POST", "/api/v1/funnels", "application/json", "{not json").await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{t}");
    let (s, v) = a.api("POST", "/api/v1/funnels", Some(json!({"slug": 5, "name": "x"}))).await;
    assert_eq!((s, v["error"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")));
    let (s, v) = a.api("POST", "/api/v1/funnels", Some(json!({"slug": "Bad Slug", "name": "x"}))).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{v}");
    let (s, _) = a.api("POST", "/api/v1/funnels", Some(json!({"slug": "ok", "name": " "}))).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let big = json!({"slug": "big", "name": "x".repeat(2 << 20)});
    assert_eq!(a.api("POST", "/api/v1/funnels", Some(big)).await.0, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(a.api("GET", "/api/v1/funnels/999", None).await.0, StatusCode::NOT_FOUND);
    assert_eq!(a.api("GET", "/api/v1/funnels/nope", None).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(a.api("GET", "/api/v1/funnels", None).await.1, json!([]), "nothing half-saved");
    let nul = json!({"slug": "n", "name": "a\u{0}b"});
    assert_eq!(a.api("POST", "/api/v1/funnels", Some(nul)).await.0, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn stale_page_edits_conflict_and_scripts_are_escaped() {
    let a = app(20).await;
    a.funnel().await;
    let stale = json!({"version": 1, "page": {"sections": []}});
    let (s, v) = a.api("PUT", "/api/v1/steps/1/page", Some(stale)).await;
    assert_eq!((s, v["current_version"].as_i64()), (StatusCode::CONFLICT, Some(2)));
    let bad_url = json!({"version": 2, "page": {"sections": [{"id": "s", "columns": [{"id": "c", "blocks": [
        {"id": "b", "type": "button", "label": "x", "href": "javascript:alert(1)"}]}]}]}});
    assert_eq!(a.api("PUT", "/api/v1/steps/1/page", Some(bad_url)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let css = json!({"version": 2, "page": {"sections": []}, "css": "</style><script>x</script>"});
    assert_eq!(a.api("PUT", "/api/v1/steps/1/page", Some(css)).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, html) = a.raw("GET", "/f/f/in", "text/plain", "").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("evil()") && !html.contains("javascript:") && !html.contains("onclick"));
    assert!(html.contains("<b>ok</b>"));
    // A new publish is served at once (the page cache is dropped by the API write).
    let fresh = json!({"version": 2, "page": {"sections": [{"id": "s", "columns": [{"id": "c", "blocks": [
        {"id": "h", "type": "heading", "text": "Version three"}]}]}]}});
    assert_eq!(a.api("PUT", "/api/v1/steps/1/page", Some(fresh)).await.0, StatusCode::OK);
    assert!(!a.raw("GET", "/f/f/in", "text/plain", "").await.1.contains("Version three"), "drafts are not public");
    assert_eq!(a.api("POST", "/api/v1/steps/1/publish", Some(json!({"version": 3}))).await.0, StatusCode::OK);
    assert!(a.raw("GET", "/f/f/in", "text/plain", "").await.1.contains("Version three"));
    assert_eq!(a.raw("GET", "/f/f/missing", "text/plain", "").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn forms_validate_route_and_defend() {
    let a = app(4).await;
    a.funnel().await;
    let form = "application/x-www-form-urlencoded";
    let (s, html) = a.raw("POST", "/f/f/in", form, "_form=form&name=%E5%B1%B1%E7%94%B0&email=nope").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("メールアドレスの形式が正しくありません。"), "localised field error");
    assert!(html.contains("value=\"山田\""), "values kept");
    assert_eq!(a.api("GET", "/api/v1/contacts", None).await.1, json!([]));
    let (_, loc) = a.raw("POST", "/f/f/in", form, "_form=form&name=x&email=bot%40example.com&_hp=1").await;
    assert_eq!(loc, "LOCATION /f/f/ty");
    assert_eq!(a.api("GET", "/api/v1/contacts", None).await.1, json!([]), "honeypot stores nothing");
    let (s, _) = a.raw("POST", "/f/f/in", form, "_form=form&name=%3Cscript%3E&email=A%40Example.com").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let contacts = a.api("GET", "/api/v1/contacts", None).await.1;
    assert_eq!(contacts[0]["email"], "a@example.com");
    assert_eq!(contacts[0]["name"], "<script>");
    let resubmit = "_form=form&name=Taro&email=a%40example.com";
    let (s, _) = a.raw("POST", "/f/f/in", form, resubmit).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "a re-submission merges");
    let contacts = a.api("GET", "/api/v1/contacts", None).await.1;
    assert_eq!(contacts.as_array().map(Vec::len), Some(1));
    assert_eq!(contacts[0]["name"], "Taro");
    let leads = a.api("GET", "/api/v1/events?name=generate_lead", None).await.1;
    assert_eq!(leads.as_array().map(Vec::len), Some(1), "one lead per address and day");
    let fifth = "_form=form&name=x&email=b%40example.com";
    let (s, _) = a.raw("POST", "/f/f/in", form, fifth).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "fifth submission in a minute");
}

#[tokio::test]
async fn the_openapi_document_takes_its_schemas_from_the_app_layer_and_every_reference_resolves() {
    let app = app(20).await;
    let (status, doc) = app.api("GET", "/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas, &hikari_funnel_app::schema::components(), "one schema source");
    let text = doc.to_string();
    let mut refs = 0;
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap_or_default();
        assert!(schemas.get(name).is_some(), "unresolved {name}");
        refs += 1;
    }
    assert!(refs > 40, "{refs} references");
    assert_eq!(doc["paths"]["/api/v1/funnels"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/NewFunnel");
}

impl App {
    /// `POST /f/collect` as the tracking beacon sends it, with `origin` (None: no header).
    async fn beacon(&self, origin: Option<&str>, events: Value) -> (StatusCode, Value) {
        let mut req = Request::builder().method("POST").uri("/f/collect").header(header::HOST, "shop.example").header(header::CONTENT_TYPE, "application/json");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        let (s, _, text) = self.call(req.body(Body::from(json!({ "events": events }).to_string())).expect("request")).await;
        (s, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

#[tokio::test]
async fn a_forged_beacon_can_neither_pre_empt_a_lead_nor_claim_a_server_event() {
    let a = app(20).await;
    a.funnel().await;
    let origin = Some("http://shop.example");
    // The attacker knows how a lead's id is derived and posts it first.
    let day = hikari_common::clock::unix_millis() / 86_400_000;
    let lead_id = hikari_funnel_app::ids::digest(&format!("lead:1:1:victim@example.com:{day}"))[..32].to_owned();
    let forged = |name: &str| json!([{ "id": lead_id, "name": name, "funnel": 1, "step": 1 }]);
    for reserved in ["generate_lead", "page_view", "purchase", "experiment_viewed"] {
        let (s, body) = a.beacon(origin, forged(reserved)).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{reserved}: {body}");
    }
    let (s, body) = a.beacon(origin, forged("cta_click")).await;
    assert_eq!((s, &body["accepted"]), (StatusCode::OK, &json!(1)), "a custom name is fine: {body}");
    // The real visitor's lead is recorded under the server's id.
    let (s, _) = a.raw("POST", "/f/f/in", "application/x-www-form-urlencoded", "_form=form&name=V&email=victim%40example.com").await;
    assert_eq!(s, StatusCode::SEE_OTHER);
    let leads = a.api("GET", "/api/v1/events?name=generate_lead", None).await.1;
    assert_eq!(leads.as_array().map(Vec::len), Some(1), "the lead is recorded: {leads}");
    assert_eq!(leads[0]["id"], json!(lead_id));
    let clicks = a.api("GET", "/api/v1/events?name=cta_click", None).await.1;
    assert_eq!(clicks[0]["id"], json!(format!("c_{lead_id}")), "the client's id is namespaced");
}

#[tokio::test]
async fn the_beacon_is_accepted_from_our_own_pages_for_steps_that_exist_within_the_limit() {
    let a = app(20).await;
    a.funnel().await;
    let ok = json!([{ "name": "cta_click", "funnel": 1, "step": 2 }]);
    assert_eq!(a.beacon(None, ok.clone()).await.0, StatusCode::FORBIDDEN, "no Origin");
    assert_eq!(a.beacon(Some("https://evil.example"), ok.clone()).await.0, StatusCode::FORBIDDEN, "another site");
    assert_eq!(a.beacon(Some("http://shop.example"), ok.clone()).await.0, StatusCode::OK, "the Host's origin");
    assert_eq!(a.beacon(Some("http://127.0.0.1"), ok.clone()).await.0, StatusCode::OK, "the configured public origin");
    for bad in [json!([{ "name": "x", "funnel": 1, "step": 99 }]), json!([{ "name": "x", "funnel": 2, "step": 1 }]), json!([{ "name": "x", "step": 1 }])] {
        let (s, body) = a.beacon(Some("http://shop.example"), bad.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
    let mut last = StatusCode::OK;
    for _ in 0..130 {
        last = a.beacon(Some("http://shop.example"), json!([{ "name": "scroll" }])).await.0;
        if last != StatusCode::OK {
            break;
        }
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "120 beacons a minute per address");
}

#[tokio::test]
async fn a_list_limit_over_the_maximum_is_refused_not_cut() {
    let a = app(20).await;
    for path in ["/api/v1/events?limit=5000", "/api/v1/contacts?limit=1001", "/api/v1/events?limit=-1"] {
        let (s, body) = a.api("GET", path, None).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{path}");
        assert!(body["message"].as_str().is_some_and(|m| m.contains("limit: between 0 and 1000")), "{path}: {body}");
    }
    assert_eq!(a.api("GET", "/api/v1/events?limit=1000", None).await.0, StatusCode::OK);
}

#[tokio::test]
async fn every_page_family_sends_its_security_headers() {
    let a = app(20).await;
    a.funnel().await;
    let get = |path: &'static str, auth: bool| {
        let mut req = Request::builder().uri(path).header(header::USER_AGENT, "Mozilla/5.0 test");
        if auth {
            req = req.header(header::AUTHORIZATION, format!("Bearer {}", a.token));
        }
        req.body(Body::empty()).expect("request")
    };
    let cases = [
        ("/f/f/in", false, "frame-ancestors 'self'", "SAMEORIGIN", None),
        ("/f/t.js", false, "script-src 'self'", "SAMEORIGIN", None),
        ("/admin/login", false, "frame-ancestors 'none'", "DENY", Some("no-store")),
        ("/admin", false, "frame-ancestors 'none'", "DENY", Some("no-store")),
        ("/api/v1/funnels", true, "default-src 'none'", "DENY", Some("no-store")),
    ];
    for (path, auth, csp, frame, cache) in cases {
        let (status, h, _) = a.call(get(path, auth)).await;
        assert!(status.is_success() || status.is_redirection(), "{path}: {status}");
        let value = |name: header::HeaderName| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let policy = value(header::CONTENT_SECURITY_POLICY).unwrap_or_default();
        assert!(policy.contains(csp), "{path}: {policy}");
        assert!(!policy.contains("'unsafe-eval'") && !policy.contains("script-src 'self' 'unsafe-inline'"), "{path}: {policy}");
        assert_eq!(value(header::X_FRAME_OPTIONS).as_deref(), Some(frame), "{path}");
        assert_eq!(value(header::X_CONTENT_TYPE_OPTIONS).as_deref(), Some("nosniff"), "{path}");
        assert_eq!(value(header::REFERRER_POLICY).as_deref(), Some("strict-origin-when-cross-origin"), "{path}");
        if let Some(c) = cache {
            assert_eq!(value(header::CACHE_CONTROL).as_deref(), Some(c), "{path}");
        }
        assert!(value(header::STRICT_TRANSPORT_SECURITY).is_none(), "no HSTS over http: {path}");
    }
}

#[tokio::test]
async fn the_embedded_livekit_client_and_hls_js_are_served_for_good_under_their_versions() {
    let a = app(20).await;
    for (path, body) in [(hikari_funnel_web::livekit_client_path(), hikari_vendor::LIVEKIT_CLIENT), (hikari_funnel_web::hls_js_path(), hikari_vendor::HLS_JS)] {
        assert!(path.contains(hikari_vendor::LIVEKIT_CLIENT_VERSION) || path.contains(hikari_vendor::HLS_JS_VERSION), "{path}");
        let req = Request::builder().uri(path.as_str()).body(Body::empty()).expect("request");
        let (status, h, got) = a.call(req).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(got.len(), body.len(), "{path}: the embedded file");
        let value = |name: header::HeaderName| h.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(value(header::CACHE_CONTROL).as_deref(), Some("public, max-age=31536000, immutable"), "{path}");
        assert_eq!(value(header::CONTENT_TYPE).as_deref(), Some("text/javascript; charset=utf-8"), "{path}");
        assert_eq!(value(header::X_CONTENT_TYPE_OPTIONS).as_deref(), Some("nosniff"), "{path}");
    }
    let other = Request::builder().uri("/f/vendor/livekit-client-0.0.1.umd.js").body(Body::empty()).expect("request");
    assert_eq!(a.call(other).await.0, StatusCode::NOT_FOUND, "only the pinned version");
}

#[tokio::test]
async fn an_address_sending_bad_api_tokens_is_held_off_for_the_minute() {
    let a = app(20).await;
    let call = |token: &str, ip: [u8; 4]| {
        let mut req = Request::builder().uri("/api/v1/funnels").header(header::AUTHORIZATION, format!("Bearer {token}")).body(Body::empty()).expect("request");
        req.extensions_mut().insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((ip, 40000))));
        a.call(req)
    };
    for _ in 0..20 {
        assert_eq!(call("hkf_guess", [10, 0, 0, 1]).await.0, StatusCode::UNAUTHORIZED);
    }
    let (status, headers, _) = call("hkf_guess", [10, 0, 0, 1]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the 21st failure in a minute");
    assert_eq!(headers.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("60"));
    assert_eq!(call(&a.token, [10, 0, 0, 1]).await.0, StatusCode::TOO_MANY_REQUESTS, "even a good token from that address");
    assert_eq!(call(&a.token, [10, 0, 0, 2]).await.0, StatusCode::OK, "another address is not affected");
}

#[tokio::test]
async fn page_views_past_the_address_limit_are_served_flagged_and_a_flood_is_refused() {
    let a = app_with(|c| c.view_limit_per_minute = 3).await;
    a.funnel().await;
    let mut statuses = Vec::new();
    for _ in 0..32 {
        let req = Request::builder().uri("/f/f/in").header(header::USER_AGENT, "Mozilla/5.0 test").body(Body::empty()).expect("request");
        let (status, h, _) = a.call(req).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(h.get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("60"));
        }
        statuses.push(status);
    }
    assert!(statuses[..30].iter().all(|s| *s == StatusCode::OK), "served up to ten times the limit: {statuses:?}");
    assert!(statuses[30..].iter().all(|s| *s == StatusCode::TOO_MANY_REQUESTS), "refused beyond: {statuses:?}");
    let (s, body) = a.api("GET", "/api/v1/events?name=page_view&limit=100", None).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let views = body.as_array().cloned().unwrap_or_default();
    let counted = views.iter().filter(|e| e["bot"] == json!(false)).count();
    let flagged = views.iter().filter(|e| e["bot"] == json!(true)).count();
    assert_eq!((counted, flagged), (3, 27), "{body}");
}
