//! The sealed-store layer every feature of the vault writes and reads through: how a stored
//! field is bound to its record (associated data), how a record is named in an integrity error,
//! opening a client's data key, and turning a value into its fields and back. Separate so that
//! features (casework, supervision, sync) share one way of sealing and opening without
//! depending on each other or on the life cycle.

use rusqlite::{Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use teduh_protocol::envelope::{EnvelopeError, RecordBinding};
use zeroize::Zeroizing;

use super::error::VaultError;
use super::identity::Identity;
use super::Unlocked;
use crate::crypto::DataKey;
use crate::ids::{hex, ClientId, EntityId, KeyId};
use crate::records::{self, RecordKind};

pub(super) const FINALISED_AT: &str = records::FINALISED_FIELD;
pub(super) const FINALISED_BY: &str = "finalised_by";
pub(super) const AUTHOR: &str = "author";
/// The field of a client's data-key record that proves which device created the client
/// ([`ClientId::derived`]).
pub(super) const CREATOR_NONCE: &str = "creator_nonce";

pub(super) fn binding_aad(
    ident: &Identity,
    device: &[u8; 16],
    seq: u64,
    kind: RecordKind,
    entity: &EntityId,
    field: &str,
) -> Vec<u8> {
    RecordBinding {
        team: ident.team.0,
        device: *device,
        device_seq: seq,
        kind: kind.as_str(),
        entity: entity.0,
        field,
    }
    .to_aad()
}

pub(super) fn record_name(
    kind: RecordKind,
    entity: &EntityId,
    field: &str,
    device: &[u8],
    seq: u64,
) -> String {
    format!(
        "{} {} field `{field}` (record {}/{seq})",
        kind.as_str(),
        entity,
        hex(device)
    )
}

pub(super) fn id16(v: &[u8]) -> Result<[u8; 16], VaultError> {
    v.try_into()
        .map_err(|_| VaultError::Log("an id column is not 16 bytes".into()))
}

/// Opens the client's data key that seals this device's copies of its fields (`local` in
/// `client_keys`; cached in `u`).
pub(super) fn client_key<'u>(
    conn: &Connection,
    ident: &Identity,
    u: &'u mut Unlocked,
    client: ClientId,
) -> Result<&'u DataKey, VaultError> {
    if !u.client_keys.contains_key(&client) {
        let row: Option<(Vec<u8>, i64, Vec<u8>)> = conn
            .prepare_cached(
                "SELECT device_id, seq, wrapped FROM client_keys
                 WHERE client_id = ?1 AND local = 1",
            )?
            .query_row([&client.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let (device, seq, wrapped) = row.ok_or_else(|| VaultError::NotFound {
            what: "client",
            id: client.to_string(),
        })?;
        let key = unwrap_client_key(ident, u, client, &device, seq, &wrapped)?;
        u.client_keys.insert(client, key);
    }
    // Lazily built: this runs once per envelope opened, and formatting the id eagerly was a
    // measurable share of the review queue.
    u.client_keys
        .get(&client)
        .ok_or_else(|| VaultError::NotFound {
            what: "client key",
            id: client.to_string(),
        })
}

/// Every data key of a client this device holds, newest first (a record is sealed under the
/// newest; older records open under the one they were sealed with), one per key id; cached in
/// `u`. Empty when this device holds none (not one of the client's readers).
pub(super) fn client_key_versions<'u>(
    conn: &Connection,
    ident: &Identity,
    u: &'u mut Unlocked,
    client: ClientId,
) -> Result<&'u [DataKey], VaultError> {
    if !u.client_versions.contains_key(&client) {
        let rows: Vec<(Vec<u8>, i64, Vec<u8>)> = conn
            .prepare_cached(
                "SELECT device_id, seq, wrapped FROM client_keys WHERE client_id = ?1
                 ORDER BY hlc DESC, device_id, seq",
            )?
            .query_map([&client.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let mut keys: Vec<DataKey> = Vec::with_capacity(rows.len());
        for (device, seq, wrapped) in rows {
            let key = unwrap_client_key(ident, u, client, &device, seq, &wrapped)?;
            if keys.iter().all(|k| k.id != key.id) {
                keys.push(key);
            }
        }
        u.client_versions.insert(client, keys);
    }
    Ok(u.client_versions.get(&client).map_or(&[], Vec::as_slice))
}

/// Forgets what `u` caches of a client's keys (after a key arrived or left).
pub(super) fn forget_cached_keys(u: &mut Unlocked, client: ClientId) {
    u.client_keys.remove(&client);
    u.client_versions.remove(&client);
    u.record_keys.retain(|(c, _), _| *c != client);
}

pub(super) fn unwrap_client_key(
    ident: &Identity,
    u: &Unlocked,
    client: ClientId,
    device: &[u8],
    seq: i64,
    wrapped: &[u8],
) -> Result<DataKey, VaultError> {
    let seq = u64::try_from(seq).unwrap_or(0);
    let entity = EntityId(client.0);
    let aad = binding_aad(
        ident,
        &id16(device)?,
        seq,
        RecordKind::ClientKey,
        &entity,
        "data_key",
    );
    u.local_key
        .open(&aad, wrapped)
        .and_then(|pt| {
            if pt.len() == 48 {
                let mut k = Zeroizing::new([0u8; 32]);
                k.copy_from_slice(&pt[16..]);
                KeyId::from_slice(&pt[..16])
                    .map(|id| DataKey::from_parts(id, k))
                    .ok_or(EnvelopeError::Integrity)
            } else {
                Err(EnvelopeError::Integrity)
            }
        })
        .map_err(|_| VaultError::Integrity {
            record: record_name(RecordKind::ClientKey, &entity, "data_key", device, seq),
        })
}

/// Serialises a value into its top-level fields (JSON bytes each).
pub(super) fn to_fields<T: Serialize>(v: &T) -> Result<Map<String, Value>, VaultError> {
    match serde_json::to_value(v) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(VaultError::InvalidInput("not a record".into())),
        Err(e) => Err(VaultError::InvalidInput(e.to_string())),
    }
}

pub(super) fn from_fields<T: DeserializeOwned>(
    m: Map<String, Value>,
    what: &str,
) -> Result<T, VaultError> {
    // serde's message may quote the offending (decrypted) value; errors end up in logs and
    // UI, so report only which record and the kind of mismatch.
    serde_json::from_value(Value::Object(m)).map_err(|e| VaultError::Integrity {
        record: format!(
            "{what}: decrypted fields do not form a valid record ({:?} error)",
            e.classify()
        ),
    })
}
