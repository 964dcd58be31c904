//! WHIP ingest (RFC 9725, addressed as LiveKit's ingress addresses it): an encoder POSTs an
//! SDP offer with its stream key (`/w/<key>` or `Authorization: Bearer <key>`) and becomes a
//! participant of kind INGRESS whose one PeerConnection the SFU core negotiates as it does
//! `/rtc/v1`'s (`SignalMode::Single`, the tracks announced from the offer). Media is
//! forwarded as the encoder sends it, simulcast included: no codec job, no copy.
//!
//! [`Whip`] is what the HTTP front end calls; each accepted offer runs a session task that
//! owns the participant's signals, reports the ingress state and ends the session on DELETE,
//! on the encoder's disconnection, on an ingress deleted meanwhile, or when the media never
//! connects.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use hikari_sfu::{Command, ConnId, Join, SignalMode, SignalOut};
use hikari_signal::Router;
use hikari_types::{ClientInfo, ClientSignal, DisconnectReason, ParticipantSid, ParticipantState, Sdp, SdpKind, ServerSignal, TrackInfo, TrackKind};

use crate::live::{Claim, Slot};
use crate::{AudioInput, Directory, Ingest, IngestConfig, IngestError, InputKind, Report, SessionStats, Target, VideoInput, ingress_grant, key_prefix};

pub mod frag;
pub mod offer;

pub use frag::{Patch, parse as parse_patch};

/// How long the core may take to answer an offer.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);
/// How long the encoder may take to connect its media (ICE and DTLS) after the answer.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);
/// Signals queued for one session.
const OUTBOX: usize = 256;

/// A session the HTTP front end created: where it lives and the answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Created {
    /// The resource id (the last segment of `Location`).
    pub resource: String,
    /// The SDP answer.
    pub answer: String,
    /// The session's entity tag (for PATCH's `If-Match`), quotes included.
    pub etag: String,
}

/// What a PATCH did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Patched {
    /// Trickled candidates: nothing to answer (`204`).
    Trickled,
    /// An ICE restart: the answer fragment and the new entity tag (`200`).
    Restarted {
        /// The server's new credentials and candidates.
        fragment: String,
        /// The new entity tag.
        etag: String,
    },
}

/// The WHIP sessions of this server.
pub struct Whip<R: Router, D: Directory> {
    ingest: Ingest,
    router: R,
    directory: Arc<D>,
    cfg: Arc<IngestConfig>,
    sessions: Arc<Mutex<HashMap<String, Handle>>>,
    next: AtomicU64,
}

/// A running session as the front end reaches it.
struct Handle {
    key: String,
    ingress_id: String,
    etag: String,
    control: mpsc::Sender<Restart>,
}

/// An ICE restart asked by PATCH, answered by the session task.
struct Restart {
    creds: frag::IceCredentials,
    reply: oneshot::Sender<Result<String, IngestError>>,
}

impl<R: Router, D: Directory> Whip<R, D> {
    /// WHIP over `router`, with ingresses from `directory`.
    pub fn new(ingest: Ingest, router: R, directory: Arc<D>, cfg: Arc<IngestConfig>) -> Self {
        Self { ingest, router, directory, cfg, sessions: Arc::default(), next: AtomicU64::new(1) }
    }

    fn sessions(&self) -> std::sync::MutexGuard<'_, HashMap<String, Handle>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// POST: the offer of the encoder presenting `key`. The ingress must exist, take WHIP and
    /// have no session running (a second encoder is refused, as LiveKit's ingress does).
    pub async fn publish(&self, key: &str, offer: &str) -> Result<Created, IngestError> {
        let Some(target) = self.directory.find(key, InputKind::Whip).await else {
            tracing::warn!(key = %key_prefix(key), "whip: unknown stream key; offer refused");
            return Err(IngestError::UnknownKey);
        };
        let tracks = offer::tracks(offer)?;
        let slot = self.ingest.slot(self.cfg.max_connections).ok_or(IngestError::Busy(self.cfg.max_connections))?;
        let Some(claim) = self.ingest.claim(&target.ingress_id) else {
            tracing::warn!(ingress = %target.ingress_id, "whip: the ingress already has an encoder; offer refused");
            return Err(IngestError::InUse);
        };
        if target.transcode == Some(true) {
            tracing::warn!(ingress = %target.ingress_id, "whip: transcoding WHIP input is not built; the encoder's tracks are forwarded as sent");
        }
        self.directory.report(&target.ingress_id, Report::Buffering).await;
        let conn = self.router.next_conn();
        let (tx, outbox) = mpsc::channel(OUTBOX);
        let sdp = Sdp { kind: SdpKind::Offer, sdp: offer.to_owned(), id: 1, mid_to_track: Default::default() };
        let join = Join {
            conn,
            grant: ingress_grant(&target),
            client: ClientInfo { sdk: "whip".into(), ..ClientInfo::default() },
            auto_subscribe: false,
            mode: SignalMode::Single { add_tracks: tracks, offer: Some(sdp) },
            resume: None,
        };
        let mut session = Session::new(self.router.clone(), conn, target, outbox, offer.to_owned());
        let answered = match self.router.join(join, tx) {
            Ok(()) => tokio::time::timeout(ANSWER_TIMEOUT, session.answer()).await.unwrap_or(Err(IngestError::Timeout("the answer"))),
            Err(e) => Err(IngestError::Room(e.to_string())),
        };
        let answer = match answered {
            Ok(answer) => answer,
            Err(error) => {
                session.leave();
                drop(claim);
                tracing::warn!(ingress = %session.target.ingress_id, %error, "whip: offer not answered");
                self.directory.report(&session.target.ingress_id, Report::Ended { error: Some(error.to_string()) }).await;
                return Err(error);
            }
        };
        let resource = format!("WR_{}_{}", conn.0, self.next.fetch_add(1, Ordering::Relaxed));
        let etag = etag(&answer);
        let (control_tx, control) = mpsc::channel(1);
        let handle = Handle { key: key.to_owned(), ingress_id: session.target.ingress_id.clone(), etag: etag.clone(), control: control_tx };
        self.sessions().insert(resource.clone(), handle);
        tracing::info!(ingress = %session.target.ingress_id, %resource, "whip: encoder accepted");
        let end = End { directory: Arc::clone(&self.directory), sessions: Arc::clone(&self.sessions), resource: resource.clone() };
        tokio::spawn(session.run(claim, slot, control, end));
        Ok(Created { resource, answer, etag })
    }

