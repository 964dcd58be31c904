//! Wiring of the ingest runtime: the RTMP and SRT listeners and the WHIP sessions started with the registry behind the
//! `hikari_ingest::Directory` port, and a deleted or updated ingress ending its session.

use std::sync::Arc;

use anyhow::Context;
use hikari_codec::preset::{AudioPreset as CodecAudio, VideoPreset as CodecVideo, scaled_bitrate};
use hikari_codec::{AudioOut, Quality, VideoLayer, VideoOut};
use hikari_ingest::{Directory, Ingest, IngestConfig, InputKind, Report, Target};
use hikari_ingress::{IngressEvent, Registry};
use hikari_media_io::MediaHandle;
use hikari_types::{
    AudioEncoding, AudioEncodingOptions, AudioPreset, Ingress, IngressId, IngressInput, IngressState, IngressStatus, InputAudioState, InputVideoState,
    VideoEncoding, VideoEncodingOptions, VideoPreset, VideoQuality,
};

use crate::ingress::{IngressSettings, unix_nanos};

/// The registry as the ingest runtime sees it.
pub struct RegistryDirectory(pub Arc<Registry>);

impl Directory for RegistryDirectory {
    async fn find(&self, stream_key: &str, input: InputKind) -> Option<Target> {
        let ingress = match self.0.by_stream_key(stream_key).await {
            Ok(found) => found?,
            Err(error) => {
                tracing::warn!(%error, "ingress: the registry could not be read; encoder refused");
                return None;
            }
        };
        // RTMP ingresses take SRT too (Hikari's extension: the same key as `streamid`).
        let takes = matches!((ingress.input, input), (IngressInput::Rtmp, InputKind::Rtmp | InputKind::Srt) | (IngressInput::Whip, InputKind::Whip));
        (takes && ingress.is_enabled()).then(|| target(&ingress))
    }

    async fn report(&self, ingress_id: &str, report: Report) {
        let id = IngressId::from(ingress_id);
        let now = unix_nanos();
        let current = match self.0.get(&id).await {
            Ok(i) => i.state,
            Err(error) => {
                tracing::info!(ingress = %ingress_id, %error, "ingress: state not stored (deleted meanwhile?)");
                return;
            }
        };
        let state = next_state(current, report, now);
        if let Err(error) = self.0.set_state(&id, state, now).await {
            tracing::info!(ingress = %ingress_id, %error, "ingress: state not stored");
        }
    }
}

/// The state after a report from the session.
fn next_state(current: IngressState, report: Report, now: i64) -> IngressState {
    match report {
        Report::Buffering => Registry::new_session_state(now),
        Report::Publishing { room_id, tracks, video, audio } => IngressState {
            status: IngressStatus::Publishing,
            error: String::new(),
            room_id,
            tracks,
            video: video.map(|v| InputVideoState {
                mime_type: v.mime_type,
                average_bitrate: v.average_bitrate,
                width: v.width,
                height: v.height,
                framerate: v.framerate,
            }),
            audio: audio.map(|a| InputAudioState {
                mime_type: a.mime_type,
                average_bitrate: a.average_bitrate,
                channels: a.channels,
                sample_rate: a.sample_rate,
            }),
            ..current
        },
        // An RTMP ingress is reusable: it waits for the next session (inactive), unless the
        // session failed.
        Report::Ended { error } => IngressState {
            status: if error.is_some() { IngressStatus::Error } else { IngressStatus::Inactive },
            error: error.unwrap_or_default(),
            ended_at: now,
            ..current
        },
    }
}

/// What the runtime needs of an ingress definition.
fn target(ingress: &Ingress) -> Target {
    let video = match ingress.video.as_ref().and_then(|v| v.encoding.as_ref()) {
        Some(VideoEncoding::Preset(p)) => codec_video(*p).video_out(),
        Some(VideoEncoding::Options(o)) => video_options(o),
        None => CodecVideo::H264_720P_30FPS_3_LAYERS.video_out(),
    };
    let audio = match ingress.audio.as_ref().and_then(|a| a.encoding.as_ref()) {
        Some(AudioEncoding::Preset(AudioPreset::OpusMono64Kbps)) => CodecAudio::OPUS_MONO_64KBS.audio_out(),
        Some(AudioEncoding::Options(o)) => audio_options(o),
        _ => CodecAudio::OPUS_STEREO_96KBPS.audio_out(),
    };
    Target {
        ingress_id: ingress.id.to_string(),
        room: ingress.room_name.clone(),
        identity: ingress.participant_identity.clone(),
        name: ingress.participant_name.clone(),
        metadata: ingress.participant_metadata.clone(),
        transcode: ingress.enable_transcoding,
        video,
        audio,
    }
}

