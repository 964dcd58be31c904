//! Admin pages.

use crate::{
    admin::{
        auth::{Admin, ApiCaller},
        layout::layout,
        text::{
            common::C,
            funnels::{F, step_kind},
        },
    },
    error::{FunnelError, HtmlError},
    extract::{ApiJson, ApiPath, ApiQuery},
    render::{self, PageView},
    state::AppState,
};
use axum::extract::State;
use hikari_common::clock::unix_millis;
use hikari_funnel::{Condition, FunnelId, Locale, PageDraft, StepId, StepKind, Utm};
use hikari_funnel_app::ReportQuery;
use maud::{Markup, html};

type Page = Result<Markup, HtmlError>;

pub(crate) async fn dashboard(admin: Admin, State(st): State<AppState>) -> Page {
    let funnels = st.app.builder.funnels().await?;
    let t = admin.tr;
    Ok(layout(
        t,
        t.s(C::NavFunnels),
        Some(&admin.csrf),
        html! {
            h1 { (t.s(C::NavFunnels)) }
            @if funnels.is_empty() { p { (t.s(F::NoFunnels)) } }
            ul.cards {
                @for f in &funnels {
                    li { a href={ "/admin/funnels/" (f.id) } { (f.name) } " " code { "/f/" (f.slug) } }
                }
            }
            h2 { (t.s(F::NewFunnel)) }
            form.api data-api="/api/v1/funnels" data-method="POST" data-then="/admin/funnels/{id}" {
                label { (t.s(C::Name)) input name="name" required maxlength="200"; }
                label { (t.s(F::Slug)) input name="slug" required pattern="[a-z0-9][a-z0-9-]{0,63}" placeholder=(t.s(F::SlugExample)); }
                label { (t.s(F::VisitorLanguage)) select name="locale" {
                    option value="" { (t.s(F::VisitorsChoice)) } option value="ja" lang="ja" { "日本語" } option value="en" lang="en" { "English" }
                } }
                button type="submit" { (t.s(F::CreateFunnel)) }
                p.api-error role="alert" {}
            }
        },
    ))
}

