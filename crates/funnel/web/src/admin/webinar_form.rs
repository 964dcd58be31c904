//! The admin's form to create a webinar for a funnel (`/admin/webinars/new`): title, time
//! zone, length and schedule (sessions added by hand, weekly slots, just-in-time or on
//! demand). The values become the API's `NewWebinar` JSON, so the domain checks them the
//! same way; a refusal shows the form again with what was typed and which field is wrong.

use crate::{
    admin::{
        auth::{Admin, check_csrf},
        layout::layout,
        text::{problems::webinar_field, webinars::W},
    },
    error::HtmlError,
    state::AppState,
};
use axum::{
    Form,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
};
use hikari_funnel::{DomainError, Funnel};
use hikari_funnel_app::AppError;
use hikari_webinar::NewWebinar;
use maud::{Markup, html};
use serde_json::{Value, json};

/// The form's values as typed (kept verbatim for a re-render).
#[derive(Clone, Debug)]
struct Values {
    funnel: String,
    title: String,
    time_zone: String,
    duration: String,
    kind: String,
    /// Weekly slots, one per line: `monday 20:00` (also `mon 20:00`, `月 20:00`).
    slots: String,
    every: String,
    lead: String,
}

impl Default for Values {
    fn default() -> Self {
        Self {
            funnel: String::new(),
            title: String::new(),
            time_zone: "Asia/Tokyo".into(),
            duration: "60".into(),
            kind: "one_off".into(),
            slots: String::new(),
            every: "15".into(),
            lead: "5".into(),
        }
    }
}

/// What went wrong, and with which field.
#[derive(Debug)]
struct Problem {
    field: String,
    message: String,
}

/// The day names a slot line may start with: English (full or three letters) or Japanese.
fn weekday(word: &str) -> Option<&'static str> {
    const DAYS: [(&str, &str, &str); 7] = [
        ("monday", "mon", "月"),
        ("tuesday", "tue", "火"),
        ("wednesday", "wed", "水"),
        ("thursday", "thu", "木"),
        ("friday", "fri", "金"),
        ("saturday", "sat", "土"),
        ("sunday", "sun", "日"),
    ];
    let w = word.trim().to_lowercase();
    let w = w.trim_end_matches("曜日").trim_end_matches('曜');
    DAYS.iter().find(|(full, short, ja)| w == *full || w == *short || w == *ja).map(|(full, ..)| *full)
}

impl Values {
    fn parse(fields: &[(String, String)]) -> Self {
        let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
        Self {
            funnel: get("funnel"),
            title: get("title"),
            time_zone: get("time_zone"),
            duration: get("duration_minutes"),
            kind: get("kind"),
            slots: get("slots"),
            every: get("every_minutes"),
            lead: get("lead_minutes"),
        }
    }

    /// The `NewWebinar` these values describe (the domain checks the rest).
    fn to_new(&self) -> Result<NewWebinar, Problem> {
        let bad = |field: &str, message: &str| Problem { field: field.into(), message: message.into() };
        let funnel: i64 = self.funnel.parse().map_err(|_| bad("funnel", "choose a funnel"))?;
        let duration: u32 = self.duration.parse().map_err(|_| bad("duration_minutes", "enter whole minutes (5 to 600)"))?;
        let number = |v: &str, field: &str| v.parse::<u32>().map_err(|_| bad(field, "enter whole minutes"));
        let schedule = match self.kind.as_str() {
            "one_off" | "on_demand" => json!({ "kind": self.kind }),
            "weekly" => {
                let mut slots = Vec::new();
                for line in self.slots.lines().map(str::trim).filter(|l| !l.is_empty()) {
                    let (day, time) =
                        line.split_once(char::is_whitespace).ok_or_else(|| bad("schedule", &format!("{line:?}: write a day and a time, e.g. monday 20:00")))?;
                    let day = weekday(day).ok_or_else(|| bad("schedule", &format!("{line:?}: unknown day (monday … sunday, mon … sun, 月 … 日)")))?;
                    slots.push(json!({ "weekday": day, "time": time.trim() }));
                }
                json!({ "kind": "weekly", "slots": slots })
            }
            "just_in_time" => {
                json!({ "kind": "just_in_time", "every_minutes": number(&self.every, "schedule")?, "lead_minutes": number(&self.lead, "schedule")? })
            }
            _ => return Err(bad("schedule", "choose a schedule")),
        };
        let v: Value = json!({ "funnel": funnel, "title": self.title, "time_zone": self.time_zone, "duration_minutes": duration, "schedule": schedule });
        serde_json::from_value(v).map_err(|e| {
            let m = e.to_string();
            let field = if m.contains("time zone") { "time_zone" } else { "schedule" };
            bad(field, &m)
        })
    }
}

/// The refusal above the form: the field in words and what it takes (in Japanese, the
/// field's rule; the domain's own words when there is none).
fn problem_text(admin: &Admin, p: &Problem) -> String {
    let (field, rule) = webinar_field(&p.field, admin.tr.0);
    match (admin.tr.ja(), rule) {
        (true, Some(rule)) => format!("{field}：{rule}"),
        (true, None) => format!("{field}：{}", p.message),
        (false, _) => format!("{}: {}", p.field, p.message),
    }
}

