//! Registering for a webinar through a `webinar_register` step's form: the contact is booked
//! on the chosen (or next) session with one `webinar_registered` event, the thank-you step
//! gets the personal key, a second registration keeps the first link, and what cannot be
//! booked is refused.

use super::{Backend, Fixture, events, fields, fixture, visit};
use hikari_funnel::{NewFunnel, NewStep, PageDraft, StepKind};
use hikari_funnel_app::Submitted;
use hikari_webinar::{NewWebinar, Schedule, Zone};

/// 2023-11-14 22:13:20 UTC; sessions every 15 minutes on the clock.
const NOW: i64 = 1_700_000_000_000;
const QUARTER: i64 = 15 * 60_000;

impl Fixture {
    /// Funnel `seminar`: a registration step (email form), then a thank-you step; with a
    /// just-in-time webinar when `webinar` is set.
    async fn seminar(&self, webinar: bool) {
        let s = &*self.store;
        let f = s.create_funnel(&NewFunnel { slug: "seminar".parse().expect("slug"), name: "Seminar".into(), locale: None }, 1).await.expect("funnel");
        for (slug, kind, field) in
            [("register", StepKind::WebinarRegister, "email"), ("thanks", StepKind::Thankyou, "email"), ("nomail", StepKind::WebinarRegister, "name")]
        {
            let new = NewStep { slug: slug.parse().expect("slug"), name: slug.into(), kind, redirect_url: None };
            let step = s.create_step(f.id, &new, 1).await.expect("step");
            let page = serde_json::json!({"sections": [{"id": "s", "columns": [{"id": "c", "blocks": [
                {"id": "form", "type": "form", "fields": [{"name": field, "type": if field == "email" { "email" } else { "text" }, "required": true}]}]}]}]});
            let draft = PageDraft { page: serde_json::from_value(page).expect("page"), css: String::new() };
            s.save_page(step.id, &draft, 1, 2).await.expect("save");
            s.publish_page(step.id, 2, 3).await.expect("publish");
        }
        if webinar {
            let new = NewWebinar {
                funnel: f.id,
                title: "Live".into(),
                time_zone: Zone::default(),
                duration_minutes: 45,
                schedule: Schedule::JustInTime { every_minutes: 15, lead_minutes: 0 },
                reminders: hikari_webinar::default_reminders(),
            };
            self.app.webinars.create(&new).await.expect("webinar");
        }
    }
}

#[tokio::test]
async fn registration_on_sqlite() {
    registration_books_a_session_and_the_thank_you_step_gets_the_key(Backend::Sqlite).await;
}

#[tokio::test]
async fn registration_on_postgres() {
    registration_books_a_session_and_the_thank_you_step_gets_the_key(Backend::Postgres).await;
}

async fn registration_books_a_session_and_the_thank_you_step_gets_the_key(backend: Backend) {
    let Some(fx) = fixture(backend).await else { return };
    fx.seminar(true).await;
    let t = fx.app.target("seminar", "register").await.expect("target").expect("published");
    let next_quarter = (NOW / QUARTER + 1) * QUARTER;

    let form = fields(&[("_form", "form"), ("email", "hanako@example.jp")]);
    let Submitted::Next { location } = fx.app.submit(&t, &visit(1), &form, NOW).await.expect("submit") else { panic!("expected a redirect") };
    let key = location.strip_prefix("/f/seminar/thanks?r=").expect("the thank-you step with the key");
    let ticket = fx.app.webinars.ticket(key).await.expect("ticket").expect("issued");
    assert_eq!(ticket.session.starts_at, next_quarter, "the next session");
    assert_eq!((ticket.webinar.title.as_str(), ticket.registrant.visitor.as_deref()), ("Live", Some(format!("{:032x}", 1).as_str())));
    assert_eq!(events(&*fx.store, "webinar_registered").await, 1);
    assert_eq!(events(&*fx.store, "sign_up").await, 1);
    let told = |fx: &Fixture| fx.told.lock().expect("lock").iter().filter(|n| *n == "webinar_registered").count();
    assert_eq!(told(&fx), 1, "the event bus hears of the registration");

    // Again, for the same session: the same link, no second event.
    let Submitted::Next { location: again } = fx.app.submit(&t, &visit(1), &form, NOW + 1).await.expect("again") else { panic!("expected a redirect") };
    assert_eq!(again, location);
    assert_eq!(events(&*fx.store, "webinar_registered").await, 1);
    assert_eq!(told(&fx), 1, "and only once");

    // A chosen start must be one on offer.
    let later = fields(&[("_form", "form"), ("email", "taro@example.jp"), ("session", &(next_quarter + 2 * QUARTER).to_string())]);
    let Submitted::Next { location } = fx.app.submit(&t, &visit(2), &later, NOW).await.expect("chosen") else { panic!("expected a redirect") };
    let chosen = fx.app.webinars.ticket(location.rsplit('=').next().expect("key")).await.expect("ticket").expect("issued");
    assert_eq!(chosen.session.starts_at, next_quarter + 2 * QUARTER);
    assert_ne!(chosen.registrant.join_key, ticket.registrant.join_key);
    let contacts = fx.app.records.contacts(100, 0).await.expect("contacts").len();
    for bad in ["12345", "soon", &(next_quarter + 1).to_string()] {
        let form = fields(&[("_form", "form"), ("email", "jiro@example.jp"), ("session", bad)]);
        match fx.app.submit(&t, &visit(3), &form, NOW).await.expect("submit") {
            Submitted::Invalid { errors, .. } => assert_eq!(errors[0].field, "session", "{bad:?}"),
            other => panic!("{bad:?} booked: {other:?}"),
        }
    }
    assert_eq!(fx.app.records.contacts(100, 0).await.expect("contacts").len(), contacts, "a refused registration stores nothing");
    // A registration form without an email books nobody and says so.
    let t2 = fx.app.target("seminar", "nomail").await.expect("target").expect("published");
    match fx.app.submit(&t2, &visit(4), &fields(&[("_form", "form"), ("name", "Jiro")]), NOW).await.expect("submit") {
        Submitted::Invalid { errors, .. } => assert_eq!(errors[0].field, "email"),
        other => panic!("expected the email to be asked for, got {other:?}"),
    }
    // Keys that are not issued open nothing.
    for bad in ["", "0".repeat(32).as_str(), "not a key", &key.to_uppercase()] {
        assert!(fx.app.webinars.ticket(bad).await.expect("lookup").is_none(), "{bad:?} opened a ticket");
    }
    fx.finish().await;
}

#[tokio::test]
async fn a_register_step_without_a_webinar_is_a_plain_form() {
    let Some(fx) = fixture(Backend::Sqlite).await else { return };
    fx.seminar(false).await;
    let t = fx.app.target("seminar", "register").await.expect("target").expect("published");
    let form = fields(&[("_form", "form"), ("email", "hanako@example.jp")]);
    let Submitted::Next { location } = fx.app.submit(&t, &visit(1), &form, NOW).await.expect("submit") else { panic!("expected a redirect") };
    assert_eq!(location, "/f/seminar/thanks");
    assert_eq!(events(&*fx.store, "webinar_registered").await, 0);
    fx.finish().await;
}