pub(crate) async fn funnel(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Page {
    let f = st.app.builder.funnel(FunnelId(id)).await?;
    let steps = st.app.builder.steps(f.id).await?;
    let edges = st.app.builder.edges(f.id).await?;
    let step_name = |sid: StepId| steps.iter().find(|s| s.id == sid).map_or("?", |s| s.name.as_str());
    let t = admin.tr;
    Ok(layout(
        t,
        &f.name,
        Some(&admin.csrf),
        html! {
            h1 { (f.name) }
            p { a href={ "/admin/funnels/" (f.id) "/report" } { (t.s(F::Report)) } " · " a href={ "/admin/funnels/" (f.id) "/experiments" } { (t.s(F::Experiments)) } }
            form.api.inline data-api={ "/api/v1/funnels/" (f.id) } data-method="PATCH" {
                label { (t.s(C::Name)) input name="name" required maxlength="200" value=(f.name); }
                label { (t.s(F::VisitorLanguage)) select name="locale" {
                    option value="" selected[f.locale.is_none()] { (t.s(F::VisitorsChoice)) }
                    option value="ja" lang="ja" selected[f.locale == Some(Locale::Ja)] { "日本語" }
                    option value="en" lang="en" selected[f.locale == Some(Locale::En)] { "English" }
                } }
                button type="submit" { (t.s(F::SaveSettings)) }
                p.api-error role="alert" {}
            }
            h2 { (t.s(F::Steps)) }
            table data-reorder={ "/api/v1/funnels/" (f.id) "/steps/order" } {
                thead { tr { th { "#" } th { (t.s(C::Name)) } th { (t.s(F::Kind)) } th { (t.s(F::PublicUrl)) } th { "" } } }
                tbody {
                    @for s in &steps {
                        tr data-step=(s.id) {
                            td { (s.position) }
                            td { (s.name) }
                            td { (step_kind(s.kind.as_str(), t.ja())) }
                            td { a href={ "/f/" (f.slug) "/" (s.slug) } { "/f/" (f.slug) "/" (s.slug) } }
                            td.actions {
                                a.button href={ "/admin/steps/" (s.id) "/edit" } { (t.s(F::EditPage)) }
                                " "
                                button type="button" data-move="-1" aria-label=(t.s(F::MoveStepUp)) { "↑" }
                                button type="button" data-move="1" aria-label=(t.s(F::MoveStepDown)) { "↓" }
                                " "
                                button.danger type="button" data-api-delete={ "/api/v1/steps/" (s.id) } { (t.s(C::Delete)) }
                            }
                        }
                    }
                }
            }
            h3 { (t.s(F::AddAStep)) }
            form.api.inline data-api={ "/api/v1/funnels/" (f.id) "/steps" } data-method="POST" {
                label { (t.s(C::Name)) input name="name" required; }
                label { (t.s(F::Slug)) input name="slug" required pattern="[a-z0-9][a-z0-9-]{0,63}"; }
                label { (t.s(F::Kind)) select name="kind" { @for k in StepKind::ALL { option value=(k.as_str()) { (step_kind(k.as_str(), t.ja())) } } } }
                label { (t.s(F::RedirectUrl)) input name="redirect_url" type="url"; }
                button type="submit" { (t.s(F::AddStep)) }
                p.api-error role="alert" {}
            }
            h2 { (t.s(F::Edges)) }
            p.hint { (t.s(F::EdgesHint)) }
            ul {
                @for e in &edges {
                    li {
                        (step_name(e.from_step)) " → " (step_name(e.to_step)) (t.s(F::EdgeLine)) code { (condition_text(&e.condition)) }
                        (t.f(F::PriorityOf, &[&e.priority]))
                        button.danger type="button" data-api-delete={ "/api/v1/edges/" (e.id) } { (t.s(C::Delete)) }
                    }
                }
            }
            form.api.inline data-api={ "/api/v1/funnels/" (f.id) "/edges" } data-method="POST" data-edge {
                label { (t.s(F::From)) select name="from_step" data-type="int" { @for s in &steps { option value=(s.id) { (s.name) } } } }
                label { (t.s(F::To)) select name="to_step" data-type="int" { @for s in &steps { option value=(s.id) { (s.name) } } } }
                label { (t.s(F::When)) select name="type" {
                    option value="form_submitted" { (t.s(F::WhenForm)) }
                    option value="property" { (t.s(F::WhenProperty)) }
                    option value="event_occurred" { (t.s(F::WhenEvent)) }
                    option value="label" { (t.s(F::WhenLabel)) }
                    option value="always" { (t.s(F::WhenAlways)) }
                } }
                label { (t.s(F::Subject)) input name="subject"; }
                label { (t.s(F::Op)) select name="op" {
                    @for (o, k) in [("equals", F::OpEquals), ("not_equals", F::OpNotEquals), ("contains", F::OpContains), ("in", F::OpIn), ("gt", F::OpGt), ("lt", F::OpLt)] {
                        option value=(o) { (t.s(k)) }
                    }
                } }
                label { (t.s(F::Value)) input name="value"; }
                label { (t.s(F::Priority)) input name="priority" type="number" value="0" data-type="int"; }
                button type="submit" { (t.s(F::AddEdge)) }
                p.api-error role="alert" {}
            }
        },
    ))
}

fn condition_text(c: &Condition) -> String {
    serde_json::to_string(c).unwrap_or_default()
}

pub(crate) async fn builder(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Page {
    let step = st.app.builder.step(StepId(id)).await?;
    let f = st.app.builder.funnel(step.funnel_id).await?;
    let t = admin.tr;
    Ok(layout(
        t,
        &t.f(F::EditTitle, &[&step.name]),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/funnels/" (f.id) } { "← " (f.name) } }
            h1 { (t.s(F::PageTitle)) (step.name) }
            div #builder data-step=(step.id) data-public={ "/f/" (f.slug) "/" (step.slug) } {
                div.palette aria-label=(t.s(F::Blocks)) {
                    h2 { (t.s(F::Blocks)) }
                    p.hint { (t.s(F::BlocksHint)) }
                    @for (kind, label) in [("heading", F::BlockHeading), ("text", F::BlockText), ("image", F::BlockImage), ("video", F::BlockVideo),
                        ("button", F::BlockButton), ("form", F::BlockForm), ("countdown", F::BlockCountdown), ("html", F::BlockHtml), ("spacer", F::BlockSpacer)] {
                        button.palette-item type="button" draggable="true" data-add=(kind) { (t.s(label)) }
                    }
                    button type="button" #add-section { (t.s(F::AddSection)) }
                }
                div.canvas {
                    div.toolbar {
                        button type="button" #save { (t.s(F::Save)) }
                        button type="button" #publish { (t.s(F::Publish)) }
                        a href={ "/admin/steps/" (step.id) "/preview" } target="_blank" #preview-link { (t.s(F::OpenPreview)) }
                        span #status role="status" aria-live="polite" {}
                    }
                    div #sections {}
                    h2 { (t.s(F::CustomCss)) }
                    textarea #css rows="6" spellcheck="false" {}
                }
                div.props {
                    h2 { (t.s(F::Properties)) }
                    div #props { p.hint { (t.s(F::SelectBlock)) } }
                    h2 { (t.s(F::LivePreview)) }
                    iframe #preview title=(t.s(F::LivePreview)) sandbox="" {}
                }
            }
            script src="/admin/assets/builder.js" defer {}
        },
    ))
}

