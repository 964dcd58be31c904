//! `StartRoomCompositeEgress` and `UpdateLayout`: a room composite takes a slot of the
//! node's composite limit (`egress.max_composites`, from the measured CPU cost of a 720p30
//! composite), starts its two encoders, then a packaging job fed by them (the file, HLS,
//! streams and thumbnails of any composite) and the composing thread
//! ([`crate::composite`]). `UpdateLayout` stores the new layout and hands it to the running
//! job, which lays the room out again from its next frame.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use hikari_egress::path::PathVars;
use hikari_egress::{Egress, EgressId, EgressSource, StartRoomComposite};
use hikari_types::RoomInfo;
use tokio::sync::watch;

use crate::composite::control::Control;
use crate::composite::{self, CompositeJob, Encoder, Pick};
use crate::error::RecordError;
use crate::package::{CompositeFeed, Fed, Feed, Packaging, redacted};
use crate::start::Recorder;

impl Recorder {
    /// Refuses a composite past the node's limit.
    pub(crate) fn composite_slot(&self) -> Result<(), RecordError> {
        let running = self.composites.lock().map(|c| c.len()).unwrap_or(0);
        if running >= self.cfg.max_composites {
            return Err(RecordError::Busy(format!(
                "this server already runs {running} composite(s) that decode and encode, its limit (egress.max_composites, from the CPU one composite takes); stop one, or record tracks with StartTrackEgress, which costs almost nothing"
            )));
        }
        Ok(())
    }

    pub(crate) async fn start_room_composite(&self, r: StartRoomComposite) -> Result<Egress, RecordError> {
        self.composite_slot()?;
        let (room, _) = self.room(&r.room_name).await?;
        let now = (self.now_nanos)();
        let vars = PathVars { room_name: room.name.as_str(), room_id: room.sid.as_str(), unix_millis: now / 1_000_000, ..PathVars::default() };
        let (video, audio) = (!r.audio_only, !r.video_only);
        let source = EgressSource::RoomComposite {
            layout: r.layout.clone(),
            audio_only: r.audio_only,
            video_only: r.video_only,
            encoding: r.encoding,
            outputs: redacted(&r.outputs),
        };
        let feed = Feed::Composite(CompositeFeed { layout: r.layout.clone(), encoding: r.encoding, video, audio, pick: Pick::Room });
        self.start_packaging(Packaging { room: &room, vars, source, outputs: &r.outputs, video, audio, feed }).await
    }

    /// Starts a room composite's encoders and its composing thread; the packaging job's inputs.
    pub(crate) async fn start_composite_feed(&self, egress: &Egress, room: &RoomInfo, c: CompositeFeed) -> Result<Fed, String> {
        let [(video_tx, video_rx), (audio_tx, audio_rx)] = composite::channels(c.video, c.audio);
        let video = match video_tx {
            Some(tx) => Some(Encoder::video(&c.encoding, &self.cfg.ffmpeg, tx).await?),
            None => None,
        };
        let audio = match audio_tx {
            Some(tx) => Some(Encoder::audio(&c.encoding, &self.cfg.ffmpeg, tx).await?),
            None => None,
        };
        let (layout_tx, layout_rx) = watch::channel(c.layout);
        let stop = Arc::new(AtomicBool::new(false));
        let failure = crate::hls::Failure::default();
        let job = CompositeJob {
            id: egress.id.clone(),
            room: room.name.clone(),
            encoding: c.encoding,
            audio: c.audio,
            video: c.video,
            pick: c.pick,
            layout: layout_rx,
            stop: stop.clone(),
            shutdown: self.shutdown.clone(),
            media: self.media.clone(),
            ffmpeg: self.cfg.ffmpeg.clone(),
            runtime: tokio::runtime::Handle::current(),
            next_sink: self.next_sink.clone(),
            jobs: self.jobs.clone(),
            encoders: (video, audio),
            failure: failure.clone(),
        };
        if let Ok(mut map) = self.composites.lock() {
            map.insert(egress.id.clone(), Control { layout: layout_tx, stop });
        }
        let (id, composites) = (egress.id.clone(), self.composites.clone());
        let spawned = std::thread::Builder::new().name(format!("compose-{}", egress.id)).spawn(move || {
            if let Err(e) = composite::run(job) {
                tracing::error!(egress = %id, error = %e, "the room composite failed");
            }
            composites.lock().ok().map(|mut m| m.remove(&id));
        });
        if let Err(e) = spawned {
            self.composites.lock().ok().map(|mut m| m.remove(&egress.id));
            return Err(format!("cannot start the composite's thread: {e}"));
        }
        Ok(Fed { receivers: [video_rx, audio_rx], sinks: [None, None], tracks: [None, None], follow: None, failure: Some(failure) })
    }

    /// `UpdateLayout`: stored (and told as `egress_updated`), then given to the running job.
    pub(crate) async fn update_layout(&self, id: &EgressId, layout: String) -> Result<Egress, RecordError> {
        let egress = self.registry.update_layout(id, layout.clone(), (self.now_nanos)()).await?;
        if let Some(c) = self.composites.lock().ok().and_then(|m| m.get(id).cloned()) {
            c.layout.send_replace(layout.clone());
        }
        tracing::info!(egress = %id, layout, "composite layout updated");
        Ok(egress)
    }

    /// Tells a running room composite to end (its outputs are then finished).
    pub(crate) fn stop_composite(&self, id: &EgressId) {
        if let Some(c) = self.composites.lock().ok().and_then(|m| m.get(id).cloned()) {
            c.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
}
