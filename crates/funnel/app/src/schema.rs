//! JSON Schemas of the use cases' inputs and outputs, written once: the JSON API's OpenAPI
//! document (`/api/v1/openapi.json`) takes its `components.schemas` from [`components`], and
//! the MCP server's tool schemas are to be built from the same source. References between
//! schemas are written `#/components/schemas/<Name>`, as OpenAPI resolves them.

use serde_json::{Value, json};

/// Every schema, by name.
pub fn components() -> Value {
    let mut all = funnel();
    for more in [experiments(), webinars(), webinar_reports()] {
        if let (Some(all), Value::Object(more)) = (all.as_object_mut(), more) {
            all.extend(more);
        }
    }
    all
}

/// A reference to the schema `name`.
pub fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

/// An array of `name`.
pub fn list(name: &str) -> Value {
    json!({ "type": "array", "items": reference(name) })
}

/// A 64-bit integer (ids, times in ms).
pub fn int() -> Value {
    json!({ "type": "integer", "format": "int64" })
}

/// A value of JSON type `t`, or null.
pub fn nullable(t: &str) -> Value {
    json!({ "type": t, "nullable": true })
}

use reference as r;

/// First- or last-touch UTM values.
fn utm() -> Value {
    json!({ "type": "object", "properties": {
        "source": {"type": "string"}, "medium": {"type": "string"}, "campaign": {"type": "string"},
        "term": {"type": "string"}, "content": {"type": "string"}, "click_id": {"type": "string"} } })
}

