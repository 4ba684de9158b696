//! `GET /v1/teams/{team}/members`: the team's members (their devices' keys are in
//! `GET /v1/devices`).

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::Json;
use teduh_protocol::sync::MemberView;

use crate::extract::Authed;
use crate::http_error::HttpError;
use crate::state::AppState;

/// `GET /v1/teams/{team}/members`, removed members included (flagged).
pub(crate) async fn list_members(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
) -> Result<Json<Vec<MemberView>>, HttpError> {
    let team = me.team(team)?;
    Ok(Json(member_views(&state, team).await?))
}

/// `team`'s members as devices see them, removed ones included (flagged).
pub(crate) async fn member_views(
    state: &AppState,
    team: u64,
) -> Result<Vec<MemberView>, HttpError> {
    let members = state.storage.members(team).await?;
    Ok(members
        .into_iter()
        .map(|m| MemberView {
            member_id: m.id,
            username: m.username,
            role: m.role,
            removed: m.removed_at.is_some(),
        })
        .collect())
}
