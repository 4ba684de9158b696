//! Retention (issue 26, UU PDP Ps 43-44: personal data is destroyed when its retention period
//! ends). The organisation settings give a period for each class of records
//! ([`Retention`]); the check lists what outlived it on this device:
//!
//! - a client whose every case is closed, counted from the latest closing (her profile, notes,
//!   screenings and referrals go together);
//! - an original contact that did not become a client, counted from the contact;
//! - a draft note never finalised, counted from its last change (the note alone goes).
//!
//! Nothing is destroyed by the check. A key manager approves what is listed (all of it or some),
//! and the destruction runs as an erasure ([`super`]) naming the class and each subject, so
//! every device of the team shreds the same things, confirms, and the server loses the bodies.

use std::collections::HashSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rusqlite::params;
use serde::Serialize;
use serde_json::{json, Map};

use super::{ErasedSubject, MAX_SUBJECTS, RETENTION, SUBJECTS};
use crate::ids::{ClientId, EntityId, ErasureId};
use crate::records::FINALISED_FIELD;
use crate::team::processing::{RecordClass, Retention};
use crate::vault::error::VaultError;
use crate::vault::read::Reader;
use crate::vault::sealed::id16;
use crate::vault::{Batch, Vault};

/// One thing whose retention period ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RetentionDue {
    /// Its class.
    pub class: RecordClass,
    /// What an approval names: the client (or contact), or the draft note.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: EntityId,
    /// What it destroys.
    pub subject: ErasedSubject,
    /// When its period started: the case's closing, the contact, the draft's last change.
    pub since: DateTime<Utc>,
    /// The day the period ended (`since` plus the class's days).
    pub due_on: NaiveDate,
}

/// The retention check: the periods, and what outlived them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct RetentionCheck {
    /// When it ran.
    pub checked_at: DateTime<Utc>,
    /// The periods it applied (the organisation settings', or the defaults without any).
    pub retention: Retention,
    /// What is due, by class, the longest overdue first.
    pub due: Vec<RetentionDue>,
    /// Whether this device's member may approve the destruction (a key manager).
    pub may_approve: bool,
}

