//! Unit tests of the session: the publish flow, split input, accept and reject, limits
//! and deadlines.

use std::time::{Duration, Instant};

use super::{RtmpEvent, RtmpSession};
use crate::amf0::{self, Amf0};
use crate::fuzzing::{client_command, client_message, publish_prefix};
use crate::rtmp::limits::Limits;
use crate::rtmp::message;
use crate::{DemuxError, Elementary};

fn events(s: &mut RtmpSession) -> Vec<RtmpEvent> {
    std::iter::from_fn(|| s.poll_event()).collect()
}

/// The AMF0 command names in the server's output after the handshake (chunk size 4096 or
/// less, each reply in one chunk, as every reply here is short).
fn replies(out: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = out.get(1 + 2 * 1536..).unwrap_or_default();
    while rest.len() >= 12 {
        let len = u32::from_be_bytes([0, rest[4], rest[5], rest[6]]) as usize;
        let type_id = rest[7];
        let body = &rest[12..12 + len];
        if type_id == message::COMMAND_AMF0 {
            let v = amf0::decode_all(body).expect("the server's AMF0 decodes");
            let code = v.get(3).and_then(|o| o.get("code")).and_then(Amf0::as_str).map(|c| format!(":{c}")).unwrap_or_default();
            names.push(format!("{}{code}", v[0].as_str().unwrap_or_default()));
        }
        rest = &rest[12 + len..];
    }
    names
}

fn media_frames() -> Vec<u8> {
    let mut b = Vec::new();
    b.extend(client_message(4, message::AUDIO, 1, 0, &[0xaf, 0, 0x11, 0x88], 4096));
    b.extend(client_message(6, message::VIDEO, 1, 0, &crate::flv::tests::avc_sequence_header(), 4096));
    b.extend(client_message(6, message::VIDEO, 1, 33, &crate::flv::tests::avc_frame(true, 66), 4096));
    b.extend(client_message(4, message::AUDIO, 1, 21, &[0xaf, 1, 0x21, 0x10], 4096));
    b
}

