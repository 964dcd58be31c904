//! The storage contract: one story, run against SQLite always and against PostgreSQL when
//! `HIKARI_FUNNEL_PG_URL` is set (e.g. `postgres://postgres@127.0.0.1:5432/test`). Each
//! PostgreSQL run uses a fresh schema, dropped at the end, so runs never collide.

use hikari_funnel::{CompareOp, Condition, ContactUpsert, Email, Event, EventName, Locale, NewEdge, NewFunnel, NewStep, PageDraft, StepKind, UserId, Utm};
use hikari_funnel_store::{EventQuery, PgStore, Session, SqliteStore, Store, StoreError};
use std::sync::atomic::{AtomicU32, Ordering};

#[path = "suite/experiments.rs"]
mod experiments;
#[path = "suite/webinars.rs"]
mod webinars;

fn unique(prefix: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{prefix}_{}_{}_{}", std::process::id(), nanos, N.fetch_add(1, Ordering::Relaxed))
}

async fn with_sqlite(f: impl AsyncFnOnce(&dyn Store)) {
    let path = std::env::temp_dir().join(format!("{}.sqlite3", unique("funnel_suite")));
    let store = SqliteStore::open(&path).await.expect("open sqlite");
    f(&store).await;
    drop(store);
    for ext in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
    }
}

async fn with_postgres(f: impl AsyncFnOnce(&dyn Store)) {
    let Ok(url) = std::env::var("HIKARI_FUNNEL_PG_URL") else {
        eprintln!("HIKARI_FUNNEL_PG_URL unset: skipping the PostgreSQL run");
        return;
    };
    let schema = unique("funnel_test");
    let store = PgStore::connect(&url, Some(&schema)).await.expect("connect postgres");
    f(&store).await;
    store.drop_schema().await.expect("drop schema");
}

fn event(id: &str, ts: i64, visitor: &str, name: &str) -> Event {
    Event {
        id: id.parse().expect("id"),
        ts,
        visitor: visitor.parse().expect("visitor"),
        contact: None,
        session: "s1".into(),
        funnel: None,
        step: None,
        variant: None,
        name: name.parse::<EventName>().expect("name"),
        props: serde_json::json!({"k": "v"}),
        utm_first: Utm { source: Some("ads".into()), ..Utm::default() },
        utm_last: Utm::default(),
        bot: false,
    }
}

const VISITOR: &str = "0123456789abcdef0123456789abcdef";

