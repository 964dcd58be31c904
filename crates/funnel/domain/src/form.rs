//! Forms: typed fields, conditional display and server-side validation.
//!
//! The browser mirrors these rules with a small script (the web layer renders the rules as
//! `required`, `type`, `maxlength` and `data-*` attributes), but this module is the authority.

use crate::{DomainError, Email, Msg, page::check_text};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Names a form field may not take: they carry the honeypot and form plumbing.
pub const RESERVED_FIELDS: [&str; 4] = ["_hp", "_form", "_t", "_csrf"];

/// A form.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Form {
    /// Fields, in display order.
    pub fields: Vec<Field>,
    /// Button label; defaults to the locale's "Submit".
    #[serde(default)]
    pub submit_label: String,
    /// Event recorded on submit; defaults to the step kind's event (`generate_lead`, ...).
    #[serde(default)]
    pub event: Option<String>,
}

/// One field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Field {
    /// Submitted name, `[a-z0-9_]{1,40}`. `email`, `name` and `phone` fill the contact.
    pub name: String,
    /// Visible label.
    #[serde(default)]
    pub label: String,
    /// The type and its options.
    #[serde(flatten)]
    pub kind: FieldKind,
    /// Must be filled (or ticked).
    #[serde(default)]
    pub required: bool,
    /// Maximum characters; default 500.
    #[serde(default)]
    pub max_len: Option<u32>,
    /// Placeholder text.
    #[serde(default)]
    pub placeholder: String,
    /// Show (and validate) only when another field matches.
    #[serde(default)]
    pub show_if: Option<ShowIf>,
}

/// Field types.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    /// Free text.
    Text,
    /// An email address.
    Email,
    /// A phone number.
    Tel,
    /// One of `options`.
    Select {
        /// The allowed values (also their labels).
        options: Vec<String>,
    },
    /// A yes/no box.
    Checkbox,
    /// A hidden value; `utm_*` names are filled from the visit.
    Hidden {
        /// Default value.
        #[serde(default)]
        value: String,
    },
    /// A consent box; its label is the consent text that gets recorded.
    Consent,
}

/// Conditional display.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShowIf {
    /// The controlling field.
    pub field: String,
    /// How to compare.
    pub op: ShowOp,
    /// The value to compare with.
    pub value: String,
}

/// Comparison for [`ShowIf`].
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShowOp {
    /// Exactly equal.
    Equals,
    /// Not equal.
    NotEquals,
    /// Substring.
    Contains,
}

impl ShowOp {
    /// The attribute value the browser script understands.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Equals => "equals",
            Self::NotEquals => "not_equals",
            Self::Contains => "contains",
        }
    }
}

/// Why one field was refused.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldErrorCode {
    /// Empty but required.
    Required,
    /// Not an email.
    InvalidEmail,
    /// Not a phone number.
    InvalidTel,
    /// Too long.
    TooLong,
    /// Not an option.
    InvalidOption,
    /// Consent missing.
    ConsentRequired,
}

impl FieldErrorCode {
    /// The message key.
    pub fn msg(self) -> Msg {
        match self {
            Self::Required => Msg::Required,
            Self::InvalidEmail => Msg::InvalidEmail,
            Self::InvalidTel => Msg::InvalidTel,
            Self::TooLong => Msg::TooLong,
            Self::InvalidOption => Msg::InvalidOption,
            Self::ConsentRequired => Msg::ConsentRequired,
        }
    }
}

/// A refused field.
#[derive(Clone, Debug, Eq, PartialEq, Serialize)]
pub struct FieldError {
    /// The field's name.
    pub field: String,
    /// Why.
    pub code: FieldErrorCode,
}

/// A validated submission.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Submission {
    /// The shown fields' trimmed values (checkboxes as `"true"`/`"false"`).
    pub values: BTreeMap<String, String>,
    /// The `email` field, normalised.
    pub email: Option<Email>,
    /// The `name` field.
    pub name: Option<String>,
    /// The `phone` field.
    pub phone: Option<String>,
    /// Consent texts the visitor agreed to.
    pub consents: Vec<String>,
}

impl Field {
    fn limit(&self) -> usize {
        self.max_len.map_or(500, |n| n as usize).min(5000)
    }

    fn is_shown(&self, raw: &HashMap<String, String>) -> bool {
        let Some(cond) = &self.show_if else {
            return true;
        };
        let v = raw.get(&cond.field).map(|s| s.trim()).unwrap_or("");
        match cond.op {
            ShowOp::Equals => v == cond.value,
            ShowOp::NotEquals => v != cond.value,
            ShowOp::Contains => v.contains(cond.value.as_str()),
        }
    }

    fn check(&self, raw: Option<&str>) -> Result<String, FieldErrorCode> {
        let v = raw.unwrap_or("").trim();
        match &self.kind {
            FieldKind::Checkbox | FieldKind::Consent => {
                let on = matches!(v, "on" | "true" | "1" | "yes");
                if self.required && !on {
                    return Err(if matches!(self.kind, FieldKind::Consent) { FieldErrorCode::ConsentRequired } else { FieldErrorCode::Required });
                }
                return Ok(on.to_string());
            }
            _ => {}
        }
        if v.is_empty() {
            return if self.required { Err(FieldErrorCode::Required) } else { Ok(String::new()) };
        }
        if v.chars().count() > self.limit() {
            return Err(FieldErrorCode::TooLong);
        }
        match &self.kind {
            FieldKind::Email => Email::parse(v).map(|e| e.as_str().to_owned()).map_err(|_| FieldErrorCode::InvalidEmail),
            FieldKind::Tel => {
                let digits = v.chars().filter(char::is_ascii_digit).count();
                let ok = (7..=20).contains(&digits) && v.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
                if ok { Ok(v.to_owned()) } else { Err(FieldErrorCode::InvalidTel) }
            }
            FieldKind::Select { options } => {
                if options.iter().any(|o| o == v) {
                    Ok(v.to_owned())
                } else {
                    Err(FieldErrorCode::InvalidOption)
                }
            }
            _ => Ok(v.to_owned()),
        }
    }
}

