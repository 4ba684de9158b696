//! Joining and signing in: `POST /v1/register`, `/v1/login/params` and `/v1/login` (all behind
//! the per-IP rate limit).

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use teduh_protocol::sync::{
    LoginParams, LoginParamsRequest, LoginRequest, RegisterRequest, Session,
};

use super::{check_blob, check_text, now_secs};
use crate::auth;
use crate::extract::ApiJson;
use crate::http_error::HttpError;
use crate::metrics::Metrics;
use crate::state::AppState;
use crate::storage::{AuthedDevice, Member, NewDevice, Registration};

fn session(device: AuthedDevice, member: &Member, token: String, stored_through: u64) -> Session {
    Session {
        token,
        device_id: device.device_id,
        member_id: device.member_id,
        team_id: device.team_id,
        role: device.role,
        public_keys: member.public_keys.clone(),
        wrapped_keys: member.wrapped_keys.clone(),
        stored_through,
    }
}

/// Runs slow hashing off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HttpError> {
    tokio::task::spawn_blocking(f).await.map_err(|_| {
        HttpError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Unavailable",
            "the server is shutting down",
        )
    })
}

/// `POST /v1/register`: consumes an invitation, creates the member and her first device (with
/// the ids asked back, for a device coming back to a server restored from a backup).
pub(crate) async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<Session>), HttpError> {
    check_text("username", &req.username, 64)?;
    check_text("device_name", &req.device_name, 100)?;
    check_text("invitation", &req.invitation, 64)?;
    check_blob("public_keys", &req.public_keys, 1, 4096)?;
    check_blob("wrapped_keys", &req.wrapped_keys, 1, 16384)?;
    check_blob("kdf_params", &req.kdf_params, 1, 1024)?;
    check_blob("auth_secret", &req.auth_secret, 16, 128)?;
    let secret = req.auth_secret;
    let verifier = blocking(move || auth::hash_secret(&secret))
        .await?
        .map_err(|_| {
            HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal",
                "hashing failed",
            )
        })?;
    let (token, token_hash) = auth::new_token();
    let now = now_secs();
    let result = state
        .storage
        .register(
            Registration {
                invitation_hash: auth::invitation_hash(&req.invitation),
                username: req.username,
                public_keys: req.public_keys,
                wrapped_keys: req.wrapped_keys,
                kdf_params: req.kdf_params,
                verifier,
                device: NewDevice {
                    name: req.device_name,
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
    let (device, member) = result.inspect_err(|_| Metrics::add(&state.metrics.auth_failures, 1))?;
    tracing::info!(
        member = device.member_id,
        device = device.device_id,
        team = device.team_id,
        came_back = req.reclaim.is_some(),
        "member registered"
    );
    Ok((
        StatusCode::CREATED,
        Json(session(device, &member, token, 0)),
    ))
}

/// `POST /v1/login/params`: the KDF parameters of an active member.
pub(crate) async fn login_params(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginParamsRequest>,
) -> Result<Json<LoginParams>, HttpError> {
    check_text("username", &req.username, 64)?;
    match state.storage.member_by_username(req.username).await? {
        Some(m) if m.removed_at.is_none() => Ok(Json(LoginParams {
            kdf_params: m.kdf_params,
        })),
        _ => Err(HttpError::new(
            StatusCode::NOT_FOUND,
            "UnknownUser",
            "no active member has this username",
        )),
    }
}

/// `POST /v1/login`: checks the secret (in constant work whether or not the member exists) and
/// creates a new device (with the id asked back, for a device coming back to a restored server).
pub(crate) async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<Session>, HttpError> {
    check_text("username", &req.username, 64)?;
    check_text("device_name", &req.device_name, 100)?;
    check_blob("auth_secret", &req.auth_secret, 16, 128)?;
    let member = state.storage.member_by_username(req.username).await?;
    let secret = req.auth_secret;
    let member = match member {
        Some(m) if m.removed_at.is_none() => {
            let verifier = m.verifier.clone();
            let ok = blocking(move || auth::verify_secret(&verifier, &secret)).await?;
            ok.then_some(m)
        }
        _ => {
            blocking(move || auth::burn_verification(&secret)).await?;
            None
        }
    };
    let Some(member) = member else {
        Metrics::add(&state.metrics.auth_failures, 1);
        return Err(HttpError::new(
            StatusCode::UNAUTHORIZED,
            "BadCredentials",
            "unknown username or wrong passphrase",
        ));
    };
    let (token, token_hash) = auth::new_token();
    let now = now_secs();
    let device = state
        .storage
        .create_device(
            member.id,
            NewDevice {
                name: req.device_name,
                token_hash,
                created_at: now,
                expires_at: now.saturating_add(state.settings.token_ttl_secs),
                id: req.reclaim_device,
            },
        )
        .await?;
    tracing::info!(
        member = device.member_id,
        device = device.device_id,
        came_back = req.reclaim_device.is_some(),
        "device logged in"
    );
    Ok(Json(session(device, &member, token, 0)))
}
