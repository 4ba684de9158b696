//! The sealed store's read handle: finding an entity, decrypting its fields (all, one, or every
//! version), listing its children. The features assemble their views from these in their own
//! modules (`casework/read.rs`, `review/`).

use std::collections::HashMap;

use super::error::VaultError;
use super::identity::Identity;
use super::sealed::{binding_aad, client_key, id16, record_name};
use super::{Unlocked, Vault};
use crate::ids::{hex, ClientId, EntityId};
use crate::records::RecordKind;
use crate::screening::ScoringConfig;
use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// One version of one field of an entity, decrypted: the current value or one it replaced.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FieldVersion {
    /// The field's name.
    pub field: String,
    /// Its value in this version.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: Value,
    /// When it was written (the record's timestamp).
    pub written_at: chrono::DateTime<Utc>,
    /// Which device wrote it (hex).
    pub device: String,
    /// The record's sequence number in that device's log: with `device`, names the version.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
    /// Whether this version is the field's current value.
    pub current: bool,
    /// Whether it lost to a version written on another device (a conflict revision the user
    /// should be able to see and restore), rather than being replaced by a later edit on the
    /// same device.
    pub conflict: bool,
}

impl Vault {
    /// Every version ever written of every field of an entity (current ones and the ones they
    /// replaced, including concurrent edits that lost), oldest first per field.
    ///
    /// Fails when locked, for an unknown entity, or with [`VaultError::Integrity`].
    pub fn field_history(&mut self, entity: EntityId) -> Result<Vec<FieldVersion>, VaultError> {
        self.reader()?.field_history(entity)
    }
}

/// Read access while unlocked (used by the vault and inside batches).
pub(super) struct Reader<'a> {
    pub(super) conn: &'a Connection,
    pub(super) ident: &'a Identity,
    pub(super) u: &'a mut Unlocked,
    pub(super) scoring: &'a ScoringConfig,
}

/// The names of the fields each record, named by its device and sequence number, wrote.
pub(super) type FieldsWritten = HashMap<(Vec<u8>, i64), Vec<String>>;

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

    /// The names of the fields each record (device, sequence number) wrote to an entity,
    /// current values and replaced ones alike; nothing is decrypted.
    pub(super) fn fields_written(&self, id: EntityId) -> Result<FieldsWritten, VaultError> {
        let mut out = FieldsWritten::new();
        let mut st = self.conn.prepare_cached(
            "SELECT device_id, seq, field FROM field_versions WHERE entity_id = ?1
             UNION
             SELECT device_id, seq, field FROM entity_fields WHERE entity_id = ?1
             ORDER BY 1, 2, 3",
        )?;
        let rows = st.query_map([&id.0[..]], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?, r.get(2)?))
        })?;
        for row in rows {
            let (device, seq, field) = row?;
            out.entry((device, seq)).or_default().push(field);
        }
        Ok(out)
    }

    /// The UTC day the current value of an entity's field was written (by its writer's clock).
    pub(super) fn written_on(
        &self,
        id: EntityId,
        field: &str,
    ) -> Result<Option<chrono::NaiveDate>, VaultError> {
        Ok(self.written_at(id, field)?.map(|t| t.date_naive()))
    }

    /// When the current value of an entity's field was written (by its writer's clock).
    pub(in crate::vault) fn written_at(
        &self,
        id: EntityId,
        field: &str,
    ) -> Result<Option<chrono::DateTime<chrono::Utc>>, VaultError> {
        let hlc: Option<i64> = self
            .conn
            .prepare_cached("SELECT hlc FROM entity_fields WHERE entity_id = ?1 AND field = ?2")?
            .query_row(params![&id.0[..], field], |r| r.get(0))
            .optional()?;
        Ok(hlc.and_then(|h| crate::hlc::Hlc::from_i64(h).to_datetime()))
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

    /// One field of an entity, decrypted (None when absent or null).
    pub(in crate::vault) fn field<T: DeserializeOwned>(
        &mut self,
        id: EntityId,
        meta: &EntityMeta,
        field: &str,
    ) -> Result<Option<T>, VaultError> {
        let row: Option<(Vec<u8>, i64, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT device_id, seq, value FROM entity_fields WHERE entity_id = ?1 AND field = ?2",
            )?
            .query_row(params![&id.0[..], field], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((device, seq, value)) = row else {
            return Ok(None);
        };
        self.open_field(id, meta.kind, meta.client, field, &device, seq, &value)
    }

    /// Decrypts one stored field value (a row of `entity_fields`) of an entity of `kind`
    /// under `client`'s key (None when it holds a JSON null).
    #[allow(clippy::too_many_arguments)]
    pub(in crate::vault) fn open_field<T: DeserializeOwned>(
        &mut self,
        id: EntityId,
        kind: RecordKind,
        client: ClientId,
        field: &str,
        device: &[u8],
        seq: i64,
        value: &[u8],
    ) -> Result<Option<T>, VaultError> {
        let seq = u64::try_from(seq).unwrap_or(0);
        let (conn, ident) = (self.conn, self.ident);
        let key = client_key(conn, ident, self.u, client)?;
        let aad = binding_aad(ident, &id16(device)?, seq, kind, &id, field);
        let name = || record_name(kind, &id, field, device, seq);
        let pt = key
            .open(&aad, value)
            .map_err(|_| VaultError::Integrity { record: name() })?;
        // A stored JSON null reads as absent.
        serde_json::from_slice::<Option<T>>(&pt)
            .map_err(|_| VaultError::Integrity { record: name() })
    }
}

/// A BLOB column, borrowed from the row (no copy).
pub(in crate::vault) fn blob<'r>(
    row: &'r rusqlite::Row<'_>,
    i: usize,
) -> Result<&'r [u8], VaultError> {
    Ok(row.get_ref(i)?.as_blob().map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Blob, Box::new(e))
    })?)
}
