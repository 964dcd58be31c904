//! The AMF0 commands of the publish flow (`connect`, `releaseStream`, `FCPublish`,
//! `createStream`, `publish`, `FCUnpublish`/`deleteStream`/`closeStream`) and the server's
//! replies (`_result`, `onFCPublish`, `onStatus`).

use crate::DemuxError;
use crate::amf0::{self, Amf0};

/// A command from the publisher.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Command {
    /// `connect(txn, {app, tcUrl, objectEncoding, …})`.
    Connect { txn: f64, app: String, tc_url: Option<String>, object_encoding: f64 },
    /// `releaseStream(txn, null, name)`.
    ReleaseStream { txn: f64 },
    /// `FCPublish(txn, null, name)`.
    FcPublish { txn: f64, name: String },
    /// `createStream(txn, null)`.
    CreateStream { txn: f64 },
    /// `publish(txn, null, name, type)`.
    Publish { name: String },
    /// `FCUnpublish`, `deleteStream` or `closeStream`: the publisher is done.
    Unpublish,
    /// Anything else (`getStreamLength`, `_checkbw`, `ping`, …): ignored.
    Other(String),
}

fn string_at(v: &[Amf0], i: usize) -> String {
    v.get(i).and_then(Amf0::as_str).unwrap_or_default().to_owned()
}

/// Reads a command message body (AMF0; an AMF3 command's leading 0 byte already skipped).
pub(crate) fn parse(body: &[u8]) -> Result<Command, DemuxError> {
    let v = amf0::decode_all(body)?;
    let name = v.first().and_then(Amf0::as_str).ok_or(DemuxError::invalid("RTMP command", "no command name"))?;
    let txn = v.get(1).and_then(Amf0::as_f64).unwrap_or(0.0);
    Ok(match name {
        "connect" => {
            let obj = v.get(2).ok_or(DemuxError::invalid("connect command", "no command object"))?;
            Command::Connect {
                txn,
                app: obj.get("app").and_then(Amf0::as_str).unwrap_or_default().to_owned(),
                tc_url: obj.get("tcUrl").and_then(Amf0::as_str).map(str::to_owned),
                object_encoding: obj.get("objectEncoding").and_then(Amf0::as_f64).unwrap_or(0.0),
            }
        }
        "releaseStream" => Command::ReleaseStream { txn },
        "FCPublish" => Command::FcPublish { txn, name: string_at(&v, 3) },
        "createStream" => Command::CreateStream { txn },
        "publish" => Command::Publish { name: string_at(&v, 3) },
        "FCUnpublish" | "deleteStream" | "closeStream" => Command::Unpublish,
        other => Command::Other(other.chars().take(64).collect()),
    })
}

fn status(level: &str, code: &str, description: &str) -> Amf0 {
    Amf0::Object(vec![
        ("level".into(), Amf0::String(level.into())),
        ("code".into(), Amf0::String(code.into())),
        ("description".into(), Amf0::String(description.into())),
    ])
}

/// `_result` of `connect`: the server's properties and NetConnection.Connect.Success.
pub(crate) fn connect_result(txn: f64, object_encoding: f64) -> Vec<u8> {
    let props = Amf0::Object(vec![
        ("fmsVer".into(), Amf0::String("FMS/3,0,1,123".into())),
        ("capabilities".into(), Amf0::Number(31.0)),
        ("mode".into(), Amf0::Number(1.0)),
    ]);
    let Amf0::Object(mut info) = status("status", "NetConnection.Connect.Success", "Connection succeeded.") else { return Vec::new() };
    info.push(("objectEncoding".into(), Amf0::Number(object_encoding)));
    amf0::encode_all(&[Amf0::String("_result".into()), Amf0::Number(txn), props, Amf0::Object(info)])
}

/// `_result(txn, null, value)`.
pub(crate) fn result(txn: f64, value: Amf0) -> Vec<u8> {
    amf0::encode_all(&[Amf0::String("_result".into()), Amf0::Number(txn), Amf0::Null, value])
}

/// `onFCPublish(0, null, {code: NetStream.Publish.Start, description: name})`.
pub(crate) fn on_fc_publish(name: &str) -> Vec<u8> {
    let info = Amf0::Object(vec![("code".into(), Amf0::String("NetStream.Publish.Start".into())), ("description".into(), Amf0::String(name.into()))]);
    amf0::encode_all(&[Amf0::String("onFCPublish".into()), Amf0::Number(0.0), Amf0::Null, info])
}

/// `onStatus(0, null, {level, code, description})`.
pub(crate) fn on_status(level: &str, code: &str, description: &str) -> Vec<u8> {
    amf0::encode_all(&[Amf0::String("onStatus".into()), Amf0::Number(0.0), Amf0::Null, status(level, code, description)])
}
