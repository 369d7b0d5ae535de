//! The HTTP client for the hub (reqwest with rustls). Each call returns the
//! hub's `Date` with the answer so the caller can track the clock offset.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_TYPE, DATE, ETAG, HeaderMap, IF_NONE_MATCH};

use crate::identity::DeviceIdentity;
use crate::protocol::{
    ENROL_PATH, ENTRIES_PATH, EnrolRequest, EnrolResponse, ErrorBody, HEADER_DEVICE, HEADER_NONCE,
    HEADER_SIGNATURE, HEADER_TIMESTAMP, REVOCATIONS_PATH, TRUST_LIST_PATH, UploadRequest,
    UploadResponse,
};
use crate::signing::sign_request;
use crate::{Error, Result};

/// Settings of the HTTP client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientOptions {
    /// Longest wait for a whole request, answer included.
    pub timeout: Duration,
    /// Longest wait to connect.
    pub connect_timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// An answer with the hub's clock reading.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer<T> {
    /// The parsed answer.
    pub value: T,
    /// The hub's `Date` header, if it sent a readable one.
    pub hub_date: Option<DateTime<Utc>>,
}

/// A downloaded document (or why there is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Download {
    /// The hub has nothing newer than the tag sent (`304`).
    NotModified,
    /// The hub has nothing published yet (`404`).
    NotPublished,
    /// New bytes and their tag.
    Body {
        /// The bytes exactly as sent.
        bytes: Vec<u8>,
        /// The `ETag` to send next time.
        etag: Option<String>,
    },
}

/// A client for one hub.
#[derive(Debug, Clone)]
pub struct HubClient {
    http: reqwest::Client,
    base: String,
}

impl HubClient {
    /// A client for the hub at `base_url` (`http://` or `https://`).
    pub fn new(base_url: &str, options: ClientOptions) -> Result<Self> {
        let base = base_url.trim().trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::InvalidArgument(format!(
                "hub url {base_url:?} must start with http:// or https://"
            )));
        }
        let http = reqwest::Client::builder()
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(concat!("passgate-sync/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::InvalidArgument(format!("cannot build the http client: {e}")))?;
        Ok(Self { http, base })
    }

    /// The hub's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Presents a one-time token and the device's public key.
    pub async fn enrol(&self, request: &EnrolRequest) -> Result<Answer<EnrolResponse>> {
        let body =
            serde_json::to_vec(request).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        let reply = self
            .send(
                self.http
                    .post(self.url(ENROL_PATH))
                    .header(CONTENT_TYPE, "application/json")
                    .body(body),
            )
            .await?;
        reply.ok()?.json()
    }

    /// Uploads a batch, signed by the device key at `hub_now` (the hub's
    /// time as best known) with `nonce`.
    pub async fn upload(
        &self,
        identity: &DeviceIdentity,
        request: &UploadRequest,
        hub_now: DateTime<Utc>,
        nonce: &str,
    ) -> Result<Answer<UploadResponse>> {
        let body =
            serde_json::to_vec(request).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        let auth = sign_request(
            &identity.key,
            "POST",
            ENTRIES_PATH,
            &identity.device_id,
            hub_now.timestamp(),
            nonce,
            &body,
        );
        let reply = self
            .send(
                self.http
                    .post(self.url(ENTRIES_PATH))
                    .header(CONTENT_TYPE, "application/json")
                    .header(HEADER_DEVICE, auth.device)
                    .header(HEADER_TIMESTAMP, auth.timestamp.to_string())
                    .header(HEADER_NONCE, auth.nonce)
                    .header(HEADER_SIGNATURE, auth.signature)
                    .body(body),
            )
            .await?;
        reply.ok()?.json()
    }

    /// Fetches the trust list unless it still has the tag `etag`.
    pub async fn trust_list(&self, etag: Option<&str>) -> Result<Answer<Download>> {
        self.download(TRUST_LIST_PATH.to_owned(), etag).await
    }

    /// Fetches the revocation documents after `since`, one per line.
    pub async fn revocations(&self, since: u64, etag: Option<&str>) -> Result<Answer<Download>> {
        self.download(format!("{REVOCATIONS_PATH}?since={since}"), etag)
            .await
    }

    async fn download(&self, path: String, etag: Option<&str>) -> Result<Answer<Download>> {
        let mut request = self.http.get(self.url(&path));
        if let Some(tag) = etag {
            request = request.header(IF_NONE_MATCH, tag);
        }
        let reply = self.send(request).await?;
        let hub_date = reply.hub_date;
        let value = match reply.status {
            StatusCode::NOT_MODIFIED => Download::NotModified,
            StatusCode::NOT_FOUND => Download::NotPublished,
            _ => {
                let reply = reply.ok()?;
                Download::Body {
                    etag: reply.etag,
                    bytes: reply.body,
                }
            }
        };
        Ok(Answer { value, hub_date })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Result<Reply> {
        let unreachable = |e: reqwest::Error| Error::Unreachable {
            url: self.base.clone(),
            detail: crate::error::chain(&e),
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(unreachable)?.to_vec();
        Ok(Reply::new(status, &headers, body))
    }
}

/// A raw answer.
struct Reply {
    status: StatusCode,
    hub_date: Option<DateTime<Utc>>,
    etag: Option<String>,
    body: Vec<u8>,
}

impl Reply {
    fn new(status: StatusCode, headers: &HeaderMap, body: Vec<u8>) -> Self {
        let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
        Self {
            status,
            hub_date: text(DATE).and_then(parse_http_date),
            etag: text(ETAG).map(str::to_owned),
            body,
        }
    }

    /// The reply if its status is a success, else the hub's error.
    fn ok(self) -> Result<Self> {
        if self.status.is_success() {
            return Ok(self);
        }
        let (code, message) = match serde_json::from_slice::<ErrorBody>(&self.body) {
            Ok(b) => (b.error, b.message),
            Err(_) => (
                format!("http_{}", self.status.as_u16()),
                String::from_utf8_lossy(&self.body)
                    .chars()
                    .take(200)
                    .collect(),
            ),
        };
        Err(Error::Refused {
            status: self.status.as_u16(),
            code,
            message,
            hub_date: self.hub_date,
        })
    }

    fn json<T: serde::de::DeserializeOwned>(self) -> Result<Answer<T>> {
        let value =
            serde_json::from_slice(&self.body).map_err(|e| Error::BadAnswer(e.to_string()))?;
        Ok(Answer {
            value,
            hub_date: self.hub_date,
        })
    }
}

/// Parses an HTTP `Date` (`Sun, 06 Nov 1994 08:49:37 GMT`).
pub fn parse_http_date(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse() {
        let t = parse_http_date("Sat, 28 Nov 2026 09:30:05 GMT").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-11-28T09:30:05+00:00");
        assert_eq!(parse_http_date("yesterday"), None);
    }

    #[test]
    fn only_http_urls_are_taken() {
        assert!(HubClient::new("ftp://x", ClientOptions::default()).is_err());
        let c = HubClient::new(" http://127.0.0.1:8787/ ", ClientOptions::default()).unwrap();
        assert_eq!(c.base_url(), "http://127.0.0.1:8787");
    }
}
