//! The create-experiment form on a step. A plain HTML form posted with the session's CSRF
//! token; the server parses it into a `NewExperiment` and creates it through the same code as
//! the JSON API (domain validation, store checks). Bad input re-renders the form with the
//! values kept and the message next to the field; a live experiment on the step is a 409.

use crate::{
    admin::{
        auth::{Admin, check_csrf},
        layout::layout,
        text::{
            experiments::{X, goal_event},
            problems::experiment_field,
        },
    },
    error::HtmlError,
    extract::ApiPath,
    state::AppState,
};
use axum::{
    Form,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use hikari_funnel::{
    Arm, DomainError, EventName, NewExperiment, Step, StepId,
    experiment::{Goal, MAX_ARMS, Mode},
};
use hikari_funnel_app::AppError;
use maud::{Markup, html};

/// Goals a funnel records by itself, offered in the event field (any custom name works too).
const GOAL_EVENTS: [&str; 7] = ["generate_lead", "webinar_registered", "webinar_joined", "webinar_left", "offer_clicked", "purchase", "sign_up"];

/// The form's values as typed (kept verbatim for a re-render).
#[derive(Clone, Debug)]
struct Values {
    name: String,
    mode: String,
    goal_type: String,
    goal_event: String,
    window_hours: String,
    /// A conversion's least sum of values (empty: one event is enough).
    min_value: String,
    auto_winner: bool,
    min_units: String,
    /// `[name, weight, page, next]` per arm row.
    arms: Vec<[String; 4]>,
}

impl Default for Values {
    fn default() -> Self {
        let row = |n: &str| [n.to_string(), "50".to_string(), String::new(), String::new()];
        Self {
            name: String::new(),
            mode: "split".into(),
            goal_type: "conversion".into(),
            goal_event: "generate_lead".into(),
            window_hours: "168".into(),
            min_value: String::new(),
            auto_winner: false,
            min_units: "100".into(),
            arms: vec![row("A"), row("B")],
        }
    }
}

/// What went wrong, and with which field (`name`, `arms[1].weight`, …).
struct Problem {
    field: String,
    message: String,
}

impl Problem {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

impl Values {
    /// Reads the posted fields; rows with nothing filled in are dropped (the rest keep their
    /// order, so `arms[i]` in a message is the i-th row shown).
    fn parse(fields: &[(String, String)]) -> Self {
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
        let arms = (0..MAX_ARMS)
            .map(|i| ["name", "weight", "page", "next"].map(|f| get(&format!("arm{i}_{f}"))))
            .filter(|r| r.iter().any(|v| !v.is_empty()))
            .collect();
        Self {
            name: get("name"),
            mode: get("mode"),
            goal_type: get("goal_type"),
            goal_event: get("goal_event"),
            window_hours: get("window_hours"),
            min_value: get("min_value"),
            auto_winner: !get("auto_winner").is_empty(),
            min_units: get("min_units_per_arm"),
            arms,
        }
    }

    /// The experiment these values describe; the domain checks the rest on create.
    fn to_new(&self, step: StepId) -> Result<NewExperiment, Problem> {
        let mode = match self.mode.as_str() {
            "split" => Mode::Split,
            "bandit" => Mode::Bandit,
            _ => return Err(Problem::new("mode", "choose split or bandit")),
        };
        let event: EventName = self.goal_event.parse().map_err(|e: DomainError| Problem::new("goal_event", reason(&e)))?;
        let window_hours: i64 = self.window_hours.parse().map_err(|_| Problem::new("goal.window_hours", "enter a whole number of hours (1 to 8760)"))?;
        let min_value = match self.min_value.as_str() {
            "" => None,
            v => Some(v.parse::<f64>().map_err(|_| Problem::new("goal.min_value", "enter a number above 0, or leave it empty"))?),
        };
        let goal = match self.goal_type.as_str() {
            "conversion" => Goal::Conversion { event, window_hours, min_value },
            "value" => Goal::Value { event, window_hours },
            _ => return Err(Problem::new("goal_type", "choose conversion or value")),
        };
        let min_units_per_arm = self.min_units.parse().map_err(|_| Problem::new("min_units_per_arm", "enter a whole number (1 to 1000000)"))?;
        let step_ref = |i: usize, field: &str, v: &str| -> Result<Option<StepId>, Problem> {
            if v.is_empty() {
                return Ok(None);
            }
            v.parse().map(|id| Some(StepId(id))).map_err(|_| Problem::new(format!("arms[{i}].{field}"), "must be a step of this funnel"))
        };
        let mut arms = Vec::with_capacity(self.arms.len());
        for (i, [name, weight, page, next]) in self.arms.iter().enumerate() {
            let weight = weight.parse::<f64>().map_err(|_| Problem::new(format!("weights[{i}]"), "enter a number ≥ 0"))?;
            arms.push(Arm { name: name.clone(), weight, page: step_ref(i, "page", page)?, next: step_ref(i, "next", next)? });
        }
        Ok(NewExperiment { name: self.name.clone(), step, arms, goal, mode, auto_winner: self.auto_winner, min_units_per_arm })
    }
}

/// A domain refusal as a form problem (`fallback` names the field when the error has none).
fn problem(e: &DomainError, fallback: &str) -> Problem {
    match e {
        DomainError::Invalid { field, reason } => Problem::new(field.clone(), reason.clone()),
        other => Problem::new(fallback, other.to_string()),
    }
}

/// Why the domain refused a value, without its field.
fn reason(e: &DomainError) -> String {
    match e {
        DomainError::Invalid { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}

/// The refusal above the form: the field in words and what it takes (in Japanese, the
/// field's rule; the domain's own words when there is none).
fn problem_text(admin: &Admin, p: &Problem) -> String {
    let (field, rule) = experiment_field(&p.field, admin.tr.0);
    match (admin.tr.ja(), rule) {
        (true, Some(rule)) => format!("{field}：{rule}"),
        (true, None) => format!("{field}：{}", p.message),
        (false, _) => format!("{field}: {}", p.message),
    }
}

fn page(admin: &Admin, step: &Step, steps: &[Step], v: &Values, problem: Option<&Problem>) -> Markup {
    let bad = |f: &str| problem.is_some_and(|p| p.field == f);
    let shown = (0..MAX_ARMS).map(|i| v.arms.get(i).cloned().unwrap_or_default());
    let step_select = |name: String, selected: &str, invalid: bool| {
        html! {
            select name=(name) aria-invalid=[invalid.then_some("true")] {
                option value="" { "—" }
                @for s in steps { option value=(s.id) selected[selected == s.id.to_string()] { (s.name) } }
            }
        }
    };
    let t = admin.tr;
    layout(
        t,
        &t.f(X::FormTitle, &[&step.name]),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/funnels/" (step.funnel_id) "/experiments" } { (t.s(X::Back)) } }
            h1 { (t.f(X::FormHeading, &[&step.name])) }
            @if let Some(p) = problem {
                p.error #form-error role="alert" { (problem_text(admin, p)) }
            }
            form method="post" action={ "/admin/steps/" (step.id) "/experiments/new" } aria-describedby=[problem.map(|_| "form-error")] {
                input type="hidden" name="csrf" value=(admin.csrf);
                label { (t.s(X::Name)) " " input name="name" required maxlength="200" value=(v.name) aria-invalid=[bad("name").then_some("true")]; }
                label { (t.s(X::Mode)) " " select name="mode" {
                    option value="split" selected[v.mode == "split"] { (t.s(X::SplitLong)) }
                    option value="bandit" selected[v.mode == "bandit"] { (t.s(X::BanditLong)) }
                } }
                fieldset {
                    legend { (t.s(X::Goal)) }
                    label { (t.s(X::Type)) select name="goal_type" {
                        option value="conversion" selected[v.goal_type == "conversion"] { (t.s(X::ConversionLong)) }
                        option value="value" selected[v.goal_type == "value"] { (t.s(X::ValueLong)) }
                    } }
                    label { (t.s(X::Event)) input name="goal_event" required list="goal-events" value=(v.goal_event) aria-invalid=[bad("goal_event").then_some("true")]; }
                    datalist #goal-events {
                        @for event in GOAL_EVENTS { option value=(event) { (goal_event(event, t.ja())) } }
                    }
                    label { (t.s(X::Window)) input name="window_hours" type="number" min="1" max="8760" required value=(v.window_hours)
                        aria-invalid=[bad("goal.window_hours").then_some("true")]; }
                    label { (t.s(X::LeastValue)) input name="min_value" type="number" step="any" min="0" value=(v.min_value)
                        aria-invalid=[bad("goal.min_value").then_some("true")]; }
                    small { (t.s(X::LeastValueHint)) }
                }
                label { input type="checkbox" name="auto_winner" value="on" checked[v.auto_winner]; (t.s(X::DeclareAuto)) }
                label { (t.s(X::MinVisitors)) input name="min_units_per_arm" type="number" min="1" max="1000000" required value=(v.min_units)
                    aria-invalid=[bad("min_units_per_arm").then_some("true")]; }
                fieldset {
                    legend { (t.f(X::ArmsLegend, &[&MAX_ARMS])) }
                    table #arm-rows {
                        thead { tr { th { "#" } th { (t.s(X::Name)) } th { (t.s(X::Weight)) } th { (t.s(X::ServePage)) } th { (t.s(X::NextStep)) } } }
                        tbody {
                            @for (i, [name, weight, pg, next]) in shown.enumerate() {
                                tr.arm-row {
                                    td { (i) }
                                    td { input name={ "arm" (i) "_name" } maxlength="64" value=(name) aria-label=(t.f(X::ArmName, &[&i]))
                                        aria-invalid=[bad(&format!("arms[{i}].name")).then_some("true")]; }
                                    td { input name={ "arm" (i) "_weight" } inputmode="decimal" value=(weight) aria-label=(t.f(X::ArmWeight, &[&i]))
                                        aria-invalid=[(bad(&format!("weights[{i}]")) || bad("weights")).then_some("true")]; }
                                    td { (step_select(format!("arm{i}_page"), &pg, bad(&format!("arms[{i}].page")))) }
                                    td { (step_select(format!("arm{i}_next"), &next, bad(&format!("arms[{i}].next")))) }
                                }
                            }
                        }
                    }
                    p.hint { (t.s(X::WeightsHint)) }
                }
                button type="submit" { (t.s(X::Create)) }
            }
        },
    )
}

/// `GET /admin/steps/{id}/experiments/new`.
pub(crate) async fn form(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Result<Markup, HtmlError> {
    let step = st.app.builder.step(StepId(id)).await?;
    let steps = st.app.builder.steps(step.funnel_id).await?;
    Ok(page(&admin, &step, &steps, &Values::default(), None))
}

/// `POST /admin/steps/{id}/experiments/new`: creates and redirects to the results page, or
/// answers 422 (bad input) / 409 (a live experiment on the step) with the form again.
pub(crate) async fn create(
    admin: Admin,
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let csrf = fields.iter().find(|(k, _)| k == "csrf").map_or("", |(_, v)| v.as_str());
    check_csrf(&admin, csrf)?;
    let step = st.app.builder.step(StepId(id)).await?;
    let steps = st.app.builder.steps(step.funnel_id).await?;
    let values = Values::parse(&fields);
    let refused = |status: StatusCode, p: Problem| Ok((status, page(&admin, &step, &steps, &values, Some(&p))).into_response());
    let new = match values.to_new(step.id) {
        Ok(new) => new,
        Err(p) => return refused(StatusCode::UNPROCESSABLE_ENTITY, p),
    };
    match st.app.experiments.create(step.funnel_id, &new).await {
        Ok(e) => Ok(Redirect::to(&format!("/admin/experiments/{}", e.id)).into_response()),
        Err(AppError::Invalid(e)) => refused(StatusCode::UNPROCESSABLE_ENTITY, problem(&e, "experiment")),
        Err(AppError::BadRequest(m)) => refused(StatusCode::BAD_REQUEST, Problem::new("experiment", m)),
        Err(AppError::Conflict(m)) => refused(StatusCode::CONFLICT, Problem::new("step", m)),
        Err(other) => Err(other.into()),
    }
}
