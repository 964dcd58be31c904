//! The input path of `fuzz/fuzz_targets/srt_listener.rs`: datagrams on the SRT port from
//! two callers, and time, fed to the listener's [`Acceptor`] the way its driver feeds them
//! (a caller whose stream id is `sk` is accepted, others refused), without sockets.
//! `seed` gives records of a real handshake (srt_protocol's caller) for the corpus.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use srt_protocol::packet::{Packet, RejectReason, SeqNumber, ServerRejectReason};
use srt_protocol::protocol::pending_connection::ConnectionResult;
use srt_protocol::protocol::pending_connection::connect::Connect;
use srt_protocol::settings::ConnInitSettings;

use crate::srt::accept::{Acceptor, Event, serialize};
use crate::srt::stream_id::stream_key;

const A: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::new(198, 51, 100, 7)), 50_000);
const B: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 9)), 7_000);
const LISTENER: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1)), 9_710);

/// libFuzzer's panic hook aborts on every panic, caught or not; srt-protocol's panics that
/// the listener catches (`srt::guard`) are handled refusals, not crashes. Wraps that hook
/// once so those unwind to their catch and every other panic still aborts.
fn let_guarded_panics_unwind() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let abort = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !crate::srt::guard::in_guarded() {
                abort(info);
            }
        }));
    });
}

/// One record: `[kind, len_hi, len_lo, bytes...]`.
pub fn record(kind: u8, bytes: &[u8]) -> Vec<u8> {
    let len = bytes.len().min(usize::from(u16::MAX));
    [&[kind][..], &(len as u16).to_be_bytes(), &bytes[..len]].concat()
}

/// Where a handshake holds its SYN cookie.
const COOKIE: std::ops::Range<usize> = 44..48;

/// Feeds `data` as records: kind 0 a datagram from caller A, 1 from caller B, 2 time
/// passing (the first byte, in 100 ms) and a sweep, 3 the end of A's session. A's
/// conclusion handshakes get the cookie the acceptor last sent A (a cookie depends on the
/// wall clock, so a corpus could not hold a valid one). Never panics (that is what the
/// fuzz target checks). Returns how many sessions opened.
pub fn feed(data: &[u8]) -> usize {
    let_guarded_panics_unwind();
    let mut acceptor = Acceptor::<u32>::new(false);
    let mut now = Instant::now();
    let mut ended = false;
    let mut cookie: Option<Vec<u8>> = None;
    let mut opened = 0;
    let mut rest = data;
    while let [kind, hi, lo, tail @ ..] = rest {
        let len = usize::from(u16::from_be_bytes([*hi, *lo])).min(tail.len());
        let (chunk, next) = tail.split_at(len);
        rest = next;
        match kind % 4 {
            0 => {
                let mut datagram = chunk.to_vec();
                let conclusion = datagram.get(..2) == Some(&[0x80, 0][..]) && datagram.get(36..40) == Some(&[0xff; 4][..]);
                if let (true, Some(cookie), Some(at)) = (conclusion, &cookie, datagram.get_mut(COOKIE)) {
                    at.copy_from_slice(cookie);
                }
                let _ = acceptor.receive(now, A, &datagram);
            }
            1 => {
                let _ = acceptor.receive(now, B, chunk);
            }
            2 => {
                now += Duration::from_millis(100 * u64::from(chunk.first().copied().unwrap_or(1)));
                acceptor.sweep(now, |_| !ended);
            }
            _ => {
                ended = true;
                acceptor.close(A);
            }
        }
        while let Some(event) = acceptor.poll() {
            match event {
                Event::Send(to, bytes) if to == A => cookie = bytes.get(COOKIE).map(<[u8]>::to_vec).or(cookie),
                Event::Decide(request) => {
                    let decision = match request.stream_id.as_deref().map(stream_key) {
                        Some(Ok("sk")) => Ok(1),
                        _ => Err(RejectReason::Server(ServerRejectReason::Forbidden)),
                    };
                    acceptor.decide(now, &request, decision);
                }
                Event::Open(..) => opened += 1,
                Event::Send(..) => {}
            }
        }
    }
    opened
}

/// Records of caller A's handshake with stream id `stream_id` as srt_protocol's caller
/// sends it (induction, then conclusion), then a keepalive-sized tail of `extra`.
pub fn seed(stream_id: &str, extra: &[u8]) -> Vec<u8> {
    let now = Instant::now();
    let mut acceptor = Acceptor::<u32>::new(false);
    let mut caller = Connect::new(LISTENER, A.ip(), ConnInitSettings::default(), Some(stream_id.to_owned()), SeqNumber::new_truncate(1));
    let mut out = Vec::new();
    let mut next = match caller.handle_tick(now) {
        ConnectionResult::SendPacket((p, _)) => Some(serialize(&p)),
        _ => None,
    };
    while let Some(datagram) = next.take() {
        out.extend(record(0, &datagram));
        let _ = acceptor.receive(now, A, &datagram);
        while let Some(event) = acceptor.poll() {
            if let Event::Send(_, bytes) = event
                && let Ok(packet) = Packet::parse(&mut &bytes[..], false)
                && let ConnectionResult::SendPacket((p, _)) = caller.handle_packet(Ok((packet, LISTENER)), now)
            {
                next = Some(serialize(&p));
            }
        }
    }
    out.extend(record(0, extra));
    out
}

#[cfg(test)]
mod tests {
    use super::{feed, record, seed};

    #[test]
    fn a_seed_holds_the_induction_and_the_conclusion_and_feeds() {
        let s = seed("sk", &[0x80, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        assert!(s.len() > 64 + 48, "two handshakes");
        assert_eq!(feed(&s), 1, "the caller is accepted, whatever second the seed was made in");
        assert_eq!(feed(&seed("nope", &[])), 0, "another key is refused");
        feed(&[s.clone(), record(2, &[200]), record(3, &[]), s].concat());
    }
}
