//! Which temporal and spatial layers of one stream a leg receives.
//!
//! Within one SSRC, a frame has a temporal layer (VP8, VP9, AV1) and, for SVC, a spatial
//! layer (VP9, AV1). A leg's [`LayerFilter`] holds the layers it forwards now and moves them
//! toward the leg's targets only where the decoder can follow: down at the start of a frame
//! (temporal) or of a picture (spatial), up at a keyframe, or for a temporal layer at a frame
//! that is a switch point (VP8's Y bit, VP9's U bit, the dependency descriptor's switch
//! indication). Pure: a few comparisons per packet.

use crate::codec::FrameInfo;

/// The highest temporal layer for a wanted frame rate, assuming LiveKit's clients' three
/// temporal layers at 30 frames per second (7.5, 15 and 30): 0 wants every layer.
pub(crate) fn temporal_for_fps(fps: u32) -> u8 {
    match fps {
        0 => u8::MAX,
        1..=8 => 0,
        9..=16 => 1,
        _ => u8::MAX,
    }
}

/// The forwarded layers of one leg.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct LayerFilter {
    /// Highest spatial layer forwarded.
    pub spatial: u8,
    /// Highest temporal layer forwarded.
    pub temporal: u8,
    /// Whether the stream carries spatial layers (seen on its packets).
    pub svc: bool,
}

/// The filter's decision for one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Forward; `end_of_frame` when the packet ends the highest forwarded spatial layer of
    /// its picture (the leg's RTP marker must be set).
    Keep { end_of_frame: bool },
    /// Not for this leg.
    Drop,
}

impl Default for LayerFilter {
    fn default() -> Self {
        Self { spatial: 0, temporal: u8::MAX, svc: false }
    }
}

impl LayerFilter {
    /// Starts over at a keyframe: every layer up to the targets decodes from it.
    pub fn start(&mut self, f: &FrameInfo, spatial: u8, temporal: u8) {
        self.svc = f.svc;
        self.spatial = spatial;
        self.temporal = temporal;
    }

    /// Whether the leg waits for a keyframe to go up to `spatial`.
    pub fn below(&self, spatial: u8) -> bool {
        self.svc && self.spatial < spatial
    }

    /// Decides for one packet of the stream, the leg wanting `spatial` and `temporal`.
    pub fn on_packet(&mut self, f: &FrameInfo, spatial: u8, temporal: u8) -> Pass {
        self.svc |= f.svc;
        if f.keyframe {
            self.start(f, spatial, temporal);
        } else {
            if f.starts_frame {
                if temporal < self.temporal {
                    self.temporal = temporal;
                } else if f.switch_up && f.temporal > self.temporal && f.temporal <= temporal {
                    self.temporal = f.temporal;
                }
            }
            if f.starts_picture && spatial < self.spatial {
                self.spatial = spatial;
            }
        }
        if f.temporal > self.temporal || (self.svc && f.spatial > self.spatial) {
            return Pass::Drop;
        }
        Pass::Keep { end_of_frame: self.svc && f.ends_layer_frame && f.spatial == self.spatial }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vp8(temporal: u8, switch_up: bool) -> FrameInfo {
        FrameInfo { temporal, starts_frame: true, starts_picture: true, switch_up, ..Default::default() }
    }

    fn svc(spatial: u8, temporal: u8, keyframe: bool, end: bool) -> FrameInfo {
        FrameInfo {
            spatial,
            temporal,
            svc: true,
            starts_frame: true,
            starts_picture: spatial == 0,
            ends_layer_frame: end,
            keyframe: keyframe && spatial == 0,
            switch_up: temporal == 0,
            ..Default::default()
        }
    }

    #[test]
    fn temporal_layers_above_the_target_are_dropped_and_up_waits_for_a_sync_frame() {
        let mut l = LayerFilter::default();
        let key = FrameInfo { keyframe: true, ..vp8(0, true) };
        assert_eq!(l.on_packet(&key, 0, 0), Pass::Keep { end_of_frame: false });
        assert_eq!(l.on_packet(&vp8(2, true), 0, 0), Pass::Drop);
        assert_eq!(l.on_packet(&vp8(1, true), 0, 0), Pass::Drop);
        assert!(matches!(l.on_packet(&vp8(0, true), 0, 0), Pass::Keep { .. }));
        // Target raised to 2: a TL2 frame without Y waits, TL1 with Y switches up to 1.
        assert_eq!(l.on_packet(&vp8(2, false), 0, 2), Pass::Drop);
        assert!(matches!(l.on_packet(&vp8(1, true), 0, 2), Pass::Keep { .. }));
        assert_eq!(l.temporal, 1);
        assert!(matches!(l.on_packet(&vp8(2, true), 0, 2), Pass::Keep { .. }));
        // Down at once, at the next frame start.
        assert_eq!(l.on_packet(&vp8(1, false), 0, 0), Pass::Drop);
        let mut middle = vp8(2, false);
        middle.starts_frame = false;
        assert_eq!(l.on_packet(&middle, 0, 2), Pass::Drop, "a frame's tail follows its head");
    }

    #[test]
    fn frame_rates_map_to_temporal_layers() {
        assert_eq!([0, 5, 8, 9, 15, 16, 24, 60].map(temporal_for_fps), [u8::MAX, 0, 0, 1, 1, 1, u8::MAX, u8::MAX]);
    }

    #[test]
    fn spatial_layers_go_up_at_keyframes_and_down_at_picture_starts() {
        let mut l = LayerFilter::default();
        assert_eq!(l.on_packet(&svc(0, 0, true, true), 1, 2), Pass::Keep { end_of_frame: false });
        assert_eq!(l.on_packet(&svc(1, 0, false, true), 1, 2), Pass::Keep { end_of_frame: true }, "S1 ends the picture for this leg");
        assert_eq!(l.on_packet(&svc(2, 0, false, true), 1, 2), Pass::Drop);
        // Wants S2: not before a keyframe.
        assert_eq!(l.on_packet(&svc(0, 1, false, true), 2, 2), Pass::Keep { end_of_frame: false });
        assert!(l.below(2));
        assert_eq!(l.on_packet(&svc(2, 1, false, true), 2, 2), Pass::Drop);
        assert_eq!(l.on_packet(&svc(0, 0, true, true), 2, 2), Pass::Keep { end_of_frame: false });
        assert_eq!(l.on_packet(&svc(2, 0, false, true), 2, 2), Pass::Keep { end_of_frame: true });
        // Down to S0 at the next picture.
        assert_eq!(l.on_packet(&svc(0, 0, false, true), 0, 2), Pass::Keep { end_of_frame: true });
        assert_eq!(l.on_packet(&svc(1, 0, false, true), 0, 2), Pass::Drop);
        assert!(!l.below(0));
    }
}