async fn story(s: &dyn Store) {
    // Funnels and steps.
    let new = NewFunnel { slug: "webinar".parse().expect("slug"), name: "Webinar".into(), locale: None };
    let f = s.create_funnel(&new, 1).await.expect("create funnel");
    assert!(matches!(s.create_funnel(&new, 2).await, Err(StoreError::Conflict(_))));
    assert_eq!(s.funnel_by_slug(&new.slug).await.expect("by slug").id, f.id);
    let step = |slug: &str, kind| NewStep { slug: slug.parse().expect("slug"), name: slug.into(), kind, redirect_url: None };
    let optin = s.create_step(f.id, &step("optin", StepKind::Optin), 3).await.expect("step");
    let thanks = s.create_step(f.id, &step("thanks", StepKind::Thankyou), 3).await.expect("step");
    let sales = s.create_step(f.id, &step("sales", StepKind::Sales), 3).await.expect("step");
    assert!(matches!(s.create_step(f.id, &step("optin", StepKind::Sales), 3).await, Err(StoreError::Conflict(_))));
    assert_eq!(sales.position, 3);
    s.reorder_steps(f.id, &[optin.id, sales.id, thanks.id]).await.expect("reorder");
    let order: Vec<_> = s.steps(f.id).await.expect("steps").iter().map(|s| s.id).collect();
    assert_eq!(order, [optin.id, sales.id, thanks.id]);
    assert!(s.reorder_steps(f.id, &[optin.id]).await.is_err(), "partial orders are refused");

    // Edges.
    let cond = Condition::Property { field: "plan".into(), op: CompareOp::Equals, value: "pro".into() };
    let e = NewEdge { from_step: optin.id, to_step: sales.id, condition: cond.clone(), priority: 0 };
    let edge = s.create_edge(f.id, &e).await.expect("edge");
    assert_eq!(edge.condition, cond);
    let bad = NewEdge { from_step: optin.id, to_step: hikari_funnel::StepId(999_999), ..e.clone() };
    assert!(matches!(s.create_edge(f.id, &bad).await, Err(StoreError::Invalid(_))));
    assert_eq!(s.edges(f.id).await.expect("edges").len(), 1);

    // Pages: compare-and-swap, publish.
    let page = s.page(optin.id).await.expect("page");
    assert_eq!((page.version, page.published_version), (1, None));
    let draft: PageDraft = serde_json::from_value(serde_json::json!({
        "page": {"sections": [{"id": "s", "columns": [{"id": "c", "blocks": [
            {"id": "h", "type": "heading", "text": "<script>x</script>"}]}]}]},
        "css": "h1 { color: red }"
    }))
    .expect("draft");
    assert_eq!(s.save_page(optin.id, &draft, 1, 5).await.expect("save"), 2);
    assert!(matches!(s.save_page(optin.id, &PageDraft::default(), 1, 6).await, Err(StoreError::VersionConflict { current: 2 })));
    assert_eq!(s.page(optin.id).await.expect("page").draft, draft, "the stale edit changed nothing");
    assert!(s.published_page(optin.id).await.expect("published").is_none());
    assert!(matches!(s.publish_page(optin.id, 1, 7).await, Err(StoreError::VersionConflict { current: 2 })));
    assert_eq!(s.publish_page(optin.id, 2, 7).await.expect("publish"), 2);
    s.save_page(optin.id, &PageDraft::default(), 2, 8).await.expect("edit after publish");
    let (v, live) = s.published_page(optin.id).await.expect("published").expect("some");
    assert_eq!((v, live), (2, draft), "visitors keep the published version");

    // Contacts and events, atomically.
    let up = ContactUpsert {
        email: Email::parse("Taro@Example.jp").expect("email"),
        name: Some("山田太郎".into()),
        phone: None,
        labels: vec!["lead".into()],
        consents: vec![],
        visitor: Some(VISITOR.parse().expect("visitor")),
        utm_first: Utm { source: Some("ads".into()), ..Utm::default() },
        utm_last: Utm { source: Some("ads".into()), ..Utm::default() },
        now: 10,
    };
    let c = s.record_submission(&up, vec![event("e1", 10, VISITOR, "generate_lead")]).await.expect("submit");
    assert_eq!(c.email.as_str(), "taro@example.jp");
    let again = ContactUpsert {
        name: None,
        phone: Some("090-1234-5678".into()),
        labels: vec!["buyer".into(), "lead".into()],
        utm_first: Utm { source: Some("mail".into()), ..Utm::default() },
        now: 20,
        ..up.clone()
    };
    let c2 = s.record_submission(&again, vec![event("e2", 20, VISITOR, "generate_lead")]).await.expect("merge");
    assert_eq!(c2.id, c.id);
    assert_eq!(c2.name.as_deref(), Some("山田太郎"), "absent values keep what is stored");
    assert_eq!(c2.labels, ["buyer", "lead"]);
    assert_eq!(c2.utm_first.source.as_deref(), Some("ads"), "first touch sticks");
    let evs = s.events(&EventQuery { contact: Some(c.id), limit: 10, ..Default::default() }).await.expect("events");
    assert_eq!(evs.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["e2", "e1"]);
    assert_eq!(s.contacts(10, 0).await.expect("contacts").len(), 1);

    // Idempotent appends and the report's hits.
    let mut pv = event("pv1", 30, VISITOR, "page_view");
    pv.funnel = Some(f.id);
    pv.step = Some(optin.id);
    let mut bot = event("pv2", 31, VISITOR, "page_view");
    bot.funnel = Some(f.id);
    bot.step = Some(optin.id);
    bot.bot = true;
    assert_eq!(s.append_events(&[pv.clone(), bot]).await.expect("append"), 2);
    assert_eq!(s.append_events(&[pv]).await.expect("append again"), 0);
    let hits = s.step_hits(f.id, 0, 100).await.expect("hits");
    assert_eq!(hits.len(), 1, "bots are excluded");
    assert_eq!(hits[0].utm_source.as_deref(), Some("ads"));

    // Admin.
    let admin = Email::parse("admin@example.com").expect("email");
    assert_eq!(s.user_count().await.expect("count"), 0);
    let uid = s.create_user(&admin, "hash", 1).await.expect("user");
    assert!(matches!(s.create_user(&admin, "hash", 1).await, Err(StoreError::Conflict(_))));
    assert_eq!(s.user_by_email(&admin).await.expect("user").map(|u| u.0), Some(uid));
    let cohost = s.create_user(&Email::parse("cohost@example.jp").expect("email"), "hash2", 2).await.expect("second user");
    let users = s.users().await.expect("users");
    assert_eq!(
        users.iter().map(|u| (u.id, u.email.as_str(), u.created_at)).collect::<Vec<_>>(),
        [(uid, "admin@example.com", 1), (cohost, "cohost@example.jp", 2)]
    );
    let sess = Session { user: uid, csrf: "c".into() };
    s.create_session("th", &sess, 100).await.expect("session");
    assert_eq!(s.session("th", 50).await.expect("session"), Some(sess));
    assert_eq!(s.session("th", 100).await.expect("expired"), None);
    assert_eq!(s.user_language(uid).await.expect("language"), None, "no setting: the browser decides");
    s.set_user_language(uid, Some(Locale::Ja)).await.expect("set language");
    assert_eq!(s.user_language(uid).await.expect("language"), Some(Locale::Ja));
    s.set_user_language(uid, None).await.expect("clear language");
    assert_eq!(s.user_language(uid).await.expect("language"), None);
    assert!(matches!(s.set_user_language(UserId(uid.0 + 99), Some(Locale::En)).await, Err(StoreError::NotFound(_))));
    let tid = s.create_token("ci", "tokhash", 1).await.expect("token");
    assert_eq!(s.token("tokhash").await.expect("token"), Some(tid));
    s.delete_token(tid).await.expect("revoke");
    assert_eq!(s.token("tokhash").await.expect("token"), None);

    // Deletes cascade to steps, edges and pages; unknown ids are NotFound.
    s.delete_funnel(f.id).await.expect("delete");
    assert!(matches!(s.step(optin.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(s.page(optin.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(s.delete_funnel(f.id).await, Err(StoreError::NotFound(_))));
}

/// Two editors save from the same version at once: exactly one wins, the other gets a conflict.
async fn concurrent_edits(s: &dyn Store) {
    let f = s.create_funnel(&NewFunnel { slug: "race".parse().expect("slug"), name: "Race".into(), locale: None }, 1).await.expect("funnel");
    let st = NewStep { slug: "p".parse().expect("slug"), name: "P".into(), kind: StepKind::Optin, redirect_url: None };
    let step = s.create_step(f.id, &st, 1).await.expect("step");
    let a = PageDraft { css: "a{}".into(), ..PageDraft::default() };
    let b = PageDraft { css: "b{}".into(), ..PageDraft::default() };
    let (ra, rb) = tokio::join!(s.save_page(step.id, &a, 1, 2), s.save_page(step.id, &b, 1, 2));
    assert!(ra.is_ok() != rb.is_ok(), "exactly one save wins: {ra:?} {rb:?}");
    let winner = if ra.is_ok() { a } else { b };
    assert_eq!(s.page(step.id).await.expect("page").draft, winner);
    // Concurrent first submissions of one address make one contact.
    let up = |n: i64| ContactUpsert {
        email: Email::parse("race@example.com").expect("email"),
        name: None,
        phone: None,
        labels: vec![format!("l{n}")],
        consents: vec![],
        visitor: None,
        utm_first: Utm::default(),
        utm_last: Utm::default(),
        now: n,
    };
    let (u1, u2) = (up(1), up(2));
    let (c1, c2) = tokio::join!(s.record_submission(&u1, vec![]), s.record_submission(&u2, vec![]));
    assert_eq!(c1.expect("c1").id, c2.expect("c2").id);
    let c = s.contact_by_email(&u1.email).await.expect("lookup").expect("one contact");
    assert_eq!(c.labels, ["l1", "l2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_story() {
    with_sqlite(story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_concurrent_edits() {
    with_sqlite(concurrent_edits).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_story() {
    with_postgres(story).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_concurrent_edits() {
    with_postgres(concurrent_edits).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_experiments() {
    with_sqlite(experiments::experiments).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_experiments() {
    with_postgres(experiments::experiments).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_webinars() {
    with_sqlite(webinars::webinars).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_webinars() {
    with_postgres(webinars::webinars).await;
}
