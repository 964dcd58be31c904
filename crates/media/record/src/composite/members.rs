//! Who is in the room, polled for the composite: every audio and video track (with its
//! publisher and codec), or that the room is gone. A task of its own, so the job's ticks never
//! wait on the media thread.

use std::time::Duration;

use hikari_media_io::{MediaError, MediaHandle};
use hikari_mux::Codec;
use hikari_types::{AdminError, AdminRequest, AdminResponse, ParticipantIdentity, RoomName, TrackKind, TrackSid, TrackSource};
use tokio::sync::watch;

use crate::start::codec;

/// How often the room is looked at.
pub(crate) const POLL: Duration = Duration::from_millis(300);

/// One published track a composite can take.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TrackRef {
    pub(crate) sid: TrackSid,
    pub(crate) identity: ParticipantIdentity,
    pub(crate) video: bool,
    pub(crate) screen_share: bool,
    pub(crate) codec: Codec,
}

/// Which of the room's tracks a composite takes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Pick {
    /// Every audio and video track (a room composite).
    Room,
    /// These tracks (a track composite whose video is transcoded).
    Tracks { video: Option<TrackSid>, audio: Option<TrackSid> },
    /// A participant's camera and microphone, or screen share and its audio, whichever
    /// tracks they are now (a participant egress whose video is transcoded).
    Participant { identity: ParticipantIdentity, screen_share: bool },
}

impl Pick {
    /// Whether the composite takes `t`.
    pub(crate) fn takes(&self, t: &TrackRef) -> bool {
        match self {
            Pick::Room => true,
            Pick::Tracks { video, audio } => Some(&t.sid) == if t.video { video.as_ref() } else { audio.as_ref() },
            Pick::Participant { identity, screen_share } => t.identity == *identity && t.screen_share == *screen_share,
        }
    }

    /// How long the composite outlives the tracks it took: a room composite lives with its
    /// room, a track composite ends with its tracks, a participant egress waits for its
    /// publisher to come back as long as a track egress would.
    pub(crate) fn grace(&self) -> Option<Duration> {
        match self {
            Pick::Room => None,
            Pick::Tracks { .. } => Some(Duration::ZERO),
            Pick::Participant { .. } => Some(crate::rejoin::REJOIN_WAIT),
        }
    }
}

/// What the job sees of the room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Room {
    /// Not looked at yet.
    Unknown,
    /// Its tracks, in the order their publishers joined.
    Tracks(Vec<TrackRef>),
    /// The room is gone (closed, or never was).
    Gone,
}

/// Polls `room` until the receiver is dropped or the room is gone.
pub(crate) async fn poll(media: MediaHandle, room: RoomName, tx: watch::Sender<Room>) {
    loop {
        let now = match media.admin(AdminRequest::ListParticipants { room: room.clone() }).await {
            Ok(AdminResponse::Participants(people)) => Room::Tracks(
                people
                    .iter()
                    .flat_map(|p| p.tracks.iter().map(move |t| (p, t)))
                    .filter_map(|(p, t)| {
                        let video = match t.kind {
                            TrackKind::Video => true,
                            TrackKind::Audio => false,
                            TrackKind::Data => return None,
                        };
                        Some(TrackRef {
                            sid: t.sid.clone(),
                            identity: p.identity.clone(),
                            video,
                            screen_share: matches!(t.source, TrackSource::ScreenShare | TrackSource::ScreenShareAudio),
                            codec: codec(&t.mime_type)?,
                        })
                    })
                    .filter(|t| t.video == matches!(t.codec, Codec::Vp8 | Codec::Vp9 | Codec::H264))
                    .collect(),
            ),
            Err(MediaError::Admin(AdminError::NotFound(_))) => Room::Gone,
            // The media thread is busy: look again next time.
            _ => {
                tokio::time::sleep(POLL).await;
                continue;
            }
        };
        let gone = now == Room::Gone;
        tx.send_if_modified(|old| {
            let changed = *old != now;
            *old = now;
            changed
        });
        if gone || tx.is_closed() {
            return;
        }
        tokio::time::sleep(POLL).await;
    }
}
