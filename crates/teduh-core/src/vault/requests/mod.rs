//! The request register (issue 25, UU PDP Ps 14): each data-subject request is a signed record
//! under its client's key, so whoever may read the client sees her requests and the server
//! none. The request's fields are [`DataRequest`]'s, with who entered it and when (`author`,
//! `entered_at`); its answer is written once, as the fields `answer` and `answered_by`.
//!
//! The deadline runs from the receipt time the handler enters ([`crate::request`]); "now" is
//! this device's clock as corrected to the server's at its last sync, so a laptop whose clock is
//! hours off shows the true time left.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::error::VaultError;
use super::read::Reader;
use super::sealed::{from_fields, id16, to_fields, AUTHOR};
use super::{Batch, Vault};
use crate::ids::{ClientId, MemberId, RequestId};
use crate::permissions::Action;
use crate::records::{Op, RecordKind};
use crate::request::{
    standing, DataRequest, Outcome, RequestAnswer, RequestKind, RequestProblem, Standing,
};

#[cfg(test)]
mod tests;

/// When the request was entered (this device's corrected clock).
const ENTERED_AT: &str = "entered_at";
/// The answer, once given.
const ANSWER: &str = "answer";
/// Who gave the answer (the member who signed it).
pub(super) const ANSWERED_BY: &str = "answered_by";
/// When a granted restriction was lifted.
const LIFTED_AT: &str = "lifted_at";
/// Who lifted it (the member who signed it).
pub(super) const LIFTED_BY: &str = "lifted_by";

/// A request as the register, Home and the client's profile show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RequestView {
    /// The request's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: RequestId,
    /// Whose data it is about.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub client: ClientId,
    /// The client's code.
    pub client_code: String,
    /// The request as registered.
    pub request: DataRequest,
    /// Who entered it.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub entered_by: Option<MemberId>,
    /// When it was entered (later than its receipt when entered late).
    pub entered_at: Option<DateTime<Utc>>,
    /// The answer, once given.
    pub answer: Option<RequestAnswer>,
    /// Who answered.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub answered_by: Option<MemberId>,
    /// When the answer is due: 3×24 h after receipt.
    pub deadline: DateTime<Utc>,
    /// Where it stands now.
    pub standing: Standing,
    /// Minutes until the deadline (negative once past it), as of the moment it was read.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub minutes_left: i64,
    /// When a granted restriction was lifted.
    pub lifted_at: Option<DateTime<Utc>>,
    /// Who lifted it.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub lifted_by: Option<MemberId>,
}

impl RequestView {
    /// Not answered yet.
    pub fn is_open(&self) -> bool {
        self.answer.is_none()
    }

    /// A restriction granted (in whole or in part) and not lifted: her data is kept and read,
    /// not changed (UU PDP Ps 41).
    pub fn restricts(&self) -> bool {
        self.request.kind == RequestKind::Restriction
            && self
                .answer
                .as_ref()
                .is_some_and(|a| a.outcome != Outcome::Refused)
            && self.lifted_at.is_none()
    }
}

fn invalid(p: RequestProblem) -> VaultError {
    VaultError::InvalidInput(p.to_string())
}

