//! Starting an HLS egress: a track composite (a video and an audio track by id) or a
//! participant's camera (or screen share) and microphone, packaged without transcoding —
//! H.264 video and Opus audio into fragmented-MP4 segments — into the recordings directory,
//! with a low-latency live playlist served from memory while it runs.

use std::sync::Arc;
use std::time::Duration;

use hikari_egress::path::{PathVars, resolve_segments};
use hikari_egress::{Egress, EgressSource, EgressStatus, SegmentsOutput, SegmentsResult, StartParticipant, StartTrackComposite};
use hikari_mux::Codec;
use hikari_mux::hls::{HlsConfig, HlsPackager, Naming};
use hikari_types::{ParticipantInfo, RoomInfo, TrackInfo, TrackKind, TrackSource};
use tokio::sync::mpsc;

use crate::error::RecordError;
use crate::hls::{HlsJob, run};
use crate::live::LiveStream;
use crate::start::{JOB_QUEUE, Recorder, codec, kind_name};

/// LiveKit's default segment length.
const DEFAULT_SEGMENT_SECS: u32 = 4;

/// The tracks an HLS egress packages.
struct Sources<'a> {
    room: RoomInfo,
    publisher: &'a ParticipantInfo,
    video: Option<&'a TrackInfo>,
    audio: Option<&'a TrackInfo>,
}

impl Recorder {
    pub(crate) async fn start_composite(&self, r: StartTrackComposite) -> Result<Egress, RecordError> {
        let (room, people) = self.room(&r.room_name).await?;
        let find = |sid: &Option<hikari_types::TrackSid>| -> Result<Option<(&ParticipantInfo, &TrackInfo)>, RecordError> {
            let Some(sid) = sid else { return Ok(None) };
            let found = people.iter().find_map(|p| p.tracks.iter().find(|t| t.sid == *sid).map(|t| (p, t)));
            found.map(Some).ok_or_else(|| RecordError::NotFound(format!("track {:?} is not published in room {:?}", sid.as_str(), r.room_name.as_str())))
        };
        let (video, audio) = (find(&r.video_track_id)?, find(&r.audio_track_id)?);
        let Some((publisher, _)) = video.or(audio) else { return Err(RecordError::Invalid("a track composite needs a video or an audio track".into())) };
        let sources = Sources { room, publisher, video: video.map(|v| v.1), audio: audio.map(|a| a.1) };
        let source =
            EgressSource::TrackComposite { audio_track_id: r.audio_track_id.clone(), video_track_id: r.video_track_id.clone(), segments: r.segments.clone() };
        self.start_hls(sources, source, &r.segments).await
    }

    pub(crate) async fn start_participant(&self, r: StartParticipant) -> Result<Egress, RecordError> {
        let (room, people) = self.room(&r.room_name).await?;
        let Some(publisher) = people.iter().find(|p| p.identity == r.identity) else {
            return Err(RecordError::NotFound(format!("participant {:?} is not in room {:?}", r.identity.as_str(), r.room_name.as_str())));
        };
        let (vs, as_) = if r.screen_share { (TrackSource::ScreenShare, TrackSource::ScreenShareAudio) } else { (TrackSource::Camera, TrackSource::Microphone) };
        let pick = |kind: TrackKind, source: TrackSource| publisher.tracks.iter().find(|t| t.kind == kind && t.source == source);
        let (video, audio) = (pick(TrackKind::Video, vs), pick(TrackKind::Audio, as_));
        if video.is_none() && audio.is_none() {
            let what = if r.screen_share { "a screen share" } else { "a camera or a microphone" };
            return Err(RecordError::NotFound(format!("participant {:?} has not published {what}; start the egress once it has", r.identity.as_str())));
        }
        let sources = Sources { room, publisher, video, audio };
        let source = EgressSource::Participant { identity: r.identity.clone(), screen_share: r.screen_share, segments: r.segments.clone() };
        self.start_hls(sources, source, &r.segments).await
    }