/// The funnel builder's nouns: funnels, steps, edges, pages, contacts, events, the report, API tokens.
fn funnel() -> Value {
    let slug = json!({ "type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,63}$" });
    let name = json!({ "type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S" });
    let locale = json!({ "type": "string", "enum": ["ja", "en"], "nullable": true });
    let kinds = json!({ "type": "string", "enum": ["optin", "thankyou", "sales", "checkout", "upsell", "downsell",
        "webinar_register", "webinar_room", "replay", "redirect"] });
    let utm = utm();
    json!({
        "Error": { "type": "object", "required": ["error", "message"], "properties": {
            "error": { "type": "string" }, "message": { "type": "string" }, "current_version": int() } },
        "Funnel": { "type": "object", "required": ["id", "slug", "name", "locale", "created_at"], "properties": {
            "id": int(), "slug": slug, "name": { "type": "string" }, "locale": locale, "created_at": int() } },
        "NewFunnel": { "type": "object", "required": ["slug", "name"], "properties": {
            "slug": slug, "name": name, "locale": locale } },
        "FunnelPatch": { "type": "object", "required": ["name"], "properties": { "name": name, "locale": locale } },
        "Step": { "type": "object", "required": ["id", "funnel_id", "slug", "name", "kind", "position", "redirect_url"],
            "properties": { "id": int(), "funnel_id": int(), "slug": slug, "name": { "type": "string" }, "kind": kinds,
                "position": int(), "redirect_url": nullable("string") } },
        "NewStep": { "type": "object", "required": ["slug", "name", "kind"], "properties": {
            "slug": slug, "name": name, "kind": kinds,
            "redirect_url": { "type": "string", "nullable": true, "pattern": "^https?://[^\\s]+$" } } },
        "Order": { "type": "object", "required": ["order"], "properties": { "order": { "type": "array", "items": int() } } },
        "Condition": { "type": "object", "required": ["type"], "properties": {
            "type": { "type": "string", "enum": ["always", "form_submitted", "event_occurred", "property", "label"] },
            "form": nullable("string"), "name": { "type": "string" }, "field": { "type": "string" },
            "op": { "type": "string", "enum": ["equals", "not_equals", "contains", "in", "gt", "lt"] },
            "value": { "type": "string" }, "label": { "type": "string" } } },
        "Edge": { "type": "object", "required": ["id", "funnel_id", "from_step", "to_step", "condition", "priority"],
            "properties": { "id": int(), "funnel_id": int(), "from_step": int(), "to_step": int(),
                "condition": r("Condition"), "priority": int() } },
        "NewEdge": { "type": "object", "required": ["from_step", "to_step"], "properties": {
            "from_step": int(), "to_step": int(), "condition": r("Condition"), "priority": int() } },
        "Page": { "type": "object", "properties": { "sections": { "type": "array", "items": { "type": "object" } } },
            "description": "sections[] → columns[] → blocks[]; see docs/funnel.md for block types." },
        "PageDoc": { "type": "object", "required": ["version", "published_version", "page", "css"], "properties": {
            "version": int(), "published_version": { "type": "integer", "format": "int64", "nullable": true },
            "page": r("Page"), "css": { "type": "string" } } },
        "PageSave": { "type": "object", "required": ["version", "page"], "properties": {
            "version": int(), "page": r("Page"), "css": { "type": "string" } } },
        "Version": { "type": "object", "required": ["version"], "properties": { "version": int() } },
        "Published": { "type": "object", "required": ["published_version"], "properties": { "published_version": int() } },
        "Contact": { "type": "object", "required": ["id", "email", "labels", "consents", "opt_in", "created_at", "updated_at"],
            "properties": { "id": int(), "email": { "type": "string" }, "name": nullable("string"),
                "phone": nullable("string"), "labels": { "type": "array", "items": { "type": "string" } },
                "consents": { "type": "array", "items": { "type": "object", "properties": {
                    "text": { "type": "string" }, "at": int(), "source": { "type": "string" } } } },
                "opt_in": { "type": "string", "enum": ["none", "pending", "confirmed"] },
                "first_visitor": nullable("string"), "utm_first": utm, "utm_last": utm,
                "created_at": int(), "updated_at": int() } },
        "Event": { "type": "object", "required": ["id", "ts", "visitor", "session", "name", "props", "bot"],
            "properties": { "id": { "type": "string" }, "ts": int(), "visitor": { "type": "string" },
                "contact": { "type": "integer", "nullable": true }, "session": { "type": "string" },
                "funnel": { "type": "integer", "nullable": true }, "step": { "type": "integer", "nullable": true },
                "variant": nullable("string"), "name": { "type": "string" }, "props": {},
                "utm_first": utm, "utm_last": utm, "bot": { "type": "boolean" } } },
        "Report": { "type": "object", "required": ["window_ms", "steps", "median_time_to_convert_ms", "breakdown", "step_names"],
            "properties": { "window_ms": int(),
                "steps": { "type": "array", "items": { "type": "object",
                    "required": ["step", "visitors", "conversion_from_start", "conversion_from_previous", "drop_off"],
                    "properties": { "step": int(), "visitors": int(), "conversion_from_start": { "type": "number" },
                        "conversion_from_previous": { "type": "number" }, "drop_off": int() } } },
                "median_time_to_convert_ms": { "type": "integer", "nullable": true },
                "breakdown": { "type": "array", "items": { "type": "object", "required": ["dimension", "value", "visitors"],
                    "properties": { "dimension": { "type": "string", "enum": ["utm_source", "utm_campaign"] },
                        "value": { "type": "string" }, "visitors": { "type": "array", "items": int() } } } },
                "step_names": { "type": "array", "items": { "type": "string" } } } },
        "Token": { "type": "object", "required": ["id", "name", "created_at"], "properties": {
            "id": int(), "name": { "type": "string" }, "created_at": int() } },
        "NewToken": { "type": "object", "required": ["name"], "properties": {
            "name": { "type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S" } } },
        "IssuedToken": { "type": "object", "required": ["id", "name", "token"], "properties": {
            "id": int(), "name": { "type": "string" }, "token": { "type": "string" } } },
    })
}

fn num() -> Value {
    json!({ "type": "number", "nullable": true })
}

fn pair() -> Value {
    json!({ "type": "array", "items": num(), "nullable": true })
}

