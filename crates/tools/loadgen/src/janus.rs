//! Janus videoroom adapter: Janus's JSON API over its WebSocket transport
//! (`janus-protocol`), one session per participant, the same media engine as LiveKit's.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::engine::Engine;
use crate::{Client, Role};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Publisher feed ids in the room, shared by the participants of one run.
#[derive(Clone, Default)]
pub struct Feeds(Arc<Mutex<Vec<u64>>>);

impl Feeds {
    fn push(&self, id: u64) {
        if let Ok(mut v) = self.0.lock() {
            v.push(id);
        }
    }

    fn get(&self) -> Vec<u64> {
        self.0.lock().map(|v| v.clone()).unwrap_or_default()
    }

    /// Waits (bounded) until `n` feeds are known.
    pub async fn wait(&self, n: usize, limit: Duration) -> Vec<u64> {
        let end = Instant::now() + limit;
        loop {
            let v = self.get();
            if v.len() >= n || Instant::now() >= end {
                return v;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

struct Session {
    sink: SplitSink<Ws, Message>,
    stream: SplitStream<Ws>,
    id: u64,
    next_tx: u64,
    /// Trickled candidates per handle, seen while waiting for a reply.
    trickles: Vec<(u64, String)>,
}

impl Session {
    async fn open(url: &str) -> anyhow::Result<Session> {
        let mut req = url.into_client_request()?;
        req.headers_mut().insert("Sec-WebSocket-Protocol", "janus-protocol".parse()?);
        let (ws, _) = tokio_tungstenite::connect_async(req).await.context("janus websocket connect")?;
        let (sink, stream) = ws.split();
        let mut s = Session { sink, stream, id: 0, next_tx: 0, trickles: Vec::new() };
        let r = s.request(json!({"janus": "create"})).await?;
        s.id = r["data"]["id"].as_u64().context("create: no session id")?;
        Ok(s)
    }

    async fn send(&mut self, mut msg: Value) -> anyhow::Result<String> {
        self.next_tx += 1;
        let tx = format!("t{}", self.next_tx);
        msg["transaction"] = json!(tx);
        if self.id != 0 {
            msg["session_id"] = json!(self.id);
        }
        self.sink.send(Message::Text(msg.to_string().into())).await?;
        Ok(tx)
    }

    async fn next(&mut self) -> anyhow::Result<Value> {
        loop {
            let Some(m) = self.stream.next().await else { bail!("janus closed the connection") };
            if let Message::Text(t) = m? {
                let v: Value = serde_json::from_str(&t)?;
                if v["janus"] == "trickle"
                    && let (Some(h), Some(c)) = (v["sender"].as_u64(), v["candidate"]["candidate"].as_str())
                {
                    self.trickles.push((h, c.to_owned()));
                }
                return Ok(v);
            }
        }
    }

    /// Sends and waits for the reply with the same transaction that is not an `ack`.
    async fn request(&mut self, msg: Value) -> anyhow::Result<Value> {
        let tx = self.send(msg).await?;
        self.wait_reply(&tx).await
    }

    async fn wait_reply(&mut self, tx: &str) -> anyhow::Result<Value> {
        let end = Instant::now() + Duration::from_secs(20);
        loop {
            let v = tokio::time::timeout_at(end.into(), self.next()).await.context("janus reply timed out")??;
            if v["transaction"] == tx && v["janus"] != "ack" {
                if v["janus"] == "error" {
                    bail!("janus error: {}", v["error"]);
                }
                if let Some(e) = v["plugindata"]["data"].get("error") {
                    bail!("videoroom error: {e}");
                }
                return Ok(v);
            }
        }
    }

    async fn attach(&mut self) -> anyhow::Result<u64> {
        let r = self.request(json!({"janus": "attach", "plugin": "janus.plugin.videoroom"})).await?;
        r["data"]["id"].as_u64().context("attach: no handle id")
    }

    async fn message(&mut self, handle: u64, body: Value, jsep: Option<Value>) -> anyhow::Result<Value> {
        let mut m = json!({"janus": "message", "handle_id": handle, "body": body});
        let with_sdp = jsep.is_some();
        if let Some(j) = jsep {
            m["jsep"] = j;
        }
        let tx = self.send(m).await?;
        if with_sdp {
            // Our SDP carries our only candidate; tell Janus no more are coming.
            self.send(json!({"janus": "trickle", "handle_id": handle, "candidate": {"completed": true}})).await?;
        }
        self.wait_reply(&tx).await
    }
}

fn room_number(room: &str) -> anyhow::Result<u64> {
    room.parse().context("janus rooms are numbers")
}

/// Creates the videoroom for a run.
pub async fn create_room(url: &str, room: &str, publishers: usize) -> anyhow::Result<()> {
    let mut s = Session::open(url).await?;
    let h = s.attach().await?;
    s.message(
        h,
        json!({"request": "create", "room": room_number(room)?, "publishers": publishers + 4, "bitrate": 0,
               "fir_freq": 0, "audiocodec": "opus", "videocodec": "vp8", "notify_joining": false}),
        None,
    )
    .await?;
    let _ = s.send(json!({"janus": "destroy"})).await;
    Ok(())
}

/// Runs one participant until `stop` turns true.
pub async fn run(engine: Engine, url: &str, feeds: Feeds, client: Client, mut stop: watch::Receiver<bool>) -> anyhow::Result<()> {
    let started = Instant::now();
    let room = room_number(&client.room)?;
    let mut s = Session::open(url).await?;
    let mut peers: Vec<(u64, usize)> = Vec::new();
    let result: anyhow::Result<()> = async {
        let mut own = None;
        if let Role::Publisher(spec) = &client.role {
            let h = s.attach().await?;
            let r = s.message(h, json!({"request": "join", "ptype": "publisher", "room": room, "display": client.identity}), None).await?;
            let id = r["plugindata"]["data"]["id"].as_u64().context("join: no publisher id")?;
            // Janus reads the rid list of a=simulcast as highest quality first (libwebrtc's
            // order); LiveKit clients list lowest first.
            let mut spec = spec.clone();
            spec.layers.reverse();
            let (peer, offer) = engine.call(move |c| c.new_publisher(&spec, started)).await??;
            peers.push((h, peer));
            let offer_copy = offer.clone();
            let r = s.message(h, json!({"request": "publish", "audio": true, "video": true}), Some(json!({"type": "offer", "sdp": offer}))).await?;
            let answer = r["jsep"]["sdp"].as_str().context("publish: no answer")?.to_owned();
            if std::env::var_os("HIKARI_LOAD_DEBUG").is_some() {
                eprintln!("offer:\n{offer_copy}\nanswer:\n{answer}");
            }
            engine
                .call(move |c| {
                    c.set_controlling(peer, false);
                    c.accept_answer(peer, &answer)
                })
                .await??;
            feeds.push(id);
            own = Some(id);
        }
        let want = if own.is_some() { client.expect_feeds } else { client.expect_feeds.max(1) };
        if want > 0 {
            let list: Vec<u64> = feeds.wait(want, Duration::from_secs(60)).await.into_iter().filter(|f| Some(*f) != own).collect();
            if !list.is_empty() {
                let h = s.attach().await?;
                let streams: Vec<Value> = list.iter().map(|f| json!({"feed": f})).collect();
                // A feed exists for subscribers only once its media is up: retry (bounded).
                let mut tries = 0;
                let r = loop {
                    let join = json!({"request": "join", "ptype": "subscriber", "room": room, "streams": streams.clone()});
                    match s.message(h, join, None).await {
                        Ok(r) => break r,
                        Err(e) if tries < 40 && e.to_string().contains("No such feed") => {
                            tries += 1;
                            tokio::time::sleep(Duration::from_millis(250)).await;
                        }
                        Err(e) => return Err(e),
                    }
                };
                let offer = r["jsep"]["sdp"].as_str().context("subscribe: no offer")?.to_owned();
                let (peer, answer) = engine
                    .call(move |c| {
                        let r = c.new_subscriber(&offer, started);
                        if let Ok((peer, _)) = &r {
                            c.set_controlling(*peer, true);
                        }
                        r
                    })
                    .await??;
                peers.push((h, peer));
                s.message(h, json!({"request": "start"}), Some(json!({"type": "answer", "sdp": answer}))).await?;
            }
        }
        let mut keepalive = tokio::time::interval(Duration::from_secs(20));
        loop {
            for (h, line) in std::mem::take(&mut s.trickles) {
                if let Some(&(_, peer)) = peers.iter().find(|(hh, _)| *hh == h) {
                    engine.call(move |c| c.add_candidate(peer, &line)).await?;
                }
            }
            tokio::select! {
                _ = stop.changed() => {
                    let _ = s.send(json!({"janus": "destroy"})).await;
                    return Ok(());
                }
                _ = keepalive.tick() => { s.send(json!({"janus": "keepalive"})).await?; }
                v = s.next() => { v?; }
            }
        }
    }
    .await;
    for (_, peer) in peers {
        let _ = engine.call(move |c| c.remove(peer)).await;
    }
    result
}
