//! HTTP endpoints. Every failure answers with [`ApiError`]'s JSON shape and a 4xx/5xx status;
//! record pages are binary (`application/octet-stream`, see [`teduh_protocol::sync`]), control
//! bodies JSON. `/openapi.json` describes the JSON endpoints.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{
    ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, MatchedPath, Path, Query,
    Request, State,
};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use teduh_protocol::sync::{
    hlc_from_millis, ClientKeyWrap, ClientKeyWraps, DeviceView, EnvelopeList, EpochEnvelope,
    EraseClient, Erased, Limits, LoginParams, LoginParamsRequest, LoginRequest, MemberView,
    NewEpoch, PushAck, PushPage, RegisterRequest, RosterBody, Session, OCTET_STREAM,
};
use teduh_protocol::{ApiError, HealthReport, ServerVersion, PROTOCOL_VERSION};

use crate::auth::{self, RateLimiter};
use crate::metrics::Metrics;
use crate::storage::{
    AuthedDevice, ClientWrap, DeviceFilter, Member, NewDevice, Registration, Storage, StorageError,
};

/// Tunable behaviour of the API (defaults suit production; tests shrink them).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Limits advertised by `GET /v1/limits` and enforced.
    pub limits: Limits,
    /// Lifetime of a device token, in seconds.
    pub token_ttl_secs: i64,
    /// Authentication requests one IP may make at once.
    pub auth_burst: u32,
    /// Authentication requests per second refilled per IP.
    pub auth_per_second: f64,
    /// A request body that makes no progress for this long is abandoned (408 BodyTimeout):
    /// slow links are fine, dead ones must not hold a connection and its buffer forever.
    pub body_idle_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            limits: Limits {
                max_push_bytes: 1024 * 1024,
                max_record_bytes: 256 * 1024,
                max_push_records: 4096,
                max_pull_bytes: 1024 * 1024,
                max_json_bytes: 256 * 1024,
                max_clock_skew_ms: 10 * 60 * 1000,
            },
            token_ttl_secs: 365 * 24 * 3600,
            auth_burst: 30,
            auth_per_second: 1.0,
            body_idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The storage backend.
    pub storage: Arc<dyn Storage>,
    /// Limits and lifetimes.
    pub settings: Arc<Settings>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Per-IP limiter of the authentication endpoints.
    pub limiter: Arc<RateLimiter>,
}

impl AppState {
    /// State with default [`Settings`].
    pub fn new(storage: Arc<dyn Storage>) -> Self {
        Self::with_settings(storage, Settings::default())
    }

    /// State with the given settings.
    pub fn with_settings(storage: Arc<dyn Storage>, settings: Settings) -> Self {
        let limiter = RateLimiter::new(settings.auth_burst, settings.auth_per_second);
        Self {
            storage,
            settings: Arc::new(settings),
            metrics: Arc::new(Metrics::default()),
            limiter: Arc::new(limiter),
        }
    }
}

/// An error response: a status and the machine-readable body.
#[derive(Debug)]
pub struct HttpError {
    status: StatusCode,
    body: ApiError,
}

impl HttpError {
    /// An error with a status, a stable code and an English message.
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: ApiError {
                code: code.to_owned(),
                message: message.into(),
            },
        }
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

