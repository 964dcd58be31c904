//! The webinar room scenario (`--scenario room`, Hikari only): the host publishes, and N
//! registrants of a Hikari webinar come in as the room page brings them — each registered
//! through the funnel's own form, each joining the room with the pass its personal link
//! gives, each watching the session's notices (server-sent events) — and they chat at a set
//! rate while the window runs. Measured: chat fan-out (a line's POST to its arrival on every
//! page), lines and attendance stored, and how fast the room's joins and leaves become
//! stored events.
//!
//! HTTP is spoken by hand, HTTP/1.0 with one connection per request, so that an event
//! stream's body is simply the connection's bytes (no chunked encoding to undo).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::stats::Histogram;

/// A chat line's text: this prefix, its number, and its send time in µs since the run began.
const LINE: &str = "bench";
/// The most time a request may take.
const REQUEST_LIMIT: Duration = Duration::from_secs(10);

/// The server's HTTP side, and the admin API token the setup uses.
#[derive(Clone, Debug)]
pub struct Http {
    /// `host:port`.
    pub authority: String,
    /// `hkf_…`.
    pub token: String,
}

/// A response: status, `Location`, body.
struct Reply {
    status: u16,
    location: Option<String>,
    body: Vec<u8>,
}

impl Http {
    async fn request(&self, method: &str, path: &str, content_type: &str, body: &[u8], admin: bool) -> anyhow::Result<Reply> {
        let exchange = async {
            let mut s = TcpStream::connect(&self.authority).await?;
            let mut head = format!("{method} {path} HTTP/1.0\r\nHost: {}\r\nContent-Length: {}\r\n", self.authority, body.len());
            if !content_type.is_empty() {
                head.push_str(&format!("Content-Type: {content_type}\r\n"));
            }
            if admin {
                head.push_str(&format!("Authorization: Bearer {}\r\n", self.token));
            }
            head.push_str("\r\n");
            s.write_all(head.as_bytes()).await?;
            s.write_all(body).await?;
            let mut raw = Vec::new();
            s.read_to_end(&mut raw).await?;
            anyhow::Ok(raw)
        };
        let raw = tokio::time::timeout(REQUEST_LIMIT, exchange).await.with_context(|| format!("{method} {path}: no answer in {REQUEST_LIMIT:?}"))??;
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").with_context(|| format!("{method} {path}: no header end"))?;
        let head = String::from_utf8_lossy(&raw[..split]);
        let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).with_context(|| format!("{method} {path}: bad status line"))?;
        let location = head.lines().find_map(|l| l.strip_prefix("location: ").or_else(|| l.strip_prefix("Location: "))).map(str::to_owned);
        Ok(Reply { status, location, body: raw[split + 4..].to_vec() })
    }

    /// A JSON call; anything but 2xx is an error with the body.
    async fn json(&self, method: &str, path: &str, body: Value, admin: bool) -> anyhow::Result<Value> {
        let r = self.request(method, path, "application/json", body.to_string().as_bytes(), admin).await?;
        if !(200..300).contains(&r.status) {
            bail!("{method} {path}: {} {}", r.status, String::from_utf8_lossy(&r.body));
        }
        if r.body.is_empty() { Ok(Value::Null) } else { Ok(serde_json::from_slice(&r.body)?) }
    }

    /// The API's `GET /api/v1/events?name=…`: how many such events are stored (at most 1000).
    async fn stored(&self, name: &str) -> anyhow::Result<usize> {
        let v = self.json("GET", &format!("/api/v1/events?name={name}&limit=1000"), Value::Null, true).await?;
        v.as_array().map(Vec::len).with_context(|| format!("events: not a list: {v}"))
    }
}

/// A registrant and its pass into the room.
#[derive(Clone, Debug)]
pub struct Attendee {
    pub key: String,
    pub identity: String,
    pub token: String,
}

/// A live session with its registrants.
pub struct Room {
    http: Http,
    session: i64,
    /// The session's LiveKit room.
    pub room: String,
    pub attendees: Vec<Attendee>,
    chat: Arc<Mutex<Chat>>,
    epoch: Instant,
    streams: JoinSet<()>,
}

/// What the pages received.
#[derive(Default)]
struct Chat {
    /// Event streams that sent their first event.
    open: usize,
    /// Streams that failed or closed early.
    broken: usize,
    /// Lines of this window that reached a page, and their latency.
    received: u64,
    latency: Histogram,
    /// Lines numbered below this are from before the window.
    first: u64,
}

fn unix_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn id(v: &Value, what: &str) -> anyhow::Result<i64> {
    v["id"].as_i64().with_context(|| format!("{what}: no id in {v}"))
}

