//! Shared by the HTTP tests: a real server on 127.0.0.1 (SQLite, or PostgreSQL in a fresh
//! schema when `HIKARI_FUNNEL_PG_URL` is set), raw HTTP/1.0 requests, visitors with cookie
//! jars, the Bearer API and a signed-in admin session.

#![allow(dead_code)]

use hikari_funnel_web::{Background, FunnelConfig, Ports, create_token, start_with};
use serde_json::{Value, json};
use std::{collections::HashMap, net::SocketAddr, time::Duration};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const UA: &str = "Mozilla/5.0 (X11; Linux x86_64) e2e-visitor";

/// Where the server keeps its data.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct Reply {
    pub status: u16,
    pub cookies: Vec<(String, String)>,
    pub location: Option<String>,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.0 request (the server answers with a length and closes).
pub async fn http(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, String)], body: &str) -> Reply {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!("{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes()).await.expect("write");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.expect("read");
    let text = String::from_utf8_lossy(&buf).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split(' ').nth(1)).and_then(|c| c.parse().ok()).unwrap_or(0);
    let mut cookies = Vec::new();
    let mut location = None;
    let mut headers = Vec::new();
    for l in lines {
        let Some((k, v)) = l.split_once(": ") else {
            continue;
        };
        headers.push((k.to_ascii_lowercase(), v.to_owned()));
        if k.eq_ignore_ascii_case("set-cookie") {
            if let Some((name, rest)) = v.split_once('=') {
                cookies.push((name.to_owned(), rest.split(';').next().unwrap_or("").to_owned()));
            }
        } else if k.eq_ignore_ascii_case("location") {
            location = Some(v.to_owned());
        }
    }
    Reply { status, cookies, location, headers, body: body.to_owned() }
}

/// Reads a server-sent event stream at `path` until its body holds every one of `needles`
/// (in order), for at most `limit`; returns the body read (it may end early).
pub async fn sse_until(addr: SocketAddr, path: &str, headers: &[(&str, String)], needles: &[&str], limit: Duration) -> String {
    let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await.expect("write");
    let mut text = String::new();
    let mut buf = [0u8; 4096];
    let found = |text: &str| {
        let mut from = 0;
        needles.iter().all(|n| match text[from..].find(n) {
            Some(i) => {
                from += i + n.len();
                true
            }
            None => false,
        })
    };
    let deadline = tokio::time::Instant::now() + limit;
    while !found(&text) {
        match tokio::time::timeout_at(deadline, s.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => text.push_str(&String::from_utf8_lossy(&buf[..n])),
            _ => break,
        }
    }
    text
}

/// A server-sent event stream being read: open it, then wait for what it should say.
pub struct EventStream {
    stream: tokio::net::TcpStream,
    /// Everything read so far.
    pub text: String,
}

impl EventStream {
    /// Opens the stream at `path` and waits (bounded) for its first event.
    pub async fn open(addr: SocketAddr, path: &str) -> Self {
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n");
        stream.write_all(req.as_bytes()).await.expect("write");
        let mut s = Self { stream, text: String::new() };
        assert!(s.until("data: ", Duration::from_secs(10)).await, "no first event: {}", s.text);
        s
    }

    /// Reads until `needle` has arrived (since the stream opened), for at most `limit`.
    pub async fn until(&mut self, needle: &str, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        let mut buf = [0u8; 4096];
        while !self.text.contains(needle) {
            match tokio::time::timeout_at(deadline, self.stream.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => self.text.push_str(&String::from_utf8_lossy(&buf[..n])),
                _ => return false,
            }
        }
        true
    }
}

/// A visitor with a cookie jar.
#[derive(Default)]
pub struct Visitor {
    pub jar: HashMap<String, String>,
}

impl Visitor {
    /// A visitor whose id cookie is fixed (32 hex digits from `n`), so hashing, and thus the
    /// arm, is the same on every run.
    pub fn with_id(n: u64) -> Self {
        let mut jar = HashMap::new();
        jar.insert("_fv".to_string(), format!("{n:032x}"));
        Self { jar }
    }