impl From<StorageError> for HttpError {
    fn from(e: StorageError) -> Self {
        use StorageError as E;
        let (status, code) = match &e {
            E::Unavailable(_) | E::TooNew { .. } => {
                tracing::error!(error = %e, "storage failure");
                return HttpError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "StorageUnavailable",
                    "the database does not answer; try again later",
                );
            }
            E::NotFound(_) => (StatusCode::NOT_FOUND, "NotFound"),
            E::AlreadyExists(_) => (StatusCode::CONFLICT, "AlreadyExists"),
            E::InvitationUnknown => (StatusCode::FORBIDDEN, "InvitationUnknown"),
            E::InvitationUsed => (StatusCode::CONFLICT, "InvitationUsed"),
            E::InvitationExpired => (StatusCode::GONE, "InvitationExpired"),
            E::UsernameTaken => (StatusCode::CONFLICT, "UsernameTaken"),
            E::TokenUnknown => (StatusCode::UNAUTHORIZED, "InvalidToken"),
            E::TokenExpired => (StatusCode::UNAUTHORIZED, "TokenExpired"),
            E::TokenRevoked => (StatusCode::UNAUTHORIZED, "TokenRevoked"),
            E::Fork { .. } => (StatusCode::CONFLICT, "Fork"),
            E::StaleKeyEpoch { .. } => (StatusCode::CONFLICT, "StaleKeyEpoch"),
            E::UnknownKeyEpoch { .. } => (StatusCode::CONFLICT, "UnknownKeyEpoch"),
            E::ClockAhead { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "ClockAhead"),
            E::Invalid(_) => (StatusCode::BAD_REQUEST, "InvalidInput"),
            E::EpochNotNext { .. } => (StatusCode::CONFLICT, "EpochNotNext"),
            E::RosterNotNewer { .. } => (StatusCode::CONFLICT, "RosterNotNewer"),
            E::NotTeamMember(_) => (StatusCode::UNPROCESSABLE_ENTITY, "NotTeamMember"),
            E::WrapConflict => (StatusCode::CONFLICT, "WrapConflict"),
            E::DirectoryNotNewer { .. } => (StatusCode::CONFLICT, "DirectoryNotNewer"),
        };
        HttpError::new(status, code, e.to_string())
    }
}

/// Builds the router with every endpoint.
pub fn router(state: AppState) -> Router {
    let limits = state.settings.limits;
    let json_limit = DefaultBodyLimit::max(limits.max_json_bytes as usize);
    let push_limit = DefaultBodyLimit::max(limits.max_push_bytes as usize);
    let auth_routes = Router::new()
        .route("/v1/register", post(register))
        .route("/v1/login", post(login))
        .route("/v1/login/params", post(login_params))
        .route_layer(middleware::from_fn_with_state(state.clone(), rate_limit));
    Router::new()
        .route("/healthz", get(healthz))
        .route("/version", get(version))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .route("/v1/limits", get(get_limits))
        .route("/v1/directory", get(get_directory))
        .merge(auth_routes)
        .route("/v1/devices", get(list_devices))
        .route("/v1/devices/{device}", delete(revoke_device))
        .route("/v1/teams/{team}/members", get(list_members))
        .route("/v1/teams/{team}/roster", get(get_roster).put(put_roster))
        .route("/v1/teams/{team}/epochs", post(add_epoch))
        .route("/v1/teams/{team}/envelopes", get(get_envelopes))
        .route(
            "/v1/teams/{team}/client-keys",
            get(get_client_keys).post(put_client_keys),
        )
        .route(
            "/v1/teams/{team}/client-keys/erase",
            post(erase_client_keys),
        )
        .route(
            "/v1/teams/{team}/records",
            get(pull).post(push).layer(push_limit),
        )
        .layer(json_limit)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            idle_body_timeout,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Counts and logs every request by its route template: never the raw path, query string or
/// headers, so no token or personal data reaches the logs.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |p| p.as_str())
        .to_owned();
    let resp = next.run(req).await;
    let elapsed = started.elapsed();
    let status = resp.status().as_u16();
    state.metrics.observe(&method, &route, status, elapsed);
    if status >= 500 {
        tracing::warn!(%method, %route, status, ms = elapsed.as_millis() as u64, "request failed");
    } else {
        tracing::debug!(%method, %route, status, ms = elapsed.as_millis() as u64, "request");
    }
    resp
}

/// The error text an idle body ends with (recognised when mapping body rejections).
const BODY_IDLE: &str = "the request body made no progress";

async fn idle_body_timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let body = Body::new(IdleBody {
        inner: body,
        idle: state.settings.body_idle_timeout,
        timer: Box::pin(tokio::time::sleep(state.settings.body_idle_timeout)),
    });
    next.run(Request::from_parts(parts, body)).await
}

/// A body that fails when no frame arrives for `idle` (the timer restarts on every frame).
struct IdleBody {
    inner: Body,
    idle: Duration,
    timer: std::pin::Pin<Box<tokio::time::Sleep>>,
}

