//! [`Playlist`] on the synthetic streams of [`super::tests`]: the live playlist's tags,
//! parts and delta updates, the EVENT playlist, blocking-reload helpers and the window.

use super::tests::{run, trafs};
use super::*;
use crate::mp4::boxes::SYNC;
use std::time::Duration;

fn playlist(config: HlsConfig, events: Vec<HlsEvent>) -> Playlist {
    let mut p = Playlist::new(config);
    events.into_iter().for_each(|e| p.push(e));
    p
}

/// The value of `KEY=` in a tag line.
fn attr<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let at = line.find(&format!("{key}="))? + key.len() + 1;
    let rest = &line[at..];
    Some(rest[..rest.find(',').unwrap_or(rest.len())].trim_matches('"'))
}

#[test]
fn live_playlist_lists_the_window_parts_and_a_hint() {
    let config = HlsConfig::default();
    let p = playlist(config, run(config, 30, 60, 60, false)); // 7 complete 4 s segments + 2 s
    let live = p.render_live(false);
    let lines: Vec<&str> = live.lines().collect();
    assert_eq!(
        lines[..6],
        [
            "#EXTM3U",
            "#EXT-X-VERSION:9",
            "#EXT-X-TARGETDURATION:4",
            "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=0.999,CAN-SKIP-UNTIL=24",
            "#EXT-X-PART-INF:PART-TARGET=0.333",
            "#EXT-X-MEDIA-SEQUENCE:2"
        ]
    );
    assert_eq!(lines[6], "#EXT-X-MAP:URI=\"init.mp4\"");
    let segments: Vec<&str> = lines.iter().copied().filter(|l| l.starts_with("seg")).collect();
    assert_eq!(segments, ["seg2.m4s", "seg3.m4s", "seg4.m4s", "seg5.m4s", "seg6.m4s", "seg7.m4s"]);
    assert_eq!(lines.iter().filter(|l| l.starts_with("#EXTINF:4.000,")).count(), 6);
    // Parts: only for the segments ending within 3 target durations (12 s) of the end
    // (segments 5, 6, 7; 2 s in progress), then those of segment 8 (numbers start at 1).
    let parts: Vec<(u64, u32)> = lines
        .iter()
        .filter(|l| l.starts_with("#EXT-X-PART:"))
        .map(|l| {
            let uri = attr(l, "URI").expect("uri");
            let (msn, index) = uri.trim_start_matches("part").trim_end_matches(".m4s").split_once('.').expect("msn.index");
            (msn.parse().expect("msn"), index.parse().expect("index"))
        })
        .collect();
    assert_eq!(parts.first(), Some(&(5, 0)));
    assert_eq!(parts.last().map(|p| p.0), Some(8));
    // Every part line: INDEPENDENT=YES exactly when its data starts with a keyframe; its
    // duration is the part's.
    for line in lines.iter().filter(|l| l.starts_with("#EXT-X-PART:")) {
        let uri = attr(line, "URI").expect("uri");
        let (msn, index) = uri.trim_start_matches("part").trim_end_matches(".m4s").split_once('.').expect("msn.index");
        let data = p.part(msn.parse().expect("msn"), index.parse().expect("index")).expect("part bytes in the window");
        let key = trafs(&data).iter().find(|t| t.0 == 1).is_some_and(|t| t.2[0].2 == SYNC);
        assert_eq!(line.ends_with(",INDEPENDENT=YES"), key, "{line}");
        let d: f64 = attr(line, "DURATION").expect("duration").parse().expect("number");
        assert!(d > 0.0 && d <= 0.333, "{line}");
    }
    let (msn, index) = p.last_part().expect("a part");
    assert_eq!(msn, 8);
    assert_eq!(lines.last().copied(), Some(format!("#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"part8.{}.m4s\"", index + 1).as_str()));
    assert!(!live.contains("#EXT-X-ENDLIST") && !live.contains("#EXT-X-SKIP"));
    // Blocking reload helpers.
    assert!(p.has_part(8, index) && p.has_part(4, 0) && !p.has_part(8, index + 1) && !p.has_part(9, 0));
    assert!(p.has_part(7, 99)); // past the end of segment 7: part 8.0, listed
    assert!(p.has_segment(7) && !p.has_segment(8));
    // The window keeps live_segments + 1 complete segments (all 7 here) and the one in progress.
    assert!(p.segment(1).is_some() && p.segment(8).is_none());
    assert!(p.part(1, 0).is_some() && p.part(8, 0).is_some() && p.init().is_some());
    let seg7 = p.segment(7).expect("segment 7");
    let concatenated: Vec<u8> = (0..).map_while(|i| p.part(7, i)).flat_map(|b| b.to_vec()).collect();
    assert_eq!(seg7.as_ref(), concatenated.as_slice());
}

