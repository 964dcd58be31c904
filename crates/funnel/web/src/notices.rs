//! A running session's notices as server-sent events (a leaf module), for the room page and
//! the host console. Each viewer gets what it may see: an attendee's page gets messages as
//! [`attendee_view`]s (no other registrant's id), and a message it may not see (hidden, or
//! another registrant's question) as `removed`.

use axum::response::sse::{Event, KeepAlive, Sse};
use hikari_funnel_app::{AppError, Notice, Webinars};
use hikari_webinar::{Author, Message, Offer, Poll, PollState, SessionId, Viewer};
use serde_json::{Value, json};
use std::{convert::Infallible, time::Duration};
use tokio::sync::broadcast::error::RecvError;

/// How often an idle event stream sends a comment, so proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The session's notices as server-sent events: first its state and attendee count now,
/// then every change. A page that falls behind skips ahead (the next notice is current).
/// The state is read after subscribing, so no change falls between the two.
pub(crate) async fn stream(
    webinars: &Webinars,
    session: SessionId,
    viewer: Viewer,
) -> Result<Sse<impl futures_util::Stream<Item = Result<Event, Infallible>> + use<>>, AppError> {
    let hub = webinars.live();
    let rx = hub.subscribe(session);
    let state = webinars.session(session).await?.state;
    let mut first = vec![Notice::Attendees { count: hub.attendees(session) }, Notice::State { state }];
    // An attendee a host muted learns it first (a page opened after the mute).
    if let Viewer::Attendee(me) = viewer
        && hub.muted(session, me)
    {
        first.insert(0, Notice::Muted { registrant: me, muted: true });
    }
    let stream = futures_util::stream::unfold((first, rx), move |(mut first, mut rx)| async move {
        let notice = match first.pop() {
            Some(n) => n,
            None => loop {
                match rx.recv().await {
                    Ok(n) => break n,
                    Err(RecvError::Lagged(_)) => continue,
                    Err(RecvError::Closed) => return None,
                }
            },
        };
        // What this viewer may not see at all (a draft poll, for an attendee) sends a comment.
        let event = match for_viewer(notice, viewer) {
            Some(v) => Event::default().json_data(v).unwrap_or_else(|_| Event::default().comment("unserialisable notice")),
            None => Event::default().comment("-"),
        };
        Some((Ok(event), (first, rx)))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}

/// A message as an attendee's page shows it.
pub(crate) fn attendee_view(m: &Message, me: Viewer) -> Value {
    let mine = matches!((m.author, me), (Author::Attendee(a), Viewer::Attendee(b)) if a == b);
    json!({
        "id": m.id, "name": m.name, "kind": m.kind, "text": m.text, "at": m.at,
        "answered": m.answered, "highlighted": m.highlighted, "mine": mine, "host": matches!(m.author, Author::Host(_)),
    })
}

/// A poll as an attendee's page shows it: its votes only once it is closed; `mine` is the
/// registrant's own choice, when known.
pub(crate) fn poll_view(p: &Poll, mine: Option<usize>) -> Value {
    let votes = (p.state == PollState::Closed).then_some(&p.votes);
    json!({ "id": p.id, "question": p.question, "options": p.options, "state": p.state, "votes": votes, "mine": mine })
}

/// A pinned offer as an attendee's page shows it (its button goes through the server, so the
/// address itself is not sent).
pub(crate) fn offer_view(o: &Offer) -> Value {
    json!({ "id": o.id, "title": o.title, "price": o.price, "ends_at": o.ends_at, "stock": o.stock, "pinned": o.pinned })
}

/// A notice as `viewer` receives it (`None`: nothing it may see).
fn for_viewer(notice: Notice, viewer: Viewer) -> Option<Value> {
    Some(match (notice, viewer) {
        (Notice::Message { message }, Viewer::Attendee(_)) if message.visible_to(viewer) => {
            json!({ "type": "message", "message": attendee_view(&message, viewer) })
        }
        (Notice::Message { message }, Viewer::Attendee(_)) => json!({ "type": "removed", "id": message.id }),
        (Notice::Poll { poll }, Viewer::Attendee(_)) if poll.state == PollState::Draft => return None,
        (Notice::Poll { poll }, Viewer::Attendee(_)) => json!({ "type": "poll", "poll": poll_view(&poll, None) }),
        // An offer not pinned is the hosts' own: attendees only hear that it left the screen.
        (Notice::Offer { offer }, Viewer::Attendee(_)) if offer.pinned => json!({ "type": "offer", "offer": offer_view(&offer) }),
        (Notice::Offer { offer }, Viewer::Attendee(_)) => json!({ "type": "unpinned", "id": offer.id }),
        // Hands are the hosts' to see; a stage change only to the attendee it concerns.
        (Notice::Hand { .. }, Viewer::Attendee(_)) => return None,
        (Notice::Stage { registrant, on }, Viewer::Attendee(me)) if registrant == me => json!({ "type": "stage", "on": on }),
        (Notice::Stage { .. }, Viewer::Attendee(_)) => return None,
        (Notice::Muted { registrant, muted }, Viewer::Attendee(me)) if registrant == me => json!({ "type": "muted", "muted": muted }),
        (Notice::Muted { .. }, Viewer::Attendee(_)) => return None,
        (n, _) => serde_json::to_value(n).ok()?,
    })
}
