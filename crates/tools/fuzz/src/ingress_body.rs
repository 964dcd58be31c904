//! IngressService request bodies (`decode_ingress_request`): the first byte picks the method
//! and the format (protobuf or protojson), the rest is the body. Nothing may panic, and an
//! ingress built from a decoded create survives the round trip through `IngressInfo`.

use hikari_protocol::{IngressMethod, TwirpFormat, decode_ingress_request, encode_ingress_response, ingress_from_proto};
use hikari_types::{Ingress, IngressId, IngressRequest, IngressResponse, VideoEncoding};
use prost::Message;

pub fn run(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else { return };
    let method = IngressMethod::ALL[usize::from(selector >> 1) % IngressMethod::ALL.len()];
    let format = if selector & 1 == 0 { TwirpFormat::Protobuf } else { TwirpFormat::Json };
    let Ok(request) = decode_ingress_request(method, format, body) else { return };
    match request {
        IngressRequest::Create(c) => {
            let ingress = Ingress {
                id: IngressId::new("IN_fuzz"),
                stream_key: "key".into(),
                input: c.input,
                name: c.name,
                room_name: c.room_name,
                participant_identity: c.participant_identity,
                enable_transcoding: c.enable_transcoding,
                audio: c.audio,
                video: c.video,
                enabled: c.enabled,
                ..Default::default()
            };
            // Both encodings never panic; protobuf gives back what went in (NaN aside: the
            // registry refuses a frame rate that is not a finite number).
            let _ = encode_ingress_response(TwirpFormat::Json, &IngressResponse::Ingress(Box::new(ingress.clone())));
            let pb = encode_ingress_response(TwirpFormat::Protobuf, &IngressResponse::Ingress(Box::new(ingress.clone())));
            let finite = match ingress.video.as_ref().and_then(|v| v.encoding.as_ref()) {
                Some(VideoEncoding::Options(o)) => o.frame_rate.is_finite(),
                _ => true,
            };
            let info = livekit_protocol::IngressInfo::decode(pb.as_slice()).expect("our own encoding decodes");
            let back = ingress_from_proto(info).expect("our own encoding converts");
            if finite {
                assert_eq!(back, ingress);
            }
        }
        IngressRequest::Update(u) => assert!(!u.id.as_str().is_empty()),
        IngressRequest::Delete(id) => assert!(!id.as_str().is_empty()),
        IngressRequest::List(f) => {
            assert!(f.id.as_ref().is_none_or(|i| !i.as_str().is_empty()) && f.room_name.as_ref().is_none_or(|r| !r.as_str().is_empty()));
        }
    }
}
