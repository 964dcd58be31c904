//! Publishing: `add_track`, the client's offers, binding media lines to tracks,
//! mute and unpublish.

use str0m::change::SdpOffer;
use str0m::media::{Direction, MediaAdded};

use hikari_types::{AddTrack, DisconnectReason, RequestOutcome, Sdp, SdpKind, ServerSignal, TrackInfo, TrackKind, TrackSid};

use crate::arena::{PartIdx, PcIdx, TrackIdx};
use crate::codec;
use crate::ctx::Ctx;
use crate::io::{Output, RoomEvent};
use crate::pc::Role;
use crate::room::Room;
use crate::track::{Origin, Track};

/// Most tracks one participant may announce and publish.
pub(crate) const MAX_TRACKS_PER_PARTICIPANT: usize = 32;

impl Room {
    pub(crate) fn add_track(&mut self, cx: &mut Ctx, p: PartIdx, add: AddTrack) {
        let part = &self.participants[p];
        let conn = part.conn;
        let refuse = if !part.info.permission.may_publish(add.source) {
            Some(format!("not allowed to publish {}", add.source.grant_name()))
        } else if add.cid.is_empty() {
            Some("add_track without a cid".to_owned())
        } else if part.pending.len() + self.tracks.iter().filter(|(_, t)| t.owner == p).count() >= MAX_TRACKS_PER_PARTICIPANT {
            Some("too many tracks".to_owned())
        } else {
            None
        };
        if let Some(message) = refuse {
            tracing::warn!(participant = %part.info.identity, %message, "add_track refused");
            cx.signal(conn, ServerSignal::RequestResponse { request_id: 0, outcome: RequestOutcome::NotAllowed, message });
            return;
        }
        let track = TrackInfo {
            sid: cx.rng.sid("TR_").as_str().into(),
            kind: add.kind,
            name: add.name,
            source: add.source,
            muted: add.muted,
            width: add.width,
            height: add.height,
            simulcast: add.layers.len() > 1,
            layers: add.layers,
            // What the client says it will send, until the first packet tells (`media.rs`).
            mime_type: match add.kind {
                TrackKind::Audio => "audio/opus".into(),
                TrackKind::Video => add.codecs.first().and_then(|c| codec::video_mime(c)).unwrap_or("video/VP8").into(),
                TrackKind::Data => String::new(),
            },
            disable_dtx: add.disable_dtx,
            stereo: add.stereo,
            disable_red: add.disable_red,
            encryption: add.encryption,
            stream: add.stream,
            ..Default::default()
        };
        let part = &mut self.participants[p];
        part.pending.retain(|(cid, _)| *cid != add.cid);
        part.pending.push((add.cid.clone(), track.clone()));
        tracing::info!(participant = %part.info.identity, cid = %add.cid, sid = %track.sid, kind = ?track.kind, "track announced");
        cx.signal(conn, ServerSignal::TrackPublished { cid: add.cid, track });
    }

    pub(crate) fn on_offer(&mut self, cx: &mut Ctx, p: PartIdx, sdp: Sdp) {
        let Some(pc) = self.participants[p].publisher else {
            tracing::warn!(participant = %self.participants[p].info.identity, "an offer from a publisher without a PeerConnection: ignored");
            return;
        };
        let conn = self.participants[p].conn;
        let single = self.pcs[pc].role == Role::Single;
        self.pcs[pc].offer_mids = sdp.mid_to_track.iter().map(|(mid, track)| (mid.clone(), track.as_str().to_owned())).collect();
        if single {
            self.pcs[pc].requested = (0, 0);
            self.pcs[pc].awaiting_offer = false;
        }
        // A new track's announced video codec is the one it will send (`codec/prefer.rs`),
        // its line matched to its pending track by msid or by the offer's mid-to-track map.
        let announced = |mid: &str, msid_track: &str| {
            let pending = &self.participants[p].pending;
            let named = self.pcs[pc].offer_mids.get(mid);
            // No guess by kind here: a line of a track published earlier keeps its codec.
            let (_, t) = pending.iter().find(|(cid, t)| *cid == msid_track || named.is_some_and(|n| n == cid || n == t.sid.as_str()))?;
            t.mime_type.strip_prefix("video/").map(str::to_owned)
        };
        let offered = crate::codec::prefer::narrow_sending_video(&sdp.sdp, &self.codecs, &announced);
        let answer = SdpOffer::from_sdp_string(&offered)
            .map_err(|e| e.to_string())
            .and_then(|offer| self.pcs[pc].rtc.sdp_api().accept_offer(offer).map_err(|e| e.to_string()));
        let answer = match answer {
            Ok(a) => a,
            Err(error) => {
                tracing::warn!(participant = %self.participants[p].info.identity, %error, "refused SDP offer");
                self.remove_participant(cx, p, DisconnectReason::StateMismatch);
                return;
            }
        };
        self.refresh_ufrag(cx, pc);
        self.drain(cx, pc);
        // Bind new media lines before answering, so the answer can name their tracks.
        self.process(cx);
        if !self.participants.contains(p) {
            return;
        }
        self.detect_unpublished(cx, pc);
        if !single {
            cx.signal(conn, ServerSignal::Answer(Sdp { kind: SdpKind::Answer, sdp: answer.to_sdp_string(), id: sdp.id, mid_to_track: Default::default() }));
            return;
        }
        self.assign_slots(cx, pc, true);
        let text = self.rewrite_answer(pc, &answer.to_sdp_string());
        let mid_to_track = self.single_pc_mids(pc);
        cx.signal(conn, ServerSignal::Answer(Sdp { kind: SdpKind::Answer, sdp: text, id: sdp.id, mid_to_track }));
        self.bind_legs(cx, pc);
    }

