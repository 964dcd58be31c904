//! The team page and co-hosts, on SQLite and on PostgreSQL: an admin adds a co-host (CSRF
//! checked; a bad email (422), a short password (400) and a taken email (409) refused), the co-host signs in
//! and opens the same session's console as a second host, with its own identity in the room.

mod common;

use common::{AdminSession, Backend, Server, between, http, webinar_with_registrants};
use std::time::Duration;

#[tokio::test]
async fn team_on_sqlite() {
    team(Backend::Sqlite).await;
}

#[tokio::test]
async fn team_on_postgres() {
    team(Backend::Postgres).await;
}

/// Signs in through `/admin/login` (double-submit cookie).
async fn sign_in(srv: &Server, email: &str, password: &str) -> AdminSession {
    let form = http(srv.addr, "GET", "/admin/login", &[], "").await;
    let (_, login) = form.cookies.iter().find(|(k, _)| k == "hikari_login").expect("login csrf cookie").clone();
    let body = format!("csrf={login}&email={}&password={password}", email.replace('@', "%40"));
    let h = [("Cookie", format!("hikari_login={login}")), ("Content-Type", "application/x-www-form-urlencoded".into())];
    let r = http(srv.addr, "POST", "/admin/login", &h, &body).await;
    assert_eq!(r.status, 303, "{}", r.body);
    let (_, session) = r.cookies.iter().find(|(k, _)| k == "hikari_admin").expect("session cookie").clone();
    AdminSession { addr: srv.addr, cookie: session, csrf: String::new() }
}

/// The room identity in a console's pass (the test server's passes read `room|identity|role`).
fn console_identity(body: &str) -> String {
    let token = between(body, "data-token=\"", "\"").expect("a pass in the console");
    token.split('|').skip(1).collect::<Vec<_>>().join("|")
}

async fn team(backend: Backend) {
    let Some(srv) = Server::start(backend, Duration::from_secs(3600)).await else { return };
    let admin = srv.admin().await;
    let (_, sid, _) = webinar_with_registrants(&srv, "team", &["a@example.jp"]).await;

    let page = admin.get("/admin/team").await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("admin@example.com") && page.body.contains("/admin/team"), "{}", page.body);
    assert_eq!(page.body.matches("<tr data-user=").count(), 1);

    let add = |csrf: &str, email: &str, password: &str| format!("csrf={csrf}&email={}&password={password}", email.replace('@', "%40"));
    assert_eq!(admin.post("/admin/team", &add("wrong", "co@example.jp", "long-enough")).await.status, 403, "CSRF checked");
    assert_eq!(admin.post("/admin/team", &add(&admin.csrf, "not-an-email", "long-enough")).await.status, 422, "not an email");
    assert_eq!(admin.post("/admin/team", &add(&admin.csrf, "co@example.jp", "short")).await.status, 400);
    let added = admin.post("/admin/team", &add(&admin.csrf, "co@example.jp", "long-enough")).await;
    assert_eq!((added.status, added.header("location")), (303, Some("/admin/team")), "{}", added.body);
    assert_eq!(admin.post("/admin/team", &add(&admin.csrf, "co@example.jp", "another-one")).await.status, 409, "taken");
    let page = admin.get("/admin/team").await;
    assert_eq!(page.body.matches("<tr data-user=").count(), 2, "{}", page.body);
    assert!(page.body.contains("co@example.jp"));
    let anonymous = http(srv.addr, "GET", "/admin/team", &[], "").await;
    assert_eq!((anonymous.status, anonymous.header("location")), (303, Some("/admin/login")), "only for admins");

    // The co-host signs in and opens the same console: a second host in the room.
    let cohost = sign_in(&srv, "co@example.jp", "long-enough").await;
    let (mine, theirs) = (admin.get(&format!("/admin/sessions/{sid}/console")).await, cohost.get(&format!("/admin/sessions/{sid}/console")).await);
    assert_eq!((mine.status, theirs.status), (200, 200), "{}", theirs.body);
    let (me, co) = (console_identity(&mine.body), console_identity(&theirs.body));
    assert!(me.ends_with("|Host") && co.ends_with("|Host"), "{me} / {co}");
    assert_ne!(me, co, "each host has its own identity in the room");
    srv.finish().await;
}
