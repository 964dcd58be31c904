//! The dependency descriptor as a str0m header extension: str0m does not know its URI, so
//! it is registered with [`serializer`]. The bytes received are kept as they are
//! ([`DdBytes`] in `ExtensionValues::user_values`) and written unchanged to subscribers whose
//! PeerConnection negotiated the extension; str0m leaves it out for the others.

use str0m::rtp::{Extension, ExtensionSerializer, ExtensionValues};

/// The extension's URI.
pub const URI: &str = "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";
/// The extension id the server's PeerConnections offer it with.
pub const ID: u8 = 12;
/// Longest extension element (the two-byte header form's limit).
pub const MAX_LEN: usize = 255;

/// A dependency descriptor's bytes as received.
#[derive(Clone, Copy)]
pub struct DdBytes {
    len: u8,
    bytes: [u8; MAX_LEN],
}

impl DdBytes {
    /// Copies `bytes`; `None` if empty or longer than [`MAX_LEN`].
    pub fn new(bytes: &[u8]) -> Option<Self> {
        if bytes.is_empty() || bytes.len() > MAX_LEN {
            return None;
        }
        let mut b = Self { len: bytes.len() as u8, bytes: [0; MAX_LEN] };
        b.bytes[..bytes.len()].copy_from_slice(bytes);
        Some(b)
    }

    /// The bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl std::fmt::Debug for DdBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DdBytes({} bytes)", self.len)
    }
}

/// Reads and writes [`DdBytes`].
#[derive(Debug, Clone, Copy)]
pub struct DdSerializer;

impl ExtensionSerializer for DdSerializer {
    fn write_to(&self, buf: &mut [u8], ev: &ExtensionValues) -> usize {
        let Some(dd) = ev.user_values.get::<DdBytes>() else { return 0 };
        let bytes = dd.as_slice();
        match buf.get_mut(..bytes.len()) {
            Some(out) => {
                out.copy_from_slice(bytes);
                bytes.len()
            }
            None => 0,
        }
    }

    fn parse_value(&self, buf: &[u8], ev: &mut ExtensionValues) -> bool {
        match DdBytes::new(buf) {
            Some(dd) => {
                ev.user_values.set(dd);
                true
            }
            None => false,
        }
    }

    fn is_video(&self) -> bool {
        true
    }

    fn is_audio(&self) -> bool {
        false
    }

    fn requires_two_byte_form(&self, ev: &ExtensionValues) -> bool {
        ev.user_values.get::<DdBytes>().is_none_or(|d| d.len > 16)
    }
}

/// The extension, for an `Rtc`'s extension map.
pub fn serializer() -> Extension {
    Extension::with_serializer(URI, DdSerializer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_round_trip_through_the_serializer() {
        let mut ev = ExtensionValues::default();
        assert!(DdSerializer.parse_value(&[0x80, 0x01, 0x02, 0x03], &mut ev));
        assert!(!DdSerializer.requires_two_byte_form(&ev));
        let mut buf = [0u8; 32];
        assert_eq!(DdSerializer.write_to(&mut buf, &ev), 4);
        assert_eq!(&buf[..4], &[0x80, 0x01, 0x02, 0x03]);
        assert_eq!(DdSerializer.write_to(&mut [0u8; 2], &ev), 0, "no room");
        assert!(!DdSerializer.parse_value(&[], &mut ExtensionValues::default()));
        assert!(DdBytes::new(&[0; 256]).is_none());
        assert_eq!(DdSerializer.write_to(&mut buf, &ExtensionValues::default()), 0);
    }
}