/// The ladder of explicit video options (the registry checked the layers: even sizes, one
/// per quality, growing): the frame rate given (0: 30, as sources mostly are; at most 60);
/// a layer's bitrate given, or LiveKit's 720p bitrate scaled to its size; no layers: the
/// default preset's ladder at that frame rate. H.264 whatever `codec` says (the job encodes
/// nothing else).
fn video_options(o: &VideoEncodingOptions) -> VideoOut {
    let fps = if o.frame_rate.is_finite() && o.frame_rate > 0.0 { o.frame_rate.min(60.0) } else { 30.0 };
    let default = CodecVideo::H264_720P_30FPS_3_LAYERS;
    let mut out = default.video_out();
    if !o.layers.is_empty() {
        let (top_w, top_h, _, top_bitrate, _) = default.params();
        out.layers = o
            .layers
            .iter()
            .map(|l| VideoLayer {
                quality: match l.quality {
                    VideoQuality::Low => Quality::Low,
                    VideoQuality::Medium => Quality::Medium,
                    VideoQuality::High => Quality::High,
                },
                width: l.width,
                height: l.height,
                fps,
                bitrate: if l.bitrate > 0 { l.bitrate } else { scaled_bitrate(top_bitrate, top_w, top_h, l.width, l.height) },
            })
            .collect();
        out.layers.sort_by_key(|l| std::cmp::Reverse(l.quality));
    }
    for l in &mut out.layers {
        l.fps = fps;
    }
    out
}

/// The Opus encode of explicit audio options: mono or stereo (0: stereo), the bitrate given
/// (clamped to Opus's 16–510 kbit/s; 0: 64 kbit/s mono, 96 kbit/s stereo), DTX unless
/// disabled.
fn audio_options(o: &AudioEncodingOptions) -> AudioOut {
    let channels = if o.channels == 1 { 1 } else { 2 };
    let bitrate = if o.bitrate > 0 {
        o.bitrate.clamp(16_000, 510_000)
    } else if channels == 1 {
        64_000
    } else {
        96_000
    };
    AudioOut { channels, bitrate, dtx: !o.disable_dtx }
}

/// The codec crate's preset for the wire's (both list LiveKit's presets in wire order).
fn codec_video(p: VideoPreset) -> CodecVideo {
    let i = VideoPreset::ALL.iter().position(|x| *x == p).unwrap_or(0);
    CodecVideo::ALL.get(i).copied().unwrap_or(CodecVideo::H264_720P_30FPS_3_LAYERS)
}

/// Ends the session of an ingress deleted or changed (the encoder's reconnection starts one
/// with the new definition, as in LiveKit).
pub fn on_event(ingest: &Ingest, event: &IngressEvent) {
    if let IngressEvent::Deleted(i) | IngressEvent::Updated(i) = event {
        ingest.end(i.id.as_str());
    }
}

/// The WHIP sessions (served on the HTTP port by `crate::whip`).
pub fn whip(ingest: Ingest, media: MediaHandle, registry: Arc<Registry>) -> Arc<hikari_ingest::whip::Whip<MediaHandle, RegistryDirectory>> {
    Arc::new(hikari_ingest::whip::Whip::new(ingest, media, Arc::new(RegistryDirectory(registry)), Arc::new(IngestConfig::default())))
}