    pub(crate) fn on_media_added(&mut self, cx: &mut Ctx, pc: PcIdx, added: MediaAdded) {
        let role = self.pcs[pc].role;
        if role == Role::Single && added.direction == Direction::SendOnly {
            self.add_slot(pc, added.mid, added.kind.is_video());
            return;
        }
        if role == Role::Subscriber || !matches!(added.direction, Direction::RecvOnly | Direction::SendRecv) {
            return;
        }
        let owner = self.pcs[pc].owner;
        let Some(media) = self.pcs[pc].rtc.media(added.mid) else { return };
        let msid_track = media.track_id().to_owned();
        let msid_stream = media.stream_id().to_owned();
        let named = self.pcs[pc].offer_mids.get(&added.mid.to_string()).cloned();
        let Some(part) = self.participants.get_mut(owner) else { return };
        let kind = if added.kind.is_audio() { TrackKind::Audio } else { TrackKind::Video };
        // Match by the msid track id the client sent as `cid`, or by the cid (or sid) the
        // offer's `mid_to_track_id` names for this line; else, as LiveKit's server does, by
        // kind: the oldest pending track of this kind (clients add their media lines in the
        // order they announced the tracks; the LiveKit Rust SDK's msid track ids are not its
        // cids, and a webinar presenter publishes a camera and a screen share).
        let is_named = |cid: &str, t: &TrackInfo| named.as_deref().is_some_and(|n| n == cid || n == t.sid.as_str());
        let found =
            part.pending.iter().position(|(cid, t)| *cid == msid_track || is_named(cid, t)).or_else(|| part.pending.iter().position(|(_, t)| t.kind == kind));
        let Some(index) = found else {
            let pending: Vec<&str> = part.pending.iter().map(|(cid, _)| cid.as_str()).collect();
            tracing::warn!(participant = %part.info.identity, mid = %added.mid, msid = %msid_track, stream = %msid_stream, named = ?named, ?pending, "media without a matching add_track");
            return;
        };
        let (_, mut info) = part.pending.remove(index);
        info.mid = added.mid.to_string();
        let mut track = Track::new(info, owner, Origin::Pc(pc));
        track.mid = Some(added.mid);
        self.publish_track(cx, track);
    }

    /// A track whose media can flow: told to everyone, subscribed by those who subscribe
    /// to everything.
    pub(crate) fn publish_track(&mut self, cx: &mut Ctx, track: Track) {
        let owner = track.owner;
        let t = self.tracks.insert(track);
        tracing::info!(participant = %self.participants[owner].info.identity, sid = %self.tracks[t].info.sid, mid = %self.tracks[t].info.mid, "track published");
        self.touch(cx, owner);
        let room = self.room_info();
        let participant = self.participant_info(owner);
        cx.out.push_back(Output::event(RoomEvent::TrackPublished(room, participant, self.tracks[t].info.clone())));
        let subscribers: Vec<_> =
            self.participants.iter().filter(|(i, s)| *i != owner && s.auto_subscribe && s.info.permission.can_subscribe).map(|(i, _)| i).collect();
        for s in subscribers {
            self.subscribe(cx, t, s);
        }
    }

    /// Tracks whose media line no longer sends to us were unpublished by the client.
    fn detect_unpublished(&mut self, cx: &mut Ctx, pc: PcIdx) {
        let gone: Vec<_> = self
            .tracks
            .iter()
            .filter(|(_, t)| t.arrives_on(pc))
            .filter(|(_, t)| {
                t.mid.is_some_and(|mid| self.pcs[pc].rtc.media(mid).is_none_or(|m| !matches!(m.direction(), Direction::RecvOnly | Direction::SendRecv)))
            })
            .map(|(i, _)| i)
            .collect();
        for t in gone {
            let direction = self.tracks[t].mid.and_then(|mid| self.pcs[pc].rtc.media(mid).map(|m| m.direction()));
            tracing::debug!(sid = %self.tracks[t].info.sid, ?direction, "the client's offer stopped sending this track");
            self.unpublish(cx, t);
        }
    }

    /// Removes a track from its subscribers and tells everyone.
    pub(crate) fn unpublish(&mut self, cx: &mut Ctx, t: TrackIdx) {
        let Some(track) = self.tracks.remove(t) else { return };
        tracing::info!(sid = %track.info.sid, "track unpublished");
        crate::sink::close_sinks(cx.out, &track, crate::io::SinkEnd::Unpublished);
        for down in &track.downs {
            if let Some(mid) = down.mid {
                self.unsubscribe_leg(cx, down.pc, mid);
            }
        }
        if let Origin::Pc(pc) = track.origin
            && let Some(pc) = self.pcs.get_mut(pc)
        {
            pc.ssrc_tracks.retain(|_, (slot, _)| *slot != t);
        }
        if self.participants.contains(track.owner) {
            self.touch(cx, track.owner);
            let room = self.room_info();
            let participant = self.participant_info(track.owner);
            cx.out.push_back(Output::event(RoomEvent::TrackUnpublished(room, participant, track.info)));
        }
    }

    pub(crate) fn set_muted(&mut self, cx: &mut Ctx, p: PartIdx, sid: &TrackSid, muted: bool) -> bool {
        if let Some((_, track)) = self.tracks.iter_mut().find(|(_, t)| t.owner == p && t.info.sid == *sid) {
            if track.info.muted != muted {
                track.info.muted = muted;
                self.touch(cx, p);
            }
            return true;
        }
        if let Some((_, info)) = self.participants[p].pending.iter_mut().find(|(_, t)| t.sid == *sid) {
            info.muted = muted;
            return true;
        }
        false
    }
}