impl Reader<'_> {
    /// What outlived `retention` at `now`, of what this device reads (see the module).
    ///
    /// Fails when a record cannot be read or decrypted.
    pub(in crate::vault) fn retention_due(
        &mut self,
        now: DateTime<Utc>,
        retention: &Retention,
    ) -> Result<Vec<RetentionDue>, VaultError> {
        let ended = |since: DateTime<Utc>, class: RecordClass| {
            let due_on = (since + Duration::days(i64::from(retention.days(class)))).date_naive();
            (due_on <= now.date_naive()).then_some(due_on)
        };
        // The newest write time that can be due in `class`: anything written later is not, so
        // it is never decrypted (a key manager's Home runs this check every time).
        let cutoff = |class: RecordClass| {
            let days = i64::from(retention.days(class)) - 1;
            let last = now.date_naive() - Duration::days(days);
            let end = last
                .and_hms_opt(0, 0, 0)
                .map(|t| t.and_utc())
                .unwrap_or(now);
            crate::hlc::Hlc::new(u64::try_from(end.timestamp_millis()).unwrap_or(0), 0).to_i64()
        };
        let mut due = Vec::new();
        let mut whole = HashSet::new();
        // Each client's cases with when their closure was last written: a client is a candidate
        // when every case of hers has a closure written before the cutoff; only then are her
        // cases opened, to see that the closure is still set (a reopened case clears it).
        let cases: Vec<(Vec<u8>, Vec<u8>, Option<i64>)> = self
            .conn
            .prepare_cached(
                "SELECT e.client_id, e.entity_id, f.hlc FROM entities e
                 LEFT JOIN entity_fields f ON f.entity_id = e.entity_id
                     AND f.field = 'closure_reason'
                 WHERE e.kind = 'case' ORDER BY e.client_id",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let closed_cutoff = cutoff(RecordClass::ClosedCases);
        for group in cases.chunk_by(|a, b| a.0 == b.0) {
            if group
                .iter()
                .any(|(_, _, at)| at.is_none_or(|h| h >= closed_cutoff))
            {
                continue;
            }
            let client = ClientId(id16(&group[0].0)?);
            let Some(code) = self.u.index.code_of(client) else {
                continue;
            };
            let mut closed_at = None;
            for (_, case, _) in group {
                let case = EntityId(id16(case)?);
                let details = self.case(crate::ids::CaseId(case.0))?.details;
                match (
                    details.closure_reason,
                    self.written_at(case, "closure_reason")?,
                ) {
                    (Some(_), Some(at)) => closed_at = closed_at.max(Some(at)),
                    _ => {
                        closed_at = None;
                        break;
                    }
                }
            }
            let Some(since) = closed_at else { continue };
            if let Some(due_on) = ended(since, RecordClass::ClosedCases) {
                whole.insert(client);
                due.push(RetentionDue {
                    class: RecordClass::ClosedCases,
                    id: client.into(),
                    subject: ErasedSubject {
                        client,
                        code,
                        entity: None,
                    },
                    since,
                    due_on,
                });
            }
        }
        for (day, contact) in self.unconverted_contacts()? {
            let since = contact.entry.started_at.unwrap_or(contact.logged_at);
            if let Some(due_on) = ended(since, RecordClass::Contacts) {
                let client = ClientId(contact.id.0);
                due.push(RetentionDue {
                    class: RecordClass::Contacts,
                    id: client.into(),
                    subject: ErasedSubject {
                        client,
                        code: day.unwrap_or(since.date_naive()).to_string(),
                        entity: None,
                    },
                    since,
                    due_on,
                });
            }
        }
        // A draft's last change is its newest field; nothing is decrypted but its client's code.
        // Only notes created before the cutoff can have been last changed before it.
        let drafts: Vec<(Vec<u8>, Vec<u8>, i64)> = self
            .conn
            .prepare_cached(
                "SELECT e.entity_id, e.client_id,
                        (SELECT MAX(f.hlc) FROM entity_fields f WHERE f.entity_id = e.entity_id)
                 FROM entities e
                 WHERE e.kind = 'note' AND e.created_hlc < ?2
                   AND NOT EXISTS (SELECT 1 FROM entity_fields g
                       WHERE g.entity_id = e.entity_id AND g.field = ?1)",
            )?
            .query_map(params![FINALISED_FIELD, cutoff(RecordClass::Drafts)], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        for (note, client, hlc) in drafts {
            let (note, client) = (EntityId(id16(&note)?), ClientId(id16(&client)?));
            let Some(since) = crate::hlc::Hlc::from_i64(hlc).to_datetime() else {
                continue;
            };
            // A client destroyed whole takes her drafts with her.
            if whole.contains(&client) {
                continue;
            }
            if let (Some(due_on), Some(code)) = (
                ended(since, RecordClass::Drafts),
                self.u.index.code_of(client),
            ) {
                due.push(RetentionDue {
                    class: RecordClass::Drafts,
                    id: note,
                    subject: ErasedSubject {
                        client,
                        code,
                        entity: Some(note),
                    },
                    since,
                    due_on,
                });
            }
        }
        due.sort_by_key(|d| {
            let class = RecordClass::ALL.iter().position(|c| *c == d.class);
            (class, d.due_on, d.subject.code.clone())
        });
        Ok(due)
    }
}

impl Batch<'_> {
    /// Destroys the things of `class` listed in `chosen` (each a [`RetentionDue::id`]) whose
    /// retention period ended at `at` (the shells pass now): one erasure per [`MAX_SUBJECTS`]
    /// of them, shredded on this device at once. Returns the erasures.
    ///
    /// Fails with [`VaultError::NotPermitted`] (not a key manager), with
    /// [`VaultError::InvalidInput`] when nothing is chosen or something chosen is not due (any
    /// more), and when the write fails (then nothing is destroyed).
    pub(in crate::vault) fn approve_retention(
        &mut self,
        class: RecordClass,
        chosen: &[EntityId],
        retention: &Retention,
        at: DateTime<Utc>,
    ) -> Result<Vec<ErasureId>, VaultError> {
        self.require_key_manager()?;
        if chosen.is_empty() {
            return Err(VaultError::InvalidInput(
                "choose what to destroy from the retention check".into(),
            ));
        }
        let due = self.reader().retention_due(at, retention)?;
        let mut subjects = Vec::with_capacity(chosen.len());
        for id in chosen {
            let item = due.iter().find(|d| d.class == class && d.id == *id);
            let Some(item) = item else {
                return Err(VaultError::InvalidInput(format!(
                    "{id} is not due for destruction under the retention of {class:?} (any more)"
                )));
            };
            if !subjects.contains(&item.subject) {
                subjects.push(item.subject.clone());
            }
        }
        let mut erasures = Vec::new();
        for part in subjects.chunks(MAX_SUBJECTS) {
            let mut fields = Map::new();
            fields.insert(RETENTION.into(), json!(class));
            fields.insert(SUBJECTS.into(), json!(part));
            let id = self.write_erasure(fields, at)?;
            super::shred_subjects(&self.tx, self.ident, self.u, id, part)?;
            erasures.push(id);
        }
        Ok(erasures)
    }
}

