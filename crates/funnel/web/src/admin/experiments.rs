//! Admin pages for experiments: a funnel's list and one experiment's results (per-arm table,
//! chance-to-win bars, the SRM warning, conversion over time), with stop and evaluate
//! buttons that run the same code as the JSON API.

use crate::{
    admin::{
        auth::{Admin, check_csrf},
        chart::{self, DayPoint},
        layout::layout,
        text::{Tr, experiments::X},
    },
    error::HtmlError,
    extract::ApiPath,
    state::AppState,
};
use axum::{
    Form,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use hikari_funnel::{Experiment, ExperimentId, FunnelId, Goal, experiment::Status};
use hikari_funnel_app::{Change, results::srm_warning};
use maud::{Markup, html};
use serde::Deserialize;
use serde_json::Value;

type Page = Result<Markup, HtmlError>;

fn goal_text(t: Tr, g: &Goal) -> String {
    let hours = g.window_ms() / 3_600_000;
    match g {
        Goal::Conversion { event, min_value: None, .. } => t.f(X::GoalOnce, &[event, &hours]),
        Goal::Conversion { event, min_value: Some(v), .. } => t.f(X::GoalSum, &[event, v, &hours]),
        Goal::Value { event, .. } => t.f(X::GoalValue, &[event, &hours]),
    }
}

fn mode_text(t: Tr, e: &Experiment) -> &'static str {
    match e.mode {
        hikari_funnel::experiment::Mode::Split => t.s(X::Split),
        hikari_funnel::experiment::Mode::Bandit => t.s(X::Bandit),
    }
}

fn status_text(t: Tr, s: Status) -> &'static str {
    match s {
        Status::Running => t.s(X::Running),
        Status::Decided => t.s(X::Decided),
        Status::Stopped => t.s(X::Stopped),
    }
}

/// `/admin/funnels/{id}/experiments`: the funnel's experiments and where to start a new one.
pub(crate) async fn list(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Page {
    let f = st.app.builder.funnel(FunnelId(id)).await?;
    let steps = st.app.builder.steps(f.id).await?;
    let exps = st.app.experiments.list(f.id).await?;
    let step_name = |sid| steps.iter().find(|s| s.id == sid).map_or("?", |s| s.name.as_str());
    let t = admin.tr;
    Ok(layout(
        t,
        &t.f(X::ListTitle, &[&f.name]),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/funnels/" (f.id) } { "← " (f.name) } }
            h1 { (t.f(X::ListTitle, &[&f.name])) }
            @if exps.is_empty() { p { (t.s(X::NoExperiments)) } }
            @else {
                table #experiments {
                    thead { tr {
                        th { (t.s(X::Name)) } th { (t.s(X::Step)) } th { (t.s(X::Status)) } th { (t.s(X::Mode)) } th { (t.s(X::Arms)) } th { (t.s(X::Winner)) }
                    } }
                    tbody {
                        @for e in &exps {
                            tr {
                                td { a href={ "/admin/experiments/" (e.id) } { (e.name) } }
                                td { (step_name(e.step)) }
                                td data-status=(e.status.as_str()) { (status_text(t, e.status)) }
                                td { (mode_text(t, e)) }
                                td { (e.arms.len()) }
                                td { (e.winner.and_then(|w| e.arms.get(w)).map_or("—", |a| a.name.as_str())) }
                            }
                        }
                    }
                }
            }
            h2 { (t.s(X::NewExperiment)) }
            p.hint { (t.s(X::OneLive)) }
            ul {
                @for s in &steps {
                    li { a href={ "/admin/steps/" (s.id) "/experiments/new" } { (t.f(X::OnStep, &[&s.name])) } }
                }
            }
        },
    ))
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite())
}

fn pct(v: &Value) -> String {
    num(v).map_or_else(|| "—".into(), |x| format!("{:.1}%", x * 100.0))
}

fn ci(v: &Value) -> String {
    match (num(&v[0]), num(&v[1])) {
        (Some(a), Some(b)) => format!("[{:+.1}%, {:+.1}%]", a * 100.0, b * 100.0),
        _ => String::new(),
    }
}

