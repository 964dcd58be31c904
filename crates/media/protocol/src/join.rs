//! The single-PeerConnection join request (`/rtc/v1?join_request=...`).

use std::collections::BTreeMap;
use std::io::Read;

use base64::Engine;
use hikari_types::{AddTrack, ClientInfo, Sdp, SdpKind};
use livekit_protocol as lk;
use prost::Message;

use crate::convert::{add_track_from_proto, client_info_from_proto};
use crate::error::ProtocolError;

/// The largest decompressed join request accepted (the Go server's limit too).
pub const MAX_JOIN_REQUEST: usize = 1 << 20;

/// What a client sends to join in single-PeerConnection mode.
#[derive(Clone, Debug, PartialEq)]
pub struct JoinRequest {
    /// The client's description of itself.
    pub client: ClientInfo,
    /// Subscribe to everything automatically.
    pub auto_subscribe: bool,
    /// Metadata to start with.
    pub metadata: String,
    /// Attributes to start with.
    pub attributes: BTreeMap<String, String>,
    /// Tracks announced with the join.
    pub add_tracks: Vec<AddTrack>,
    /// The client's first SDP offer.
    pub offer: Option<Sdp>,
    /// A resume of an existing session.
    pub reconnect: bool,
    /// The session to resume (empty if the client named none).
    pub participant_sid: String,
}

/// Decodes the `join_request` query parameter: base64url of a `WrappedJoinRequest`,
/// possibly gzip-compressed. Padded and unpadded input are both accepted.
pub fn decode_join_request(param: &str) -> Result<JoinRequest, ProtocolError> {
    if param.len() > MAX_JOIN_REQUEST {
        return Err(ProtocolError::TooLarge { what: "join_request", limit: MAX_JOIN_REQUEST });
    }
    let trimmed = param.trim_end_matches('=');
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
        .map_err(|_| ProtocolError::Encoding("join_request (base64)"))?;
    let wrapped = lk::WrappedJoinRequest::decode(raw.as_slice()).map_err(|source| ProtocolError::Malformed { what: "WrappedJoinRequest", source })?;
    let bytes = match wrapped.compression {
        0 => wrapped.join_request,
        1 => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(wrapped.join_request.as_slice())
                .take(MAX_JOIN_REQUEST as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|_| ProtocolError::Encoding("join_request (gzip)"))?;
            if out.len() > MAX_JOIN_REQUEST {
                return Err(ProtocolError::TooLarge { what: "join_request", limit: MAX_JOIN_REQUEST });
            }
            out
        }
        _ => return Err(ProtocolError::Encoding("join_request (unknown compression)")),
    };
    let req = lk::JoinRequest::decode(bytes.as_slice()).map_err(|source| ProtocolError::Malformed { what: "JoinRequest", source })?;
    Ok(JoinRequest {
        client: req.client_info.as_ref().map(client_info_from_proto).unwrap_or_default(),
        auto_subscribe: req.connection_settings.as_ref().is_none_or(|s| s.auto_subscribe),
        metadata: req.metadata,
        attributes: req.participant_attributes.into_iter().collect(),
        add_tracks: req.add_track_requests.iter().map(add_track_from_proto).collect(),
        offer: req.publisher_offer.map(|o| Sdp { kind: SdpKind::Offer, sdp: o.sdp, id: o.id, mid_to_track: BTreeMap::new() }),
        reconnect: req.reconnect,
        participant_sid: req.participant_sid,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn wrap(req: &lk::JoinRequest, gzip: bool) -> String {
        let inner = req.encode_to_vec();
        let (compression, bytes) = if gzip {
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            enc.write_all(&inner).expect("in-memory write");
            (1, enc.finish().expect("in-memory gzip"))
        } else {
            (0, inner)
        };
        let wrapped = lk::WrappedJoinRequest { compression, join_request: bytes };
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(wrapped.encode_to_vec())
    }

    #[test]
    fn reads_gzipped_request_with_offer() {
        let req = lk::JoinRequest {
            client_info: Some(lk::ClientInfo { sdk: lk::client_info::Sdk::Python as i32, protocol: 18, client_protocol: 2, ..Default::default() }),
            metadata: "m".into(),
            publisher_offer: Some(lk::SessionDescription { r#type: "offer".into(), sdp: "v=0".into(), id: 3, ..Default::default() }),
            ..Default::default()
        };
        let parsed = decode_join_request(&wrap(&req, true)).expect("valid request");
        assert_eq!(parsed.client.sdk, "python");
        assert_eq!(parsed.client.protocol, 18);
        assert!(parsed.auto_subscribe, "missing settings mean auto-subscribe");
        assert_eq!(parsed.offer.expect("offer").id, 3);
        assert_eq!(parsed.metadata, "m");
        assert!(decode_join_request(&wrap(&req, false)).is_ok());
    }

    #[test]
    fn rejects_garbage() {
        assert!(decode_join_request("!!!").is_err());
        assert!(decode_join_request("AAAA").is_err());
        let bomb = "A".repeat(MAX_JOIN_REQUEST + 1);
        assert!(matches!(decode_join_request(&bomb), Err(ProtocolError::TooLarge { .. })));
    }
}
