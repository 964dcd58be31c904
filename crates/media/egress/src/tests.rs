use std::sync::{Arc, Mutex};

use super::*;

fn recorder() -> (EventSink, Arc<Mutex<Vec<EgressEvent>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    (Arc::new(move |e| s.lock().expect("events").push(e)), seen)
}

fn request() -> StartTrackEgress {
    StartTrackEgress { room_name: "r".into(), track_id: "TR_a".into(), filepath: "x.ogg".into() }
}

async fn start_track(reg: &Registry, r: &StartTrackEgress, room_id: &str, filepath: &str, now: i64) -> Egress {
    let source = EgressSource::Track { track_id: r.track_id.clone(), filepath: filepath.into() };
    reg.start(r.room_name.clone(), source, room_id.into(), now).await.expect("start")
}

#[tokio::test]
async fn a_job_moves_forward_only_and_every_change_is_an_event() {
    let (sink, seen) = recorder();
    let reg = Registry::new(Arc::new(SqliteEgressStore::in_memory().await.expect("store")), sink);
    let e = start_track(&reg, &request(), "RM_1", "r/x.ogg", 10).await;
    assert!(e.id.as_str().starts_with("EG_") && e.id.as_str().len() == 15);
    assert_eq!(e.status, EgressStatus::Starting);
    let file = FileResult { filename: "r/x.ogg".into(), size: 5, ..Default::default() };
    assert_eq!(reg.active(&e.id, EgressOutput::File(file.clone()), 11).await.expect("active").map(|e| e.status), Some(EgressStatus::Active));
    assert_eq!(reg.stop(&e.id, 12).await.expect("stop").status, EgressStatus::Ending);
    // A late activity report after the stop is ignored.
    assert_eq!(reg.active(&e.id, EgressOutput::File(file.clone()), 13).await.expect("late"), None);
    let done = reg
        .end(&e.id, EgressStatus::Complete, Some(EgressOutput::File(FileResult { size: 9, ..file })), String::new(), 14)
        .await
        .expect("end")
        .expect("changed");
    assert_eq!((done.status, done.ended_at, done.file.as_ref().map(|f| f.size)), (EgressStatus::Complete, 14, Some(9)));
    assert!(matches!(reg.stop(&e.id, 15).await, Err(EgressError::FailedPrecondition(_))));
    assert_eq!(reg.end(&e.id, EgressStatus::Failed, None, "x".into(), 16).await.expect("after the end"), None);
    let names: Vec<&str> = seen.lock().expect("events").iter().map(EgressEvent::webhook_name).collect();
    assert_eq!(names, ["egress_started", "egress_updated", "egress_updated", "egress_ended"]);
    assert!(matches!(reg.stop(&"EG_nope".into(), 1).await, Err(EgressError::NotFound(_))));
}

#[tokio::test]
async fn records_survive_a_reopen_and_interrupted_jobs_end_failed() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("egress.db");
    let (sink, _) = recorder();
    let reg = Registry::new(Arc::new(SqliteEgressStore::open(&path).await.expect("store")), sink.clone());
    let running = start_track(&reg, &request(), "RM_1", "r/x.ogg", 1).await;
    let other = StartTrackEgress { room_name: "s".into(), ..request() };
    let ended = start_track(&reg, &other, "RM_2", "s/x.ogg", 2).await;
    reg.end(&ended.id, EgressStatus::Aborted, None, "track gone".into(), 3).await.expect("end");
    drop(reg);
    let (sink, seen) = recorder();
    let reg = Registry::new(Arc::new(SqliteEgressStore::open(&path).await.expect("reopen")), sink);
    assert_eq!(reg.list(&EgressFilter::default()).await.expect("list").len(), 2);
    assert_eq!(reg.list(&EgressFilter { active: true, ..Default::default() }).await.expect("active").len(), 1);
    assert_eq!(reg.list(&EgressFilter { room_name: Some("s".into()), ..Default::default() }).await.expect("room")[0].error, "track gone");
    assert_eq!(reg.end_interrupted(9).await.expect("interrupted"), 1);
    let e = reg.get(&running.id).await.expect("get");
    assert_eq!((e.status, e.error.as_str()), (EgressStatus::Failed, registry_interrupted()));
    assert_eq!(seen.lock().expect("events").len(), 1);
}