impl http_body::Body for IdleBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
        use std::future::Future as _;
        use std::task::Poll;
        match std::pin::Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                let deadline = tokio::time::Instant::now() + self.idle;
                self.timer.as_mut().reset(deadline);
                Poll::Ready(frame)
            }
            Poll::Pending => match self.timer.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(axum::Error::new(BODY_IDLE)))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

fn body_timeout() -> HttpError {
    HttpError::new(
        StatusCode::REQUEST_TIMEOUT,
        "BodyTimeout",
        "the request body stopped arriving; send it again",
    )
}

async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ip = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    if !state.limiter.allow(ip) {
        Metrics::add(&state.metrics.rate_limited, 1);
        let mut resp = HttpError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RateLimited",
            "too many authentication attempts; wait a little and try again",
        )
        .into_response();
        resp.headers_mut()
            .insert("retry-after", HeaderValue::from_static("2"));
        return resp;
    }
    next.run(req).await
}

fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// A JSON body whose rejections use the API's error shape.
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = HttpError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(match rej.status() {
                StatusCode::PAYLOAD_TOO_LARGE => body_too_large(),
                StatusCode::UNSUPPORTED_MEDIA_TYPE => HttpError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "UnsupportedContentType",
                    "send the body as application/json",
                ),
                _ if rej.body_text().contains(BODY_IDLE) => body_timeout(),
                _ => HttpError::new(StatusCode::BAD_REQUEST, "MalformedBody", rej.body_text()),
            }),
        }
    }
}

fn body_too_large() -> HttpError {
    HttpError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "BodyTooLarge",
        "the body is larger than the server accepts; see GET /v1/limits",
    )
}

fn path_error(e: PathRejection) -> HttpError {
    HttpError::new(StatusCode::BAD_REQUEST, "InvalidPath", e.body_text())
}

fn query_error(e: QueryRejection) -> HttpError {
    HttpError::new(StatusCode::BAD_REQUEST, "InvalidQuery", e.body_text())
}

/// The device behind the request's bearer token.
pub struct Authed(pub AuthedDevice);

impl FromRequestParts<AppState> for Authed {
    type Rejection = HttpError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                HttpError::new(
                    StatusCode::UNAUTHORIZED,
                    "MissingToken",
                    "send Authorization: Bearer <device token>",
                )
            })?;
        let hash = auth::sha256(token.as_bytes());
        let device = state.storage.authenticate(hash, now_secs()).await?;
        Ok(Authed(device))
    }
}

impl Authed {
    /// Refuses a team other than the device's own.
    fn team(&self, team: Result<Path<u64>, PathRejection>) -> Result<u64, HttpError> {
        let Path(team) = team.map_err(path_error)?;
        if team != self.0.team_id {
            return Err(HttpError::new(
                StatusCode::FORBIDDEN,
                "WrongTeam",
                "this device belongs to another team",
            ));
        }
        Ok(team)
    }

    fn require_key_manager(&self) -> Result<(), HttpError> {
        if self.0.role.manages_keys() {
            Ok(())
        } else {
            Err(HttpError::new(
                StatusCode::FORBIDDEN,
                "Forbidden",
                "only a supervisor or an admin of the team may do this",
            ))
        }
    }
}

async fn healthz(State(state): State<AppState>) -> Result<Json<HealthReport>, HttpError> {
    state.storage.ping().await.map_err(|e| {
        tracing::error!(error = %e, "health check failed");
        HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "StorageUnavailable",
            "the database does not answer",
        )
    })?;
    Ok(Json(HealthReport {
        status: "ok".into(),
        storage: state.storage.backend().into(),
    }))
}

