//! The audit trail (issue 25, UU PDP): who opened, exported or printed a client's data.
//!
//! Each opening is a record of kind `access` in the opening device's own log, under the
//! client's key: signed by the device, numbered without gaps, chained into the log's running
//! hash (`checkpoints/`), kept offline and synced like any record, so the client's readers (her
//! workers and the team's supervisors) receive it and the server reads none of it. An entry is
//! never changed: a receiver refuses an update. Deleting, reordering or altering entries breaks
//! the author's chain, which [`Vault::verify_logs`] (`teduh audit verify`) reports, as it
//! reports a device that stopped sending its log (`verify.rs`).
//!
//! Opening the same record again within [`ACCESS_REPEAT_MINUTES`] on the same device writes no
//! second entry: a profile re-read after each sync is one opening, not dozens. Every export and
//! every print is written.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::error::VaultError;
use super::read::Reader;
use super::sealed::{id16, AUTHOR};
use super::{Batch, Vault};
use crate::ids::{ClientId, DeviceId, EntityId, MemberId};
use crate::permissions::Action;
use crate::records::{Op, RecordKind};

mod export;
mod trail;
mod verify;

pub use export::{AccessExport, ACCESS_EXPORT_FORMAT};
pub use trail::{TrailAction, TrailEvent};
pub use verify::{ChainBreak, DeviceChain, SILENT_DAYS};

/// Minutes within which the same member opening the same record again on the same device
/// writes no second entry.
pub const ACCESS_REPEAT_MINUTES: u64 = 15;

const ACTION: &str = "action";
const ENTITY: &str = "entity";
const AT: &str = "at";

/// What was done with a client's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum AccessAction {
    /// Her profile was opened.
    OpenedProfile,
    /// One of her notes was opened.
    OpenedNote,
    /// Her data was exported (an access export, a JSON copy).
    Exported,
    /// Her case file or a letter about her was printed to a file.
    Printed,
}

/// One entry of a client's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AccessEntry {
    /// Who (the member whose device signed it).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub by: Option<MemberId>,
    /// Her login name, when the roster names her.
    pub username: Option<String>,
    /// On which device.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub device: DeviceId,
    /// When (the device's clock corrected to the server's).
    pub at: DateTime<Utc>,
    /// What was done.
    pub action: AccessAction,
    /// The record opened (the client for her profile, the note...).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub entity: Option<EntityId>,
}

impl Batch<'_> {
    /// Writes an access entry for `client` (see the module's comment).
    ///
    /// Fails for an unknown client.
    pub fn record_access(
        &mut self,
        client: ClientId,
        action: AccessAction,
        entity: EntityId,
    ) -> Result<(), VaultError> {
        let mut fields = Map::new();
        fields.insert(AUTHOR.into(), json!(self.ident.member));
        fields.insert(ACTION.into(), json!(action));
        fields.insert(ENTITY.into(), json!(entity));
        fields.insert(AT.into(), json!(self.corrected_now()));
        self.create_child(client, RecordKind::Access, None, &fields)?;
        Ok(())
    }
}

/// Why an access record received from another device cannot be applied: it is written once,
/// whole, and never changed.
pub(super) fn shape_refusal(op: Op, fields: &Map<String, Value>) -> Option<&'static str> {
    if op == Op::Update {
        return Some("an access entry is never changed");
    }
    let action = fields
        .get(ACTION)
        .and_then(|v| serde_json::from_value::<AccessAction>(v.clone()).ok());
    let at = fields
        .get(AT)
        .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok());
    let entity = fields
        .get(ENTITY)
        .and_then(|v| serde_json::from_value::<EntityId>(v.clone()).ok());
    match (action, at, entity, fields.len()) {
        (Some(_), Some(_), Some(_), 4) if fields.contains_key(AUTHOR) => None,
        _ => Some("its fields do not form an access entry"),
    }
}