/// Experiments: arms, goals, results and the sufficient-statistics comparison.
fn experiments() -> Value {
    let arm = json!({ "type": "object", "required": ["name", "weight"], "properties": {
        "name": { "type": "string", "minLength": 1, "maxLength": 64, "pattern": "\\S" },
        "weight": { "type": "number", "minimum": 0 },
        "page": { "type": "integer", "format": "int64", "nullable": true },
        "next": { "type": "integer", "format": "int64", "nullable": true } } });
    let goal = json!({ "type": "object", "required": ["type", "event", "window_hours"], "properties": {
        "type": { "type": "string", "enum": ["conversion", "value"] },
        "event": { "type": "string", "pattern": "^[a-z][a-z0-9_]{0,39}$" },
        "window_hours": { "type": "integer", "minimum": 1, "maximum": 8760 },
        "min_value": { "type": "number", "nullable": true,
            "description": "conversion only: the visitor converts when its events' values in the window add up to this (e.g. webinar_left with 30: watched 30 minutes)" } } });
    let arm_result = json!({ "type": "object", "required": ["arm", "visitors", "mean", "chance_to_win", "risk", "uplift", "p_value", "ci"],
        "properties": { "arm": { "type": "string" }, "index": int(), "visitors": int(), "conversions": int(),
            "sum": num(), "sum_squares": num(), "mean": num(), "chance_to_win": num(), "risk": num(),
            "uplift": { "type": "object", "nullable": true, "properties": { "mean": num(), "ci": pair() } },
            "p_value": num(), "ci": pair() } });
    json!({
        "Arm": arm,
        "Goal": goal,
        "NewExperiment": { "type": "object", "required": ["name", "step", "arms", "goal"], "additionalProperties": false,
            "properties": { "name": { "type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S" }, "step": int(),
                "arms": { "type": "array", "minItems": 2, "maxItems": 10, "items": r("Arm") }, "goal": r("Goal"),
                "mode": { "type": "string", "enum": ["split", "bandit"] }, "auto_winner": { "type": "boolean" },
                "min_units_per_arm": { "type": "integer", "minimum": 1, "maximum": 1_000_000 } } },
        "Experiment": { "type": "object", "required": ["id", "funnel", "step", "name", "arms", "goal", "mode", "auto_winner",
            "min_units_per_arm", "status", "winner", "created_at"],
            "properties": { "id": int(), "funnel": int(), "step": int(), "name": { "type": "string" },
                "arms": list("Arm"), "goal": r("Goal"), "mode": { "type": "string", "enum": ["split", "bandit"] },
                "auto_winner": { "type": "boolean" }, "min_units_per_arm": int(),
                "status": { "type": "string", "enum": ["running", "stopped", "decided"] },
                "winner": { "type": "integer", "nullable": true }, "decision": { "nullable": true },
                "created_at": int(), "ended_at": { "type": "integer", "nullable": true } } },
        "ExperimentPatch": { "type": "object", "additionalProperties": false, "properties": {
            "weights": { "type": "array", "items": { "type": "number", "minimum": 0 } }, "auto_winner": { "type": "boolean" },
            "status": { "type": "string", "enum": ["stopped", "decided"] }, "winner": { "type": "integer", "minimum": 0 } } },
        "ArmResult": arm_result,
        "Results": { "type": "object", "required": ["arms", "overall"], "properties": {
            "id": int(), "name": { "type": "string" }, "metric": { "type": "string", "enum": ["binomial", "mean"] },
            "weights": { "type": "array", "items": { "type": "number" } }, "arms": list("ArmResult"),
            "overall": { "type": "object", "required": ["srm_p", "status", "winner"], "properties": {
                "srm_p": num(), "srm_warning": { "type": "boolean" },
                "status": { "type": "string", "enum": ["running", "stopped", "decided"] },
                "winner": { "type": "string", "nullable": true } } },
            "decision": { "nullable": true },
            "daily": { "type": "array", "items": { "type": "object" } } } },
        "ArmInput": { "type": "object", "required": ["n"], "additionalProperties": false, "properties": {
            "name": { "type": "string" }, "n": { "type": "integer", "minimum": 0 }, "conversions": { "type": "integer", "minimum": 0 },
            "sum": { "type": "number" }, "sum_squares": { "type": "number", "minimum": 0 } } },
        "CompareInput": { "type": "object", "required": ["arms"], "additionalProperties": false, "properties": {
            "arms": { "type": "array", "minItems": 2, "maxItems": 10, "items": r("ArmInput") },
            "weights": { "type": "array", "items": { "type": "number", "minimum": 0 } } } },
        "Comparison": { "type": "object", "required": ["arms", "srm_p"], "properties": {
            "arms": list("ArmResult"), "srm_p": num() } },
    })
}

