//! The signaling routes against a fake router: tokens and full rooms are refused with an
//! HTTP status before any upgrade, through nothing but the `Router` trait.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tokio::sync::mpsc;
use tower::ServiceExt;

use hikari_auth::{AccessToken, KeySet, VideoGrant};
use hikari_common::clock::unix_secs;
use hikari_media_io::MediaError;
use hikari_sfu::{Command, ConnId, Join, SignalOut};
use hikari_signal::{Router, SignalState, routes};
use hikari_types::{AdminRequest, AdminResponse, ParticipantInfo, RoomInfo};

/// One room `r` allowing `max` participants, with `present` in it.
#[derive(Clone)]
struct Fake {
    max: u32,
    present: Vec<&'static str>,
}

impl Router for Fake {
    fn next_conn(&self) -> ConnId {
        ConnId(1)
    }

    fn join(&self, _: Join, _: mpsc::Sender<SignalOut>) -> Result<(), MediaError> {
        Err(MediaError::Unavailable("no upgrades in this test"))
    }

    fn command(&self, _: Command) -> Result<(), MediaError> {
        Err(MediaError::Unavailable("no sessions in this test"))
    }

    async fn admin(&self, request: AdminRequest) -> Result<AdminResponse, MediaError> {
        match request {
            AdminRequest::ListRooms { .. } => Ok(AdminResponse::Rooms(vec![RoomInfo {
                name: "r".into(),
                max_participants: self.max,
                num_participants: self.present.len() as u32,
                ..Default::default()
            }])),
            AdminRequest::ListParticipants { .. } => {
                Ok(AdminResponse::Participants(self.present.iter().map(|i| ParticipantInfo { identity: (*i).into(), ..Default::default() }).collect()))
            }
            _ => Err(MediaError::Unavailable("not asked in this test")),
        }
    }
}

fn app(router: Fake) -> axum::Router {
    let keys = Arc::new(KeySet::new([("devkey".to_owned(), "secret".to_owned())]));
    routes(SignalState {
        ice_servers: None,
        keys,
        router,
        rtc_v1: true,
        ping_timeout: Duration::from_secs(15),
        throttle: std::sync::Arc::new(hikari_auth::AuthThrottle::new(20, 60)),
    })
}

fn token(identity: &str, secret: &str) -> String {
    AccessToken::new("devkey", unix_secs(), 600)
        .identity(identity)
        .video(VideoGrant { room_join: true, room: "r".into(), ..Default::default() })
        .sign(secret)
        .expect("sign")
}

async fn validate(app: axum::Router, token: &str) -> (StatusCode, Option<String>, String) {
    let request = Request::get(format!("/rtc/validate?access_token={token}")).body(Body::empty()).expect("request");
    let response = app.oneshot(request).await.expect("infallible");
    let status = response.status();
    let origin = response.headers().get(header::ACCESS_CONTROL_ALLOW_ORIGIN).map(|v| v.to_str().unwrap_or_default().to_owned());
    let body = response.into_body().collect().await.expect("body").to_bytes();
    (status, origin, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn a_room_with_space_validates_with_any_origin() {
    let (status, origin, body) = validate(app(Fake { max: 2, present: vec!["alice"] }), &token("bob", "secret")).await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "success"));
    assert_eq!(origin.as_deref(), Some("*"));
}

#[tokio::test]
async fn a_full_room_is_refused_before_the_upgrade() {
    let (status, _, body) = validate(app(Fake { max: 2, present: vec!["alice", "carol"] }), &token("bob", "secret")).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body, "room r is full: it allows 2 participants");
}

#[tokio::test]
async fn an_identity_already_in_a_full_room_may_replace_itself() {
    let (status, _, _) = validate(app(Fake { max: 2, present: vec!["alice", "bob"] }), &token("bob", "secret")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_bad_token_is_unauthorized() {
    let (status, _, body) = validate(app(Fake { max: 0, present: vec![] }), &token("bob", "wrong")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("signature is invalid"), "{body}");
}