fn registry_interrupted() -> &'static str {
    INTERRUPTED
}

/// Every source and its outputs read back as written; a room composite's layout changes
/// while it runs and not after.
#[tokio::test]
async fn composite_and_participant_records_round_trip() {
    let (sink, _) = recorder();
    let reg = Registry::new(Arc::new(SqliteEgressStore::in_memory().await.expect("store")), sink);
    let segments =
        SegmentsOutput { filename_prefix: "hls/{room_name}".into(), playlist_name: "p.m3u8".into(), live_playlist_name: "l.m3u8".into(), segment_duration: 2 };
    let hls = CompositeOutputs { segments: Some(segments), ..Default::default() };
    let images = ImagesOutput { capture_interval: 5, width: 320, height: 0, filename_prefix: "thumbs/{room_name}".into() };
    let both = CompositeOutputs { stream_urls: vec!["rtmp://h/app/{ab…yz}".into()], images: Some(images), ..hls.clone() };
    for source in [
        EgressSource::TrackComposite { audio_track_id: Some("TR_a".into()), video_track_id: None, outputs: hls.clone() },
        EgressSource::Participant { identity: "host".into(), screen_share: true, outputs: both.clone() },
        EgressSource::RoomComposite {
            layout: "speaker-light".into(),
            audio_only: false,
            video_only: true,
            encoding: crate::Encoding { width: 1920, height: 1080, fps: 60, ..Default::default() },
            outputs: CompositeOutputs { file: Some("rec/{room_name}.mp4".into()), ..both },
        },
    ] {
        let e = reg.start("r".into(), source.clone(), "RM_1".into(), 1).await.expect("start");
        let result = SegmentsResult { playlist_name: "hls/r/p.m3u8".into(), segment_count: 3, duration: 7, ..Default::default() };
        reg.active(&e.id, EgressOutput::Segments(result.clone()), 2).await.expect("active");
        let thumbs = ImagesResult { filename_prefix: "thumbs/r".into(), image_count: 4, started_at: 2, ended_at: 0 };
        reg.active(&e.id, EgressOutput::Images(thumbs.clone()), 3).await.expect("images");
        let back = reg.get(&e.id).await.expect("get");
        assert_eq!((back.source, back.segments, back.file, back.images), (source.clone(), Some(result), None, Some(thumbs)));
        let relaid = reg.update_layout(&e.id, "grid".into(), 4).await;
        match source {
            EgressSource::RoomComposite { .. } => {
                let EgressSource::RoomComposite { layout, .. } = reg.get(&e.id).await.expect("get").source else { panic!("a room composite") };
                assert_eq!((layout, relaid.is_ok()), ("grid".to_owned(), true));
                reg.end(&e.id, EgressStatus::Complete, None, String::new(), 5).await.expect("end");
                assert!(matches!(reg.update_layout(&e.id, "speaker".into(), 6).await, Err(EgressError::FailedPrecondition(_))));
            }
            _ => assert!(matches!(relaid, Err(EgressError::FailedPrecondition(_))), "{relaid:?}"),
        }
    }
}

/// Stream reports: stored with the redacted URL list, the first live one makes the job
/// active, a report after the end is ignored.
#[tokio::test]
async fn stream_reports_are_kept_and_activate() {
    let (sink, seen) = recorder();
    let reg = Registry::new(Arc::new(SqliteEgressStore::in_memory().await.expect("store")), sink);
    let outputs = CompositeOutputs { stream_urls: vec!["rtmp://h/a/{ab…yz}".into()], ..Default::default() };
    let e = reg.start("r".into(), EgressSource::Participant { identity: "p".into(), screen_share: false, outputs }, "RM_1".into(), 1).await.expect("start");
    let retrying = StreamResult { url: "rtmp://h/a/{ab…yz}".into(), error: "Connection refused".into(), retries: 1, last_retry_at: 2, ..Default::default() };
    let back = reg.streams(&e.id, vec![retrying], None, 2).await.expect("report").expect("kept");
    assert_eq!(back.status, EgressStatus::Starting, "not connected yet");
    let live = StreamResult { url: "rtmp://h/a/{ab…yz}".into(), started_at: 3, retries: 1, ..Default::default() };
    let two = vec![live.clone(), StreamResult { url: "rtmp://h/b/{cd…ef}".into(), ..Default::default() }];
    let urls = vec!["rtmp://h/a/{ab…yz}".to_string(), "rtmp://h/b/{cd…ef}".to_string()];
    let back = reg.streams(&e.id, two.clone(), Some(urls.clone()), 3).await.expect("report").expect("kept");
    assert_eq!(back.status, EgressStatus::Active);
    let stored = reg.get(&e.id).await.expect("get");
    assert_eq!(stored.streams, two);
    let EgressSource::Participant { outputs, .. } = stored.source else { panic!("a participant egress") };
    assert_eq!(outputs.stream_urls, urls);
    reg.end(&e.id, EgressStatus::Complete, None, String::new(), 4).await.expect("end");
    assert!(reg.streams(&e.id, vec![live], None, 5).await.expect("late").is_none(), "ignored after the end");
    assert_eq!(seen.lock().expect("events").len(), 4, "started, two updates, ended");
}

