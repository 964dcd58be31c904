use super::*;

const BG: Yuv = Yuv { y: 1, u: 2, v: 3 };

/// The three planes of a canvas, as (Y, U, V).
fn planes(c: &I420) -> (&[u8], &[u8], &[u8]) {
    let b = c.as_bytes();
    let (w, h) = (c.width() as usize, c.height() as usize);
    let (y, rest) = b.split_at(w * h);
    let (u, v) = rest.split_at(w * h / 4);
    (y, u, v)
}

/// A `w × h` I420 frame whose luma is 100 + index and chroma 50 + index (U) or 150 +
/// index (V), so every byte says where it came from.
fn numbered(w: usize, h: usize) -> Vec<u8> {
    let mut f: Vec<u8> = (0..w * h).map(|i| 100 + i as u8).collect();
    f.extend((0..w * h / 4).map(|i| 50 + i as u8));
    f.extend((0..w * h / 4).map(|i| 150 + i as u8));
    f
}

#[test]
fn from_rgb_bt601_limited() {
    assert_eq!(Yuv::from_rgb(0, 0, 0), Yuv::BLACK);
    assert_eq!(Yuv::from_rgb(255, 255, 255), Yuv { y: 235, u: 128, v: 128 });
    assert_eq!(Yuv::from_rgb(255, 0, 0), Yuv { y: 82, u: 90, v: 240 });
    assert_eq!(Yuv::from_rgb(0, 255, 0), Yuv { y: 144, u: 54, v: 34 });
    assert_eq!(Yuv::from_rgb(0, 0, 255), Yuv { y: 41, u: 240, v: 110 });
}

#[test]
fn new_fill_and_sizes() {
    let c = I420::new(8, 6, BG);
    assert_eq!((c.width(), c.height()), (8, 6));
    assert_eq!(c.as_bytes().len(), I420::frame_len(8, 6));
    assert_eq!(I420::frame_len(8, 6), 72);
    assert_eq!(I420::frame_len(3, 3), 9 + 2 * 4);
    assert_eq!(I420::frame_len(0, 5), 0);
    let (y, u, v) = planes(&c);
    assert!(y.iter().all(|&b| b == 1) && u.iter().all(|&b| b == 2) && v.iter().all(|&b| b == 3));
    let odd = I420::new(9, 7, BG);
    assert_eq!((odd.width(), odd.height()), (8, 6));
    let huge = I420::new(u32::MAX, 3, BG);
    assert_eq!((huge.width(), huge.height()), (MAX_SIDE, 2));
    let empty = I420::new(0, 0, BG);
    assert!(empty.as_bytes().is_empty());
}

#[test]
fn fill_rect_clips_and_aligns() {
    let mut c = I420::new(8, 8, Yuv::BLACK);
    c.fill_rect(Rect { x: 6, y: 6, w: 10, h: 10 }, BG);
    let (y, u, v) = planes(&c);
    for row in 0..8 {
        for col in 0..8 {
            let want = if row >= 6 && col >= 6 { 1 } else { 16 };
            assert_eq!(y[row * 8 + col], want, "({col},{row})");
        }
    }
    assert_eq!(u.iter().filter(|&&b| b == 2).count(), 1);
    assert_eq!((u[15], v[15]), (2, 3));
    // Odd edges are rounded down: x 3 → 2, width 3 → 2.
    let mut c = I420::new(8, 8, Yuv::BLACK);
    c.fill_rect(Rect { x: 3, y: 0, w: 3, h: 2 }, BG);
    assert_eq!(&planes(&c).0[..8], &[16, 16, 1, 1, 16, 16, 16, 16]);
    c.fill_rect(Rect { x: 100, y: 0, w: 4, h: 4 }, BG);
    c.fill_rect(Rect { x: u32::MAX, y: u32::MAX, w: u32::MAX, h: u32::MAX }, BG);
}

#[test]
fn same_size_blit_copies_planes() {
    let mut c = I420::new(8, 8, Yuv::BLACK);
    let src = numbered(4, 4);
    assert!(c.blit(&src, 4, 4, Rect { x: 2, y: 4, w: 4, h: 4 }, BG));
    let (y, u, v) = planes(&c);
    for row in 0..8 {
        for col in 0..8 {
            let inside = (2..6).contains(&col) && (4..8).contains(&row);
            let want = if inside { 100 + ((row - 4) * 4 + col - 2) as u8 } else { 16 };
            assert_eq!(y[row * 8 + col], want, "Y ({col},{row})");
        }
    }
    // Chroma 4x4: the 2x2 source block at (1, 2).
    assert_eq!(u, &[128, 128, 128, 128, 128, 128, 128, 128, 128, 50, 51, 128, 128, 52, 53, 128]);
    assert_eq!(v, &[128, 128, 128, 128, 128, 128, 128, 128, 128, 150, 151, 128, 128, 152, 153, 128]);
}

