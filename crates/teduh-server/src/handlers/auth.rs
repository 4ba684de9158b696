//! Joining: `POST /v1/register` (behind the per-IP rate limit), with an invitation for a new
//! member or one a member made for a further device of hers (`POST /v1/devices/invitations`).
//! Nothing a passphrase derives reaches the server: a device authenticates with the tokens it
//! gets here, and its public keys count only once a key manager admits them into the roster.
//!
//! Tokens rotate (`POST /v1/token`, same rate limit): an access token lives an hour, and each
//! renewal spends the next token of the device's refresh chain (`teduh_protocol::sync::refresh`;
//! decisions/0013). A refresh token presented a second time was copied: the device is revoked
//! and the team's alert recipients are told.

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use teduh_protocol::sync::{DeviceInvitation, RegisterRequest, RenewRequest, Session, Tokens};

use super::{check_blob, check_text, now_secs};
use crate::auth;
use crate::extract::{ApiJson, Authed};
use crate::http_error::HttpError;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::storage::{
    NewDevice, NewInvitation, NewTokens, PresentedRefresh, Registration, Renewal, StorageError,
};

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
    let refresh_anchor = req.refresh_anchor.as_deref().map(chain_value).transpose()?;
    let now = now_secs();
    let (tokens, issued) = new_tokens(&state, now);
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
                    tokens,
                    refresh_anchor,
                    created_at: now,
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
            token: issued.token,
            expires_in: issued.expires_in,
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

/// A device's next access token: what the storage keeps (its hash and the expiries) and what
/// the device gets.
fn new_tokens(state: &AppState, now: i64) -> (NewTokens, Tokens) {
    let (access, access_hash) = auth::new_token();
    let (access_ttl, refresh_ttl) = (
        state.settings.access_ttl_secs,
        state.settings.refresh_ttl_secs,
    );
    (
        NewTokens {
            access_hash,
            access_expires_at: now.saturating_add(access_ttl),
            refresh_expires_at: now.saturating_add(refresh_ttl),
        },
        Tokens {
            token: access,
            expires_in: u64::try_from(access_ttl).unwrap_or(0),
            refresh_expires_in: u64::try_from(refresh_ttl).unwrap_or(0),
        },
    )
}

/// A refresh token or anchor as sent: 64 hex digits (422 `InvalidInput` otherwise).
fn chain_value(text: &str) -> Result<[u8; 32], HttpError> {
    teduh_protocol::sync::refresh::from_hex(text).ok_or_else(|| {
        HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "InvalidInput",
            "a refresh token or anchor is 64 hex digits",
        )
    })
}

/// `POST /v1/token`: a new access token for the device's next refresh token. A refresh token
/// presented a second time (see the module documentation) revokes the device: 401
/// `TokenReused`, to whoever presented it, and to the device's every later request.
pub(crate) async fn renew(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RenewRequest>,
) -> Result<Json<Tokens>, HttpError> {
    let presented = PresentedRefresh {
        token: chain_value(&req.refresh_token)?,
        text_hash: auth::sha256(req.refresh_token.as_bytes()),
    };
    let anchor = req.anchor.as_deref().map(chain_value).transpose()?;
    let now = now_secs();
    let (next, issued) = new_tokens(&state, now);
    let renewal = state
        .storage
        .renew_tokens(req.device_id, presented, anchor, next, now)
        .await
        .inspect_err(|_| Metrics::add(&state.metrics.auth_failures, 1))?;
    match renewal {
        Renewal::Renewed(device) => {
            tracing::debug!(device = device.device_id, "access token renewed");
            Ok(Json(issued))
        }
        Renewal::Reused(device) => {
            Metrics::add(&state.metrics.auth_failures, 1);
            tracing::warn!(
                member = device.member_id,
                device = device.device_id,
                team = device.team_id,
                "a refresh token was presented a second time: device revoked"
            );
            // The alert goes even when the team's name cannot be read.
            let team_name = super::team_name(&state, device.team_id)
                .await
                .unwrap_or_default();
            state
                .alerts
                .notify_revoked(device.team_id, &team_name, device.device_id)
                .await;
            Err(StorageError::TokenReused.into())
        }
    }
}