/// Webinars, their schedules, sessions and registrants.
fn webinars() -> Value {
    let title = json!({ "type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S" });
    let zone = json!({ "type": "string", "description": "IANA time zone; Asia/Tokyo when absent", "example": "Asia/Tokyo" });
    let weekday = json!({ "type": "string", "enum": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] });
    let utm = utm();
    json!({
        "WeeklySlot": { "type": "object", "required": ["weekday", "time"], "additionalProperties": false, "properties": {
            "weekday": weekday, "time": { "type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$" } } },
        "Schedule": { "type": "object", "required": ["kind"], "properties": {
            "kind": { "type": "string", "enum": ["one_off", "weekly", "just_in_time", "on_demand"] },
            "slots": { "type": "array", "minItems": 1, "maxItems": 28, "items": r("WeeklySlot"), "description": "weekly only" },
            "every_minutes": { "type": "integer", "minimum": 5, "maximum": 1440, "description": "just_in_time only; divides 1440" },
            "lead_minutes": { "type": "integer", "minimum": 0, "maximum": 1440, "description": "just_in_time only" } } },
        "Reminder": { "type": "object", "required": ["at"], "additionalProperties": false,
            "description": "before: minutes before the start (1-20160); live: when it goes live; replay: minutes after the end (0-10080)",
            "properties": { "at": { "type": "string", "enum": ["before", "live", "replay"] }, "minutes": { "type": "integer", "minimum": 0, "maximum": 20160 } } },
        "NewWebinar": { "type": "object", "required": ["funnel", "title", "schedule"], "additionalProperties": false, "properties": {
            "funnel": int(), "title": title, "time_zone": zone, "duration_minutes": { "type": "integer", "minimum": 5, "maximum": 600, "default": 60 },
            "schedule": r("Schedule"),
            "reminders": { "type": "array", "maxItems": 12, "items": r("Reminder"), "description": "absent: the day before, 1 h before, 10 min before, live, replay 1 h after" } } },
        "Webinar": { "type": "object", "required": ["id", "funnel", "title", "time_zone", "duration_minutes", "schedule", "reminders", "created_at"], "properties": {
            "id": int(), "funnel": int(), "title": { "type": "string" }, "time_zone": { "type": "string" }, "duration_minutes": { "type": "integer" },
            "schedule": r("Schedule"), "reminders": list("Reminder"), "created_at": int() } },
        "SessionState": { "type": "string", "enum": ["scheduled", "backstage", "live", "ended"],
            "description": "scheduled → backstage → live → ended, forwards only; attendees connect only while live" },
        "WebinarSession": { "type": "object", "required": ["id", "webinar", "starts_at", "room", "state", "live_at", "ended_at"], "properties": {
            "id": int(), "webinar": int(), "starts_at": int(), "room": { "type": "string", "description": "the LiveKit room on this server" },
            "state": r("SessionState"), "live_at": nullable("integer"), "ended_at": nullable("integer") } },
        "WebinarSessionNow": { "allOf": [r("WebinarSession"), { "type": "object", "required": ["attendees"], "properties": {
            "attendees": { "type": "integer", "minimum": 0, "description": "registrants in the room now" } } }] },
        "NewSessionState": { "type": "object", "required": ["state"], "additionalProperties": false, "properties": { "state": r("SessionState") } },
        "Message": { "type": "object", "required": ["id", "session", "author", "name", "kind", "text", "at", "hidden", "answered", "highlighted"], "properties": {
            "id": int(), "session": int(),
            "author": { "type": "object", "description": "{\"attendee\": registrant id} or {\"host\": user id}", "properties": { "attendee": int(), "host": int() } },
            "name": { "type": "string" }, "kind": { "type": "string", "enum": ["chat", "question"] }, "text": { "type": "string" }, "at": int(),
            "hidden": { "type": "boolean" }, "answered": { "type": "boolean" }, "highlighted": { "type": "boolean" } } },
        "Moderation": { "type": "object", "additionalProperties": false, "properties": {
            "hidden": { "type": "boolean" }, "answered": { "type": "boolean" }, "highlighted": { "type": "boolean" } } },
        "PollState": { "type": "string", "enum": ["draft", "open", "closed"], "description": "draft → open → closed; one open poll per session" },
        "NewPoll": { "type": "object", "required": ["question", "options"], "additionalProperties": false, "properties": {
            "question": { "type": "string", "minLength": 1, "maxLength": 200, "pattern": "\\S" },
            "options": { "type": "array", "minItems": 2, "maxItems": 6, "uniqueItems": true, "items": { "type": "string", "minLength": 1, "maxLength": 100, "pattern": "\\S" } } } },
        "Poll": { "type": "object", "required": ["id", "session", "question", "options", "state", "votes"], "properties": {
            "id": int(), "session": int(), "question": { "type": "string" }, "options": { "type": "array", "items": { "type": "string" } },
            "state": r("PollState"), "votes": { "type": "array", "items": { "type": "integer" }, "description": "votes per option, in order" } } },
        "NewPollState": { "type": "object", "required": ["state"], "additionalProperties": false, "properties": { "state": r("PollState") } },
        "NewOffer": { "type": "object", "required": ["title", "url"], "additionalProperties": false, "properties": {
            "title": { "type": "string", "minLength": 1, "maxLength": 120, "pattern": "\\S" }, "price": { "type": "string", "maxLength": 60 },
            "url": { "type": "string", "description": "a path of this site (/f/…, gets the registrant's key as r) or an https:// address" },
            "ends_at": { "type": "integer", "description": "Unix ms: a countdown is shown" }, "stock": { "type": "integer", "minimum": 0 } } },
        "Offer": { "type": "object", "required": ["id", "session", "title", "price", "url", "ends_at", "stock", "pinned"], "properties": {
            "id": int(), "session": int(), "title": { "type": "string" }, "price": { "type": "string" }, "url": { "type": "string" },
            "ends_at": nullable("integer"), "stock": nullable("integer"), "pinned": { "type": "boolean" } } },
        "Pin": { "type": "object", "required": ["pinned"], "additionalProperties": false, "properties": { "pinned": { "type": "boolean" } } },
        "Attendance": { "type": "object", "required": ["first_joined_at", "in_room_since", "watched_ms"], "properties": {
            "first_joined_at": nullable("integer"), "in_room_since": nullable("integer"),
            "watched_ms": { "type": "integer", "minimum": 0, "description": "milliseconds in the room, finished stays" } } },
        "WebinarSessions": { "type": "object", "required": ["sessions", "upcoming"], "properties": {
            "sessions": list("WebinarSession"), "upcoming": { "type": "array", "items": int(), "description": "starts bookable now, Unix ms" } } },
        "NewWebinarSession": { "type": "object", "required": ["starts_at"], "additionalProperties": false, "properties": { "starts_at": int() } },
        "Registrant": { "type": "object", "required": ["id", "webinar", "session", "contact", "join_key", "visitor", "variant", "utm", "registered_at", "attendance"], "properties": {
            "id": int(), "webinar": int(), "session": int(), "contact": int(),
            "join_key": { "type": "string", "description": "the secret of the personal link /join/{join_key}" },
            "visitor": nullable("string"), "variant": nullable("string"), "utm": utm, "registered_at": int(), "attendance": r("Attendance") } },
    })
}

