//! The use cases of LiveKit's IngressService (create, update, list, get, delete), as
//! livekit-server's `pkg/service/ingress.go` runs them, on a store of definitions. The
//! runtime's side (state changes, stream-key lookup) is in `session.rs`.

use std::sync::Arc;

use hikari_types::{
    CreateIngress, Ingress, IngressFilter, IngressId, IngressInput, IngressRequest, IngressResponse, IngressState, IngressStatus, UpdateIngress,
};
use tokio::sync::Mutex;

use crate::error::IngressError;
use crate::event::{EventSink, IngressEvent};
use crate::ids::{new_ingress_id, new_stream_key};
use crate::rules::{MAX_URL, fill_transcoding, validate_for_serialization};
use crate::store::IngressStore;

/// Where encoders are told to push: the `url` of new ingresses (LiveKit's `rtmp_base_url` and
/// `whip_base_url`; the stream key goes after a `/`), and Hikari's SRT address.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct IngressUrls {
    /// e.g. `rtmp://203.0.113.5:1935/x`.
    pub rtmp_base_url: String,
    /// e.g. `http://203.0.113.5:7880/w`.
    pub whip_base_url: String,
    /// e.g. `srt://203.0.113.5:9710`, when SRT is on: every RTMP ingress is also reachable at
    /// this address with `streamid` = its stream key ([`Registry::srt_url`]).
    pub srt_base_url: Option<String>,
}

/// The ingress registry: every change goes through here, is stored before it returns, and is
/// told to the [`EventSink`] in order.
pub struct Registry {
    pub(crate) store: Arc<dyn IngressStore>,
    urls: IngressUrls,
    pub(crate) sink: EventSink,
    /// Serialises read-modify-write sequences (one process owns the store).
    pub(crate) write: Mutex<()>,
}

impl Registry {
    /// A registry over `store`, giving new ingresses URLs from `urls` and its events to `sink`.
    pub fn new(store: Arc<dyn IngressStore>, urls: IngressUrls, sink: EventSink) -> Self {
        Self { store, urls, sink, write: Mutex::new(()) }
    }

    /// The URLs new ingresses get.
    pub fn urls(&self) -> &IngressUrls {
        &self.urls
    }

    /// Hikari's SRT address of an RTMP ingress (`srt://host:port?streamid=KEY`), when SRT is on.
    pub fn srt_url(&self, ingress: &Ingress) -> Option<String> {
        let base = self.urls.srt_base_url.as_deref()?;
        (ingress.input == IngressInput::Rtmp).then(|| format!("{base}?streamid={}", ingress.stream_key))
    }

    /// Runs one IngressService call (`now`: Unix nanoseconds).
    pub async fn handle(&self, request: IngressRequest, now: i64) -> Result<IngressResponse, IngressError> {
        Ok(match request {
            IngressRequest::Create(r) => IngressResponse::Ingress(Box::new(self.create(r, now).await?)),
            IngressRequest::Update(r) => IngressResponse::Ingress(Box::new(self.update(r, now).await?)),
            IngressRequest::List(f) => IngressResponse::List(self.list(&f).await?),
            IngressRequest::Delete(id) => IngressResponse::Ingress(Box::new(self.delete(&id, now).await?)),
        })
    }

    /// `CreateIngress`: a new inactive ingress with a fresh id and stream key, `url` the base
    /// URL of its input type, reusable (RTMP, WHIP), transcoding filled in by input type.
    /// Emits [`IngressEvent::Created`].
    pub async fn create(&self, r: CreateIngress, _now: i64) -> Result<Ingress, IngressError> {
        let url = match r.input {
            IngressInput::Rtmp => self.urls.rtmp_base_url.clone(),
            IngressInput::Whip => self.urls.whip_base_url.clone(),
            IngressInput::Url => {
                check_pull_url(&r.url)?;
                return Err(IngressError::Unimplemented("URL input is not supported by this server; use RTMP, WHIP or SRT".into()));
            }
        };
        let mut ingress = Ingress {
            id: new_ingress_id(),
            name: r.name,
            stream_key: new_stream_key(),
            url,
            input: r.input,
            enable_transcoding: r.enable_transcoding,
            bypass_transcoding: r.bypass_transcoding,
            reusable: true,
            enabled: r.enabled,
            audio: r.audio,
            video: r.video,
            room_name: r.room_name,
            participant_identity: r.participant_identity,
            participant_name: r.participant_name,
            participant_metadata: r.participant_metadata,
            state: IngressState::default(),
        };
        validate_for_serialization(&ingress)?;
        fill_transcoding(&mut ingress);
        let _write = self.write.lock().await;
        self.store.put(&ingress).await?;
        tracing::info!(ingress = %ingress.id, input = ?ingress.input, room = %ingress.room_name, "ingress created");
        (self.sink)(IngressEvent::Created(ingress.clone()));
        Ok(ingress)
    }

