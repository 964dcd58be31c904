//! The admin frame every admin page renders into: `<html lang>` in the admin's language, the
//! navigation with the language switch, and the strings the admin's scripts show (as JSON in
//! `#admin-text`, read by `assets/admin.js`).

use crate::admin::text::{
    Text as _, Tr,
    common::{C, Js},
};
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// The scripts' strings in the admin's language, as a JSON object safe inside `<script>`.
fn script_text(t: Tr) -> String {
    let map: serde_json::Map<String, serde_json::Value> = Js::ALL.iter().map(|k| (k.name().to_string(), k.get(t.0).into())).collect();
    // `<` escaped so no string can close the script element.
    serde_json::Value::Object(map).to_string().replace('<', "\\u003c")
}

/// The language switch: the user's setting, stored for their next visits too.
fn language_switch(t: Tr, csrf: &str) -> Markup {
    html! {
        form.inline.language method="post" action="/admin/language" {
            input type="hidden" name="csrf" value=(csrf);
            label { (t.s(C::Language)) " "
                select name="language" {
                    option value="auto" { (t.s(C::LanguageAuto)) }
                    option value="ja" lang="ja" selected[t.ja()] { "日本語" }
                    option value="en" lang="en" selected[!t.ja()] { "English" }
                }
            }
            " " button type="submit" { (t.s(C::LanguageSave)) }
        }
    }
}

/// The admin frame; `csrf` is exposed to scripts in a meta tag when signed in.
pub(crate) fn layout(t: Tr, title: &str, csrf: Option<&str>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(t.0.tag()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(c) = csrf { meta name="csrf" content=(c); }
                title { (t.f(C::TitleSuffix, &[&title])) }
                link rel="stylesheet" href="/admin/assets/admin.css";
                script #admin-text type="application/json" { (PreEscaped(script_text(t))) }
                // In <head> so it runs before page scripts such as the builder (both deferred).
                script src="/admin/assets/admin.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/admin" { (t.s(C::Brand)) }
                    @if let Some(c) = csrf {
                        nav {
                            a href="/admin" { (t.s(C::NavFunnels)) }
                            a href="/admin/webinars" { (t.s(C::NavWebinars)) }
                            a href="/admin/contacts" { (t.s(C::NavContacts)) }
                            a href="/admin/recordings" { (t.s(C::NavRecordings)) }
                            a href="/admin/tokens" { (t.s(C::NavTokens)) }
                            a href="/admin/team" { (t.s(C::NavTeam)) }
                            form method="post" action="/admin/logout" {
                                input type="hidden" name="csrf" value=(c);
                                button.link type="submit" { (t.s(C::SignOut)) }
                            }
                            (language_switch(t, c))
                        }
                    }
                }
                main { (content) }
            }
        }
    }
}