/// What webinar sessions report: the session's numbers and each registrant's; and the
/// encoder input of a session.
fn webinar_reports() -> Value {
    json!({
        "StageState": { "type": "object", "required": ["hands", "on_stage", "removed", "muted"], "properties": {
            "hands": { "type": "array", "description": "raised hands in order: [registrant id, name]",
                "items": { "type": "array", "items": {}, "minItems": 2, "maxItems": 2 } },
            "on_stage": { "type": "array", "items": int() }, "removed": { "type": "array", "items": int() },
            "muted": { "type": "array", "items": int() } } },
        "Mute": { "type": "object", "required": ["registrant", "muted"], "additionalProperties": false, "properties": {
            "registrant": int(), "muted": { "type": "boolean" } } },
        "StageChange": { "type": "object", "required": ["registrant", "on"], "additionalProperties": false, "properties": {
            "registrant": int(), "on": { "type": "boolean" } } },
        "Removal": { "type": "object", "required": ["registrant"], "additionalProperties": false, "properties": { "registrant": int() } },
        "EncoderInput": { "type": "object", "required": ["url", "stream_key", "srt_url"], "properties": {
            "url": { "type": "string", "description": "the server URL for the encoder (rtmp://host:1935/x)" },
            "stream_key": { "type": "string", "description": "secret: whoever has it can present" },
            "srt_url": nullable("string") } },
        "SessionReport": { "type": "object", "required": ["registrations", "attended", "show_up_rate", "watch_seconds_mean", "watch_seconds_median",
                "attendees_by_minute", "curve_starts_at", "activity", "offer_click_rate"], "properties": {
            "registrations": int(), "attended": int(), "show_up_rate": { "type": "number" },
            "watch_seconds_mean": { "type": "number" }, "watch_seconds_median": { "type": "number" },
            "attendees_by_minute": { "type": "array", "items": { "type": "integer" }, "description": "registrants in the room during each minute from curve_starts_at" },
            "curve_starts_at": nullable("integer"),
            "activity": { "type": "object", "additionalProperties": { "type": "integer" }, "description": "room events by name" },
            "offer_click_rate": { "type": "number", "description": "registrants who clicked an offer over those shown one" } } },
        "Segment": { "type": "string", "enum": ["no_show", "attended", "left_before_offer", "clicked_not_bought", "bought"],
            "description": "no_show: the session ended and it never joined; left_before_offer: it had left before the session's first offer appeared; \
    clicked_not_bought: clicked an offer, no purchase since registering" },
        "RegistrantReport": { "type": "object", "required": ["registrant", "contact", "registered_at", "variant", "timeline", "watched_seconds",
                "conduct", "engagement", "segments"], "properties": {
            "registrant": int(), "contact": int(), "registered_at": int(), "variant": nullable("string"),
            "timeline": { "type": "array", "description": "its stays in the room, in time order", "items": { "type": "object", "required": ["from", "to"],
                "properties": { "from": int(), "to": nullable("integer") } } },
            "watched_seconds": { "type": "integer", "minimum": 0 },
            "conduct": { "type": "object", "required": ["messages", "questions", "votes", "reactions", "offer_shown_at", "offer_clicked", "bought"], "properties": {
                "messages": int(), "questions": int(), "votes": int(), "reactions": int(), "offer_shown_at": nullable("integer"),
                "offer_clicked": { "type": "boolean" }, "bought": { "type": "boolean" } } },
            "engagement": { "type": "integer", "minimum": 0, "maximum": 100,
                "description": "watching the live part: up to 60; chat and questions 5 each up to 15; votes 5 each up to 10; reactions 1 each up to 5; an offer click 10" },
            "segments": { "type": "array", "items": r("Segment") } } },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every `$ref` names a schema that exists.
    #[test]
    fn references_resolve() {
        fn refs(v: &Value, out: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(s)) = m.get("$ref") {
                        out.push(s.trim_start_matches("#/components/schemas/").to_owned());
                    }
                    m.values().for_each(|v| refs(v, out));
                }
                Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let all = components();
        let mut names = Vec::new();
        refs(&all, &mut names);
        assert!(names.len() > 10);
        for n in names {
            assert!(all.get(&n).is_some(), "unresolved reference {n}");
        }
        for n in ["NewFunnel", "NewStep", "PageSave", "NewExperiment", "ExperimentPatch", "CompareInput"] {
            assert!(all.get(n).is_some(), "{n}");
        }
    }
}
