//! A visitor's form post on a public page: the `application/x-www-form-urlencoded` body
//! read the way the web layer reads it (axum's `Form`, i.e. `serde_urlencoded`, into a
//! `HashMap`, NUL characters removed), then `Form::validate` of one of a few forms with
//! every field kind. The first byte picks the form, the rest is the body. The same bytes
//! also go through what the public pages read from a visitor's request: the UTM query
//! (`Utm::from_query`), the UTM cookies (`serde_urlencoded` into `Utm`, written back the
//! same way), `Accept-Language` and the bot check.
//!
//! Nothing may panic, and a validated submission keeps the form's promises.

use std::collections::HashMap;

use hikari_funnel::{Email, FieldKind, Form, Locale, Utm, is_bot_user_agent};

const FORMS: [&str; 3] = [
    // The shape of an opt-in form: required text and email, a select, a field shown by
    // the select, a consent.
    r#"{"fields":[
        {"name":"name","label":"お名前","type":"text","required":true},
        {"name":"email","label":"Email","type":"email","required":true},
        {"name":"plan","type":"select","options":["a","b","pro plan"]},
        {"name":"company","type":"text","required":true,"show_if":{"field":"plan","op":"equals","value":"b"}},
        {"name":"agree","label":"I agree","type":"consent","required":true}]}"#,
    // Phone, checkboxes, hidden values, short limits and the other conditions.
    r#"{"fields":[
        {"name":"phone","type":"tel","required":true},
        {"name":"news","type":"checkbox"},
        {"name":"must","type":"checkbox","required":true},
        {"name":"utm_source","type":"hidden","value":"x"},
        {"name":"short","type":"text","max_len":5},
        {"name":"why","type":"text","required":true,"show_if":{"field":"short","op":"contains","value":"?"}},
        {"name":"other","type":"email","show_if":{"field":"phone","op":"not_equals","value":""}},
        {"name":"consent_b","type":"consent"}],"event":"sign_up"}"#,
    // One optional email with a limit above the cap, and a name.
    r#"{"fields":[
        {"name":"email","type":"email","max_len":100000},
        {"name":"name","type":"text","max_len":0}]}"#,
];

fn limit(max_len: Option<u32>) -> usize {
    max_len.map_or(500, |n| n as usize).min(5000)
}

fn check_submission(form: &Form, raw: &HashMap<String, String>) {
    match form.validate(raw) {
        Ok(sub) => {
            for name in sub.values.keys() {
                assert!(form.fields.iter().any(|f| &f.name == name), "a value for no field: {name:?}");
            }
            for f in &form.fields {
                let Some(v) = sub.values.get(&f.name) else { continue };
                match &f.kind {
                    FieldKind::Checkbox | FieldKind::Consent => {
                        assert!(v == "true" || v == "false", "{}: {v:?}", f.name);
                        assert!(!f.required || v == "true");
                    }
                    kind => {
                        assert_eq!(v.trim(), v, "{}: values are trimmed", f.name);
                        assert!(!f.required || !v.is_empty(), "{}: required", f.name);
                        assert!(v.chars().count() <= limit(f.max_len), "{}: too long", f.name);
                        match kind {
                            FieldKind::Select { options } => assert!(v.is_empty() || options.contains(v)),
                            FieldKind::Email if !v.is_empty() => {
                                let email = Email::parse(v).expect("a validated email parses again");
                                assert_eq!(email.as_str(), v, "a validated email is normalised");
                            }
                            _ => {}
                        }
                    }
                }
            }
            let email_value = sub.values.get("email").filter(|v| !v.is_empty());
            let email_field = form.fields.iter().any(|f| f.name == "email" && matches!(f.kind, FieldKind::Email));
            if email_field {
                assert_eq!(sub.email.as_ref().map(|e| e.as_str()), email_value.map(String::as_str), "the contact's email is the field's");
            }
            assert!(sub.consents.len() <= form.fields.iter().filter(|f| matches!(f.kind, FieldKind::Consent)).count());
        }
        Err(errors) => {
            assert!(!errors.is_empty());
            for e in &errors {
                assert!(form.fields.iter().any(|f| f.name == e.field), "an error for no field: {:?}", e.field);
            }
        }
    }
}

/// What the public pages read from the request besides the form.
fn visitor_request(bytes: &[u8]) {
    if let Ok(query) = serde_urlencoded::from_bytes::<HashMap<String, String>>(bytes) {
        let utm = Utm::from_query(&query);
        for v in [&utm.source, &utm.medium, &utm.campaign, &utm.term, &utm.content].into_iter().flatten() {
            assert!(!v.is_empty() && v.chars().count() <= 200 && !v.chars().any(char::is_control), "{v:?}");
        }
        assert_utm_cookie_round_trip(&utm);
    }
    // A UTM cookie as the visitor sent it back.
    if let Ok(utm) = serde_urlencoded::from_bytes::<Utm>(bytes) {
        assert_utm_cookie_round_trip(&utm);
    }
    let header = String::from_utf8_lossy(bytes);
    let _: Locale = Locale::from_accept_language(&header);
    let _ = Locale::parse(&header);
    let _ = is_bot_user_agent(&header);
}

/// The UTM cookies are written with `serde_urlencoded::to_string` and read with `from_str`.
fn assert_utm_cookie_round_trip(utm: &Utm) {
    let cookie = serde_urlencoded::to_string(utm).expect("a UTM cookie encodes");
    let back: Utm = serde_urlencoded::from_str(&cookie).expect("a UTM cookie decodes");
    assert_eq!(&back, utm, "UTM cookie round trip through {cookie:?}");
}

pub fn run(data: &[u8]) {
    let Some((&which, body)) = data.split_first() else { return };
    let form: Form = serde_json::from_str(FORMS[usize::from(which) % FORMS.len()]).expect("a fixture form parses");
    assert!(form.validate_schema("form").is_ok(), "fixture forms are valid");
    if let Ok(mut raw) = serde_urlencoded::from_bytes::<HashMap<String, String>>(body) {
        raw.values_mut().for_each(|v| v.retain(|c| c != '\0'));
        check_submission(&form, &raw);
    }
    visitor_request(body);
}
