//! Starting a packaging egress: a track composite (a video and an audio track by id) or a
//! participant's camera (or screen share) and microphone, packaged without transcoding the
//! video — H.264 and Opus into fragmented MP4 — as HLS into the recordings directory (with a
//! low-latency live playlist served from memory while it runs), as RTMP streams, or both;
//! and `UpdateStream`, which adds and removes a running egress's RTMP destinations.

use std::sync::Arc;
use std::time::Duration;

use hikari_egress::path::{PathVars, resolve, resolve_segments};
use hikari_egress::stream::{redact, validate_url, validate_urls};
use hikari_egress::{
    CompositeOutputs, Egress, EgressError, EgressSource, EgressStatus, Encoding, ImagesOutput, SegmentsOutput, SegmentsResult, StartParticipant,
    StartTrackComposite, UpdateStream,
};
use hikari_mux::Codec;
use hikari_mux::hls::{HlsConfig, HlsPackager, Naming};
use hikari_types::{ParticipantIdentity, ParticipantInfo, RoomInfo, TrackInfo, TrackKind, TrackSource};
use tokio::sync::mpsc;

use crate::composite::Pick;
use crate::error::RecordError;
use crate::hls::{Disk, HlsJob, run};
use crate::live::LiveStream;
use crate::package::{CompositeFeed, Fed, Feed, Packaging, redacted};
use crate::rejoin::Follow;
use crate::restream::{Restream, RestreamConfig};
use crate::start::{JOB_QUEUE, Recorder, codec, kind_name};
use crate::thumbs::Thumbnails;

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
    /// The room and its participants, once the video track `video` picks looks like H.264 or
    /// 2 s have passed. A video track's codec is its client's word until its first packet
    /// tells (a client that names none is taken for VP8): before an H.264-only job judges one
    /// that does not look like H.264 yet, its packets get that long to say what it is.
    async fn settled_room(
        &self,
        room: &hikari_types::RoomName,
        video: impl Fn(&[ParticipantInfo]) -> Option<&TrackInfo>,
    ) -> Result<(RoomInfo, Vec<ParticipantInfo>), RecordError> {
        for _ in 1..20 {
            let (info, people) = self.room(room).await?;
            if video(&people).is_none_or(|t| codec(&t.mime_type) == Some(Codec::H264)) {
                return Ok((info, people));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        self.room(room).await
    }

    pub(crate) async fn start_composite(&self, r: StartTrackComposite) -> Result<Egress, RecordError> {
        let video_sid = r.video_track_id.as_ref();
        let (room, people) = self.settled_room(&r.room_name, |people| people.iter().flat_map(|p| &p.tracks).find(|t| Some(&t.sid) == video_sid)).await?;
        let find = |sid: &Option<hikari_types::TrackSid>| -> Result<Option<(&ParticipantInfo, &TrackInfo)>, RecordError> {
            let Some(sid) = sid else { return Ok(None) };
            let found = people.iter().find_map(|p| p.tracks.iter().find(|t| t.sid == *sid).map(|t| (p, t)));
            found.map(Some).ok_or_else(|| RecordError::NotFound(format!("track {:?} is not published in room {:?}", sid.as_str(), r.room_name.as_str())))
        };
        let (video, audio) = (find(&r.video_track_id)?, find(&r.audio_track_id)?);
        let Some((publisher, _)) = video.or(audio) else { return Err(RecordError::Invalid("a track composite needs a video or an audio track".into())) };
        let sources = Sources { room, publisher, video: video.map(|v| v.1), audio: audio.map(|a| a.1) };
        let outputs = redacted(&r.outputs);
        let source = EgressSource::TrackComposite { audio_track_id: r.audio_track_id.clone(), video_track_id: r.video_track_id.clone(), outputs };
        let pick = Pick::Tracks { video: r.video_track_id.clone(), audio: r.audio_track_id.clone() };
        self.start_hls(sources, source, &r.outputs, None, (pick, r.encoding)).await
    }

    pub(crate) async fn start_participant(&self, r: StartParticipant) -> Result<Egress, RecordError> {
        let (vs, as_) = if r.screen_share { (TrackSource::ScreenShare, TrackSource::ScreenShareAudio) } else { (TrackSource::Camera, TrackSource::Microphone) };
        let (room, people) = self
            .settled_room(&r.room_name, |people| {
                people.iter().find(|p| p.identity == r.identity).and_then(|p| p.tracks.iter().find(|t| t.kind == TrackKind::Video && t.source == vs))
            })
            .await?;
        let Some(publisher) = people.iter().find(|p| p.identity == r.identity) else {
            return Err(RecordError::NotFound(format!("participant {:?} is not in room {:?}", r.identity.as_str(), r.room_name.as_str())));
        };
        let pick = |kind: TrackKind, source: TrackSource| publisher.tracks.iter().find(|t| t.kind == kind && t.source == source);
        let (video, audio) = (pick(TrackKind::Video, vs), pick(TrackKind::Audio, as_));
        if video.is_none() && audio.is_none() {
            let what = if r.screen_share { "a screen share" } else { "a camera or a microphone" };
            return Err(RecordError::NotFound(format!("participant {:?} has not published {what}; start the egress once it has", r.identity.as_str())));
        }
        let sources = Sources { room, publisher, video, audio };
        let source = EgressSource::Participant { identity: r.identity.clone(), screen_share: r.screen_share, outputs: redacted(&r.outputs) };
        let pick = Pick::Participant { identity: r.identity.clone(), screen_share: r.screen_share };
        self.start_hls(sources, source, &r.outputs, Some((r.identity.clone(), r.screen_share)), (pick, r.encoding)).await
    }

    /// Starts a packaging job fed by a track composite's or a participant's tracks: H.264
    /// video and Opus audio are packaged as they are (`follow`, a participant egress's
    /// identity and screen share, then waits for the publisher when it leaves and joins
    /// again); a VP8 or VP9 video is transcoded to H.264 by a one-tile composite of the
    /// `pick`ed tracks, at the request's encoding (default 720p30), within the node's
    /// composite limit.
    async fn start_hls(
        &self,
        s: Sources<'_>,
        source: EgressSource,
        outputs: &CompositeOutputs,
        follow: Option<(ParticipantIdentity, bool)>,
        (pick, encoding): (Pick, Option<Encoding>),
    ) -> Result<Egress, RecordError> {
        if let Some(a) = s.audio
            && codec(&a.mime_type) != Some(Codec::Opus)
        {
            return Err(RecordError::Invalid(format!("track {} is {}: HLS and RTMP streams take Opus audio", a.sid, a.mime_type)));
        }
        let first = s.video.or(s.audio).ok_or_else(|| RecordError::Invalid("no track to package".into()))?;
        let vars = path_vars(&s, first, (self.now_nanos)());
        let transcode = s.video.map(|v| codec(&v.mime_type)).filter(|c| *c != Some(Codec::H264));
        let feed = match transcode {
            None => Feed::Tracks { video: s.video, audio: s.audio, follow },
            Some(Some(Codec::Vp8 | Codec::Vp9)) => {
                self.composite_slot()?;
                let encoding = encoding.unwrap_or_default();
                Feed::Composite(CompositeFeed { layout: "single-speaker".into(), encoding, video: true, audio: s.audio.is_some(), pick })
            }
            Some(_) => {
                let v = s.video.map(|v| format!("track {} is {}", v.sid, v.mime_type)).unwrap_or_default();
                return Err(RecordError::Invalid(format!("{v}: this server packages H.264 and transcodes VP8 and VP9")));
            }
        };
        self.start_packaging(Packaging { room: &s.room, vars, source, outputs, video: s.video.is_some(), audio: s.audio.is_some(), feed }).await
    }

    /// Starts a packaging job: reserves its files (never overwriting a recording), records
    /// the egress, starts the streams and thumbnails, connects the feed, then runs the job
    /// on a thread of its own.
    pub(crate) async fn start_packaging(&self, p: Packaging<'_>) -> Result<Egress, RecordError> {
        let Packaging { room, vars, source, outputs, video, audio, feed } = p;
        validate_urls(&outputs.stream_urls)?;
        if outputs.images.is_some() && !video {
            return Err(RecordError::Invalid("an image output takes thumbnails of the video, and this egress has no video".into()));
        }
        let now = (self.now_nanos)();
        let images = match &outputs.images {
            Some(out) => Some((self.images_prefix(&vars, out)?, out.clone())),
            None => None,
        };
        let disk = match &outputs.segments {
            Some(out) => Some(self.reserve_hls(&vars, out)?),
            None => None,
        };
        let mut file = match &outputs.file {
            Some(template) => match self.reserve_file(template, &vars) {
                Ok(f) => Some(f),
                Err(e) => {
                    if let Some((_, playlist)) = &disk {
                        let _ = std::fs::remove_file(self.cfg.dir.join(playlist));
                    }
                    return Err(e);
                }
            },
            None => None,
        };
        let secs = match &outputs.segments {
            Some(out) if out.segment_duration > 0 => out.segment_duration,
            _ => DEFAULT_SEGMENT_SECS,
        };
        let config = HlsConfig { segment_target: Duration::from_secs(secs.into()), ..HlsConfig::default() };
        let packager = HlsPackager::new(config, video, audio.then_some((2, 0))).map_err(|e| RecordError::Invalid(e.to_string()))?;
        let egress = self.registry.start(room.name.clone(), source, room.sid.clone(), now).await?;
        let disk = disk.map(|(naming, playlist_path)| {
            let result = SegmentsResult {
                playlist_name: playlist_path.clone(),
                live_playlist_name: outputs
                    .segments
                    .as_ref()
                    .map(|o| o.live_playlist_name.clone())
                    .filter(|n| !n.is_empty())
                    .unwrap_or_else(|| "live.m3u8".into()),
                playlist_location: format!("{}{playlist_path}", self.cfg.location_prefix),
                live_playlist_location: format!("{}{}/live.m3u8", self.cfg.live_prefix, egress.id),
                ..Default::default()
            };
            let live = Arc::new(LiveStream::new(room.name.clone(), config));
            self.live.insert(egress.id.clone(), live.clone());
            Disk { naming, dir: self.cfg.dir.clone(), playlist_path, result, live, streams: self.live.clone() }
        });
        let restream = (!outputs.stream_urls.is_empty()).then(|| {
            let r = Restream::new(RestreamConfig {
                id: egress.id.clone(),
                ffmpeg: self.cfg.ffmpeg.clone(),
                video,
                audio,
                has_segments: disk.is_some() || file.is_some(),
                registry: self.registry.clone(),
                now_nanos: self.now_nanos,
            });
            for url in &outputs.stream_urls {
                r.add(url.clone());
            }
            if let Ok(mut map) = self.restreams.lock() {
                map.insert(egress.id.clone(), r.clone());
            }
            r
        });
        let thumbs = match images {
            Some((prefix, out)) => match Thumbnails::start(&self.cfg.ffmpeg, &self.cfg.dir, &prefix, out.capture_interval, out.width, out.height).await {
                Ok(t) => Some(t),
                Err(e) => return self.fail_start(&egress, restream, file.as_mut(), format!("cannot start the thumbnails: {e}"), now).await,
            },
            None => None,
        };
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(egress.id.clone(), Vec::new());
        }
        let fed = match feed {
            Feed::Tracks { video, audio, follow } => self.attach_tracks(&egress, room, video, audio, follow),
            Feed::Composite(c) => self.start_composite_feed(&egress, room, c).await,
        };
        let fed = match fed {
            Ok(fed) => fed,
            Err(why) => return self.fail_start(&egress, restream, file.as_mut(), why, now).await,
        };
        let playlist = disk.as_ref().map(|d| d.playlist_path.clone());
        let file_path = file.as_ref().map(|f| f.relative.clone());
        let job = HlsJob {
            id: egress.id.clone(),
            packager,
            disk,
            file,
            restream: restream.clone(),
            thumbs,
            restreams: self.restreams.clone(),
            media: self.media.clone(),
            sinks: fed.sinks,
            tracks: fed.tracks,
            follow: fed.follow,
            availability: (fed.failure.is_none()).then(|| crate::avail::Availability::new(self.part_availability.clone())),
            failure: fed.failure,
            registry: self.registry.clone(),
            runtime: tokio::runtime::Handle::current(),
            now_nanos: self.now_nanos,
            jobs: self.jobs.clone(),
            upload: self.upload_target(),
        };
        let [video_rx, audio_rx] = fed.receivers;
        let spawned = std::thread::Builder::new().name(format!("egress-{}", egress.id)).spawn(move || run(job, video_rx, audio_rx));
        if let Err(e) = spawned {
            // The feed goes with the job it would have fed.
            self.stop_composite(&egress.id);
            return self.fail_start(&egress, restream, None, format!("cannot start the job's thread: {e}"), now).await;
        }
        let streams: Vec<String> = outputs.stream_urls.iter().map(|u| redact(u)).collect();
        tracing::info!(egress = %egress.id, room = %room.name, file = ?file_path, playlist = ?playlist, streams = ?streams, "packaging egress started");
        Ok(egress)
    }

    /// Attaches the sinks of a track composite's or participant's tracks.
    fn attach_tracks(
        &self,
        egress: &Egress,
        room: &RoomInfo,
        video: Option<&TrackInfo>,
        audio: Option<&TrackInfo>,
        follow: Option<(ParticipantIdentity, bool)>,
    ) -> Result<Fed, String> {
        let (video_sink, audio_sink) = (video.map(|_| self.next_sink()), audio.map(|_| self.next_sink()));
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.insert(egress.id.clone(), video_sink.into_iter().chain(audio_sink).collect());
        }
        let mut receivers = [None, None];
        for (k, (sink, track)) in [(video_sink, video), (audio_sink, audio)].into_iter().enumerate() {
            let (Some(sink), Some(track)) = (sink, track) else { continue };
            let (tx, rx) = mpsc::channel(JOB_QUEUE);
            self.media.attach_sink(sink, room.name.clone(), track.sid.clone(), tx).map_err(|e| format!("the media thread refused the job: {e}"))?;
            receivers[k] = Some(rx);
        }
        Ok(Fed {
            receivers,
            sinks: [video_sink, audio_sink],
            tracks: [video.map(|t| t.sid.clone()), audio.map(|t| t.sid.clone())],
            follow: follow.map(|(identity, screen_share)| Follow {
                room: room.name.clone(),
                identity,
                screen_share,
                next_sink: self.next_sink.clone(),
                shutdown: self.shutdown.clone(),
            }),
            failure: None,
        })
    }

    /// Resolves an HLS output's paths and takes the playlist's name (never overwriting a
    /// recording; its content comes with the first segment): the files' naming and the
    /// playlist's path.
    fn reserve_hls(&self, vars: &PathVars<'_>, out: &SegmentsOutput) -> Result<(Naming, String), RecordError> {
        let (prefix, playlist_path) = resolve_segments(&out.filename_prefix, &out.playlist_name, vars)?;
        let name = prefix.rsplit('/').next().unwrap_or(&prefix).to_owned();
        crate::start::create(&self.cfg.dir.join(&playlist_path))?;
        Ok((Naming { prefix: format!("{name}_") }, playlist_path))
    }

    /// Resolves a thumbnail output's prefix; refused if its first image exists (ffmpeg would
    /// overwrite the numbered files).
    fn images_prefix(&self, vars: &PathVars<'_>, out: &ImagesOutput) -> Result<String, RecordError> {
        let (prefix, _) = resolve_segments(&out.filename_prefix, "", vars)?;
        let name = prefix.rsplit('/').next().unwrap_or(&prefix);
        let first_image = self.cfg.dir.join(parent_of(&prefix)).join(crate::thumbs::first_file(name));
        if first_image.exists() {
            return Err(RecordError::Invalid(format!("images already exist at {prefix}_…; choose another filename_prefix")));
        }
        Ok(prefix)
    }

    /// Resolves a file output's path and creates the file (never overwriting a recording).
    fn reserve_file(&self, template: &str, vars: &PathVars<'_>) -> Result<crate::hls_file::FileOut, RecordError> {
        // A name the template leaves to the server: the room and the time (no track to name).
        let template = if template.is_empty() || template.ends_with('/') { format!("{template}{{room_name}}-{{time}}") } else { template.to_owned() };
        let relative = resolve(&template, vars, "mp4")?;
        let full = self.cfg.dir.join(&relative);
        let file = crate::start::create(&full)?;
        let location = format!("{}{relative}", self.cfg.location_prefix);
        Ok(crate::hls_file::FileOut { file: Some(file), full, relative, location, bytes: 0 })
    }

    /// A job that could not start: its sinks detached, its file removed, its record failed.
    async fn fail_start(
        &self,
        egress: &Egress,
        restream: Option<Arc<Restream>>,
        file: Option<&mut crate::hls_file::FileOut>,
        why: String,
        now: i64,
    ) -> Result<Egress, RecordError> {
        if let Some(f) = file {
            f.discard();
        }
        self.detach(&egress.id);
        self.jobs.lock().ok().map(|mut j| j.remove(&egress.id));
        self.live.remove(&egress.id);
        self.restreams.lock().ok().map(|mut r| r.remove(&egress.id));
        if let Some(r) = restream {
            r.finish().await;
        }
        tracing::error!(egress = %egress.id, error = %why, "the egress could not start");
        let failed = self.registry.end(&egress.id, EgressStatus::Failed, None, why, now).await?;
        Ok(failed.unwrap_or_else(|| egress.clone()))
    }
}

