//! The EgressService routes: the grant, the method table and the hand-over to the runner (a
//! fake that records what it ran).

use std::future::Future;
use std::pin::Pin;

use hikari_types::EgressRequest;

use super::*;

#[derive(Default)]
struct Recorded(Mutex<Vec<EgressRequest>>);

impl EgressRunner for Recorded {
    fn run(&self, request: EgressRequest) -> Pin<Box<dyn Future<Output = EgressOutcome> + Send + '_>> {
        Box::pin(async move {
            self.0.lock().expect("runs").push(request);
            Err(ApiError::FailedPrecondition("the fake refuses everything it runs".into()))
        })
    }
}

fn recorder() -> String {
    token(VideoGrant { room_record: true, ..Default::default() }, "secret")
}

const START: &str = "/twirp/livekit.Egress/StartTrackEgress";
const BODY: &[u8] = br#"{"room_name":"r","track_id":"TR_a","file":{"filepath":"a"}}"#;

#[tokio::test]
async fn every_call_needs_room_record_and_reaches_the_runner_decoded() {
    let runner = Arc::new(Recorded::default());
    let app = app_with_services(None, Some(EgressApi { runner: runner.clone() })).0;
    for t in [create(), admin_of("r"), token(VideoGrant { ingress_admin: true, ..Default::default() }, "secret")] {
        let r = send(&app, "POST", START, JSON, Some(&t), BODY.to_vec()).await;
        assert_eq!((r.status, r.code().as_str()), (StatusCode::FORBIDDEN, "permission_denied"));
        assert!(String::from_utf8_lossy(&r.body).contains("roomRecord"));
    }
    assert_eq!(send(&app, "POST", START, JSON, None, BODY.to_vec()).await.code(), "unauthenticated");
    assert!(runner.0.lock().expect("runs").is_empty(), "nothing ran without the grant");
    let r = send(&app, "POST", START, JSON, Some(&recorder()), BODY.to_vec()).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::PRECONDITION_FAILED, "failed_precondition"));
    let r = send(&app, "POST", "/twirp/livekit.Egress/StartWebEgress", JSON, Some(&recorder()), b"{}".to_vec()).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::NOT_IMPLEMENTED, "unimplemented"));
    assert!(String::from_utf8_lossy(&r.body).contains("web egress"), "the refusal says what is missing");
    assert_eq!(send(&app, "POST", "/twirp/livekit.Egress/Nope", JSON, Some(&recorder()), b"{}".to_vec()).await.code(), "bad_route");
    assert_eq!(send(&app, "POST", START, JSON, Some(&recorder()), b"{".to_vec()).await.code(), "malformed");
    let ran = runner.0.lock().expect("runs").clone();
    assert!(matches!(ran.as_slice(), [EgressRequest::StartTrack(s)] if s.track_id.as_str() == "TR_a"), "{ran:?}");
}

#[tokio::test]
async fn egress_off_answers_unimplemented() {
    let app = app().0;
    let r = send(&app, "POST", START, JSON, Some(&recorder()), BODY.to_vec()).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::NOT_IMPLEMENTED, "unimplemented"));
    assert!(String::from_utf8_lossy(&r.body).contains("egress.enabled"));
}