impl Room {
    /// A registration funnel and a webinar with one session, live; `n` registrants booked
    /// through the funnel's form, each with its pass.
    pub async fn prepare(http: Http, n: usize) -> anyhow::Result<Self> {
        let slug = format!("bench-{}", std::process::id());
        let f = http.json("POST", "/api/v1/funnels", json!({ "slug": slug, "name": "Bench", "locale": "ja" }), true).await?;
        let funnel = id(&f, "funnel")?;
        for (step, kind) in [("register", "webinar_register"), ("thanks", "thankyou")] {
            let s = http.json("POST", &format!("/api/v1/funnels/{funnel}/steps"), json!({ "slug": step, "name": step, "kind": kind }), true).await?;
            let s = id(&s, "step")?;
            let mut blocks = vec![json!({ "id": "h", "type": "heading", "text": step })];
            if kind == "webinar_register" {
                blocks.push(json!({ "id": "form", "type": "form", "fields": [{ "name": "email", "type": "email", "required": true }] }));
            }
            let page = json!({ "version": 1, "page": { "sections": [{ "id": "s", "columns": [{ "id": "c", "blocks": blocks }] }] } });
            http.json("PUT", &format!("/api/v1/steps/{s}/page"), page, true).await?;
            http.json("POST", &format!("/api/v1/steps/{s}/publish"), json!({ "version": 2 }), true).await?;
        }
        let w = http.json("POST", "/api/v1/webinars", json!({ "funnel": funnel, "title": "Bench", "schedule": { "kind": "one_off" } }), true).await?;
        let s = http.json("POST", &format!("/api/v1/webinars/{}/sessions", id(&w, "webinar")?), json!({ "starts_at": unix_ms() + 3_600_000 }), true).await?;
        let session = id(&s, "session")?;
        http.json("POST", &format!("/api/v1/sessions/{session}/state"), json!({ "state": "live" }), true).await?;
        let t = Instant::now();
        let mut attendees = Vec::with_capacity(n);
        let mut room = None;
        for i in 0..n {
            let form = format!("_form=form&email=bench-{i}%40example.jp");
            let r = http.request("POST", &format!("/f/{slug}/register"), "application/x-www-form-urlencoded", form.as_bytes(), false).await?;
            let key = r.location.as_deref().and_then(|l| l.split("?r=").nth(1)).map(|k| k.trim().to_owned());
            let Some(key) = key.filter(|_| r.status == 303) else {
                bail!("registration {i}: {} {:?} {}", r.status, r.location, String::from_utf8_lossy(&r.body));
            };
            let p = http.json("POST", &format!("/join/{key}/pass"), Value::Null, false).await?;
            let field = |k: &str| p[k].as_str().map(str::to_owned).with_context(|| format!("pass: no {k} in {p}"));
            room.get_or_insert(field("room")?);
            attendees.push(Attendee { identity: field("identity")?, token: field("token")?, key });
        }
        eprintln!("hikari-load: {n} registrants booked and given passes in {:?}", t.elapsed());
        let Some(room) = room else { bail!("the room scenario needs at least one attendee") };
        Ok(Self { http, session, room, attendees, chat: Arc::default(), epoch: Instant::now(), streams: JoinSet::new() })
    }

