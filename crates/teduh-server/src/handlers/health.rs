//! The server's own endpoints: `/healthz`, `/version`, `/metrics`, `/openapi.json` and
//! `/v1/limits`.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use teduh_protocol::sync::Limits;
use teduh_protocol::{HealthReport, ServerVersion, PROTOCOL_VERSION};

use crate::http_error::HttpError;
use crate::state::AppState;

/// `GET /healthz`: 200 with the backend name when the database answers, else 503.
pub(crate) async fn healthz(
    State(state): State<AppState>,
) -> Result<Json<HealthReport>, HttpError> {
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

/// `GET /version`.
pub(crate) async fn version() -> Json<ServerVersion> {
    Json(ServerVersion {
        name: "teduh-server".into(),
        version: crate::VERSION.into(),
        protocol: PROTOCOL_VERSION,
    })
}

/// `GET /metrics`: Prometheus text format.
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}

/// `GET /openapi.json`.
pub(crate) async fn openapi() -> Response {
    (
        [(CONTENT_TYPE, "application/json")],
        crate::openapi::DOCUMENT,
    )
        .into_response()
}

/// `GET /v1/limits`.
pub(crate) async fn get_limits(State(state): State<AppState>) -> Json<Limits> {
    Json(state.settings.limits)
}
