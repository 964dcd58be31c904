//! Newtype ids. Rows are numbered by the store; the numbers are opaque to everyone else.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! row_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

row_id! {
    /// A funnel.
    FunnelId,
    /// A step of a funnel.
    StepId,
    /// An edge between two steps.
    EdgeId,
    /// A contact (a visitor who left an email).
    ContactId,
    /// An admin user.
    UserId,
    /// An API token.
    TokenId,
}
