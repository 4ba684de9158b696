//! The record log: `POST /v1/teams/{team}/records` (push a page), `GET` (pull a page) and
//! `POST .../records/erase` (replace records by their tombstones), all binary
//! ([`teduh_protocol::sync`]).

use axum::body::{Body, Bytes};
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use teduh_protocol::sync::{hlc_from_millis, ErasedRecords, PushAck, PushPage, OCTET_STREAM};

use super::now_millis;
use crate::extract::{query_error, Authed};
use crate::http_error::{body_rejected, HttpError};
use crate::metrics::Metrics;
use crate::state::AppState;

fn is_octet_stream(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(OCTET_STREAM))
}

/// The body of a record page: `application/octet-stream`, decoded, within the page limits.
fn record_page(
    state: &AppState,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(PushPage, usize), HttpError> {
    if !is_octet_stream(headers) {
        return Err(HttpError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedContentType",
            "send the record page as application/octet-stream",
        ));
    }
    let body = body.map_err(|e| body_rejected(&e))?;
    let page = PushPage::decode(&body)
        .map_err(|e| HttpError::new(StatusCode::BAD_REQUEST, "MalformedPage", e.to_string()))?;
    let limits = state.settings.limits;
    if page.records.len() as u64 > limits.max_push_records {
        return Err(HttpError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "TooManyRecords",
            format!("a page holds at most {} records", limits.max_push_records),
        ));
    }
    for r in &page.records {
        if r.payload.len() as u64 > limits.max_record_bytes {
            return Err(HttpError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "RecordTooLarge",
                format!(
                    "record {} is larger than {} bytes",
                    r.device_seq, limits.max_record_bytes
                ),
            ));
        }
    }
    Ok((page, body.len()))
}

/// `POST /v1/teams/{team}/records`: one page of the caller's own records.
pub(crate) async fn push(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<PushAck>, HttpError> {
    let team = me.team(team)?;
    let (page, body_len) = record_page(&state, &headers, body)?;
    if page.records.iter().any(|r| r.device_id != me.0.device_id) {
        return Err(HttpError::new(
            StatusCode::FORBIDDEN,
            "WrongDevice",
            "a device may only push records of its own log",
        ));
    }
    let limits = state.settings.limits;
    let max_hlc = hlc_from_millis(
        now_millis().saturating_add(limits.max_clock_skew_ms),
        u16::MAX,
    );
    let outcome = state
        .storage
        .push(team, me.0.device_id, page.records, max_hlc)
        .await?;
    Metrics::add(&state.metrics.records_stored, outcome.stored);
    Metrics::add(&state.metrics.records_duplicate, outcome.duplicates);
    Metrics::add(&state.metrics.push_bytes, body_len as u64);
    Ok(Json(PushAck {
        stored_through: outcome.contiguous_seq,
        stored: outcome.stored,
        duplicates: outcome.duplicates,
    }))
}

/// `POST /v1/teams/{team}/records/erase`: a page of tombstones (UU PDP erasure), each replacing
/// the stored record it was made from. A device erases its own records; a key manager anyone's
/// (she approved the erasure). A tombstone not made from the stored record is refused
/// (`NotItsTombstone`) and nothing changes.
pub(crate) async fn erase(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<ErasedRecords>, HttpError> {
    let team = me.team(team)?;
    let (page, _) = record_page(&state, &headers, body)?;
    if page.records.iter().any(|r| r.device_id != me.0.device_id) {
        me.require_key_manager()?;
    }
    let done = state.storage.erase_records(team, page.records).await?;
    tracing::info!(
        team,
        erased = done.erased,
        already = done.already,
        "records erased"
    );
    Ok(Json(done))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PullQuery {
    #[serde(default)]
    after: u64,
    budget: Option<u64>,
}

/// Default pull page budget when the client names none.
const DEFAULT_PULL_BUDGET: u64 = 256 * 1024;
/// Most records in a pull page.
const MAX_PULL_RECORDS: usize = 10_000;

/// `GET /v1/teams/{team}/records?after=cursor[&budget=bytes]`: the next page of the team log.
pub(crate) async fn pull(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Response, HttpError> {
    let team = me.team(team)?;
    let Query(q) = query.map_err(query_error)?;
    if q.after > i64::MAX as u64 || q.budget.is_some_and(|b| b > i64::MAX as u64) {
        return Err(HttpError::new(
            StatusCode::BAD_REQUEST,
            "InvalidQuery",
            "after and budget must be below 2^63",
        ));
    }
    let budget = q
        .budget
        .unwrap_or(DEFAULT_PULL_BUDGET)
        // Not `clamp`: it panics if a configured maximum were below the floor.
        .min(state.settings.limits.max_pull_bytes)
        .max(1024);
    let page = state
        .storage
        .pull(team, q.after, budget as usize, MAX_PULL_RECORDS)
        .await?;
    Metrics::add(&state.metrics.records_pulled, page.records.len() as u64);
    let bytes = page.encode();
    Metrics::add(&state.metrics.pull_bytes, bytes.len() as u64);
    Ok(([(CONTENT_TYPE, OCTET_STREAM)], Body::from(bytes)).into_response())
}
