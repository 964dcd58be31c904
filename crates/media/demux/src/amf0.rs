//! AMF0 (Action Message Format 0), the encoding of RTMP commands and metadata: the types
//! encoders send (number, boolean, string, object, null, undefined, ECMA array, strict
//! array, date, long string, XML document), decoded with a nesting limit and without
//! allocating from a peer-given count, and encoded for the server's replies.

use crate::DemuxError;
use crate::bits::Bytes as Reader;

/// How deep objects and arrays may nest.
pub const MAX_DEPTH: usize = 32;

/// One AMF0 value.
#[derive(Debug, Clone, PartialEq)]
pub enum Amf0 {
    /// Number (marker 0x00), a float64.
    Number(f64),
    /// Boolean (0x01).
    Boolean(bool),
    /// String (0x02) or long string (0x0C); decoded lossily as UTF-8.
    String(String),
    /// Object (0x03): ordered properties.
    Object(Vec<(String, Amf0)>),
    /// Null (0x05).
    Null,
    /// Undefined (0x06).
    Undefined,
    /// ECMA array (0x08): ordered properties (the announced count is not trusted).
    EcmaArray(Vec<(String, Amf0)>),
    /// Strict array (0x0A).
    StrictArray(Vec<Amf0>),
    /// Date (0x0B): milliseconds since the epoch and a time zone offset (in minutes).
    Date(f64, i16),
    /// XML document (0x0F), kept as its text.
    Xml(String),
}

impl Amf0 {
    /// The property `key` of an object or ECMA array.
    pub fn get(&self, key: &str) -> Option<&Amf0> {
        match self {
            Amf0::Object(p) | Amf0::EcmaArray(p) => p.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string inside, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Amf0::String(s) => Some(s),
            _ => None,
        }
    }

    /// The number inside, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Amf0::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// Appends the encoding of this value to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Amf0::Number(n) => {
                out.push(0x00);
                out.extend_from_slice(&n.to_be_bytes());
            }
            Amf0::Boolean(b) => out.extend_from_slice(&[0x01, u8::from(*b)]),
            Amf0::String(s) => match u16::try_from(s.len()) {
                Ok(len) => {
                    out.push(0x02);
                    out.extend_from_slice(&len.to_be_bytes());
                    out.extend_from_slice(s.as_bytes());
                }
                Err(_) => long_string(0x0c, s, out),
            },
            Amf0::Object(props) => {
                out.push(0x03);
                properties(props, out);
            }
            Amf0::Null => out.push(0x05),
            Amf0::Undefined => out.push(0x06),
            Amf0::EcmaArray(props) => {
                out.push(0x08);
                out.extend_from_slice(&u32::try_from(props.len()).unwrap_or(u32::MAX).to_be_bytes());
                properties(props, out);
            }
            Amf0::StrictArray(items) => {
                out.push(0x0a);
                out.extend_from_slice(&u32::try_from(items.len()).unwrap_or(u32::MAX).to_be_bytes());
                for v in items {
                    v.encode(out);
                }
            }
            Amf0::Date(ms, tz) => {
                out.push(0x0b);
                out.extend_from_slice(&ms.to_be_bytes());
                out.extend_from_slice(&tz.to_be_bytes());
            }
            Amf0::Xml(s) => long_string(0x0f, s, out),
        }
    }
}

fn long_string(marker: u8, s: &str, out: &mut Vec<u8>) {
    out.push(marker);
    out.extend_from_slice(&u32::try_from(s.len()).unwrap_or(u32::MAX).to_be_bytes());
    out.extend_from_slice(s.as_bytes());
}

fn properties(props: &[(String, Amf0)], out: &mut Vec<u8>) {
    for (k, v) in props {
        let key = &k.as_bytes()[..k.len().min(usize::from(u16::MAX))];
        out.extend_from_slice(&u16::try_from(key.len()).unwrap_or(u16::MAX).to_be_bytes());
        out.extend_from_slice(key);
        v.encode(out);
    }
    out.extend_from_slice(&[0, 0, 0x09]);
}

/// Encodes a sequence of values (a command: name, transaction id, arguments).
pub fn encode_all(values: &[Amf0]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        v.encode(&mut out);
    }
    out
}

/// Decodes every value in `data` (a command or data message body).
pub fn decode_all(data: &[u8]) -> Result<Vec<Amf0>, DemuxError> {
    let mut r = Reader::new(data, "AMF0 value");
    let mut out = Vec::new();
    while r.remaining() > 0 {
        out.push(decode(&mut r, 0)?);
    }
    Ok(out)
}

