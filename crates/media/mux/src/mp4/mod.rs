//! Fragmented MP4 (ISO/IEC 14496-12, -15): [`boxes`] builds the boxes, [`writer`] cuts
//! fragments, [`index`] indexes a file joined from HLS segments.

pub mod boxes;
pub mod index;
pub mod writer;