fn page(admin: &Admin, funnels: &[Funnel], v: &Values, problem: Option<&Problem>) -> Markup {
    let bad = |f: &str| problem.is_some_and(|p| p.field == f || p.field.starts_with(&format!("{f}.")));
    let t = admin.tr;
    layout(
        t,
        t.s(W::NewWebinar),
        Some(&admin.csrf),
        html! {
            p { a href="/admin/webinars" { "← " (t.s(W::Webinars)) } }
            h1 { (t.s(W::NewWebinar)) }
            @if let Some(p) = problem { p.error #form-error role="alert" { (problem_text(admin, p)) } }
            form method="post" action="/admin/webinars/new" aria-describedby=[problem.map(|_| "form-error")] {
                input type="hidden" name="csrf" value=(admin.csrf);
                label { (t.s(W::Funnel)) " " select name="funnel" required aria-invalid=[bad("funnel").then_some("true")] {
                    option value="" { "—" }
                    @for f in funnels { option value=(f.id) selected[v.funnel == f.id.to_string()] { (f.name) " (/f/" (f.slug) ")" } }
                } }
                p.hint { (t.s(W::FunnelHint)) }
                label { (t.s(W::Title)) " " input name="title" required maxlength="200" value=(v.title) aria-invalid=[bad("title").then_some("true")]; }
                label { (t.s(W::TimeZone)) " " input name="time_zone" required list="zones" value=(v.time_zone) aria-invalid=[bad("time_zone").then_some("true")]; }
                datalist #zones { @for z in ["Asia/Tokyo", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "America/Los_Angeles", "America/New_York", "Europe/London", "UTC"] { option value=(z) {} } }
                label { (t.s(W::LengthMinutes)) input name="duration_minutes" type="number" min="5" max="600" required value=(v.duration)
                    aria-invalid=[bad("duration_minutes").then_some("true")]; }
                fieldset aria-invalid=[bad("schedule").then_some("true")] {
                    legend { (t.s(W::Schedule)) }
                    @for (kind, label) in [("one_off", W::OneOff), ("weekly", W::Weekly), ("just_in_time", W::JustInTime), ("on_demand", W::OnDemand)] {
                        label { input type="radio" name="kind" value=(kind) checked[v.kind == kind]; " " (t.s(label)) }
                    }
                    label { (t.s(W::WeeklyTimes)) textarea name="slots" rows="3" placeholder=(t.s(W::WeeklyPlaceholder)) { (v.slots) } }
                    label { (t.s(W::EveryMinutes)) input name="every_minutes" type="number" min="5" max="1440" value=(v.every); }
                    label { (t.s(W::LeadMinutes)) input name="lead_minutes" type="number" min="0" max="1440" value=(v.lead); }
                }
                button type="submit" { (t.s(W::CreateWebinar)) }
            }
        },
    )
}

/// `GET /admin/webinars/new`.
pub(crate) async fn form(admin: Admin, State(st): State<AppState>) -> Result<Markup, HtmlError> {
    let funnels = st.app.builder.funnels().await?;
    Ok(page(&admin, &funnels, &Values::default(), None))
}

/// `POST /admin/webinars/new`: creates the webinar and opens its page, or answers 422 (bad
/// input) / 409 (the funnel has one) with the form again.
pub(crate) async fn create(admin: Admin, State(st): State<AppState>, Form(fields): Form<Vec<(String, String)>>) -> Result<Response, HtmlError> {
    let csrf = fields.iter().find(|(k, _)| k == "csrf").map_or("", |(_, v)| v.as_str());
    check_csrf(&admin, csrf)?;
    let funnels = st.app.builder.funnels().await?;
    let values = Values::parse(&fields);
    let refused = |status: StatusCode, p: Problem| Ok((status, page(&admin, &funnels, &values, Some(&p))).into_response());
    let new = match values.to_new() {
        Ok(new) => new,
        Err(p) => return refused(StatusCode::UNPROCESSABLE_ENTITY, p),
    };
    match st.app.webinars.create(&new).await {
        Ok(w) => Ok(Redirect::to(&format!("/admin/webinars/{}", w.id)).into_response()),
        Err(AppError::Invalid(DomainError::Invalid { field, reason })) => refused(StatusCode::UNPROCESSABLE_ENTITY, Problem { field, message: reason }),
        Err(AppError::NotFound(m)) => refused(StatusCode::UNPROCESSABLE_ENTITY, Problem { field: "funnel".into(), message: format!("{m} not found") }),
        Err(AppError::Conflict(m)) => refused(StatusCode::CONFLICT, Problem { field: "funnel".into(), message: m }),
        Err(other) => Err(other.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(kind: &str, slots: &str) -> Values {
        Values { funnel: "3".into(), title: "売れるウェビナー".into(), kind: kind.into(), slots: slots.into(), ..Values::default() }
    }

    #[test]
    fn weekly_slots_are_read_in_english_or_japanese() {
        let new = values("weekly", "monday 20:00\n木 12:30\nSat 09:00\n").to_new().expect("valid");
        let json = serde_json::to_value(&new.schedule).expect("json");
        assert_eq!(json["slots"][1], json!({"weekday": "thursday", "time": "12:30"}));
        assert_eq!(json["slots"].as_array().map(Vec::len), Some(3));
        assert_eq!(weekday("水曜日"), Some("wednesday"));
        for bad in ["someday 20:00", "monday", "monday 25:00"] {
            assert!(values("weekly", bad).to_new().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_schedule_kind_and_bad_fields() {
        for kind in ["one_off", "on_demand", "just_in_time"] {
            assert!(values(kind, "").to_new().is_ok(), "{kind}");
        }
        let e = Values { funnel: String::new(), ..values("one_off", "") }.to_new().expect_err("refused");
        assert_eq!(e.field, "funnel");
        let e = Values { time_zone: "Mars/Base".into(), ..values("one_off", "") }.to_new().expect_err("refused");
        assert_eq!(e.field, "time_zone");
        assert!(values("monthly", "").to_new().is_err());
    }
}
