//! Offers in a session's room: what a host pins on every attendee's screen (a product, its
//! price, a deadline or the places left, and where the button goes). A click goes through
//! the server, which records it and sends the registrant on; a funnel path (`/f/…`) gets the
//! registrant's key, so the checkout step knows who is buying, and no other site ever does.

use crate::ids::{OfferId, SessionId};
use hikari_funnel::{DomainError, check_url};
use serde::{Deserialize, Serialize};

/// An offer a host writes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewOffer {
    /// 1 to 120 characters: the product.
    pub title: String,
    /// Up to 60 characters, shown as written (`¥29,800（税込）`).
    #[serde(default)]
    pub price: String,
    /// Where the button goes: a path of this site (`/f/sale/checkout`) or an https address.
    pub url: String,
    /// Unix ms the offer ends (a countdown is shown), if it does.
    #[serde(default)]
    pub ends_at: Option<i64>,
    /// Places or items left, shown as scarcity, if limited.
    #[serde(default)]
    pub stock: Option<u32>,
}

impl NewOffer {
    /// Trims and checks every field.
    pub fn validate(&mut self) -> Result<(), DomainError> {
        self.title = self.title.trim().to_owned();
        self.price = self.price.trim().to_owned();
        self.url = self.url.trim().to_owned();
        let n = self.title.chars().count();
        if n == 0 || n > 120 || self.title.chars().any(char::is_control) {
            return Err(DomainError::invalid("title", "1 to 120 characters on one line"));
        }
        if self.price.chars().count() > 60 || self.price.chars().any(char::is_control) {
            return Err(DomainError::invalid("price", "at most 60 characters on one line"));
        }
        check_url("url", &self.url)?;
        if !(self.url.starts_with('/') || self.url.to_ascii_lowercase().starts_with("https://")) {
            return Err(DomainError::invalid("url", "a path of this site (/f/…) or an https:// address"));
        }
        Ok(())
    }
}

/// A stored offer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Offer {
    /// Row id.
    pub id: OfferId,
    /// Its session.
    pub session: SessionId,
    /// The product.
    pub title: String,
    /// The price, as written.
    pub price: String,
    /// Where the button goes.
    pub url: String,
    /// Unix ms it ends, if it does.
    pub ends_at: Option<i64>,
    /// Places or items left, if limited.
    pub stock: Option<u32>,
    /// Shown on every attendee's screen now.
    pub pinned: bool,
}

impl Offer {
    /// Where a registrant holding `key` is sent when it clicks: a path of this site gets the
    /// key as `r` (so the next step knows the contact); another site gets the address as
    /// written, never the key.
    pub fn target_for(&self, key: &str) -> String {
        if self.url.starts_with('/') {
            let sep = if self.url.contains('?') { '&' } else { '?' };
            format!("{}{sep}r={key}", self.url)
        } else {
            self.url.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(url: &str) -> NewOffer {
        NewOffer { title: " 講座 ".into(), price: "¥29,800（税込）".into(), url: url.into(), ends_at: None, stock: Some(5) }
    }

    #[test]
    fn offers_go_to_this_site_or_https_only() {
        let mut ok = new("/f/sale/checkout");
        ok.validate().expect("valid");
        assert_eq!(ok.title, "講座");
        assert!(new("https://pay.example/x").validate().is_ok());
        for bad in ["//evil.example/x", "/\\evil.example", "http://plain.example", "javascript:alert(1)", "mailto:a@b", "#top", ""] {
            assert!(new(bad).validate().is_err(), "{bad}");
        }
        let mut long = new("/x");
        long.price = "円".repeat(61);
        assert!(long.validate().is_err());
    }

    #[test]
    fn only_this_sites_paths_get_the_registrants_key() {
        let offer = |url: &str| Offer {
            id: OfferId(1),
            session: SessionId(1),
            title: "t".into(),
            price: String::new(),
            url: url.into(),
            ends_at: None,
            stock: None,
            pinned: true,
        };
        assert_eq!(offer("/f/sale/checkout").target_for("k"), "/f/sale/checkout?r=k");
        assert_eq!(offer("/f/sale/checkout?plan=a").target_for("k"), "/f/sale/checkout?plan=a&r=k");
        assert_eq!(offer("https://pay.example/x").target_for("k"), "https://pay.example/x");
    }
}
