//! The storage traits. Each is narrow and async; implementations are `Send + Sync` and cheap
//! to share behind an `Arc<dyn Store>`.

use crate::StoreError;
use async_trait::async_trait;
use hikari_funnel::{
    ArmDay, Contact, ContactId, ContactUpsert, Edge, EdgeId, Email, Event, Experiment, ExperimentId, Funnel, FunnelId, Locale, NewEdge, NewExperiment,
    NewFunnel, NewStep, PageDraft, Slug, Step, StepId, TokenId, UserId, VisitorId, experiment::Status, report::StepHit,
};

use hikari_webinar::{
    Attendance, JoinKey, Message, MessageId, Moderation, NewOffer, NewPoll, NewRegistrant, NewWebinar, Offer, OfferId, Poll, PollId, PollState, PostedMessage,
    Registrant, RegistrantId, Session as WebinarSession, SessionId, SessionState, Webinar, WebinarId,
};

type R<T> = Result<T, StoreError>;

/// A page's editing state.
#[derive(Clone, Debug, PartialEq)]
pub struct PageState {
    /// The working copy.
    pub draft: PageDraft,
    /// Bumped by every save; the compare-and-swap token.
    pub version: i64,
    /// The version visitors see, if published.
    pub published_version: Option<i64>,
}

/// A signed-in admin session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The user.
    pub user: UserId,
    /// The session's CSRF token.
    pub csrf: String,
}

/// An admin user's public record (its password hash is not in it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserInfo {
    /// Row id.
    pub id: UserId,
    /// The sign-in name.
    pub email: String,
    /// Unix ms.
    pub created_at: i64,
}

/// An API token's public record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenInfo {
    /// Row id.
    pub id: TokenId,
    /// Label.
    pub name: String,
    /// Unix ms.
    pub created_at: i64,
}

