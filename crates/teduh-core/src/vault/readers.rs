//! Who holds a client's data key (issue 23, decision 0008): a client's key is wrapped to each
//! of its readers' devices (the workers assigned and the team's supervisors), one `client_key`
//! record per device, sealed under the team key with the key itself in a box only that device
//! opens. Every member sees which key went to which device; only the device named opens it.
//! A client's keys change when a worker is taken off the case: records are sealed under the
//! newest key a device holds and opened under whichever of its keys seals them.
//!
//! Before need-to-know, and still for contacts and the on-call rota, a `client_key` record
//! carried the key itself for the whole team (`data_key`): such a key is kept as the client's
//! first version, readable by every member who has it.

use rusqlite::{params, Connection, OptionalExtension};
use x25519_dalek::PublicKey;
use zeroize::Zeroizing;

use super::error::VaultError;
use super::identity::Identity;
use super::open_error::OpenError;
use super::sealed::{binding_aad, client_key_versions, forget_cached_keys, record_name};
use super::Unlocked;
use crate::crypto::{self, DataKey};
use crate::ids::{ClientId, KeyId};
use crate::records::{self, RecordRow, CREATOR_PROVEN};

/// The fields of a key wrapped to one device.
pub(super) const KEY_ID: &str = "key_id";
pub(super) const READER: &str = "reader";
pub(super) const SEALED_KEY: &str = "sealed_key";
/// The field of a team-wide key record holding the key itself (`key id || key`).
pub(super) const DATA_KEY: &str = "data_key";

/// The context a wrapped client key is sealed under: the box opens only as this team's key of
/// this client for this device.
fn wrap_context(ident: &Identity, client: ClientId, reader: u64) -> Vec<u8> {
    let mut c = b"teduh/client-key-wrap/v1".to_vec();
    c.extend_from_slice(&ident.team.0);
    c.extend_from_slice(&client.0);
    c.extend_from_slice(&reader.to_be_bytes());
    c
}

/// The fields of a record wrapping `key` of `client` to the device `reader` (server number,
/// X25519 public key).
pub(super) fn wrap_fields(
    ident: &Identity,
    client: ClientId,
    key: &DataKey,
    reader: (u64, [u8; 32]),
) -> Vec<(String, Zeroizing<Vec<u8>>)> {
    let boxed = crypto::seal_to(
        &PublicKey::from(reader.1),
        &wrap_context(ident, client, reader.0),
        key,
    );
    vec![
        (KEY_ID.into(), Zeroizing::new(key.id.0.to_vec())),
        (
            READER.into(),
            Zeroizing::new(reader.0.to_be_bytes().to_vec()),
        ),
        (SEALED_KEY.into(), Zeroizing::new(boxed)),
    ]
}

fn field<'p>(plain: &'p [(String, Zeroizing<Vec<u8>>)], name: &str) -> Option<&'p [u8]> {
    plain
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_slice())
}

/// The reader device a wrap record names, when it is one (not a team-wide key).
pub(super) fn wrap_reader(plain: &[(String, Zeroizing<Vec<u8>>)]) -> Option<u64> {
    field(plain, READER)
        .and_then(|b| <[u8; 8]>::try_from(b).ok())
        .map(u64::from_be_bytes)
}

/// Whether a client-key record's fields are well formed: a team-wide key of 48 bytes, or a
/// wrap naming a key id, a device and a box.
pub(super) fn key_record_shape(plain: &[(String, Zeroizing<Vec<u8>>)]) -> Result<(), String> {
    match (field(plain, DATA_KEY), field(plain, SEALED_KEY)) {
        (Some(k), None) if k.len() == 48 => Ok(()),
        (None, Some(_))
            if field(plain, KEY_ID).is_some_and(|k| k.len() == 16)
                && wrap_reader(plain).is_some_and(|r| r != 0) =>
        {
            Ok(())
        }
        _ => Err("a client key record that is neither a team-wide key nor a wrap".into()),
    }
}