/// Binds the RTMP listener and the SRT one on the addresses the server binds
/// (`bind_addresses`), and serves them until the tasks are aborted.
pub async fn start(
    settings: &IngressSettings,
    binds: &[std::net::SocketAddr],
    ingest: Ingest,
    media: MediaHandle,
    registry: Arc<Registry>,
) -> anyhow::Result<Vec<tokio::task::JoinHandle<()>>> {
    let directory = Arc::new(RegistryDirectory(registry));
    let cfg = Arc::new(IngestConfig::default());
    let mut tasks = Vec::new();
    if let Some(rtmp) = settings.rtmp {
        for bind in binds {
            let addr = std::net::SocketAddr::new(bind.ip(), rtmp.port());
            let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("ingress: binding the RTMP port {addr}"))?;
            tracing::info!(%addr, url = %settings.urls.rtmp_base_url, "ingress: RTMP listening");
            tasks.push(tokio::spawn(hikari_ingest::serve_rtmp(listener, ingest.clone(), media.clone(), Arc::clone(&directory), Arc::clone(&cfg))));
        }
    }
    if let Some(srt) = settings.srt {
        for bind in binds {
            let addr = std::net::SocketAddr::new(bind.ip(), srt.port());
            let socket = tokio::net::UdpSocket::bind(addr).await.with_context(|| format!("ingress: binding the SRT port {addr}"))?;
            tracing::info!(%addr, url = ?settings.urls.srt_base_url, "ingress: SRT listening");
            tasks.push(tokio::spawn(hikari_ingest::serve_srt(socket, ingest.clone(), media.clone(), Arc::clone(&directory), Arc::clone(&cfg))));
        }
    }
    Ok(tasks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_map_by_name() {
        let names =
            ["H264_720P_30FPS_3_LAYERS", "H264_1080P_30FPS_3_LAYERS", "H264_540P_25FPS_2_LAYERS", "H264_720P_30FPS_1_LAYER", "H264_1080P_30FPS_1_LAYER"];
        for (p, name) in VideoPreset::ALL.iter().zip(names) {
            assert_eq!(codec_video(*p).name(), name);
        }
        assert_eq!(codec_video(VideoPreset::H264_1080p30_1LayerHighMotion).name(), "H264_1080P_30FPS_1_LAYER_HIGH_MOTION");
    }

    #[test]
    fn explicit_options_become_the_ladder_and_the_opus_encode() {
        let layer = |quality, width, height, bitrate| hikari_types::SimulcastLayer { quality, width, height, bitrate };
        let o = VideoEncodingOptions {
            frame_rate: 25.0,
            layers: vec![layer(VideoQuality::Low, 480, 270, 0), layer(VideoQuality::High, 1920, 1080, 4_000_000)],
            ..Default::default()
        };
        let out = video_options(&o);
        let got: Vec<_> = out.layers.iter().map(|l| (l.quality, l.width, l.height, l.fps, l.bitrate)).collect();
        assert_eq!(got, [(Quality::High, 1920, 1080, 25.0, 4_000_000), (Quality::Low, 480, 270, 25.0, scaled_bitrate(1_900_000, 1280, 720, 480, 270))]);
        let default = video_options(&VideoEncodingOptions { frame_rate: f64::NAN, ..Default::default() });
        assert_eq!(default, CodecVideo::H264_720P_30FPS_3_LAYERS.video_out(), "no layers, no usable rate: the default ladder at 30 fps");
        assert_eq!(audio_options(&AudioEncodingOptions { channels: 1, ..Default::default() }), AudioOut { channels: 1, bitrate: 64_000, dtx: true });
        let loud = AudioEncodingOptions { channels: 2, bitrate: 900_000, disable_dtx: true, ..Default::default() };
        assert_eq!(audio_options(&loud), AudioOut { channels: 2, bitrate: 510_000, dtx: false });
    }

    #[test]
    fn a_session_moves_the_state_and_keeps_what_it_does_not_say() {
        let buffering = next_state(IngressState::default(), Report::Buffering, 5);
        assert_eq!((buffering.status, buffering.started_at), (IngressStatus::Buffering, 5));
        assert!(!buffering.resource_id.is_empty());
        let publishing = next_state(buffering.clone(), Report::Publishing { room_id: "RM_1".into(), tracks: vec![], video: None, audio: None }, 9);
        assert_eq!((publishing.status, publishing.started_at, publishing.resource_id.as_str()), (IngressStatus::Publishing, 5, buffering.resource_id.as_str()));
        let ended = next_state(publishing.clone(), Report::Ended { error: None }, 12);
        assert_eq!((ended.status, ended.ended_at, ended.room_id.as_str()), (IngressStatus::Inactive, 12, "RM_1"));
        let failed = next_state(publishing, Report::Ended { error: Some("unsupported input: HEVC".into()) }, 13);
        assert_eq!((failed.status, failed.error.as_str()), (IngressStatus::Error, "unsupported input: HEVC"));
    }
}
