//! `GET /v1/devices` and `DELETE /v1/devices/{device}`: a member sees and revokes her own
//! devices, a key manager those of her team.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use teduh_protocol::sync::DeviceView;

use super::now_secs;
use crate::extract::{path_error, Authed};
use crate::http_error::HttpError;
use crate::state::AppState;
use crate::storage::{Device, DeviceFilter};

pub(crate) fn device_view(d: Device) -> DeviceView {
    DeviceView {
        device_id: d.id,
        member_id: d.member_id,
        name: d.name,
        public_keys: d.public_keys,
        join_proof: d.join_proof,
        created_at: d.created_at,
        revoked_at: d.revoked_at,
        revoked_reason: d.revoked_reason,
    }
}

/// The devices the caller may see and revoke.
fn visible_to(me: &Authed) -> DeviceFilter {
    if me.0.role.manages_keys() {
        DeviceFilter::Team(me.0.team_id)
    } else {
        DeviceFilter::Member(me.0.member_id)
    }
}

/// `GET /v1/devices`.
pub(crate) async fn list_devices(
    State(state): State<AppState>,
    me: Authed,
) -> Result<Json<Vec<DeviceView>>, HttpError> {
    let devices = state.storage.devices(visible_to(&me)).await?;
    Ok(Json(devices.into_iter().map(device_view).collect()))
}

/// `DELETE /v1/devices/{device}`.
pub(crate) async fn revoke_device(
    State(state): State<AppState>,
    me: Authed,
    device: Result<Path<u64>, PathRejection>,
) -> Result<StatusCode, HttpError> {
    let Path(device) = device.map_err(path_error)?;
    let mine = state.storage.devices(visible_to(&me)).await?;
    if !mine.iter().any(|d| d.id == device) {
        return Err(HttpError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            "no such device among the ones you may revoke",
        ));
    }
    state.storage.revoke_device(device, now_secs()).await?;
    tracing::info!(device, by = me.0.device_id, "device revoked");
    Ok(StatusCode::NO_CONTENT)
}
