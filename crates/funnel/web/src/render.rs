//! Visitor pages, rendered from the block tree. Text is escaped by maud; `html` blocks go
//! through ammonia; custom CSS was refused at save time if it contained `<`.

use hikari_funnel::{Block, BlockKind, FieldError, FieldKind, Form, Locale, Msg, PageDraft, Utm};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use std::collections::HashMap;

/// What a page render needs.
pub(crate) struct PageView<'a> {
    pub locale: Locale,
    pub title: &'a str,
    pub draft: &'a PageDraft,
    /// Where forms post.
    pub action: String,
    /// The form whose errors and values are shown, with them.
    pub failed: Option<(&'a str, &'a [FieldError], &'a HashMap<String, String>)>,
    pub utm: &'a Utm,
    pub sanitizer: &'a ammonia::Builder<'static>,
    /// `(funnel id, step id)` for the tracking script; `None` in previews.
    pub tracking: Option<(i64, i64)>,
    pub now: i64,
    /// A registrant's ticket, shown above the page (the thank-you step after a registration).
    pub ticket: Option<Markup>,
}

const BASE_CSS: &str = include_str!("../assets/page.css");

pub(crate) fn page(v: &PageView<'_>) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(v.locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (v.title) }
                style { (PreEscaped(BASE_CSS)) }
                @if !v.draft.css.is_empty() { style { (PreEscaped(&v.draft.css)) } }
            }
            body {
                main {
                    @if let Some(t) = &v.ticket { (t) }
                    @for s in &v.draft.page.sections {
                        section.section id={ "s-" (s.id) } {
                            div.row {
                                @for c in &s.columns {
                                    div.col style={ "flex-basis:" (c.width) "%" } {
                                        @for b in &c.blocks { (block(v, b)) }
                                    }
                                }
                            }
                        }
                    }
                }
                script src="/f/form.js" defer {}
                @if let Some((f, s)) = v.tracking {
                    script src="/f/t.js" defer data-funnel=(f) data-step=(s) {}
                }
            }
        }
    }
}

fn block(v: &PageView<'_>, b: &Block) -> Markup {
    let id = format!("b-{}", b.id);
    match &b.kind {
        BlockKind::Heading { text, level } => match level {
            1 => html! { h1 id=(id) { (text) } },
            2 => html! { h2 id=(id) { (text) } },
            3 => html! { h3 id=(id) { (text) } },
            4 => html! { h4 id=(id) { (text) } },
            5 => html! { h5 id=(id) { (text) } },
            _ => html! { h6 id=(id) { (text) } },
        },
        BlockKind::Text { text } => html! { p.text id=(id) { (text) } },
        BlockKind::Image { src, alt } => html! { img id=(id) src=(src) alt=(alt) loading="lazy"; },
        BlockKind::Video { src, title } => {
            let embed =
                ["https://www.youtube.com/embed/", "https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/"].iter().any(|p| src.starts_with(p));
            html! {
                div.video id=(id) {
                    @if embed {
                        iframe src=(src) title=(title) loading="lazy" allowfullscreen {}
                    } @else {
                        video src=(src) controls preload="metadata" aria-label=(title) {}
                    }
                }
            }
        }
        BlockKind::Button { label, href } => html! { p { a.btn id=(id) href=(href) { (label) } } },
        BlockKind::Form(f) => form(v, &b.id, f),
        BlockKind::Countdown { until, label } => {
            let left = (*until - v.now).max(0) / 1000;
            html! {
                div.countdown id=(id) data-until=(until) data-over=(v.locale.text(Msg::CountdownOver)) data-days=(v.locale.text(Msg::Days)) {
                    @if !label.is_empty() { span.label { (label) " " } }
                    @if left == 0 {
                        time { (v.locale.text(Msg::CountdownOver)) }
                    } @else {
                        time { (left / 86_400) (v.locale.text(Msg::Days)) " " (format!("{:02}:{:02}:{:02}", left / 3600 % 24, left / 60 % 60, left % 60)) }
                    }
                }
            }
        }
        BlockKind::Html { html: raw } => {
            html! { div.html id=(id) { (PreEscaped(v.sanitizer.clean(raw).to_string())) } }
        }
        BlockKind::Spacer { height } => {
            html! { div.spacer id=(id) style={ "height:" (height) "px" } {} }
        }
    }
}

