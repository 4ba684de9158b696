//! Erasure by crypto-shredding (issue 26, UU PDP Ps 43-44). A key manager approves a client's
//! erasure request: a signed record of kind `erasure`, under its own data key sealed for the
//! whole team (like a breach), names the client, her code and the request. Every device that
//! applies it, the approver's first, shreds the client ([`shred`]): her keys, decrypted copies
//! and record bodies go, signed headers with their body digests stay. Each device then writes
//! an `erasure_ack` under the erasure's key at its next sync round, so the handler sees which
//! devices confirmed and which have not (revoked ones cannot: unreachable).
//!
//! The same record destroys what outlived its retention period ([`retention`]): it then names
//! the class of records and every subject (a client with a closed case, a contact, or a draft
//! note alone) instead of a request.
//!
//! What receivers enforce (`receive_rules`): an erasure comes from a key manager of the roster
//! (or the device of a member on her own), an acknowledgement names the erasure it answers and
//! carries nothing else.

use chrono::{DateTime, Utc};
use rusqlite::params;
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::error::VaultError;
use super::read::Reader;
use super::sealed::{id16, AUTHOR};
use super::{Batch, Vault};
use crate::ids::{ClientId, EntityId, ErasureId, MemberId, RequestId};
use crate::records::{Op, RecordKind};
use crate::request::{IdentityCheck, RequestKind};
use crate::team::processing::RecordClass;

mod retention;
mod server;
pub(super) mod shred;

pub use retention::{RetentionCheck, RetentionDue};

#[cfg(test)]
mod retention_tests;
#[cfg(test)]
mod tests;

const CLIENT: &str = "client";
const CLIENT_CODE: &str = "client_code";
const REQUEST: &str = "request";
const APPROVED_AT: &str = "approved_at";
const RETENTION: &str = "retention";
const SUBJECTS: &str = "subjects";

/// The most subjects one erasure names: a longer list of what outlived its retention is
/// approved as several erasures, so no record grows past what a sync page carries.
pub const MAX_SUBJECTS: usize = 200;

/// Why an erasure was approved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ErasureCause {
    /// The client asked (her erasure request, UU PDP Ps 43).
    Request {
        /// The request it answers.
        #[cfg_attr(feature = "ts", ts(type = "string"))]
        request: RequestId,
    },
    /// The retention period of a class of records ended (Ps 43-44: destroyed when it ends).
    Retention {
        /// Which class.
        class: RecordClass,
    },
}

/// One thing an erasure destroys: a client (with everything of hers), an original contact, or
/// a single record of a client (a draft note).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ErasedSubject {
    /// The client, or the contact (its own data key).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub client: ClientId,
    /// What the register keeps of it: the client's code, or a contact's day (`YYYY-MM-DD`).
    pub code: String,
    /// The single record destroyed (a draft note), its client kept; `None` for the whole client.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    #[serde(default)]
    pub entity: Option<EntityId>,
}

/// Where one device stands with an erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ErasureState {
    /// It shredded the client and said so.
    Confirmed,
    /// Not yet (offline, or not synced since).
    Waiting,
    /// Revoked: the server no longer serves it, so it never will.
    Unreachable,
}

/// One device of the team and its confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ErasureDevice {
    /// The server's device id.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub device: u64,
    /// Its member's username, from the signed roster.
    pub username: Option<String>,
    /// Where it stands.
    pub state: ErasureState,
    /// When it confirmed (its acknowledgement's time).
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// An approved erasure as the handler follows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ErasureView {
    /// The erasure's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: ErasureId,
    /// Why: her request, or the end of a retention period.
    pub cause: ErasureCause,
    /// What it destroyed (nothing of it opens any more), as the register keeps it: one client
    /// for a request.
    pub subjects: Vec<ErasedSubject>,
    /// The key manager who approved it.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub approved_by: Option<MemberId>,
    /// When.
    pub approved_at: Option<DateTime<Utc>>,
    /// Every device of the team, confirmed first.
    pub devices: Vec<ErasureDevice>,
    /// How many reachable devices confirmed ("3 dari 5 perangkat").
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub confirmed: usize,
    /// How many devices can confirm (every device not revoked, and a revoked one that did).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub expected: usize,
}

