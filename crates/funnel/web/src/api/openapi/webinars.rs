//! The webinars part of the OpenAPI document.

use crate::api::openapi::parts::{body, list, op, q, r};
use serde_json::{Value, json};

pub(super) fn paths(ids: &[Value]) -> Value {
    let paging =
        [ids[0].clone(), q("limit", json!({ "type": "integer", "minimum": 0, "maximum": 1000, "default": 100 })), q("offset", json!({ "type": "integer" }))];
    let segment = [ids[0].clone(), q("segment", r("Segment"))];
    json!({
        "/api/v1/webinars": {
            "get": op("listWebinars", "All webinars, newest first", None, "200", Some(list("Webinar")), &[]),
            "post": op("createWebinar", "Create a funnel's webinar (one per funnel)", Some(body(r("NewWebinar"))), "201", Some(r("Webinar")), &[]),
        },
        "/api/v1/webinars/{id}": {
            "get": op("getWebinar", "One webinar", None, "200", Some(r("Webinar")), ids),
            "put": op("updateWebinar", "Replace title, time zone, duration and schedule", Some(body(r("NewWebinar"))), "200", Some(r("Webinar")), ids),
            "delete": op("deleteWebinar", "Delete with sessions and registrants (events stay)", None, "204", None, ids),
        },
        "/api/v1/webinars/{id}/sessions": {
            "get": op("listWebinarSessions", "Stored sessions and the starts bookable now", None, "200", Some(r("WebinarSessions")), ids),
            "post": op("addWebinarSession", "Add a session at a start (Unix ms, in the future)", Some(body(r("NewWebinarSession"))), "201", Some(r("WebinarSession")), ids),
        },
        "/api/v1/webinars/{id}/registrants": {
            "get": op("listRegistrants", "Registrants, newest first", None, "200", Some(list("Registrant")), &paging),
        },
        "/api/v1/sessions/{id}": {
            "get": op("getWebinarSession", "One session, with the attendees in its room now", None, "200", Some(r("WebinarSessionNow")), ids),
            "delete": op("deleteWebinarSession", "Delete a session nobody booked", None, "204", None, ids),
        },
        "/api/v1/sessions/{id}/messages": {
            "get": op("listWebinarMessages", "A session's latest messages, hidden ones included, oldest first", None, "200", Some(list("Message")), ids),
        },
        "/api/v1/messages/{id}": {
            "patch": op("moderateWebinarMessage", "Hide, answer or highlight a message", Some(body(r("Moderation"))), "200", Some(r("Message")), ids),
        },
        "/api/v1/sessions/{id}/polls": {
            "get": op("listPolls", "A session's polls with their votes", None, "200", Some(list("Poll")), ids),
            "post": op("createPoll", "Draft a poll", Some(body(r("NewPoll"))), "201", Some(r("Poll")), ids),
        },
        "/api/v1/polls/{id}/state": {
            "post": op("setPollState", "Open or close a poll (forwards only, one open per session)", Some(body(r("NewPollState"))), "200", Some(r("Poll")), ids),
        },
        "/api/v1/sessions/{id}/offers": {
            "get": op("listOffers", "A session's offers", None, "200", Some(list("Offer")), ids),
            "post": op("createOffer", "Write an offer (not pinned)", Some(body(r("NewOffer"))), "201", Some(r("Offer")), ids),
        },
        "/api/v1/offers/{id}/pin": {
            "post": op("pinOffer", "Pin an offer on every attendee's screen (unpinning the others), or unpin it", Some(body(r("Pin"))), "200", Some(r("Offer")), ids),
        },
        "/api/v1/sessions/{id}/report": {
            "get": op("getSessionReport", "Registrations, show-up, watch time, the attendees by minute and the room's activity", None, "200", Some(r("SessionReport")), ids),
        },
        "/api/v1/sessions/{id}/registrants": {
            "get": op("listSessionRegistrants", "Each registrant's watch timeline, activity, engagement score (0-100) and segments, most engaged first",
                None, "200", Some(list("RegistrantReport")), &segment),
        },
        "/api/v1/sessions/{id}/encoder": {
            "post": op("getWebinarEncoderInput", "The RTMP (and SRT) input an encoder such as OBS presents through in this session's room; made on the first call, the same afterwards (503 when ingress is off)",
                None, "200", Some(r("EncoderInput")), ids),
        },
        "/api/v1/sessions/{id}/stage": {
            "get": op("getWebinarStage", "Raised hands, attendees on stage, muted and removed attendees of a session", None, "200", Some(r("StageState")), ids),
            "post": op("setWebinarStage", "Bring a registrant on stage (it may publish camera and microphone) or send it back; the session must be live",
                Some(body(r("StageChange"))), "200", Some(r("StageState")), ids),
        },
        "/api/v1/sessions/{id}/mutes": {
            "post": op("muteWebinarAttendee", "Mute a registrant of a live session in the chat (it still watches, reacts and votes), or let it write again",
                Some(body(r("Mute"))), "200", Some(r("StageState")), ids),
        },
        "/api/v1/sessions/{id}/removals": {
            "post": op("removeWebinarAttendee", "Disconnect a registrant from a live session; refused a pass and the chat from then on",
                Some(body(r("Removal"))), "200", Some(r("StageState")), ids),
        },
        "/api/v1/sessions/{id}/state": {
            "post": op("setWebinarSessionState", "Move a session along its life (forwards only)", Some(body(r("NewSessionState"))), "200", Some(r("WebinarSession")), ids),
        },
    })
}
