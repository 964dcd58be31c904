//! Internal publishers (ingest): a participant without a PeerConnection (`SignalMode::Internal`)
//! whose tracks publish at once and whose packets arrive as `Command::SourceMedia`, fed to
//! the same fan-out as a PeerConnection's (`media.rs`). Keyframe requests for them leave as
//! `Output::SourceKeyframe` (`Room::request_keyframe`).

use str0m::rtp::ExtensionValues;

use hikari_types::AddTrack;

use crate::arena::PartIdx;
use crate::codec;
use crate::ctx::Ctx;
use crate::io::SourcePacket;
use crate::layers;
use crate::media::{INTERNAL_PT, Incoming};
use crate::publish::MAX_TRACKS_PER_PARTICIPANT;
use crate::room::Room;
use crate::track::{CodecKey, Origin, Track};

impl Room {
    /// An internal publisher's tracks, published at once in order (`SignalMode::Internal`):
    /// each is announced like an `add_track`, then bound to its index instead of a media line.
    pub(crate) fn publish_internal(&mut self, cx: &mut Ctx, p: PartIdx, tracks: Vec<AddTrack>) {
        for (index, add) in tracks.into_iter().enumerate().take(MAX_TRACKS_PER_PARTICIPANT) {
            let codec = add.codecs.first().and_then(|mime| internal_codec(mime));
            let cid = add.cid.clone();
            self.add_track(cx, p, add);
            let Some(position) = self.participants[p].pending.iter().position(|(c, _)| *c == cid) else { continue };
            let Some(codec) = codec else {
                tracing::warn!(participant = %self.participants[p].info.identity, %cid, "internal track without a codec it can forward: not published");
                continue;
            };
            let (_, info) = self.participants[p].pending.remove(position);
            let mut track = Track::new(info, p, Origin::Internal(index as u8));
            track.codec = Some(codec);
            track.info.mime_type = codec::mime(codec.codec, false).to_owned();
            self.publish_track(cx, track);
        }
    }

    /// Media of an internal publisher's track (`SignalMode::Internal`), already packetized.
    pub(crate) fn on_source_media(&mut self, cx: &mut Ctx, p: PartIdx, index: u8, layer: u8, packets: Vec<SourcePacket>) {
        let Some(t) = self.tracks.iter().find(|(_, t)| t.owner == p && t.origin == Origin::Internal(index)).map(|(t, _)| t) else { return };
        for packet in packets {
            let Some(track) = self.tracks.get_mut(t) else { return };
            let Some(codec) = track.codec else { return };
            if track.layers.len() <= usize::from(layer) {
                track.layers.resize_with(usize::from(layer.min(layers::TOP)) + 1, Default::default);
            }
            let frame = codec::inspect(codec.codec, layer, &packet.payload, None, &mut track.codec_state);
            let incoming = Incoming {
                layer,
                seq: packet.seq,
                ts: packet.ts,
                marker: packet.marker,
                arrived: cx.now,
                pt: INTERNAL_PT,
                payload: packet.payload,
                exts: ExtensionValues::default(),
            };
            self.fan_out(cx, t, incoming, frame);
        }
    }
}

/// The codec of an internal publisher's track, from its MIME type: H.264 (packetization
/// mode 1) and Opus are what ingest sends.
fn internal_codec(mime: &str) -> Option<CodecKey> {
    let (codec, clock_rate, packetization_mode) = match mime.to_ascii_lowercase().as_str() {
        "video/h264" => (str0m::format::Codec::H264, 90_000, Some(1)),
        "video/vp8" => (str0m::format::Codec::Vp8, 90_000, None),
        "audio/opus" => (str0m::format::Codec::Opus, 48_000, None),
        _ => return None,
    };
    Some(CodecKey { codec, packetization_mode, profile_id: None, clock_rate, red: None })
}
