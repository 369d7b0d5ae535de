//! The HTTP API: [`router`] builds the axum router over a [`HubState`];
//! [`run`] serves it on a listener until a shutdown signal.

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::header::{CONTENT_TYPE, DATE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{TimeDelta, Utc};
use passgate_pass::keys::parse_public_key;
use passgate_sync::CLOCK_SKEW_CODE;
use passgate_sync::protocol::{
    ENROL_PATH, ENTRIES_PATH, EnrolRequest, EnrolResponse, ErrorBody, HEADER_DEVICE, HEADER_NONCE,
    HEADER_SIGNATURE, HEADER_TIMESTAMP, NDJSON, REVOCATIONS_PATH, TRUST_LIST_PATH, UploadRequest,
    UploadResponse, check_id,
};
use passgate_sync::signing::{AuthError, RequestAuth, check_timestamp, verify_request};
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

use crate::Error;
use crate::publish::{chain_since, token_hash};
use crate::storage::{Batch, Device, HubStorage};

/// Limits of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HubConfig {
    /// Largest request body, bytes; larger uploads get `413`.
    pub max_body_bytes: usize,
    /// Most entries in one upload; more get `413`.
    pub max_batch: usize,
    /// How far a request's signed time may be from the hub's clock.
    pub clock_window: TimeDelta,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 4 * 1024 * 1024,
            max_batch: 5000,
            clock_window: TimeDelta::minutes(5),
        }
    }
}

/// What the handlers share.
#[derive(Clone)]
pub struct HubState {
    storage: Arc<dyn HubStorage>,
    config: HubConfig,
}

impl HubState {
    /// State over a storage backend.
    pub fn new(storage: Arc<dyn HubStorage>, config: HubConfig) -> Self {
        Self { storage, config }
    }

    /// The storage backend.
    pub fn storage(&self) -> &Arc<dyn HubStorage> {
        &self.storage
    }
}

/// The hub's routes (see [`passgate_sync::protocol`]) plus `GET /v1/health`.
pub fn router(state: HubState) -> Router {
    let limit = state.config.max_body_bytes;
    Router::new()
        .route(ENROL_PATH, post(enrol))
        .route(ENTRIES_PATH, post(upload))
        .route(TRUST_LIST_PATH, get(trust_list))
        .route(REVOCATIONS_PATH, get(revocations))
        .route("/v1/health", get(health))
        .layer(DefaultBodyLimit::max(limit))
        .layer(axum::middleware::map_response(add_date))
        .with_state(state)
}

/// Every answer carries the hub's clock in `Date`, from which a kiosk
/// whose clock drifted computes its offset (even on an error answer).
async fn add_date(mut res: Response) -> Response {
    if !res.headers().contains_key(DATE) {
        let now = Utc::now().format("%a, %d %b %Y %H:%M:%S GMT").to_string();
        if let Ok(v) = HeaderValue::from_str(&now) {
            res.headers_mut().insert(DATE, v);
        }
    }
    res
}

/// Serves the hub on `listener` until `shutdown` completes, then finishes
/// the requests in progress (graceful shutdown).
pub async fn run(
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
    state: HubState,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// An error answer: a status and an [`ErrorBody`].
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    fn internal(e: &Error) -> Self {
        eprintln!("passgate hub: {e}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the hub could not complete the request; it is safe to retry later",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.code.to_owned(),
            message: self.message,
        };
        (self.status, axum::Json(body)).into_response()
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Runs a storage call off the async threads.
async fn blocking<T: Send + 'static>(
    state: &HubState,
    f: impl FnOnce(&dyn HubStorage) -> crate::Result<T> + Send + 'static,
) -> crate::Result<T> {
    let storage = state.storage.clone();
    tokio::task::spawn_blocking(move || f(storage.as_ref()))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?
}

fn body_or_error(body: Result<Bytes, BytesRejection>) -> ApiResult<Bytes> {
    body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "the request body is larger than the hub accepts; send smaller batches (sync.batch_size)",
            )
        } else {
            ApiError::new(StatusCode::BAD_REQUEST, "bad_body", rejection.body_text())
        }
    })
}