    /// `UpdateIngress`: empty fields keep their value. Refused for a non-reusable ingress. An
    /// ingress in error is reset to inactive first (which, as in LiveKit, is an
    /// [`IngressEvent::Ended`]); a running session is ended by the runtime on the
    /// [`IngressEvent::Updated`] every update emits (LiveKit: the update is stored and the
    /// active session killed, so the encoder reconnects with the new definition).
    pub async fn update(&self, r: UpdateIngress, now: i64) -> Result<Ingress, IngressError> {
        let _write = self.write.lock().await;
        let mut ingress = self.store.get(&r.id).await?.ok_or(IngressError::NotFound)?;
        if !ingress.reusable {
            return Err(IngressError::InvalidArgument("ingress is not reusable and cannot be modified".into()));
        }
        let reset = ingress.state.status == IngressStatus::Error;
        apply(&mut ingress, r)?;
        if reset {
            ingress.state.status = IngressStatus::Inactive;
            ingress.state.updated_at = now;
        }
        self.store.put(&ingress).await?;
        tracing::info!(ingress = %ingress.id, status = ?ingress.state.status, "ingress updated");
        if reset {
            (self.sink)(IngressEvent::Ended(ingress.clone()));
        }
        (self.sink)(IngressEvent::Updated(ingress.clone()));
        Ok(ingress)
    }

    /// `ListIngress`: by id (an unknown id is [`IngressError::NotFound`], as LiveKit), else by
    /// room, else all; oldest first.
    pub async fn list(&self, filter: &IngressFilter) -> Result<Vec<Ingress>, IngressError> {
        if let Some(id) = &filter.id {
            return Ok(vec![self.get(id).await?]);
        }
        self.store.list(filter).await
    }

    /// One ingress by id.
    pub async fn get(&self, id: &IngressId) -> Result<Ingress, IngressError> {
        self.store.get(id).await?.ok_or(IngressError::NotFound)
    }

    /// `DeleteIngress`: removes it and returns it with status inactive. A running session ends
    /// first ([`IngressEvent::Ended`]), then [`IngressEvent::Deleted`].
    pub async fn delete(&self, id: &IngressId, now: i64) -> Result<Ingress, IngressError> {
        let _write = self.write.lock().await;
        let mut ingress = self.store.get(id).await?.ok_or(IngressError::NotFound)?;
        let was_active = ingress.state.status.is_active();
        if !self.store.delete(id).await? {
            return Err(IngressError::NotFound);
        }
        ingress.state.status = IngressStatus::Inactive;
        if was_active {
            ingress.state.ended_at = now;
            ingress.state.updated_at = now;
            (self.sink)(IngressEvent::Ended(ingress.clone()));
        }
        tracing::info!(ingress = %ingress.id, was_active, "ingress deleted");
        (self.sink)(IngressEvent::Deleted(ingress.clone()));
        Ok(ingress)
    }
}

/// LiveKit's checks of a URL-input source: present, http(s) or srt.
fn check_pull_url(url: &str) -> Result<(), IngressError> {
    if url.is_empty() {
        return Err(IngressError::invalid_ingress("missing URL parameter"));
    }
    if url.len() > MAX_URL {
        return Err(IngressError::invalid_ingress("URL too long"));
    }
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase()).unwrap_or_default();
    if !matches!(scheme.as_str(), "http" | "https" | "srt") {
        return Err(IngressError::invalid_ingress(&format!("invalid url scheme {scheme}")));
    }
    Ok(())
}

/// LiveKit's `updateInfoUsingRequest`: non-empty strings and set options replace, then the
/// result is checked and transcoding filled in.
fn apply(i: &mut Ingress, r: UpdateIngress) -> Result<(), IngressError> {
    let set = |field: &mut String, value: String| {
        if !value.is_empty() {
            *field = value;
        }
    };
    set(&mut i.name, r.name);
    set(&mut i.participant_name, r.participant_name);
    set(&mut i.participant_metadata, r.participant_metadata);
    if !r.room_name.as_str().is_empty() {
        i.room_name = r.room_name;
    }
    if !r.participant_identity.as_str().is_empty() {
        i.participant_identity = r.participant_identity;
    }
    if let Some(t) = r.enable_transcoding {
        i.enable_transcoding = Some(t);
        // The deprecated mirror follows, so a stale `bypass` from creation cannot refuse it.
        i.bypass_transcoding = !t;
    }
    if r.audio.is_some() {
        i.audio = r.audio;
    }
    if r.video.is_some() {
        i.video = r.video;
    }
    if r.enabled.is_some() {
        i.enabled = r.enabled;
    }
    validate_for_serialization(i)?;
    fill_transcoding(i);
    Ok(())
}
