//! Routes and middleware. Every failure answers with [`ApiError`]'s JSON shape and a 4xx/5xx
//! status; record pages are binary (`application/octet-stream`, see [`teduh_protocol::sync`]),
//! control bodies JSON. `/openapi.json` describes the JSON endpoints. The handlers live in one
//! module per resource (`src/handlers/`), the error type in [`crate::http_error`], the
//! extractors in [`crate::extract`], the shared state in [`crate::state`].
//!
//! [`ApiError`]: teduh_protocol::ApiError

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;

use crate::handlers::{
    auth, devices, directory, health, invitations, keys, members, messages, org, records, roster,
    urgent,
};
use crate::http_error::BODY_IDLE;
use crate::metrics::Metrics;

pub use crate::extract::{ApiJson, Authed};
pub use crate::handlers::directory::directory_etag;
pub use crate::http_error::HttpError;
pub use crate::state::{AppState, Settings};

/// Builds the router with every endpoint.
pub fn router(state: AppState) -> Router {
    let limits = state.settings.limits;
    let json_limit = DefaultBodyLimit::max(limits.max_json_bytes as usize);
    let push_limit = DefaultBodyLimit::max(limits.max_push_bytes as usize);
    let auth_routes = Router::new()
        .route("/v1/register", post(auth::register))
        .route("/v1/token", post(auth::renew))
        .route("/v1/invitations/{id}", get(invitations::package))
        .route_layer(middleware::from_fn_with_state(state.clone(), rate_limit));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/version", get(health::version))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(health::openapi))
        .route("/v1/limits", get(health::get_limits))
        .route(
            "/v1/directory",
            get(directory::get_directory)
                .put(directory::put_directory)
                .layer(DefaultBodyLimit::max(directory::MAX_DIRECTORY_BYTES)),
        )
        .merge(auth_routes)
        .route("/v1/org", get(org::get_org))
        .route("/v1/org/settings", axum::routing::put(org::put_settings))
        .route("/v1/org/teams/{team}/listing", get(org::team_listing))
        .route("/v1/org/teams/{team}/rosters", get(org::team_roster_chain))
        .route(
            "/v1/org/teams/{team}/roster",
            get(org::team_roster).put(org::put_team_roster),
        )
        .route(
            "/v1/org/teams/{team}/invitations",
            post(org::team_invitation),
        )
        .route("/v1/devices", get(devices::list_devices))
        .route("/v1/devices/invitations", post(auth::invite_device))
        .route("/v1/devices/{device}", delete(devices::revoke_device))
        .route("/v1/teams/{team}/members", get(members::list_members))
        .route("/v1/teams/{team}/info", get(invitations::team_info))
        .route(
            "/v1/teams/{team}/messages",
            get(messages::inbox).post(messages::post),
        )
        .route("/v1/teams/{team}/invitations", post(invitations::create))
        .route(
            "/v1/teams/{team}/roster",
            get(roster::get_roster).put(roster::put_roster),
        )
        .route("/v1/teams/{team}/rosters", get(roster::get_roster_chain))
        .route("/v1/teams/{team}/epochs", post(keys::add_epoch))
        .route("/v1/teams/{team}/envelopes", get(keys::get_envelopes))
        .route(
            "/v1/teams/{team}/client-keys",
            get(keys::get_client_keys).post(keys::put_client_keys),
        )
        .route(
            "/v1/teams/{team}/client-keys/erase",
            post(keys::erase_client_keys),
        )
        .route("/v1/teams/{team}/urgent", post(urgent::signal))
        .route(
            "/v1/teams/{team}/records",
            get(records::pull).post(records::push).layer(push_limit),
        )
        .route(
            "/v1/teams/{team}/records/erase",
            post(records::erase).layer(push_limit),
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

/// Wraps every request body in an [`IdleBody`] (see [`Settings::body_idle_timeout`]).
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

/// Refuses an IP that exceeds the authentication rate (429 RateLimited, `Retry-After: 2`).
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
    use std::sync::Arc;

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