impl Batch<'_> {
    /// Approves the erasure `request` asks for and shreds its client on this device at once.
    ///
    /// Fails with [`VaultError::NotPermitted`] (not a key manager of the team),
    /// [`VaultError::InvalidInput`] (not an open erasure request, or her identity not checked)
    /// and for an unknown request.
    pub fn approve_erasure(&mut self, request: RequestId) -> Result<ErasureId, VaultError> {
        self.require_key_manager()?;
        let now = self.corrected_now();
        let asked = self.reader().request(request, now)?;
        if asked.request.kind != RequestKind::Erasure || asked.answer.is_some() {
            return Err(VaultError::InvalidInput(
                "only an open erasure request is approved as an erasure".into(),
            ));
        }
        if asked.request.identity == IdentityCheck::NotYet {
            return Err(VaultError::NotPermitted(
                "check who asked before erasing (the request's identity check)".into(),
            ));
        }
        let mut fields = Map::new();
        fields.insert(CLIENT.into(), json!(asked.client));
        fields.insert(CLIENT_CODE.into(), json!(asked.client_code));
        fields.insert(REQUEST.into(), json!(request));
        let id = self.write_erasure(fields, now)?;
        shred::shred_client(&self.tx, self.ident, self.u, asked.client, id)?;
        Ok(id)
    }

    /// Appends an erasure record with what it destroys (`fields`), its approver and `at`,
    /// under a new data key sealed for the whole team. Returns its id.
    ///
    /// Fails when the write fails.
    fn write_erasure(
        &mut self,
        mut fields: Map<String, Value>,
        at: DateTime<Utc>,
    ) -> Result<ErasureId, VaultError> {
        let key = self.new_data_key()?;
        let id = ErasureId(key.0);
        fields.insert(AUTHOR.into(), json!(self.ident.member));
        fields.insert(APPROVED_AT.into(), json!(at));
        self.append(
            RecordKind::Erasure,
            Op::Create,
            id.into(),
            key,
            None,
            &fields,
        )?;
        Ok(id)
    }

    /// Fails with [`VaultError::NotPermitted`] unless this device's member manages the team's
    /// keys (a supervisor or admin), who alone approves an erasure.
    fn require_key_manager(&mut self) -> Result<(), VaultError> {
        // No role: a device of its own, whose member is the whole service.
        let role = self.reader().my_role()?;
        if role.is_some_and(|r| !r.manages_keys()) {
            return Err(VaultError::NotPermitted(
                "an erasure is approved by a key manager of the team (a supervisor or admin)"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Writes this device's acknowledgement of every erasure it applied and has not yet
    /// acknowledged, and erases the bodies that became erasable (its own, once pushed).
    /// Returns how many acknowledgements it wrote and how many bodies it erased.
    ///
    /// Fails when the write fails.
    pub(super) fn acknowledge_erasures(&mut self) -> Result<(u64, u64), VaultError> {
        let erased = shred::settle(&self.tx, self.ident)?;
        let due: Vec<Vec<u8>> = self
            .tx
            .prepare(
                "SELECT erasure_id FROM (SELECT erasure_id FROM erased_client
                                         UNION SELECT erasure_id FROM erased_entity) e
                 WHERE NOT EXISTS (SELECT 1 FROM record_log l
                     WHERE l.kind = 'erasure_ack' AND l.device_id = ?1
                       AND l.parent_id = e.erasure_id)",
            )?
            .query_map([&self.ident.device.0[..]], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for erasure in &due {
            let id = ErasureId(id16(erasure)?);
            let mut fields = Map::new();
            fields.insert(AUTHOR.into(), json!(self.ident.member));
            self.append(
                RecordKind::ErasureAck,
                Op::Create,
                crate::ids::EntityId::random(),
                ClientId(id.0),
                Some(id.into()),
                &fields,
            )?;
        }
        Ok((due.len() as u64, erased))
    }
}

impl Reader<'_> {
    /// One erasure with each device's confirmation.
    pub(in crate::vault) fn erasure(&mut self, id: ErasureId) -> Result<ErasureView, VaultError> {
        let meta = self.expect(id.into(), RecordKind::Erasure, "erasure")?;
        let mut fields = self.fields(id.into(), &meta)?;
        let mut take = |name: &str| fields.remove(name).unwrap_or(Value::Null);
        let damaged = || VaultError::Integrity {
            record: format!("erasure {id}"),
        };
        let approved_by = serde_json::from_value::<MemberId>(take(AUTHOR)).ok();
        let approved_at = serde_json::from_value::<DateTime<Utc>>(take(APPROVED_AT)).ok();
        let (cause, subjects) = what_it_erases(&mut take).ok_or_else(damaged)?;
        let acks: Vec<(Vec<u8>, i64)> = self
            .conn
            .prepare_cached(
                "SELECT device_id, MIN(hlc) FROM record_log
                 WHERE kind = 'erasure_ack' AND parent_id = ?1 GROUP BY device_id",
            )?
            .query_map([&id.0[..]], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let confirmed_at = |device: &crate::ids::DeviceId| {
            acks.iter()
                .find(|(d, _)| d.as_slice() == device.0)
                .and_then(|(_, hlc)| crate::hlc::Hlc::from_i64(*hlc).to_datetime())
        };
        let (roster, _) = self.team()?;
        let mut devices: Vec<ErasureDevice> = match &roster {
            Some(r) => r
                .devices
                .iter()
                .map(|d| {
                    let at = confirmed_at(&crate::ids::DeviceId::from_server(d.device));
                    ErasureDevice {
                        device: d.device,
                        username: r.member(d.member).map(|m| m.username.clone()),
                        state: match (at, d.revoked) {
                            (Some(_), _) => ErasureState::Confirmed,
                            (None, true) => ErasureState::Unreachable,
                            (None, false) => ErasureState::Waiting,
                        },
                        confirmed_at: at,
                    }
                })
                .collect(),
            // A device of its own: it is the whole service.
            None => vec![ErasureDevice {
                device: self.ident.device.server_number().unwrap_or(0),
                username: None,
                state: if confirmed_at(&self.ident.device).is_some() {
                    ErasureState::Confirmed
                } else {
                    ErasureState::Waiting
                },
                confirmed_at: confirmed_at(&self.ident.device),
            }],
        };
        devices.sort_by_key(|d| (d.state != ErasureState::Confirmed, d.device));
        let confirmed = devices
            .iter()
            .filter(|d| d.state == ErasureState::Confirmed)
            .count();
        let expected = devices
            .iter()
            .filter(|d| d.state != ErasureState::Unreachable)
            .count();
        Ok(ErasureView {
            id,
            cause,
            subjects,
            approved_by,
            approved_at,
            devices,
            confirmed,
            expected,
        })
    }

    /// Every erasure, the newest first.
    pub(in crate::vault) fn erasures(&mut self) -> Result<Vec<ErasureView>, VaultError> {
        let ids: Vec<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT entity_id FROM entities WHERE kind = 'erasure'")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = ids
            .iter()
            .map(|id| self.erasure(ErasureId(id16(id)?)))
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_by_key(|e| std::cmp::Reverse(e.approved_at));
        Ok(out)
    }
}

impl Vault {
    /// Approves the erasure `request` asks for (see [`Batch::approve_erasure`]), then rewrites
    /// the database so nothing erased lingers in its free pages or write-ahead log.
    ///
    /// Fails when locked, with [`VaultError::NotPermitted`] or [`VaultError::InvalidInput`].
    pub fn approve_erasure(&mut self, request: RequestId) -> Result<ErasureId, VaultError> {
        let id = self.batch(|b| b.approve_erasure(request))?;
        self.scrub_after_erasure()?;
        Ok(id)
    }

    /// Acknowledges every erasure this device applied (a step of every sync round, before the
    /// push) and erases its own bodies the server has acknowledged since; scrubs the database
    /// when anything was erased. Returns how many acknowledgements it wrote.
    ///
    /// Fails when locked or the write fails.
    pub fn acknowledge_erasures(&mut self) -> Result<u64, VaultError> {
        let (written, erased) = self.quiet_batch(|b| b.acknowledge_erasures())?;
        if erased > 0 {
            self.scrub_after_erasure()?;
        }
        Ok(written)
    }

    /// Every erasure, the newest first, with each device's confirmation.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn erasures(&mut self) -> Result<Vec<ErasureView>, VaultError> {
        self.reader()?.erasures()
    }

    /// One erasure.
    ///
    /// Fails when locked, for an unknown erasure, or with [`VaultError::Integrity`].
    pub fn erasure(&mut self, id: ErasureId) -> Result<ErasureView, VaultError> {
        self.reader()?.erasure(id)
    }

    /// Whether `client` was erased on this device.
    ///
    /// Fails when the database cannot be read.
    pub fn is_erased(&self, client: ClientId) -> Result<bool, VaultError> {
        client_is_erased(self.store.connection(), client)
    }

    /// [`shred::scrub`] on this vault's database.
    pub(super) fn scrub_after_erasure(&mut self) -> Result<(), VaultError> {
        shred::scrub(self.store.connection())
    }
}

/// Whether an erasure of `client` was applied here.
///
/// Fails when the database cannot be read.
pub(in crate::vault) fn client_is_erased(
    conn: &rusqlite::Connection,
    client: ClientId,
) -> Result<bool, VaultError> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM erased_client WHERE client_id = ?1)",
        [&client.0[..]],
        |r| r.get(0),
    )?)
}

