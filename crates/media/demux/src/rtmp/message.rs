//! RTMP messages: what the chunk layer reassembles, the message type ids, and the
//! protocol control and user control messages the server sends.

use bytes::Bytes;

/// Set Chunk Size.
pub(crate) const SET_CHUNK_SIZE: u8 = 1;
/// Abort Message.
pub(crate) const ABORT: u8 = 2;
/// Acknowledgement.
pub(crate) const ACK: u8 = 3;
/// User Control Message.
pub(crate) const USER_CONTROL: u8 = 4;
/// Window Acknowledgement Size.
pub(crate) const WINDOW_ACK_SIZE: u8 = 5;
/// Set Peer Bandwidth.
pub(crate) const SET_PEER_BANDWIDTH: u8 = 6;
/// Audio data (an FLV audio tag body).
pub(crate) const AUDIO: u8 = 8;
/// Video data (an FLV video tag body).
pub(crate) const VIDEO: u8 = 9;
/// Data message, AMF3 flavour.
pub(crate) const DATA_AMF3: u8 = 15;
/// Command message, AMF3 flavour.
pub(crate) const COMMAND_AMF3: u8 = 17;
/// Data message, AMF0.
pub(crate) const DATA_AMF0: u8 = 18;
/// Command message, AMF0.
pub(crate) const COMMAND_AMF0: u8 = 20;
/// Aggregate message (FLV tags back to back).
pub(crate) const AGGREGATE: u8 = 22;

/// User control event: Stream Begin.
pub(crate) const UC_STREAM_BEGIN: u16 = 0;
/// User control event: Ping Request.
pub(crate) const UC_PING_REQUEST: u16 = 6;
/// User control event: Ping Response.
pub(crate) const UC_PING_RESPONSE: u16 = 7;

/// The chunk stream the server sends protocol control messages on.
pub(crate) const CSID_CONTROL: u8 = 2;
/// The chunk stream the server sends replies on message stream 0.
pub(crate) const CSID_COMMAND: u8 = 3;
/// The chunk stream the server sends replies on a media message stream.
pub(crate) const CSID_STREAM: u8 = 5;

/// One reassembled message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    /// The message type id.
    pub(crate) type_id: u8,
    /// The message stream id (0 for the connection, then those `createStream` gave).
    pub(crate) stream_id: u32,
    /// The 32-bit timestamp, milliseconds.
    pub(crate) timestamp: u32,
    /// The body.
    pub(crate) payload: Bytes,
}

/// Appends `payload` as one message of `type_id` on `stream_id`, in chunks of `chunk_size`
/// on chunk stream `csid` (below 64), with a zero timestamp.
pub(crate) fn write(out: &mut Vec<u8>, csid: u8, type_id: u8, stream_id: u32, payload: &[u8], chunk_size: u32) {
    let len = u32::try_from(payload.len()).unwrap_or(u32::MAX).min(0xff_ffff);
    out.push(csid & 0x3f);
    out.extend_from_slice(&[0, 0, 0]);
    out.extend_from_slice(&len.to_be_bytes()[1..]);
    out.push(type_id);
    out.extend_from_slice(&stream_id.to_le_bytes());
    let size = usize::try_from(chunk_size.max(1)).unwrap_or(4096);
    for (i, chunk) in payload[..len as usize].chunks(size).enumerate() {
        if i > 0 {
            out.push(0xc0 | (csid & 0x3f));
        }
        out.extend_from_slice(chunk);
    }
}

/// Appends a protocol control message with a 32-bit body (Set Chunk Size, Window
/// Acknowledgement Size, Acknowledgement).
pub(crate) fn control(out: &mut Vec<u8>, type_id: u8, value: u32) {
    write(out, CSID_CONTROL, type_id, 0, &value.to_be_bytes(), 128);
}

/// Appends Set Peer Bandwidth (limit type 2, dynamic).
pub(crate) fn peer_bandwidth(out: &mut Vec<u8>, window: u32) {
    let mut body = window.to_be_bytes().to_vec();
    body.push(2);
    write(out, CSID_CONTROL, SET_PEER_BANDWIDTH, 0, &body, 128);
}

/// Appends a user control message: an event and its 32-bit value.
pub(crate) fn user_control(out: &mut Vec<u8>, event: u16, value: u32) {
    let mut body = event.to_be_bytes().to_vec();
    body.extend_from_slice(&value.to_be_bytes());
    write(out, CSID_CONTROL, USER_CONTROL, 0, &body, 128);
}
