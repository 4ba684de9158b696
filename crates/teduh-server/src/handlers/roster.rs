//! `GET`/`PUT /v1/teams/{team}/roster`: the team's signed roster (only key managers upload);
//! `GET /v1/teams/{team}/rosters?after=N`: the chain of rosters a device verifies one by one.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use teduh_protocol::sync::{RosterBody, RosterChain, ROSTER_CHAIN_PAGE};

use super::{check_blob, check_cursor, now_secs};
use crate::extract::{query_error, ApiJson, Authed};
use crate::http_error::HttpError;
use crate::state::AppState;

/// `GET /v1/teams/{team}/roster`: the newest roster, 404 NoRoster before the first.
pub(crate) async fn get_roster(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
) -> Result<Json<RosterBody>, HttpError> {
    let team = me.team(team)?;
    newest_roster(&state, team).await
}

/// `team`'s newest roster; 404 `NoRoster` while it has none.
pub(crate) async fn newest_roster(
    state: &AppState,
    team: u64,
) -> Result<Json<RosterBody>, HttpError> {
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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChainQuery {
    #[serde(default)]
    after: u64,
}

/// `GET /v1/teams/{team}/rosters?after=N`: the rosters above version `N`, oldest first.
pub(crate) async fn get_roster_chain(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    query: Result<Query<ChainQuery>, QueryRejection>,
) -> Result<Json<RosterChain>, HttpError> {
    let team = me.team(team)?;
    roster_chain(&state, team, query).await
}

/// The rosters of `team` above the version the query names, oldest first.
pub(crate) async fn roster_chain(
    state: &AppState,
    team: u64,
    query: Result<Query<ChainQuery>, QueryRejection>,
) -> Result<Json<RosterChain>, HttpError> {
    let Query(q) = query.map_err(query_error)?;
    check_cursor(q.after)?;
    let rosters = state
        .storage
        .rosters_after(team, q.after, ROSTER_CHAIN_PAGE)
        .await?
        .into_iter()
        .map(|(version, roster)| RosterBody { version, roster })
        .collect();
    Ok(Json(RosterChain { rosters }))
}
