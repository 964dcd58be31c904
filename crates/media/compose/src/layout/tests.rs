use super::*;

const CANVASES: [(u32, u32); 2] = [(1280, 720), (1920, 1080)];

fn cams(n: u64) -> Vec<VideoSource> {
    (0..n).map(|key| VideoSource { key, screen_share: false }).collect()
}

fn name(layout: Layout) -> LayoutName {
    LayoutName { layout, light: false }
}

/// Every tile is non-empty, even, inside the canvas and overlaps no other.
fn check(tiles: &[Tile], canvas: (u32, u32)) {
    for (i, t) in tiles.iter().enumerate() {
        let r = t.rect;
        assert!(!r.is_empty(), "{r:?}");
        assert!(r.x % 2 == 0 && r.y % 2 == 0 && r.w % 2 == 0 && r.h % 2 == 0, "odd {r:?}");
        assert!(r.right() <= u64::from(canvas.0) && r.bottom() <= u64::from(canvas.1), "outside {r:?} in {canvas:?}");
        for other in &tiles[i + 1..] {
            assert!(!r.overlaps(&other.rect), "{r:?} overlaps {:?}", other.rect);
        }
    }
}

#[test]
fn every_layout_fits_for_1_to_16_sources() {
    for canvas in CANVASES {
        for n in 1..=16 {
            let sources = cams(n);
            for layout in [Layout::Grid, Layout::Speaker, Layout::SingleSpeaker] {
                let t = tiles(name(layout), canvas, &sources, Some(n - 1));
                check(&t, canvas);
                assert!(!t.is_empty());
            }
            let grid = tiles(name(Layout::Grid), canvas, &sources, None);
            assert_eq!(grid.len(), n as usize);
            assert!(grid.iter().map(|t| t.key).eq(0..n), "grid keeps the order of sources");
        }
    }
}

#[test]
fn grid_shape_and_centering() {
    // 5 sources: 3 columns, 2 rows, the last row of two centered.
    let t = tiles(name(Layout::Grid), (1280, 720), &cams(5), None);
    let ys: Vec<u32> = t.iter().map(|t| t.rect.y).collect();
    assert_eq!(ys[0], ys[2]);
    assert!(ys[3] > ys[0] && ys[3] == ys[4]);
    let (first, last) = (t[0].rect, t[2].rect);
    let (left, right) = (first.x, 1280 - last.right() as u32);
    assert!(left.abs_diff(right) <= 2, "grid centered: {left} vs {right}");
    let row2 = (t[3].rect.x, 1280 - t[4].rect.right() as u32);
    assert!(row2.0.abs_diff(row2.1) <= 2, "last row centered: {row2:?}");
    assert_eq!(t[1].rect.x - first.right() as u32, 8, "8 px gap at 720p");
    // Cells are 16:9 give or take rounding.
    let r = t[0].rect;
    assert!((r.w * 9).abs_diff(r.h * 16) <= 32, "{r:?}");
    // One source: a single large 16:9 cell.
    let one = tiles(name(Layout::Grid), (1280, 720), &cams(1), None);
    assert!(one[0].rect.w >= 1240 && one[0].rect.h >= 690, "{:?}", one[0].rect);
}

#[test]
fn grid_keeps_the_first_16() {
    let t = tiles(name(Layout::Grid), (1920, 1080), &cams(40), None);
    assert_eq!(t.len(), MAX_TILES);
    assert!(t.iter().map(|t| t.key).eq(0..16));
    check(&t, (1920, 1080));
}

#[test]
fn speaker_goes_to_the_main_area() {
    for canvas in CANVASES {
        let t = tiles(name(Layout::Speaker), canvas, &cams(4), Some(2));
        assert_eq!(t[0].key, 2);
        assert!(t[0].rect.w > canvas.0 / 2 && t[0].rect.h == canvas.1);
        assert!(t[1..].iter().map(|t| t.key).eq([0, 1, 3]));
        let main_right = t[0].rect.right() as u32;
        assert!(t[1..].iter().all(|s| s.rect.x > main_right));
        // No speaker yet, or an unknown key: the first source.
        assert_eq!(tiles(name(Layout::Speaker), canvas, &cams(4), None)[0].key, 0);
        assert_eq!(tiles(name(Layout::Speaker), canvas, &cams(4), Some(99))[0].key, 0);
    }
}

