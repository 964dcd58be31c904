//! Newtype identifiers.

use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(String);

        impl $name {
            /// Wraps a string that was already validated or generated.
            pub fn new(s: impl Into<String>) -> Self {
                Self(s.into())
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Consumes the identifier, returning its text.
            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                Self(s.to_owned())
            }
        }
    };
}

string_id!(
    /// A room's name, chosen by the application (the `room` grant of a token).
    RoomName
);
string_id!(
    /// A room's server-generated id, `RM_` followed by random base62.
    RoomSid
);
string_id!(
    /// A participant's identity, chosen by the application (the `sub` claim of a token).
    ParticipantIdentity
);
string_id!(
    /// A participant session's server-generated id, `PA_` followed by random base62.
    ParticipantSid
);
string_id!(
    /// A published track's server-generated id, `TR_` followed by random base62.
    TrackSid
);
string_id!(
    /// An ingress's server-generated id, `IN_` followed by random base62.
    IngressId
);
string_id!(
    /// An egress's server-generated id, `EG_` followed by random base62.
    EgressId
);
