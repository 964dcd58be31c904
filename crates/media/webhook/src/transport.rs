//! Posting a body to a URL.

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::WebhookError;

/// Delivers one signed body; success is a 2xx answer.
pub trait Transport: Clone + Send + Sync + 'static {
    /// Posts `body` to `url` with `authorization` as the raw `Authorization` header.
    fn post(&self, url: &str, body: Bytes, authorization: String) -> impl Future<Output = Result<(), WebhookError>> + Send;
}

/// Checks that `url` is one [`HttpTransport`] can post to (plain `http://` with a host).
pub fn check_url(url: &str) -> Result<(), WebhookError> {
    let bad = |why| Err(WebhookError::BadUrl { url: url.to_owned(), why });
    let Ok(uri) = url.parse::<http::Uri>() else { return bad("not a valid URL") };
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => return bad("https is not supported yet; post to an http URL (e.g. a local TLS proxy)"),
        _ => return bad("the scheme must be http"),
    }
    if uri.host().is_none_or(str::is_empty) {
        return bad("no host");
    }
    Ok(())
}

/// HTTP/1.1 with connection reuse and a per-request timeout.
#[derive(Clone)]
pub struct HttpTransport {
    client: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

impl HttpTransport {
    /// A transport whose requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Self {
        Self { client: Client::builder(TokioExecutor::new()).build_http(), timeout }
    }
}

impl Transport for HttpTransport {
    async fn post(&self, url: &str, body: Bytes, authorization: String) -> Result<(), WebhookError> {
        let request = http::Request::post(url)
            .header(http::header::CONTENT_TYPE, "application/webhook+json")
            .header(http::header::USER_AGENT, "LiveKit")
            .header(http::header::AUTHORIZATION, authorization)
            .body(Full::new(body))
            .map_err(|e| WebhookError::Request(e.to_string()))?;
        let exchange = async {
            let response = self.client.request(request).await.map_err(|e| WebhookError::Request(e.to_string()))?;
            let status = response.status();
            // Read the (small) answer so the connection can be reused.
            let _ = response.into_body().collect().await;
            if status.is_success() { Ok(()) } else { Err(WebhookError::Status(status.as_u16())) }
        };
        tokio::time::timeout(self.timeout, exchange).await.map_err(|_| WebhookError::Timeout(self.timeout))?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("https://example.invalid/hook").is_err());
        assert!(check_url("ftp://x/").is_err());
        assert!(check_url("not a url").is_err());
    }
}