impl Vault {
    /// The retention check now: what outlived the organisation's periods on this device.
    ///
    /// Fails when locked, or a record cannot be read.
    pub fn retention_check(&mut self) -> Result<RetentionCheck, VaultError> {
        let now = self.corrected_now();
        self.retention_check_at(now)
    }

    /// The retention check as it stands at `checked_at` (a later day shows what will be due).
    ///
    /// Fails when locked, or a record cannot be read.
    pub fn retention_check_at(
        &mut self,
        checked_at: DateTime<Utc>,
    ) -> Result<RetentionCheck, VaultError> {
        let retention = self.retention_periods()?;
        let may_approve = self.my_role()?.is_none_or(|r| r.manages_keys());
        let due = self.reader()?.retention_due(checked_at, &retention)?;
        Ok(RetentionCheck {
            checked_at,
            retention,
            due,
            may_approve,
        })
    }

    /// Destroys the things of `class` listed in `chosen` (each a [`RetentionDue::id`]) whose
    /// retention period ended: one erasure per [`MAX_SUBJECTS`] of them, shredded on this
    /// device at once and on every other at its next sync. Then rewrites the database so
    /// nothing destroyed lingers in its free pages or write-ahead log. Returns the erasures.
    ///
    /// Fails when locked, with [`VaultError::NotPermitted`] (not a key manager), with
    /// [`VaultError::InvalidInput`] when nothing is chosen or something chosen is not due (any
    /// more), and when the write fails (then nothing is destroyed).
    pub fn approve_retention(
        &mut self,
        class: RecordClass,
        chosen: &[EntityId],
    ) -> Result<Vec<ErasureId>, VaultError> {
        let now = self.corrected_now();
        self.approve_retention_at(class, chosen, now)
    }

    /// [`Vault::approve_retention`] as if it ran at `at` (a later day approves what will be
    /// due then).
    ///
    /// Fails like [`Vault::approve_retention`].
    pub fn approve_retention_at(
        &mut self,
        class: RecordClass,
        chosen: &[EntityId],
        at: DateTime<Utc>,
    ) -> Result<Vec<ErasureId>, VaultError> {
        let retention = self.retention_periods()?;
        let ids = self.batch(|b| b.approve_retention(class, chosen, &retention, at))?;
        self.scrub_after_erasure()?;
        Ok(ids)
    }

    /// The organisation's retention periods, or the defaults where no settings arrived yet.
    pub fn retention_periods(&self) -> Result<Retention, VaultError> {
        Ok(self
            .org_settings()?
            .map(|s| s.processing.retention)
            .unwrap_or_default())
    }
}
