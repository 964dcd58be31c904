//! The admin frame every admin page renders into (a leaf module).

use maud::{DOCTYPE, Markup, html};

/// The admin frame; `csrf` is exposed to scripts in a meta tag when signed in.
pub(crate) fn layout(title: &str, csrf: Option<&str>, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(c) = csrf { meta name="csrf" content=(c); }
                title { (title) " · Hikari" }
                link rel="stylesheet" href="/admin/assets/admin.css";
                // In <head> so it runs before page scripts such as the builder (both deferred).
                script src="/admin/assets/admin.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/admin" { "Hikari funnels" }
                    @if let Some(c) = csrf {
                        nav {
                            a href="/admin" { "Funnels" }
                            a href="/admin/webinars" { "Webinars" }
                            a href="/admin/contacts" { "Contacts" }
                            a href="/admin/recordings" { "Recordings" }
                            a href="/admin/tokens" { "API tokens" }
                            form method="post" action="/admin/logout" {
                                input type="hidden" name="csrf" value=(c);
                                button.link type="submit" { "Sign out" }
                            }
                        }
                    }
                }
                main { (content) }
            }
        }
    }
}