/// What the recorded decision says, in a sentence.
fn decision_text(t: Tr, e: &Experiment, d: &Value) -> String {
    let arm = |i: &Value| i.as_u64().and_then(|i| e.arms.get(usize::try_from(i).ok()?)).map_or_else(|| "?".to_string(), |a| a.name.clone());
    match (d["decision"].as_str(), d["decision"]["decision"].as_str()) {
        (Some("manual"), _) => t.f(X::ManualWinner, &[&arm(&d["arm"])]),
        (Some("manual_stop"), _) => t.s(X::ManualStop).into(),
        (_, Some("winner")) => t.f(X::RuleWinner, &[&arm(&d["decision"]["arm"])]),
        (_, Some("stop")) => t.s(X::RuleStop).into(),
        _ => t.s(X::Recorded).into(),
    }
}

/// `/admin/experiments/{id}`: the results page.
pub(crate) async fn show(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Page {
    let e = st.app.experiments.get(ExperimentId(id)).await?;
    let f = st.app.builder.funnel(e.funnel).await?;
    let step = st.app.builder.step(e.step).await?;
    let r = st.app.experiments.results(&e).await?;
    let binomial = e.goal.is_binomial();
    let names: Vec<String> = e.arms.iter().map(|a| a.name.clone()).collect();
    let srm_p = num(&r["overall"]["srm_p"]);
    let days: Vec<DayPoint> = r["daily"]
        .as_array()
        .map(|ds| {
            ds.iter()
                .filter_map(|d| {
                    Some(DayPoint {
                        arm: usize::try_from(d["arm"].as_u64()?).ok()?,
                        day: d["day"].as_i64()?,
                        visitors: num(&d["visitors"])?,
                        value: num(if binomial { &d["conversions"] } else { &d["sum"] })?,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let empty = Vec::new();
    let rows = r["arms"].as_array().unwrap_or(&empty);
    let winner = e.winner.and_then(|w| e.arms.get(w)).map(|a| a.name.as_str());
    let t = admin.tr;
    Ok(layout(
        t,
        &t.f(X::ShowTitle, &[&e.name]),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/funnels/" (f.id) "/experiments" } { (t.f(X::BackToList, &[&f.name])) } }
            h1 { (t.f(X::ShowTitle, &[&e.name])) }
            @if srm_warning(srm_p) {
                div.banner.srm-warning #srm-warning role="alert" {
                    strong { (t.s(X::SrmTitle)) }
                    (t.f(X::SrmBody, &[&format!("{:.2e}", srm_p.unwrap_or(0.0))]))
                }
            }
            dl.summary {
                dt { (t.s(X::Status)) } dd #status data-status=(e.status.as_str()) { (status_text(t, e.status)) }
                dt { (t.s(X::Mode)) } dd { (mode_text(t, &e)) }
                dt { (t.s(X::Step)) } dd { a href={ "/f/" (f.slug) "/" (step.slug) } { (step.name) } }
                dt { (t.s(X::Goal)) } dd { (goal_text(t, &e.goal)) }
                dt { (t.s(X::AutoWinner)) } dd { @if e.auto_winner { (t.s(X::On)) } @else { (t.s(X::Off)) } (t.f(X::AtLeast, &[&e.min_units_per_arm])) }
                dt { (t.s(X::Winner)) } dd #winner { (winner.unwrap_or("—")) }
                dt { (t.s(X::SrmCheck)) } dd {
                    @match srm_p {
                        Some(p) => { "p = " (format!("{p:.4}")) }
                        None => { @if e.mode == hikari_funnel::experiment::Mode::Bandit { (t.s(X::SrmBandit)) } @else { (t.s(X::SrmNeedsVisitors)) } }
                    }
                }
            }
            @if let Some(d) = &e.decision {
                section #decision {
                    h2 { (t.s(X::Decision)) }
                    p { (decision_text(t, &e, d)) }
                    details { summary { (t.s(X::RecordedNumbers)) } pre { (serde_json::to_string_pretty(d).unwrap_or_default()) } }
                }
            }
            h2 { (t.s(X::Arms)) }
            table #arms {
                thead { tr {
                    th { (t.s(X::Arm)) } th { (t.s(X::Weight)) } th { (t.s(X::Visitors)) } th { @if binomial { (t.s(X::Conversions)) } @else { (t.s(X::Sum)) } }
                    th { @if binomial { (t.s(X::Rate)) } @else { (t.s(X::Mean)) } } th { (t.s(X::Uplift)) } th { (t.s(X::ChanceToWin)) }
                    th { (t.s(X::Risk)) } th { (t.s(X::PValue)) }
                } }
                tbody {
                    @for (i, row) in rows.iter().enumerate() {
                        tr.arm data-arm=(i) {
                            td { (names.get(i).map_or("?", String::as_str)) @if i == 0 { (t.s(X::Control)) } }
                            td { (format!("{:.1}%", e.arms.get(i).map_or(0.0, |a| a.weight) * 100.0)) }
                            td.visitors { (row["visitors"].as_u64().unwrap_or(0)) }
                            td { @if binomial { (row["conversions"].as_u64().unwrap_or(0)) } @else { (format!("{:.2}", num(&row["sum"]).unwrap_or(0.0))) } }
                            td { @if binomial { (pct(&row["mean"])) } @else { (format!("{:.2}", num(&row["mean"]).unwrap_or(0.0))) } }
                            td { @if i > 0 { (pct(&row["uplift"]["mean"])) " " span.ci { (ci(&row["uplift"]["ci"])) } } }
                            td.ctw {
                                @match num(&row["chance_to_win"]) {
                                    Some(c) => { (chart::bar(names.get(i).map_or("?", String::as_str), c)) }
                                    None => { @if i == 0 { (t.s(X::Baseline)) } @else { "—" } }
                                }
                            }
                            td { (num(&row["risk"]).map_or_else(|| "—".into(), |x| format!("{x:.4}"))) }
                            td { (num(&row["p_value"]).map_or_else(|| "—".into(), |x| format!("{x:.4}"))) }
                        }
                    }
                }
            }
            p.hint { (t.s(X::StatsHint)) }
            h2 { @if binomial { (t.s(X::ConversionOverTime)) } @else { (t.s(X::ValueOverTime)) } }
            (chart::over_time(t, &names, &days, binomial))
            @if e.status != Status::Stopped {
                h2 { (t.s(X::Actions)) }
                div.actions {
                    @if e.status == Status::Running {
                        form method="post" action={ "/admin/experiments/" (e.id) "/evaluate" } {
                            input type="hidden" name="csrf" value=(admin.csrf);
                            button type="submit" { (t.s(X::EvaluateNow)) }
                        }
                    }
                    form method="post" action={ "/admin/experiments/" (e.id) "/stop" } {
                        input type="hidden" name="csrf" value=(admin.csrf);
                        button.danger type="submit" { (t.s(X::Stop)) }
                    }
                }
                p.hint { (t.s(X::ActionsHint)) }
            }
        },
    ))
}

#[derive(Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// `POST /admin/experiments/{id}/stop`: the API's `{status: "stopped"}`.
pub(crate) async fn stop(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, Form(f): Form<CsrfOnly>) -> Result<Response, HtmlError> {
    check_csrf(&admin, &f.csrf)?;
    let e = st.app.experiments.update(ExperimentId(id), &Change::stop()).await?;
    Ok(Redirect::to(&format!("/admin/experiments/{}", e.id)).into_response())
}

/// `POST /admin/experiments/{id}/evaluate`: the API's evaluate.
pub(crate) async fn evaluate(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, Form(f): Form<CsrfOnly>) -> Result<Response, HtmlError> {
    check_csrf(&admin, &f.csrf)?;
    let e = st.app.experiments.get(ExperimentId(id)).await?;
    let e = st.app.experiments.evaluate(&e).await?;
    Ok(Redirect::to(&format!("/admin/experiments/{}", e.id)).into_response())
}
