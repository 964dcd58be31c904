//! The routes against a fake administrator that records what reached it.

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use hikari_auth::{AccessToken, KeySet, VideoGrant};
use hikari_types::{AdminError, AdminRequest, AdminResponse, RoomInfo, RoomName};

use super::*;

const NOW: i64 = 1_800_000_000;

#[derive(Clone, Default)]
struct Fake {
    seen: Arc<Mutex<Vec<AdminRequest>>>,
}

impl RoomAdmin for Fake {
    async fn admin(&self, request: AdminRequest) -> Result<AdminResponse, ApiError> {
        self.seen.lock().expect("lock").push(request.clone());
        match request {
            AdminRequest::CreateRoom { name, .. } => Ok(AdminResponse::Room(RoomInfo { name, ..Default::default() })),
            AdminRequest::ListRooms { .. } => Ok(AdminResponse::Rooms(vec![])),
            AdminRequest::GetParticipant { identity, .. } => Err(AdminError::NotFound(format!("participant {identity} does not exist")).into()),
            _ => Ok(AdminResponse::Done),
        }
    }
}

fn token(grant: VideoGrant, secret: &str) -> String {
    AccessToken::new("devkey", NOW, 600).video(grant).sign(secret).expect("sign")
}

fn app() -> (Router, Fake) {
    app_with(None)
}

fn app_with(ingress: Option<IngressApi>) -> (Router, Fake) {
    app_with_services(ingress, None)
}

fn app_with_services(ingress: Option<IngressApi>, egress: Option<EgressApi>) -> (Router, Fake) {
    let fake = Fake::default();
    let state = ApiState {
        admin: fake.clone(),
        keys: Arc::new(KeySet::new([("devkey".to_owned(), "secret".to_owned())])),
        now_unix: || NOW,
        throttle: Arc::new(hikari_auth::AuthThrottle::new(5, 60)),
        ingress,
        egress,
    };
    (router(state), fake)
}

struct Reply {
    status: StatusCode,
    content_type: String,
    body: Vec<u8>,
}

impl Reply {
    fn code(&self) -> String {
        let v: serde_json::Value = serde_json::from_slice(&self.body).expect("error body is JSON");
        assert!(v["msg"].as_str().is_some_and(|m| !m.is_empty()), "msg present: {v}");
        v["code"].as_str().unwrap_or_default().to_owned()
    }
}

async fn send(app: &Router, method: &str, path: &str, content_type: &str, token: Option<&str>, body: Vec<u8>) -> Reply {
    let mut request = Request::builder().method(method).uri(path).header(header::CONTENT_TYPE, content_type);
    if let Some(t) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let response = app.clone().oneshot(request.body(Body::from(body)).expect("request")).await.expect("infallible");
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
    Reply { status, content_type, body }
}

fn create() -> String {
    token(VideoGrant { room_create: true, ..Default::default() }, "secret")
}

fn admin_of(room: &str) -> String {
    token(VideoGrant { room_admin: true, room: room.into(), ..Default::default() }, "secret")
}

const JSON: &str = "application/json";
const PB: &str = "application/protobuf";

#[tokio::test]
async fn json_and_protobuf_calls_reach_the_administrator() {
    let (app, fake) = app();
    let r = send(&app, "POST", "/twirp/livekit.RoomService/CreateRoom", JSON, Some(&create()), br#"{"name":"r1"}"#.to_vec()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, JSON);
    let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    assert_eq!(v["name"], "r1");
    // DeleteRoomRequest{room: "r1"} in protobuf: field 1, length 2.
    let r = send(&app, "POST", "/twirp/livekit.RoomService/DeleteRoom", PB, Some(&create()), vec![0x0a, 2, b'r', b'1']).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.content_type, PB);
    assert!(r.body.is_empty(), "an empty message");
    let seen = fake.seen.lock().expect("lock").clone();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1], AdminRequest::DeleteRoom { room: RoomName::new("r1") });
}

