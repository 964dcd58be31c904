//! The VP9 RTP payload descriptor (`hikari_sfu::codec::vp9`), flexible and non-flexible
//! mode with scalability structures: any payload a publisher sends. Nothing may panic; a
//! descriptor read stays inside the payload and its layer ids fit their widths.

use hikari_sfu::codec::vp9;

pub fn run(data: &[u8]) {
    let Some(d) = vp9::parse(data) else { return };
    assert!(d.header_len <= data.len());
    assert!(d.tid < 8 && d.sid < 8 && d.spatial_layers <= 8);
    assert!(!d.keyframe() || (d.begin && d.sid == 0));
    if !d.flexible && data[0] & 0x20 != 0 {
        assert!(d.tl0_pic_idx.is_some(), "non-flexible layer indices carry TL0PICIDX");
    }
}
