//! LiveKit access tokens: HS256 JWTs carrying grants.
//!
//! [`KeySet`] holds the API keys and secrets; [`KeySet::verify`] checks a token's
//! signature and validity window and returns its [`Claims`]. [`Claims::join_grant`] turns
//! the video grant into the checked capability a room join needs. [`AccessToken`] signs
//! tokens (CLI `create-join-token`, webhooks, tests). [`signed`] makes and checks signed,
//! expiring links to one file.
//!
//! The time is a parameter (`now_unix`), never read here.
#![deny(missing_docs)]

mod claims;
mod error;
pub mod signed;
mod throttle;
mod token;

pub use claims::{Claims, VideoGrant};
pub use error::AuthError;
/// The verified right to join, defined with the SFU's other nouns.
pub use hikari_types::JoinGrant;
pub use throttle::AuthThrottle;
pub use token::{AccessToken, KeySet, token_from_request};