#[tokio::test]
async fn the_library_lists_ended_recordings_newest_first_until_deleted() {
    let (sink, _) = recorder();
    let reg = Registry::new(Arc::new(SqliteEgressStore::in_memory().await.expect("store")), sink);
    let mut ids = Vec::new();
    for (i, room) in ["a", "b", "a"].into_iter().enumerate() {
        let r = StartTrackEgress { room_name: room.into(), ..request() };
        let e = start_track(&reg, &r, "RM_1", "x.ogg", 10).await;
        let file = FileResult { filename: format!("{room}/{i}.ogg"), size: 100 + i as i64, duration: 5, ..Default::default() };
        reg.end(&e.id, EgressStatus::Complete, Some(EgressOutput::File(file)), String::new(), 20).await.expect("end");
        ids.push(e.id);
    }
    // Running, and ended with nothing written: not recordings.
    let running = start_track(&reg, &request(), "RM_1", "y.ogg", 30).await;
    let empty = start_track(&reg, &request(), "RM_1", "z.ogg", 30).await;
    reg.end(&empty.id, EgressStatus::Failed, None, "no media".into(), 31).await.expect("end");
    let all = reg.recordings(&RecordingFilter::default()).await.expect("list");
    assert_eq!(all.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), vec![ids[2].clone(), ids[1].clone(), ids[0].clone()]);
    assert_eq!((all[0].kind, all[0].path.as_str(), all[0].size, all[0].source.as_str()), (RecordingKind::File, "a/2.ogg", 102, "track TR_a"));
    let in_a = reg.recordings(&RecordingFilter { room_name: Some("a".into()), limit: 1 }).await.expect("list");
    assert_eq!(in_a.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), vec![ids[2].clone()]);
    assert!(matches!(reg.recording(&running.id).await, Err(EgressError::NotFound(_))));
    assert!(matches!(reg.recording(&empty.id).await, Err(EgressError::NotFound(_))));
    reg.forget(&ids[1], 40).await.expect("forget");
    assert!(matches!(reg.recording(&ids[1]).await, Err(EgressError::NotFound(_))));
    assert!(matches!(reg.forget(&ids[1], 41).await, Err(EgressError::NotFound(_))));
    assert_eq!(reg.recordings(&RecordingFilter::default()).await.expect("list").len(), 2);
    // ListEgress still shows the egress.
    assert_eq!(reg.get(&ids[1]).await.expect("egress").status, EgressStatus::Complete);
}

#[tokio::test]
async fn the_library_pages_past_egresses_that_wrote_nothing() {
    let (sink, _) = recorder();
    let reg = Registry::new(Arc::new(SqliteEgressStore::in_memory().await.expect("store")), sink);
    let first = start_track(&reg, &request(), "RM_1", "x.ogg", 10).await;
    let file = FileResult { filename: "x.ogg".into(), size: 1, ..Default::default() };
    reg.end(&first.id, EgressStatus::Complete, Some(EgressOutput::File(file)), String::new(), 11).await.expect("end");
    for _ in 0..450 {
        let e = start_track(&reg, &request(), "RM_1", "y.ogg", 12).await;
        reg.end(&e.id, EgressStatus::Failed, None, "nothing".into(), 13).await.expect("end");
    }
    let found = reg.recordings(&RecordingFilter::default()).await.expect("list");
    assert_eq!(found.iter().map(|r| r.id.clone()).collect::<Vec<_>>(), vec![first.id]);
}
