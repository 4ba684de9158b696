//! Team keys: `POST /v1/teams/{team}/epochs` (a new team-key epoch), `GET .../envelopes` (the
//! calling device's envelopes) and the client-key wraps under `.../client-keys`.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use teduh_protocol::sync::{
    ClientKeyWrap, ClientKeyWraps, EnvelopeList, EpochEnvelope, EraseClient, Erased, NewEpoch,
};

use super::check_blob;
use crate::extract::{query_error, ApiJson, Authed};
use crate::http_error::HttpError;
use crate::state::AppState;
use crate::storage::ClientWrap;

/// `POST /v1/teams/{team}/epochs` (key managers only).
pub(crate) async fn add_epoch(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    ApiJson(body): ApiJson<NewEpoch>,
) -> Result<StatusCode, HttpError> {
    let team = me.team(team)?;
    me.require_key_manager()?;
    if body.envelopes.is_empty() || body.envelopes.len() > 1000 {
        return Err(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "InvalidInput",
            "an epoch needs 1-1000 envelopes",
        ));
    }
    for e in &body.envelopes {
        check_blob("envelope", &e.envelope, 1, 4096)?;
    }
    let envelopes = body
        .envelopes
        .into_iter()
        .map(|e| (e.device_id, e.envelope))
        .collect();
    state.storage.add_epoch(team, body.epoch, envelopes).await?;
    tracing::info!(team, epoch = body.epoch, "new team-key epoch");
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/teams/{team}/envelopes`.
pub(crate) async fn get_envelopes(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
) -> Result<Json<EnvelopeList>, HttpError> {
    let team = me.team(team)?;
    // Only the envelopes addressed to the asking device: the query is keyed by its id.
    let (current_epoch, list) = state.storage.envelopes(team, me.0.device_id).await?;
    Ok(Json(EnvelopeList {
        current_epoch,
        envelopes: list
            .into_iter()
            .map(|(epoch, envelope)| EpochEnvelope { epoch, envelope })
            .collect(),
    }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct EpochQuery {
    epoch: Option<u32>,
}

/// `GET /v1/teams/{team}/client-keys[?epoch=n]`.
pub(crate) async fn get_client_keys(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    query: Result<Query<EpochQuery>, QueryRejection>,
) -> Result<Json<ClientKeyWraps>, HttpError> {
    let team = me.team(team)?;
    let Query(q) = query.map_err(query_error)?;
    let wraps = state.storage.client_keys(team, q.epoch).await?;
    Ok(Json(ClientKeyWraps {
        wraps: wraps
            .into_iter()
            .map(|w| ClientKeyWrap {
                epoch: w.epoch,
                client_id: w.client_id,
                wrap: w.wrap,
            })
            .collect(),
    }))
}

/// `POST /v1/teams/{team}/client-keys`.
pub(crate) async fn put_client_keys(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    ApiJson(body): ApiJson<ClientKeyWraps>,
) -> Result<StatusCode, HttpError> {
    let team = me.team(team)?;
    if body.wraps.is_empty() || body.wraps.len() > 1000 {
        return Err(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "InvalidInput",
            "send 1-1000 wraps (batch larger uploads)",
        ));
    }
    for w in &body.wraps {
        check_blob("client_id", &w.client_id, 1, 64)?;
        check_blob("wrap", &w.wrap, 1, 4096)?;
    }
    let wraps = body
        .wraps
        .into_iter()
        .map(|w| ClientWrap {
            epoch: w.epoch,
            client_id: w.client_id,
            wrap: w.wrap,
        })
        .collect();
    state.storage.put_client_keys(team, wraps).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/teams/{team}/client-keys/erase` (key managers only): crypto-shreds one client.
pub(crate) async fn erase_client_keys(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    ApiJson(body): ApiJson<EraseClient>,
) -> Result<Json<Erased>, HttpError> {
    let team = me.team(team)?;
    me.require_key_manager()?;
    check_blob("client_id", &body.client_id, 1, 64)?;
    let erased = state
        .storage
        .erase_client_keys(team, body.client_id)
        .await?;
    tracing::info!(team, erased, "client key wraps erased");
    Ok(Json(Erased { erased }))
}
