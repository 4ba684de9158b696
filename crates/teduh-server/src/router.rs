//! HTTP endpoints. Every failure answers with [`ApiError`]'s JSON shape and a 4xx/5xx status.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use teduh_protocol::{ApiError, HealthReport, ServerVersion, PROTOCOL_VERSION};

use crate::storage::Storage;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The storage backend.
    pub storage: Arc<dyn Storage>,
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
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// Builds the router with every endpoint.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/version", get(version))
        .fallback(not_found)
        .with_state(state)
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

async fn not_found() -> HttpError {
    HttpError::new(StatusCode::NOT_FOUND, "NotFound", "no such endpoint")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt as _;
    use tower::ServiceExt as _;

    async fn app() -> (Router, tempfile::TempDir) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let storage = crate::storage::sqlite::SqliteStorage::open(&tmp.path().join("s.db"))
            .expect("opens");
        (
            router(AppState {
                storage: Arc::new(storage),
            }),
            tmp,
        )
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
}
