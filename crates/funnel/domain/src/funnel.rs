//! Funnels and their steps.

use crate::{DomainError, FunnelId, Locale, StepId};
use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// A URL-safe name: 1 to 64 of `a-z`, `0-9` and `-`, not starting with `-`.
#[derive(Clone, Debug, Eq, Hash, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Slug(String);

impl Slug {
    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Slug {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        let ok = !s.is_empty() && s.len() <= 64 && !s.starts_with('-') && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok { Ok(Self(s.to_owned())) } else { Err(DomainError::invalid("slug", "use 1-64 characters: a-z, 0-9 and '-'")) }
    }
}

impl TryFrom<String> for Slug {
    type Error = DomainError;
    fn try_from(s: String) -> Result<Self, DomainError> {
        s.parse()
    }
}

impl From<Slug> for String {
    fn from(s: Slug) -> String {
        s.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a step is for. It decides the default event a form on it emits and how reports label it.
#[derive(Clone, Copy, Debug, Eq, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// Lead capture.
    Optin,
    /// After a form.
    Thankyou,
    /// Sales letter.
    Sales,
    /// Payment.
    Checkout,
    /// One-click upsell.
    Upsell,
    /// Downsell after a declined upsell.
    Downsell,
    /// Webinar registration.
    WebinarRegister,
    /// The live room.
    WebinarRoom,
    /// Replay page.
    Replay,
    /// Sends the visitor elsewhere.
    Redirect,
}

impl StepKind {
    /// Every kind, in display order.
    pub const ALL: [StepKind; 10] = [
        Self::Optin,
        Self::Thankyou,
        Self::Sales,
        Self::Checkout,
        Self::Upsell,
        Self::Downsell,
        Self::WebinarRegister,
        Self::WebinarRoom,
        Self::Replay,
        Self::Redirect,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Optin => "optin",
            Self::Thankyou => "thankyou",
            Self::Sales => "sales",
            Self::Checkout => "checkout",
            Self::Upsell => "upsell",
            Self::Downsell => "downsell",
            Self::WebinarRegister => "webinar_register",
            Self::WebinarRoom => "webinar_room",
            Self::Replay => "replay",
            Self::Redirect => "redirect",
        }
    }

    /// The GA4 (or namespaced) event a form submitted on this step records.
    pub fn submit_event(self) -> &'static str {
        match self {
            Self::WebinarRegister => "sign_up",
            Self::Checkout => "begin_checkout",
            _ => "generate_lead",
        }
    }
}

impl FromStr for StepKind {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, DomainError> {
        Self::ALL.into_iter().find(|k| k.as_str() == s).ok_or_else(|| DomainError::invalid("kind", format!("unknown step kind {s:?}")))
    }
}

/// A funnel as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Funnel {
    /// Row id.
    pub id: FunnelId,
    /// URL name, unique.
    pub slug: Slug,
    /// Display name.
    pub name: String,
    /// Forces the visitor UI language; `None` follows `Accept-Language`.
    pub locale: Option<Locale>,
    /// Creation time, Unix ms.
    pub created_at: i64,
}

/// What it takes to create a funnel.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct NewFunnel {
    /// URL name, unique.
    pub slug: Slug,
    /// Display name, 1-200 characters.
    pub name: String,
    /// Optional forced language.
    #[serde(default)]
    pub locale: Option<Locale>,
}

impl NewFunnel {
    /// Checks the name.
    pub fn validate(&self) -> Result<(), DomainError> {
        check_name(&self.name)
    }
}

/// A step as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// Row id.
    pub id: StepId,
    /// Owning funnel.
    pub funnel_id: FunnelId,
    /// URL name, unique within the funnel.
    pub slug: Slug,
    /// Display name.
    pub name: String,
    /// What the step is for.
    pub kind: StepKind,
    /// Order in the funnel (and in reports), ascending.
    pub position: i64,
    /// For `redirect` steps: where to send the visitor.
    pub redirect_url: Option<String>,
}

/// What it takes to create a step.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct NewStep {
    /// URL name.
    pub slug: Slug,
    /// Display name.
    pub name: String,
    /// What the step is for.
    pub kind: StepKind,
    /// For `redirect` steps.
    #[serde(default)]
    pub redirect_url: Option<String>,
}

impl NewStep {
    /// Checks the name and the redirect target.
    pub fn validate(&self) -> Result<(), DomainError> {
        check_name(&self.name)?;
        if let Some(url) = &self.redirect_url {
            crate::page::check_url("redirect_url", url)?;
        }
        Ok(())
    }
}

fn check_name(name: &str) -> Result<(), DomainError> {
    let n = name.trim().chars().count();
    if n == 0 || n > 200 {
        return Err(DomainError::invalid("name", "use 1-200 characters"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!("opt-in-2".parse::<Slug>().is_ok());
        for bad in ["", "-x", "Ab", "a b", "a/b", &"a".repeat(65)] {
            assert!(bad.parse::<Slug>().is_err(), "{bad}");
        }
    }

    #[test]
    fn kinds_round_trip() {
        for k in StepKind::ALL {
            assert_eq!(k.as_str().parse::<StepKind>(), Ok(k));
        }
    }
}
