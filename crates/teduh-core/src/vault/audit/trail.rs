//! A client's processing trail (issue 25, UU PDP Ps 32): who created, changed, referred,
//! opened, exported or printed her data, and when, as the access export hands it to her.
//!
//! Writes come from the record log itself: every record about the client is a signed entry
//! there, naming its device, its time and whether it created or changed its record; the names
//! of the fields it wrote come from the field versions (no value is decrypted for that).
//! Openings, exports and prints are the audit trail's entries (`super`). Who a device belongs to
//! comes from the team's signed roster.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::super::error::VaultError;
use super::super::read::FieldsWritten;
use super::super::sealed::id16;
use super::super::Vault;
use super::{AccessAction, AccessEntry};
use crate::domain::ReferralRecord;
use crate::hlc::Hlc;
use crate::ids::{ClientId, DeviceId, EntityId};
use crate::records::RecordKind;

/// What was done in one step of the trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum TrailAction {
    /// A record was written for the first time.
    Created,
    /// A record was changed (its `fields`).
    Changed,
    /// Her data was referred to a partner (`detail`: the partner's name).
    Referred,
    /// Her profile or a note was opened.
    Viewed,
    /// Her data was exported.
    Exported,
    /// Her case file or a letter about her was printed.
    Printed,
}

/// One step of a client's processing trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct TrailEvent {
    /// When (the writing device's clock, corrected to the server's for openings).
    pub at: DateTime<Utc>,
    /// What was done.
    pub action: TrailAction,
    /// The kind of record concerned (`client`, `note`, `referral`, ... as stored).
    pub record: String,
    /// The record concerned.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub entity: EntityId,
    /// The fields written, for a creation or a change (names only).
    pub fields: Vec<String>,
    /// More about it: the partner's name for a referral.
    pub detail: Option<String>,
    /// Who, by her login name, when the roster names her device.
    pub username: Option<String>,
    /// On which device.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub device: DeviceId,
}

/// A record log row about the client: device, hlc, kind, op, entity, seq.
type LogRow = (Vec<u8>, i64, String, String, Vec<u8>, i64);

impl Vault {
    /// Everything done with `client`'s data, oldest first: each record written about her
    /// (created or changed, which fields, by whom), each referral, and each opening, export and
    /// print of her audit trail. Access entries themselves are listed as what they record, not
    /// as records created.
    ///
    /// Fails when locked, for a client this device cannot read, or with
    /// [`VaultError::Integrity`].
    pub fn processing_trail(&mut self, client: ClientId) -> Result<Vec<TrailEvent>, VaultError> {
        let referrals = self.referrals(client)?;
        self.trail_with(client, &referrals)
    }

    /// [`Vault::processing_trail`] with her referrals already read (for their partners' names).
    pub(super) fn trail_with(
        &mut self,
        client: ClientId,
        referrals: &[ReferralRecord],
    ) -> Result<Vec<TrailEvent>, VaultError> {
        let referrals: HashMap<EntityId, &str> = referrals
            .iter()
            .map(|r| (r.id.into(), r.referral.partner_name.as_str()))
            .collect();
        let accesses = self.reader()?.access_log(client)?;
        let names = self.device_names()?;
        let reader = self.reader()?;
        let rows: Vec<LogRow> = reader
            .conn
            .prepare_cached(
                "SELECT device_id, hlc, kind, op, entity_id, seq FROM record_log
                 WHERE client_id = ?1 AND kind NOT IN ('access', 'client_key')
                 ORDER BY hlc, device_id, seq",
            )?
            .query_map([&client.0[..]], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let mut fields_of: HashMap<EntityId, FieldsWritten> = HashMap::new();
        let mut trail = Vec::with_capacity(rows.len() + accesses.len());
        for (device, hlc, kind, op, entity, seq) in rows {
            let entity = EntityId(id16(&entity)?);
            let written = match fields_of.entry(entity) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(reader.fields_written(entity)?),
            };
            let fields = written
                .get(&(device.clone(), seq))
                .cloned()
                .unwrap_or_default();
            let device = DeviceId(id16(&device)?);
            let referral = referrals.get(&entity).filter(|_| op == "create");
            let action = match (op.as_str(), referral) {
                (_, Some(_)) => TrailAction::Referred,
                ("create", None) => TrailAction::Created,
                _ => TrailAction::Changed,
            };
            trail.push(TrailEvent {
                at: Hlc::from_i64(hlc).to_datetime().unwrap_or_default(),
                action,
                record: kind,
                entity,
                fields,
                detail: referral.map(|p| p.to_string()),
                username: names.get(&device).cloned(),
                device,
            });
        }
        for e in accesses {
            let entity = e.entity.unwrap_or_else(|| client.into());
            let record = reader.meta(entity)?.map_or(RecordKind::Client, |m| m.kind);
            trail.push(from_access(e, entity, record, &names));
        }
        trail.sort_by_key(|e| e.at);
        Ok(trail)
    }

    /// The login name of each device the roster lists, and of this device ("perangkat ini", this
    /// device, as a print's footer says, before it joins a team).
    fn device_names(&mut self) -> Result<HashMap<DeviceId, String>, VaultError> {
        let mut names = HashMap::new();
        if let Some(roster) = self.roster()? {
            for d in &roster.devices {
                if let Some(m) = roster.member(d.member) {
                    names.insert(DeviceId::from_server(d.device), m.username.clone());
                }
            }
        }
        let me = self
            .binding()?
            .map_or_else(|| "perangkat ini".to_string(), |b| b.username);
        names.insert(self.ident.device, me);
        Ok(names)
    }
}

/// An audit trail entry as a step of the trail: `record` is the kind of the `entity` it names.
fn from_access(
    e: AccessEntry,
    entity: EntityId,
    record: RecordKind,
    names: &HashMap<DeviceId, String>,
) -> TrailEvent {
    let action = match e.action {
        AccessAction::OpenedProfile | AccessAction::OpenedNote => TrailAction::Viewed,
        AccessAction::Exported => TrailAction::Exported,
        AccessAction::Printed => TrailAction::Printed,
    };
    TrailEvent {
        at: e.at,
        action,
        record: record.as_str().to_string(),
        entity,
        fields: Vec::new(),
        detail: None,
        username: names.get(&e.device).cloned(),
        device: e.device,
    }
}