    async fn start_hls(&self, s: Sources<'_>, source: EgressSource, out: &SegmentsOutput) -> Result<Egress, RecordError> {
        if let Some(v) = s.video
            && codec(&v.mime_type) != Some(Codec::H264)
        {
            return Err(RecordError::Invalid(format!(
                "track {} is {}: HLS is packaged without transcoding and needs H.264 video (publish with the H.264 codec, e.g. livekit-client's videoCodec: 'h264'), or record it with StartTrackEgress",
                v.sid, v.mime_type
            )));
        }
        if let Some(a) = s.audio
            && codec(&a.mime_type) != Some(Codec::Opus)
        {
            return Err(RecordError::Invalid(format!("track {} is {}: HLS packages Opus audio", a.sid, a.mime_type)));
        }
        let first = s.video.or(s.audio).ok_or_else(|| RecordError::Invalid("no track to package".into()))?;
        let now = (self.now_nanos)();
        let vars = PathVars {
            room_name: s.room.name.as_str(),
            room_id: s.room.sid.as_str(),
            track_id: first.sid.as_str(),
            track_type: kind_name(first),
            track_source: first.source.grant_name(),
            publisher_identity: s.publisher.identity.as_str(),
            unix_millis: now / 1_000_000,
        };
        let (prefix, playlist_path) = resolve_segments(&out.filename_prefix, &out.playlist_name, &vars)?;
        let name = prefix.rsplit('/').next().unwrap_or(&prefix).to_owned();
        let full_playlist = self.cfg.dir.join(&playlist_path);
        // The playlist's name is taken now (never overwriting a recording); its content comes
        // with the first segment.
        crate::start::create(&full_playlist)?;
        let secs = if out.segment_duration == 0 { DEFAULT_SEGMENT_SECS } else { out.segment_duration };
        let config = HlsConfig { segment_target: Duration::from_secs(secs.into()), ..HlsConfig::default() };
        let packager = HlsPackager::new(config, s.video.is_some(), s.audio.map(|_| (2, 0))).map_err(|e| RecordError::Invalid(e.to_string()))?;
        let egress = self.registry.start(s.room.name.clone(), source, s.room.sid.clone(), now).await?;
        let live_location = format!("{}{}/live.m3u8", self.cfg.live_prefix, egress.id);
        let result = SegmentsResult {
            playlist_name: playlist_path.clone(),
            live_playlist_name: if out.live_playlist_name.is_empty() { "live.m3u8".into() } else { out.live_playlist_name.clone() },
            playlist_location: format!("{}{playlist_path}", self.cfg.location_prefix),
            live_playlist_location: live_location,
            ..Default::default()
        };
        let live = Arc::new(LiveStream::new(s.room.name.clone(), config));
        self.live.insert(egress.id.clone(), live.clone());
        let (video_sink, audio_sink) = (s.video.map(|_| self.next_sink()), s.audio.map(|_| self.next_sink()));
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(egress.id.clone(), video_sink.into_iter().chain(audio_sink).collect());
        }
        let mut receivers = [None, None];
        for (k, (sink, track)) in [(video_sink, s.video), (audio_sink, s.audio)].into_iter().enumerate() {
            let (Some(sink), Some(track)) = (sink, track) else { continue };
            let (tx, rx) = mpsc::channel(JOB_QUEUE);
            if let Err(e) = self.media.attach_sink(sink, s.room.name.clone(), track.sid.clone(), tx) {
                return self.fail_start(&egress, format!("the media thread refused the job: {e}"), now).await;
            }
            receivers[k] = Some(rx);
        }
        let job = HlsJob {
            id: egress.id.clone(),
            packager,
            naming: Naming { prefix: format!("{name}_") },
            dir: self.cfg.dir.clone(),
            playlist_path: playlist_path.clone(),
            result,
            live,
            streams: self.live.clone(),
            media: self.media.clone(),
            video: video_sink,
            registry: self.registry.clone(),
            runtime: tokio::runtime::Handle::current(),
            now_nanos: self.now_nanos,
            jobs: self.jobs.clone(),
        };
        let [video_rx, audio_rx] = receivers;
        let spawned = std::thread::Builder::new().name(format!("egress-{}", egress.id)).spawn(move || run(job, video_rx, audio_rx));
        if let Err(e) = spawned {
            return self.fail_start(&egress, format!("cannot start the job's thread: {e}"), now).await;
        }
        tracing::info!(egress = %egress.id, room = %s.room.name, playlist = %playlist_path, video = ?s.video.map(|t| &t.sid), audio = ?s.audio.map(|t| &t.sid), "HLS egress started");
        Ok(egress)
    }

    /// A job that could not start: its sinks detached, its record failed.
    async fn fail_start(&self, egress: &Egress, why: String, now: i64) -> Result<Egress, RecordError> {
        self.detach(&egress.id);
        self.jobs.lock().ok().map(|mut j| j.remove(&egress.id));
        self.live.remove(&egress.id);
        tracing::error!(egress = %egress.id, error = %why, "the egress could not start");
        let failed = self.registry.end(&egress.id, EgressStatus::Failed, None, why, now).await?;
        Ok(failed.unwrap_or_else(|| egress.clone()))
    }
}