/// Folds a client-key record: records which key went to whom and, when the key is this
/// device's to hold (team-wide, or wrapped to it), keeps a copy sealed under the at-rest key.
/// `proven`: the record proves its author created the client.
pub(super) fn apply_key_record(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    row: &RecordRow,
    plain: &[(String, Zeroizing<Vec<u8>>)],
    proven: bool,
) -> Result<(), OpenError> {
    let damaged = || {
        OpenError::Vault(VaultError::Integrity {
            record: record_name(row.kind, &row.entity, SEALED_KEY, &row.device.0, row.seq),
        })
    };
    key_record_shape(plain).map_err(|_| damaged())?;
    let aad = binding_aad(
        ident,
        &row.device.0,
        row.seq,
        row.kind,
        &row.entity,
        DATA_KEY,
    );
    let (key_id, reader) = if let Some(team_wide) = field(plain, DATA_KEY) {
        let mut sealed = vec![(DATA_KEY.to_owned(), u.local_key.seal(&aad, team_wide))];
        if proven {
            sealed.push((CREATOR_PROVEN.into(), vec![1]));
        }
        records::apply(conn, row, &sealed).map_err(|e| OpenError::Vault(e.into()))?;
        (team_wide[..16].to_vec(), 0u64)
    } else {
        let key_id = field(plain, KEY_ID).ok_or_else(damaged)?.to_vec();
        let reader = wrap_reader(plain).ok_or_else(damaged)?;
        if Some(reader) == ident.device.server_number() {
            let boxed = field(plain, SEALED_KEY).ok_or_else(damaged)?;
            let key =
                crypto::open_sealed(&u.x25519, &wrap_context(ident, row.client, reader), boxed)
                    .map_err(|_| damaged())?;
            if key.id.0[..] != key_id[..] {
                return Err(damaged());
            }
            let mut pt = Zeroizing::new(Vec::with_capacity(48));
            pt.extend_from_slice(&key.id.0);
            pt.extend_from_slice(key.sealing().key);
            let has_local: bool = conn
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM client_keys WHERE client_id = ?1 AND local = 1)",
                )?
                .query_row([&row.client.0[..]], |r| r.get(0))?;
            conn.prepare_cached(
                "INSERT OR IGNORE INTO client_keys
                     (client_id, device_id, seq, wrapped, proven, local, hlc)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                &row.client.0[..],
                &row.device.0[..],
                i64::try_from(row.seq).unwrap_or(i64::MAX),
                u.local_key.seal(&aad, &pt),
                i64::from(proven),
                i64::from(!has_local),
                row.hlc.to_i64(),
            ])?;
        }
        (key_id, reader)
    };
    conn.prepare_cached(
        "INSERT OR IGNORE INTO client_key_wraps (device_id, seq, client_id, key_id, reader, hlc)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        &row.device.0[..],
        i64::try_from(row.seq).unwrap_or(i64::MAX),
        &row.client.0[..],
        key_id,
        i64::try_from(reader).unwrap_or(i64::MAX),
        row.hlc.to_i64(),
    ])?;
    forget_cached_keys(u, row.client);
    Ok(())
}

/// Whether the client has a key (as its key records show) that this device does not hold.
pub(super) fn lacks_a_key(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    client: ClientId,
) -> Result<bool, VaultError> {
    let held: Vec<KeyId> = client_key_versions(conn, ident, u, client)?
        .iter()
        .map(|k| k.id)
        .collect();
    let known: Vec<Vec<u8>> = conn
        .prepare_cached("SELECT DISTINCT key_id FROM client_key_wraps WHERE client_id = ?1")?
        .query_map([&client.0[..]], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(known.iter().any(|k| held.iter().all(|h| h.0[..] != k[..])))
}

/// Which (key id, device) wraps of a client exist, for the devices `readers` (reader 0, a
/// team-wide key, counts for every device).
pub(super) fn wrapped_to(
    conn: &Connection,
    client: ClientId,
) -> Result<Vec<(Vec<u8>, u64)>, VaultError> {
    Ok(conn
        .prepare_cached("SELECT key_id, reader FROM client_key_wraps WHERE client_id = ?1")?
        .query_map([&client.0[..]], |r| {
            Ok((r.get(0)?, u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0)))
        })?
        .collect::<Result<_, _>>()?)
}

