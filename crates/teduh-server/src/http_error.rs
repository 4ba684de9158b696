//! The API's error response ([`HttpError`]: a status and the JSON [`ApiError`] body), how a
//! [`StorageError`] maps onto it, and the errors several endpoints share.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use teduh_protocol::ApiError;

use crate::storage::StorageError;

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
            E::OrgKeyUnknown => (StatusCode::CONFLICT, "NoOrgKey"),
            E::MailboxFull => (StatusCode::TOO_MANY_REQUESTS, "MailboxFull"),
            E::OrgKeyMismatch => (StatusCode::CONFLICT, "OrgKeyMismatch"),
            E::SettingsNotNewer { .. } => (StatusCode::CONFLICT, "SettingsNotNewer"),
            E::InvitationUnknown => (StatusCode::FORBIDDEN, "InvitationUnknown"),
            E::InvitationUsed => (StatusCode::CONFLICT, "InvitationUsed"),
            E::InvitationExpired => (StatusCode::GONE, "InvitationExpired"),
            E::UsernameTaken => (StatusCode::CONFLICT, "UsernameTaken"),
            E::InvitationForAnother => (StatusCode::FORBIDDEN, "InvitationForAnother"),
            E::IdTaken => (StatusCode::CONFLICT, "IdTaken"),
            E::TokenUnknown => (StatusCode::UNAUTHORIZED, "InvalidToken"),
            E::TokenExpired => (StatusCode::UNAUTHORIZED, "TokenExpired"),
            E::TokenRevoked => (StatusCode::UNAUTHORIZED, "TokenRevoked"),
            E::TokenReused => (StatusCode::UNAUTHORIZED, "TokenReused"),
            E::RefreshExpired => (StatusCode::UNAUTHORIZED, "RefreshExpired"),
            E::Fork { .. } => (StatusCode::CONFLICT, "Fork"),
            E::NotItsTombstone { .. } => (StatusCode::UNPROCESSABLE_ENTITY, "NotItsTombstone"),
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

/// The error text an idle body ends with (set by the router's idle-body middleware, recognised
/// when mapping body rejections).
pub(crate) const BODY_IDLE: &str = "the request body made no progress";

/// 408: the body stopped arriving (see [`BODY_IDLE`]).
pub(crate) fn body_timeout() -> HttpError {
    HttpError::new(
        StatusCode::REQUEST_TIMEOUT,
        "BodyTimeout",
        "the request body stopped arriving; send it again",
    )
}

/// 413: the body is above the route's limit.
pub(crate) fn body_too_large() -> HttpError {
    HttpError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "BodyTooLarge",
        "the body is larger than the server accepts; see GET /v1/limits",
    )
}

/// What a raw body that could not be read answers: 413 above the route's limit, 408 when it
/// stopped arriving, else 400 `MalformedBody`.
pub(crate) fn body_rejected(e: &axum::extract::rejection::BytesRejection) -> HttpError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        body_too_large()
    } else if e.body_text().contains(BODY_IDLE) {
        body_timeout()
    } else {
        HttpError::new(StatusCode::BAD_REQUEST, "MalformedBody", e.body_text())
    }
}