#[test]
fn delta_update_skips_old_segments() {
    let config = HlsConfig { segment_target: Duration::from_secs(1), live_segments: 10, ..HlsConfig::default() };
    // A keyframe every second: 1 s segments, 29 complete + 0.6 s of parts in progress.
    let p = playlist(config, run(config, 30, 30, 0, false));
    let full = p.render_live(false);
    let delta = p.render_live(true);
    assert!(full.contains("CAN-SKIP-UNTIL=6,") || full.contains("CAN-SKIP-UNTIL=6\n"), "{full}");
    // Segments ending 6 s or more before the end (the last ends 0.6 s before it): 4 of 10.
    assert!(delta.contains("#EXT-X-SKIP:SKIPPED-SEGMENTS=4\n"), "{delta}");
    assert_eq!(full.matches("#EXTINF").count(), 10);
    assert_eq!(delta.matches("#EXTINF").count(), 6);
    assert_eq!(full.lines().nth(5), delta.lines().nth(5)); // the same media sequence
    // Nothing to skip in a short window: no SKIP tag.
    let short = playlist(config, run(config, 4, 30, 0, false));
    assert!(!short.render_live(true).contains("EXT-X-SKIP"));
}

#[test]
fn event_playlist_lists_every_segment_and_ends() {
    let config = HlsConfig::default();
    let events = run(config, 30, 60, 60, true);
    let ends = events.iter().filter(|e| matches!(e, HlsEvent::SegmentEnd { .. })).count();
    let mut p = Playlist::with_naming(config, Naming { prefix: "room_2026/".into() });
    for e in events {
        p.push(e);
    }
    assert!(p.ended() && p.has_part(99, 0) && p.has_segment(99));
    // 8 segments: the oldest left the window (live_segments + 1 = 7).
    assert!(p.segment(1).is_none() && p.part(1, 0).is_none() && p.segment(2).is_some() && p.segment(8).is_some());
    let event = p.render_event();
    assert!(event.starts_with("#EXTM3U\n#EXT-X-VERSION:7\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-MEDIA-SEQUENCE:1\n"), "{event}");
    assert!(event.contains("#EXT-X-MAP:URI=\"room_2026/init.mp4\"\n"));
    let uris: Vec<&str> = event.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(uris.len(), ends);
    assert_eq!(ends, 8);
    assert!(uris.iter().enumerate().all(|(i, u)| *u == format!("room_2026/seg{}.m4s", i + 1)));
    assert!(event.ends_with("#EXT-X-ENDLIST\n") && !event.contains("EXT-X-PART"));
    let plain = p.render_event_with(&Naming::default());
    assert!(plain.contains("\nseg8.m4s\n"));
    let live = p.render_live(false);
    assert!(live.ends_with("#EXT-X-ENDLIST\n") && !live.contains("PRELOAD-HINT"), "{live}");
    let unfinished = playlist(config, run(config, 9, 60, 0, false)).render_event();
    assert!(!unfinished.contains("ENDLIST") && unfinished.matches("#EXTINF").count() == 2);
}

#[test]
fn empty_playlist_renders() {
    let p = Playlist::new(HlsConfig::default());
    assert_eq!(p.last_part(), None);
    assert!(!p.has_part(1, 0) && !p.has_segment(1));
    let live = p.render_live(true);
    assert!(live.contains("#EXT-X-MEDIA-SEQUENCE:1\n") && live.ends_with("URI=\"part1.0.m4s\"\n"), "{live}");
    assert_eq!(p.target_duration(), 4);
}
