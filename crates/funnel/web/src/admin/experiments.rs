//! Admin pages for experiments: a funnel's list and one experiment's results (per-arm table,
//! chance-to-win bars, the SRM warning, conversion over time), with stop and evaluate
//! buttons that run the same code as the JSON API.

use crate::{
    admin::{
        auth::{Admin, check_csrf},
        chart::{self, DayPoint},
        layout::layout,
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

fn goal_text(g: &Goal) -> String {
    let hours = g.window_ms() / 3_600_000;
    match g {
        Goal::Conversion { event, min_value: None, .. } => {
            format!("conversion: at least one {event} within {hours} h")
        }
        Goal::Conversion { event, min_value: Some(v), .. } => {
            format!("conversion: {event} values adding up to {v} within {hours} h")
        }
        Goal::Value { event, .. } => format!("value: sum of {event} values within {hours} h"),
    }
}

fn mode_text(e: &Experiment) -> &'static str {
    match e.mode {
        hikari_funnel::experiment::Mode::Split => "split",
        hikari_funnel::experiment::Mode::Bandit => "bandit",
    }
}

/// `/admin/funnels/{id}/experiments`: the funnel's experiments and where to start a new one.
pub(crate) async fn list(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Page {
    let f = st.app.builder.funnel(FunnelId(id)).await?;
    let steps = st.app.builder.steps(f.id).await?;
    let exps = st.app.experiments.list(f.id).await?;
    let step_name = |sid| steps.iter().find(|s| s.id == sid).map_or("?", |s| s.name.as_str());
    Ok(layout(
        &format!("Experiments: {}", f.name),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/funnels/" (f.id) } { "← " (f.name) } }
            h1 { "Experiments: " (f.name) }
            @if exps.is_empty() { p { "No experiments yet." } }
            @else {
                table #experiments {
                    thead { tr { th { "Name" } th { "Step" } th { "Status" } th { "Mode" } th { "Arms" } th { "Winner" } } }
                    tbody {
                        @for e in &exps {
                            tr {
                                td { a href={ "/admin/experiments/" (e.id) } { (e.name) } }
                                td { (step_name(e.step)) }
                                td { (e.status.as_str()) }
                                td { (mode_text(e)) }
                                td { (e.arms.len()) }
                                td { (e.winner.and_then(|w| e.arms.get(w)).map_or("—", |a| a.name.as_str())) }
                            }
                        }
                    }
                }
            }
            h2 { "New experiment" }
            p.hint { "One live (running or decided) experiment per step." }
            ul {
                @for s in &steps {
                    li { a href={ "/admin/steps/" (s.id) "/experiments/new" } { "On step “" (s.name) "”" } }
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
fn decision_text(e: &Experiment, d: &Value) -> String {
    let arm = |i: &Value| i.as_u64().and_then(|i| e.arms.get(usize::try_from(i).ok()?)).map_or_else(|| "?".to_string(), |a| a.name.clone());
    match (d["decision"].as_str(), d["decision"]["decision"].as_str()) {
        (Some("manual"), _) => format!("Winner {} picked by hand.", arm(&d["arm"])),
        (Some("manual_stop"), _) => "Stopped by hand.".into(),
        (_, Some("winner")) => format!("Winner {} declared by the winner rule.", arm(&d["decision"]["arm"])),
        (_, Some("stop")) => "Stopped by the winner rule (sample ratio mismatch).".into(),
        _ => "Recorded decision:".into(),
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
    Ok(layout(
        &format!("Experiment: {}", e.name),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/funnels/" (f.id) "/experiments" } { "← Experiments of " (f.name) } }
            h1 { "Experiment: " (e.name) }
            @if srm_warning(srm_p) {
                div.banner.srm-warning #srm-warning role="alert" {
                    strong { "Sample ratio mismatch." }
                    " The visitors per arm do not match the weights (SRM p = " (format!("{:.2e}", srm_p.unwrap_or(0.0)))
                    ", below the 0.001 threshold). Something sends visitors to arms unevenly — weights changed during the test, "
                    "redirects, caching or tracking gaps. Do not trust these results until the cause is found."
                }
            }
            dl.summary {
                dt { "Status" } dd #status { (e.status.as_str()) }
                dt { "Mode" } dd { (mode_text(&e)) }
                dt { "Step" } dd { a href={ "/f/" (f.slug) "/" (step.slug) } { (step.name) } }
                dt { "Goal" } dd { (goal_text(&e.goal)) }
                dt { "Automatic winner" } dd { @if e.auto_winner { "on" } @else { "off" } ", at least " (e.min_units_per_arm) " visitors per arm" }
                dt { "Winner" } dd #winner { (winner.unwrap_or("—")) }
                dt { "Sample ratio check" } dd {
                    @match srm_p {
                        Some(p) => { "p = " (format!("{p:.4}")) }
                        None => { @if e.mode == hikari_funnel::experiment::Mode::Bandit { "not checked (bandit weights change over time)" } @else { "— (every arm needs a visitor)" } }
                    }
                }
            }
            @if let Some(d) = &e.decision {
                section #decision {
                    h2 { "Decision" }
                    p { (decision_text(&e, d)) }
                    details { summary { "Recorded numbers" } pre { (serde_json::to_string_pretty(d).unwrap_or_default()) } }
                }
            }
            h2 { "Arms" }
            table #arms {
                thead { tr {
                    th { "Arm" } th { "Weight" } th { "Visitors" } th { @if binomial { "Conversions" } @else { "Sum" } }
                    th { @if binomial { "Rate" } @else { "Mean" } } th { "Uplift (95% CI)" } th { "Chance to win" }
                    th { "Risk" } th { "p-value" }
                } }
                tbody {
                    @for (i, row) in rows.iter().enumerate() {
                        tr.arm data-arm=(i) {
                            td { (names.get(i).map_or("?", String::as_str)) @if i == 0 { " (control)" } }
                            td { (format!("{:.1}%", e.arms.get(i).map_or(0.0, |a| a.weight) * 100.0)) }
                            td.visitors { (row["visitors"].as_u64().unwrap_or(0)) }
                            td { @if binomial { (row["conversions"].as_u64().unwrap_or(0)) } @else { (format!("{:.2}", num(&row["sum"]).unwrap_or(0.0))) } }
                            td { @if binomial { (pct(&row["mean"])) } @else { (format!("{:.2}", num(&row["mean"]).unwrap_or(0.0))) } }
                            td { @if i > 0 { (pct(&row["uplift"]["mean"])) " " span.ci { (ci(&row["uplift"]["ci"])) } } }
                            td.ctw {
                                @match num(&row["chance_to_win"]) {
                                    Some(c) => { (chart::bar(names.get(i).map_or("?", String::as_str), c)) }
                                    None => { @if i == 0 { "baseline" } @else { "—" } }
                                }
                            }
                            td { (num(&row["risk"]).map_or_else(|| "—".into(), |x| format!("{x:.4}"))) }
                            td { (num(&row["p_value"]).map_or_else(|| "—".into(), |x| format!("{x:.4}"))) }
                        }
                    }
                }
            }
            p.hint {
                "Chance to win, risk (expected loss of choosing the arm) and uplift are Bayesian, against control; "
                "the p-value is Welch's t-test. They appear once every arm has a visitor."
            }
            h2 { @if binomial { "Conversion over time" } @else { "Value over time" } }
            (chart::over_time(&names, &days, binomial))
            @if e.status != Status::Stopped {
                h2 { "Actions" }
                div.actions {
                    @if e.status == Status::Running {
                        form method="post" action={ "/admin/experiments/" (e.id) "/evaluate" } {
                            input type="hidden" name="csrf" value=(admin.csrf);
                            button type="submit" { "Evaluate now" }
                        }
                    }
                    form method="post" action={ "/admin/experiments/" (e.id) "/stop" } {
                        input type="hidden" name="csrf" value=(admin.csrf);
                        button.danger type="submit" { "Stop experiment" }
                    }
                }
                p.hint { "Evaluate applies the bandit and the winner rule now. Stop serves control to everyone." }
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
