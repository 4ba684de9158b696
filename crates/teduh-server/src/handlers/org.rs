//! `GET /v1/org`: the organisation's name, its registered key and its newest signed settings;
//! `PUT /v1/org/settings`: a settings record the organisation key signed on an administrator's
//! device (her first upload registers the key). The server checks the signature only so that
//! it keeps no junk; devices verify the record against the key their signed roster names.
//!
//! `/v1/org/teams/{team}/...`: an administrator's device founds another team (its first roster
//! signed by the organisation key, an invitation for its first supervisor, her admission): it
//! reads the team's listing and roster and writes its roster and invitations. Admins only; the
//! rosters are signed, so the server can withhold but not change what she writes.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use ed25519_dalek::{Signature, VerifyingKey};
use teduh_protocol::sync::org::{
    version_of, OrgInfo, OrgSettingsBody, SignedParts, TeamListing, MAX_SETTINGS_BYTES,
    SETTINGS_PREFIX,
};
use teduh_protocol::sync::{DeviceView, Role, RosterBody, RosterChain, TeamInvitation};

use super::{check_blob, now_secs};
use crate::extract::{path_error, ApiJson, Authed};
use crate::http_error::HttpError;
use crate::state::AppState;
use crate::storage::OrgSettingsUpload;
use crate::storage::{DeviceFilter, Team};

/// `GET /v1/org`.
pub(crate) async fn get_org(
    State(state): State<AppState>,
    _me: Authed,
) -> Result<Json<OrgInfo>, HttpError> {
    let name = state.storage.org_name().await?.unwrap_or_default();
    let docs = state.storage.org_documents().await?;
    Ok(Json(OrgInfo {
        name,
        org_key: docs.org_key.map(|k| hex(&k)),
        settings: docs.settings,
    }))
}

/// `PUT /v1/org/settings`.
pub(crate) async fn put_settings(
    State(state): State<AppState>,
    me: Authed,
    ApiJson(body): ApiJson<OrgSettingsBody>,
) -> Result<StatusCode, HttpError> {
    check_blob("settings", &body.settings, 98, MAX_SETTINGS_BYTES)?;
    // A record its own key does not verify cannot be the registered key's either.
    let (key, version) = signed_by(&body.settings, SETTINGS_PREFIX).ok_or_else(|| {
        HttpError::new(
            StatusCode::CONFLICT,
            "UnsignedSettings",
            "not a settings record signed by the organisation key it names",
        )
    })?;
    state
        .storage
        .put_org_settings(OrgSettingsUpload {
            key,
            version,
            signed: body.settings,
            may_register: me.0.role == Role::Admin,
        })
        .await?;
    tracing::info!(version, "organisation settings stored");
    Ok(StatusCode::NO_CONTENT)
}

/// The team named in the path, when the caller is an administrator and the team exists.
async fn founded_team(
    state: &AppState,
    me: &Authed,
    team: Result<Path<u64>, PathRejection>,
) -> Result<Team, HttpError> {
    let Path(team) = team.map_err(path_error)?;
    if me.0.role != Role::Admin {
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "only an administrator's device works on other teams",
        ));
    }
    state
        .storage
        .teams()
        .await?
        .into_iter()
        .find(|t| t.id == team)
        .ok_or_else(|| HttpError::new(StatusCode::NOT_FOUND, "NotFound", "no such team"))
}

/// `GET /v1/org/teams/{team}/listing`.
pub(crate) async fn team_listing(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
) -> Result<Json<TeamListing>, HttpError> {
    let team = founded_team(&state, &me, team).await?;
    let members = super::members::member_views(&state, team.id).await?;
    let devices: Vec<DeviceView> = state
        .storage
        .devices(DeviceFilter::Team(team.id))
        .await?
        .into_iter()
        .map(super::devices::device_view)
        .collect();
    Ok(Json(TeamListing {
        name: team.name,
        members,
        devices,
    }))
}

/// `GET /v1/org/teams/{team}/roster`.
pub(crate) async fn team_roster(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
) -> Result<Json<RosterBody>, HttpError> {
    let team = founded_team(&state, &me, team).await?.id;
    super::roster::newest_roster(&state, team).await
}

/// `GET /v1/org/teams/{team}/rosters?after=N`: the rosters above version `N`, oldest first
/// (the administrator's device follows a team it founded as its members do).
pub(crate) async fn team_roster_chain(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    query: Result<Query<super::roster::ChainQuery>, QueryRejection>,
) -> Result<Json<RosterChain>, HttpError> {
    let team = founded_team(&state, &me, team).await?.id;
    super::roster::roster_chain(&state, team, query).await
}

/// `PUT /v1/org/teams/{team}/roster`.
pub(crate) async fn put_team_roster(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    ApiJson(body): ApiJson<RosterBody>,
) -> Result<StatusCode, HttpError> {
    let team = founded_team(&state, &me, team).await?.id;
    check_blob("roster", &body.roster, 1, 128 * 1024)?;
    state
        .storage
        .put_roster(team, body.version, body.roster, now_secs())
        .await?;
    tracing::info!(team, by = me.0.device_id, "roster of another team stored");
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/org/teams/{team}/invitations`.
pub(crate) async fn team_invitation(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    ApiJson(body): ApiJson<TeamInvitation>,
) -> Result<StatusCode, HttpError> {
    let team = founded_team(&state, &me, team).await?.id;
    super::invitations::store(&state, team, body, &me).await
}

/// The key that signed `signed` under `prefix` and the document's version, when the signature
/// holds.
pub(crate) fn signed_by(signed: &[u8], prefix: &[u8]) -> Option<([u8; 32], u64)> {
    let parts = SignedParts::split(signed)?;
    let key = VerifyingKey::from_bytes(&parts.key).ok()?;
    key.verify_strict(
        &parts.message(prefix),
        &Signature::from_bytes(&parts.signature),
    )
    .ok()?;
    Some((parts.key, version_of(parts.json)?))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