/// Why an erasure or acknowledgement received from another device cannot be applied: an
/// erasure names a client, her code, the request and its time, once; an acknowledgement names
/// the erasure it answers (its parent) and carries only its author.
pub(super) fn shape_refusal(
    kind: RecordKind,
    op: Op,
    has_parent: bool,
    fields: &Map<String, Value>,
) -> Option<&'static str> {
    if op != Op::Create {
        return Some("an erasure or its acknowledgement is never changed");
    }
    match kind {
        RecordKind::Erasure => {
            let mut take = |name: &str| fields.get(name).cloned().unwrap_or(Value::Null);
            let named = what_it_erases(&mut take).is_some() && fields.contains_key(APPROVED_AT);
            (!named || has_parent).then_some(
                "an erasure names its time and its client, her code and the request, or the \
                 class of records whose retention ended and each of them",
            )
        }
        _ => (!has_parent || fields.keys().any(|k| k != AUTHOR))
            .then_some("an acknowledgement names its erasure and carries nothing else"),
    }
}

/// What an applied erasure record destroys (read back inside the receiving transaction: its
/// fields only, not the confirmations).
pub(super) fn erased_subjects_of(
    r: &mut Reader<'_>,
    id: ErasureId,
) -> Result<Vec<ErasedSubject>, VaultError> {
    let meta = r.expect(id.into(), RecordKind::Erasure, "erasure")?;
    let mut fields = r.fields(id.into(), &meta)?;
    let mut take = |name: &str| fields.remove(name).unwrap_or(Value::Null);
    what_it_erases(&mut take)
        .map(|(_, subjects)| subjects)
        .ok_or_else(|| VaultError::Integrity {
            record: format!("erasure {id}"),
        })
}

