//! Newtype ids. Rows are numbered by the store; the numbers are opaque to everyone else.

/// Declares row-id newtypes: `i64`, transparent in JSON, shown as the number. Exported for
/// the other funnel domain crates (the calling crate depends on `serde`).
#[macro_export]
macro_rules! row_id {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Clone, Copy, Debug, Eq, Hash, Ord, PartialEq, PartialOrd, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
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