impl Batch<'_> {
    /// Registers a request about `client`, checked at this device's corrected clock; the
    /// handler is the registering member unless the request names another.
    ///
    /// Fails for an unknown client, or with [`VaultError::InvalidInput`] naming the
    /// [`RequestProblem`].
    pub fn add_request(
        &mut self,
        client: ClientId,
        request: &DataRequest,
    ) -> Result<RequestId, VaultError> {
        let now = self.corrected_now();
        request.check(now).map_err(invalid)?;
        let stored = DataRequest {
            handler: request.handler.or(Some(self.ident.member)),
            ..request.clone()
        };
        let mut fields = to_fields(&stored)?;
        fields.insert(AUTHOR.into(), json!(self.ident.member));
        fields.insert(ENTERED_AT.into(), json!(now));
        let id = self.create_child(client, RecordKind::Request, None, &fields)?;
        Ok(RequestId(id.0))
    }

    /// Records the answer to a request, once.
    ///
    /// Fails for an unknown request, and with [`VaultError::InvalidInput`] for a second
    /// answer or one that does not hold ([`RequestAnswer::check`]).
    pub fn answer_request(
        &mut self,
        id: RequestId,
        answer: &RequestAnswer,
    ) -> Result<(), VaultError> {
        let now = self.corrected_now();
        let view = self.reader().request(id, now)?;
        if view.answer.is_some() {
            return Err(invalid(RequestProblem::AnsweredAlready));
        }
        answer.check(&view.request, now).map_err(invalid)?;
        let by = self.ident.member;
        self.update_request(
            &view,
            [
                (ANSWER, Value::Object(to_fields(answer)?)),
                (ANSWERED_BY, json!(by)),
            ],
        )
    }

    /// Lifts the restriction `id` granted: her data can be changed again. Her handler or a
    /// supervisor lifts it.
    ///
    /// Fails for an unknown request, with [`VaultError::InvalidInput`] for a request that
    /// restricts nothing (not a restriction, refused, not answered, lifted already), and with
    /// [`VaultError::NotPermitted`] for another worker.
    pub fn lift_restriction(&mut self, id: RequestId) -> Result<(), VaultError> {
        let now = self.corrected_now();
        let view = self.reader().request(id, now)?;
        if !view.restricts() {
            return Err(VaultError::InvalidInput(
                "this request restricts nothing: not a granted restriction, or lifted already"
                    .into(),
            ));
        }
        let me = Some(self.ident.member);
        if view.request.handler != me && !self.reader().may(Action::DecideReview)? {
            return Err(VaultError::NotPermitted(
                "a restriction is lifted by her handler or a supervisor".into(),
            ));
        }
        let by = self.ident.member;
        self.update_request(&view, [(LIFTED_AT, json!(now)), (LIFTED_BY, json!(by))])
    }

    /// Writes `fields` as a change of the request `view` shows: the two changes a request
    /// takes, its answer and the lifting of a restriction.
    fn update_request(
        &mut self,
        view: &RequestView,
        fields: [(&str, Value); 2],
    ) -> Result<(), VaultError> {
        let fields: Map<String, Value> = fields
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect();
        self.append(
            RecordKind::Request,
            Op::Update,
            view.id.into(),
            view.client,
            None,
            &fields,
        )
    }
}

impl Reader<'_> {
    /// One request as of `now`.
    pub(in crate::vault) fn request(
        &mut self,
        id: RequestId,
        now: DateTime<Utc>,
    ) -> Result<RequestView, VaultError> {
        let meta = self.expect(id.into(), RecordKind::Request, "request")?;
        let mut fields = self.fields(id.into(), &meta)?;
        let member = |v: Option<Value>| v.and_then(|v| serde_json::from_value::<MemberId>(v).ok());
        let entered_by = member(fields.remove(AUTHOR));
        let answered_by = member(fields.remove(ANSWERED_BY));
        let lifted_by = member(fields.remove(LIFTED_BY));
        let lifted_at = fields
            .remove(LIFTED_AT)
            .and_then(|v| serde_json::from_value(v).ok());
        let entered_at = fields
            .remove(ENTERED_AT)
            .and_then(|v| serde_json::from_value(v).ok());
        let answer: Option<RequestAnswer> = match fields.remove(ANSWER) {
            Some(Value::Null) | None => None,
            Some(Value::Object(m)) => Some(from_fields(m, "request answer")?),
            Some(_) => {
                return Err(VaultError::Integrity {
                    record: format!("request {id}: its answer is not an answer"),
                })
            }
        };
        let request: DataRequest = from_fields(fields, "request")?;
        let deadline = request.deadline().ok_or_else(|| VaultError::Integrity {
            record: format!("request {id}: no receipt time"),
        })?;
        Ok(RequestView {
            id,
            client: meta.client,
            client_code: self.u.index.code_of(meta.client).unwrap_or_default(),
            standing: standing(&request, answer.as_ref(), now),
            minutes_left: (deadline - now).num_minutes(),
            request,
            entered_by,
            entered_at,
            answer,
            answered_by,
            deadline,
            lifted_at,
            lifted_by,
        })
    }

    /// The requests of one client, as of `now`, newest receipt first.
    pub(in crate::vault) fn requests_of(
        &mut self,
        client: ClientId,
        now: DateTime<Utc>,
    ) -> Result<Vec<RequestView>, VaultError> {
        let ids = self.children(client, RecordKind::Request, None)?;
        let mut out = ids
            .into_iter()
            .map(|id| self.request(RequestId(id.0), now))
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_by_key(|r| std::cmp::Reverse(r.request.received_at));
        Ok(out)
    }

    /// Every unanswered request of the clients this device reads, the nearest deadline first.
    pub(in crate::vault) fn open_requests(
        &mut self,
        now: DateTime<Utc>,
    ) -> Result<Vec<RequestView>, VaultError> {
        let rows: Vec<(Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare_cached("SELECT entity_id, client_id FROM entities WHERE kind = 'request'")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (id, client) in rows {
            // A client this device does not read (need-to-know) has no key here.
            if self.u.index.code_of(ClientId(id16(&client)?)).is_none() {
                continue;
            }
            let view = self.request(RequestId(id16(&id)?), now)?;
            if view.is_open() {
                out.push(view);
            }
        }
        out.sort_by_key(|r| r.deadline);
        Ok(out)
    }
}