#[test]
fn same_size_blit_clips() {
    let mut c = I420::new(8, 8, Yuv::BLACK);
    let src = numbered(4, 4);
    assert!(c.blit(&src, 4, 4, Rect { x: 6, y: 6, w: 4, h: 4 }, BG));
    let (y, u, v) = planes(&c);
    // Only the source's top-left 2x2 is visible.
    assert_eq!(&y[6 * 8 + 6..6 * 8 + 8], &[100, 101]);
    assert_eq!(&y[7 * 8 + 6..7 * 8 + 8], &[104, 105]);
    assert_eq!(y.iter().filter(|&&b| b != 16).count(), 4);
    assert_eq!((u[15], v[15]), (50, 150));
    assert_eq!(u.iter().filter(|&&b| b != 128).count(), 1);
    // Entirely outside: nothing drawn, still accepted.
    let before = c.clone();
    assert!(c.blit(&src, 4, 4, Rect { x: 8, y: 0, w: 4, h: 4 }, BG));
    assert_eq!(c, before);
}

#[test]
fn scaled_blit_doubles_and_letterboxes() {
    // A 2x2 frame into a 4x4 tile: each pixel becomes a 2x2 block.
    let mut c = I420::new(8, 8, Yuv::BLACK);
    let src = numbered(2, 2);
    assert!(c.blit(&src, 2, 2, Rect { x: 0, y: 0, w: 4, h: 4 }, BG));
    let (y, u, v) = planes(&c);
    assert_eq!(&y[0..4], &[100, 100, 101, 101]);
    assert_eq!(&y[8..12], &[100, 100, 101, 101]);
    assert_eq!(&y[16..20], &[102, 102, 103, 103]);
    assert_eq!(&y[24..28], &[102, 102, 103, 103]);
    assert_eq!(&u[0..2], &[50, 50]);
    assert_eq!(&v[4..6], &[150, 150]);
    // A 4x2 (2:1) frame into an 8x8 tile: 8x4 picture centered, bars above and below.
    let mut c = I420::new(8, 8, Yuv::BLACK);
    let mut src = vec![200; 8];
    src.extend([60, 61, 160, 161]);
    assert!(c.blit(&src, 4, 2, Rect { x: 0, y: 0, w: 8, h: 8 }, BG));
    let (y, u, v) = planes(&c);
    for row in 0..8 {
        let want = if (2..6).contains(&row) { 200 } else { 1 };
        assert!(y[row * 8..row * 8 + 8].iter().all(|&b| b == want), "row {row}");
    }
    assert_eq!(&u[4..8], &[60, 60, 61, 61]);
    assert_eq!(&u[0..4], &[2, 2, 2, 2]);
    assert_eq!(&v[8..12], &[160, 160, 161, 161]);
    assert_eq!(&v[12..16], &[3, 3, 3, 3]);
}

#[test]
fn scaled_blit_downscales_and_clips() {
    // An 8x8 frame into a 4x4 tile at the bottom-right corner, half outside.
    let mut c = I420::new(6, 6, Yuv::BLACK);
    let src = numbered(8, 8);
    assert!(c.blit(&src, 8, 8, Rect { x: 4, y: 4, w: 4, h: 4 }, BG));
    let (y, u, _) = planes(&c);
    // Centers of dest pixels 0 and 1 fall on source pixels 1 and 3.
    assert_eq!(&y[4 * 6 + 4..4 * 6 + 6], &[100 + 8 + 1, 100 + 8 + 3]);
    assert_eq!(&y[5 * 6 + 4..5 * 6 + 6], &[100 + 24 + 1, 100 + 24 + 3]);
    assert_eq!(y.iter().filter(|&&b| b != 16).count(), 4);
    assert_eq!(u[8], 50 + 4 + 1);
}

#[test]
fn odd_source_sizes_use_rounded_up_chroma() {
    // 3x1: Y 3 bytes, U and V 2 bytes each.
    let src = [10, 20, 30, 40, 41, 50, 51];
    let mut c = I420::new(6, 2, Yuv::BLACK);
    assert!(c.blit(&src, 3, 1, Rect { x: 0, y: 0, w: 6, h: 2 }, BG));
    let (y, u, v) = planes(&c);
    assert_eq!(&y[0..6], &[10, 10, 20, 20, 30, 30]);
    // The chroma row (2 samples for 3 pixels) is sampled at each destination center.
    assert_eq!(u, &[40, 41, 41]);
    assert_eq!(v, &[50, 51, 51]);
}

#[test]
fn short_or_empty_sources_are_ignored() {
    let mut c = I420::new(8, 8, Yuv::BLACK);
    let before = c.clone();
    let rect = Rect { x: 0, y: 0, w: 4, h: 4 };
    assert!(!c.blit(&[0; 23], 4, 4, rect, BG));
    assert!(!c.blit(&[], 4, 4, rect, BG));
    assert!(!c.blit(&[0; 24], 0, 4, rect, BG));
    assert!(!c.blit(&[0; 24], 4, 0, rect, BG));
    assert_eq!(c, before);
}

#[test]
fn garbage_sizes_do_not_panic() {
    let sizes = [0, 1, 2, 3, 5, 7, 8, 9, 640, u32::MAX - 1, u32::MAX];
    let buf = vec![7u8; 1 << 16];
    for canvas in [(0, 0), (2, 2), (8, 8), (9, 5)] {
        let mut c = I420::new(canvas.0, canvas.1, Yuv::BLACK);
        for &sw in &sizes {
            for &sh in &sizes[..6] {
                for &x in &sizes {
                    for &w in &sizes {
                        let rect = Rect { x, y: x / 2, w, h: w / 3 };
                        let _ = c.blit(&buf, sw, sh, rect, BG);
                        c.fill_rect(rect, BG);
                    }
                }
            }
        }
    }
}
