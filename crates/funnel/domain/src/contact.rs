//! Contacts: visitors who left an email address.

use crate::{ContactId, DomainError, VisitorId};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A normalised email address: trimmed and lower-cased, one `@`, a dotted domain, at most 254
/// bytes. Normalising makes the address the contact's natural key.
#[derive(Clone, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses and normalises.
    pub fn parse(s: &str) -> Result<Self, DomainError> {
        let e = s.trim().to_lowercase();
        let bad = || DomainError::invalid("email", "not an email address");
        if e.len() > 254 || e.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"(),;:\\[]".contains(c)) {
            return Err(bad());
        }
        let (local, domain) = e.split_once('@').ok_or_else(bad)?;
        let labels_ok = domain.split('.').all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
        if local.is_empty() || local.len() > 64 || !domain.contains('.') || domain.contains('@') || !labels_ok {
            return Err(bad());
        }
        Ok(Self(e))
    }

    /// The address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Double opt-in state.
#[derive(Clone, Copy, Debug, Default, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptInState {
    /// No confirmation asked for.
    #[default]
    None,
    /// Confirmation mail sent, not yet clicked.
    Pending,
    /// Confirmed.
    Confirmed,
}

impl OptInState {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Pending => "pending",
            Self::Confirmed => "confirmed",
        }
    }

    /// Parses a stored name; unknown names read as `None`.
    pub fn parse(s: &str) -> Self {
        match s {
            "pending" => Self::Pending,
            "confirmed" => Self::Confirmed,
            _ => Self::None,
        }
    }
}

/// A consent the contact gave: what they agreed to, when, and where.
#[derive(Clone, Debug, Eq, PartialEq, Serialize, Deserialize)]
pub struct Consent {
    /// The consent text shown.
    pub text: String,
    /// When, Unix ms.
    pub at: i64,
    /// The form's page, as `funnel/step`.
    pub source: String,
}

/// A contact as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Contact {
    /// Row id.
    pub id: ContactId,
    /// Natural key.
    pub email: Email,
    /// Last name given.
    pub name: Option<String>,
    /// Last phone given.
    pub phone: Option<String>,
    /// Labels (tags), sorted, unique.
    pub labels: Vec<String>,
    /// Consents, oldest first.
    pub consents: Vec<Consent>,
    /// Double opt-in state.
    pub opt_in: OptInState,
    /// The visitor cookie that first submitted this address.
    pub first_visitor: Option<VisitorId>,
    /// First-touch UTM of that visitor, as JSON.
    pub utm_first: crate::Utm,
    /// Last-touch UTM at the latest submission.
    pub utm_last: crate::Utm,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub updated_at: i64,
}

/// An upsert by email: new values overwrite, absent values keep what is stored, labels and
/// consents accumulate.
#[derive(Clone, Debug, PartialEq)]
pub struct ContactUpsert {
    /// Natural key.
    pub email: Email,
    /// Name, if given.
    pub name: Option<String>,
    /// Phone, if given.
    pub phone: Option<String>,
    /// Labels to add.
    pub labels: Vec<String>,
    /// Consents to append.
    pub consents: Vec<Consent>,
    /// The submitting visitor.
    pub visitor: Option<VisitorId>,
    /// First-touch UTM (kept if the contact exists).
    pub utm_first: crate::Utm,
    /// Last-touch UTM (replaces).
    pub utm_last: crate::Utm,
    /// Unix ms.
    pub now: i64,
}

impl Contact {
    /// Applies an upsert to an existing contact.
    pub fn merge(&mut self, up: &ContactUpsert) {
        if up.name.is_some() {
            self.name.clone_from(&up.name);
        }
        if up.phone.is_some() {
            self.phone.clone_from(&up.phone);
        }
        for l in &up.labels {
            if !self.labels.contains(l) {
                self.labels.push(l.clone());
            }
        }
        self.labels.sort();
        self.consents.extend(up.consents.iter().cloned());
        if self.first_visitor.is_none() {
            self.first_visitor.clone_from(&up.visitor);
        }
        if self.utm_first.is_empty() {
            self.utm_first = up.utm_first.clone();
        }
        if !up.utm_last.is_empty() {
            self.utm_last = up.utm_last.clone();
        }
        self.updated_at = up.now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_normalises_and_refuses() {
        assert_eq!(Email::parse("  Taro@Example.JP ").map(|e| e.0), Ok("taro@example.jp".into()));
        for bad in ["", "a", "a@b", "@b.c", "a@@b.c", "a b@c.d", "a@.c", "<a@b.c>", "a@b..c"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }
}
