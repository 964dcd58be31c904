//! Visitor-facing routes: `/f/{funnel}/{step}` (page and form post), `/f/collect` (tracking
//! beacon) and the two scripts.

mod cache;
mod visit;

use crate::{
    FunnelError, assets,
    clock::now_ms,
    error::HtmlError,
    render::{self, PageView},
    state::AppState,
};
use axum::{
    Json, Router,
    extract::{Form, Path, Query, State, rejection::FormRejection},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
pub(crate) use cache::PageCache;
use hikari_funnel::{Consent, ContactUpsert, Edge, EventName, Funnel, Locale, Msg, PageDraft, RoutingContext, Slug, Step, next_step};
use serde::Deserialize;
use std::{collections::HashMap, sync::Arc};
pub(crate) use visit::{Visit, locale};

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/f/form.js", get(assets::form_js))
        .route("/f/t.js", get(assets::track_js))
        .route("/f/collect", post(collect))
        .route("/f/{funnel}/{step}", get(show).post(submit))
}

/// A funnel, one of its steps and the step's published page.
pub(crate) struct Target {
    funnel: Funnel,
    steps: Vec<Step>,
    step: Step,
    page: PageDraft,
    /// The step's live experiment and, per arm, its variant page (`None`: the step's own).
    experiment: Option<hikari_funnel::Experiment>,
    variants: Vec<Option<PageDraft>>,
}

impl Target {
    /// The page an arm serves (the step's own page without an experiment).
    fn page_of(&self, arm: Option<usize>) -> &PageDraft {
        arm.and_then(|a| self.variants.get(a)).and_then(Option::as_ref).unwrap_or(&self.page)
    }

    /// The arm's name, for the `variant` field of events.
    fn arm_name(&self, arm: Option<usize>) -> Option<String> {
        let e = self.experiment.as_ref()?;
        Some(e.arms.get(arm?)?.name.clone())
    }
}

async fn target(st: &AppState, funnel: &str, step: &str) -> Result<Option<Arc<Target>>, FunnelError> {
    if let Some(t) = st.pages.get(funnel, step) {
        return Ok(Some(t));
    }
    let generation = st.pages.generation();
    let Some(t) = load_target(st, funnel, step).await? else {
        return Ok(None);
    };
    let t = Arc::new(t);
    st.pages.put(funnel, step, generation, t.clone());
    Ok(Some(t))
}

