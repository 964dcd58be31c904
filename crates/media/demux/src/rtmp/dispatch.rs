//! What an [`RtmpSession`] does with each reassembled message: protocol control, user
//! control, the publish flow's commands, metadata, and audio/video (also inside aggregate
//! messages) read as FLV tags.

use bytes::Bytes;

use super::command::{self, Command};
use super::message::{self, Message};
use super::metadata::StreamMetadata;
use super::session::{Publish, RtmpEvent, RtmpSession};
use super::url::publish_target;
use crate::DemuxError;
use crate::amf0::{self, Amf0};
use crate::bits::Bytes as Reader;

/// The most message streams `createStream` hands out on one connection.
const MAX_STREAMS: u32 = 16;

impl RtmpSession {
    /// Handles one message from the peer.
    pub(crate) fn on_message(&mut self, m: Message) -> Result<(), DemuxError> {
        let mut r = Reader::new(&m.payload, "RTMP control message");
        match m.type_id {
            message::SET_CHUNK_SIZE => {
                let size = r.u32()? & 0x7fff_ffff;
                if size == 0 {
                    return Err(DemuxError::ChunkSizeZero);
                }
                if size > self.limits.max_chunk_size {
                    return Err(DemuxError::ChunkSizeTooLarge { size, max: self.limits.max_chunk_size });
                }
                self.decoder.set_chunk_size(size);
            }
            message::ABORT => self.decoder.abort(r.u32()?),
            message::WINDOW_ACK_SIZE => self.peer_window = Some(r.u32()?.max(1)),
            message::USER_CONTROL if r.u16()? == message::UC_PING_REQUEST => {
                message::user_control(&mut self.out, message::UC_PING_RESPONSE, r.u32()?);
            }
            message::AUDIO | message::VIDEO => self.media(m.type_id, m.timestamp, &m.payload)?,
            message::AGGREGATE => self.aggregate(&m)?,
            message::COMMAND_AMF0 => self.command(command::parse(&m.payload)?, m.stream_id)?,
            message::COMMAND_AMF3 => self.command(command::parse(m.payload.get(1..).unwrap_or_default())?, m.stream_id)?,
            message::DATA_AMF0 => self.data(&m.payload),
            message::DATA_AMF3 => self.data(m.payload.get(1..).unwrap_or_default()),
            _ => {} // acknowledgements, peer bandwidth, shared objects, …
        }
        Ok(())
    }

    /// Sends a command reply on message stream 0.
    fn reply(&mut self, body: &[u8]) {
        message::write(&mut self.out, message::CSID_COMMAND, message::COMMAND_AMF0, 0, body, self.limits.out_chunk_size);
    }

    fn command(&mut self, c: Command, stream_id: u32) -> Result<(), DemuxError> {
        match c {
            Command::Connect { txn, app, tc_url, object_encoding } => {
                self.app = Some(app);
                self.tc_url = tc_url;
                message::control(&mut self.out, message::WINDOW_ACK_SIZE, self.limits.window_ack_size);
                message::peer_bandwidth(&mut self.out, self.limits.window_ack_size);
                message::control(&mut self.out, message::SET_CHUNK_SIZE, self.limits.out_chunk_size);
                self.reply(&command::connect_result(txn, object_encoding));
            }
            Command::ReleaseStream { txn } => self.reply(&command::result(txn, Amf0::Undefined)),
            Command::FcPublish { name, .. } => self.reply(&command::on_fc_publish(&name)),
            Command::CreateStream { txn } => {
                if self.next_stream_id > MAX_STREAMS {
                    return Err(DemuxError::invalid("createStream", format!("more than {MAX_STREAMS} streams")));
                }
                self.reply(&command::result(txn, Amf0::Number(f64::from(self.next_stream_id))));
                self.next_stream_id += 1;
            }
            Command::Publish { name } => {
                let app = self.app.as_deref().ok_or(DemuxError::invalid("publish command", "before connect"))?;
                if self.publish != Publish::None {
                    return Err(DemuxError::invalid("publish command", "a second publish on one connection"));
                }
                let (app, stream_key) = publish_target(app, self.tc_url.as_deref(), &name);
                self.publish = Publish::Pending { stream_id, key: stream_key.clone() };
                self.events.push_back(RtmpEvent::PublishRequested { app, stream_key });
            }
            Command::Unpublish => {
                if matches!(self.publish, Publish::Live { .. }) {
                    self.events.push_back(RtmpEvent::Unpublished);
                }
                if self.publish != Publish::None {
                    self.publish = Publish::Ended;
                }
            }
            Command::Other(_) => {}
        }
        Ok(())
    }

    /// `@setDataFrame("onMetaData", {…})` or `onMetaData({…})`: told once live; a body
    /// that does not parse is ignored (metadata is informative only).
    fn data(&mut self, body: &[u8]) {
        let Ok(v) = amf0::decode_all(body) else { return };
        let mut it = v.iter().skip_while(|x| x.as_str() == Some("@setDataFrame"));
        if it.next().and_then(Amf0::as_str) != Some("onMetaData") {
            return;
        }
        if let (Some(obj), Publish::Live { .. }) = (it.next(), &self.publish) {
            self.events.push_back(RtmpEvent::Metadata(StreamMetadata::from_amf(obj)));
        }
    }

    fn media(&mut self, type_id: u8, timestamp: u32, body: &Bytes) -> Result<(), DemuxError> {
        if !matches!(self.publish, Publish::Live { .. }) {
            self.stats.dropped_media += 1;
            return Ok(());
        }
        self.stats.media_bytes += body.len() as u64;
        let unit = if type_id == message::AUDIO {
            self.stats.audio_messages += 1;
            self.flv.audio(timestamp, body)?
        } else {
            self.stats.video_messages += 1;
            self.flv.video(timestamp, body)?
        };
        self.events.extend(unit.map(RtmpEvent::Media));
        Ok(())
    }

    /// An aggregate message: FLV tags (11-byte header, body, 4-byte back pointer) whose
    /// timestamps count from the message's own.
    fn aggregate(&mut self, m: &Message) -> Result<(), DemuxError> {
        let mut r = Reader::new(&m.payload, "RTMP aggregate message");
        let mut first = None;
        while r.remaining() >= 11 {
            let type_id = r.u8()?;
            let size = r.u24()? as usize;
            let ts = r.u24()? | (u32::from(r.u8()?) << 24);
            r.u24()?;
            let start = r.pos();
            r.take(size)?;
            if r.remaining() >= 4 {
                r.u32()?;
            }
            let base = *first.get_or_insert(ts);
            let timestamp = m.timestamp.wrapping_add(ts.wrapping_sub(base));
            if type_id == message::AUDIO || type_id == message::VIDEO {
                self.media(type_id, timestamp, &m.payload.slice(start..start + size))?;
            }
        }
        Ok(())
    }
}
