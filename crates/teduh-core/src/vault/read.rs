//! Reading the counseling record while unlocked: decrypting fields, assembling views.

use super::{
    binding_aad, client_key, from_fields, id16, record_name, ClientExport, FieldVersion, Identity,
    Unlocked, VaultError, AUTHOR, FINALISED_AT, FINALISED_BY,
};
use crate::domain::{AddendumRecord, NoteStatus, Referral, ReferralRecord, ReferralUpdate};
use crate::domain::{
    Case, CaseDetails, Client, ClientProfile, Consent, ConsentRecord, Note, NoteDraft, RiskEntry,
    TaskRecord,
};
use crate::ids::ReferralId;
use crate::ids::{
    hex, AddendumId, CaseId, ClientId, ConsentId, EntityId, NoteId, ScreeningId, TaskId,
};
use crate::records::RecordKind;
use crate::screening;
use crate::screening::{ScoringConfig, Screening, ScreeningAnswers};
use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{Map, Value};

/// Read access while unlocked (used by the vault and inside batches).
pub(super) struct Reader<'a> {
    pub(super) conn: &'a Connection,
    pub(super) ident: &'a Identity,
    pub(super) u: &'a mut Unlocked,
    pub(super) scoring: &'a ScoringConfig,
}

/// Where an entity sits: kind, client, parent.
pub(super) struct EntityMeta {
    pub(super) kind: RecordKind,
    pub(super) client: ClientId,
    pub(super) parent: Option<EntityId>,
}