async fn version() -> Json<ServerVersion> {
    Json(ServerVersion {
        name: "teduh-server".into(),
        version: crate::VERSION.into(),
        protocol: PROTOCOL_VERSION,
    })
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

async fn openapi() -> Response {
    (
        [(CONTENT_TYPE, "application/json")],
        crate::openapi::DOCUMENT,
    )
        .into_response()
}

/// The ETag of a directory bundle: its version and a digest prefix, quoted.
pub fn directory_etag(version: u64, sha256: &[u8; 32]) -> String {
    let digest: String = sha256[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{version}-{digest}\"")
}

/// The newest signed directory bundle (public data: no token needed), with an ETag; answers
/// 304 when `If-None-Match` names the current one.
async fn get_directory(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let Some(bundle) = state.storage.latest_directory().await? else {
        return Err(HttpError::new(
            StatusCode::NOT_FOUND,
            "NoDirectory",
            "no directory bundle has been published yet",
        ));
    };
    let etag = directory_etag(bundle.version, &bundle.sha256);
    let matches = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let etag_value = HeaderValue::from_str(&etag)
        .map_err(|_| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal", "bad etag"))?;
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, [(ETAG, etag_value)]).into_response());
    }
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static(OCTET_STREAM)),
            (ETAG, etag_value),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        Body::from(bundle.bundle),
    )
        .into_response())
}

async fn get_limits(State(state): State<AppState>) -> Json<Limits> {
    Json(state.settings.limits)
}

fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), HttpError> {
    let n = value.chars().count();
    if n == 0 || n > max || value.chars().any(char::is_control) || value.trim() != value {
        return Err(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "InvalidInput",
            format!("{field} must be 1-{max} printable characters without surrounding spaces"),
        ));
    }
    Ok(())
}

fn check_blob(field: &'static str, value: &[u8], min: usize, max: usize) -> Result<(), HttpError> {
    if value.len() < min || value.len() > max {
        return Err(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "InvalidInput",
            format!("{field} must be {min}-{max} bytes"),
        ));
    }
    Ok(())
}

fn session(device: AuthedDevice, member: &Member, token: String, stored_through: u64) -> Session {
    Session {
        token,
        device_id: device.device_id,
        member_id: device.member_id,
        team_id: device.team_id,
        role: device.role,
        public_keys: member.public_keys.clone(),
        wrapped_keys: member.wrapped_keys.clone(),
        stored_through,
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HttpError> {
    tokio::task::spawn_blocking(f).await.map_err(|_| {
        HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unavailable",
            "the server is shutting down",
        )
    })
}

async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<Session>), HttpError> {
    check_text("username", &req.username, 64)?;
    check_text("device_name", &req.device_name, 100)?;
    check_text("invitation", &req.invitation, 64)?;
    check_blob("public_keys", &req.public_keys, 1, 4096)?;
    check_blob("wrapped_keys", &req.wrapped_keys, 1, 16384)?;
    check_blob("kdf_params", &req.kdf_params, 1, 1024)?;
    check_blob("auth_secret", &req.auth_secret, 16, 128)?;
    let secret = req.auth_secret;
    let verifier = blocking(move || auth::hash_secret(&secret))
        .await?
        .map_err(|_| {
            HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal",
                "hashing failed",
            )
        })?;
    let (token, token_hash) = auth::new_token();
    let now = now_secs();
    let result = state
        .storage
        .register(
            Registration {
                invitation_hash: auth::invitation_hash(&req.invitation),
                username: req.username,
                public_keys: req.public_keys,
                wrapped_keys: req.wrapped_keys,
                kdf_params: req.kdf_params,
                verifier,
                device: NewDevice {
                    name: req.device_name,
                    token_hash,
                    created_at: now,
                    expires_at: now.saturating_add(state.settings.token_ttl_secs),
                },
            },
            now,
        )
        .await;
    let (device, member) = result.inspect_err(|_| Metrics::add(&state.metrics.auth_failures, 1))?;
    tracing::info!(
        member = device.member_id,
        device = device.device_id,
        team = device.team_id,
        "member registered"
    );
    Ok((
        StatusCode::CREATED,
        Json(session(device, &member, token, 0)),
    ))
}

async fn login_params(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginParamsRequest>,
) -> Result<Json<LoginParams>, HttpError> {
    check_text("username", &req.username, 64)?;
    match state.storage.member_by_username(req.username).await? {
        Some(m) if m.removed_at.is_none() => Ok(Json(LoginParams {
            kdf_params: m.kdf_params,
        })),
        _ => Err(HttpError::new(
            StatusCode::NOT_FOUND,
            "UnknownUser",
            "no active member has this username",
        )),
    }
}