    /// Every attendee's page opens the session's event stream; waits until all sent their
    /// first event.
    pub async fn open_streams(&mut self, stop: &watch::Receiver<bool>, limit: Duration) -> anyhow::Result<()> {
        for a in &self.attendees {
            let (http, key, chat, epoch, stop) = (self.http.clone(), a.key.clone(), self.chat.clone(), self.epoch, stop.clone());
            self.streams.spawn(async move {
                if let Err(e) = listen(&http, &key, &chat, epoch, stop).await {
                    chat.lock().unwrap_or_else(PoisonError::into_inner).broken += 1;
                    eprintln!("hikari-load: event stream of {key}: {e:#}");
                }
            });
        }
        let end = Instant::now() + limit;
        loop {
            let (open, broken) = {
                let c = self.chat.lock().unwrap_or_else(PoisonError::into_inner);
                (c.open, c.broken)
            };
            if open + broken >= self.attendees.len() {
                eprintln!("hikari-load: {open} event streams open, {broken} broken");
                return Ok(());
            }
            if Instant::now() >= end {
                bail!("event streams: {open} of {} open after {limit:?}", self.attendees.len());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// How many attendance events of `name` are stored; polls until `want` or `limit`.
    /// Returns the count and when it was last seen to grow.
    pub async fn await_stored(&self, name: &str, want: usize, limit: Duration) -> anyhow::Result<(usize, Instant)> {
        let end = Instant::now() + limit;
        let (mut last, mut grew) = (0, Instant::now());
        loop {
            let n = self.http.stored(name).await?;
            if n > last {
                (last, grew) = (n, Instant::now());
            }
            if n >= want || Instant::now() >= end {
                return Ok((n, grew));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The window's chat: `rate` lines a second for `window`, round-robin over the
    /// attendees (so none meets the per-registrant limit), then up to 5 s for the last lines
    /// to reach every page. The JSON fields it adds to the result line.
    pub async fn chat(&mut self, rate: f64, window: Duration) -> anyhow::Result<Value> {
        let lines = (rate * window.as_secs_f64()).round() as u64;
        let first = {
            let mut c = self.chat.lock().unwrap_or_else(PoisonError::into_inner);
            let first = c.first.max(1);
            (c.first, c.received, c.latency) = (first, 0, Histogram::default());
            first
        };
        let mut posts = JoinSet::new();
        let window_end = tokio::time::Instant::now() + window;
        let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(0.01)));
        for i in 0..lines {
            tick.tick().await;
            let a = &self.attendees[i as usize % self.attendees.len()];
            let text = format!("{LINE} {} {}", first + i, self.epoch.elapsed().as_micros());
            let (http, path) = (self.http.clone(), format!("/join/{}/messages", a.key));
            posts.spawn(async move { http.json("POST", &path, json!({ "text": text }), false).await.map(|_| ()) });
        }
        let (mut stored, mut refused) = (0u64, 0u64);
        while let Some(r) = posts.join_next().await {
            match r {
                Ok(Ok(())) => stored += 1,
                Ok(Err(e)) => {
                    refused += 1;
                    eprintln!("hikari-load: chat line refused: {e:#}");
                }
                Err(e) => bail!("chat task: {e}"),
            }
        }
        // The window lasts its time whatever the rate (0 lines: the room without chat).
        tokio::time::sleep_until(window_end).await;
        let want = stored * self.attendees.len() as u64;
        let end = Instant::now() + Duration::from_secs(5);
        while self.received() < want && Instant::now() < end {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut c = self.chat.lock().unwrap_or_else(PoisonError::into_inner);
        c.first = first + lines;
        let q = |p: f64| c.latency.quantile_ms(p).unwrap_or(f64::NAN);
        Ok(json!({
            "chat_lines_per_s": rate,
            "chat_lines_posted": stored,
            "chat_lines_refused": refused,
            "chat_deliveries_expected": want,
            "chat_deliveries": c.received,
            "chat_fanout_p50_ms": q(0.5),
            "chat_fanout_p99_ms": q(0.99),
            "chat_fanout_max_ms": q(1.0),
            "event_streams_broken": c.broken,
        }))
    }

    fn received(&self) -> u64 {
        self.chat.lock().unwrap_or_else(PoisonError::into_inner).received
    }

    /// The session's report as the API gives it.
    pub async fn report(&self) -> anyhow::Result<Value> {
        self.http.json("GET", &format!("/api/v1/sessions/{}/report", self.session), Value::Null, true).await
    }
}

/// One page's event stream: counts the window's chat lines and their latency.
async fn listen(http: &Http, key: &str, chat: &Mutex<Chat>, epoch: Instant, mut stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let mut s = TcpStream::connect(&http.authority).await?;
    s.write_all(format!("GET /join/{key}/events HTTP/1.0\r\nHost: {}\r\nAccept: text/event-stream\r\n\r\n", http.authority).as_bytes()).await?;
    let mut r = BufReader::new(s);
    let mut line = String::new();
    r.read_line(&mut line).await?;
    if line.split_whitespace().nth(1) != Some("200") {
        bail!("status line {line:?}");
    }
    let mut opened = false;
    loop {
        line.clear();
        tokio::select! {
            _ = stop.changed() => return Ok(()),
            n = r.read_line(&mut line) => if n? == 0 { bail!("closed by the server") },
        }
        let Some(data) = line.strip_prefix("data:") else { continue };
        if !opened {
            opened = true;
            chat.lock().unwrap_or_else(PoisonError::into_inner).open += 1;
        }
        let v: Value = serde_json::from_str(data.trim()).context("event data")?;
        let text = v["message"]["text"].as_str().filter(|_| v["type"] == "message");
        let Some(mut parts) = text.map(|t| t.split(' ')) else { continue };
        let (Some(LINE), Some(Ok(n)), Some(Ok(sent))) = (parts.next(), parts.next().map(str::parse::<u64>), parts.next().map(str::parse::<u64>)) else {
            continue;
        };
        let now = epoch.elapsed().as_micros() as u64;
        let mut c = chat.lock().unwrap_or_else(PoisonError::into_inner);
        if n >= c.first {
            c.received += 1;
            c.latency.record(Duration::from_micros(now.saturating_sub(sent)));
        }
    }
}
