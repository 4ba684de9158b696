//! `GET /v1/directory`: the public directory bundle, cached by ETag.

use axum::body::Body;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, IF_NONE_MATCH};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use teduh_protocol::sync::OCTET_STREAM;

use crate::http_error::HttpError;
use crate::state::AppState;

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