/// Shreds on this device each subject an erasure names. Returns how many bodies were erased.
///
/// Fails when the database cannot be written (then the caller's transaction rolls back).
pub(super) fn shred_subjects(
    conn: &rusqlite::Connection,
    ident: &super::identity::Identity,
    u: &mut super::Unlocked,
    erasure: ErasureId,
    subjects: &[ErasedSubject],
) -> Result<u64, VaultError> {
    let mut erased = 0;
    // The records erasure stands on (erasures, their acknowledgements, checkpoints) are never
    // a subject, whatever an erasure names: the register and the logs' checks need them.
    let mut protected = conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM record_log WHERE (entity_id = ?1 OR entity_id = ?2)
                 AND kind IN ('checkpoint', 'erasure', 'erasure_ack'))",
    )?;
    for s in subjects {
        let other = s.entity.unwrap_or(s.client.into());
        if protected.query_row(params![&s.client.0[..], &other.0[..]], |r| {
            r.get::<_, bool>(0)
        })? {
            continue;
        }
        erased += match s.entity {
            None => shred::shred_client(conn, ident, u, s.client, erasure)?,
            Some(entity) => shred::shred_entity(conn, ident, u, s.client, entity, erasure)?,
        };
    }
    Ok(erased)
}

/// Why an erasure record was approved and what it destroys, from its fields (`take` removes
/// one): a request's client, or a retention class with 1 to [`MAX_SUBJECTS`] subjects, single
/// records for drafts and whole clients otherwise. `None` when the fields are not one of these.
fn what_it_erases(
    take: &mut dyn FnMut(&str) -> Value,
) -> Option<(ErasureCause, Vec<ErasedSubject>)> {
    if let Ok(class) = serde_json::from_value::<RecordClass>(take(RETENTION)) {
        let subjects: Vec<ErasedSubject> = serde_json::from_value(take(SUBJECTS)).ok()?;
        let singles = class == RecordClass::Drafts;
        let fits = (1..=MAX_SUBJECTS).contains(&subjects.len())
            && subjects.iter().all(|s| s.entity.is_some() == singles);
        return fits.then_some((ErasureCause::Retention { class }, subjects));
    }
    let client = serde_json::from_value::<ClientId>(take(CLIENT)).ok()?;
    let request = serde_json::from_value::<RequestId>(take(REQUEST)).ok()?;
    let code = take(CLIENT_CODE).as_str()?.to_owned();
    Some((
        ErasureCause::Request { request },
        vec![ErasedSubject {
            client,
            code,
            entity: None,
        }],
    ))
}
