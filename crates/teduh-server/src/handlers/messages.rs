//! `POST`/`GET /v1/teams/{team}/messages`: a mailbox between the devices of a team. A device
//! reports the security alarms it raised to the key managers' devices through it; each message
//! is sealed to its recipient and signed by its sender, so the server can withhold one but not
//! read, forge or redirect it.

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;
use teduh_protocol::sync::{Inbox, InboxMessage, NewMessages, INBOX_PAGE};

use super::{check_blob, check_cursor, now_secs};
use crate::extract::{query_error, ApiJson, Authed};
use crate::http_error::HttpError;
use crate::state::AppState;
use crate::storage::StorageError;

/// `POST /v1/teams/{team}/messages`.
pub(crate) async fn post(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    ApiJson(body): ApiJson<NewMessages>,
) -> Result<StatusCode, HttpError> {
    let team = me.team(team)?;
    if body.messages.is_empty() || body.messages.len() > 100 {
        return Err(HttpError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "InvalidInput",
            "send 1-100 messages",
        ));
    }
    for m in &body.messages {
        check_blob("body", &m.body, 1, 4096)?;
    }
    let messages = body
        .messages
        .into_iter()
        .map(|m| (m.device_id, m.body))
        .collect();
    state
        .storage
        .post_messages(team, me.0.device_id, messages, now_secs())
        .await
        .map_err(|e| match e {
            // A mailbox that does not exist here: not found (the request itself was fine).
            StorageError::NotTeamMember(device) => HttpError::new(
                StatusCode::NOT_FOUND,
                "NotTeamMember",
                format!("device {device} is not an active device of this team"),
            ),
            other => other.into(),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct InboxQuery {
    #[serde(default)]
    after: u64,
}

/// `GET /v1/teams/{team}/messages?after=N`: the asking device's messages above `N`.
pub(crate) async fn inbox(
    State(state): State<AppState>,
    me: Authed,
    team: Result<Path<u64>, PathRejection>,
    query: Result<Query<InboxQuery>, QueryRejection>,
) -> Result<Json<Inbox>, HttpError> {
    let team = me.team(team)?;
    let Query(q) = query.map_err(query_error)?;
    check_cursor(q.after)?;
    // Keyed by the asking device: no one reads another device's messages.
    let messages = state
        .storage
        .messages(team, me.0.device_id, q.after, INBOX_PAGE)
        .await?
        .into_iter()
        .map(|(id, sender_device, body)| InboxMessage {
            id,
            sender_device,
            body,
        })
        .collect();
    Ok(Json(Inbox { messages }))
}
