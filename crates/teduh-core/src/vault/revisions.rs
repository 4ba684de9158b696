//! Conflict revisions: versions of a field that lost to an edit made on another device (two
//! devices edited the same field before they synced), as the counselor sees them next to the
//! record, with what she can do about each: take it over (written as a new edit, so it syncs
//! and wins everywhere) or dismiss it.
//!
//! The versions themselves come from [`Vault::field_history`] and never go away (nothing
//! written is ever lost). Dismissing only hides a version from the notice on this device: the
//! choice is kept in `device_meta` (local, unsynced, no content: entity, field, device and
//! sequence number of the version).

use std::collections::HashSet;

use super::error::VaultError;
use super::read::FieldVersion;
use super::sealed::{from_fields, to_fields};
use super::Vault;
use crate::domain::{ClientProfile, NoteDraft};
use crate::ids::{hex, ClientId, DeviceId, EntityId, NoteId};
use crate::records::RecordKind;
use chrono::Utc;
use rusqlite::params;
use serde::Serialize;
use serde_json::{Map, Value};

/// Key prefix of a dismissed version in `device_meta`.
const DISMISSED: &str = "revision-dismissed";

/// A version of a field that lost to another device's edit and differs from the value shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ConflictRevision {
    /// The field's name (e.g. `narrative`, `address`).
    pub field: String,
    /// The other version's value.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: Value,
    /// The field's current value (the one shown), for comparison.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub current_value: Value,
    /// When the other version was written.
    pub written_at: chrono::DateTime<Utc>,
    /// The device that wrote it (hex); with `seq`, names the version for taking over or
    /// dismissing.
    pub device: String,
    /// The record's sequence number in that device's log.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
    /// The sync server's number of that device, if it has one.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub device_number: Option<u64>,
    /// The login name of the device's member, from the signed team roster (when known).
    pub author: Option<String>,
    /// Whether the other version was written on this computer (it lost to an edit from
    /// another device).
    pub this_device: bool,
}

fn dismissed_key(entity: EntityId, field: &str, device: &str, seq: u64) -> String {
    format!("{DISMISSED}/{entity}/{field}/{device}/{seq}")
}

impl Vault {
    /// The conflict revisions of an entity still to show: per field, each other device's last
    /// version when it lost to an edit from another device, differs from the current value and
    /// was not dismissed on this device; newest first, one per distinct value.
    ///
    /// Fails when locked, for an unknown entity, or with [`VaultError::Integrity`].
    pub fn conflict_revisions(
        &mut self,
        entity: EntityId,
    ) -> Result<Vec<ConflictRevision>, VaultError> {
        let history = self.field_history(entity)?;
        let dismissed = self.dismissed_revisions(entity)?;
        let roster = self.roster().ok().flatten();
        let me = hex(&self.ident.device.0);
        let mut out: Vec<ConflictRevision> = Vec::new();
        let mut newest_first: Vec<&FieldVersion> = history.iter().filter(|v| v.conflict).collect();
        newest_first.sort_by(|a, b| a.field.cmp(&b.field).then(b.written_at.cmp(&a.written_at)));
        for v in newest_first {
            let Some(current) = history.iter().find(|c| c.current && c.field == v.field) else {
                continue;
            };
            // A device's own later edit of the field replaced this version: its history, not
            // a conflict. Only each device's last word on the field can have lost to another.
            let superseded_on_its_device = history
                .iter()
                .any(|o| o.field == v.field && o.device == v.device && o.seq > v.seq);
            let shown = out.iter().any(|o| o.field == v.field && o.value == v.value);
            if superseded_on_its_device
                || current.value == v.value
                || shown
                || dismissed.contains(&dismissed_key(entity, &v.field, &v.device, v.seq))
            {
                continue;
            }
            let device_number = v
                .device
                .parse::<DeviceId>()
                .ok()
                .and_then(|d| d.server_number());
            let author = roster.as_ref().and_then(|r| {
                let number = device_number?;
                let d = r.devices.iter().find(|d| d.device == number)?;
                r.member(d.member).map(|m| m.username.clone())
            });
            out.push(ConflictRevision {
                field: v.field.clone(),
                value: v.value.clone(),
                current_value: current.value.clone(),
                written_at: v.written_at,
                device: v.device.clone(),
                seq: v.seq,
                device_number,
                author,
                this_device: v.device == me,
            });
        }
        Ok(out)
    }

