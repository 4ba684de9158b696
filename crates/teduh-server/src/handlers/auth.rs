//! Joining: `POST /v1/register` (behind the per-IP rate limit), with an invitation for a new
//! member or one a member made for a further device of hers (`POST /v1/devices/invitations`).
//! Nothing a passphrase derives reaches the server: a device authenticates with the token it
//! gets here, and its public keys count only once a key manager admits them into the roster.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use teduh_protocol::sync::{DeviceInvitation, RegisterRequest, Session};

use super::{check_blob, check_text, now_secs};
use crate::auth;
use crate::extract::{ApiJson, Authed};
use crate::http_error::HttpError;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::storage::{NewDevice, NewInvitation, Registration};

/// How long a device invitation works: long enough to fetch the other laptop, short enough
/// that a code left in a chat soon goes stale.
const DEVICE_INVITATION_SECS: i64 = 24 * 3600;

/// X25519 || Ed25519 public keys.
const DEVICE_KEYS_LEN: usize = 64;

/// `POST /v1/register`: consumes an invitation, creates the member and her first device, or a
/// further device of the member a device invitation names (with the ids asked back, for a
/// device coming back to a server restored from a backup).
pub(crate) async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<Session>), HttpError> {
    check_text("username", &req.username, 64)?;
    check_text("device_name", &req.device_name, 100)?;
    check_text("invitation", &req.invitation, 64)?;
    check_blob(
        "public_keys",
        &req.public_keys,
        DEVICE_KEYS_LEN,
        DEVICE_KEYS_LEN,
    )?;
    if let Some(proof) = &req.proof {
        check_blob("proof", proof, 1, 512)?;
    }
    let (token, token_hash) = auth::new_token();
    let now = now_secs();
    let public_keys = req.public_keys.clone();
    let result = state
        .storage
        .register(
            Registration {
                invitation_hash: auth::invitation_hash(&req.invitation),
                username: req.username,
                device: NewDevice {
                    name: req.device_name,
                    public_keys: req.public_keys,
                    join_proof: req.proof,
                    token_hash,
                    created_at: now,
                    expires_at: now.saturating_add(state.settings.token_ttl_secs),
                    id: req.reclaim.map(|r| r.device_id),
                },
                member_id: req.reclaim.map(|r| r.member_id),
            },
            now,
        )
        .await;
    let (device, _member) =
        result.inspect_err(|_| Metrics::add(&state.metrics.auth_failures, 1))?;
    tracing::info!(
        member = device.member_id,
        device = device.device_id,
        team = device.team_id,
        came_back = req.reclaim.is_some(),
        "device registered"
    );
    Ok((
        StatusCode::CREATED,
        Json(Session {
            token,
            device_id: device.device_id,
            member_id: device.member_id,
            team_id: device.team_id,
            role: device.role,
            public_keys,
            stored_through: 0,
        }),
    ))
}

/// `POST /v1/devices/invitations`: a single-use code with which the caller's member adds a
/// further device of her own. The device joins with its own keys and waits, like any newcomer,
/// until a key manager admits it.
pub(crate) async fn invite_device(
    State(state): State<AppState>,
    me: Authed,
) -> Result<(StatusCode, Json<DeviceInvitation>), HttpError> {
    let (code, code_hash) = auth::new_invitation_code();
    let now = now_secs();
    let expires_at = now + DEVICE_INVITATION_SECS;
    state
        .storage
        .create_invitation(NewInvitation {
            team_id: me.0.team_id,
            role: me.0.role,
            member_id: Some(me.0.member_id),
            package: None,
            code_hash,
            created_at: now,
            expires_at,
        })
        .await?;
    tracing::info!(
        member = me.0.member_id,
        by = me.0.device_id,
        "device invitation made"
    );
    Ok((
        StatusCode::CREATED,
        Json(DeviceInvitation { code, expires_at }),
    ))
}
