//! LiveKit's validation messages, case by case.

use hikari_types::{IngressId, ParticipantIdentity, RoomName, SimulcastLayer, VideoQuality};

use super::*;

fn ingress(input: IngressInput) -> Ingress {
    Ingress { id: IngressId::new("IN_x"), stream_key: "key".into(), input, participant_identity: ParticipantIdentity::new("p"), ..Default::default() }
}

fn layer(quality: VideoQuality, width: u32, height: u32) -> SimulcastLayer {
    SimulcastLayer { quality, width, height, bitrate: 0 }
}

fn with_layers(layers: Vec<SimulcastLayer>) -> Ingress {
    let options = VideoEncodingOptions { layers, ..Default::default() };
    Ingress { video: Some(IngressVideoOptions { encoding: Some(VideoEncoding::Options(options)), ..Default::default() }), ..ingress(IngressInput::Rtmp) }
}

fn message(r: Result<(), IngressError>) -> String {
    match r {
        Err(IngressError::InvalidArgument(m)) => m,
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn layers_must_be_even_distinct_and_growing() {
    let ok = with_layers(vec![layer(VideoQuality::Low, 320, 180), layer(VideoQuality::High, 1280, 720)]);
    assert_eq!(validate_for_serialization(&ok), Ok(()));
    let odd = with_layers(vec![layer(VideoQuality::Low, 321, 180)]);
    assert_eq!(message(validate_for_serialization(&odd)), "invalid ingress: layer width must be even");
    let twice = with_layers(vec![layer(VideoQuality::Low, 320, 180), layer(VideoQuality::Low, 640, 360)]);
    assert!(message(validate_for_serialization(&twice)).contains("same quality"));
    let shrinking = with_layers(vec![layer(VideoQuality::Low, 640, 360), layer(VideoQuality::High, 320, 180)]);
    assert!(message(validate_for_serialization(&shrinking)).contains("increasing height"));
    let zero = with_layers(vec![layer(VideoQuality::Low, 0, 180)]);
    assert!(message(validate_for_serialization(&zero)).contains("dimensions"));
}

#[test]
fn codecs_sources_and_frame_rates() {
    let mut i = with_layers(vec![]);
    if let Some(VideoEncoding::Options(o)) = i.video.as_mut().and_then(|v| v.encoding.as_mut()) {
        o.codec = VideoCodec::H264High;
    }
    assert_eq!(message(validate_for_serialization(&i)), "invalid video parameters: video codec unsupported");
    if let Some(VideoEncoding::Options(o)) = i.video.as_mut().and_then(|v| v.encoding.as_mut()) {
        (o.codec, o.frame_rate) = (VideoCodec::Vp8, f64::NAN);
    }
    assert_eq!(message(validate_for_serialization(&i)), "invalid video parameters: invalid framerate");
    let mic_video = Ingress { video: Some(IngressVideoOptions { source: TrackSource::Microphone, ..Default::default() }), ..ingress(IngressInput::Rtmp) };
    assert_eq!(message(validate_for_serialization(&mic_video)), "invalid video parameters: invalid track source");
    let aac = Ingress {
        audio: Some(IngressAudioOptions {
            encoding: Some(AudioEncoding::Options(hikari_types::AudioEncodingOptions { codec: AudioCodec::Aac, ..Default::default() })),
            ..Default::default()
        }),
        ..ingress(IngressInput::Rtmp)
    };
    assert_eq!(message(validate_for_serialization(&aac)), "invalid audio parameters: audio codec unsupported");
}

#[test]
fn a_session_needs_a_room_and_whip_may_skip_transcoding() {
    let mut i = ingress(IngressInput::Whip);
    assert_eq!(validate_for_serialization(&i), Ok(()));
    assert_eq!(message(validate(&i)), "invalid ingress: no room name");
    i.room_name = RoomName::new("r");
    assert_eq!(validate(&i), Ok(()));
    fill_transcoding(&mut i);
    assert_eq!((i.enable_transcoding, i.bypass_transcoding, i.transcodes()), (Some(false), true, false));
    let mut rtmp = ingress(IngressInput::Rtmp);
    fill_transcoding(&mut rtmp);
    assert_eq!((rtmp.enable_transcoding, rtmp.bypass_transcoding), (None, false));
    let keyless = Ingress { stream_key: String::new(), ..ingress(IngressInput::Rtmp) };
    assert_eq!(message(validate_for_serialization(&keyless)), "invalid ingress: no stream key");
}
