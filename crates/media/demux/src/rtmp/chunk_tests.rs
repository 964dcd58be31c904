//! Unit tests of the chunk decoder: every header type, extended timestamps, interleaved
//! chunk streams, splits anywhere, and the limits.

use super::ChunkDecoder;
use crate::DemuxError;
use crate::rtmp::limits::Limits;
use crate::rtmp::message::Message;

/// A chunk: basic header for `csid`, the message header of `fmt` from `fields`
/// (time, length, type, stream), an extended timestamp if `ext`, then `payload`.
fn chunk(fmt: u8, csid: u32, fields: (u32, u32, u8, u32), ext: Option<u32>, payload: &[u8]) -> Vec<u8> {
    let mut b = Vec::new();
    match csid {
        2..=63 => b.push((fmt << 6) | csid as u8),
        64..=319 => b.extend_from_slice(&[fmt << 6, (csid - 64) as u8]),
        _ => b.extend_from_slice(&[(fmt << 6) | 1, ((csid - 64) & 0xff) as u8, ((csid - 64) >> 8) as u8]),
    }
    let (time, len, type_id, sid) = fields;
    if fmt < 3 {
        b.extend_from_slice(&time.to_be_bytes()[1..]);
    }
    if fmt < 2 {
        b.extend_from_slice(&len.to_be_bytes()[1..]);
        b.push(type_id);
    }
    if fmt == 0 {
        b.extend_from_slice(&sid.to_le_bytes());
    }
    if let Some(e) = ext {
        b.extend_from_slice(&e.to_be_bytes());
    }
    b.extend_from_slice(payload);
    b
}

fn decode_all(d: &mut ChunkDecoder, mut input: &[u8]) -> Result<Vec<Message>, DemuxError> {
    let mut out = Vec::new();
    while let Some(m) = d.next(&mut input)? {
        out.push(m);
    }
    assert!(input.is_empty());
    Ok(out)
}

/// Two messages interleaved on chunk streams 4 and 320, in 128-byte chunks, using all four
/// header types and an extended timestamp.
fn sample() -> Vec<u8> {
    let a: Vec<u8> = (0..200).map(|i| i as u8).collect();
    let v: Vec<u8> = (0..150).map(|i| (i * 3) as u8).collect();
    [
        chunk(0, 4, (1000, 200, 8, 1), None, &a[..128]),
        chunk(0, 320, (0xff_ffff, 150, 9, 1), Some(0x0100_0000), &v[..128]),
        chunk(3, 4, (0, 0, 0, 0), None, &a[128..]),
        chunk(3, 320, (0, 0, 0, 0), Some(0x0100_0000), &v[128..]),
        chunk(1, 4, (20, 3, 8, 0), None, &[1, 2, 3]),
        chunk(2, 4, (21, 0, 0, 0), None, &[4, 5, 6]),
        chunk(3, 4, (0, 0, 0, 0), None, &[7, 8, 9]),
    ]
    .concat()
}

fn check(msgs: &[Message]) {
    let got: Vec<(u8, u32, u32, usize)> = msgs.iter().map(|m| (m.type_id, m.stream_id, m.timestamp, m.payload.len())).collect();
    assert_eq!(got, vec![(8, 1, 1000, 200), (9, 1, 0x0100_0000, 150), (8, 1, 1020, 3), (8, 1, 1041, 3), (8, 1, 1062, 3)]);
    assert_eq!(msgs[0].payload[199], 199);
    assert_eq!(msgs[1].payload[149], (149 * 3) as u8);
    assert_eq!(&msgs[4].payload[..], &[7, 8, 9]);
}

#[test]
fn every_header_type_and_interleaving() {
    let mut d = ChunkDecoder::new(&Limits::default());
    check(&decode_all(&mut d, &sample()).expect("valid"));
}

#[test]
fn split_anywhere_gives_the_same_messages() {
    let bytes = sample();
    let mut d = ChunkDecoder::new(&Limits::default());
    let mut msgs = Vec::new();
    for b in &bytes {
        msgs.extend(decode_all(&mut d, std::slice::from_ref(b)).expect("valid"));
    }
    check(&msgs);
    for cut in 1..bytes.len() {
        let mut d = ChunkDecoder::new(&Limits::default());
        let mut msgs = decode_all(&mut d, &bytes[..cut]).expect("valid");
        msgs.extend(decode_all(&mut d, &bytes[cut..]).expect("valid"));
        check(&msgs);
    }
}

#[test]
fn larger_chunk_size_and_abort() {
    let mut d = ChunkDecoder::new(&Limits::default());
    d.set_chunk_size(4096);
    let big = vec![9u8; 3000];
    let msgs = decode_all(&mut d, &chunk(0, 6, (5, 3000, 9, 1), None, &big)).expect("one chunk");
    assert_eq!(msgs[0].payload.len(), 3000);
    d.set_chunk_size(128);
    assert!(decode_all(&mut d, &chunk(0, 6, (5, 3000, 9, 1), None, &big[..128])).expect("partial").is_empty());
    d.abort(6);
    let msgs = decode_all(&mut d, &chunk(0, 6, (6, 2, 9, 1), None, &[1, 2])).expect("a fresh message");
    assert_eq!(&msgs[0].payload[..], &[1, 2]);
}

#[test]
fn a_header_without_a_previous_one_is_refused() {
    let mut d = ChunkDecoder::new(&Limits::default());
    assert_eq!(decode_all(&mut d, &chunk(1, 7, (0, 1, 8, 0), None, &[0])), Err(DemuxError::NoPreviousHeader { fmt: 1, csid: 7 }));
}

#[test]
fn oversized_messages_and_too_many_streams_are_refused() {
    let limits = Limits { max_message_len: 1000, max_chunk_streams: 3, ..Limits::default() };
    let mut d = ChunkDecoder::new(&limits);
    assert_eq!(decode_all(&mut d, &chunk(0, 3, (0, 0xff_fff0, 9, 1), None, &[])), Err(DemuxError::MessageTooLarge { len: 0xff_fff0, max: 1000 }));
    let mut d = ChunkDecoder::new(&limits);
    let many: Vec<u8> = (10..14).flat_map(|c| chunk(0, c, (0, 10, 9, 1), None, &[0; 10])).collect();
    assert_eq!(decode_all(&mut d, &many), Err(DemuxError::TooManyChunkStreams(3)));
}

#[test]
fn partial_messages_are_bounded_in_total() {
    let limits = Limits { max_buffered: 1000, ..Limits::default() };
    let mut d = ChunkDecoder::new(&limits);
    let many: Vec<u8> = (10..30).flat_map(|c| chunk(0, c, (0, 100_000, 9, 1), None, &[0; 128])).collect();
    assert_eq!(decode_all(&mut d, &many), Err(DemuxError::TooMuchBuffered(1000)));
}
