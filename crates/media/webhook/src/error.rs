//! Why a webhook could not be signed or delivered.

/// Why a webhook could not be signed or delivered.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// The URL is not one this sender can post to.
    #[error("webhook URL {url:?}: {why}")]
    BadUrl {
        /// The URL.
        url: String,
        /// Why not.
        why: &'static str,
    },
    /// Signing the token failed.
    #[error("cannot sign the webhook token: {0}")]
    Sign(#[from] hikari_auth::AuthError),
    /// The connection or request failed.
    #[error("request failed: {0}")]
    Request(String),
    /// The receiver answered with a non-2xx status.
    #[error("the receiver answered HTTP {0}")]
    Status(u16),
    /// No answer in time.
    #[error("no answer within {0:?}")]
    Timeout(std::time::Duration),
}