    /// Hides a conflict revision from [`Vault::conflict_revisions`] on this device (the version
    /// itself stays in [`Vault::field_history`]).
    ///
    /// Fails when locked or the database cannot be written.
    pub fn dismiss_revision(
        &mut self,
        entity: EntityId,
        field: &str,
        device: &str,
        seq: u64,
    ) -> Result<(), VaultError> {
        self.touch()?;
        self.store.connection().execute(
            "INSERT INTO device_meta (key, value) VALUES (?1, X'') ON CONFLICT (key) DO NOTHING",
            [dismissed_key(entity, field, device, seq)],
        )?;
        Ok(())
    }

    /// Takes a conflict revision over: its value is written as a new edit of the field (so it
    /// syncs and becomes the value on every device), and the notice no longer lists it nor the
    /// value it replaces. Works for a client's profile and a draft note.
    ///
    /// Fails with [`VaultError::NotFound`] when no such version exists,
    /// [`VaultError::NoteFinalised`] for a finalised note (add an addendum instead),
    /// [`VaultError::NotAuthor`] for someone else's note, [`VaultError::InvalidInput`] for
    /// other kinds of records or a value the record refuses, and like the edit itself.
    pub fn take_revision(
        &mut self,
        entity: EntityId,
        field: &str,
        device: &str,
        seq: u64,
    ) -> Result<(), VaultError> {
        let history = self.field_history(entity)?;
        let chosen = history
            .iter()
            .find(|v| v.field == field && v.device == device && v.seq == seq)
            .cloned()
            .ok_or_else(|| VaultError::NotFound {
                what: "version",
                id: format!("{entity}/{field}/{device}/{seq}"),
            })?;
        if chosen.current {
            return Ok(());
        }
        let replaced = history.iter().find(|v| v.field == field && v.current);
        let (kind, mut fields) = {
            let mut r = self.reader()?;
            let meta = r.meta(entity)?.ok_or_else(|| VaultError::NotFound {
                what: "entity",
                id: entity.to_string(),
            })?;
            (meta.kind, r.fields(entity, &meta)?)
        };
        fields.insert(field.to_owned(), chosen.value.clone());
        let takes = |written: Map<String, Value>| {
            if written.get(field) == Some(&chosen.value) {
                Ok(())
            } else {
                Err(VaultError::InvalidInput(format!(
                    "{field} cannot be taken over on this record"
                )))
            }
        };
        match kind {
            RecordKind::Note => {
                let draft: NoteDraft = from_fields(fields, "note")?;
                takes(to_fields(&draft)?)?;
                self.edit_note(NoteId(entity.0), &draft)?;
            }
            RecordKind::Client => {
                let profile: ClientProfile = from_fields(fields, "client")?;
                takes(to_fields(&profile)?)?;
                self.update_client(ClientId(entity.0), &profile)?;
            }
            other => {
                return Err(VaultError::InvalidInput(format!(
                    "versions of a {} record cannot be taken over",
                    other.as_str()
                )))
            }
        }
        if let Some(r) = replaced {
            self.dismiss_revision(entity, field, &r.device, r.seq)?;
        }
        self.dismiss_revision(entity, field, device, seq)
    }

    fn dismissed_revisions(&self, entity: EntityId) -> Result<HashSet<String>, VaultError> {
        let prefix = format!("{DISMISSED}/{entity}/");
        let mut st = self
            .store
            .connection()
            .prepare_cached("SELECT key FROM device_meta WHERE substr(key, 1, ?2) = ?1")?;
        let keys = st
            .query_map(params![prefix, prefix.len()], |r| r.get::<_, String>(0))?
            .collect::<Result<HashSet<_>, _>>()?;
        Ok(keys)
    }
}