#[test]
fn speaker_with_one_source_fills_the_canvas() {
    let t = tiles(name(Layout::Speaker), (1280, 720), &cams(1), Some(0));
    assert_eq!(t, vec![Tile { key: 0, rect: Rect { x: 0, y: 0, w: 1280, h: 720 } }]);
}

#[test]
fn speaker_strip_is_bounded_and_shows_the_speaker() {
    let t = tiles(name(Layout::Speaker), (1280, 720), &cams(16), None);
    assert!(t.len() > 2 && t.len() < 16, "{}", t.len());
    let shown = t.len() - 1;
    // A screen share in the main area; the talker (last source) is in the strip anyway.
    let mut sources = cams(16);
    sources[5].screen_share = true;
    let t = tiles(name(Layout::Speaker), (1280, 720), &sources, Some(15));
    assert_eq!(t[0].key, 5);
    assert_eq!(t.len(), shown + 1);
    assert!(t.iter().any(|t| t.key == 15));
    check(&t, (1280, 720));
}

#[test]
fn screen_share_wins_and_grid_becomes_speaker() {
    let mut sources = cams(4);
    sources[3].screen_share = true;
    for canvas in CANVASES {
        let speaker = tiles(name(Layout::Speaker), canvas, &sources, Some(1));
        let grid = tiles(name(Layout::Grid), canvas, &sources, Some(1));
        assert_eq!(speaker[0].key, 3);
        assert_eq!(grid, speaker);
        let single = tiles(name(Layout::SingleSpeaker), canvas, &sources, Some(1));
        assert_eq!(single, vec![Tile { key: 3, rect: Rect { x: 0, y: 0, w: canvas.0, h: canvas.1 } }]);
    }
}

#[test]
fn single_speaker_shows_exactly_one() {
    for n in 1..=16 {
        let t = tiles(name(Layout::SingleSpeaker), (1920, 1080), &cams(n), Some(n / 2));
        assert_eq!(t, vec![Tile { key: n / 2, rect: Rect { x: 0, y: 0, w: 1920, h: 1080 } }]);
    }
}

#[test]
fn degenerate_inputs_give_no_tiles() {
    for layout in [Layout::Grid, Layout::Speaker, Layout::SingleSpeaker] {
        assert!(tiles(name(layout), (1280, 720), &[], Some(1)).is_empty());
        assert!(tiles(name(layout), (0, 720), &cams(3), None).is_empty());
        assert!(tiles(name(layout), (1, 1), &cams(3), None).is_empty());
        for canvas in [(2, 2), (3, 5), (6, 4), (u32::MAX, u32::MAX), (u32::MAX, 2)] {
            for n in [1, 2, 5, 17] {
                check(&tiles(name(layout), canvas, &cams(n), Some(1)), canvas);
            }
        }
    }
    // An odd canvas is used rounded down to even.
    let t = tiles(name(Layout::SingleSpeaker), (1281, 721), &cams(1), None);
    assert_eq!(t[0].rect, Rect { x: 0, y: 0, w: 1280, h: 720 });
}

#[test]
fn parse_names() {
    let cases = [
        ("grid", Layout::Grid, false),
        ("grid-light", Layout::Grid, true),
        ("grid-dark", Layout::Grid, false),
        ("speaker", Layout::Speaker, false),
        ("speaker-light", Layout::Speaker, true),
        ("speaker-dark", Layout::Speaker, false),
        ("single-speaker", Layout::SingleSpeaker, false),
        ("single-speaker-light", Layout::SingleSpeaker, true),
        ("single-speaker-dark", Layout::SingleSpeaker, false),
    ];
    for (s, layout, light) in cases {
        assert_eq!(LayoutName::parse(s), LayoutName { layout, light }, "{s}");
        assert!(known(s), "{s}");
    }
    for s in ["", "grdi", "Grid", "speaker-", "-light", "light", "speaker-light-dark", "grid "] {
        assert_eq!(LayoutName::parse(s), LayoutName { layout: Layout::Grid, light: false }, "{s:?}");
        assert!(!known(s), "{s:?}");
    }
}

#[test]
fn backgrounds() {
    let dark = LayoutName::parse("grid").background();
    let light = LayoutName::parse("grid-light").background();
    assert!(dark.y < 40 && light.y > 200, "{dark:?} {light:?}");
    for c in [dark, light] {
        assert!(c.u.abs_diff(128) <= 1 && c.v.abs_diff(128) <= 1, "grey: {c:?}");
    }
}
