//! The builder and admin pages under `/admin`. Pages are server-rendered; their forms and the
//! block builder call the JSON API with the session's CSRF token (see `assets/admin.js`).

pub(crate) mod auth;
mod chart;
mod chat;
mod errors;
mod experiment_form;
mod experiments;
mod layout;
mod recordings;
mod session_report;
mod team;
mod text;
mod views;
mod webinar_form;
mod webinars;

use crate::{assets, state::AppState};
use axum::{
    Router,
    routing::{get, post},
};

pub(crate) fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/admin", get(views::dashboard))
        .route("/admin/login", get(auth::login_form).post(auth::login))
        .route("/admin/setup", get(auth::setup_form).post(auth::setup))
        .route("/admin/logout", post(auth::logout))
        .route("/admin/language", post(auth::set_language))
        .route("/admin/funnels/{id}", get(views::funnel))
        .route("/admin/funnels/{id}/report", get(views::report))
        .route("/admin/funnels/{id}/experiments", get(experiments::list))
        .route("/admin/experiments/{id}", get(experiments::show))
        .route("/admin/experiments/{id}/stop", post(experiments::stop))
        .route("/admin/experiments/{id}/evaluate", post(experiments::evaluate))
        .route("/admin/steps/{id}/experiments/new", get(experiment_form::form).post(experiment_form::create))
        .route("/admin/steps/{id}/edit", get(views::builder))
        .route("/admin/steps/{id}/preview", get(views::preview))
        .route("/admin/preview", post(views::live_preview))
        .route("/admin/contacts", get(views::contacts))
        .route("/admin/tokens", get(views::tokens))
        .route("/admin/team", get(team::list).post(team::add))
        .route("/admin/recordings", get(recordings::list))
        .route("/admin/recordings/{id}", get(recordings::show))
        .route("/admin/recordings/{id}/delete", post(recordings::delete))
        .route("/admin/webinars", get(webinars::list))
        .route("/admin/webinars/new", get(webinar_form::form).post(webinar_form::create))
        .route("/admin/webinars/{id}", get(webinars::show))
        .route("/admin/webinars/{id}/sessions", post(webinars::prepare))
        .route("/admin/sessions/{id}/console", get(webinars::console))
        .route("/admin/sessions/{id}/state", post(webinars::set_state))
        .route("/admin/sessions/{id}/events", get(webinars::events))
        .route("/admin/sessions/{id}/report", get(session_report::show))
        .route("/admin/sessions/{id}/messages", get(chat::list).post(chat::say))
        .route("/admin/assets/console.js", get(assets::console_js))
        .route("/admin/assets/admin.js", get(assets::admin_js))
        .route("/admin/assets/builder.js", get(assets::builder_js))
        .route("/admin/assets/admin.css", get(assets::admin_css))
        .layer(axum::middleware::from_fn_with_state(state, errors::in_admin_language))
}
