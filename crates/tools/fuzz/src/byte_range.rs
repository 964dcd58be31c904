//! HTTP `Range` headers (`hikari_record::library::byte_range`): what a player asks of a
//! recording joined into one MP4 download.
//!
//! The first 8 bytes are the total size (big-endian), the rest the header. Nothing may panic;
//! a range served lies inside the recording and is not empty.

use hikari_record::library::byte_range;

pub fn run(data: &[u8]) {
    let Some((size, header)) = data.split_first_chunk::<8>() else { return };
    let total = u64::from_be_bytes(*size);
    let header = String::from_utf8_lossy(header);
    if let Ok(Some((first, last))) = byte_range(Some(&header), total) {
        assert!(first <= last && last < total, "{header:?} of {total} gave {first}-{last}");
    }
}
