//! The VP8 RTP payload descriptor (`hikari_sfu::codec::vp8`): any payload a publisher
//! sends. Nothing may panic; a descriptor read stays inside the payload and its fields fit
//! their widths; renumbering its PictureID and TL0PICIDX (str0m's `Vp8Patch`) never fails
//! for values of the descriptor's own widths (str0m refuses a TL0PICIDX without a TID,
//! which this parser reads leniently; there the forwarder sends the packet unchanged).

use hikari_sfu::codec::vp8;

pub fn run(data: &[u8]) {
    let Some(d) = vp8::parse(data) else { return };
    assert!(d.header_len < data.len(), "a byte of VP8 data follows the descriptor");
    assert!(d.partition < 8 && d.tid.is_none_or(|t| t < 4) && d.key_idx.is_none_or(|k| k < 32));
    if let Some(pid) = d.picture_id
        && (d.tl0_pic_idx.is_none() || d.tid.is_some())
    {
        assert!(pid <= vp8::picture_id_mask(d.long_picture_id));
        let other = pid.wrapping_add(1) & vp8::picture_id_mask(d.long_picture_id);
        assert!(vp8::patch(data, Some(other), d.tl0_pic_idx.map(|t| t.wrapping_add(1))).is_some());
    }
    assert_eq!(vp8::parse(data), Some(d), "parsing is deterministic");
}