async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<Session>, HttpError> {
    check_text("username", &req.username, 64)?;
    check_text("device_name", &req.device_name, 100)?;
    check_blob("auth_secret", &req.auth_secret, 16, 128)?;
    let member = state.storage.member_by_username(req.username).await?;
    let secret = req.auth_secret;
    let member = match member {
        Some(m) if m.removed_at.is_none() => {
            let verifier = m.verifier.clone();
            let ok = blocking(move || auth::verify_secret(&verifier, &secret)).await?;
            ok.then_some(m)
        }
        _ => {
            blocking(move || auth::burn_verification(&secret)).await?;
            None
        }
    };
    let Some(member) = member else {
        Metrics::add(&state.metrics.auth_failures, 1);
        return Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "BadCredentials",
            "unknown username or wrong passphrase",
        ));
    };
    let (token, token_hash) = auth::new_token();
    let now = now_secs();
    let device = state
        .storage
        .create_device(
            member.id,
            NewDevice {
                name: req.device_name,
                token_hash,
                created_at: now,
                expires_at: now.saturating_add(state.settings.token_ttl_secs),
            },
        )
        .await?;
    tracing::info!(
        member = device.member_id,
        device = device.device_id,
        "device logged in"
    );
    Ok(Json(session(device, &member, token, 0)))
}

fn device_view(d: crate::storage::Device) -> DeviceView {
    DeviceView {
        device_id: d.id,
        member_id: d.member_id,
        name: d.name,
        created_at: d.created_at,
        revoked_at: d.revoked_at,
    }
}

async fn list_devices(
    State(state): State<AppState>,
    me: Authed,
) -> Result<Json<Vec<DeviceView>>, HttpError> {
    let filter = if me.0.role.manages_keys() {
        DeviceFilter::Team(me.0.team_id)
    } else {
        DeviceFilter::Member(me.0.member_id)
    };
    let devices = state.storage.devices(filter).await?;
    Ok(Json(devices.into_iter().map(device_view).collect()))
}

async fn revoke_device(
    State(state): State<AppState>,
    me: Authed,
    device: Result<Path<u64>, PathRejection>,
) -> Result<StatusCode, HttpError> {
    let Path(device) = device.map_err(path_error)?;
    let filter = if me.0.role.manages_keys() {
        DeviceFilter::Team(me.0.team_id)
    } else {
        DeviceFilter::Member(me.0.member_id)
    };
    let mine = state.storage.devices(filter).await?;
    if !mine.iter().any(|d| d.id == device) {
        return Err(HttpError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            "no such device among the ones you may revoke",
        ));
    }
    state.storage.revoke_device(device, now_secs()).await?;
    tracing::info!(device, by = me.0.device_id, "device revoked");
    Ok(StatusCode::NO_CONTENT)
}

async fn list_members(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
) -> Result<Json<Vec<MemberView>>, HttpError> {
    let team = me.team(team)?;
    let members = state.storage.members(team).await?;
    Ok(Json(
        members
            .into_iter()
            .map(|m| MemberView {
                member_id: m.id,
                username: m.username,
                role: m.role,
                public_keys: m.public_keys,
                removed: m.removed_at.is_some(),
            })
            .collect(),
    ))
}

async fn get_roster(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
) -> Result<Json<RosterBody>, HttpError> {
    let team = me.team(team)?;
    match state.storage.roster(team).await? {
        Some((version, roster)) => Ok(Json(RosterBody { version, roster })),
        None => Err(HttpError::new(
            StatusCode::NOT_FOUND,
            "NoRoster",
            "the team has no roster yet",
        )),
    }
}

