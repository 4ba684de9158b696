//! `GET`/`PUT /v1/teams/{team}/roster`: the team's signed roster (only key managers upload).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use teduh_protocol::sync::RosterBody;

use super::{check_blob, now_secs};
use crate::extract::{ApiJson, Authed};
use crate::http_error::HttpError;
use crate::state::AppState;

/// `GET /v1/teams/{team}/roster`: the newest roster, 404 NoRoster before the first.
pub(crate) async fn get_roster(
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

/// `PUT /v1/teams/{team}/roster`: a newer roster.
pub(crate) async fn put_roster(
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
