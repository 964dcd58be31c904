//! The experiments part of the contract: validation, one live experiment per step, sticky
//! assignments that survive weight changes, the end of a test, and the per-arm sufficient
//! statistics computed in SQL.

use super::{event, unique};
use hikari_funnel::{
    Arm, ExperimentId, Goal, NewExperiment, NewFunnel, NewStep, StepKind, VisitorId,
    experiment::{Mode, Status},
};
use hikari_funnel_store::{Store, StoreError};

fn arm(name: &str, weight: f64, page: Option<hikari_funnel::StepId>) -> Arm {
    Arm { name: name.into(), weight, page, next: None }
}

fn visitor(i: usize) -> VisitorId {
    format!("{i:032x}").parse().expect("visitor id")
}

pub async fn experiments(s: &dyn Store) {
    let slug = unique("exp").replace('_', "-");
    let f = s.create_funnel(&NewFunnel { slug: slug[..slug.len().min(60)].parse().expect("slug"), name: "E".into(), locale: None }, 1).await.expect("funnel");
    let step = |slug: &str| NewStep { slug: slug.parse().expect("slug"), name: slug.into(), kind: StepKind::Optin, redirect_url: None };
    let a = s.create_step(f.id, &step("optin"), 1).await.expect("step");
    let b = s.create_step(f.id, &step("optin-b"), 1).await.expect("step");
    let other = s
        .create_funnel(&NewFunnel { slug: format!("o{}", &slug[..slug.len().min(50)]).parse().expect("slug"), name: "O".into(), locale: None }, 1)
        .await
        .expect("funnel");
    let foreign = s.create_step(other.id, &step("x"), 1).await.expect("step");

    let goal = Goal::Conversion { event: "generate_lead".parse().expect("name"), window_hours: 1, min_value: None };
    let new = NewExperiment {
        name: " Headline ".into(),
        step: a.id,
        arms: vec![arm("A", 2.0, None), arm("B", 2.0, Some(b.id))],
        goal: goal.clone(),
        mode: Mode::Split,
        auto_winner: true,
        min_units_per_arm: 100,
    };
    // Refusals: a step or an arm page from another funnel, bad weights, an unknown funnel.
    for bad in [
        NewExperiment { step: foreign.id, ..new.clone() },
        NewExperiment { arms: vec![arm("A", 1.0, None), arm("B", 1.0, Some(foreign.id))], ..new.clone() },
        NewExperiment { arms: vec![arm("A", -1.0, None), arm("B", 1.0, None)], ..new.clone() },
        NewExperiment { arms: vec![arm("A", 1.0, None)], ..new.clone() },
    ] {
        assert!(matches!(s.create_experiment(f.id, &bad, 2).await, Err(StoreError::Invalid(_))), "{bad:?}");
    }
    assert!(matches!(s.create_experiment(hikari_funnel::FunnelId(i64::MAX), &new, 2).await, Err(StoreError::NotFound(_))));

    let e = s.create_experiment(f.id, &new, 2).await.expect("create");
    assert_eq!((e.name.as_str(), e.status, e.weights()), ("Headline", Status::Running, vec![0.5, 0.5]));
    assert!(matches!(s.create_experiment(f.id, &new, 3).await, Err(StoreError::Conflict(_))), "one live experiment per step");
    assert_eq!(s.live_experiment(a.id).await.expect("live").map(|x| x.id), Some(e.id));
    assert_eq!(s.experiments(f.id).await.expect("list").len(), 1);
    assert_eq!(s.running_experiments().await.expect("running").iter().filter(|x| x.id == e.id).count(), 1);

    // Sticky: the first stored arm wins, whatever a later call proposes.
    let v0 = visitor(0);
    assert_eq!(s.assign_visitor(e.id, &v0, 1, 10).await.expect("assign"), 1);
    assert_eq!(s.assign_visitor(e.id, &v0, 0, 11).await.expect("assign"), 1);
    assert_eq!(s.assignment(e.id, &v0).await.expect("get"), Some(1));
    assert_eq!(s.assignment(e.id, &visitor(999_999)).await.expect("get"), None);

    // Weights: a mismatch is refused; a change moves no assigned visitor.
    assert!(matches!(s.update_experiment(e.id, Some(&[1.0]), None).await, Err(StoreError::Invalid(_))));
    assert!(matches!(s.update_experiment(e.id, Some(&[0.0, 0.0]), None).await, Err(StoreError::Invalid(_))));
    assert!(matches!(s.update_experiment(ExperimentId(i64::MAX), None, None).await, Err(StoreError::NotFound(_))));
    let seed = e.seed();
    let before = [0.5, 0.5];
    let after = [0.1, 0.9];
    let mut moved_by_hash = 0;
    for i in 1..=300 {
        let v = visitor(i);
        let first = hikari_stats::assign(&seed, v.as_str(), &before);
        assert_eq!(s.assign_visitor(e.id, &v, first, 20).await.expect("assign"), first);
    }
    let e2 = s.update_experiment(e.id, Some(&after), Some(false)).await.expect("reweight");
    assert_eq!((e2.weights(), e2.auto_winner), (after.to_vec(), false));
    for i in 1..=300 {
        let v = visitor(i);
        let first = hikari_stats::assign(&seed, v.as_str(), &before);
        let proposed = hikari_stats::assign(&seed, v.as_str(), &after);
        moved_by_hash += usize::from(proposed != first);
        assert_eq!(s.assign_visitor(e.id, &v, proposed, 30).await.expect("assign"), first, "visitor {i} moved");
    }
    assert!(moved_by_hash > 50, "the new weights would move {moved_by_hash} visitors without the sticky record");

    // Statistics from the event log: visitor 0 (arm 1, assigned at 10) converts inside the
    // 1 h window; visitor 1 converts after it; a bot's lead and other names do not count.
    let hour = 3_600_000;
    let arm_of_1 = s.assignment(e.id, &visitor(1)).await.expect("get").expect("assigned");
    let mut late = event("late1", 20 + hour + 1, &visitor(1).to_string(), "generate_lead");
    late.props = serde_json::json!({});
    let mut bot = event("bot1", 30, &visitor(2).to_string(), "generate_lead");
    bot.bot = true;
    s.append_events(&[
        event("lead0", 10 + hour, &v0.to_string(), "generate_lead"),
        event("lead0b", 12, &v0.to_string(), "generate_lead"),
        late,
        bot,
        event("pv0", 12, &v0.to_string(), "page_view"),
    ])
    .await
    .expect("events");
    let days = s.arm_days(&e2).await.expect("stats");
    let total = |arm: usize| days.iter().filter(|d| d.arm == arm).fold((0, 0), |acc, d| (acc.0 + d.n, acc.1 + d.conversions));
    let (n0, n1) = (total(0).0, total(1).0);
    assert_eq!(n0 + n1, 301);
    assert_eq!(total(1).1, 1, "only visitor 0 converted (once, though with two leads)");
    assert_eq!(total(0).1, 0);
    let _ = arm_of_1;

    // A value goal: the sum and sum of squares of per-visitor `value`s.
    let mut value_exp = e2.clone();
    value_exp.goal = Goal::Value { event: "purchase".parse().expect("name"), window_hours: 1 };
    let mut p1 = event("buy1", 15, &v0.to_string(), "purchase");
    p1.props = serde_json::json!({ "value": 30.0, "currency": "JPY" });
    let mut p2 = event("buy2", 16, &v0.to_string(), "purchase");
    p2.props = serde_json::json!({ "value": 20 });
    let mut p3 = event("buy3", 17, &v0.to_string(), "purchase");
    p3.props = serde_json::json!({ "value": "lots" });
    s.append_events(&[p1, p2, p3]).await.expect("purchases");
    let days = s.arm_days(&value_exp).await.expect("stats");
    let arm1: Vec<_> = days.iter().filter(|d| d.arm == 1).collect();
    let sum: f64 = arm1.iter().map(|d| d.sum).sum();
    let squares: f64 = arm1.iter().map(|d| d.sum_squares).sum();
    assert_eq!((sum, squares), (50.0, 2500.0), "one visitor with 30 + 20");

    // A conversion with a least value ("watched 30 minutes"): visitor 0's stays add up to 35
    // minutes, visitor 1's to 20 (and one stay after the window does not count).
    let mut watched_exp = e2.clone();
    watched_exp.goal = Goal::Conversion { event: "webinar_left".parse().expect("name"), window_hours: 1, min_value: Some(30.0) };
    let left = |id: &str, ts: i64, v: &VisitorId, minutes: f64| {
        let mut e = event(id, ts, &v.to_string(), "webinar_left");
        e.props = serde_json::json!({ "value": minutes, "seconds": minutes * 60.0 });
        e
    };
    let v1 = visitor(1);
    s.append_events(&[left("w0a", 15, &v0, 20.0), left("w0b", 16, &v0, 15.0), left("w1a", 25, &v1, 20.0), left("w1b", 20 + hour + 5, &v1, 60.0)])
        .await
        .expect("stays");
    let days = s.arm_days(&watched_exp).await.expect("stats");
    let converted = |arm: usize| days.iter().filter(|d| d.arm == arm).map(|d| d.conversions).sum::<i64>();
    assert_eq!((converted(1), converted(0) + converted(1)), (1, 1), "only visitor 0 (arm 1) watched 30 minutes in the window");
    let mut any_stay = watched_exp.clone();
    any_stay.goal = Goal::Conversion { event: "webinar_left".parse().expect("name"), window_hours: 1, min_value: None };
    let days = s.arm_days(&any_stay).await.expect("stats");
    assert_eq!(days.iter().map(|d| d.conversions).sum::<i64>(), 2, "without a least value, any stay converts");

    // Ending: decided once, then only stopped; deleting drops it.
    let decided = s.end_experiment(e.id, Status::Decided, Some(1), &serde_json::json!({"decision": "winner"}), 40).await.expect("decide");
    assert_eq!((decided.status, decided.winner, decided.ended_at), (Status::Decided, Some(1), Some(40)));
    assert_eq!(decided.decision.as_ref().and_then(|d| d["decision"].as_str()), Some("winner"));
    assert_eq!(s.live_experiment(a.id).await.expect("live").map(|x| x.winner), Some(Some(1)));
    assert!(matches!(s.end_experiment(e.id, Status::Decided, Some(0), &serde_json::json!({}), 41).await, Err(StoreError::Conflict(_))));
    assert!(matches!(s.end_experiment(e.id, Status::Decided, Some(5), &serde_json::json!({}), 41).await, Err(StoreError::Invalid(_))));
    let stopped = s.end_experiment(e.id, Status::Stopped, None, &serde_json::json!({"by": "admin"}), 42).await.expect("stop");
    assert_eq!(stopped.status, Status::Stopped);
    assert!(s.live_experiment(a.id).await.expect("live").is_none());
    s.delete_experiment(e.id).await.expect("delete");
    assert!(matches!(s.experiment(e.id).await, Err(StoreError::NotFound(_))));
    assert!(matches!(s.delete_experiment(e.id).await, Err(StoreError::NotFound(_))));
}
