//! A participant egress outlives its publisher's brief disconnect. When the publisher leaves
//! and joins again (a network change, a reload: a new session, new track ids), its track is
//! unpublished; the job then waits up to [`REJOIN_WAIT`] for the same identity to publish a
//! track of the same kind and source again, attaches a sink to it and goes on: the recording
//! has a gap, not an end. A track composite names its tracks by id and does not follow.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hikari_media_io::{MediaHandle, SinkOut};
use hikari_mux::Codec;
use hikari_sfu::SinkId;
use hikari_types::{AdminRequest, AdminResponse, ParticipantIdentity, RoomName, TrackKind, TrackSid, TrackSource};
use tokio::sync::mpsc;

use crate::start::{JOB_QUEUE, codec};

/// How long a job waits for its publisher to come back.
pub(crate) const REJOIN_WAIT: Duration = Duration::from_secs(30);
/// How often it looks.
pub(crate) const REJOIN_POLL: Duration = Duration::from_millis(250);

/// Whom a participant egress follows.
pub(crate) struct Follow {
    pub(crate) room: RoomName,
    pub(crate) identity: ParticipantIdentity,
    pub(crate) screen_share: bool,
    /// The recorder's sink ids.
    pub(crate) next_sink: Arc<AtomicU64>,
    /// Set when the server stops: nobody is waited for any more.
    pub(crate) shutdown: Arc<std::sync::atomic::AtomicBool>,
}

/// A track found again: its id, the new sink and its outlet.
pub(crate) struct Found {
    pub(crate) track: TrackSid,
    pub(crate) sink: SinkId,
    pub(crate) rx: mpsc::Receiver<SinkOut>,
}

impl Follow {
    /// Looks once for the publisher's `video` (else audio) track of codec `want` (the one
    /// the job packages) other than `old`; attaches a sink to it if there.
    pub(crate) async fn find(&self, media: &MediaHandle, video: bool, want: Codec, old: Option<&TrackSid>) -> Option<Found> {
        let AdminResponse::Participants(people) = media.admin(AdminRequest::ListParticipants { room: self.room.clone() }).await.ok()? else { return None };
        let (kind, source) = match (video, self.screen_share) {
            (true, false) => (TrackKind::Video, TrackSource::Camera),
            (true, true) => (TrackKind::Video, TrackSource::ScreenShare),
            (false, false) => (TrackKind::Audio, TrackSource::Microphone),
            (false, true) => (TrackKind::Audio, TrackSource::ScreenShareAudio),
        };
        let person = people.iter().find(|p| p.identity == self.identity)?;
        let track = person.tracks.iter().find(|t| t.kind == kind && t.source == source && Some(&t.sid) != old && codec(&t.mime_type) == Some(want))?;
        let sink = SinkId(self.next_sink.fetch_add(1, Ordering::Relaxed));
        let (tx, rx) = mpsc::channel(JOB_QUEUE);
        media.attach_sink(sink, self.room.clone(), track.sid.clone(), tx).ok()?;
        Some(Found { track: track.sid.clone(), sink, rx })
    }
}
