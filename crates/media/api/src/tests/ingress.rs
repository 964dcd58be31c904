//! The IngressService routes against a real registry (in-memory SQLite store).

use hikari_ingress::{IngressUrls, Registry, SqliteIngressStore};

use super::*;

async fn ingress_app() -> Router {
    let store = Arc::new(SqliteIngressStore::in_memory().await.expect("store"));
    let urls = IngressUrls { rtmp_base_url: "rtmp://h:1935/x".into(), whip_base_url: "http://h:7880/w".into(), srt_base_url: None };
    let registry = Arc::new(Registry::new(store, urls, Arc::new(|_| {})));
    app_with(Some(IngressApi { registry, now_nanos: || NOW * 1_000_000_000 })).0
}

fn ingress_admin() -> String {
    token(VideoGrant { ingress_admin: true, ..Default::default() }, "secret")
}

const CREATE: &str = "/twirp/livekit.Ingress/CreateIngress";

fn json(r: &Reply) -> serde_json::Value {
    assert_eq!(r.status, StatusCode::OK, "{}", String::from_utf8_lossy(&r.body));
    serde_json::from_slice(&r.body).expect("json")
}

#[tokio::test]
async fn a_token_without_ingress_admin_is_refused() {
    let app = ingress_app().await;
    let body = br#"{"roomName":"r","participantIdentity":"p"}"#.to_vec();
    for t in [create(), admin_of("r"), token(VideoGrant { room_join: true, room: "r".into(), ..Default::default() }, "secret")] {
        let r = send(&app, "POST", CREATE, JSON, Some(&t), body.clone()).await;
        assert_eq!((r.status, r.code().as_str()), (StatusCode::FORBIDDEN, "permission_denied"));
        assert!(String::from_utf8_lossy(&r.body).contains("ingressAdmin"));
    }
    let r = send(&app, "POST", CREATE, JSON, None, body).await;
    assert_eq!(r.code(), "unauthenticated");
    let list = json(&send(&app, "POST", "/twirp/livekit.Ingress/ListIngress", JSON, Some(&ingress_admin()), b"{}".to_vec()).await);
    assert!(list.get("items").is_none(), "nothing was created: {list}");
}

#[tokio::test]
async fn create_list_update_delete_in_json_and_protobuf() {
    let app = ingress_app().await;
    let t = ingress_admin();
    let created = json(&send(&app, "POST", CREATE, JSON, Some(&t), br#"{"name":"obs","roomName":"r","participantIdentity":"p"}"#.to_vec()).await);
    let id = created["ingressId"].as_str().expect("id").to_owned();
    assert_eq!((created["url"].as_str(), created["reusable"].as_bool()), (Some("rtmp://h:1935/x"), Some(true)));
    assert!(created["streamKey"].as_str().is_some_and(|k| k.len() >= 16));

    // ListIngressRequest{room_name: "r"} in protobuf: field 1, length 1.
    let r = send(&app, "POST", "/twirp/livekit.Ingress/ListIngress", PB, Some(&t), vec![0x0a, 1, b'r']).await;
    assert_eq!((r.status, r.content_type.as_str()), (StatusCode::OK, PB));
    assert!(r.body.windows(id.len()).any(|w| w == id.as_bytes()), "the protobuf list holds the ingress");

    let path = "/twirp/livekit.Ingress/UpdateIngress";
    let updated = json(&send(&app, "POST", path, JSON, Some(&t), format!(r#"{{"ingressId":"{id}","name":"renamed"}}"#).into_bytes()).await);
    assert_eq!((updated["name"].as_str(), updated["roomName"].as_str()), (Some("renamed"), Some("r")));
    let bad = send(&app, "POST", path, JSON, Some(&t), format!(r#"{{"ingressId":"{id}","enableTranscoding":false}}"#).into_bytes()).await;
    assert_eq!((bad.status, bad.code().as_str()), (StatusCode::BAD_REQUEST, "invalid_argument"));

    let path = "/twirp/livekit.Ingress/DeleteIngress";
    let deleted = json(&send(&app, "POST", path, JSON, Some(&t), format!(r#"{{"ingressId":"{id}"}}"#).into_bytes()).await);
    assert_eq!(deleted["ingressId"].as_str(), Some(id.as_str()));
    let again = send(&app, "POST", path, JSON, Some(&t), format!(r#"{{"ingressId":"{id}"}}"#).into_bytes()).await;
    assert_eq!((again.status, again.code().as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let v: serde_json::Value = serde_json::from_slice(&again.body).expect("json");
    assert_eq!(v["msg"], "ingress does not exist");
}

#[tokio::test]
async fn livekits_refusals_reach_the_client() {
    let app = ingress_app().await;
    let t = ingress_admin();
    let r = send(&app, "POST", CREATE, JSON, Some(&t), br#"{"roomName":"r"}"#.to_vec()).await;
    let v: serde_json::Value = serde_json::from_slice(&r.body).expect("json");
    assert_eq!(
        (r.status, v["code"].as_str(), v["msg"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_argument"), Some("invalid ingress: no participant identity"))
    );
    let r =
        send(&app, "POST", CREATE, JSON, Some(&t), br#"{"inputType":"URL_INPUT","url":"https://x/a.m3u8","roomName":"r","participantIdentity":"p"}"#.to_vec())
            .await;
    assert_eq!(r.code(), "unimplemented");
    let r = send(&app, "POST", "/twirp/livekit.Ingress/StartIngress", JSON, Some(&t), b"{}".to_vec()).await;
    assert_eq!(r.code(), "bad_route");
    let r = send(&app, "GET", CREATE, JSON, Some(&t), b"{}".to_vec()).await;
    assert_eq!(r.code(), "bad_route");
}
