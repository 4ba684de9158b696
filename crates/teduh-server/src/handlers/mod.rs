//! The endpoint handlers, one module per resource; [`crate::router`] wires them to routes.
//! Also the input checks and clock helpers several handlers share.

pub(crate) mod auth;
pub(crate) mod devices;
pub(crate) mod directory;
pub(crate) mod health;
pub(crate) mod invitations;
pub(crate) mod keys;
pub(crate) mod members;
pub(crate) mod messages;
pub(crate) mod org;
pub(crate) mod records;
pub(crate) mod roster;
pub(crate) mod urgent;

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;

use crate::http_error::HttpError;

/// The name of `team` (empty if the storage does not list it).
pub(crate) async fn team_name(
    state: &crate::state::AppState,
    team: u64,
) -> Result<String, HttpError> {
    Ok(state
        .storage
        .teams()
        .await?
        .into_iter()
        .find(|t| t.id == team)
        .map(|t| t.name)
        .unwrap_or_default())
}

/// Unix seconds now (0 if the clock is before 1970).
pub(crate) fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Unix milliseconds now (0 if the clock is before 1970).
pub(crate) fn now_millis() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Refuses text that is empty, longer than `max` characters, holds control characters or has
/// surrounding spaces.
pub(crate) fn check_text(field: &'static str, value: &str, max: usize) -> Result<(), HttpError> {
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

/// Refuses a cursor (`?after=`) the database cannot hold: at or above 2^63.
pub(crate) fn check_cursor(after: u64) -> Result<(), HttpError> {
    if after > i64::MAX as u64 {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "InvalidQuery",
            "after must be below 2^63",
        ));
    }
    Ok(())
}

/// Refuses bytes whose length is outside `min..=max`.
pub(crate) fn check_blob(
    field: &'static str,
    value: &[u8],
    min: usize,
    max: usize,
) -> Result<(), HttpError> {
    if value.len() < min || value.len() > max {
        return Err(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "InvalidInput",
            format!("{field} must be {min}-{max} bytes"),
        ));
    }
    Ok(())
}