async fn load_target(st: &AppState, funnel: &str, step: &str) -> Result<Option<Target>, FunnelError> {
    let (Ok(fslug), Ok(sslug)) = (funnel.parse::<Slug>(), step.parse::<Slug>()) else {
        return Ok(None);
    };
    let funnel = match st.store.funnel_by_slug(&fslug).await {
        Ok(f) => f,
        Err(hikari_funnel_store::StoreError::NotFound(_)) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let steps = st.store.steps(funnel.id).await?;
    let Some(step) = steps.iter().find(|s| s.slug == sslug).cloned() else {
        return Ok(None);
    };
    // A redirect step needs no page of its own.
    let page = match st.store.published_page(step.id).await? {
        Some((_, page)) => page,
        None if step.redirect_url.is_some() => PageDraft::default(),
        None => return Ok(None),
    };
    let experiment = st.store.live_experiment(step.id).await?;
    let mut variants = Vec::new();
    for arm in experiment.iter().flat_map(|e| &e.arms) {
        variants.push(match arm.page {
            Some(p) => st.store.published_page(p).await?.map(|(_, d)| d),
            None => None,
        });
    }
    Ok(Some(Target { funnel, steps, step, page, experiment, variants }))
}

fn with_cookies(st: &AppState, visit: &Visit, status: StatusCode, body: impl IntoResponse) -> Response {
    let mut res = (status, body).into_response();
    for (k, v) in visit.cookies(st.secure_cookies()) {
        res.headers_mut().append(k, v);
    }
    res
}

fn not_found(locale: Locale) -> Response {
    (StatusCode::NOT_FOUND, render::not_found(locale)).into_response()
}

async fn show(
    State(st): State<AppState>,
    Path((funnel, step)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, HtmlError> {
    let Some(t) = target(&st, &funnel, &step).await? else {
        return Ok(not_found(locale(&headers, &query, None)));
    };
    let now = now_ms();
    let visit = Visit::read(&headers, &query);
    let arm = match &t.experiment {
        Some(e) => {
            let (arm, exposure) = crate::experiments::serve(&st, e, &visit, now).await?;
            if let Some(x) = exposure {
                st.events.record(x).await?;
            }
            Some(arm)
        }
        None => None,
    };
    let mut ev = visit.event(EventName::page_view(), now);
    ev.funnel = Some(t.funnel.id);
    ev.step = Some(t.step.id);
    ev.variant = t.arm_name(arm);
    st.events.record(ev).await?;
    if let Some(url) = &t.step.redirect_url {
        return Ok(with_cookies(&st, &visit, StatusCode::FOUND, [(header::LOCATION, url.as_str())]));
    }
    let view = PageView {
        locale: locale(&headers, &query, Some(&t.funnel)),
        title: &t.step.name,
        draft: t.page_of(arm),
        action: format!("/f/{}/{}", t.funnel.slug, t.step.slug),
        failed: None,
        utm: &visit.utm_last,
        sanitizer: &st.sanitizer,
        tracking: Some((t.funnel.id.0, t.step.id.0)),
        now,
    };
    Ok(with_cookies(&st, &visit, StatusCode::OK, render::page(&view)))
}

async fn submit(
    State(st): State<AppState>,
    Path((funnel, step)): Path<(String, String)>,
    headers: HeaderMap,
    crate::extract::ClientIp(ip): crate::extract::ClientIp,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Result<Response, HtmlError> {
    let query = HashMap::new();
    let Some(t) = target(&st, &funnel, &step).await? else {
        return Ok(not_found(locale(&headers, &query, None)));
    };
    let loc = locale(&headers, &query, Some(&t.funnel));
    let Ok(Form(mut raw)) = form else {
        return Ok((StatusCode::BAD_REQUEST, render::simple(loc, loc.text(Msg::FixErrors))).into_response());
    };
    raw.values_mut().for_each(|v| v.retain(|c| c != '\0'));
    let now = now_ms();
    if !st.submits.allow(&ip, now) {
        return Ok((StatusCode::TOO_MANY_REQUESTS, render::simple(loc, loc.text(Msg::RateLimited))).into_response());
    }
    let visit = Visit::read(&headers, &query);
    let arm = match &t.experiment {
        Some(e) => Some(crate::experiments::recorded_arm(&st, e, &visit).await?),
        None => None,
    };
    let page = t.page_of(arm);
    let form_id = raw.get("_form").cloned().unwrap_or_default();
    let Some(form) = page.page.form(&form_id).cloned() else {
        return Ok((StatusCode::BAD_REQUEST, render::simple(loc, loc.text(Msg::FixErrors))).into_response());
    };
    // A filled honeypot is a bot: act as if it worked, keep nothing.
    if raw.get("_hp").is_some_and(|v| !v.is_empty()) {
        let next = follow(&t, arm, &[], &form_id, &Default::default(), &[], &[]);
        return Ok(with_cookies(&st, &visit, StatusCode::SEE_OTHER, [(header::LOCATION, next)]));
    }
    let sub = match form.validate(&raw) {
        Ok(sub) => sub,
        Err(errors) => {
            let view = PageView {
                locale: loc,
                title: &t.step.name,
                draft: page,
                action: format!("/f/{}/{}", t.funnel.slug, t.step.slug),
                failed: Some((&form_id, &errors, &raw)),
                utm: &visit.utm_last,
                sanitizer: &st.sanitizer,
                tracking: Some((t.funnel.id.0, t.step.id.0)),
                now,
            };
            return Ok(with_cookies(&st, &visit, StatusCode::UNPROCESSABLE_ENTITY, render::page(&view)));
        }
    };
    let name = form.event.as_deref().unwrap_or(t.step.kind.submit_event());
    let name: EventName = name.parse()?;
    let mut ev = visit.event(name.clone(), now);
    ev.funnel = Some(t.funnel.id);
    ev.step = Some(t.step.id);
    ev.variant = t.arm_name(arm);
    let public: serde_json::Map<String, serde_json::Value> =
        sub.values.iter().filter(|(k, _)| !matches!(k.as_str(), "email" | "name" | "phone")).map(|(k, v)| (k.clone(), v.clone().into())).collect();
    ev.props = serde_json::json!({ "form": form_id, "fields": public });
    let labels = match &sub.email {
        Some(email) => {
            // One lead per (funnel, step, email, UTC day): a re-submission updates the contact
            // but does not count twice (the store ignores a repeated event id).
            let key = format!("lead:{}:{}:{}:{}", t.funnel.id, t.step.id, email, now / 86_400_000);
            ev.id = crate::security::digest(&key)[..32].parse()?;
            let source = format!("{}/{}", t.funnel.slug, t.step.slug);
            let up = ContactUpsert {
                email: email.clone(),
                name: sub.name.clone(),
                phone: sub.phone.clone(),
                labels: vec![format!("funnel:{}", t.funnel.slug)],
                consents: sub.consents.iter().map(|text| Consent { text: text.clone(), at: now, source: source.clone() }).collect(),
                visitor: Some(visit.visitor.clone()),
                utm_first: visit.utm_first.clone(),
                utm_last: visit.utm_last.clone(),
                now,
            };
            st.store.record_submission(&up, vec![ev]).await?.labels
        }
        None => {
            st.store.append_events(&[ev]).await?;
            Vec::new()
        }
    };
    let edges = st.store.edges(t.funnel.id).await?;
    let next = follow(&t, arm, &edges, &form_id, &sub.values, &[name.to_string()], &labels);
    Ok(with_cookies(&st, &visit, StatusCode::SEE_OTHER, [(header::LOCATION, next)]))
}

/// The URL of the step after a submit: the experiment arm's `next` step (a path split),
/// else the first matching edge, else the next step by position, else the same step.
fn follow(
    t: &Target,
    arm: Option<usize>,
    edges: &[Edge],
    form: &str,
    values: &std::collections::BTreeMap<String, String>,
    events: &[String],
    labels: &[String],
) -> String {
    let cx = RoutingContext { form: Some(form), events, values: Some(values), labels };
    let split = t.experiment.as_ref().zip(arm).and_then(|(e, a)| e.arms.get(a)).and_then(|a| a.next);
    let by_edge = split.or_else(|| next_step(edges, t.step.id, &cx));
    let next = by_edge.and_then(|id| t.steps.iter().find(|s| s.id == id)).or_else(|| t.steps.iter().find(|s| s.position > t.step.position)).unwrap_or(&t.step);
    format!("/f/{}/{}", t.funnel.slug, next.slug)
}

#[derive(Deserialize)]
struct Beacon {
    events: Vec<BeaconEvent>,
}

#[derive(Deserialize)]
struct BeaconEvent {
    #[serde(default)]
    id: Option<String>,
    name: String,
    #[serde(default)]
    props: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    funnel: Option<i64>,
    #[serde(default)]
    step: Option<i64>,
}

/// `POST /f/collect`: custom events from the tracking script, at most 25 a request.
async fn collect(State(st): State<AppState>, headers: HeaderMap, crate::extract::ApiJson(b): crate::extract::ApiJson<Beacon>) -> Result<Response, FunnelError> {
    if b.events.len() > 25 {
        return Err(FunnelError::BadRequest("at most 25 events per request".into()));
    }
    let visit = Visit::read(&headers, &HashMap::new());
    let now = now_ms();
    let mut events = Vec::with_capacity(b.events.len());
    for e in b.events {
        let mut ev = visit.event(e.name.parse()?, now);
        if let Some(id) = e.id {
            ev.id = id.parse()?;
        }
        if serde_json::to_vec(&e.props).map_or(0, |v| v.len()) > 4096 {
            return Err(FunnelError::BadRequest("props: at most 4096 bytes".into()));
        }
        ev.props = e.props.into();
        ev.funnel = e.funnel.map(hikari_funnel::FunnelId);
        ev.step = e.step.map(hikari_funnel::StepId);
        events.push(ev);
    }
    let accepted = st.store.append_events(&events).await?;
    Ok(with_cookies(&st, &visit, StatusCode::OK, Json(serde_json::json!({ "accepted": accepted }))))
}