async fn health() -> impl IntoResponse {
    axum::Json(serde_json::json!({ "status": "ok" }))
}

async fn enrol(
    State(state): State<HubState>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<axum::Json<EnrolResponse>> {
    let body = body_or_error(body)?;
    let bad = |m: String| ApiError::new(StatusCode::BAD_REQUEST, "bad_request", m);
    let req: EnrolRequest = serde_json::from_slice(&body)
        .map_err(|e| bad(format!("the enrolment request does not parse: {e}")))?;
    check_id("device id", &req.device_id).map_err(bad)?;
    check_id("venue id", &req.venue_id).map_err(bad)?;
    let key = parse_public_key(&req.public_key)
        .map_err(|e| bad(format!("the device public key is not usable: {e}")))?;
    let device = Device {
        device_id: req.device_id.clone(),
        venue_id: req.venue_id.clone(),
        public_key: hex::encode(key.as_bytes()),
        enrolled_at: Utc::now(),
    };
    let hash = token_hash(&req.token);
    let result = blocking(&state, move |s| s.enrol(&hash, &device)).await;
    match result {
        Ok(_) => Ok(axum::Json(EnrolResponse {
            device_id: req.device_id,
            venue_id: req.venue_id,
        })),
        Err(e @ Error::BadToken) => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "bad_token",
            e.to_string(),
        )),
        Err(e @ Error::WrongVenue { .. }) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "wrong_venue",
            e.to_string(),
        )),
        Err(e @ Error::DeviceTaken(_)) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "device_taken",
            e.to_string(),
        )),
        Err(e) => Err(ApiError::internal(&e)),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> ApiResult<&'a str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "missing_auth",
                format!("the request has no readable {name} header; uploads must be signed by an enrolled device"),
            )
        })
}

fn request_auth(headers: &HeaderMap) -> ApiResult<RequestAuth> {
    let timestamp = header(headers, HEADER_TIMESTAMP)?;
    Ok(RequestAuth {
        device: header(headers, HEADER_DEVICE)?.to_owned(),
        timestamp: timestamp.parse().map_err(|_| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "missing_auth",
                format!("the {HEADER_TIMESTAMP} header {timestamp:?} is not Unix seconds"),
            )
        })?,
        nonce: header(headers, HEADER_NONCE)?.to_owned(),
        signature: header(headers, HEADER_SIGNATURE)?.to_owned(),
    })
}

fn auth_error(e: &AuthError) -> ApiError {
    let code = match e {
        AuthError::ClockSkew { .. } => CLOCK_SKEW_CODE,
        AuthError::BadNonce | AuthError::BadEncoding | AuthError::BadSignature => "bad_signature",
    };
    ApiError::new(StatusCode::UNAUTHORIZED, code, e.to_string())
}

/// Checks who signed the request: known device, fresh time, good
/// signature. Returns the device and the nonce, which the storage records
/// in the same transaction as the batch (a used one is a replay).
async fn authenticate(
    state: &HubState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<(Device, String)> {
    let auth = request_auth(headers)?;
    let id = auth.device.clone();
    let device = blocking(state, move |s| s.device(&id))
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unknown_device",
                format!(
                    "device {:?} is not enrolled with this hub; run `passgate enrol` with a token from `passgate hub enrol-token`",
                    auth.device
                ),
            )
        })?;
    let now = Utc::now();
    check_timestamp(auth.timestamp, now, state.config.clock_window).map_err(|e| auth_error(&e))?;
    let key = parse_public_key(&device.public_key).map_err(|e| {
        ApiError::internal(&Error::Corrupt {
            table: "devices",
            detail: e.to_string(),
        })
    })?;
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    verify_request(&key, method.as_str(), path, &auth, body).map_err(|e| auth_error(&e))?;
    Ok((device, auth.nonce))
}