fn path_vars<'a>(s: &'a Sources<'_>, first: &'a TrackInfo, now: i64) -> PathVars<'a> {
    PathVars {
        room_name: s.room.name.as_str(),
        room_id: s.room.sid.as_str(),
        track_id: first.sid.as_str(),
        track_type: kind_name(first),
        track_source: first.source.grant_name(),
        publisher_identity: s.publisher.identity.as_str(),
        unix_millis: now / 1_000_000,
    }
}

fn parent_of(relative: &str) -> &str {
    relative.rsplit_once('/').map_or("", |(d, _)| d)
}

impl Recorder {
    /// `UpdateStream`: destinations added (checked, none twice) and removed (by whole or
    /// redacted URL) on a running egress with a stream output; the egress as it is after.
    pub(crate) async fn update_stream(&self, u: UpdateStream) -> Result<Egress, RecordError> {
        let egress = self.registry.get(&u.id).await?;
        if !egress.status.is_active() {
            return Err(EgressError::FailedPrecondition(format!("egress {} has ended ({:?}); start a new one", u.id, egress.status)).into());
        }
        let restream = self.restreams.lock().ok().and_then(|m| m.get(&u.id).cloned());
        let Some(restream) = restream else {
            return Err(EgressError::FailedPrecondition(format!(
                "egress {} has no stream output; UpdateStream changes the RTMP destinations of an egress started with stream_outputs",
                u.id
            ))
            .into());
        };
        validate_urls(&u.add)?;
        for url in &u.add {
            validate_url(url)?;
            if restream.has(url) {
                return Err(RecordError::Invalid(format!("egress {} already streams to {}", u.id, redact(url))));
            }
        }
        for url in &u.remove {
            if !restream.has(url) {
                return Err(RecordError::Invalid(format!("egress {} does not stream to {}", u.id, redact(url))));
            }
        }
        let after = (restream.live_count() + u.add.len()).saturating_sub(u.remove.len());
        if after > hikari_egress::stream::MAX_STREAMS {
            return Err(RecordError::Invalid(format!("egress {} would stream to {after} destinations; at most {}", u.id, hikari_egress::stream::MAX_STREAMS)));
        }
        if !restream.has_segments() && u.add.is_empty() && u.remove.len() >= restream.live_count() {
            return Err(RecordError::Invalid(format!("removing every stream of egress {} would leave it nothing to do: stop the egress instead", u.id)));
        }
        for url in &u.remove {
            restream.remove(url);
        }
        for url in &u.add {
            restream.add(url.clone());
        }
        tracing::info!(egress = %u.id, added = ?u.add.iter().map(|x| redact(x)).collect::<Vec<_>>(), removed = ?u.remove.iter().map(|x| redact(x)).collect::<Vec<_>>(), "streams updated");
        Ok(restream.report().await.unwrap_or(egress))
    }
}