fn preview_html(st: &AppState, title: &str, draft: &PageDraft) -> Markup {
    render::page(&PageView {
        locale: Locale::Ja,
        title,
        draft,
        action: "#".into(),
        failed: None,
        utm: &Utm::default(),
        sanitizer: &st.sanitizer,
        tracking: None,
        now: unix_millis(),
        ticket: None,
    })
}

pub(crate) async fn preview(_: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>) -> Page {
    let step = st.app.builder.step(StepId(id)).await?;
    let page = st.app.builder.page(step.id).await?;
    Ok(preview_html(&st, &step.name, &page.draft))
}

/// Renders an unsaved draft for the builder's live preview (validated like a save).
pub(crate) async fn live_preview(_: ApiCaller, State(st): State<AppState>, ApiJson(d): ApiJson<PageDraft>) -> Result<Markup, FunnelError> {
    d.validate()?;
    Ok(preview_html(&st, "Preview", &d))
}

pub(crate) async fn report(admin: Admin, State(st): State<AppState>, ApiPath(id): ApiPath<i64>, ApiQuery(q): ApiQuery<ReportQuery>) -> Page {
    let f = st.app.builder.funnel(FunnelId(id)).await?;
    let (steps, r) = st.app.reports.report(&f, &q).await?;
    let top = r.steps.first().map_or(0, |s| s.visitors).max(1);
    let hours = r.window_ms / 3_600_000;
    let t = admin.tr;
    Ok(layout(
        t,
        &t.f(F::ReportTitle, &[&f.name]),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/funnels/" (f.id) } { "← " (f.name) } }
            h1 { (t.f(F::ReportTitle, &[&f.name])) }
            form method="get" {
                label { (t.s(F::WindowHours)) input name="window_hours" type="number" min="1" max="8784" value=(hours); }
                button type="submit" { (t.s(F::Update)) }
                " " a href={ "/api/v1/funnels/" (f.id) "/report?window_hours=" (hours) } { "JSON" }
                " · " a href={ "/api/v1/funnels/" (f.id) "/report.csv?window_hours=" (hours) } { "CSV" }
            }
            figure.chart {
                svg role="img" aria-label=(t.s(F::VisitorsPerStep)) viewBox={ "0 0 600 " (40 * steps.len().max(1) + 10) } width="100%" {
                    @for (i, (s, row)) in steps.iter().zip(&r.steps).enumerate() {
                        @let y = 40 * i + 5;
                        @let w = 380 * row.visitors / top;
                        text x="0" y=(y + 20) font-size="14" { (s.name) }
                        rect x="180" y=(y) width=(w.max(1)) height="28" fill="#c2410c" {}
                        text x=(185 + w) y=(y + 20) font-size="14" { (row.visitors) }
                    }
                }
            }
            table #report {
                thead { tr { th { (t.s(F::Step)) } th { (t.s(F::Visitors)) } th { (t.s(F::FromStart)) } th { (t.s(F::FromPrevious)) } th { (t.s(F::DropOff)) } } }
                tbody {
                    @for (s, row) in steps.iter().zip(&r.steps) {
                        tr {
                            td { (s.name) }
                            td.visitors { (row.visitors) }
                            td { (format!("{:.1}%", row.conversion_from_start * 100.0)) }
                            td { (format!("{:.1}%", row.conversion_from_previous * 100.0)) }
                            td { (row.drop_off) }
                        }
                    }
                }
            }
            p { (t.s(F::MedianTime))
                @match r.median_time_to_convert_ms { Some(ms) => { (t.f(C::Minutes, &[&format!("{:.1}", ms as f64 / 60_000.0)])) }, None => { "—" } } }
            h2 { (t.s(F::ByUtm)) }
            table #breakdown {
                thead { tr { th { (t.s(F::Dimension)) } th { (t.s(F::Value)) } @for s in &steps { th { (s.name) } } } }
                tbody {
                    @for b in &r.breakdown {
                        tr { td { (b.dimension) } td { (b.value) } @for n in &b.visitors { td { (n) } } }
                    }
                }
            }
        },
    ))
}

