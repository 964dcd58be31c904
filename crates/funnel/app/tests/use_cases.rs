//! The use cases over a real store: the form submission and the event writer's drain on
//! shutdown. SQLite in a temporary directory always; PostgreSQL too (a fresh schema, dropped
//! after) when `HIKARI_FUNNEL_PG_URL` is set.

use hikari_funnel::{EventName, NewFunnel, NewStep, PageDraft, StepKind, Utm};
use hikari_funnel_app::{App, Background, Submitted, Visit};
use hikari_funnel_store::{EventQuery, PgStore, SqliteStore, Store};
use std::{collections::HashMap, path::PathBuf, sync::Arc, time::Duration};

#[path = "use_cases/webinars.rs"]
mod webinars;

struct Fixture {
    app: App,
    background: Background,
    store: Arc<dyn Store>,
    dir: PathBuf,
    pg: Option<PgStore>,
    /// The names of the events the app said were stored, in order.
    told: Arc<std::sync::Mutex<Vec<String>>>,
}

#[derive(Clone, Copy)]
enum Backend {
    Sqlite,
    Postgres,
}

fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{prefix}_{}_{nanos}_{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

/// The application over a fresh store; `None` for PostgreSQL without `HIKARI_FUNNEL_PG_URL`.
async fn fixture(backend: Backend) -> Option<Fixture> {
    let dir = std::env::temp_dir().join(unique("funnel_app"));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (store, pg): (Arc<dyn Store>, _) = match backend {
        Backend::Sqlite => (Arc::new(SqliteStore::open(&dir.join("funnel.sqlite3")).await.expect("open sqlite")), None),
        Backend::Postgres => {
            let Ok(url) = std::env::var("HIKARI_FUNNEL_PG_URL") else {
                eprintln!("HIKARI_FUNNEL_PG_URL unset: skipping the PostgreSQL run");
                return None;
            };
            let schema = unique("funnel_app");
            let admin = PgStore::connect(&url, Some(&schema)).await.expect("connect postgres");
            (Arc::new(PgStore::connect(&url, Some(&schema)).await.expect("connect postgres")), Some(admin))
        }
    };
    let told = Arc::new(std::sync::Mutex::new(Vec::new()));
    let hook = told.clone();
    let on_stored: hikari_funnel_app::OnStored = Arc::new(move |e| hook.lock().expect("lock").push(e.name.to_string()));
    let (app, background) = App::start(store.clone(), Duration::from_secs(3600), on_stored);
    Some(Fixture { app, background, store, dir, pg, told })
}

impl Fixture {
    async fn finish(self) {
        self.background.shutdown().await;
        cleanup(self.dir, self.pg).await;
    }

    /// Funnel `webinar`: an opt-in step with an email form, then a thank-you step.
    async fn funnel(&self) {
        let s = &*self.store;
        let f = s.create_funnel(&NewFunnel { slug: "webinar".parse().expect("slug"), name: "Webinar".into(), locale: None }, 1).await.expect("funnel");
        for (slug, kind) in [("optin", StepKind::Optin), ("thanks", StepKind::Thankyou)] {
            let new = NewStep { slug: slug.parse().expect("slug"), name: slug.into(), kind, redirect_url: None };
            let step = s.create_step(f.id, &new, 1).await.expect("step");
            let page = serde_json::json!({"sections": [{"id": "s", "columns": [{"id": "c", "blocks": [
                {"id": "h", "type": "heading", "text": slug},
                {"id": "form", "type": "form", "fields": [{"name": "email", "type": "email", "required": true}, {"name": "topic", "type": "text"}]}]}]}]});
            let draft = PageDraft { page: serde_json::from_value(page).expect("page"), css: String::new() };
            s.save_page(step.id, &draft, 1, 2).await.expect("save");
            s.publish_page(step.id, 2, 3).await.expect("publish");
        }
    }
}

async fn cleanup(dir: PathBuf, pg: Option<PgStore>) {
    if let Some(pg) = pg {
        pg.drop_schema().await.expect("drop schema");
    }
    let _ = std::fs::remove_dir_all(dir);
}

fn visit(n: u64) -> Visit {
    Visit {
        visitor: format!("{n:032x}").parse().expect("visitor"),
        session: format!("{:032x}", n + 1),
        utm_first: Utm::default(),
        utm_last: Utm::default(),
        bot: false,
    }
}

fn fields(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect()
}

async fn events(store: &dyn Store, name: &str) -> usize {
    let q = EventQuery { name: Some(name.into()), limit: 10_000, ..EventQuery::default() };
    store.events(&q).await.expect("events").len()
}

#[tokio::test]
async fn submit_on_sqlite() {
    submit_stores_the_lead_and_the_contact_and_routes_to_the_next_step(Backend::Sqlite).await;
}

#[tokio::test]
async fn submit_on_postgres() {
    submit_stores_the_lead_and_the_contact_and_routes_to_the_next_step(Backend::Postgres).await;
}

async fn submit_stores_the_lead_and_the_contact_and_routes_to_the_next_step(backend: Backend) {
    let Some(fx) = fixture(backend).await else { return };
    fx.funnel().await;
    let t = fx.app.target("webinar", "optin").await.expect("target").expect("published");
    let now = 1_700_000_000_000;

    let ok = fields(&[("_form", "form"), ("email", "Ann@Example.com"), ("topic", "rust")]);
    match fx.app.submit(&t, &visit(1), &ok, now).await.expect("submit") {
        Submitted::Next { location } => assert_eq!(location, "/f/webinar/thanks"),
        other => panic!("expected a redirect, got {other:?}"),
    }
    // The same lead again the same day: the contact merges, the lead counts once.
    fx.app.submit(&t, &visit(1), &ok, now + 1000).await.expect("again");
    let contacts = fx.app.records.contacts(10, 0).await.expect("contacts");
    assert_eq!(contacts.len(), 1);
    assert_eq!(contacts[0].email.as_str(), "ann@example.com");
    assert!(contacts[0].labels.contains(&"funnel:webinar".to_string()));
    assert_eq!(events(&*fx.store, "generate_lead").await, 1);
    let lead = &fx.app.records.events(&EventQuery { name: Some("generate_lead".into()), limit: 1, ..EventQuery::default() }).await.expect("lead")[0];
    assert_eq!(lead.props["fields"]["topic"], "rust");
    assert!(lead.props["fields"].get("email").is_none(), "no PII in props");

    let bad = fields(&[("_form", "form"), ("email", "not an email")]);
    match fx.app.submit(&t, &visit(2), &bad, now).await.expect("submit") {
        Submitted::Invalid { arm, form, errors } => {
            assert_eq!((arm, form.as_str()), (None, "form"));
            assert_eq!(errors[0].field, "email");
        }
        other => panic!("expected field errors, got {other:?}"),
    }
    assert!(matches!(fx.app.submit(&t, &visit(3), &fields(&[("_form", "nope")]), now).await.expect("submit"), Submitted::UnknownForm));
    // A filled honeypot: the normal redirect, nothing kept.
    let bot = fields(&[("_form", "form"), ("email", "bot@example.com"), ("_hp", "x")]);
    assert!(matches!(fx.app.submit(&t, &visit(4), &bot, now).await.expect("submit"), Submitted::Next { .. }));
    assert_eq!(fx.app.records.contacts(10, 0).await.expect("contacts").len(), 1);
    assert_eq!(events(&*fx.store, "generate_lead").await, 1);
    fx.finish().await;
}

#[tokio::test]
async fn drain_on_sqlite() {
    events_queued_before_shutdown_are_all_stored_after_it(Backend::Sqlite).await;
}

#[tokio::test]
async fn drain_on_postgres() {
    events_queued_before_shutdown_are_all_stored_after_it(Backend::Postgres).await;
}

async fn events_queued_before_shutdown_are_all_stored_after_it(backend: Backend) {
    let Some(fx) = fixture(backend).await else { return };
    // 3000 page views wait for their commit at once (3000 < the queue's 8192): one yield on
    // this single-threaded runtime lets every one of them queue, then shutdown comes while
    // the writer has at most its first batch in hand.
    let v = visit(7);
    let waiting: Vec<_> = (0..3000)
        .map(|i| {
            tokio::spawn({
                let events = fx.app.events.clone();
                let e = v.event(EventName::page_view(), i);
                async move { events.record(e).await }
            })
        })
        .collect();
    tokio::task::yield_now().await;
    let Fixture { app, background, store, dir, pg, told } = fx;
    background.shutdown().await;
    for w in waiting {
        w.await.expect("join").expect("each view is acknowledged as stored");
    }
    assert_eq!(events(&*store, "page_view").await, 3000);
    assert_eq!(told.lock().expect("lock").len(), 3000, "each stored event is told once");
    // After shutdown the queue is closed; an event is written directly.
    app.events.record(v.event(EventName::page_view(), 3000)).await.expect("direct");
    assert_eq!(events(&*store, "page_view").await, 3001);
    cleanup(dir, pg).await;
}

#[tokio::test]
async fn a_page_view_is_recorded_through_the_writer() {
    let Some(fx) = fixture(Backend::Sqlite).await else { return };
    fx.funnel().await;
    let t = fx.app.target("webinar", "optin").await.expect("target").expect("published");
    assert!(fx.app.target("webinar", "missing").await.expect("target").is_none());
    assert_eq!(fx.app.view(&t, &visit(9), 5).await.expect("view"), None);
    // The view is committed when `view` returns, and the app has said so.
    assert_eq!(events(&*fx.store, "page_view").await, 1);
    assert_eq!(*fx.told.lock().expect("lock"), vec!["page_view".to_owned()]);
    fx.background.shutdown().await;
    let _ = std::fs::remove_dir_all(&fx.dir);
}