fn utf8(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn decode(r: &mut Reader<'_>, depth: usize) -> Result<Amf0, DemuxError> {
    if depth > MAX_DEPTH {
        return Err(DemuxError::AmfTooDeep(MAX_DEPTH));
    }
    Ok(match r.u8()? {
        0x00 => Amf0::Number(r.f64()?),
        0x01 => Amf0::Boolean(r.u8()? != 0),
        0x02 => {
            let len = usize::from(r.u16()?);
            Amf0::String(utf8(r.take(len)?))
        }
        0x03 => Amf0::Object(decode_properties(r, depth)?),
        0x05 => Amf0::Null,
        0x06 => Amf0::Undefined,
        0x08 => {
            r.u32()?; // the count, which encoders get wrong: read to the end marker
            Amf0::EcmaArray(decode_properties(r, depth)?)
        }
        0x0a => {
            let count = r.u32()?;
            // Each value takes at least a byte: a count beyond that is a lie.
            if count as usize > r.remaining() {
                return Err(DemuxError::Truncated("AMF0 strict array"));
            }
            let mut items = Vec::new();
            for _ in 0..count {
                items.push(decode(r, depth + 1)?);
            }
            Amf0::StrictArray(items)
        }
        0x0b => {
            let ms = r.f64()?;
            let tz = r.u16()? as i16;
            Amf0::Date(ms, tz)
        }
        0x0c => {
            let len = r.u32()? as usize;
            Amf0::String(utf8(r.take(len)?))
        }
        0x0f => {
            let len = r.u32()? as usize;
            Amf0::Xml(utf8(r.take(len)?))
        }
        m => return Err(DemuxError::invalid("AMF0 value", format!("unsupported type marker 0x{m:02x}"))),
    })
}

fn decode_properties(r: &mut Reader<'_>, depth: usize) -> Result<Vec<(String, Amf0)>, DemuxError> {
    let mut props = Vec::new();
    loop {
        let len = usize::from(r.u16()?);
        let key = utf8(r.take(len)?);
        if len == 0 {
            // The object end marker (0x09) after an empty key; some encoders end ECMA
            // arrays at the data's end without it.
            if r.remaining() == 0 {
                return Ok(props);
            }
            if r.u8()? == 0x09 {
                return Ok(props);
            }
            return Err(DemuxError::invalid("AMF0 object", "empty key without the end marker"));
        }
        props.push((key, decode(r, depth + 1)?));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Amf0> {
        vec![
            Amf0::String("connect".into()),
            Amf0::Number(1.0),
            Amf0::Object(vec![
                ("app".into(), Amf0::String("x".into())),
                ("flag".into(), Amf0::Boolean(true)),
                ("nothing".into(), Amf0::Null),
                ("undef".into(), Amf0::Undefined),
                ("nested".into(), Amf0::EcmaArray(vec![("width".into(), Amf0::Number(320.0))])),
                ("list".into(), Amf0::StrictArray(vec![Amf0::Number(1.5), Amf0::String("a".into())])),
                ("when".into(), Amf0::Date(1.7e12, -60)),
                ("long".into(), Amf0::String("y".repeat(70_000))),
                ("xml".into(), Amf0::Xml("<a/>".into())),
            ]),
        ]
    }

    #[test]
    fn round_trips_every_type() {
        let v = sample();
        let bytes = encode_all(&v);
        assert_eq!(decode_all(&bytes).expect("decodes"), v);
    }

    #[test]
    fn truncation_anywhere_is_an_error_not_a_panic() {
        let bytes = encode_all(&sample()[..3]);
        for n in 0..bytes.len() {
            let r = decode_all(&bytes[..n]);
            // Whole values end at 10 and 19 bytes; a missing final end marker is forgiven.
            assert!(r.is_err() || [0, 10, 19, bytes.len() - 1].contains(&n), "{n} bytes decoded: {r:?}");
        }
    }

    #[test]
    fn deep_nesting_and_lying_counts_are_refused() {
        let deep: Vec<u8> = std::iter::repeat_n(0x0a, 1).chain([0, 0, 0, 1]).cycle().take(5 * 100).collect();
        assert!(matches!(decode_all(&deep), Err(DemuxError::AmfTooDeep(_)) | Err(DemuxError::Truncated(_))));
        assert!(decode_all(&[0x0a, 0xff, 0xff, 0xff, 0xff, 0x05]).is_err());
        assert!(decode_all(&[0x0c, 0xff, 0xff, 0xff, 0xff]).is_err());
        assert!(decode_all(&[0x07, 0, 1]).is_err());
    }
}
