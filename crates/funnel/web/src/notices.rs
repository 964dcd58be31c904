//! A running session's notices as server-sent events (a leaf module), for the room page and
//! the host console.

use axum::response::sse::{Event, KeepAlive, Sse};
use hikari_funnel_app::{AppError, Notice, Webinars};
use hikari_webinar::SessionId;
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
) -> Result<Sse<impl futures_util::Stream<Item = Result<Event, Infallible>> + use<>>, AppError> {
    let hub = webinars.live();
    let rx = hub.subscribe(session);
    let state = webinars.session(session).await?.state;
    let first = vec![Notice::Attendees { count: hub.attendees(session) }, Notice::State { state }];
    let stream = futures_util::stream::unfold((first, rx), |(mut first, mut rx)| async move {
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
        let event = Event::default().json_data(&notice).unwrap_or_else(|_| Event::default().comment("unserialisable notice"));
        Some((Ok(event), (first, rx)))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}
