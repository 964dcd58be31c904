//! Automatic track egress (CreateRoom's `egress.tracks`, as LiveKit's `AutoTrackEgress`):
//! every audio and video track published in the room is recorded from its publication until
//! it goes away, each to its own file named by the room's template.

use hikari_egress::StartTrackEgress;
use hikari_sfu::RoomEvent;
use hikari_types::{RoomName, TrackKind};

use crate::start::Recorder;

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

    /// Reacts to a room event: a track published in an automatically recorded room starts
    /// its recording; a finished room forgets its template. A refusal is logged (no caller
    /// waits for it).
    pub async fn on_room_event(&self, event: &RoomEvent) {
        match event {
            RoomEvent::TrackPublished(room, _, track) if matches!(track.kind, TrackKind::Audio | TrackKind::Video) => {
                let template = self.auto.lock().ok().and_then(|a| a.get(&room.name).cloned());
                let Some(template) = template else { return };
                let r = StartTrackEgress { room_name: room.name.clone(), track_id: track.sid.clone(), filepath: auto_template(&template) };
                if let Err(e) = self.start_track(r).await {
                    tracing::warn!(room = %room.name, track = %track.sid, error = %e, "automatic track egress refused");
                }
            }
            RoomEvent::RoomFinished(room) => {
                if let Ok(mut auto) = self.auto.lock() {
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
}
