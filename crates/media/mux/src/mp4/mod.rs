//! Fragmented MP4 (ISO/IEC 14496-12, -15): [`boxes`] builds the boxes, [`writer`] cuts
//! fragments.

pub mod boxes;
pub mod writer;
