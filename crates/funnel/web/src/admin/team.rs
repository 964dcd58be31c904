//! The team: the admin users, each of whom may host (a co-host opens the same session's
//! console and presents beside the others), and a form that adds one.

use crate::{
    admin::{
        auth::Admin,
        layout::layout,
        text::{Tr, common::C},
    },
    error::HtmlError,
    security::create_user,
    state::AppState,
};
use axum::{
    Form,
    extract::State,
    response::{IntoResponse, Redirect, Response},
};
use maud::html;
use serde::Deserialize;

/// `GET /admin/team`.
pub(crate) async fn list(admin: Admin, State(st): State<AppState>) -> Result<Response, HtmlError> {
    let users = st.admin.users().await?;
    let t: Tr = admin.tr;
    Ok(layout(
        t,
        t.s(C::NavTeam),
        Some(&admin.csrf),
        html! {
            h1 { (t.s(C::NavTeam)) }
            p { (t.s(C::TeamIntro)) }
            table #team {
                thead { tr { th { (t.s(C::Email)) } th { (t.s(C::Added)) } } }
                tbody {
                    @for u in &users {
                        tr data-user=(u.id.0) {
                            td { (u.email) @if u.id == admin.user { " " (t.s(C::You)) } }
                            td { (t.when_local(u.created_at)) }
                        }
                    }
                }
            }
            h2 { (t.s(C::AddCohost)) }
            p.small { (t.s(C::AddCohostHint)) }
            form #add-cohost method="post" action="/admin/team" {
                input type="hidden" name="csrf" value=(admin.csrf);
                label { (t.s(C::Email)) input type="email" name="email" required maxlength="254" autocomplete="off"; }
                label { (t.s(C::Password)) input type="password" name="password" required minlength="8" maxlength="1024" autocomplete="new-password"; }
                button type="submit" { (t.s(C::AddCohost)) }
            }
        },
    )
    .into_response())
}

#[derive(Deserialize)]
pub(crate) struct NewUser {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// `POST /admin/team`: adds a user (CSRF checked; a bad email or short password is 400, a
/// taken email 409), then back to the list.
pub(crate) async fn add(admin: Admin, State(st): State<AppState>, Form(u): Form<NewUser>) -> Result<Response, HtmlError> {
    crate::admin::auth::check_csrf(&admin, &u.csrf)?;
    create_user(&*st.admin, &u.email, &u.password).await?;
    Ok(Redirect::to("/admin/team").into_response())
}