pub(crate) async fn contacts(admin: Admin, State(st): State<AppState>) -> Page {
    let cs = st.app.records.contacts(200, 0).await?;
    let t = admin.tr;
    Ok(layout(
        t,
        t.s(F::Contacts),
        Some(&admin.csrf),
        html! {
            h1 { (t.s(F::Contacts)) }
            @if cs.is_empty() { p { (t.s(F::NoContacts)) } }
            table {
                thead { tr { th { (t.s(C::Email)) } th { (t.s(C::Name)) } th { (t.s(F::Labels)) } th { (t.s(F::FirstTouch)) } } }
                tbody {
                    @for c in &cs {
                        tr {
                            td { (c.email) } td { (c.name.as_deref().unwrap_or("")) } td { (c.labels.join(", ")) }
                            td { (c.utm_first.source.as_deref().unwrap_or("")) " / " (c.utm_first.campaign.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        },
    ))
}

pub(crate) async fn tokens(admin: Admin, State(st): State<AppState>) -> Page {
    let ts = st.admin.tokens().await?;
    let t = admin.tr;
    Ok(layout(
        t,
        t.s(C::NavTokens),
        Some(&admin.csrf),
        html! {
            h1 { (t.s(C::NavTokens)) }
            @if ts.is_empty() { p { (t.s(F::NoTokens)) } }
            ul { @for tok in &ts { li { (tok.name) " " button.danger type="button" data-api-delete={ "/api/v1/tokens/" (tok.id) } { (t.s(F::Revoke)) } } } }
            form.api data-api="/api/v1/tokens" data-method="POST" data-show="token" {
                label { (t.s(C::Name)) input name="name" required maxlength="100"; }
                button type="submit" { (t.s(F::CreateToken)) }
                p.api-error role="alert" {}
                p.api-result {}
            }
        },
    ))
}
