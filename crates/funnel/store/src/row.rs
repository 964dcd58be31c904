//! Reading rows without naming the dialect, and turning rows into domain values.

use crate::{PageState, StoreError};
use hikari_funnel::{Contact, ContactId, Edge, EdgeId, Email, Event, Funnel, FunnelId, Locale, OptInState, PageDraft, Step, StepId, Utm};
use sqlx::Row as _;

type R<T> = Result<T, StoreError>;

/// Typed column access shared by both dialects' rows.
pub(crate) trait RowExt {
    fn int(&self, col: &str) -> R<i64>;
    fn opt_int(&self, col: &str) -> R<Option<i64>>;
    fn text(&self, col: &str) -> R<String>;
    fn opt_text(&self, col: &str) -> R<Option<String>>;
    fn boolean(&self, col: &str) -> R<bool>;
    fn float(&self, col: &str) -> R<f64>;

    fn json<T: serde::de::DeserializeOwned>(&self, col: &str) -> R<T> {
        Ok(serde_json::from_str(&self.text(col)?)?)
    }
}

macro_rules! row_ext {
    ($row:ty) => {
        impl RowExt for $row {
            fn int(&self, col: &str) -> R<i64> {
                Ok(self.try_get(col)?)
            }
            fn opt_int(&self, col: &str) -> R<Option<i64>> {
                Ok(self.try_get(col)?)
            }
            fn text(&self, col: &str) -> R<String> {
                Ok(self.try_get(col)?)
            }
            fn opt_text(&self, col: &str) -> R<Option<String>> {
                Ok(self.try_get(col)?)
            }
            fn boolean(&self, col: &str) -> R<bool> {
                Ok(self.try_get(col)?)
            }
            fn float(&self, col: &str) -> R<f64> {
                Ok(self.try_get(col)?)
            }
        }
    };
}

row_ext!(sqlx::sqlite::SqliteRow);
row_ext!(sqlx::postgres::PgRow);

fn corrupt(e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

pub(crate) fn funnel(r: &impl RowExt) -> R<Funnel> {
    Ok(Funnel {
        id: FunnelId(r.int("id")?),
        slug: r.text("slug")?.parse().map_err(corrupt)?,
        name: r.text("name")?,
        locale: r.opt_text("locale")?.as_deref().and_then(Locale::parse),
        created_at: r.int("created_at")?,
    })
}

pub(crate) fn step(r: &impl RowExt) -> R<Step> {
    Ok(Step {
        id: StepId(r.int("id")?),
        funnel_id: FunnelId(r.int("funnel_id")?),
        slug: r.text("slug")?.parse().map_err(corrupt)?,
        name: r.text("name")?,
        kind: r.text("kind")?.parse().map_err(corrupt)?,
        position: r.int("position")?,
        redirect_url: r.opt_text("redirect_url")?,
    })
}

pub(crate) fn edge(r: &impl RowExt) -> R<Edge> {
    Ok(Edge {
        id: EdgeId(r.int("id")?),
        funnel_id: FunnelId(r.int("funnel_id")?),
        from_step: StepId(r.int("from_step")?),
        to_step: StepId(r.int("to_step")?),
        condition: r.json("condition")?,
        priority: r.int("priority")?,
    })
}

pub(crate) fn page(r: &impl RowExt) -> R<PageState> {
    Ok(PageState { draft: r.json::<PageDraft>("draft")?, version: r.int("version")?, published_version: r.opt_int("published_version")? })
}

pub(crate) fn contact(r: &impl RowExt) -> R<Contact> {
    Ok(Contact {
        id: ContactId(r.int("id")?),
        email: Email::parse(&r.text("email")?).map_err(corrupt)?,
        name: r.opt_text("name")?,
        phone: r.opt_text("phone")?,
        labels: r.json("labels")?,
        consents: r.json("consents")?,
        opt_in: OptInState::parse(&r.text("opt_in")?),
        first_visitor: r.opt_text("first_visitor")?.map(|v| v.parse()).transpose().map_err(corrupt)?,
        utm_first: r.json::<Utm>("utm_first")?,
        utm_last: r.json::<Utm>("utm_last")?,
        created_at: r.int("created_at")?,
        updated_at: r.int("updated_at")?,
    })
}

pub(crate) fn event(r: &impl RowExt) -> R<Event> {
    Ok(Event {
        id: r.text("id")?.parse().map_err(corrupt)?,
        ts: r.int("ts")?,
        visitor: r.text("visitor")?.parse().map_err(corrupt)?,
        contact: r.opt_int("contact_id")?.map(ContactId),
        session: r.text("session")?,
        funnel: r.opt_int("funnel_id")?.map(FunnelId),
        step: r.opt_int("step_id")?.map(StepId),
        variant: r.opt_text("variant")?,
        name: r.text("name")?.parse().map_err(corrupt)?,
        props: r.json("props")?,
        utm_first: r.json("utm_first")?,
        utm_last: r.json("utm_last")?,
        bot: r.boolean("bot")?,
    })
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> R<String> {
    serde_json::to_string(v).map_err(corrupt)
}

pub(crate) fn experiment(r: &impl RowExt) -> R<hikari_funnel::Experiment> {
    use hikari_funnel::{
        ExperimentId,
        experiment::{Mode, Status},
    };
    let status = r.text("status")?;
    Ok(hikari_funnel::Experiment {
        id: ExperimentId(r.int("id")?),
        funnel: FunnelId(r.int("funnel_id")?),
        step: StepId(r.int("step_id")?),
        name: r.text("name")?,
        arms: r.json("arms")?,
        goal: r.json("goal")?,
        mode: serde_json::from_value::<Mode>(serde_json::Value::String(r.text("mode")?))?,
        auto_winner: r.boolean("auto_winner")?,
        min_units_per_arm: r.int("min_units")?,
        status: Status::parse(&status).ok_or_else(|| corrupt(format!("experiment status {status:?}")))?,
        winner: r.opt_int("winner")?.map(|w| usize::try_from(w).unwrap_or(usize::MAX)),
        decision: r.opt_text("decision")?.map(|d| serde_json::from_str(&d)).transpose()?,
        created_at: r.int("created_at")?,
        ended_at: r.opt_int("ended_at")?,
    })
}
