//! Request extractors whose rejections use the API's error shape: [`ApiJson`] (a JSON body) and
//! [`Authed`] (the device behind the bearer token), plus the mapping of path and query
//! rejections.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::Json;

use crate::auth;
use crate::handlers::now_secs;
use crate::http_error::{body_timeout, body_too_large, HttpError, BODY_IDLE};
use crate::state::AppState;
use crate::storage::{AuthedDevice, Lane};

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
        // A read's token check goes where the read runs (see `Lane`).
        let lane = if parts.method == Method::GET || parts.method == Method::HEAD {
            Lane::Read
        } else {
            Lane::Write
        };
        let device = state.storage.authenticate(hash, now_secs(), lane).await?;
        Ok(Authed(device))
    }
}

impl Authed {
    /// Refuses a team other than the device's own.
    pub(crate) fn team(&self, team: Result<Path<u64>, PathRejection>) -> Result<u64, HttpError> {
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

    /// Refuses a device whose member may not manage the team's keys.
    pub(crate) fn require_key_manager(&self) -> Result<(), HttpError> {
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

/// 400 InvalidPath for a path segment that does not parse.
pub(crate) fn path_error(e: PathRejection) -> HttpError {
    HttpError::new(StatusCode::BAD_REQUEST, "InvalidPath", e.body_text())
}

/// 400 InvalidQuery for a query string that does not parse.
pub(crate) fn query_error(e: QueryRejection) -> HttpError {
    HttpError::new(StatusCode::BAD_REQUEST, "InvalidQuery", e.body_text())
}