fn check_publish(out: &[u8], evs: &[RtmpEvent]) {
    assert_eq!(
        replies(out),
        vec!["_result:NetConnection.Connect.Success", "_result", "onFCPublish:NetStream.Publish.Start", "_result", "onStatus:NetStream.Publish.Start"]
    );
    let kinds: Vec<String> = evs
        .iter()
        .map(|e| match e {
            RtmpEvent::PublishRequested { app, stream_key } => format!("publish {app} {stream_key}"),
            RtmpEvent::Media(Elementary::AudioConfig(c)) => format!("aac {}", c.sample_rate),
            RtmpEvent::Media(Elementary::VideoConfig(c)) => format!("h264 {}x{}", c.width, c.height),
            RtmpEvent::Media(Elementary::Video(f)) => format!("video {} {}", f.dts_ms, f.pts_ms),
            RtmpEvent::Media(Elementary::Audio(a)) => format!("audio {}", a.pts_ms),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(kinds, vec!["publish x KEY", "aac 48000", "h264 320x240", "video 33 99", "audio 21"]);
}

#[test]
fn publish_flow_in_one_piece_and_byte_by_byte() {
    let t0 = Instant::now();
    for piece in [usize::MAX, 1, 7, 1537] {
        let mut s = RtmpSession::new(t0, Limits::default());
        let prefix = publish_prefix("x", "KEY?token=1");
        let (mut out, mut evs) = (Vec::new(), Vec::new());
        for c in prefix.chunks(piece.min(prefix.len())) {
            s.receive(c, t0).expect("valid");
            out.extend(s.poll_transmit().unwrap_or_default());
        }
        evs.extend(events(&mut s));
        s.accept();
        out.extend(s.poll_transmit().unwrap_or_default());
        let media = media_frames();
        for c in media.chunks(piece.min(media.len())) {
            s.receive(c, t0).expect("valid");
        }
        evs.extend(events(&mut s));
        check_publish(&out, &evs);
        s.receive(&client_command(1, &[Amf0::String("FCUnpublish".into()), Amf0::Number(6.0), Amf0::Null]), t0).expect("valid");
        assert_eq!(events(&mut s), vec![RtmpEvent::Unpublished]);
    }
}

#[test]
fn media_before_accept_is_dropped() {
    let t0 = Instant::now();
    let mut s = RtmpSession::new(t0, Limits::default());
    s.receive(&[publish_prefix("x", "KEY"), media_frames()].concat(), t0).expect("valid");
    assert_eq!(events(&mut s).len(), 1);
    assert_eq!(s.stats().dropped_media, 4);
}

#[test]
fn reject_sends_an_error_status_and_closes() {
    let t0 = Instant::now();
    let mut s = RtmpSession::new(t0, Limits::default());
    s.receive(&publish_prefix("x", "wrong"), t0).expect("valid");
    let out = s.poll_transmit().expect("replies");
    s.reject("unknown stream key");
    let err = s.poll_transmit().expect("the refusal");
    let v = amf0::decode_all(&err[12..]).expect("AMF0");
    assert_eq!(v[3].get("level").and_then(Amf0::as_str), Some("error"));
    assert_eq!(v[3].get("code").and_then(Amf0::as_str), Some("NetStream.Publish.BadName"));
    assert!(s.is_closed() && s.poll_timeout().is_none());
    assert!(!out.is_empty());
}

#[test]
fn bad_c0_is_refused_at_once() {
    let mut s = RtmpSession::new(Instant::now(), Limits::default());
    assert_eq!(s.receive(b"\x16\x03\x01", Instant::now()), Err(DemuxError::BadVersion(0x16)));
    assert!(s.is_closed());
}

#[test]
fn chunk_size_limits() {
    let t0 = Instant::now();
    for (size, want) in
        [(0x7fff_ffff, Err(DemuxError::ChunkSizeTooLarge { size: 0x7fff_ffff, max: 1 << 20 })), (0, Err(DemuxError::ChunkSizeZero)), (65536, Ok(()))]
    {
        let mut s = RtmpSession::new(t0, Limits::default());
        s.receive(&publish_prefix("x", "k"), t0).expect("valid");
        assert_eq!(s.receive(&client_message(2, message::SET_CHUNK_SIZE, 0, 0, &u32::to_be_bytes(size), 128), t0), want);
    }
}

#[test]
fn oversized_message_is_refused_before_its_bytes_arrive() {
    let t0 = Instant::now();
    let mut s = RtmpSession::new(t0, Limits::default());
    s.receive(&publish_prefix("x", "k"), t0).expect("valid");
    // A type 0 header announcing 0xfffffe bytes: over a 1 MiB limit, within the default 16 MiB.
    let mut s2 = RtmpSession::new(t0, Limits { max_message_len: 1 << 20, ..Limits::default() });
    s2.receive(&publish_prefix("x", "k"), t0).expect("valid");
    let header = [6u8, 0, 0, 0, 0xff, 0xff, 0xfe, 9, 1, 0, 0, 0];
    assert_eq!(s2.receive(&header, t0), Err(DemuxError::MessageTooLarge { len: 0xff_fffe, max: 1 << 20 }));
    assert!(s.receive(&header, t0).is_ok(), "16 MiB - 2 is within the default limit");
}

#[test]
fn deadlines_end_a_slow_or_silent_peer() {
    let t0 = Instant::now();
    let mut s = RtmpSession::new(t0, Limits::default());
    s.receive(&[3, 0, 0], t0).expect("a slow start");
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(10)));
    s.handle_timeout(t0 + Duration::from_secs(9)).expect("not yet");
    s.receive(&[0; 100], t0 + Duration::from_secs(9)).expect("still slow");
    assert_eq!(s.handle_timeout(t0 + Duration::from_secs(10)), Err(DemuxError::HandshakeTimeout(Duration::from_secs(10))));
    assert!(s.is_closed());

    let mut s = RtmpSession::new(t0, Limits::default());
    s.receive(&publish_prefix("x", "k"), t0).expect("valid");
    s.accept();
    assert_eq!(s.poll_timeout(), Some(t0 + Duration::from_secs(30)));
    assert_eq!(s.handle_timeout(t0 + Duration::from_secs(30)), Err(DemuxError::IdleTimeout(Duration::from_secs(30))));
}

#[test]
fn acknowledges_the_peer_window_and_answers_pings() {
    let t0 = Instant::now();
    let mut s = RtmpSession::new(t0, Limits::default());
    s.receive(&publish_prefix("x", "k"), t0).expect("valid");
    s.poll_transmit();
    s.receive(&client_message(2, message::WINDOW_ACK_SIZE, 0, 0, &1000u32.to_be_bytes(), 128), t0).expect("valid");
    let out = s.poll_transmit().expect("an acknowledgement");
    assert_eq!(out[7], message::ACK);
    let acked = u32::from_be_bytes([out[12], out[13], out[14], out[15]]);
    assert_eq!(u64::from(acked), s.stats().bytes_in);
    let mut ping = 6u16.to_be_bytes().to_vec();
    ping.extend_from_slice(&77u32.to_be_bytes());
    s.receive(&client_message(2, message::USER_CONTROL, 0, 0, &ping, 128), t0).expect("valid");
    let out = s.poll_transmit().expect("a ping response");
    assert_eq!(out[7], message::USER_CONTROL);
    assert_eq!(&out[12..18], &[0, 7, 0, 0, 0, 77]);
}
