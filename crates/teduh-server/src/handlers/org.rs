//! `GET /v1/org`: the organisation's name, its registered key and its newest signed settings;
//! `PUT /v1/org/settings`: a settings record the organisation key signed on an administrator's
//! device (her first upload registers the key). The server checks the signature only so that
//! it keeps no junk; devices verify the record against the key their signed roster names.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use ed25519_dalek::{Signature, VerifyingKey};
use teduh_protocol::sync::org::{
    version_of, OrgInfo, OrgSettingsBody, SignedParts, MAX_SETTINGS_BYTES, SETTINGS_PREFIX,
};
use teduh_protocol::sync::Role;

use super::check_blob;
use crate::extract::{ApiJson, Authed};
use crate::http_error::HttpError;
use crate::state::AppState;
use crate::storage::OrgSettingsUpload;

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
    let (key, version) = signed_by(&body.settings, SETTINGS_PREFIX).ok_or_else(|| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "MalformedSettings",
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
