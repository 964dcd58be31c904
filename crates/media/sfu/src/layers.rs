//! Which simulcast layer each subscriber receives.
//!
//! Layers are indexed by quality, as LiveKit's clients name them: 0 is low (`q`), 1 medium
//! (`h`), 2 high (`f`). A subscriber's wish ([`LayerWant`]: a quality, or the size its
//! video element shows) gives the highest layer it should get ([`max_layer`]). Per packet,
//! [`pick`] chooses among the layers that are flowing: the best one not above the wish,
//! else the lowest one above it (some picture beats none). Layers are bitmasks here so
//! that the per-packet choice is a few integer operations.
//!
//! The choice only sets the target; the forwarder (`forward.rs`) switches at the
//! target's next keyframe, so a change of wish never shows a broken picture.

use hikari_types::{LayerWant, SimulcastLayer};

/// How many layers a track can have (low, medium, high).
pub(crate) const LAYERS: u8 = 3;
/// The highest layer index.
pub(crate) const TOP: u8 = LAYERS - 1;

/// The highest layer a wish allows, given the layers the publisher announced.
///
/// A size picks the smallest announced layer that covers it (width and height both at
/// least the size shown); a size larger than every layer gets the largest. Without
/// announced sizes a size wish allows every layer.
pub(crate) fn max_layer(want: LayerWant, announced: &[SimulcastLayer]) -> u8 {
    match want {
        LayerWant::Quality(q) => q as u8,
        LayerWant::Size { width, height } => {
            let sized = || announced.iter().filter(|l| l.width > 0 && l.height > 0);
            let covering = sized().filter(|l| l.width >= width && l.height >= height).map(|l| l.quality).min();
            covering.or_else(|| sized().map(|l| l.quality).max()).map_or(TOP, |q| q as u8)
        }
    }
}

/// The layer to forward: the highest flowing layer at or below `max`, else the lowest
/// flowing one above it, else `max` itself (nothing flows; wait for it).
pub(crate) fn pick(max: u8, flowing: u8) -> u8 {
    let max = max.min(TOP);
    let allowed = flowing & ((2u8 << max) - 1);
    if allowed != 0 {
        return 7 - allowed.leading_zeros() as u8;
    }
    let above = flowing & !((2u8 << max) - 1);
    if above != 0 {
        return above.trailing_zeros() as u8;
    }
    max
}

/// The layers a set of subscribers needs from the publisher: every layer up to the highest
/// wish (a bitmask), 0 when no one receives the track.
pub(crate) fn needed(wishes: impl Iterator<Item = u8>, top: u8) -> u8 {
    match wishes.max() {
        Some(max) => (2u8 << max.min(top)) - 1,
        None => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hikari_types::VideoQuality;

    fn three() -> Vec<SimulcastLayer> {
        [(VideoQuality::Low, 320, 180), (VideoQuality::Medium, 640, 360), (VideoQuality::High, 1280, 720)]
            .into_iter()
            .map(|(quality, width, height)| SimulcastLayer { quality, width, height, bitrate: 0 })
            .collect()
    }

    #[test]
    fn a_size_wish_gets_the_smallest_layer_that_covers_it() {
        let l = three();
        let size = |width, height| max_layer(LayerWant::Size { width, height }, &l);
        assert_eq!(size(160, 90), 0);
        assert_eq!(size(320, 180), 0);
        assert_eq!(size(321, 180), 1);
        assert_eq!(size(640, 360), 1);
        assert_eq!(size(1280, 720), 2);
        assert_eq!(size(3840, 2160), 2, "larger than every layer: the largest");
        assert_eq!(max_layer(LayerWant::Size { width: 100, height: 100 }, &[]), TOP, "no sizes announced");
        assert_eq!(max_layer(LayerWant::Quality(VideoQuality::Medium), &l), 1);
    }

    #[test]
    fn pick_prefers_the_wish_then_falls_back_to_what_flows() {
        let all = 0b111;
        assert_eq!(pick(2, all), 2);
        assert_eq!(pick(1, all), 1);
        assert_eq!(pick(0, all), 0);
        assert_eq!(pick(2, 0b011), 1, "high is off: the best below");
        assert_eq!(pick(0, 0b110), 1, "low is off: the lowest above");
        assert_eq!(pick(1, 0b100), 2);
        assert_eq!(pick(1, 0), 1, "nothing flows: wait for the wish");
        assert_eq!(pick(9, all), 2, "out-of-range wishes are clamped");
    }

    #[test]
    fn needed_layers_are_everything_up_to_the_highest_wish() {
        assert_eq!(needed([0, 1].into_iter(), TOP), 0b011);
        assert_eq!(needed([2].into_iter(), TOP), 0b111);
        assert_eq!(needed([2].into_iter(), 0), 0b001, "a track with one layer");
        assert_eq!(needed(std::iter::empty(), TOP), 0);
    }
}