impl Reader<'_> {
    pub(super) fn meta(&self, id: EntityId) -> Result<Option<EntityMeta>, VaultError> {
        let row: Option<(String, Vec<u8>, Option<Vec<u8>>)> = self
            .conn
            .prepare_cached("SELECT kind, client_id, parent_id FROM entities WHERE entity_id = ?1")?
            .query_row([&id.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        row.map(|(k, c, p)| {
            Ok(EntityMeta {
                kind: RecordKind::parse(&k)
                    .ok_or_else(|| VaultError::Log(format!("unknown entity kind {k}")))?,
                client: ClientId(id16(&c)?),
                parent: p.map(|p| id16(&p).map(EntityId)).transpose()?,
            })
        })
        .transpose()
    }

    /// The entity's metadata, checking its kind.
    pub(super) fn expect(
        &self,
        id: EntityId,
        kind: RecordKind,
        what: &'static str,
    ) -> Result<EntityMeta, VaultError> {
        match self.meta(id)? {
            Some(m) if m.kind == kind => Ok(m),
            _ => Err(VaultError::NotFound {
                what,
                id: id.to_string(),
            }),
        }
    }

    /// Decrypts every field of an entity.
    pub(super) fn fields(
        &mut self,
        id: EntityId,
        meta: &EntityMeta,
    ) -> Result<Map<String, Value>, VaultError> {
        let rows: Vec<(String, Vec<u8>, i64, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT field, device_id, seq, value FROM entity_fields WHERE entity_id = ?1",
            )?
            .query_map([&id.0[..]], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?
            .collect::<Result<_, _>>()?;
        let (conn, ident) = (self.conn, self.ident);
        let key = client_key(conn, ident, self.u, meta.client)?;
        let mut map = Map::new();
        for (field, device, seq, value) in rows {
            let seq = u64::try_from(seq).unwrap_or(0);
            let name = || record_name(meta.kind, &id, &field, &device, seq);
            let aad = binding_aad(ident, &id16(&device)?, seq, meta.kind, &id, &field);
            let pt = key
                .open(&aad, &value)
                .map_err(|_| VaultError::Integrity { record: name() })?;
            let v: Value = serde_json::from_slice(&pt)
                .map_err(|_| VaultError::Integrity { record: name() })?;
            map.insert(field, v);
        }
        Ok(map)
    }

    pub(super) fn field_history(&mut self, id: EntityId) -> Result<Vec<FieldVersion>, VaultError> {
        let meta = self.meta(id)?.ok_or_else(|| VaultError::NotFound {
            what: "entity",
            id: id.to_string(),
        })?;
        type Row = (String, Vec<u8>, i64, i64, Vec<u8>, bool, Option<Vec<u8>>);
        let rows: Vec<Row> = self
            .conn
            .prepare_cached(
                "SELECT v.field, v.device_id, v.seq, v.hlc, v.value, 0, f.device_id
                 FROM field_versions v
                 LEFT JOIN entity_fields f ON f.entity_id = v.entity_id AND f.field = v.field
                 WHERE v.entity_id = ?1
                 UNION ALL
                 SELECT field, device_id, seq, hlc, value, 1, device_id
                 FROM entity_fields WHERE entity_id = ?1
                 ORDER BY 1, 4, 2",
            )?
            .query_map([&id.0[..]], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get::<_, Option<bool>>(5)?.unwrap_or(false),
                    r.get(6)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        let (conn, ident) = (self.conn, self.ident);
        let key = client_key(conn, ident, self.u, meta.client)?;
        let mut out = Vec::with_capacity(rows.len());
        for (field, device, seq, hlc, value, current, winner_device) in rows {
            let seq = u64::try_from(seq).unwrap_or(0);
            let name = || record_name(meta.kind, &id, &field, &device, seq);
            let aad = binding_aad(ident, &id16(&device)?, seq, meta.kind, &id, &field);
            let pt = key
                .open(&aad, &value)
                .map_err(|_| VaultError::Integrity { record: name() })?;
            let value: Value = serde_json::from_slice(&pt)
                .map_err(|_| VaultError::Integrity { record: name() })?;
            let millis = i64::try_from(crate::hlc::Hlc::from_i64(hlc).millis()).unwrap_or(0);
            out.push(FieldVersion {
                field,
                value,
                written_at: chrono::DateTime::from_timestamp_millis(millis).unwrap_or_default(),
                device: hex(&device),
                seq,
                current,
                conflict: !current && winner_device.as_deref() != Some(device.as_slice()),
            });
        }
        Ok(out)
    }

    pub(super) fn has_field(&self, id: EntityId, field: &str) -> Result<bool, VaultError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM entity_fields WHERE entity_id = ?1 AND field = ?2")?
            .exists(params![&id.0[..], field])?)
    }

    /// Entities of a kind under a client (or a parent), in creation order.
    pub(super) fn children(
        &self,
        client: ClientId,
        kind: RecordKind,
        parent: Option<EntityId>,
    ) -> Result<Vec<EntityId>, VaultError> {
        let mut st = self.conn.prepare_cached(
            "SELECT entity_id, parent_id FROM entities WHERE client_id = ?1 AND kind = ?2
             ORDER BY created_hlc, created_device",
        )?;
        let rows: Vec<(Vec<u8>, Option<Vec<u8>>)> = st
            .query_map(params![&client.0[..], kind.as_str()], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (id, p) in rows {
            let p = p.map(|p| id16(&p).map(EntityId)).transpose()?;
            if parent.is_none() || p == parent {
                out.push(EntityId(id16(&id)?));
            }
        }
        Ok(out)
    }

    pub(super) fn client(&mut self, id: ClientId) -> Result<Client, VaultError> {
        let meta = self.expect(id.into(), RecordKind::Client, "client")?;
        let fields = self.fields(id.into(), &meta)?;
        let profile: ClientProfile = from_fields(fields, "client")?;
        Ok(Client {
            id,
            is_child: profile.is_child(Utc::now().date_naive()),
            profile,
        })
    }

    pub(super) fn case(&mut self, id: CaseId) -> Result<Case, VaultError> {
        let meta = self.expect(id.into(), RecordKind::Case, "case")?;
        let details: CaseDetails = from_fields(self.fields(id.into(), &meta)?, "case")?;
        let mut risk_history = Vec::new();
        for r in self.children(meta.client, RecordKind::Risk, Some(id.into()))? {
            let m = self.expect(r, RecordKind::Risk, "risk entry")?;
            risk_history.push(from_fields::<RiskEntry>(self.fields(r, &m)?, "risk entry")?);
        }
        Ok(Case {
            id,
            details,
            current_risk: risk_history.last().map(|r| r.level),
            risk_history,
        })
    }

    pub(super) fn note(&mut self, id: NoteId) -> Result<Note, VaultError> {
        let meta = self.expect(id.into(), RecordKind::Note, "note")?;
        let mut fields = self.fields(id.into(), &meta)?;
        let author = fields
            .remove(AUTHOR)
            .and_then(|v| serde_json::from_value(v).ok());
        let at = fields.remove(FINALISED_AT);
        let by = fields.remove(FINALISED_BY);
        let status = match (at, by) {
            (Some(at), Some(by)) => NoteStatus::Finalised {
                at: serde_json::from_value(at).map_err(|_| VaultError::Integrity {
                    record: format!("note {id} field `{FINALISED_AT}`"),
                })?,
                by: serde_json::from_value(by).map_err(|_| VaultError::Integrity {
                    record: format!("note {id} field `{FINALISED_BY}`"),
                })?,
            },
            _ => NoteStatus::Draft,
        };
        let content: NoteDraft = from_fields(fields, "note")?;
        let mut addenda = Vec::new();
        for a in self.children(meta.client, RecordKind::Addendum, Some(id.into()))? {
            let m = self.expect(a, RecordKind::Addendum, "addendum")?;
            addenda.push(AddendumRecord {
                id: AddendumId(a.0),
                addendum: from_fields(self.fields(a, &m)?, "addendum")?,
            });
        }
        Ok(Note {
            id,
            client: meta.client,
            author,
            content,
            status,
            addenda,
        })
    }

    pub(super) fn notes(&mut self, client: ClientId) -> Result<Vec<Note>, VaultError> {
        self.expect(client.into(), RecordKind::Client, "client")?;
        self.children(client, RecordKind::Note, None)?
            .into_iter()
            .map(|n| self.note(NoteId(n.0)))
            .collect()
    }

    pub(super) fn screenings(&mut self, client: ClientId) -> Result<Vec<Screening>, VaultError> {
        let mut out = Vec::new();
        for s in self.children(client, RecordKind::Screening, None)? {
            let m = self.expect(s, RecordKind::Screening, "screening")?;
            let answers: ScreeningAnswers = from_fields(self.fields(s, &m)?, "screening")?;
            let result =
                screening::score(&answers, self.scoring).map_err(|e| VaultError::Integrity {
                    record: format!("screening {s}: stored answers do not score ({e})"),
                })?;
            out.push(Screening {
                id: ScreeningId(s.0),
                answers,
                result,
            });
        }
        Ok(out)
    }

    pub(super) fn consents(&mut self, id: ClientId) -> Result<Vec<ConsentRecord>, VaultError> {
        let mut consents = Vec::new();
        for c in self.children(id, RecordKind::Consent, None)? {
            let m = self.expect(c, RecordKind::Consent, "consent")?;
            let consent: Consent = from_fields(self.fields(c, &m)?, "consent")?;
            let mut withdrawals = Vec::new();
            for w in self.children(id, RecordKind::ConsentWithdrawal, Some(c))? {
                let m = self.expect(w, RecordKind::ConsentWithdrawal, "withdrawal")?;
                withdrawals.push(from_fields(self.fields(w, &m)?, "withdrawal")?);
            }
            consents.push(ConsentRecord {
                id: ConsentId(c.0),
                consent,
                withdrawals,
            });
        }
        Ok(consents)
    }

    pub(super) fn tasks(&mut self, id: ClientId) -> Result<Vec<TaskRecord>, VaultError> {
        let mut tasks = Vec::new();
        for t in self.children(id, RecordKind::Task, None)? {
            let m = self.expect(t, RecordKind::Task, "task")?;
            tasks.push(TaskRecord {
                id: TaskId(t.0),
                task: from_fields(self.fields(t, &m)?, "task")?,
            });
        }
        Ok(tasks)
    }

    pub(super) fn referrals(&mut self, id: ClientId) -> Result<Vec<ReferralRecord>, VaultError> {
        let mut out = Vec::new();
        for r in self.children(id, RecordKind::Referral, None)? {
            let m = self.expect(r, RecordKind::Referral, "referral")?;
            let referral: Referral = from_fields(self.fields(r, &m)?, "referral")?;
            let mut updates: Vec<ReferralUpdate> = Vec::new();
            for u in self.children(id, RecordKind::ReferralStatus, Some(r))? {
                let m = self.expect(u, RecordKind::ReferralStatus, "referral status")?;
                updates.push(from_fields(self.fields(u, &m)?, "referral status")?);
            }
            let status = updates.last().map(|u| u.status).unwrap_or_default();
            out.push(ReferralRecord {
                id: ReferralId(r.0),
                referral,
                updates,
                status,
            });
        }
        Ok(out)
    }

    pub(super) fn export(&mut self, id: ClientId) -> Result<ClientExport, VaultError> {
        let client = self.client(id)?;
        let mut cases = Vec::new();
        for c in self.children(id, RecordKind::Case, None)? {
            cases.push(self.case(CaseId(c.0))?);
        }
        let consents = self.consents(id)?;
        let referrals = self.referrals(id)?;
        let notes = self.notes(id)?;
        let tasks = self.tasks(id)?;
        let screenings = self.screenings(id)?;
        Ok(ClientExport {
            format: 1,
            exported_at: Utc::now(),
            client,
            cases,
            consents,
            notes,
            tasks,
            screenings,
            referrals,
        })
    }
}