fn form(v: &PageView<'_>, form_id: &str, f: &Form) -> Markup {
    let empty = HashMap::new();
    let (errors, values): (&[FieldError], &HashMap<String, String>) = match v.failed {
        Some((id, errs, vals)) if id == form_id => (errs, vals),
        _ => (&[], &empty),
    };
    let l = v.locale;
    let submit = if f.submit_label.is_empty() { l.text(Msg::Submit) } else { f.submit_label.as_str() };
    html! {
        form.funnel-form id={ "b-" (form_id) } method="post" action=(v.action) novalidate data-form {
            input type="hidden" name="_form" value=(form_id);
            div.hp aria-hidden="true" {
                label { "Leave this empty " input type="text" name="_hp" tabindex="-1" autocomplete="off"; }
            }
            div.form-error role="alert" hidden[errors.is_empty()] { (l.text(Msg::FixErrors)) }
            @for field in &f.fields {
                @let fid = format!("f-{form_id}-{}", field.name);
                @let eid = format!("e-{form_id}-{}", field.name);
                @let err = errors.iter().find(|e| e.field == field.name).map(|e| l.text(e.code.msg()));
                @let value = values.get(&field.name).map(String::as_str)
                    .or_else(|| v.utm.field(&field.name))
                    .unwrap_or(match &field.kind { FieldKind::Hidden { value } => value.as_str(), _ => "" });
                @let cond = field.show_if.as_ref();
                @if let FieldKind::Hidden { .. } = field.kind {
                    input type="hidden" name=(field.name) value=(value);
                } @else {
                    div.field
                        data-show-field=[cond.map(|c| &c.field)]
                        data-show-op=[cond.map(|c| c.op.as_str())]
                        data-show-value=[cond.map(|c| &c.value)]
                        data-msg-required=(l.text(if matches!(field.kind, FieldKind::Consent) { Msg::ConsentRequired } else { Msg::Required }))
                        data-msg-invalid=(l.text(match field.kind { FieldKind::Email => Msg::InvalidEmail, FieldKind::Tel => Msg::InvalidTel, _ => Msg::InvalidOption }))
                        data-msg-long=(l.text(Msg::TooLong)) {
                        @match &field.kind {
                            FieldKind::Checkbox | FieldKind::Consent => {
                                label.check for=(fid) {
                                    input id=(fid) type="checkbox" name=(field.name) value="on" required[field.required]
                                        checked[value == "true" || value == "on"] aria-invalid=[err.map(|_| "true")] aria-describedby=(eid);
                                    " " (field.label)
                                }
                            }
                            FieldKind::Select { options } => {
                                label for=(fid) { (field.label) @if field.required { span.req aria-hidden="true" { " *" } } }
                                select id=(fid) name=(field.name) required[field.required] aria-invalid=[err.map(|_| "true")] aria-describedby=(eid) {
                                    option value="" { "—" }
                                    @for o in options { option value=(o) selected[o == value] { (o) } }
                                }
                            }
                            kind => {
                                label for=(fid) { (field.label) @if field.required { span.req aria-hidden="true" { " *" } } }
                                input id=(fid) name=(field.name) value=(value) placeholder=(field.placeholder)
                                    type=(match kind { FieldKind::Email => "email", FieldKind::Tel => "tel", _ => "text" })
                                    autocomplete=(match field.name.as_str() { "email" => "email", "name" => "name", "phone" => "tel", _ => "on" })
                                    maxlength=(field.max_len.unwrap_or(500)) required[field.required]
                                    aria-invalid=[err.map(|_| "true")] aria-describedby=(eid);
                            }
                        }
                        p.err id=(eid) aria-live="polite" { @if let Some(m) = err { (m) } }
                    }
                }
            }
            button type="submit" { (submit) }
        }
    }
}

/// A localised "not found" page.
pub(crate) fn not_found(locale: Locale) -> Markup {
    simple(locale, locale.text(Msg::NotFound))
}

/// A one-message page in the visitor style.
pub(crate) fn simple(locale: Locale, message: &str) -> Markup {
    shell(locale, message, html! { section.section { p { (message) } } })
}

/// A visitor-style page around `body` (the pages Hikari writes itself, not the builder's).
pub(crate) fn shell(locale: Locale, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(locale.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(BASE_CSS)) }
            }
            body { main { (body) } }
        }
    }
}
