//! The funnel application layer, between the web front ends (public pages, admin pages, the
//! JSON API and, later, the MCP server) and the store.
//!
//! Use cases are plain async functions and small services over the store's narrow ports
//! (`FunnelRepo`, `ContactRepo`, `EventRepo`, `ExperimentRepo`): build funnels ([`builder`]),
//! resolve and view a public page ([`page_view`]), submit a form ([`submit`]), record beacon events ([`collect`]), the
//! funnel report ([`reports`]), experiments ([`experiments`], [`assign`], [`results`]), webinars and
//! their registrations and running sessions ([`webinars`], [`live`], [`chat`], [`polls`], [`offers`], [`session_report`]); the recordings library
//! ([`library`]) and the rooms ([`rooms`]) are ports the binary implements over the media half.
//! [`App::start`] wires them over a store and returns the [`Background`] tasks: the one event
//! writer ([`writer`]) and the experiment scheduler ([`scheduler`]), which the binary shuts
//! down after its servers stop.
//!
//! This crate knows nothing of HTTP or SQL. Every error is an [`AppError`]; the clock is read
//! here (through `hikari_common::clock`), never in the domain.
//!
//! Modules only reference modules that do not reference them back; this file only declares
//! and re-exports.

pub mod app;
pub mod assign;
pub mod background;
pub mod builder;
pub mod cache;
pub mod chat;
pub mod collect;
pub mod error;
pub mod experiments;
pub mod ids;
pub mod library;
pub mod live;
pub mod offers;
pub mod page_view;
pub mod polls;
pub mod records;
pub mod reports;
pub mod results;
pub mod rooms;
pub mod scheduler;
pub mod schema;
pub mod session_report;
pub mod stage;
pub mod submit;
pub mod target;
pub mod visit;
pub mod webinars;
pub mod writer;

pub use app::App;
pub use background::Background;
pub use builder::Builder;
pub use chat::Chat;
pub use error::AppError;
pub use experiments::{Change, Experiments};
pub use library::{RecordingEntry, RecordingLibrary};
pub use live::{LiveHub, Notice, StageState};
pub use offers::Offers;
pub use polls::{Polls, SeenPoll};
pub use reports::{ReportQuery, Reports};
pub use rooms::{EncoderAccess, EncoderFuture, EncoderInput, RoomAccess, RoomRole};
pub use session_report::SessionReports;
pub use stage::Stage;
pub use submit::Submitted;
pub use target::{Pages, Target};
pub use visit::Visit;
pub use webinars::{Booking, Pass, Plan, Ticket, Webinars};
pub use writer::{EventWriter, OnStored};