impl Reader<'_> {
    pub(super) fn access_log(&mut self, client: ClientId) -> Result<Vec<AccessEntry>, VaultError> {
        let ids = self.children(client, RecordKind::Access, None)?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let meta = self.expect(id, RecordKind::Access, "access entry")?;
            let fields = self.fields(id, &meta)?;
            let get = |name: &str| fields.get(name).cloned().unwrap_or(Value::Null);
            let (Ok(action), Ok(at)) = (
                serde_json::from_value::<AccessAction>(get(ACTION)),
                serde_json::from_value::<DateTime<Utc>>(get(AT)),
            ) else {
                return Err(VaultError::Integrity {
                    record: format!("access entry {id}: no action or time"),
                });
            };
            let device: Vec<u8> = self.conn.query_row(
                "SELECT created_device FROM entities WHERE entity_id = ?1",
                [&id.0[..]],
                |r| r.get(0),
            )?;
            out.push(AccessEntry {
                by: serde_json::from_value(get(AUTHOR)).ok(),
                username: None,
                device: DeviceId(id16(&device)?),
                at,
                action,
                entity: serde_json::from_value(get(ENTITY)).ok(),
            });
        }
        out.sort_by_key(|e| std::cmp::Reverse(e.at));
        Ok(out)
    }
}

impl Vault {
    /// Opens a client's profile: everything about her (see [`Vault::export_client`]), with the
    /// opening in her audit trail.
    ///
    /// Fails when locked, for an unknown client, or when a record cannot be read or written.
    pub fn open_client(&mut self, id: ClientId) -> Result<super::ClientExport, VaultError> {
        // Read first: a client this device cannot read fails as it always did, unrecorded.
        let export = self.export_client(id)?;
        self.record_access(id, AccessAction::OpenedProfile, id.into())?;
        Ok(export)
    }

    /// Writes that this member `action`ed `entity` of `client` now; an opening is not written
    /// again when she opened the same record on this device within [`ACCESS_REPEAT_MINUTES`]
    /// (an export or a print always is). Returns whether an entry was written.
    ///
    /// Fails when locked, for an unknown client, or when the write fails.
    pub fn record_access(
        &mut self,
        client: ClientId,
        action: AccessAction,
        entity: EntityId,
    ) -> Result<bool, VaultError> {
        let repeat = Duration::from_secs(ACCESS_REPEAT_MINUTES * 60);
        let key = (action, entity);
        let opening = matches!(
            action,
            AccessAction::OpenedProfile | AccessAction::OpenedNote
        );
        let recent = opening
            && self
                .unlocked
                .as_ref()
                .and_then(|u| u.recent_access.get(&key))
                .is_some_and(|t| t.elapsed() < repeat);
        if recent {
            return Ok(false);
        }
        self.batch(|b| b.record_access(client, action, entity))?;
        if let Some(u) = self.unlocked.as_mut() {
            u.recent_access.retain(|_, t| t.elapsed() < repeat);
            u.recent_access.insert(key, Instant::now());
        }
        Ok(true)
    }

    /// "Siapa yang membuka data ini": who opened, exported or printed the client's data,
    /// newest first. A supervisor's (on a team device, a member who reads every client of the
    /// team); on a device of its own, its member's.
    ///
    /// Fails when locked, with [`VaultError::NotPermitted`] for anyone else, or with
    /// [`VaultError::Integrity`].
    pub fn access_log(&mut self, client: ClientId) -> Result<Vec<AccessEntry>, VaultError> {
        if self.binding()?.is_some() && !self.reader()?.may(Action::ReadTeamClients)? {
            return Err(VaultError::NotPermitted(
                "who opened a client's data is shown to the team's supervisors".into(),
            ));
        }
        let mut log = self.reader()?.access_log(client)?;
        let roster = self.roster()?;
        for e in &mut log {
            e.username =
                e.by.and_then(|m| m.server_number())
                    .and_then(|m| roster.as_ref()?.member(m))
                    .map(|m| m.username.clone());
        }
        Ok(log)
    }
}

#[cfg(test)]
mod tests;