async fn put_roster(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    ApiJson(body): ApiJson<RosterBody>,
) -> Result<StatusCode, HttpError> {
    let team = me.team(team)?;
    me.require_key_manager()?;
    check_blob("roster", &body.roster, 1, 128 * 1024)?;
    state
        .storage
        .put_roster(team, body.version, body.roster, now_secs())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn add_epoch(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    ApiJson(body): ApiJson<NewEpoch>,
) -> Result<StatusCode, HttpError> {
    let team = me.team(team)?;
    me.require_key_manager()?;
    if body.envelopes.is_empty() || body.envelopes.len() > 1000 {
        return Err(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "InvalidInput",
            "an epoch needs 1-1000 envelopes",
        ));
    }
    for e in &body.envelopes {
        check_blob("envelope", &e.envelope, 1, 4096)?;
    }
    let envelopes = body
        .envelopes
        .into_iter()
        .map(|e| (e.member_id, e.envelope))
        .collect();
    state.storage.add_epoch(team, body.epoch, envelopes).await?;
    tracing::info!(team, epoch = body.epoch, "new team-key epoch");
    Ok(StatusCode::NO_CONTENT)
}

async fn get_envelopes(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
) -> Result<Json<EnvelopeList>, HttpError> {
    let team = me.team(team)?;
    // Only the envelopes addressed to the asking member: the query is keyed by her id.
    let (current_epoch, list) = state.storage.envelopes(team, me.0.member_id).await?;
    Ok(Json(EnvelopeList {
        current_epoch,
        envelopes: list
            .into_iter()
            .map(|(epoch, envelope)| EpochEnvelope { epoch, envelope })
            .collect(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EpochQuery {
    epoch: Option<u32>,
}

async fn get_client_keys(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    query: Result<Query<EpochQuery>, QueryRejection>,
) -> Result<Json<ClientKeyWraps>, HttpError> {
    let team = me.team(team)?;
    let Query(q) = query.map_err(query_error)?;
    let wraps = state.storage.client_keys(team, q.epoch).await?;
    Ok(Json(ClientKeyWraps {
        wraps: wraps
            .into_iter()
            .map(|w| ClientKeyWrap {
                epoch: w.epoch,
                client_id: w.client_id,
                wrap: w.wrap,
            })
            .collect(),
    }))
}

async fn put_client_keys(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    ApiJson(body): ApiJson<ClientKeyWraps>,
) -> Result<StatusCode, HttpError> {
    let team = me.team(team)?;
    if body.wraps.is_empty() || body.wraps.len() > 1000 {
        return Err(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "InvalidInput",
            "send 1-1000 wraps (batch larger uploads)",
        ));
    }
    for w in &body.wraps {
        check_blob("client_id", &w.client_id, 1, 64)?;
        check_blob("wrap", &w.wrap, 1, 4096)?;
    }
    let wraps = body
        .wraps
        .into_iter()
        .map(|w| ClientWrap {
            epoch: w.epoch,
            client_id: w.client_id,
            wrap: w.wrap,
        })
        .collect();
    state.storage.put_client_keys(team, wraps).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn erase_client_keys(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    ApiJson(body): ApiJson<EraseClient>,
) -> Result<Json<Erased>, HttpError> {
    let team = me.team(team)?;
    me.require_key_manager()?;
    check_blob("client_id", &body.client_id, 1, 64)?;
    let erased = state
        .storage
        .erase_client_keys(team, body.client_id)
        .await?;
    tracing::info!(team, erased, "client key wraps erased");
    Ok(Json(Erased { erased }))
}

fn is_octet_stream(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(OCTET_STREAM))
}

async fn push(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushAck>, HttpError> {
    let team = me.team(team)?;
    if !is_octet_stream(&headers) {
        return Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedContentType",
            "send the record page as application/octet-stream",
        ));
    }
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            body_too_large()
        } else if e.body_text().contains(BODY_IDLE) {
            body_timeout()
        } else {
            HttpError::new(StatusCode::BAD_REQUEST, "MalformedBody", e.body_text())
        }
    })?;
    let page = PushPage::decode(&body)
        .map_err(|e| HttpError::new(StatusCode::BAD_REQUEST, "MalformedPage", e.to_string()))?;
    let limits = state.settings.limits;
    if page.records.len() as u64 > limits.max_push_records {
        return Err(HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "TooManyRecords",
            format!("a page holds at most {} records", limits.max_push_records),
        ));
    }
    for r in &page.records {
        if r.payload.len() as u64 > limits.max_record_bytes {
            return Err(HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RecordTooLarge",
                format!(
                    "record {} is larger than {} bytes",
                    r.device_seq, limits.max_record_bytes
                ),
            ));
        }
        if r.device_id != me.0.device_id {
            return Err(HttpError::new(
                StatusCode::FORBIDDEN,
                "WrongDevice",
                "a device may only push records of its own log",
            ));
        }
    }
    let max_hlc = hlc_from_millis(
        now_millis().saturating_add(limits.max_clock_skew_ms),
        u16::MAX,
    );
    let outcome = state
        .storage
        .push(team, me.0.device_id, page.records, max_hlc)
        .await?;
    Metrics::add(&state.metrics.records_stored, outcome.stored);
    Metrics::add(&state.metrics.records_duplicate, outcome.duplicates);
    Metrics::add(&state.metrics.push_bytes, body.len() as u64);
    Ok(Json(PushAck {
        stored_through: outcome.contiguous_seq,
        stored: outcome.stored,
        duplicates: outcome.duplicates,
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PullQuery {
    #[serde(default)]
    after: u64,
    budget: Option<u64>,
}

/// Default pull page budget when the client names none.
const DEFAULT_PULL_BUDGET: u64 = 256 * 1024;
/// Most records in a pull page.
const MAX_PULL_RECORDS: usize = 10_000;

async fn pull(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Response, HttpError> {
    let team = me.team(team)?;
    let Query(q) = query.map_err(query_error)?;
    if q.after > i64::MAX as u64 || q.budget.is_some_and(|b| b > i64::MAX as u64) {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "InvalidQuery",
            "after and budget must be below 2^63",
        ));
    }
    let budget = q
        .budget
        .unwrap_or(DEFAULT_PULL_BUDGET)
        // Not `clamp`: it panics if a configured maximum were below the floor.
        .min(state.settings.limits.max_pull_bytes)
        .max(1024);
    let page = state
        .storage
        .pull(team, q.after, budget as usize, MAX_PULL_RECORDS)
        .await?;
    Metrics::add(&state.metrics.records_pulled, page.records.len() as u64);
    let bytes = page.encode();
    Metrics::add(&state.metrics.pull_bytes, bytes.len() as u64);
    Ok(([(CONTENT_TYPE, OCTET_STREAM)], Body::from(bytes)).into_response())
}

async fn not_found() -> HttpError {
    HttpError::new(StatusCode::NOT_FOUND, "NotFound", "no such endpoint")
}

async fn method_not_allowed() -> HttpError {
    HttpError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        "this endpoint does not accept that method",
    )
}

/// How long `serve` waits for in-flight requests after shutdown was asked.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    async fn app() -> (Router, tempfile::TempDir) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let storage =
            crate::storage::sqlite::SqliteStorage::open(&tmp.path().join("s.db")).expect("opens");
        (router(AppState::new(Arc::new(storage))), tmp)
    }

    async fn get_json(app: Router, uri: &str) -> (StatusCode, serde_json::Value) {
        let resp = app
            .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
            .await
            .expect("infallible");
        let status = resp.status();
        let bytes = resp.into_body().collect().await.expect("body").to_bytes();
        (status, serde_json::from_slice(&bytes).expect("json body"))
    }

    #[tokio::test]
    async fn healthz_reports_the_sqlite_backend() {
        let (app, _tmp) = app().await;
        let (status, body) = get_json(app, "/healthz").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["storage"], "sqlite");
    }

    #[tokio::test]
    async fn unknown_route_is_a_machine_readable_404() {
        let (app, _tmp) = app().await;
        let (status, body) = get_json(app, "/nope").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(body["code"], "NotFound", "clients branch on the code");
    }

    #[tokio::test]
    async fn records_without_a_token_are_refused_with_a_code() {
        let (app, _tmp) = app().await;
        let (status, body) = get_json(app, "/v1/teams/1/records").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "MissingToken", "clients branch on the code");
    }
}