/// A filter on events.
#[derive(Clone, Debug, Default)]
pub struct EventQuery {
    /// Only this funnel.
    pub funnel: Option<FunnelId>,
    /// Only this contact.
    pub contact: Option<ContactId>,
    /// Only this visitor.
    pub visitor: Option<String>,
    /// Only this name.
    pub name: Option<String>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// Funnels, steps, edges and pages.
#[async_trait]
pub trait FunnelRepo: Send + Sync {
    /// Creates a funnel; `Conflict` if the slug is taken.
    async fn create_funnel(&self, new: &NewFunnel, now: i64) -> R<Funnel>;
    /// All funnels, newest first.
    async fn funnels(&self) -> R<Vec<Funnel>>;
    /// One funnel.
    async fn funnel(&self, id: FunnelId) -> R<Funnel>;
    /// One funnel by slug.
    async fn funnel_by_slug(&self, slug: &Slug) -> R<Funnel>;
    /// Renames a funnel and sets its forced locale.
    async fn update_funnel(&self, id: FunnelId, name: &str, locale: Option<Locale>) -> R<Funnel>;
    /// Deletes a funnel with its steps, edges and pages (events stay).
    async fn delete_funnel(&self, id: FunnelId) -> R<()>;
    /// Appends a step (with an empty page at version 1).
    async fn create_step(&self, funnel: FunnelId, new: &NewStep, now: i64) -> R<Step>;
    /// A funnel's steps by position.
    async fn steps(&self, funnel: FunnelId) -> R<Vec<Step>>;
    /// One step.
    async fn step(&self, id: StepId) -> R<Step>;
    /// Renumbers the steps of a funnel; `order` must list each step exactly once.
    async fn reorder_steps(&self, funnel: FunnelId, order: &[StepId]) -> R<()>;
    /// Deletes a step and its edges and page.
    async fn delete_step(&self, id: StepId) -> R<()>;
    /// Adds an edge between two steps of the funnel.
    async fn create_edge(&self, funnel: FunnelId, new: &NewEdge) -> R<Edge>;
    /// A funnel's edges.
    async fn edges(&self, funnel: FunnelId) -> R<Vec<Edge>>;
    /// Deletes an edge.
    async fn delete_edge(&self, id: EdgeId) -> R<()>;
    /// A step's page.
    async fn page(&self, step: StepId) -> R<PageState>;
    /// Saves the draft if the stored version is still `expected`; returns the new version.
    async fn save_page(&self, step: StepId, draft: &PageDraft, expected: i64, now: i64) -> R<i64>;
    /// Publishes the draft at version `expected`; returns the published version.
    async fn publish_page(&self, step: StepId, expected: i64, now: i64) -> R<i64>;
    /// The published page, if any.
    async fn published_page(&self, step: StepId) -> R<Option<(i64, PageDraft)>>;
}

/// Contacts.
#[async_trait]
pub trait ContactRepo: Send + Sync {
    /// Inserts or merges a contact by email and appends `events` (with the contact id set), in
    /// one transaction.
    async fn record_submission(&self, up: &ContactUpsert, events: Vec<Event>) -> R<Contact>;
    /// Contacts, newest first.
    async fn contacts(&self, limit: i64, offset: i64) -> R<Vec<Contact>>;
    /// One contact.
    async fn contact(&self, id: ContactId) -> R<Contact>;
    /// One contact by email.
    async fn contact_by_email(&self, email: &Email) -> R<Option<Contact>>;
}

/// The event log.
#[async_trait]
pub trait EventRepo: Send + Sync {
    /// Appends events, skipping ids already stored; returns how many were new.
    async fn append_events(&self, events: &[Event]) -> R<u64>;
    /// Events matching a filter, newest first.
    async fn events(&self, q: &EventQuery) -> R<Vec<Event>>;
    /// Non-bot `page_view` hits on a funnel's steps in `[since, until)`, for the report.
    async fn step_hits(&self, funnel: FunnelId, since: i64, until: i64) -> R<Vec<StepHit>>;
}

/// Admin users, sessions and API tokens. Secrets are stored only as hashes.
#[async_trait]
pub trait AdminRepo: Send + Sync {
    /// Creates a user; `Conflict` if the email is taken.
    async fn create_user(&self, email: &Email, password_hash: &str, now: i64) -> R<UserId>;
    /// A user's id and password hash.
    async fn user_by_email(&self, email: &Email) -> R<Option<(UserId, String)>>;
    /// How many users exist (0 enables the first-run page).
    async fn user_count(&self) -> R<i64>;
    /// Every user, oldest first.
    async fn users(&self) -> R<Vec<UserInfo>>;
    /// Stores a session.
    async fn create_session(&self, token_hash: &str, s: &Session, expires_at: i64) -> R<()>;
    /// A live session.
    async fn session(&self, token_hash: &str, now: i64) -> R<Option<Session>>;
    /// A user's chosen admin language (`None`: follow the browser).
    async fn user_language(&self, user: UserId) -> R<Option<Locale>>;
    /// Sets or clears a user's admin language; `NotFound` for an unknown user.
    async fn set_user_language(&self, user: UserId, language: Option<Locale>) -> R<()>;
    /// Ends a session.
    async fn delete_session(&self, token_hash: &str) -> R<()>;
    /// Stores an API token.
    async fn create_token(&self, name: &str, token_hash: &str, now: i64) -> R<TokenId>;
    /// Whether a token hash is valid.
    async fn token(&self, token_hash: &str) -> R<Option<TokenId>>;
    /// All tokens.
    async fn tokens(&self) -> R<Vec<TokenInfo>>;
    /// Revokes a token.
    async fn delete_token(&self, id: TokenId) -> R<()>;
}

/// Experiments, their sticky assignments and their per-arm statistics.
#[async_trait]
pub trait ExperimentRepo: Send + Sync {
    /// Creates an experiment on a step of `funnel` (validated and normalised first). The step
    /// and every arm's `page`/`next` step must belong to the funnel; `Conflict` when the step
    /// already has a live (running or decided) experiment.
    async fn create_experiment(&self, funnel: FunnelId, new: &NewExperiment, now: i64) -> R<Experiment>;
    /// A funnel's experiments, newest first.
    async fn experiments(&self, funnel: FunnelId) -> R<Vec<Experiment>>;
    /// One experiment.
    async fn experiment(&self, id: ExperimentId) -> R<Experiment>;
    /// The live (running or decided) experiment of a step, if any.
    async fn live_experiment(&self, step: StepId) -> R<Option<Experiment>>;
    /// Every running experiment (for the scheduler).
    async fn running_experiments(&self) -> R<Vec<Experiment>>;
    /// Replaces the weights (validated, normalised; one per arm) and/or the auto-winner
    /// switch. Assigned visitors keep their arm: assignments are never rewritten.
    async fn update_experiment(&self, id: ExperimentId, weights: Option<&[f64]>, auto_winner: Option<bool>) -> R<Experiment>;
    /// Ends a running experiment as `Decided` (with `winner`) or `Stopped`, recording the
    /// decision's numbers; a decided one may still be stopped. `Conflict` otherwise.
    async fn end_experiment(&self, id: ExperimentId, status: Status, winner: Option<usize>, decision: &serde_json::Value, now: i64) -> R<Experiment>;
    /// Deletes an experiment and its assignments (events stay).
    async fn delete_experiment(&self, id: ExperimentId) -> R<()>;
    /// The sticky assignment: stores `arm` for the visitor unless one is stored already, and
    /// returns the stored arm either way.
    async fn assign_visitor(&self, id: ExperimentId, visitor: &VisitorId, arm: usize, now: i64) -> R<usize>;
    /// The stored arm of a visitor, if assigned.
    async fn assignment(&self, id: ExperimentId, visitor: &VisitorId) -> R<Option<usize>>;
    /// Per arm and day of assignment: visitors, converters and value sums of the goal
    /// within its window (non-bot events only), computed in SQL.
    async fn arm_days(&self, exp: &Experiment) -> R<Vec<ArmDay>>;
}

/// Webinars, their sessions and registrants.
#[async_trait]
pub trait WebinarRepo: Send + Sync {
    /// Creates a webinar (validated first) for an existing funnel; `Conflict` when the funnel
    /// already has one.
    async fn create_webinar(&self, new: &NewWebinar, now: i64) -> R<Webinar>;
    /// Webinars, newest first.
    async fn webinars(&self) -> R<Vec<Webinar>>;
    /// One webinar.
    async fn webinar(&self, id: WebinarId) -> R<Webinar>;
    /// The webinar of a funnel, if it has one.
    async fn funnel_webinar(&self, funnel: FunnelId) -> R<Option<Webinar>>;
    /// Replaces a webinar's title, zone, duration and schedule (validated first; its funnel
    /// stays). Booked sessions keep their start.
    async fn update_webinar(&self, id: WebinarId, new: &NewWebinar) -> R<Webinar>;
    /// Deletes a webinar with its sessions and registrants (events stay).
    async fn delete_webinar(&self, id: WebinarId) -> R<()>;
    /// The session of `webinar` starting at `starts_at`, created (with its room) if absent.
    async fn webinar_session_at(&self, webinar: WebinarId, starts_at: i64) -> R<WebinarSession>;
    /// A webinar's sessions, by start.
    async fn webinar_sessions(&self, webinar: WebinarId) -> R<Vec<WebinarSession>>;
    /// One session.
    async fn webinar_session(&self, id: SessionId) -> R<WebinarSession>;
    /// Deletes a session that nobody booked; `Conflict` otherwise.
    async fn delete_webinar_session(&self, id: SessionId) -> R<()>;
    /// Books the contact on the session and appends `event` (its contact set), in one
    /// transaction; returns the registrant and `true`. A contact already booked on the session
    /// gets its existing registrant (the same join key) and `false`, and no event is stored.
    async fn register(&self, new: &NewRegistrant, event: &Event) -> R<(Registrant, bool)>;
    /// The registrant holding a join key.
    async fn registrant_by_key(&self, key: &JoinKey) -> R<Option<Registrant>>;
    /// Moves a session to `to` at `now` (Unix ms), if its lifecycle allows
    /// ([`SessionState::check`]: `Invalid` otherwise); sets when it went live and ended.
    async fn set_session_state(&self, id: SessionId, to: SessionState, now: i64) -> R<WebinarSession>;
    /// One registrant.
    async fn registrant(&self, id: RegistrantId) -> R<Registrant>;
    /// Replaces a registrant's attendance `before` with `after` and appends `event`, in one
    /// transaction; `false` (and nothing stored) when its attendance is no longer `before`
    /// (another change came first: read it again).
    async fn record_presence(&self, id: RegistrantId, before: &Attendance, after: &Attendance, event: &Event) -> R<bool>;
    /// A webinar's registrants, newest first.
    async fn registrants(&self, webinar: WebinarId, limit: i64, offset: i64) -> R<Vec<Registrant>>;
}

/// What people say in sessions' rooms.
#[async_trait]
pub trait ChatRepo: Send + Sync {
    /// Stores a message and, if given, its event, in one transaction.
    async fn post_message(&self, new: &PostedMessage, event: Option<&Event>) -> R<Message>;
    /// A session's latest `limit` messages (hidden ones included), oldest first.
    async fn messages(&self, session: SessionId, limit: i64) -> R<Vec<Message>>;
    /// Applies a host's moderation; returns the message after it.
    async fn moderate_message(&self, id: MessageId, m: &Moderation) -> R<Message>;
}

/// Polls in sessions' rooms and their votes.
#[async_trait]
pub trait PollRepo: Send + Sync {
    /// Drafts a poll (validated first) in a session.
    async fn create_poll(&self, session: SessionId, new: &NewPoll, now: i64) -> R<Poll>;
    /// A session's polls, oldest first, their votes counted.
    async fn polls(&self, session: SessionId) -> R<Vec<Poll>>;
    /// Moves a poll forwards (`Invalid` otherwise); opening one while another poll of its
    /// session is open is a `Conflict`. Returns it without its votes counted.
    async fn set_poll_state(&self, id: PollId, to: PollState) -> R<Poll>;
    /// Records a registrant's vote (`choice`, an option's index, already checked) with its
    /// event, in one transaction; `false` (nothing stored) if it had voted on this poll.
    async fn vote(&self, poll: PollId, registrant: RegistrantId, choice: usize, at: i64, event: &Event) -> R<bool>;
    /// A registrant's votes in a session: (poll, choice).
    async fn votes_of(&self, session: SessionId, registrant: RegistrantId) -> R<Vec<(PollId, usize)>>;
}

/// Offers in sessions' rooms.
#[async_trait]
pub trait OfferRepo: Send + Sync {
    /// Writes an offer (validated first), not pinned.
    async fn create_offer(&self, session: SessionId, new: &NewOffer, now: i64) -> R<Offer>;
    /// A session's offers, oldest first.
    async fn offers(&self, session: SessionId) -> R<Vec<Offer>>;
    /// Pins (one per session: the others are unpinned) or unpins an offer; returns every
    /// offer whose pin changed or that is the one named.
    async fn pin_offer(&self, id: OfferId, pinned: bool) -> R<Vec<Offer>>;
}

/// Everything the web layer needs.
pub trait Store: FunnelRepo + ContactRepo + EventRepo + AdminRepo + ExperimentRepo + WebinarRepo + ChatRepo + PollRepo + OfferRepo {}

impl<T: FunnelRepo + ContactRepo + EventRepo + AdminRepo + ExperimentRepo + WebinarRepo + ChatRepo + PollRepo + OfferRepo> Store for T {}