    pub async fn go(&mut self, addr: SocketAddr, method: &str, path: &str, form: &str) -> Reply {
        let mut h = vec![("User-Agent", UA.to_owned())];
        if !self.jar.is_empty() {
            h.push(("Cookie", self.jar.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")));
        }
        if method == "POST" {
            h.push(("Content-Type", "application/x-www-form-urlencoded".into()));
        }
        let r = http(addr, method, path, &h, form).await;
        self.jar.extend(r.cookies.iter().cloned());
        r
    }
}

/// A server with an API token; drops its data (directory or PostgreSQL schema) at the end.
pub struct Server {
    pub addr: SocketAddr,
    pub token: String,
    dir: std::path::PathBuf,
    pg: Option<hikari_funnel_store::PgStore>,
    background: Background,
    /// The webinar use cases, to play the room's presence events as the binary would.
    pub webinars: hikari_funnel_app::Webinars,
}

/// Rooms whose tokens say what they grant: `room|identity|role` (the binary signs real ones).
struct PlainRooms;

impl hikari_funnel_app::RoomAccess for PlainRooms {
    fn token(&self, room: &str, identity: &str, _name: &str, role: hikari_funnel_app::RoomRole, _ttl: u64) -> Result<String, hikari_funnel_app::AppError> {
        Ok(format!("{room}|{identity}|{role:?}"))
    }

    fn close(&self, _room: &str) {}

    fn set_role(&self, _room: &str, _identity: &str, _role: hikari_funnel_app::RoomRole) {}

    fn remove(&self, _room: &str, _identity: &str) {}
}

/// Encoder inputs that say what they are for: the key names the room and identity.
struct PlainEncoders;

impl hikari_funnel_app::EncoderAccess for PlainEncoders {
    fn encoder_input<'a>(&'a self, room: &'a str, identity: &'a str, _name: &'a str) -> hikari_funnel_app::EncoderFuture<'a> {
        let input = hikari_funnel_app::EncoderInput { url: "rtmp://127.0.0.1:1935/x".into(), stream_key: format!("{room}|{identity}"), srt_url: None };
        Box::pin(async move { Ok(Some(input)) })
    }
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{prefix}_{}_{nanos}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

impl Server {
    /// Starts a server, or `None` for PostgreSQL when `HIKARI_FUNNEL_PG_URL` is unset.
    pub async fn start(backend: Backend, interval: Duration) -> Option<Self> {
        let dir = std::env::temp_dir().join(unique("funnel_web"));
        let mut config = FunnelConfig::new(&dir, "http://127.0.0.1");
        // Thousands of simulated visitors share one loopback address.
        config.submit_limit_per_minute = 1_000_000;
        config.view_limit_per_minute = 1_000_000;
        config.experiment_interval = interval;
        let mut pg = None;
        if let Backend::Postgres = backend {
            let Ok(url) = std::env::var("HIKARI_FUNNEL_PG_URL") else {
                eprintln!("HIKARI_FUNNEL_PG_URL unset: skipping the PostgreSQL run");
                return None;
            };
            let schema = unique("funnel_web");
            // Creates the schema (and runs the migrations in it); the server then connects
            // with that schema as its search path.
            pg = Some(hikari_funnel_store::PgStore::connect(&url, Some(&schema)).await.expect("connect postgres"));
            let sep = if url.contains('?') { '&' } else { '?' };
            config.database_url = Some(format!("{url}{sep}options=-c%20search_path%3D{schema}"));
        }
        let token = create_token(&config, "test").await.expect("token");
        let ports = Ports { rooms: Some(std::sync::Arc::new(PlainRooms)), encoders: Some(std::sync::Arc::new(PlainEncoders)), ..Ports::none() };
        let started = start_with(config, ports).await.expect("router");
        let (app, background, webinars) = (started.router, started.background, started.webinars);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await.expect("serve");
        });
        Some(Self { addr, token, dir, pg, background, webinars })
    }

    /// Stores events as another part of the binary would (a checkout's `purchase`, which no
    /// HTTP caller may record), in the server's own database.
    #[allow(dead_code)]
    pub async fn append_events(&self, events: &[hikari_funnel::Event]) {
        use hikari_funnel_store::EventRepo;
        match &self.pg {
            Some(pg) => pg.append_events(events).await.expect("append"),
            None => {
                let store = hikari_funnel_store::SqliteStore::open(&self.dir.join("funnel.sqlite3")).await.expect("open");
                store.append_events(events).await.expect("append")
            }
        };
    }

    pub async fn finish(self) {
        self.background.shutdown().await;
        if let Some(pg) = self.pg {
            pg.drop_schema().await.expect("drop schema");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let h = [("Authorization", format!("Bearer {}", self.token)), ("Content-Type", "application/json".into())];
        let r = http(self.addr, method, path, &h, &body.map(|b| b.to_string()).unwrap_or_default()).await;
        (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
    }

    pub async fn ok(&self, method: &str, path: &str, body: Value) -> Value {
        let (s, v) = self.call(method, path, if body.is_null() { None } else { Some(body) }).await;
        assert!((200..300).contains(&s), "{method} {path}: {s} {v}");
        v
    }

    /// A funnel `slug` with published steps `(slug, kind, heading)` holding a heading and an
    /// email form; returns the funnel id and the step ids by slug.
    pub async fn funnel(&self, slug: &str, steps: &[(&str, &str, &str)]) -> (i64, HashMap<String, i64>) {
        let f = self.ok("POST", "/api/v1/funnels", json!({"slug": slug, "name": slug})).await;
        let fid = f["id"].as_i64().expect("funnel id");
        let mut ids = HashMap::new();
        for (s, kind, marker) in steps {
            let step = self.ok("POST", &format!("/api/v1/funnels/{fid}/steps"), json!({"slug": s, "name": s, "kind": kind})).await;
            let sid = step["id"].as_i64().expect("step id");
            self.ok("PUT", &format!("/api/v1/steps/{sid}/page"), json!({"version": 1, "page": page(marker)})).await;
            self.ok("POST", &format!("/api/v1/steps/{sid}/publish"), json!({"version": 2})).await;
            ids.insert((*s).to_string(), sid);
        }
        (fid, ids)
    }

    /// Signs up the first admin through `/admin/setup` (double-submit cookie) and returns the
    /// session.
    pub async fn admin(&self) -> AdminSession {
        let form = http(self.addr, "GET", "/admin/setup", &[], "").await;
        assert_eq!(form.status, 200, "{}", form.body);
        let (_, login) = form.cookies.iter().find(|(k, _)| k == "hikari_login").expect("login csrf cookie").clone();
        let body = format!("csrf={login}&email=admin%40example.com&password=correct-horse");
        let h = [("Cookie", format!("hikari_login={login}")), ("Content-Type", "application/x-www-form-urlencoded".into())];
        let r = http(self.addr, "POST", "/admin/setup", &h, &body).await;
        assert_eq!(r.status, 303, "{}", r.body);
        let (_, session) = r.cookies.iter().find(|(k, _)| k == "hikari_admin").expect("session cookie").clone();
        let mut a = AdminSession { addr: self.addr, cookie: session, csrf: String::new() };
        let home = a.get("/admin").await;
        a.csrf = between(&home.body, "<meta name=\"csrf\" content=\"", "\"").expect("csrf meta").to_string();
        a
    }
}

/// A page with a heading (the marker tests look for) and an email form.
pub fn page(marker: &str) -> Value {
    json!({"sections": [{"id": "s", "columns": [{"id": "c", "blocks": [
        {"id": "h", "type": "heading", "text": marker},
        {"id": "form", "type": "form", "fields": [{"name": "email", "type": "email", "required": true}]}]}]}]})
}

/// The text between the first `start` and the next `end`.
pub fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = s.find(start)? + start.len();
    let len = s[from..].find(end)?;
    Some(&s[from..from + len])
}

/// A signed-in admin.
pub struct AdminSession {
    pub addr: SocketAddr,
    pub cookie: String,
    pub csrf: String,
}

impl AdminSession {
    pub async fn get(&self, path: &str) -> Reply {
        http(self.addr, "GET", path, &[("Cookie", format!("hikari_admin={}", self.cookie))], "").await
    }

    /// Posts a form with the session cookie (the caller adds `csrf=` or leaves it out).
    pub async fn post(&self, path: &str, form: &str) -> Reply {
        let h = [("Cookie", format!("hikari_admin={}", self.cookie)), ("Content-Type", "application/x-www-form-urlencoded".into())];
        http(self.addr, "POST", path, &h, form).await
    }
}

/// Polls `f` every 50 ms until it returns `Some`, for at most `limit`.
pub async fn wait_for<T>(limit: Duration, mut f: impl AsyncFnMut() -> Option<T>) -> Option<T> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(v) = f().await {
            return Some(v);
        }
        if tokio::time::Instant::now() >= deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Generates a SQLite test and a PostgreSQL test (skipped without `HIKARI_FUNNEL_PG_URL`)
/// from one `async fn scenario(Backend)`, each bounded by a timeout.
#[macro_export]
macro_rules! both_backends {
    ($scenario:ident, $sqlite:ident, $postgres:ident, $secs:expr) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $sqlite() {
            tokio::time::timeout(std::time::Duration::from_secs($secs), $scenario(common::Backend::Sqlite)).await.expect("scenario within its time bound");
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $postgres() {
            tokio::time::timeout(std::time::Duration::from_secs($secs), $scenario(common::Backend::Postgres)).await.expect("scenario within its time bound");
        }
    };
}

/// The steps of the A/B tests: the experiment step, the variant page of arm B, thanks.
pub const STEPS: [(&str, &str, &str); 3] = [("optin", "optin", "Variant A"), ("optin-b", "optin", "Variant B"), ("thanks", "thankyou", "Thanks")];

/// Views `/f/ab/optin`; returns the arm letter of the "Variant X" heading shown.
pub async fn view(s: &Server, v: &mut Visitor) -> char {
    let r = v.go(s.addr, "GET", "/f/ab/optin", "").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let at = r.body.find("Variant ").expect("a variant heading") + "Variant ".len();
    r.body[at..].chars().next().expect("arm letter")
}

/// A funnel `slug` with a registration step and a just-in-time webinar, and `emails`
/// registered through the form (one visitor each); returns the webinar id, the session id
/// and each registrant's join key.
pub async fn webinar_with_registrants(srv: &Server, slug: &str, emails: &[&str]) -> (i64, i64, Vec<String>) {
    let (fid, _) = srv.funnel(slug, &[("register", "webinar_register", "Register"), ("thanks", "thankyou", "Thanks")]).await;
    // One session an hour from now: every registration books it, whenever the test runs.
    let new = json!({"funnel": fid, "title": "ライブ", "schedule": {"kind": "one_off"}});
    let wid = srv.ok("POST", "/api/v1/webinars", new).await["id"].as_i64().expect("id");
    let start = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64 + 3_600_000;
    srv.ok("POST", &format!("/api/v1/webinars/{wid}/sessions"), json!({"starts_at": start})).await;
    let mut keys = Vec::new();
    for (i, email) in emails.iter().enumerate() {
        let mut v = Visitor::with_id(100 + i as u64);
        v.go(srv.addr, "GET", &format!("/f/{slug}/register"), "").await;
        let form = format!("_form=form&email={}", email.replace('@', "%40"));
        let r = v.go(srv.addr, "POST", &format!("/f/{slug}/register"), &form).await;
        keys.push(r.location.expect("location").rsplit_once("?r=").expect("key").1.to_owned());
    }
    let regs = srv.ok("GET", &format!("/api/v1/webinars/{wid}/registrants"), json!(null)).await;
    let sid = regs[0]["session"].as_i64().expect("session");
    (wid, sid, keys)
}
