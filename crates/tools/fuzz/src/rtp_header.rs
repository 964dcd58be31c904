//! RTP headers and RTCP sender reports (`hikari_codec::{RtpView, SenderReport}`): any
//! datagram reaching a transcode job's loopback sockets. Nothing may panic; the payload
//! range lies inside the packet, after the fixed header.

use hikari_codec::{RtpView, SenderReport};

pub fn run(data: &[u8]) {
    if let Ok(v) = RtpView::parse(data) {
        assert!(v.version == 2 && v.payload_type < 128);
        assert!(v.payload.start >= 12 && v.payload.start <= v.payload.end && v.payload.end <= data.len());
        assert_eq!(RtpView::parse(data).ok(), Some(v), "parsing is deterministic");
    }
    if let Ok(sr) = SenderReport::parse(data) {
        assert!(data.len() >= 28);
        // Microseconds since 1900 of any 64-bit NTP time fit in a u64.
        assert!(sr.ntp_micros() <= (u64::from(u32::MAX) + 1) * 1_000_000);
    }
}