    /// The session `resource` if `key` owns it.
    fn find(&self, key: &str, resource: &str) -> Result<(String, String, mpsc::Sender<Restart>), IngestError> {
        match self.sessions().get(resource) {
            Some(h) if h.key == key => Ok((h.ingress_id.clone(), h.etag.clone(), h.control.clone())),
            _ => Err(IngestError::NoSession),
        }
    }

    /// PATCH: trickled candidates (nothing to do: the server is ICE-lite and learns the
    /// encoder's address from its checks) or an ICE restart. `if_match` is checked against
    /// the session's entity tag (`*` matches any).
    pub async fn patch(&self, key: &str, resource: &str, if_match: Option<&str>, body: &str) -> Result<Patched, IngestError> {
        let (_, current, control) = self.find(key, resource)?;
        if if_match.is_some_and(|tag| tag.trim() != "*" && tag.trim() != current) {
            return Err(IngestError::EtagMismatch);
        }
        let creds = match frag::parse(body)? {
            Patch::Trickle => return Ok(Patched::Trickled),
            Patch::Restart(creds) => creds,
        };
        let (reply, answered) = oneshot::channel();
        control.send(Restart { creds, reply }).await.map_err(|_| IngestError::NoSession)?;
        let answer = tokio::time::timeout(ANSWER_TIMEOUT, answered)
            .await
            .map_err(|_| IngestError::Timeout("the restart's answer"))?
            .map_err(|_| IngestError::NoSession)??;
        let etag = etag(&answer);
        if let Some(h) = self.sessions().get_mut(resource) {
            h.etag = etag.clone();
        }
        Ok(Patched::Restarted { fragment: frag::answer_fragment(&answer), etag })
    }

    /// DELETE: ends the session.
    pub fn delete(&self, key: &str, resource: &str) -> Result<(), IngestError> {
        let (ingress_id, _, _) = self.find(key, resource)?;
        self.ingest.end(&ingress_id);
        Ok(())
    }

    /// The sessions running now.
    pub fn len(&self) -> usize {
        self.sessions().len()
    }

    /// Whether no session runs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The entity tag of a session: its server ufrag, which an ICE restart changes.
fn etag(answer: &str) -> String {
    format!("\"{}\"", frag::ufrag_of(answer).unwrap_or("0"))
}

/// What a session does when it ends: forget its resource, report the ingress state.
struct End<D: Directory> {
    directory: Arc<D>,
    sessions: Arc<Mutex<HashMap<String, Handle>>>,
    resource: String,
}

/// One encoder's participant.
struct Session<R: Router> {
    router: R,
    conn: ConnId,
    target: Target,
    outbox: mpsc::Receiver<SignalOut>,
    /// The last offer (an ICE restart changes its credentials).
    offer: String,
    sid: Option<ParticipantSid>,
    room_id: String,
    tracks: Vec<TrackInfo>,
    active: bool,
    joined: bool,
}

impl<R: Router> Session<R> {
    fn new(router: R, conn: ConnId, target: Target, outbox: mpsc::Receiver<SignalOut>, offer: String) -> Self {
        Self { router, conn, target, outbox, offer, sid: None, room_id: String::new(), tracks: Vec::new(), active: false, joined: true }
    }

    /// Reads signals until the answer to the join's offer.
    async fn answer(&mut self) -> Result<String, IngestError> {
        loop {
            let Some(signal) = self.outbox.recv().await else { return Err(IngestError::Room("the room closed".into())) };
            if let Some(answer) = self.on_signal(signal)? {
                return Ok(answer);
            }
        }
    }