/// Why a request record received from another device cannot be applied: a registration
/// forms a request with its receipt time and no answer; a later record only answers it or
/// lifts a restriction.
/// (Who entered and who answered are the members who signed: the authorship rule.)
pub(super) fn shape_refusal(op: Op, fields: &Map<String, Value>) -> Option<&'static str> {
    let mut fields = fields.clone();
    match op {
        Op::Create => {
            if fields.contains_key(ANSWER) || fields.contains_key(ANSWERED_BY) {
                return Some("a request is registered unanswered");
            }
            fields.remove(AUTHOR);
            let entered = fields
                .remove(ENTERED_AT)
                .and_then(|e| serde_json::from_value::<DateTime<Utc>>(e).ok());
            let request = serde_json::from_value::<DataRequest>(Value::Object(fields));
            match (request, entered) {
                (Ok(r), Some(_)) if r.received_at.is_some() => None,
                _ => Some("its fields do not form a request with its receipt and entry times"),
            }
        }
        Op::Update if fields.contains_key(LIFTED_AT) => {
            fields.remove(LIFTED_BY);
            let lifted = fields
                .remove(LIFTED_AT)
                .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v).ok());
            match (lifted, fields.is_empty()) {
                (Some(_), true) => None,
                _ => Some("a restriction is lifted by its time alone"),
            }
        }
        Op::Update => {
            let answer = fields.remove(ANSWER);
            fields.remove(ANSWERED_BY);
            if !fields.is_empty() {
                return Some("a request is changed only by its answer");
            }
            match answer.map(serde_json::from_value::<RequestAnswer>) {
                Some(Ok(a)) if a.answered_at.is_some() => None,
                _ => Some("its answer has no time or cannot be read"),
            }
        }
    }
}

impl Vault {
    /// Registers a data-subject request about `client` (see [`Batch::add_request`]).
    ///
    /// Fails when locked, for an unknown client, or with [`VaultError::InvalidInput`].
    pub fn add_request(
        &mut self,
        client: ClientId,
        request: &DataRequest,
    ) -> Result<RequestId, VaultError> {
        self.batch(|b| b.add_request(client, request))
    }

    /// Records the answer to a request (see [`Batch::answer_request`]).
    ///
    /// Fails when locked, for an unknown request, or with [`VaultError::InvalidInput`].
    pub fn answer_request(
        &mut self,
        id: RequestId,
        answer: &RequestAnswer,
    ) -> Result<(), VaultError> {
        self.batch(|b| b.answer_request(id, answer))
    }

    /// Lifts a granted restriction (see [`Batch::lift_restriction`]).
    ///
    /// Fails when locked, for an unknown request, with [`VaultError::InvalidInput`] or
    /// [`VaultError::NotPermitted`].
    pub fn lift_restriction(&mut self, id: RequestId) -> Result<(), VaultError> {
        self.batch(|b| b.lift_restriction(id))
    }

    /// One request, as of now (this device's corrected clock).
    ///
    /// Fails when locked, for an unknown request, or with [`VaultError::Integrity`].
    pub fn request(&mut self, id: RequestId) -> Result<RequestView, VaultError> {
        let now = self.corrected_now();
        self.reader()?.request(id, now)
    }

    /// A client's requests, newest receipt first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn requests_of(&mut self, client: ClientId) -> Result<Vec<RequestView>, VaultError> {
        let now = self.corrected_now();
        self.reader()?.requests_of(client, now)
    }

    /// Every unanswered request this device can read, the nearest deadline first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn open_requests(&mut self) -> Result<Vec<RequestView>, VaultError> {
        let now = self.corrected_now();
        self.reader()?.open_requests(now)
    }
}
