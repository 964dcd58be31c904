//! Server-side room administration (what LiveKit's RoomService does), as commands.
//!
//! Each `AdminRequest` enters with an id through [`crate::io::Command::Admin`] and its
//! outcome leaves as [`crate::io::Output::AdminReply`] with the same id. Every effect on a
//! connected client goes out as ordinary signals and data packets.

use std::collections::BTreeMap;
use std::time::Instant;

use hikari_types::{
    AdminError, AdminRequest, AdminResponse, DisconnectReason, ParticipantIdentity, ParticipantState, Permissions, Reliability, RoomInfo, RoomName,
    ServerSignal, TrackInfo, TrackSid,
};

use crate::Sfu;
use crate::arena::{PartIdx, RoomIdx};
use crate::ctx::Ctx;
use crate::io::{Output, RoomEvent};
use crate::room::Room;

use hikari_types::{MAX_METADATA, MAX_NAME};

fn not_found_room(room: &RoomName) -> AdminError {
    AdminError::NotFound(format!("room {room} does not exist"))
}

fn not_found_participant(identity: &ParticipantIdentity) -> AdminError {
    AdminError::NotFound(format!("participant {identity} does not exist"))
}

impl Sfu {
    /// Runs one admin request.
    pub(crate) fn admin(&mut self, now: Instant, request: AdminRequest) -> Result<AdminResponse, AdminError> {
        match request {
            AdminRequest::CreateRoom {
                name,
                empty_timeout,
                departure_timeout,
                max_participants,
                metadata,
                auto_track_egress: _,
                auto_room_composite: _,
                auto_participant_egress: _,
            } => {
                check_name("room name", name.as_str())?;
                check_metadata(&metadata)?;
                let defaults = &self.cfg.room;
                let settings = RoomInfo {
                    empty_timeout: if empty_timeout == 0 { defaults.empty_timeout } else { empty_timeout },
                    departure_timeout: if departure_timeout == 0 { defaults.departure_timeout } else { departure_timeout },
                    max_participants,
                    metadata,
                    ..Default::default()
                };
                let r = self.create_room(now, name, Some(settings));
                Ok(AdminResponse::Room(self.rooms[r].room_info()))
            }
            AdminRequest::ListRooms { names } => Ok(AdminResponse::Rooms(
                self.rooms.iter().filter(|(_, r)| names.is_empty() || names.contains(&r.info.name)).map(|(_, r)| r.room_info()).collect(),
            )),
            AdminRequest::DeleteRoom { room } => {
                let r = self.room_index(&room)?;
                self.end_room(r, now, DisconnectReason::RoomDeleted);
                Ok(AdminResponse::Done)
            }
            AdminRequest::ListParticipants { room } => {
                let r = self.room_index(&room)?;
                let room = &self.rooms[r];
                Ok(AdminResponse::Participants(room.participants.iter().map(|(i, _)| room.participant_info(i)).collect()))
            }
            AdminRequest::GetParticipant { room, identity } => {
                let r = self.room_index(&room)?;
                let room = &self.rooms[r];
                let p = participant_index(room, &identity)?;
                Ok(AdminResponse::Participant(room.participant_info(p)))
            }
            AdminRequest::RemoveParticipant { room, identity } => {
                let r = self.room_index(&room)?;
                let p = participant_index(&self.rooms[r], &identity)?;
                self.with_room(r, now, |room, cx| {
                    room.remove_participant(cx, p, DisconnectReason::ParticipantRemoved);
                    room.process(cx);
                });
                Ok(AdminResponse::Done)
            }
            AdminRequest::MutePublishedTrack { room, identity, track_sid, muted } => {
                let r = self.room_index(&room)?;
                let p = participant_index(&self.rooms[r], &identity)?;
                self.with_room(r, now, |room, cx| mute(room, cx, p, &track_sid, muted)).unwrap_or_else(|| Err(not_found_room(&room)))
            }
            AdminRequest::UpdateParticipant { room, identity, metadata, name, attributes, permission } => {
                if let Some(m) = &metadata {
                    check_metadata(m)?;
                }
                if let Some(n) = &name {
                    check_name("name", n)?;
                }
                let r = self.room_index(&room)?;
                let p = participant_index(&self.rooms[r], &identity)?;
                self.with_room(r, now, |room, cx| {
                    room.update_participant(cx, p, metadata, name, attributes, permission);
                    room.process(cx);
                    AdminResponse::Participant(room.participant_info(p))
                })
                .ok_or_else(|| not_found_room(&room))
            }
            AdminRequest::UpdateSubscriptions { room, identity, track_sids, subscribe } => {
                let r = self.room_index(&room)?;
                let p = participant_index(&self.rooms[r], &identity)?;
                self.with_room(r, now, |room, cx| {
                    let tracks: Vec<_> = room.tracks.iter().filter(|(_, t)| track_sids.contains(&t.info.sid)).map(|(i, _)| i).collect();
                    for t in tracks {
                        if subscribe {
                            room.subscribe(cx, t, p);
                        } else {
                            room.unsubscribe(cx, t, p);
                        }
                    }
                    room.process(cx);
                });
                Ok(AdminResponse::Done)
            }
            AdminRequest::SendData { room, data, reliable, destination_identities, destination_sids, topic } => {
                if data.len() > crate::data::MAX_DATA_PACKET {
                    return Err(AdminError::InvalidArgument(format!("data is {} bytes; the limit is {}", data.len(), crate::data::MAX_DATA_PACKET)));
                }
                let r = self.room_index(&room)?;
                let reliability = if reliable { Reliability::Reliable } else { Reliability::Lossy };
                let bytes = self.cfg.data.user_packet(data, topic, &destination_identities, reliability);
                self.with_room(r, now, |room, cx| {
                    let receivers: Vec<_> = room
                        .participants
                        .iter()
                        .filter(|(_, p)| {
                            (destination_identities.is_empty() && destination_sids.is_empty())
                                || destination_identities.contains(&p.info.identity)
                                || destination_sids.contains(&p.info.sid)
                        })
                        .map(|(i, _)| i)
                        .collect();
                    for p in receivers {
                        room.send_data(cx, p, &bytes, reliability);
                    }
                    room.process(cx);
                });
                Ok(AdminResponse::Done)
            }
            AdminRequest::UpdateRoomMetadata { room, metadata } => {
                check_metadata(&metadata)?;
                let r = self.room_index(&room)?;
                self.with_room(r, now, |room, cx| {
                    room.info.metadata = metadata;
                    let info = room.room_info();
                    let conns: Vec<_> = room.participants.iter().map(|(_, p)| p.conn).collect();
                    for conn in conns {
                        cx.signal(conn, ServerSignal::RoomUpdate(info.clone()));
                    }
                    AdminResponse::Room(info)
                })
                .ok_or_else(|| not_found_room(&room))
            }
        }
    }

