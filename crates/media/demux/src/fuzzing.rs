//! The input paths of the fuzz targets (`fuzz/fuzz_targets/rtmp_session.rs`, `flv_tag.rs`,
//! `mpegts_demux.rs`) and the publisher's side of RTMP that tests and seeds build input
//! with. Each `feed_*` drives a parser the way a driver does and must never panic.

use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::amf0::{self, Amf0};
use crate::rtmp::message;
use crate::{FlvDemuxer, Limits, RtmpSession};

/// A client's C1/C2 (any 1536 bytes will do).
const SIG: [u8; 1536] = [0x5a; 1536];

/// One message as a publisher sends it: chunk stream `csid` (2 to 63), chunk size
/// `chunk_size`, the given timestamp.
pub fn client_message(csid: u8, type_id: u8, stream_id: u32, timestamp: u32, payload: &[u8], chunk_size: u32) -> Vec<u8> {
    let mut out = Vec::new();
    message::write(&mut out, csid, type_id, stream_id, payload, chunk_size);
    // `write` stamps zero; put the timestamp in the type 0 header.
    out[1..4].copy_from_slice(&timestamp.min(0xff_fffe).to_be_bytes()[1..]);
    out
}

/// An AMF0 command message on chunk stream 3.
pub fn client_command(stream_id: u32, values: &[Amf0]) -> Vec<u8> {
    client_message(3, message::COMMAND_AMF0, stream_id, 0, &amf0::encode_all(values), 128)
}

fn s(v: &str) -> Amf0 {
    Amf0::String(v.into())
}

/// What ffmpeg sends up to and including `publish`: C0, C1, C2, `connect` (app `app`),
/// Set Chunk Size 4096, `releaseStream`, `FCPublish`, `createStream`, `publish(name)` on
/// stream 1. Media messages that follow use chunks of 4096.
pub fn publish_prefix(app: &str, name: &str) -> Vec<u8> {
    let mut b = vec![3];
    b.extend_from_slice(&SIG);
    b.extend_from_slice(&SIG);
    let connect = Amf0::Object(vec![
        ("app".into(), s(app)),
        ("type".into(), s("nonprivate")),
        ("flashVer".into(), s("FMLE/3.0 (compatible; Lavf59.27.100)")),
        ("tcUrl".into(), s(&format!("rtmp://127.0.0.1:1935/{app}"))),
    ]);
    b.extend(client_command(0, &[s("connect"), Amf0::Number(1.0), connect]));
    b.extend(client_message(2, message::SET_CHUNK_SIZE, 0, 0, &4096u32.to_be_bytes(), 128));
    b.extend(client_command(0, &[s("releaseStream"), Amf0::Number(2.0), Amf0::Null, s(name)]));
    b.extend(client_command(0, &[s("FCPublish"), Amf0::Number(3.0), Amf0::Null, s(name)]));
    b.extend(client_command(0, &[s("createStream"), Amf0::Number(4.0), Amf0::Null]));
    b.extend(client_command(1, &[s("publish"), Amf0::Number(5.0), Amf0::Null, s(name), s("live")]));
    b
}

/// Feeds `data` to a fresh RTMP session. The first byte chooses how: even, `data[1..]`
/// from the first byte of the connection; odd, after [`publish_prefix`] and `accept`, as
/// chunks of the publishing connection. The input is cut into pieces of 1 to 64 bytes
/// (sizes from the first byte) with time advancing, then the deadlines are checked.
pub fn feed_rtmp(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else { return };
    let start = Instant::now();
    let mut session = RtmpSession::new(start, Limits { max_message_len: 1 << 20, max_buffered: 2 << 20, ..Limits::default() });
    if mode % 2 == 1 {
        let ok = session.receive(&publish_prefix("x", "key"), start).is_ok();
        assert!(ok, "the prefix is a valid publish");
        assert!(matches!(session.poll_event(), Some(crate::RtmpEvent::PublishRequested { .. })));
        session.accept();
    }
    let piece = usize::from(mode >> 2).max(1);
    for (i, chunk) in rest.chunks(piece).enumerate() {
        let now = start + Duration::from_millis(i as u64);
        if session.receive(chunk, now).is_err() {
            assert!(session.is_closed());
            break;
        }
        while session.poll_event().is_some() {}
        let _ = session.poll_transmit();
    }
    let deadline = session.poll_timeout();
    if let Some(t) = deadline {
        assert!(session.handle_timeout(t).is_err(), "a deadline reached is an error");
    }
}

/// Feeds `data` as tag bodies to one FLV demuxer: records `[kind, len_hi, len_lo, bytes…]`
/// where an even kind is an audio tag, an odd one a video tag, with the timestamp stepping
/// by the kind's value.
pub fn feed_flv(data: &[u8]) {
    let mut d = FlvDemuxer::new();
    let mut rest = data;
    let mut ts: u32 = 0;
    while let [kind, hi, lo, tail @ ..] = rest {
        let len = (usize::from(*hi) << 8 | usize::from(*lo)).min(tail.len());
        let body = Bytes::copy_from_slice(&tail[..len]);
        rest = &tail[len..];
        ts = ts.wrapping_add(u32::from(*kind) << 20);
        let r = if kind % 2 == 0 { d.audio(ts, &body) } else { d.video(ts, &body) };
        if let Ok(Some(crate::Elementary::Video(f))) = r {
            assert!(f.nalus.iter().all(|n| !n.is_empty()), "no empty NAL units");
        }
    }
}

/// Feeds `data[1..]` to a TS demuxer in pieces of 1 to 256 bytes (the size from `data[0]`),
/// polling every unit, then flushes.
pub fn feed_ts(data: &[u8]) {
    let Some((&size, rest)) = data.split_first() else { return };
    let mut d = crate::TsDemuxer::with_max_pes(1 << 20);
    let check = |d: &mut crate::TsDemuxer| {
        while let Some(u) = d.poll() {
            if let crate::Elementary::Video(f) = u {
                assert!(!f.nalus.is_empty() && f.nalus.iter().all(|n| !n.is_empty()), "no empty access units or NAL units");
            }
        }
    };
    for piece in rest.chunks(usize::from(size) + 1) {
        let _ = d.push(piece);
        check(&mut d);
    }
    d.flush();
    check(&mut d);
}