/// Drops this device's keys and decrypted copies of a client it may no longer read (taken off
/// the case): its fields, summaries and list entries go; its records stay in the log, unopened,
/// and open again if a key arrives (assigned anew). Returns whether there was anything to drop.
pub(super) fn forget_client(
    conn: &Connection,
    u: &mut Unlocked,
    client: ClientId,
) -> Result<bool, VaultError> {
    let c = &client.0[..];
    let held: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM client_keys WHERE client_id = ?1)",
        [c],
        |r| r.get(0),
    )?;
    if !held {
        return Ok(false);
    }
    conn.execute(
        "INSERT OR IGNORE INTO unopened_record (device_id, seq, client_id, reason)
         SELECT device_id, seq, client_id, 'taken off the case' FROM record_log
         WHERE client_id = ?1 AND kind != 'client_key'",
        [c],
    )?;
    drop_decrypted(conn, u, client)?;
    Ok(true)
}

/// Deletes this device's keys and every decrypted copy of a client (fields and their versions,
/// summaries, entities) and forgets her in memory (cached keys, the search index, the facets),
/// whatever this device held of her.
pub(super) fn drop_decrypted(
    conn: &Connection,
    u: &mut Unlocked,
    client: ClientId,
) -> Result<(), VaultError> {
    let c = &client.0[..];
    for sql in [
        "DELETE FROM field_versions WHERE entity_id IN
             (SELECT entity_id FROM entities WHERE client_id = ?1)",
        "DELETE FROM entity_fields WHERE entity_id IN
             (SELECT entity_id FROM entities WHERE client_id = ?1)",
        "DELETE FROM note_summaries WHERE client_id = ?1",
        "DELETE FROM screening_summaries WHERE client_id = ?1",
        "DELETE FROM contact_summaries WHERE client_id = ?1",
        "DELETE FROM entities WHERE client_id = ?1",
        "DELETE FROM client_keys WHERE client_id = ?1",
    ] {
        conn.execute(sql, [c])?;
    }
    forget_cached_keys(u, client);
    u.index.remove(client);
    u.facets = None;
    // An erased contact leaves the in-memory contact list too.
    u.contacts.clear();
    Ok(())
}

/// Drops the decrypted copies of one entity (a draft note past its retention): its fields,
/// their versions and its summary. Its client's key and other records stay.
///
/// Fails when the database cannot be written.
pub(super) fn drop_decrypted_entity(
    conn: &Connection,
    u: &mut Unlocked,
    entity: crate::ids::EntityId,
) -> Result<(), VaultError> {
    for sql in [
        "DELETE FROM field_versions WHERE entity_id = ?1",
        "DELETE FROM entity_fields WHERE entity_id = ?1",
        "DELETE FROM note_summaries WHERE note_id = ?1",
        "DELETE FROM screening_summaries WHERE screening_id = ?1",
        "DELETE FROM contact_summaries WHERE contact_id = ?1",
        "DELETE FROM entities WHERE entity_id = ?1",
    ] {
        conn.execute(sql, [&entity.0[..]])?;
    }
    u.facets = None;
    u.contacts.clear();
    Ok(())
}

