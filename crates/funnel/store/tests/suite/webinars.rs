//! The webinars part of the contract: one webinar per funnel, validated; one session (and
//! room) per start; one registrant per (session, contact) with a stable join key, booked with
//! its event in one transaction; deletions that cascade or refuse.

use super::{event, unique};
use hikari_funnel::{ContactUpsert, Email, NewFunnel, Utm};
use hikari_funnel_store::{EventQuery, Store, StoreError};
use hikari_webinar::{JoinKey, NewRegistrant, NewWebinar, Schedule, Session};

fn registration(session: hikari_webinar::SessionId, contact: hikari_funnel::ContactId, key: u8) -> NewRegistrant {
    NewRegistrant {
        session,
        contact,
        join_key: JoinKey::from_random([key; 16]),
        visitor: Some(super::VISITOR.into()),
        variant: Some("B".into()),
        utm: Utm { source: Some("line".into()), ..Utm::default() },
        now: 50,
    }
}

pub async fn webinars(s: &dyn Store) {
    let slug = unique("web").replace('_', "-");
    let f = s.create_funnel(&NewFunnel { slug: slug[..slug.len().min(60)].parse().expect("slug"), name: "W".into(), locale: None }, 1).await.expect("funnel");
    let new = NewWebinar {
        funnel: f.id,
        title: " 春のセミナー ".into(),
        time_zone: "Asia/Tokyo".parse().expect("zone"),
        duration_minutes: 90,
        schedule: Schedule::OneOff,
        reminders: hikari_webinar::default_reminders(),
    };
    let w = s.create_webinar(&new, 5).await.expect("webinar");
    assert_eq!((w.title.as_str(), w.time_zone.name(), w.duration_minutes, w.created_at), ("春のセミナー", "Asia/Tokyo", 90, 5));
    assert!(matches!(s.create_webinar(&new, 6).await, Err(StoreError::Conflict(m)) if m.contains("already has a webinar")));
    assert!(matches!(s.create_webinar(&NewWebinar { title: String::new(), ..new.clone() }, 6).await, Err(StoreError::Invalid(_))));
    assert!(matches!(s.create_webinar(&NewWebinar { funnel: hikari_funnel::FunnelId(i64::MAX), ..new.clone() }, 6).await, Err(StoreError::NotFound(_))));
    assert_eq!(s.funnel_webinar(f.id).await.expect("lookup").map(|x| x.id), Some(w.id));
    assert!(s.webinars().await.expect("list").iter().any(|x| x.id == w.id));
    let weekly: Schedule =
        serde_json::from_value(serde_json::json!({ "kind": "weekly", "slots": [{ "weekday": "thursday", "time": "20:00" }] })).expect("schedule");
    let w = s.update_webinar(w.id, &NewWebinar { schedule: weekly.clone(), ..new.clone() }).await.expect("update");
    assert_eq!((w.schedule.clone(), s.webinar(w.id).await.expect("get").schedule), (weekly.clone(), weekly.clone()));
    assert_eq!(w.reminders, hikari_webinar::default_reminders());
    // Reminders: stored in time order; a bad schedule is refused.
    use hikari_webinar::Reminder;
    let mine = vec![Reminder::Live, Reminder::Before { minutes: 30 }, Reminder::Replay { minutes: 0 }];
    let w = s.update_webinar(w.id, &NewWebinar { reminders: mine, schedule: weekly.clone(), ..new.clone() }).await.expect("reminders");
    let ordered = [Reminder::Before { minutes: 30 }, Reminder::Live, Reminder::Replay { minutes: 0 }];
    assert_eq!((w.reminders.as_slice(), s.webinar(w.id).await.expect("get").reminders.as_slice()), (&ordered[..], &ordered[..]));
    let twice = NewWebinar { reminders: vec![Reminder::Live, Reminder::Live], schedule: weekly.clone(), ..new.clone() };
    assert!(matches!(s.update_webinar(w.id, &twice).await, Err(StoreError::Invalid(_))));

    // Sessions: one per start, each with its own room, created once.
    let a = s.webinar_session_at(w.id, 1_000).await.expect("session");
    assert_eq!(s.webinar_session_at(w.id, 1_000).await.expect("again"), a);
    assert_eq!(a.room, Session::room_for(w.id, 1_000));
    let b = s.webinar_session_at(w.id, 500).await.expect("session");
    assert_eq!(s.webinar_sessions(w.id).await.expect("sessions").iter().map(|x| x.starts_at).collect::<Vec<_>>(), [500, 1_000]);
    assert_eq!(s.webinar_session(b.id).await.expect("one"), b);

    // Registration: the event in the same transaction; a second booking keeps the first key.
    let up = |email: &str| ContactUpsert {
        email: Email::parse(email).expect("email"),
        name: None,
        phone: None,
        labels: vec![],
        consents: vec![],
        visitor: None,
        utm_first: Utm::default(),
        utm_last: Utm::default(),
        now: 40,
    };
    let hanako = s.record_submission(&up(&format!("{slug}-h@example.jp")), vec![]).await.expect("contact");
    let ev = event(&format!("{:032x}", 7), 50, super::VISITOR, "webinar_registered");
    let (r, created) = s.register(&registration(a.id, hanako.id, 1), &ev).await.expect("register");
    assert!(created);
    assert_eq!((r.webinar, r.session, r.contact, r.variant.as_deref(), r.utm.source.as_deref()), (w.id, a.id, hanako.id, Some("B"), Some("line")));
    let (again, created) =
        s.register(&registration(a.id, hanako.id, 2), &event(&format!("{:032x}", 8), 60, super::VISITOR, "webinar_registered")).await.expect("again");
    assert!(!created);
    assert_eq!(again.join_key, r.join_key, "the first link stays valid");
    let stored = s.events(&EventQuery { contact: Some(hanako.id), limit: 10, ..Default::default() }).await.expect("events");
    assert_eq!(stored.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["webinar_registered"], "one event, with the contact set");
    assert_eq!(s.registrant_by_key(&r.join_key).await.expect("by key"), Some(r.clone()));
    assert_eq!(s.registrant_by_key(&JoinKey::from_random([9; 16])).await.expect("unknown"), None);
    // Another session of the same webinar is another registration.
    let (other, created) =
        s.register(&registration(b.id, hanako.id, 3), &event(&format!("{:032x}", 9), 70, super::VISITOR, "webinar_registered")).await.expect("b");
    assert!(created && other.id != r.id);
    assert_eq!(s.registrants(w.id, 10, 0).await.expect("registrants").iter().map(|x| x.id).collect::<Vec<_>>(), [other.id, r.id]);
    assert!(matches!(s.register(&registration(hikari_webinar::SessionId(i64::MAX), hanako.id, 4), &ev).await, Err(StoreError::NotFound(_))));

    // A session's life: forwards only; going live and ending are timed once.
    use hikari_webinar::{Attendance, Presence, SessionState};
    assert_eq!((a.state, a.live_at, a.ended_at), (SessionState::Scheduled, None, None));
    let live = s.set_session_state(a.id, SessionState::Live, 900).await.expect("live");
    assert_eq!((live.state, live.live_at), (SessionState::Live, Some(900)));
    assert_eq!(s.set_session_state(a.id, SessionState::Live, 950).await.expect("again").live_at, Some(900), "a repeated click changes nothing");
    assert!(matches!(s.set_session_state(a.id, SessionState::Backstage, 960).await, Err(StoreError::Invalid(_))));
    assert!(matches!(s.set_session_state(hikari_webinar::SessionId(i64::MAX), SessionState::Live, 1).await, Err(StoreError::NotFound(_))));

    // Attendance: a stay is stored with its event, and only over the attendance it started from.
    assert_eq!(r.attendance, Attendance::default());
    let (joined, _) = r.attendance.apply(Presence::Joined, 1_000).expect("join");
    let presence = |n: u32, ts: i64, name: &str| hikari_funnel::Event { contact: Some(hanako.id), ..event(&format!("{n:032x}"), ts, super::VISITOR, name) };
    let ev = presence(10, 1_000, "webinar_joined");
    assert!(s.record_presence(r.id, &r.attendance, &joined, &ev).await.expect("joined"));
    assert!(!s.record_presence(r.id, &r.attendance, &joined, &presence(11, 1_000, "webinar_joined")).await.expect("stale"));
    let (left, stay) = joined.apply(Presence::Left, 61_000).expect("leave");
    assert!(s.record_presence(r.id, &joined, &left, &presence(12, 61_000, "webinar_left")).await.expect("left"));
    let now = s.registrant(r.id).await.expect("registrant");
    assert_eq!((stay, now.attendance), (60_000, Attendance { first_joined_at: Some(1_000), in_room_since: None, watched_ms: 60_000 }));
    let names = s.events(&EventQuery { contact: Some(hanako.id), limit: 10, ..Default::default() }).await.expect("events");
    assert_eq!(
        names.iter().filter(|e| e.name.as_str() != "webinar_registered").map(|e| (e.name.as_str(), e.ts)).collect::<Vec<_>>(),
        [("webinar_left", 61_000), ("webinar_joined", 1_000)],
        "the stale change stored nothing"
    );
    assert!(matches!(s.registrant(hikari_webinar::RegistrantId(i64::MAX)).await, Err(StoreError::NotFound(_))));
    // What people say: stored in order with its event; moderation changes only what it names.
    use hikari_webinar::{Author, MessageKind, Moderation, PostedMessage};
    let said =
        |text: &str, author: Author, kind: MessageKind, at: i64| PostedMessage { session: a.id, author, name: "花子".into(), kind, text: text.into(), at };
    let hi =
        s.post_message(&said("こんにちは", Author::Attendee(r.id), MessageKind::Chat, 1_100), Some(&presence(13, 1_100, "chat_message"))).await.expect("chat");
    let q = s.post_message(&said("価格は？", Author::Attendee(r.id), MessageKind::Question, 1_200), None).await.expect("question");
    let host = s.post_message(&said("ようこそ", Author::Host(hikari_funnel::UserId(1)), MessageKind::Chat, 1_300), None).await.expect("host");
    assert_eq!((hi.author, hi.kind, hi.hidden, host.author), (Author::Attendee(r.id), MessageKind::Chat, false, Author::Host(hikari_funnel::UserId(1))));
    assert_eq!(s.messages(a.id, 10).await.expect("all").iter().map(|m| m.id).collect::<Vec<_>>(), [hi.id, q.id, host.id]);
    assert_eq!(s.messages(a.id, 2).await.expect("latest").iter().map(|m| m.id).collect::<Vec<_>>(), [q.id, host.id], "the latest, oldest first");
    let q = s.moderate_message(q.id, &Moderation { answered: Some(true), ..Default::default() }).await.expect("answer");
    assert!(q.answered && !q.hidden && !q.highlighted);
    let q = s.moderate_message(q.id, &Moderation { hidden: Some(true), highlighted: Some(true), ..Default::default() }).await.expect("hide");
    assert!(q.answered && q.hidden && q.highlighted);
    assert!(matches!(s.moderate_message(hikari_webinar::MessageId(i64::MAX), &Moderation::default()).await, Err(StoreError::NotFound(_))));
    // Polls: drafted, opened one at a time, one vote per registrant, counted per option.
    use hikari_webinar::{NewPoll, PollState};
    let new_poll = NewPoll { question: "目的は？".into(), options: vec!["集客".into(), "売上".into(), "学び".into()] };
    let p1 = s.create_poll(a.id, &new_poll, 1_400).await.expect("poll");
    let p2 = s.create_poll(a.id, &NewPoll { question: "次回も？".into(), options: vec!["はい".into(), "いいえ".into()] }, 1_410).await.expect("poll 2");
    assert_eq!((p1.state, p1.votes.clone()), (PollState::Draft, vec![0, 0, 0]));
    assert!(matches!(s.create_poll(a.id, &NewPoll { options: vec!["x".into()], ..new_poll.clone() }, 1).await, Err(StoreError::Invalid(_))));
    assert_eq!(s.set_poll_state(p1.id, PollState::Open).await.expect("open").state, PollState::Open);
    assert!(matches!(s.set_poll_state(p2.id, PollState::Open).await, Err(StoreError::Conflict(m)) if m.contains("one open poll")));
    assert!(s.vote(p1.id, r.id, 1, 1_500, &presence(14, 1_500, "poll_voted")).await.expect("vote"));
    assert!(!s.vote(p1.id, r.id, 0, 1_600, &presence(15, 1_600, "poll_voted")).await.expect("again"), "one vote per registrant");
    assert!(s.vote(p1.id, other.id, 1, 1_700, &presence(16, 1_700, "poll_voted")).await.expect("another registrant"));
    let polls = s.polls(a.id).await.expect("polls");
    assert_eq!(polls.iter().map(|p| (p.id, p.votes.clone())).collect::<Vec<_>>(), [(p1.id, vec![0, 2, 0]), (p2.id, vec![0, 0])]);
    assert_eq!(s.votes_of(a.id, r.id).await.expect("mine"), [(p1.id, 1)]);
    assert_eq!(s.set_poll_state(p1.id, PollState::Closed).await.expect("close").state, PollState::Closed);
    assert!(matches!(s.set_poll_state(p1.id, PollState::Open).await, Err(StoreError::Invalid(_))));
    assert_eq!(s.set_poll_state(p2.id, PollState::Open).await.expect("now p2").state, PollState::Open);
    // Offers: one pinned per session.
    use hikari_webinar::NewOffer;
    let new_offer = NewOffer { title: "本講座".into(), price: "¥29,800".into(), url: "/f/sale/checkout".into(), ends_at: Some(9_000), stock: Some(5) };
    let o1 = s.create_offer(a.id, &new_offer, 1_800).await.expect("offer");
    let o2 = s.create_offer(a.id, &NewOffer { title: "特典付き".into(), stock: None, ..new_offer.clone() }, 1_810).await.expect("offer 2");
    assert_eq!((o1.pinned, o1.stock, o1.ends_at, o2.stock), (false, Some(5), Some(9_000), None));
    assert!(matches!(s.create_offer(a.id, &NewOffer { url: "//evil.example".into(), ..new_offer.clone() }, 1).await, Err(StoreError::Invalid(_))));
    assert_eq!(s.pin_offer(o1.id, true).await.expect("pin").iter().map(|o| (o.id, o.pinned)).collect::<Vec<_>>(), [(o1.id, true)]);
    let mut changed = s.pin_offer(o2.id, true).await.expect("pin 2").iter().map(|o| (o.id, o.pinned)).collect::<Vec<_>>();
    changed.sort();
    assert_eq!(changed, [(o1.id, false), (o2.id, true)], "pinning one unpins the other");
    assert_eq!(s.offers(a.id).await.expect("offers").iter().filter(|o| o.pinned).count(), 1);
    assert_eq!(s.pin_offer(o2.id, false).await.expect("unpin").iter().map(|o| o.pinned).collect::<Vec<_>>(), [false]);
    assert!(matches!(s.pin_offer(hikari_webinar::OfferId(i64::MAX), true).await, Err(StoreError::NotFound(_))));
    let ended = s.set_session_state(a.id, SessionState::Ended, 2_000).await.expect("end");
    assert_eq!((ended.state, ended.live_at, ended.ended_at), (SessionState::Ended, Some(900), Some(2_000)));
    assert!(matches!(s.set_session_state(a.id, SessionState::Live, 2_100).await, Err(StoreError::Invalid(_))));

    // A booked session stays; an empty one goes; the webinar takes its sessions and registrants along.
    assert!(matches!(s.delete_webinar_session(a.id).await, Err(StoreError::Conflict(_))));
    let empty = s.webinar_session_at(w.id, 2_000).await.expect("session");
    s.delete_webinar_session(empty.id).await.expect("delete empty");
    assert!(matches!(s.webinar_session(empty.id).await, Err(StoreError::NotFound(_))));
    s.delete_webinar(w.id).await.expect("delete");
    assert!(matches!(s.webinar(w.id).await, Err(StoreError::NotFound(_))));
    assert_eq!(s.registrant_by_key(&r.join_key).await.expect("gone"), None);
    assert_eq!(s.events(&EventQuery { contact: Some(hanako.id), limit: 10, ..Default::default() }).await.expect("events").len(), 7, "events stay");
}
