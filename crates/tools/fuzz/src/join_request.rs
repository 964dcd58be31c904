//! The `join_request` query parameter of `/rtc/v1`: base64url of a `WrappedJoinRequest`,
//! possibly gzip'd (`decode_join_request`). Nothing may panic; the input is a URL query
//! value, so it arrives as text.

use hikari_protocol::decode_join_request;

pub fn run(data: &[u8]) {
    // The query string is decoded to UTF-8 text before the handler sees it.
    let param = String::from_utf8_lossy(data);
    if let Ok(req) = decode_join_request(&param) {
        // What the signal layer reads next: the offer, if any, is handed to the SFU as is.
        if let Some(offer) = &req.offer {
            assert_eq!(offer.kind, hikari_types::SdpKind::Offer);
        }
    }
}