/// The records of a client stored unopened, in the order they arrived.
pub(super) fn unopened_of(
    conn: &Connection,
    client: ClientId,
) -> Result<Vec<(Vec<u8>, i64)>, VaultError> {
    Ok(conn
        .prepare_cached(
            "SELECT u.device_id, u.seq FROM unopened_record u
             JOIN record_log l ON l.device_id = u.device_id AND l.seq = u.seq
             WHERE u.client_id = ?1 ORDER BY l.rowid",
        )?
        .query_map([&client.0[..]], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?)
}

/// Stores a record this device cannot open (see [`OpenError::NoClientKey`]).
pub(super) fn keep_unopened(
    conn: &Connection,
    row: &RecordRow,
    why: &str,
) -> Result<(), VaultError> {
    conn.prepare_cached(
        "INSERT INTO unopened_record (device_id, seq, client_id, reason) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (device_id, seq) DO UPDATE SET reason = excluded.reason",
    )?
    .execute(params![
        &row.device.0[..],
        i64::try_from(row.seq).unwrap_or(i64::MAX),
        &row.client.0[..],
        why
    ])?;
    Ok(())
}

/// How many records this device stores unopened (of clients it does not read).
pub(super) fn unopened_count(conn: &Connection) -> Result<u64, VaultError> {
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM unopened_record", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The keys of a client this device holds that were wrapped to it (newest first): the ones a
/// reader may need wrapped to her. A team-wide key (from before need-to-know; its row has no
/// timestamp) reaches every member through its own record already.
pub(super) fn wrapped_keys(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    client: ClientId,
) -> Result<Vec<DataKey>, VaultError> {
    let rows: Vec<(Vec<u8>, i64, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT device_id, seq, wrapped FROM client_keys WHERE client_id = ?1 AND hlc > 0
             ORDER BY hlc DESC, device_id, seq",
        )?
        .query_map([&client.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<Result<_, _>>()?;
    let mut keys: Vec<DataKey> = Vec::with_capacity(rows.len());
    for (device, seq, wrapped) in rows {
        let key = super::sealed::unwrap_client_key(ident, u, client, &device, seq, &wrapped)?;
        if keys.iter().all(|k| k.id != key.id) {
            keys.push(key);
        }
    }
    Ok(keys)
}

/// Whether this device holds any key of the client.
pub(super) fn holds_key(conn: &Connection, client: ClientId) -> Result<bool, VaultError> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM client_keys WHERE client_id = ?1 LIMIT 1")?
        .query_row([&client.0[..]], |_| Ok(()))
        .optional()?
        .is_some())
}

/// The `client_key` records of this device's log that open under the team key of their epoch,
/// with their fields: every device's (`None`), or this device's own of one client. For the
/// `forge` tests only.
#[cfg(feature = "forge")]
fn open_key_records(
    conn: &Connection,
    ident: &Identity,
    u: &Unlocked,
    own_of: Option<ClientId>,
) -> Result<Vec<(RecordRow, records::PlainFields)>, VaultError> {
    let rows: Vec<(Vec<u8>, i64)> = match own_of {
        None => conn
            .prepare("SELECT device_id, seq FROM record_log WHERE kind = 'client_key'")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?,
        Some(client) => conn
            .prepare(
                "SELECT device_id, seq FROM record_log WHERE device_id = ?1 AND client_id = ?2
                 AND kind = 'client_key' ORDER BY seq",
            )?
            .query_map(params![&ident.device.0[..], &client.0[..]], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<Result<_, _>>()?,
    };
    let mut out = Vec::new();
    for (device, seq) in rows {
        let device = crate::ids::DeviceId(super::sealed::id16(&device)?);
        let Some(row) = records::get(conn, &device, u64::try_from(seq).unwrap_or(0))? else {
            continue;
        };
        let Some(tk) = u.team_keys.get(&row.epoch) else {
            continue;
        };
        if let Some(plain) = records::open_payload(tk, &ident.team, &row)
            .ok()
            .and_then(|pt| records::decode_fields(&pt))
        {
            out.push((row, plain));
        }
    }
    Ok(out)
}

#[cfg(feature = "forge")]
impl super::Vault {
    /// The roster's active device `device` as a key reader (a wrap's addressee). For the
    /// `forge` tests only.
    ///
    /// Fails when the roster does not list the device.
    pub(super) fn roster_device(&self, device: u64) -> Result<(u64, [u8; 32]), VaultError> {
        self.roster()?
            .and_then(|r| {
                r.active_devices_of(|_| true)
                    .into_iter()
                    .find(|d| d.0 == device)
            })
            .ok_or(VaultError::NotJoined)
    }
}

#[cfg(feature = "forge")]
impl super::Vault {
    /// Every key this vault can reach once unlocked, as a thief with the passphrase would
    /// gather them: the team keys, every client key it stores, and every client key wrapped to
    /// this device that its log holds (opened with the device's own secret, whether or not the
    /// app kept it). For the key-oracle tests only (feature `forge`).
    ///
    /// Fails when locked or the database cannot be read.
    pub fn oracle_keys(&mut self) -> Result<Vec<DataKey>, VaultError> {
        self.ensure_unlocked()?;
        let super::Vault {
            store,
            ident,
            unlocked,
            ..
        } = self;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let conn = store.connection();
        let mut keys: Vec<DataKey> = u.team_keys.values().cloned().collect();
        let clients: Vec<Vec<u8>> = conn
            .prepare("SELECT DISTINCT client_id FROM client_keys")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        for c in clients {
            let client = ClientId(super::sealed::id16(&c)?);
            keys.extend(client_key_versions(conn, ident, u, client)?.iter().cloned());
        }
        let me = ident.device.server_number().unwrap_or(0);
        for (row, plain) in open_key_records(conn, ident, u, None)? {
            if let Some(team_wide) = field(&plain, DATA_KEY).filter(|k| k.len() == 48) {
                if let Some(id) = KeyId::from_slice(&team_wide[..16]) {
                    let mut k = Zeroizing::new([0u8; 32]);
                    k.copy_from_slice(&team_wide[16..]);
                    keys.push(DataKey::from_parts(id, k));
                }
            }
            if let Some(boxed) = field(&plain, SEALED_KEY) {
                if let Ok(k) =
                    crypto::open_sealed(&u.x25519, &wrap_context(ident, row.client, me), boxed)
                {
                    keys.push(k);
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        keys.retain(|k| seen.insert(k.id));
        Ok(keys)
    }
}

#[cfg(feature = "forge")]
impl super::Vault {
    /// What the registering device of `client` could do with a modified app: wrap a key of its
    /// own choosing to the roster's device `device`, with the creator proof its first key
    /// record carried (read back from its own log). For the receive-rule tests only (feature
    /// `forge`). Returns whether the proof was found.
    ///
    /// Fails when locked, when the roster does not list the device, or the write fails.
    pub fn forge_creator_wrap(
        &mut self,
        client: ClientId,
        device: u64,
    ) -> Result<bool, VaultError> {
        let reader = self.roster_device(device)?;
        let nonce = {
            let super::Vault {
                store,
                ident,
                unlocked,
                ..
            } = self;
            let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
            open_key_records(store.connection(), ident, u, Some(client))?
                .iter()
                .find_map(|(_, plain)| {
                    field(plain, super::sealed::CREATOR_NONCE).map(<[u8]>::to_vec)
                })
        };
        let Some(nonce) = nonce else {
            return Ok(false);
        };
        self.batch(|b| {
            let mut fields = wrap_fields(b.ident, client, &DataKey::generate(), reader);
            fields.push((
                super::sealed::CREATOR_NONCE.into(),
                Zeroizing::new(nonce.clone()),
            ));
            b.append_plain(
                crate::records::RecordKind::ClientKey,
                crate::records::Op::Update,
                client.into(),
                client,
                None,
                fields,
            )?;
            Ok(true)
        })
    }
}