impl Form {
    /// Checks the form definition itself (names, options, conditions).
    pub fn validate_schema(&self, at: &str) -> Result<(), DomainError> {
        if self.fields.is_empty() || self.fields.len() > 50 {
            return Err(DomainError::invalid(format!("{at}.fields"), "use 1-50 fields"));
        }
        check_text(&format!("{at}.submit_label"), &self.submit_label)?;
        if let Some(e) = &self.event {
            e.parse::<crate::EventName>()?;
        }
        let mut names = HashSet::new();
        for (i, f) in self.fields.iter().enumerate() {
            let fat = format!("{at}.fields[{i}]");
            let ok = !f.name.is_empty()
                && f.name.len() <= 40
                && f.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                && !RESERVED_FIELDS.contains(&f.name.as_str());
            if !ok {
                return Err(DomainError::invalid(format!("{fat}.name"), "use 1-40 of a-z 0-9 _"));
            }
            if !names.insert(f.name.as_str()) {
                return Err(DomainError::invalid(format!("{fat}.name"), "duplicate field name"));
            }
            check_text(&format!("{fat}.label"), &f.label)?;
            check_text(&format!("{fat}.placeholder"), &f.placeholder)?;
            if let FieldKind::Select { options } = &f.kind
                && (options.is_empty() || options.len() > 100)
            {
                return Err(DomainError::invalid(format!("{fat}.options"), "use 1-100 options"));
            }
        }
        for (i, f) in self.fields.iter().enumerate() {
            if let Some(c) = &f.show_if
                && !names.contains(c.field.as_str())
            {
                let at = format!("{at}.fields[{i}].show_if.field");
                return Err(DomainError::invalid(at, "names no field of this form"));
            }
        }
        Ok(())
    }

    /// Validates submitted values. Fields hidden by `show_if` are neither checked nor kept.
    /// Returns every field error at once, in field order.
    pub fn validate(&self, raw: &HashMap<String, String>) -> Result<Submission, Vec<FieldError>> {
        let mut out = Submission::default();
        let mut errors = Vec::new();
        for f in self.fields.iter().filter(|f| f.is_shown(raw)) {
            match f.check(raw.get(&f.name).map(String::as_str)) {
                Ok(v) => {
                    if matches!(f.kind, FieldKind::Consent) && v == "true" {
                        out.consents.push(if f.label.is_empty() { f.name.clone() } else { f.label.clone() });
                    }
                    match (f.name.as_str(), &f.kind) {
                        ("email", FieldKind::Email) if !v.is_empty() => {
                            out.email = Email::parse(&v).ok();
                        }
                        ("name", _) if !v.is_empty() => out.name = Some(v.clone()),
                        ("phone", _) if !v.is_empty() => out.phone = Some(v.clone()),
                        _ => {}
                    }
                    out.values.insert(f.name.clone(), v);
                }
                Err(code) => errors.push(FieldError { field: f.name.clone(), code }),
            }
        }
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        serde_json::from_str(
            r#"{"fields":[
              {"name":"name","label":"お名前","type":"text","required":true},
              {"name":"email","label":"Email","type":"email","required":true},
              {"name":"plan","type":"select","options":["a","b"]},
              {"name":"company","type":"text","required":true,
               "show_if":{"field":"plan","op":"equals","value":"b"}},
              {"name":"agree","label":"I agree","type":"consent","required":true}]}"#,
        )
        .expect("fixture parses")
    }

    fn raw(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn reports_every_error() {
        let errs = form().validate(&raw(&[("email", "nope"), ("plan", "c")])).expect_err("invalid");
        let codes: Vec<_> = errs.iter().map(|e| (e.field.as_str(), e.code)).collect();
        assert_eq!(
            codes,
            [
                ("name", FieldErrorCode::Required),
                ("email", FieldErrorCode::InvalidEmail),
                ("plan", FieldErrorCode::InvalidOption),
                ("agree", FieldErrorCode::ConsentRequired),
            ]
        );
    }

    #[test]
    fn conditional_fields_follow_their_controller() {
        let f = form();
        let ok = f.validate(&raw(&[("name", " 山田 太郎 "), ("email", "A@Example.COM"), ("agree", "on")])).expect("valid");
        assert_eq!(ok.name.as_deref(), Some("山田 太郎"));
        assert_eq!(ok.email.as_ref().map(|e| e.as_str()), Some("a@example.com"));
        assert_eq!(ok.consents, ["I agree"]);
        let errs = f.validate(&raw(&[("name", "x"), ("email", "a@b.co"), ("agree", "on"), ("plan", "b")])).expect_err("company is required when shown");
        assert_eq!(errs[0].field, "company");
    }

    #[test]
    fn schema_refuses_bad_names() {
        let mut f = form();
        f.fields[0].name = "_hp".into();
        assert!(f.validate_schema("form").is_err());
        let mut f = form();
        f.fields[3].show_if.as_mut().expect("fixture has show_if").field = "ghost".into();
        assert!(f.validate_schema("form").is_err());
    }
}
