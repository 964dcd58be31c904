//! The UDP listener: one task owns the socket and a session per client source address.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::{mpsc, watch};
use tracing::debug;
use turn_server_proto::types::TransportType;
use turn_server_proto::types::stun::message::Message;

use crate::clock::Clock;
use crate::relay::FromPeer;
use crate::session::{Session, Shared};

/// How often sessions' timers are checked (TURN's timers are seconds to minutes).
pub(crate) const TICK: Duration = Duration::from_millis(500);
/// A client without an allocation is forgotten after this much silence.
pub(crate) const IDLE: Duration = Duration::from_secs(60);
/// Datagrams from peers waiting for the listener task.
const PEER_QUEUE: usize = 4096;

pub(crate) async fn run(socket: UdpSocket, sh: Arc<Shared>, clock: Clock, max_sessions: usize, mut stop: watch::Receiver<bool>) {
    let Ok(listen) = socket.local_addr() else { return };
    let (tx, mut rx) = mpsc::channel::<FromPeer>(PEER_QUEUE);
    let mut sessions: HashMap<SocketAddr, Session> = HashMap::new();
    let mut buf = vec![0u8; 65_536];
    let mut out = Vec::new();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            r = socket.recv_from(&mut buf) => {
                let (n, from) = match r {
                    Ok(x) => x,
                    Err(e) => { debug!(error = %e, "TURN UDP receive error"); continue; }
                };
                let data = &buf[..n];
                let now = clock.now();
                if !sessions.contains_key(&from) {
                    // Only a STUN message opens a session; the table is bounded.
                    if Message::from_bytes(data).is_err() || !make_room(&mut sessions, max_sessions) {
                        continue;
                    }
                    sessions.insert(from, Session::new(&sh, TransportType::Udp, listen, from, now));
                }
                if let Some(s) = sessions.get_mut(&from) {
                    s.on_client(&sh, &tx, data, now, hikari_common::clock::unix_secs(), &mut out);
                }
                flush(&socket, from, &mut out);
            }
            Some(p) = rx.recv() => {
                if let Some(s) = sessions.get_mut(&p.client) {
                    s.on_peer(&sh, &tx, &p, clock.now(), &mut out);
                }
                flush(&socket, p.client, &mut out);
            }
            _ = tick.tick() => {
                let now = clock.now();
                for (client, s) in sessions.iter_mut() {
                    if s.wake <= now {
                        s.drive(&sh, &tx, now, &mut out);
                        flush(&socket, *client, &mut out);
                    }
                }
                sessions.retain(|_, s| s.has_allocation() || now.saturating_duration_since(s.last_seen) < IDLE);
            }
        }
    }
}

/// Makes room for one more session: evicts the longest-silent client without an
/// allocation when full; false when every session holds an allocation.
fn make_room(sessions: &mut HashMap<SocketAddr, Session>, max: usize) -> bool {
    if sessions.len() < max {
        return true;
    }
    let oldest = sessions.iter().filter(|(_, s)| !s.has_allocation()).min_by_key(|(_, s)| s.last_seen).map(|(a, _)| *a);
    oldest.is_some_and(|a| sessions.remove(&a).is_some())
}

fn flush(socket: &UdpSocket, to: SocketAddr, out: &mut Vec<Vec<u8>>) {
    for d in out.drain(..) {
        if let Err(e) = socket.try_send_to(&d, to) {
            debug!(%to, error = %e, "TURN UDP send dropped");
        }
    }
}
