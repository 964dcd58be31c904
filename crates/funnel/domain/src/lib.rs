//! The funnel domain: what a funnel is, independent of HTTP and SQL.
//!
//! A [`Funnel`] is a graph of [`Step`]s joined by [`Edge`]s that carry a [`Condition`].
//! Each step shows a [`Page`]: a versioned JSON tree of sections, columns and blocks, one of
//! which may be a [`Form`]. A submitted form is validated here ([`Form::validate`]) and turns a
//! visitor into a [`Contact`]. Everything a visitor does is an append-only [`Event`] named after
//! GA4 where GA4 has a name (`page_view`, `generate_lead`, ...), carrying first- and last-touch
//! [`Utm`] values. The [`report`] module computes the ordered funnel report from events.
//!
//! Invariants: this crate does no IO, reads no clock (times are `i64` Unix milliseconds passed
//! in by the caller) and depends on no runtime, web or database crate. Values that cross a trust
//! boundary are parsed into types whose constructors validate them (`Slug`, `Email`, `EventName`,
//! `VisitorId`, ...), so code holding one never re-checks it.

mod contact;
mod edge;
mod error;
mod event;
pub mod experiment;
mod form;
mod funnel;
mod i18n;
mod ids;
mod page;
pub mod report;

pub use contact::{Consent, Contact, ContactUpsert, Email, OptInState};
pub use edge::{CompareOp, Condition, Edge, NewEdge, RoutingContext, next_step};
pub use error::DomainError;
pub use event::{Event, EventId, EventName, SERVER_RECORDED, Utm, VisitorId, is_bot_user_agent};
pub use experiment::{Arm, ArmDay, Experiment, ExperimentId, Goal, NewExperiment};
pub use form::{Field, FieldError, FieldErrorCode, FieldKind, Form, ShowIf, Submission};
pub use funnel::{Funnel, NewFunnel, NewStep, Slug, Step, StepKind};
pub use i18n::{Locale, Msg};
pub use ids::{ContactId, EdgeId, FunnelId, StepId, TokenId, UserId};
pub use page::{Block, BlockKind, Column, Page, PageDraft, Section, check_url};

/// Upper bound on a page's JSON size, in bytes; enforced by the web layer on request bodies and
/// by [`Page::validate`] on the number of nodes.
pub const MAX_PAGE_BYTES: usize = 256 * 1024;