async fn upload(
    State(state): State<HubState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<axum::Json<UploadResponse>> {
    let body = body_or_error(body)?;
    let (device, nonce) = authenticate(&state, &method, &uri, &headers, &body).await?;
    let request: UploadRequest = serde_json::from_slice(&body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!("the upload does not parse: {e}"),
        )
    })?;
    if request.entries.len() > state.config.max_batch {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "the upload has {} entries; the hub takes at most {} at once",
                request.entries.len(),
                state.config.max_batch
            ),
        ));
    }
    if let Some(e) = request
        .entries
        .iter()
        .find(|e| e.venue_id != device.venue_id || e.device_id != device.device_id)
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "wrong_venue",
            format!(
                "entry {} is for venue {:?} device {:?}, but this device is {:?} of venue {:?}; nothing in this batch was stored",
                e.id, e.venue_id, e.device_id, device.device_id, device.venue_id
            ),
        ));
    }
    let now = Utc::now();
    let forget_before = now - state.config.clock_window * 2;
    let id = device.device_id.clone();
    let ingested = blocking(&state, move |s| {
        s.ingest(&Batch {
            device_id: &id,
            nonce: &nonce,
            entries: &request.entries,
            backlog: request.backlog,
            now,
            forget_before,
        })
    })
    .await
    .map_err(|e| match e {
        Error::Replay => ApiError::new(StatusCode::CONFLICT, "replay", e.to_string()),
        other => ApiError::internal(&other),
    })?;
    Ok(axum::Json(UploadResponse {
        held: ingested.held,
        conflicts: ingested.conflicts,
    }))
}

fn etag_matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

fn document_response(
    headers: &HeaderMap,
    etag: String,
    content_type: &str,
    body: Vec<u8>,
) -> Response {
    let tag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"x\""));
    if etag_matches(headers, &etag) {
        return (StatusCode::NOT_MODIFIED, [(ETAG, tag)]).into_response();
    }
    let ct =
        HeaderValue::from_str(content_type).unwrap_or(HeaderValue::from_static("application/json"));
    (StatusCode::OK, [(ETAG, tag), (CONTENT_TYPE, ct)], body).into_response()
}

fn not_published(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "not_published",
        format!("no {what} has been published on this hub yet; use `passgate hub publish`"),
    )
}

async fn trust_list(State(state): State<HubState>, headers: HeaderMap) -> ApiResult<Response> {
    let doc = blocking(&state, |s| s.trust_list())
        .await
        .map_err(|e| ApiError::internal(&e))?
        .ok_or_else(|| not_published("trust list"))?;
    let digest = hex::encode(&Sha256::digest(&doc.bytes)[..8]);
    let etag = format!("\"t{}-{digest}\"", doc.seq);
    Ok(document_response(
        &headers,
        etag,
        "application/json",
        doc.bytes,
    ))
}

async fn revocations(
    State(state): State<HubState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let since = since_param(query.as_deref())?;
    let docs = blocking(&state, |s| s.revocations())
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let Some(latest) = docs.last().map(|d| d.seq) else {
        return Err(not_published("revocation list"));
    };
    let pairs: Vec<(u64, u64)> = docs.iter().map(|d| (d.seq, d.base_seq)).collect();
    let mut body = Vec::new();
    for i in chain_since(&pairs, since) {
        body.extend_from_slice(docs[i].bytes.trim_ascii_end());
        body.push(b'\n');
    }
    let etag = format!("\"r{since}-{latest}\"");
    Ok(document_response(&headers, etag, NDJSON, body))
}

fn since_param(query: Option<&str>) -> ApiResult<u64> {
    let mut since = 0;
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        if k == "since" {
            since = v.parse().map_err(|_| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_request",
                    format!("since={v:?} is not a sequence number"),
                )
            })?;
        }
    }
    Ok(since)
}
