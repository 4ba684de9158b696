//! `GET /v1/directory`: the public directory bundle, cached by ETag; `PUT /v1/directory`: an
//! administrator's device publishes a bundle the organisation key signed, or a member's device
//! gives back the newest bundle a server restored from a backup lost.

use axum::body::{Body, Bytes};
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use ed25519_dalek::VerifyingKey;
use teduh_directory::bundle::{BundleError, SignedBundle};
use teduh_protocol::sync::OCTET_STREAM;

use super::now_secs;
use crate::extract::Authed;
use crate::http_error::{body_rejected, HttpError};
use crate::state::AppState;
use crate::storage::{DirectoryBundle, StorageError};

/// The largest directory bundle a device may give back (a few thousand entries fit).
pub const MAX_DIRECTORY_BYTES: usize = 8 * 1024 * 1024;

/// The ETag of a directory bundle: its version and a digest prefix, quoted.
pub fn directory_etag(version: u64, sha256: &[u8; 32]) -> String {
    let digest: String = sha256[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{version}-{digest}\"")
}

/// The newest signed directory bundle (public data: no token needed), with an ETag; answers
/// 304 when `If-None-Match` names the current one.
pub(crate) async fn get_directory(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, HttpError> {
    let Some(bundle) = state.storage.latest_directory().await? else {
        return Err(HttpError::new(
            StatusCode::NOT_FOUND,
            "NoDirectory",
            "no directory bundle has been published yet",
        ));
    };
    let etag = directory_etag(bundle.version, &bundle.sha256);
    let matches = headers
        .get(IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let etag_value = HeaderValue::from_str(&etag)
        .map_err(|_| HttpError::new(StatusCode::INTERNAL_SERVER_ERROR, "Internal", "bad etag"))?;
    if matches {
        return Ok((StatusCode::NOT_MODIFIED, [(ETAG, etag_value)]).into_response());
    }
    Ok((
        [
            (CONTENT_TYPE, HeaderValue::from_static(OCTET_STREAM)),
            (ETAG, etag_value),
            (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        Body::from(bundle.bundle),
    )
        .into_response())
}

/// `PUT /v1/directory`: a bundle the organisation signed, published from an administrator's
/// device holding the organisation key, or given back by a member's device because this server
/// (restored from a backup) serves an older one or none. Stored only when it verifies against
/// the registered organisation key or this server's own directory key and is newer than the
/// newest stored: a device can pass on what the organisation signed, never sign anything itself.
pub(crate) async fn put_directory(
    State(state): State<AppState>,
    _me: Authed,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, HttpError> {
    let body = body.map_err(|e| body_rejected(&e))?;
    let trusted = trusted_keys(&state).await?;
    if trusted.is_empty() {
        return Err(HttpError::new(
            StatusCode::CONFLICT,
            "NoDirectoryKey",
            "this server has no directory signing key to check a bundle against",
        ));
    }
    let signed: SignedBundle = serde_json::from_slice(&body).map_err(|e| {
        HttpError::new(
            StatusCode::BAD_REQUEST,
            "MalformedBundle",
            format!("not a signed directory bundle: {e}"),
        )
    })?;
    let current = state.storage.latest_directory().await?.map(|b| b.version);
    let mut outcome = Err(BundleError::BadSignature);
    for key in &trusted {
        outcome = signed.accept(key, current);
        if !matches!(outcome, Err(BundleError::BadSignature)) {
            break;
        }
    }
    let bundle = outcome.map_err(|e| match e {
        BundleError::NotNewer { .. } => HttpError::new(
            StatusCode::CONFLICT,
            "DirectoryNotNewer",
            "the server already has this directory version or a newer one",
        ),
        other => HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "BadBundle",
            other.to_string(),
        ),
    })?;
    state
        .storage
        .publish_directory(
            DirectoryBundle {
                version: bundle.version,
                sha256: crate::auth::sha256(&body),
                bundle: body.to_vec(),
            },
            now_secs(),
        )
        .await?;
    tracing::info!(
        version = bundle.version,
        "directory bundle stored from a device"
    );
    Ok(StatusCode::NO_CONTENT)
}

/// The keys a bundle a device sends may verify against: the organisation key an
/// administrator's device registered, and this server's own directory key (read at each
/// request: it appears when the operator first publishes).
async fn trusted_keys(state: &AppState) -> Result<Vec<VerifyingKey>, HttpError> {
    let mut keys = Vec::new();
    match state.storage.org_documents().await {
        Ok(docs) => keys.extend(docs.org_key.and_then(|k| VerifyingKey::from_bytes(&k).ok())),
        Err(StorageError::NotFound(_)) => {}
        Err(e) => return Err(e.into()),
    }
    if let Some(dir) = state.data_dir.as_deref() {
        let own = crate::directory_admin::published_key(dir).map_err(|e| {
            tracing::error!(error = %e, "the directory signing key cannot be read");
            HttpError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal",
                "the directory signing key cannot be read",
            )
        })?;
        keys.extend(own);
    }
    Ok(keys)
}