#[tokio::test]
async fn domain_errors_map_to_twirp_codes() {
    let (app, _) = app();
    let r = send(&app, "POST", "/twirp/livekit.RoomService/GetParticipant", JSON, Some(&admin_of("r")), br#"{"room":"r","identity":"ghost"}"#.to_vec()).await;
    assert_eq!((r.status, r.code().as_str()), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(r.content_type, JSON, "errors are JSON even for JSON requests");
}

#[tokio::test]
async fn bad_input_is_refused_and_changes_nothing() {
    let (app, fake) = app();
    let room_body = br#"{"room":"r","identity":"a"}"#.to_vec();
    let path = "/twirp/livekit.RoomService/RemoveParticipant";
    let long_name = format!(r#"{{"name":"{}"}}"#, "x".repeat(300));
    type Case<'a> = (&'a str, &'a str, &'a str, Option<String>, Vec<u8>, StatusCode, &'a str);
    let cases: Vec<Case> = vec![
        ("POST", "/twirp/livekit.RoomService/Nope", JSON, Some(create()), b"{}".to_vec(), StatusCode::NOT_FOUND, "bad_route"),
        ("POST", "/twirp/livekit.Other/CreateRoom", JSON, Some(create()), b"{}".to_vec(), StatusCode::NOT_FOUND, "bad_route"),
        ("POST", "/twirp/x", JSON, Some(create()), b"{}".to_vec(), StatusCode::NOT_FOUND, "bad_route"),
        ("GET", path, JSON, Some(admin_of("r")), room_body.clone(), StatusCode::NOT_FOUND, "bad_route"),
        ("POST", path, "text/plain", Some(admin_of("r")), room_body.clone(), StatusCode::NOT_FOUND, "bad_route"),
        ("POST", path, JSON, Some(admin_of("r")), b"{nope".to_vec(), StatusCode::BAD_REQUEST, "malformed"),
        ("POST", path, PB, Some(admin_of("r")), vec![0xff, 0xff], StatusCode::BAD_REQUEST, "malformed"),
        ("POST", "/twirp/livekit.RoomService/CreateRoom", JSON, Some(create()), long_name.into_bytes(), StatusCode::BAD_REQUEST, "invalid_argument"),
        ("POST", path, JSON, None, room_body.clone(), StatusCode::UNAUTHORIZED, "unauthenticated"),
        ("POST", path, JSON, Some("garbage".into()), room_body.clone(), StatusCode::UNAUTHORIZED, "unauthenticated"),
        (
            "POST",
            path,
            JSON,
            Some(token(VideoGrant { room_admin: true, room: "r".into(), ..Default::default() }, "wrong")),
            room_body.clone(),
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
        ),
        ("POST", path, JSON, Some(admin_of("other")), room_body.clone(), StatusCode::FORBIDDEN, "permission_denied"),
        ("POST", path, JSON, Some(create()), room_body.clone(), StatusCode::FORBIDDEN, "permission_denied"),
        ("POST", "/twirp/livekit.RoomService/CreateRoom", JSON, Some(admin_of("r")), br#"{"name":"r"}"#.to_vec(), StatusCode::FORBIDDEN, "permission_denied"),
        ("POST", "/twirp/livekit.RoomService/ListRooms", JSON, Some(create()), b"{}".to_vec(), StatusCode::FORBIDDEN, "permission_denied"),
        ("POST", "/twirp/livekit.RoomService/PerformRpc", JSON, Some(admin_of("r")), b"{}".to_vec(), StatusCode::NOT_IMPLEMENTED, "unimplemented"),
        ("POST", "/twirp/livekit.Egress/ListEgress", JSON, Some(admin_of("r")), b"{}".to_vec(), StatusCode::NOT_IMPLEMENTED, "unimplemented"),
        ("POST", "/twirp/livekit.Ingress/ListIngress", JSON, Some(admin_of("r")), b"{}".to_vec(), StatusCode::NOT_IMPLEMENTED, "unimplemented"),
        ("POST", path, JSON, Some(admin_of("r")), vec![b' '; MAX_BODY + 1], StatusCode::BAD_REQUEST, "invalid_argument"),
    ];
    for (method, path, content_type, token, body, status, code) in cases {
        let r = send(&app, method, path, content_type, token.as_deref(), body).await;
        assert_eq!((r.status, r.code().as_str()), (status, code), "{method} {path} {content_type}");
        assert_eq!(r.content_type, JSON);
    }
    assert!(fake.seen.lock().expect("lock").is_empty(), "nothing reached the administrator");
}

#[tokio::test]
async fn room_admin_is_scoped_to_its_room() {
    let (app, fake) = app();
    let path = "/twirp/livekit.RoomService/UpdateRoomMetadata";
    let ok = send(&app, "POST", path, JSON, Some(&admin_of("a")), br#"{"room":"a","metadata":"m"}"#.to_vec()).await;
    assert_eq!(ok.status, StatusCode::OK);
    let other = send(&app, "POST", path, JSON, Some(&admin_of("a")), br#"{"room":"b","metadata":"m"}"#.to_vec()).await;
    assert_eq!(other.code(), "permission_denied");
    assert_eq!(fake.seen.lock().expect("lock").len(), 1);
}

mod egress;
mod ingress;
