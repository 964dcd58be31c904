//! The binary WebSocket frames of `/rtc`: `decode_signal` (what the server reads from a
//! client) and `decode_server_signal` (what the load generator and test clients read).
//! Nothing may panic, and a decoded signal survives a round trip through its encoder.

use hikari_protocol::{decode_server_signal, decode_signal, encode_client_signal, encode_signal};
use hikari_types::ClientSignal;

pub fn run(data: &[u8]) {
    if let Ok(signal) = decode_signal(data) {
        // `Ignored` has no wire form; everything else encodes to the same signal.
        if !matches!(signal, ClientSignal::Ignored(_)) {
            let again = decode_signal(&encode_client_signal(&signal)).expect("an encoded client signal decodes");
            assert_eq!(again, signal, "client signal round trip");
        }
    }
    if let Ok(Some(signal)) = decode_server_signal(data) {
        // The server's encoder fills defaults the decoder does not read back (and vice
        // versa), so the first round trip may normalise; after that it is stable.
        let once = decode_server_signal(&encode_signal(&signal)).expect("an encoded server signal decodes").expect("and is not ignored");
        let twice = decode_server_signal(&encode_signal(&once)).expect("an encoded server signal decodes").expect("and is not ignored");
        assert_eq!(once, twice, "server signal round trip");
    }
}
