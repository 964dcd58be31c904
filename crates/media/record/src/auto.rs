//! Automatic egress (CreateRoom's `egress.tracks` and `egress.participant`, as LiveKit's
//! `AutoTrackEgress` and `AutoParticipantEgress`): every audio and video track published in
//! the room is recorded from its publication until it goes away, each to its own file named by
//! the room's template; every participant who publishes a camera or a microphone is recorded
//! (a participant egress: camera and microphone together, following a rejoin), each to
//! outputs whose names carry their identity.

use std::sync::Arc;
use std::time::Duration;

use hikari_egress::{AutoParticipant, CompositeOutputs, StartParticipant, StartTrackEgress};
use hikari_sfu::RoomEvent;
use hikari_types::{RoomName, TrackKind, TrackSource};

use crate::start::Recorder;

/// How long a participant's first published track waits for the other one (camera or
/// microphone) before their recording starts with what is there.
const SETTLE: Duration = Duration::from_secs(1);

/// A template that names the participant: `-{publisher_identity}` added before the last
/// component's extension when it does not (two participants must not share a file).
fn per_participant(template: &str, fallback: &str) -> String {
    if template.contains("{publisher_identity}") {
        return template.to_owned();
    }
    if template.is_empty() || template.ends_with('/') {
        return format!("{template}{fallback}");
    }
    let (dir, last) = template.rsplit_once('/').map_or(("", template), |(d, l)| (d, l));
    let named = match last.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.contains('}') => format!("{stem}-{{publisher_identity}}.{ext}"),
        _ => format!("{last}-{{publisher_identity}}"),
    };
    if dir.is_empty() { named } else { format!("{dir}/{named}") }
}

/// A room's participant outputs, each named for the participant.
fn participant_outputs(o: &CompositeOutputs) -> CompositeOutputs {
    let mut o = o.clone();
    o.file = o.file.map(|f| per_participant(&f, "{room_name}-{publisher_identity}-{time}"));
    if let Some(s) = o.segments.as_mut() {
        s.filename_prefix = per_participant(&s.filename_prefix, "{room_name}-{publisher_identity}-{time}");
        // A playlist name of the request is one for all: each participant's is its prefix's.
        s.playlist_name.clear();
    }
    o
}

/// The file name of one track of an automatic egress: the room's template without an
/// extension of its own (each track's container is its codec's), with `{track_id}` added
/// when the template does not name it (two tracks must not share a file).
fn auto_template(template: &str) -> String {
    if template.is_empty() || template.ends_with('/') {
        return format!("{template}{{room_name}}-{{publisher_identity}}-{{track_source}}-{{track_id}}-{{time}}");
    }
    let (dir, last) = template.rsplit_once('/').map_or(("", template), |(d, l)| (d, l));
    let stem = match last.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.contains('}') => stem,
        _ => last,
    };
    let stem = if template.contains("{track_id}") { stem.to_owned() } else { format!("{stem}-{{track_id}}") };
    if dir.is_empty() { stem } else { format!("{dir}/{stem}") }
}

impl Recorder {
    /// Records every track published in `room` from now on (until the room finishes), named
    /// by `template` (a `StartTrackEgress` filepath; see [`auto_template`]).
    pub fn auto_track_egress(&self, room: RoomName, template: String) {
        tracing::info!(%room, template, "the room records every track");
        if let Ok(mut auto) = self.auto.lock() {
            auto.insert(room, template);
        }
    }

    /// Records every participant of `room` who publishes a camera or a microphone from now on
    /// (until the room finishes).
    pub fn auto_participant_egress(&self, room: RoomName, auto: AutoParticipant) {
        tracing::info!(%room, "the room records every participant");
        if let Ok(mut map) = self.auto_participants.lock() {
            map.insert(room, (auto, Default::default()));
        }
    }

    /// Reacts to a room event: a track published in an automatically recorded room starts
    /// its recording, and a participant's first camera or microphone their participant
    /// egress (a second later, so both tracks are in it); a finished room forgets its
    /// templates. A refusal is logged (no caller waits for it).
    pub async fn on_room_event(self: &Arc<Self>, event: &RoomEvent) {
        match event {
            RoomEvent::TrackPublished(room, who, track) if matches!(track.kind, TrackKind::Audio | TrackKind::Video) => {
                let template = self.auto.lock().ok().and_then(|a| a.get(&room.name).cloned());
                if let Some(template) = template {
                    let r = StartTrackEgress { room_name: room.name.clone(), track_id: track.sid.clone(), filepath: auto_template(&template) };
                    if let Err(e) = self.start_track(r).await {
                        tracing::warn!(room = %room.name, track = %track.sid, error = %e, "automatic track egress refused");
                    }
                }
                if !matches!(track.source, TrackSource::Camera | TrackSource::Microphone) {
                    return;
                }
                let auto = self.auto_participants.lock().ok().and_then(|mut m| {
                    let (auto, started) = m.get_mut(&room.name)?;
                    started.insert(who.identity.clone()).then(|| auto.clone())
                });
                let Some(auto) = auto else { return };
                let (recorder, room_name, identity) = (self.clone(), room.name.clone(), who.identity.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(SETTLE).await;
                    let r = StartParticipant {
                        room_name: room_name.clone(),
                        identity: identity.clone(),
                        screen_share: false,
                        outputs: participant_outputs(&auto.outputs),
                        encoding: auto.encoding,
                    };
                    match recorder.start_participant(r).await {
                        Ok(e) => tracing::info!(room = %room_name, %identity, egress = %e.id, "automatic participant egress started"),
                        Err(e) => tracing::warn!(room = %room_name, %identity, error = %e, "automatic participant egress refused"),
                    }
                });
            }
            RoomEvent::RoomFinished(room) => {
                if let Ok(mut auto) = self.auto.lock() {
                    auto.remove(&room.name);
                }
                if let Ok(mut auto) = self.auto_participants.lock() {
                    auto.remove(&room.name);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::auto_template;

    #[test]
    fn every_track_gets_its_own_file_and_its_own_container() {
        assert_eq!(auto_template(""), "{room_name}-{publisher_identity}-{track_source}-{track_id}-{time}");
        assert_eq!(auto_template("rec/"), "rec/{room_name}-{publisher_identity}-{track_source}-{track_id}-{time}");
        assert_eq!(auto_template("rec/{room_name}.mp4"), "rec/{room_name}-{track_id}");
        assert_eq!(auto_template("rec/{track_id}-{time}"), "rec/{track_id}-{time}");
        assert_eq!(auto_template("a.b/{publisher_identity}"), "a.b/{publisher_identity}-{track_id}");
    }

    #[test]
    fn every_participant_gets_their_own_outputs() {
        use super::per_participant as p;
        let f = "{room_name}-{publisher_identity}-{time}";
        assert_eq!(p("", f), f);
        assert_eq!(p("rec/", f), format!("rec/{f}"));
        assert_eq!(p("rec/{room_name}.mp4", f), "rec/{room_name}-{publisher_identity}.mp4");
        assert_eq!(p("rec/{publisher_identity}/x.mp4", f), "rec/{publisher_identity}/x.mp4");
        assert_eq!(p("live", f), "live-{publisher_identity}");
    }
}
