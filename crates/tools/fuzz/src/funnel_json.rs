//! The JSON bodies of the funnel API (`/api/v1/...`) and of the tracking beacon
//! (`/f/collect`), read the way the web layer reads them (`ApiJson`: a JSON value, NUL
//! characters refused, then the input type), then validated as the domain and the use
//! cases do before anything is stored. The first byte picks the body's type.
//!
//! Nothing may panic, and what passes validation keeps its promises: stored JSON (pages,
//! edge conditions) reads back equal, weights are normalised.

use hikari_funnel::experiment::normalise_weights;
use hikari_funnel::{EventId, EventName, Locale, NewEdge, NewExperiment, NewFunnel, NewStep, Page, PageDraft, StepId, Utm, VisitorId};
use hikari_funnel_app::collect::{MAX_EVENTS, MAX_PROPS_BYTES, NewEvent};
use hikari_funnel_app::results::{CompareInput, compare};
use hikari_funnel_app::{Change, Visit};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

// The web layer's private body types (crates/funnel/web/src/api/mod.rs, public/mod.rs),
// with the same fields.
#[derive(Deserialize)]
#[allow(dead_code)]
struct FunnelPatch {
    name: String,
    #[serde(default)]
    locale: Option<Locale>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Order {
    order: Vec<StepId>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct PageSave {
    version: i64,
    page: Page,
    #[serde(default)]
    css: String,
}

#[derive(Deserialize)]
struct Beacon {
    events: Vec<NewEvent>,
}

/// `ApiJson`: any JSON value first, strings with NUL refused, then the type.
fn api_json<T: DeserializeOwned>(body: &[u8]) -> Option<T> {
    let v: Value = serde_json::from_slice(body).ok()?;
    if has_nul(&v) {
        return None;
    }
    serde_json::from_value(v).ok()
}

fn has_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(a) => a.iter().any(has_nul),
        Value::Object(o) => o.iter().any(|(k, v)| k.contains('\0') || has_nul(v)),
        _ => false,
    }
}

fn assert_normalised(weights: &[f64]) {
    assert!(weights.iter().all(|w| w.is_finite() && *w >= 0.0), "weights {weights:?}");
    let sum: f64 = weights.iter().sum();
    assert!((sum - 1.0).abs() < 1e-9, "weights sum to {sum}");
}

/// What a JSON value of `T` reads back as, once stored.
fn stored<T: serde::Serialize + DeserializeOwned>(value: &T) -> T {
    let json = serde_json::to_string(value).expect("serialises");
    serde_json::from_str(&json).expect("reads back")
}

/// The checks of `hikari_funnel_app::collect::collect` that need no store.
fn beacon(batch: Vec<NewEvent>) {
    if batch.len() > MAX_EVENTS {
        return;
    }
    let visit = Visit {
        visitor: "0123456789abcdef0123456789abcdef".parse::<VisitorId>().expect("a visitor id"),
        session: "0123456789abcdef0123456789abcdef".into(),
        utm_first: Utm::default(),
        utm_last: Utm::default(),
        bot: false,
    };
    for e in batch {
        let Ok(name) = e.name.parse::<EventName>() else { return };
        if name.is_server_recorded() {
            return;
        }
        let mut ev = visit.event(name, 1_800_000_000_000);
        if let Some(id) = &e.id {
            let Ok(id) = EventId::from_client(id) else { return };
            assert!(id.is_from_client());
            ev.id = id;
        }
        if e.funnel.is_some() != e.step.is_some() {
            return;
        }
        if serde_json::to_vec(&e.props).map_or(0, |v| v.len()) > MAX_PROPS_BYTES {
            return;
        }
        ev.props = e.props.into();
        ev.funnel = e.funnel.map(hikari_funnel::FunnelId);
        ev.step = e.step.map(StepId);
        // The event as the store writes it reads back the same. Numbers in `props` may come
        // back a rounding apart (serde_json's default float parsing), so they are compared
        // by key only.
        let _ = ev.value();
        let mut back = stored(&ev);
        assert_eq!(back.props.as_object().map(|o| o.keys().collect::<Vec<_>>()), ev.props.as_object().map(|o| o.keys().collect::<Vec<_>>()));
        back.props = ev.props.clone();
        assert_eq!(back, ev, "an event reads back as stored");
    }
}

pub fn run(data: &[u8]) {
    let Some((&kind, body)) = data.split_first() else { return };
    match kind % 10 {
        0 => {
            if let Some(new) = api_json::<NewFunnel>(body)
                && new.validate().is_ok()
            {
                let n = new.name.trim().chars().count();
                assert!((1..=200).contains(&n));
            }
        }
        1 => {
            if let Some(new) = api_json::<NewStep>(body) {
                let _ = new.validate();
            }
        }
        2 => {
            if let Some(new) = api_json::<NewEdge>(body)
                && new.condition.validate().is_ok()
            {
                assert_eq!(stored(&new), new, "an edge reads back as saved");
            }
        }
        3 => {
            if let Some(save) = api_json::<PageSave>(body) {
                let draft = PageDraft { page: save.page, css: save.css };
                if draft.validate().is_ok() {
                    assert_eq!(stored(&draft), draft, "a page reads back as saved");
                    for b in draft.page.blocks() {
                        assert!(draft.page.form(&b.id).is_none_or(|f| f.validate_schema("form").is_ok()));
                    }
                }
            }
        }
        4 => {
            if let Some(mut new) = api_json::<NewExperiment>(body)
                && new.validate().is_ok()
            {
                assert_normalised(&new.arms.iter().map(|a| a.weight).collect::<Vec<_>>());
                let mut back = stored(&new);
                for (b, a) in back.arms.iter_mut().zip(&new.arms) {
                    assert!((b.weight - a.weight).abs() <= 1e-12, "a weight reads back as {} for {}", b.weight, a.weight);
                    b.weight = a.weight;
                }
                assert_eq!(back, new, "an experiment reads back as saved");
            }
        }
        5 => {
            if let Some(change) = api_json::<Change>(body)
                && let Some(w) = &change.weights
                && let Ok(normal) = normalise_weights(w)
            {
                assert_normalised(&normal);
            }
        }
        6 => {
            if let Some(input) = api_json::<CompareInput>(body)
                && let Ok(result) = compare(input)
            {
                serde_json::to_string(&result).expect("a comparison serialises");
            }
        }
        7 => {
            if let Some(b) = api_json::<Beacon>(body) {
                beacon(b.events);
            }
        }
        8 => {
            let _ = api_json::<FunnelPatch>(body);
        }
        _ => {
            let _ = api_json::<Order>(body);
        }
    }
}
