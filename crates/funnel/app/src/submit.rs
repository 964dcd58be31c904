//! Submitting a form on a public page: the arm the visitor was served, the honeypot, field
//! validation, the lead event (with the contact, in one transaction, when there is an email)
//! and the next step.

use crate::{
    error::AppError,
    experiments::Experiments,
    ids::digest,
    target::Target,
    visit::Visit,
    webinars::{Plan, Webinars},
    writer::EventWriter,
};
use hikari_funnel::{Consent, ContactUpsert, EventName, FieldError, FieldErrorCode, StepKind};
use hikari_funnel_store::FunnelRepo;
use std::collections::HashMap;

/// What became of a submission.
#[derive(Debug)]
pub enum Submitted {
    /// The page served to this visitor has no form with the posted `_form` id.
    UnknownForm,
    /// Some fields are refused: show page `arm` again with the messages.
    Invalid {
        /// The arm whose page was served.
        arm: Option<usize>,
        /// The form's id.
        form: String,
        /// Per field, what is wrong.
        errors: Vec<FieldError>,
    },
    /// Stored (or a bot's honeypot, silently dropped): go to `location`.
    Next {
        /// The next step's public path.
        location: String,
    },
}

/// The ports a submission needs.
pub struct SubmitPorts<'a> {
    /// For the funnel's edges.
    pub funnels: &'a dyn FunnelRepo,
    /// For the arm the visitor was served.
    pub experiments: &'a Experiments,
    /// For the contact and its events.
    pub events: &'a EventWriter,
    /// For booking a webinar session on a `webinar_register` step.
    pub webinars: &'a Webinars,
}

/// Handles the posted fields `raw` (NUL characters already removed) of a form on `t`.
pub async fn submit(ports: &SubmitPorts<'_>, t: &Target, visit: &Visit, raw: &HashMap<String, String>, now: i64) -> Result<Submitted, AppError> {
    let arm = match &t.experiment {
        Some(e) => Some(ports.experiments.recorded_arm(e, visit).await?),
        None => None,
    };
    let page = t.page_of(arm);
    let form_id = raw.get("_form").cloned().unwrap_or_default();
    let Some(form) = page.page.form(&form_id).cloned() else {
        return Ok(Submitted::UnknownForm);
    };
    // A filled honeypot is a bot: act as if it worked, keep nothing.
    if raw.get("_hp").is_some_and(|v| !v.is_empty()) {
        return Ok(Submitted::Next { location: t.follow(arm, &[], &form_id, &Default::default(), &[], &[]) });
    }
    let sub = match form.validate(raw) {
        Ok(sub) => sub,
        Err(errors) => return Ok(Submitted::Invalid { arm, form: form_id, errors }),
    };
    // A registration books a contact on a session, checked before anything is stored:
    // without an email there is no one to book, and a start no longer offered is a field error.
    let booking = if t.step.kind == StepKind::WebinarRegister {
        let refuse = |field: &str, code| Ok(Submitted::Invalid { arm, form: form_id.clone(), errors: vec![FieldError { field: field.into(), code }] });
        match ports.webinars.plan(t.funnel.id, raw.get("session").map(String::as_str), now).await? {
            Plan::NoWebinar => None,
            Plan::NotOffered => return refuse("session", FieldErrorCode::InvalidOption),
            Plan::Book(_) if sub.email.is_none() => return refuse("email", FieldErrorCode::Required),
            Plan::Book(b) => Some(b),
        }
    } else {
        None
    };
    let name = form.event.as_deref().unwrap_or(t.step.kind.submit_event());
    let name: EventName = name.parse()?;
    let mut ev = visit.event(name.clone(), now);
    ev.funnel = Some(t.funnel.id);
    ev.step = Some(t.step.id);
    ev.variant = t.arm_name(arm);
    let public: serde_json::Map<String, serde_json::Value> =
        sub.values.iter().filter(|(k, _)| !matches!(k.as_str(), "email" | "name" | "phone")).map(|(k, v)| (k.clone(), v.clone().into())).collect();
    ev.props = serde_json::json!({ "form": form_id, "fields": public });
    let mut booked = None;
    let labels = match &sub.email {
        Some(email) => {
            // One lead per (funnel, step, email, UTC day): a re-submission updates the contact
            // but does not count twice (the store ignores a repeated event id).
            let key = format!("lead:{}:{}:{}:{}", t.funnel.id, t.step.id, email, now / 86_400_000);
            ev.id = digest(&key)[..32].parse()?;
            let source = format!("{}/{}", t.funnel.slug, t.step.slug);
            let up = ContactUpsert {
                email: email.clone(),
                name: sub.name.clone(),
                phone: sub.phone.clone(),
                labels: vec![format!("funnel:{}", t.funnel.slug)],
                consents: sub.consents.iter().map(|text| Consent { text: text.clone(), at: now, source: source.clone() }).collect(),
                visitor: Some(visit.visitor.clone()),
                utm_first: visit.utm_first.clone(),
                utm_last: visit.utm_last.clone(),
                now,
            };
            let contact = ports.events.submission(&up, vec![ev]).await?;
            if let Some(b) = booking {
                booked = Some(ports.webinars.book(t, arm, contact.id, visit, b, now).await?);
            }
            contact.labels
        }
        None => {
            ports.events.append(&[ev]).await?;
            Vec::new()
        }
    };
    let edges = ports.funnels.edges(t.funnel.id).await?;
    let mut location = t.follow(arm, &edges, &form_id, &sub.values, &[name.to_string()], &labels);
    if let Some(r) = booked {
        // The next step (the thank-you page) shows the registrant's ticket; without one, the
        // registrant's own page does.
        location = if location == t.path() { format!("/join/{}", r.join_key.as_str()) } else { format!("{location}?r={}", r.join_key.as_str()) };
    }
    Ok(Submitted::Next { location })
}
