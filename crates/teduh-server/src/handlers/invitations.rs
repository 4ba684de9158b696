//! Invitations a key manager's device makes (trust 2/3): `POST /v1/teams/{team}/invitations`
//! stores one under an id derived from its secret, with a package encrypted under another key
//! derived from it; `GET /v1/invitations/{id}` (no token, behind the per-IP rate limit) gives a
//! joiner that package before she sets her passphrase; `GET /v1/teams/{team}/info` names the
//! team and the organisation for the package. The server holds neither the secret nor a way to
//! read the package or to make the proof the joiner registers with.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use teduh_protocol::sync::{InvitationPackage, TeamInfo, TeamInvitation};

use super::{check_blob, now_secs};
use crate::auth;
use crate::extract::{path_error, ApiJson, Authed};
use crate::http_error::HttpError;
use crate::state::AppState;
use crate::storage::NewInvitation;

/// The longest an invitation may stay open.
const MAX_INVITATION_SECS: i64 = 72 * 3600;

/// An invitation id: 32 lowercase hex digits (128 bits derived from the secret).
fn check_id(id: &str) -> Result<(), HttpError> {
    if id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        Ok(())
    } else {
        Err(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "InvalidInput",
            "an invitation id is 32 lowercase hex digits",
        ))
    }
}

/// `POST /v1/teams/{team}/invitations` (key managers only).
pub(crate) async fn create(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    ApiJson(body): ApiJson<TeamInvitation>,
) -> Result<StatusCode, HttpError> {
    let team = me.team(team)?;
    me.require_key_manager()?;
    store(&state, team, body, &me).await
}

/// Stores an invitation a device made for `team`: its own (a key manager's) or, for the
/// organisation's administrator founding a team, another.
pub(crate) async fn store(
    state: &AppState,
    team: u64,
    body: TeamInvitation,
    me: &Authed,
) -> Result<StatusCode, HttpError> {
    check_id(&body.id)?;
    check_blob("package", &body.package, 1, 8192)?;
    let now = now_secs();
    if body.expires_at <= now {
        return Err(HttpError::new(
            StatusCode::CONFLICT,
            "InvitationExpired",
            "the invitation's expiry has passed",
        ));
    }
    // Never open longer than 72 hours, whatever the device asked.
    let expires_at = body.expires_at.min(now + MAX_INVITATION_SECS);
    state
        .storage
        .create_invitation(NewInvitation {
            team_id: team,
            role: body.role,
            member_id: None,
            package: Some(body.package),
            code_hash: auth::invitation_hash(&body.id),
            created_at: now,
            expires_at,
        })
        .await?;
    tracing::info!(team, by = me.0.device_id, "invitation made on a device");
    Ok(StatusCode::CREATED)
}

/// `GET /v1/invitations/{id}`: the package of an open invitation.
pub(crate) async fn package(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<InvitationPackage>, HttpError> {
    let Path(id) = id.map_err(path_error)?;
    check_id(&id)?;
    let p = state
        .storage
        .invitation_package(auth::invitation_hash(&id), now_secs())
        .await?;
    Ok(Json(InvitationPackage {
        team_id: p.team_id,
        role: p.role,
        package: p.package,
        expires_at: p.expires_at,
    }))
}

/// `GET /v1/teams/{team}/info`: the team's and the organisation's names.
pub(crate) async fn team_info(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
) -> Result<Json<TeamInfo>, HttpError> {
    let team = me.team(team)?;
    let name = super::team_name(&state, team).await?;
    let organisation = state.storage.org_name().await?.unwrap_or_default();
    Ok(Json(TeamInfo {
        team_id: team,
        name,
        organisation,
    }))
}
