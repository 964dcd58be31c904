//! Admin pages.

use crate::{
    admin::{
        auth::{Admin, ApiCaller},
        layout::layout,
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
    Ok(layout(
        "Funnels",
        Some(&admin.csrf),
        html! {
            h1 { "Funnels" }
            @if funnels.is_empty() { p { "No funnels yet." } }
            ul.cards {
                @for f in &funnels {
                    li { a href={ "/admin/funnels/" (f.id) } { (f.name) } " " code { "/f/" (f.slug) } }
                }
            }
            h2 { "New funnel" }
            form.api data-api="/api/v1/funnels" data-method="POST" data-then="/admin/funnels/{id}" {
                label { "Name" input name="name" required maxlength="200"; }
                label { "Slug" input name="slug" required pattern="[a-z0-9][a-z0-9-]{0,63}" placeholder="spring-webinar"; }
                label { "Language" select name="locale" { option value="" { "Visitor's choice" } option value="ja" { "日本語" } option value="en" { "English" } } }
                button type="submit" { "Create funnel" }
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
    Ok(layout(
        &f.name,
        Some(&admin.csrf),
        html! {
            h1 { (f.name) }
            p { a href={ "/admin/funnels/" (f.id) "/report" } { "Report" } " · " a href={ "/admin/funnels/" (f.id) "/experiments" } { "Experiments" } }
            form.api.inline data-api={ "/api/v1/funnels/" (f.id) } data-method="PATCH" {
                label { "Name" input name="name" required maxlength="200" value=(f.name); }
                label { "Visitor language" select name="locale" {
                    option value="" selected[f.locale.is_none()] { "Visitor's choice" }
                    option value="ja" selected[f.locale == Some(Locale::Ja)] { "日本語" }
                    option value="en" selected[f.locale == Some(Locale::En)] { "English" }
                } }
                button type="submit" { "Save settings" }
                p.api-error role="alert" {}
            }
            h2 { "Steps" }
            table data-reorder={ "/api/v1/funnels/" (f.id) "/steps/order" } {
                thead { tr { th { "#" } th { "Name" } th { "Kind" } th { "Public URL" } th { "" } } }
                tbody {
                    @for s in &steps {
                        tr data-step=(s.id) {
                            td { (s.position) }
                            td { (s.name) }
                            td { (s.kind.as_str()) }
                            td { a href={ "/f/" (f.slug) "/" (s.slug) } { "/f/" (f.slug) "/" (s.slug) } }
                            td.actions {
                                a.button href={ "/admin/steps/" (s.id) "/edit" } { "Edit page" }
                                " "
                                button type="button" data-move="-1" aria-label="Move step up" { "↑" }
                                button type="button" data-move="1" aria-label="Move step down" { "↓" }
                                " "
                                button.danger type="button" data-api-delete={ "/api/v1/steps/" (s.id) } { "Delete" }
                            }
                        }
                    }
                }
            }
            h3 { "Add a step" }
            form.api.inline data-api={ "/api/v1/funnels/" (f.id) "/steps" } data-method="POST" {
                label { "Name" input name="name" required; }
                label { "Slug" input name="slug" required pattern="[a-z0-9][a-z0-9-]{0,63}"; }
                label { "Kind" select name="kind" { @for k in StepKind::ALL { option value=(k.as_str()) { (k.as_str()) } } } }
                label { "Redirect URL (redirect steps)" input name="redirect_url" type="url"; }
                button type="submit" { "Add step" }
                p.api-error role="alert" {}
            }
            h2 { "Edges" }
            p.hint { "After a form is submitted, the first matching edge (by priority) picks the next step; without one, the next step by position follows." }
            ul {
                @for e in &edges {
                    li {
                        (step_name(e.from_step)) " → " (step_name(e.to_step)) " when " code { (condition_text(&e.condition)) }
                        " (priority " (e.priority) ") "
                        button.danger type="button" data-api-delete={ "/api/v1/edges/" (e.id) } { "Delete" }
                    }
                }
            }
            form.api.inline data-api={ "/api/v1/funnels/" (f.id) "/edges" } data-method="POST" data-edge {
                label { "From" select name="from_step" data-type="int" { @for s in &steps { option value=(s.id) { (s.name) } } } }
                label { "To" select name="to_step" data-type="int" { @for s in &steps { option value=(s.id) { (s.name) } } } }
                label { "When" select name="type" {
                    option value="form_submitted" { "a form is submitted" }
                    option value="property" { "a field compares" }
                    option value="event_occurred" { "an event occurred" }
                    option value="label" { "the contact has a label" }
                    option value="always" { "always" }
                } }
                label { "Field / event / label" input name="subject"; }
                label { "Op" select name="op" { @for o in ["equals", "not_equals", "contains", "in", "gt", "lt"] { option { (o) } } } }
                label { "Value" input name="value"; }
                label { "Priority" input name="priority" type="number" value="0" data-type="int"; }
                button type="submit" { "Add edge" }
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
    Ok(layout(
        &format!("Edit {}", step.name),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/funnels/" (f.id) } { "← " (f.name) } }
            h1 { "Page: " (step.name) }
            div #builder data-step=(step.id) data-public={ "/f/" (f.slug) "/" (step.slug) } {
                div.palette aria-label="Blocks" {
                    h2 { "Blocks" }
                    p.hint { "Drag onto the page, or press to append." }
                    @for (t, label) in [("heading", "Heading"), ("text", "Text"), ("image", "Image"), ("video", "Video"),
                        ("button", "Button"), ("form", "Form"), ("countdown", "Countdown"), ("html", "HTML"), ("spacer", "Spacer")] {
                        button.palette-item type="button" draggable="true" data-add=(t) { (label) }
                    }
                    button type="button" #add-section { "+ Section" }
                }
                div.canvas {
                    div.toolbar {
                        button type="button" #save { "Save" }
                        button type="button" #publish { "Publish" }
                        a href={ "/admin/steps/" (step.id) "/preview" } target="_blank" #preview-link { "Open preview" }
                        span #status role="status" aria-live="polite" {}
                    }
                    div #sections {}
                    h2 { "Custom CSS" }
                    textarea #css rows="6" spellcheck="false" {}
                }
                div.props {
                    h2 { "Properties" }
                    div #props { p.hint { "Select a block." } }
                    h2 { "Live preview" }
                    iframe #preview title="Live preview" sandbox="" {}
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
    Ok(layout(
        &format!("Report: {}", f.name),
        Some(&admin.csrf),
        html! {
            p { a href={ "/admin/funnels/" (f.id) } { "← " (f.name) } }
            h1 { "Report: " (f.name) }
            form method="get" {
                label { "Conversion window (hours) " input name="window_hours" type="number" min="1" max="8784" value=(hours); }
                button type="submit" { "Update" }
                " " a href={ "/api/v1/funnels/" (f.id) "/report?window_hours=" (hours) } { "JSON" }
                " · " a href={ "/api/v1/funnels/" (f.id) "/report.csv?window_hours=" (hours) } { "CSV" }
            }
            figure.chart {
                svg role="img" aria-label="Visitors per step" viewBox={ "0 0 600 " (40 * steps.len().max(1) + 10) } width="100%" {
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
                thead { tr { th { "Step" } th { "Visitors" } th { "From start" } th { "From previous" } th { "Drop-off" } } }
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
            p { "Median time to convert: "
                @match r.median_time_to_convert_ms { Some(ms) => { (format!("{:.1} min", ms as f64 / 60_000.0)) }, None => { "—" } } }
            h2 { "By first-touch UTM" }
            table #breakdown {
                thead { tr { th { "Dimension" } th { "Value" } @for s in &steps { th { (s.name) } } } }
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
    Ok(layout(
        "Contacts",
        Some(&admin.csrf),
        html! {
            h1 { "Contacts" }
            table {
                thead { tr { th { "Email" } th { "Name" } th { "Labels" } th { "First touch" } } }
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
    Ok(layout(
        "API tokens",
        Some(&admin.csrf),
        html! {
            h1 { "API tokens" }
            ul { @for t in &ts { li { (t.name) " " button.danger type="button" data-api-delete={ "/api/v1/tokens/" (t.id) } { "Revoke" } } } }
            form.api data-api="/api/v1/tokens" data-method="POST" data-show="token" {
                label { "Name" input name="name" required maxlength="100"; }
                button type="submit" { "Create token" }
                p.api-error role="alert" {}
                p.api-result {}
            }
        },
    ))
}