    /// Notes a signal; returns an answer's SDP. A leave or close is an `Err`.
    fn on_signal(&mut self, signal: SignalOut) -> Result<Option<String>, IngestError> {
        match signal {
            SignalOut::Signal(ServerSignal::Join(info)) => {
                self.room_id = info.room.sid.to_string();
                self.sid = Some(info.participant.sid.clone());
            }
            SignalOut::Signal(ServerSignal::Answer(sdp)) => return Ok(Some(sdp.sdp)),
            SignalOut::Signal(ServerSignal::TrackPublished { track, .. }) => self.tracks.push(track),
            SignalOut::Signal(ServerSignal::Update(infos)) => {
                for info in infos.into_iter().filter(|i| Some(&i.sid) == self.sid.as_ref()) {
                    if !info.tracks.is_empty() {
                        self.tracks = info.tracks;
                    }
                    self.active |= info.state == ParticipantState::Active;
                }
            }
            SignalOut::Signal(ServerSignal::Leave { reason, .. }) | SignalOut::Close(reason) => {
                self.joined = false;
                return Err(IngestError::Left(reason));
            }
            SignalOut::Signal(_) | SignalOut::Keyframe { .. } => {}
        }
        Ok(None)
    }

    /// The state report of a publishing session.
    fn publishing(&self) -> Report {
        let input = |kind: TrackKind| self.tracks.iter().find(|t| t.kind == kind);
        Report::Publishing {
            room_id: self.room_id.clone(),
            tracks: self.tracks.clone(),
            video: input(TrackKind::Video).map(|t| VideoInput {
                mime_type: t.mime_type.to_lowercase(),
                width: t.width,
                height: t.height,
                ..VideoInput::default()
            }),
            audio: input(TrackKind::Audio).map(|t| AudioInput {
                mime_type: t.mime_type.to_lowercase(),
                channels: if t.stereo { 2 } else { 1 },
                sample_rate: 48_000,
                ..AudioInput::default()
            }),
        }
    }

    /// Until the session ends: reports the state when the media connects (and when the
    /// tracks change), answers ICE restarts, ends on DELETE, deletion, disconnection or a
    /// connection that never comes.
    async fn run<D: Directory>(mut self, mut claim: Claim, slot: Slot, mut control: mpsc::Receiver<Restart>, end: End<D>) {
        let connect_by = Instant::now() + CONNECT_TIMEOUT;
        let mut restart: Option<oneshot::Sender<Result<String, IngestError>>> = None;
        let mut reported: Option<Vec<TrackInfo>> = None;
        let result = loop {
            if self.active && reported.as_ref() != Some(&self.tracks) {
                claim.record(SessionStats { input: InputKind::Whip.name(), passthrough: true, ..SessionStats::default() });
                end.directory.report(&self.target.ingress_id, self.publishing()).await;
                reported = Some(self.tracks.clone());
            }
            tokio::select! {
                signal = self.outbox.recv() => match signal.map(|s| self.on_signal(s)) {
                    None => break Err(IngestError::Room("the room closed".into())),
                    Some(Err(IngestError::Left(reason))) => break self.left(reason),
                    Some(Err(e)) => break Err(e),
                    Some(Ok(Some(answer))) => {
                        if let Some(reply) = restart.take() {
                            let _ = reply.send(Ok(answer));
                        }
                    }
                    Some(Ok(None)) => {}
                },
                Some(ask) = control.recv(), if restart.is_none() => {
                    self.offer = frag::restarted_offer(&self.offer, &ask.creds);
                    let sdp = Sdp { kind: SdpKind::Offer, sdp: self.offer.clone(), id: 0, mid_to_track: Default::default() };
                    self.send(ClientSignal::Offer(sdp));
                    restart = Some(ask.reply);
                }
                () = claim.stopped() => break Ok(()),
                () = tokio::time::sleep_until(connect_by), if !self.active => {
                    break Err(IngestError::Timeout("the encoder's media connection (ICE and DTLS)"));
                }
            }
        };
        self.leave();
        drop(claim);
        drop(slot);
        end.sessions.lock().unwrap_or_else(PoisonError::into_inner).remove(&end.resource);
        match &result {
            Ok(()) => tracing::info!(ingress = %self.target.ingress_id, resource = %end.resource, "whip: session ended"),
            Err(error) => tracing::warn!(ingress = %self.target.ingress_id, resource = %end.resource, %error, "whip: session ended with an error"),
        }
        end.directory.report(&self.target.ingress_id, Report::Ended { error: result.err().map(|e| e.to_string()) }).await;
    }

    /// A leave from the room: the encoder went away (or was removed), not an error.
    fn left(&self, reason: DisconnectReason) -> Result<(), IngestError> {
        tracing::info!(ingress = %self.target.ingress_id, ?reason, "whip: the participant left the room");
        Ok(())
    }

    fn send(&self, signal: ClientSignal) {
        let _ = self.router.command(Command::Signal { conn: self.conn, signal });
    }

    /// Leaves the room, if still in it.
    fn leave(&mut self) {
        if std::mem::replace(&mut self.joined, false) {
            self.send(ClientSignal::Leave { reason: DisconnectReason::ClientInitiated });
        }
    }
}