    fn room_index(&self, room: &RoomName) -> Result<RoomIdx, AdminError> {
        self.room_by_name.get(room).copied().ok_or_else(|| not_found_room(room))
    }
}

fn participant_index(room: &Room, identity: &ParticipantIdentity) -> Result<PartIdx, AdminError> {
    room.by_identity.get(identity).copied().ok_or_else(|| not_found_participant(identity))
}

fn mute(room: &mut Room, cx: &mut Ctx, p: PartIdx, sid: &TrackSid, muted: bool) -> Result<AdminResponse, AdminError> {
    if !room.set_muted(cx, p, sid, muted) {
        return Err(AdminError::NotFound(format!("track {sid} does not exist")));
    }
    let conn = room.participants[p].conn;
    cx.signal(conn, ServerSignal::Mute { sid: sid.clone(), muted });
    room.process(cx);
    let track = room.tracks.iter().find(|(_, t)| t.info.sid == *sid).map(|(_, t)| t.info.clone()).unwrap_or_else(|| TrackInfo {
        sid: sid.clone(),
        muted,
        ..Default::default()
    });
    Ok(AdminResponse::Track(track))
}

fn check_name(what: &str, s: &str) -> Result<(), AdminError> {
    if s.len() > MAX_NAME {
        return Err(AdminError::InvalidArgument(format!("{what} is longer than {MAX_NAME} bytes")));
    }
    if what == "room name" && s.is_empty() {
        return Err(AdminError::InvalidArgument("room name is required".into()));
    }
    Ok(())
}

fn check_metadata(s: &str) -> Result<(), AdminError> {
    if s.len() > MAX_METADATA {
        return Err(AdminError::InvalidArgument(format!("metadata is longer than {MAX_METADATA} bytes")));
    }
    Ok(())
}

impl Room {
    /// Applies an API update to a participant and tells everyone (it included).
    pub(crate) fn update_participant(
        &mut self,
        cx: &mut Ctx,
        p: PartIdx,
        metadata: Option<String>,
        name: Option<String>,
        attributes: BTreeMap<String, String>,
        permission: Option<Permissions>,
    ) {
        let part = &mut self.participants[p];
        if let Some(m) = metadata {
            part.info.metadata = m;
        }
        if let Some(n) = name {
            part.info.name = n;
        }
        for (k, v) in attributes {
            if v.is_empty() {
                part.info.attributes.remove(&k);
            } else {
                part.info.attributes.insert(k, v);
            }
        }
        let revoked_publish = permission.as_ref().is_some_and(|perm| !perm.can_publish && part.info.permission.can_publish);
        let revoked_subscribe = permission.as_ref().is_some_and(|perm| !perm.can_subscribe && part.info.permission.can_subscribe);
        // Becoming hidden comes last: the others must still hear of the tracks it loses, then
        // see it leave (as if it had never been visible).
        let hiding = permission.as_ref().is_some_and(|perm| perm.hidden && !part.info.permission.hidden);
        if let Some(mut perm) = permission {
            perm.hidden &= !hiding;
            part.info.permission = perm;
        }
        if revoked_publish {
            tracing::info!(participant = %part.info.identity, "publishing revoked: its tracks are unpublished");
            let owned: Vec<_> = self.tracks.iter().filter(|(_, t)| t.owner == p).map(|(i, _)| i).collect();
            for t in owned {
                let sid = self.tracks[t].info.sid.clone();
                self.unpublish(cx, t);
                let conn = self.participants[p].conn;
                cx.signal(conn, ServerSignal::TrackUnpublished(sid));
            }
        }
        if revoked_subscribe {
            let subscribed: Vec<_> = self.tracks.iter().filter(|(_, t)| t.downs.iter().any(|d| d.subscriber == p)).map(|(i, _)| i).collect();
            for t in subscribed {
                self.unsubscribe(cx, t, p);
            }
        }
        if hiding {
            self.participants[p].info.version += 1;
            let mut gone = self.participant_info(p);
            gone.state = ParticipantState::Disconnected;
            self.send_update(cx, &gone, None);
            self.participants[p].info.permission.hidden = true;
        }
        self.touch(cx, p);
        cx.out.push_back(Output::event(RoomEvent::ParticipantUpdated(self.room_info(), self.participant_info(p))));
    }
}
