//! `POST /v1/teams/{team}/urgent`: a device says "this team has something urgent" (issue 22);
//! the server alerts the on-call supervisor outside the app ([`crate::alerts`]). The signal
//! names no client and holds no content.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use teduh_protocol::sync::{UrgentAck, UrgentSignal};

use crate::extract::{ApiJson, Authed};
use crate::http_error::HttpError;
use crate::state::AppState;

/// `POST /v1/teams/{team}/urgent`.
pub(crate) async fn signal(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    ApiJson(body): ApiJson<UrgentSignal>,
) -> Result<Json<UrgentAck>, HttpError> {
    let team = me.team(team)?;
    if body.on_call.len() > 16 {
        return Err(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "InvalidInput",
            "name at most 16 on-call supervisors",
        ));
    }
    let name = super::team_name(&state, team).await?;
    let sent = state.alerts.notify(team, &name, &body).await;
    Ok(Json(UrgentAck { sent }))
}
