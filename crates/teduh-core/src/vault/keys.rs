//! Keys while unlocked: team keys per epoch, the device's at-rest key, client data keys and the
//! record keys derived from both; sealing and opening whole records.

use std::collections::BTreeMap;

use super::error::VaultError;
use super::identity::Identity;
use super::projection::{self, Current, Projection};
use super::sealed::{binding_aad, client_key, client_key_versions, record_name};
use super::Unlocked;
use crate::crypto::DataKey;
use crate::ids::{ClientId, TeamId};
use crate::records::{RecordKind, RecordRow};
use crate::{crypto, records};
use rusqlite::{params, Connection};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

/// Epoch of the key a device makes for itself before it joins a team: its records are
/// re-sealed under the team's current epoch before they are pushed.
pub(crate) const PROVISIONAL_EPOCH: u32 = 0;

pub(super) fn team_key_context(team: &TeamId, epoch: u32) -> Vec<u8> {
    let mut c = b"team-key".to_vec();
    c.extend_from_slice(&team.0);
    c.extend_from_slice(&u64::from(epoch).to_be_bytes());
    c
}

/// The header keys ([`records::HeaderKey`]) of every team-key epoch this device holds, derived
/// afresh (two HKDFs per epoch: cheap beside a page, and never stale after joining a team).
pub(super) fn header_keys(ident: &Identity, u: &Unlocked) -> BTreeMap<u32, records::HeaderKey> {
    u.team_keys
        .iter()
        .map(|(epoch, key)| (*epoch, records::HeaderKey::derive(&ident.team, key)))
        .collect()
}

/// The key that seals this device's copies of client keys: derived from the member's X25519
/// secret, so it needs the passphrase and survives passphrase changes.
pub(super) fn local_key(x25519: &StaticSecret) -> DataKey {
    crypto::derive_key(x25519.as_bytes(), b"teduh/local", b"teduh/local-at-rest/v1")
}

/// Opens every team key stored for this vault's team.
pub(super) fn load_team_keys(
    conn: &Connection,
    ident: &Identity,
    x25519: &StaticSecret,
) -> Result<BTreeMap<u32, DataKey>, VaultError> {
    let mut st = conn.prepare("SELECT epoch, sealed FROM team_keys WHERE team_id = ?1")?;
    let rows: Vec<(u32, Vec<u8>)> = st
        .query_map([&ident.team.0[..]], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut keys = BTreeMap::new();
    for (epoch, sealed) in rows {
        let key = crypto::open_sealed(x25519, &team_key_context(&ident.team, epoch), &sealed)
            .map_err(|_| VaultError::Integrity {
                record: format!("the team key (epoch {epoch})"),
            })?;
        keys.insert(epoch, key);
    }
    if keys.is_empty() {
        return Err(VaultError::Integrity {
            record: "the team key (missing)".into(),
        });
    }
    Ok(keys)
}

/// Stores a team key sealed to this member (replacing one of the same epoch).
pub(super) fn store_team_key(
    conn: &Connection,
    ident: &Identity,
    epoch: u32,
    key: &DataKey,
) -> Result<(), VaultError> {
    let sealed = crypto::seal_to(
        &PublicKey::from(ident.x25519_public),
        &team_key_context(&ident.team, epoch),
        key,
    );
    conn.execute(
        "INSERT INTO team_keys (key_id, team_id, epoch, sealed) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (team_id, epoch) DO UPDATE SET key_id = excluded.key_id,
             sealed = excluded.sealed",
        params![&key.id.0[..], &ident.team.0[..], epoch, &sealed],
    )?;
    Ok(())
}

pub(crate) use super::open_error::OpenError;

/// The keys that may seal a record's payload, newest first: the epoch's team key for
/// client-key records, else the record keys of (client, epoch), one per data key of the client
/// this device holds (a record is sealed under the first).
pub(super) fn record_sealing_keys<'u>(
    conn: &Connection,
    ident: &Identity,
    u: &'u mut Unlocked,
    kind: RecordKind,
    client: ClientId,
    epoch: u32,
) -> Result<&'u [DataKey], OpenError> {
    if !u.team_keys.contains_key(&epoch) {
        return Err(OpenError::MissingKey(format!(
            "no team key of epoch {epoch} on this device"
        )));
    }
    if kind.sealed_under_team_key() {
        return u
            .team_keys
            .get(&epoch)
            .map(std::slice::from_ref)
            .ok_or_else(|| OpenError::MissingKey(format!("team key {epoch}")));
    }
    if !u.record_keys.contains_key(&(client, epoch)) {
        let versions: Vec<DataKey> = client_key_versions(conn, ident, u, client)?.to_vec();
        if versions.is_empty() {
            return Err(OpenError::NoClientKey(format!(
                "this device holds no key of client {client}"
            )));
        }
        let tk = u
            .team_keys
            .get(&epoch)
            .ok_or_else(|| OpenError::MissingKey(format!("team key {epoch}")))?;
        let rks = versions
            .iter()
            .map(|ck| crypto::record_key(tk, ck, &client.0))
            .collect();
        u.record_keys.insert((client, epoch), rks);
    }
    Ok(u.record_keys
        .get(&(client, epoch))
        .map_or(&[], Vec::as_slice))
}

/// Seals `row`'s payload from plaintext fields and signs it (team, keys and epoch from `u`).
pub(super) fn seal_and_sign(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    row: &mut RecordRow,
    plain: &[(String, Zeroizing<Vec<u8>>)],
) -> Result<(), VaultError> {
    let encoded = records::encode_fields(plain);
    let key = record_sealing_keys(conn, ident, u, row.kind, row.client, row.epoch)?
        .first()
        .ok_or_else(|| VaultError::Log("no key to seal the record with".into()))?;
    row.payload = records::seal_payload(key, &ident.team, row, &encoded);
    records::sign(&ident.team, &u.signing, row);
    Ok(())
}

/// Opens a record's payload into its plaintext fields, trying the client's keys newest first.
pub(super) fn open_record(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    row: &RecordRow,
) -> Result<records::PlainFields, OpenError> {
    let name = || record_name(row.kind, &row.entity, "*", &row.device.0, row.seq);
    let keys = record_sealing_keys(conn, ident, u, row.kind, row.client, row.epoch)?;
    let Some(pt) = keys
        .iter()
        .find_map(|k| records::open_payload(k, &ident.team, row).ok())
    else {
        // Sealed under a key of the client this device was never given (it was taken off the
        // case before that key was made): not damage.
        if !row.kind.sealed_under_team_key()
            && super::readers::lacks_a_key(conn, ident, u, row.client)?
        {
            return Err(OpenError::NoClientKey(format!(
                "sealed under a key of client {} this device does not hold",
                row.client
            )));
        }
        return Err(OpenError::Vault(VaultError::Integrity { record: name() }));
    };
    records::decode_fields(&pt)
        .ok_or_else(|| OpenError::Vault(VaultError::Integrity { record: name() }))
}

/// Seals plaintext fields for this device's tables (per field, bound to the record) and folds
/// the record in. Client keys are kept by `readers` (under the device's at-rest key), other
/// fields are sealed under the client's local data key; `author_key` (the signer's Ed25519 key) tells whether a client key is
/// proven by the client's creator. Then refreshes the `projections` of the record's kind, in the
/// same transaction.
pub(super) fn apply_plain(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    row: &RecordRow,
    plain: &[(String, Zeroizing<Vec<u8>>)],
    author_key: &[u8; 32],
    projections: &[Projection],
) -> Result<(), OpenError> {
    if row.kind == RecordKind::ClientKey {
        let proven = super::receive_rules::proves_creator(row, plain, author_key);
        return super::readers::apply_key_record(conn, ident, u, row, plain, proven);
    }
    if row.kind == RecordKind::Checkpoint {
        return super::checkpoints::note_seen(conn, row, plain).map_err(OpenError::Vault);
    }
    let key = match client_key(conn, ident, u, row.client) {
        Ok(k) => k,
        Err(VaultError::NotFound { .. }) => {
            return Err(OpenError::NoClientKey(format!(
                "this device holds no key of client {}",
                row.client
            )))
        }
        Err(e) => return Err(e.into()),
    };
    let sealed = seal_fields(ident, key, row, plain);
    apply_sealed(conn, ident, u, row, plain, &sealed, projections)
}

/// Seals plaintext fields for this device's tables under the client's local data key `key`,
/// each bound to the record and the field's name (pure: it may run on any thread).
pub(super) fn seal_fields(
    ident: &Identity,
    key: &DataKey,
    row: &RecordRow,
    plain: &[(String, Zeroizing<Vec<u8>>)],
) -> Vec<(String, Vec<u8>)> {
    // One random draw per record: field i is sealed with the random base nonce XOR i. Bases are
    // 96 random bits, so two seals under one key share a nonce with negligible probability,
    // as with a fresh random nonce per field, at one system call per record instead of one per
    // field (a measurable part of applying a pulled page).
    let base = crypto::fresh_nonce();
    let nonce = |i: usize| {
        let mut n = base;
        for (b, x) in n
            .iter_mut()
            .rev()
            .zip((i as u64).to_be_bytes().iter().rev())
        {
            *b ^= x;
        }
        n
    };
    plain
        .iter()
        .enumerate()
        .map(|(i, (name, pt))| {
            let aad = binding_aad(ident, &row.device.0, row.seq, row.kind, &row.entity, name);
            (name.clone(), key.seal_with_nonce(nonce(i), &aad, pt))
        })
        .collect()
}

/// Folds a record whose fields [`seal_fields`] sealed into the tables, then refreshes the
/// `projections` of its kind with the plaintext of the fields it made current.
pub(super) fn apply_sealed(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    row: &RecordRow,
    plain: &[(String, Zeroizing<Vec<u8>>)],
    sealed: &[(String, Vec<u8>)],
    projections: &[Projection],
) -> Result<(), OpenError> {
    let current_now = records::apply(conn, row, sealed).map_err(|e| OpenError::Vault(e.into()))?;
    let written: Vec<&(String, Zeroizing<Vec<u8>>)> = plain
        .iter()
        .zip(current_now)
        .filter_map(|(field, current)| current.then_some(field))
        .collect();
    let current = Current {
        fields: &written,
        record: (&row.device.0, row.seq),
    };
    projection::after_apply(projections, conn, ident, u, row, &current)?;
    Ok(())
}

/// A record opened and its fields sealed for this device, ready to be applied
/// ([`apply_sealed`]).
pub(super) struct Opened {
    pub(super) plain: records::PlainFields,
    pub(super) sealed: Vec<(String, Vec<u8>)>,
}

/// The keys that open records of one client and re-seal their fields for this device, gathered
/// on this thread (finding them may read the database); [`ClientOpener::open`] then runs on any
/// thread, so a device given a client's key opens that client's records ahead of applying them.
pub(super) struct ClientOpener {
    client: ClientId,
    /// The client's local data key (what [`seal_fields`] seals under).
    local: DataKey,
    /// The record keys of each epoch among the records, newest first.
    by_epoch: BTreeMap<u32, Vec<DataKey>>,
}

impl ClientOpener {
    /// The keys for `rows` of `client`; None when this device holds no key of the client.
    ///
    /// Fails when the database cannot be read.
    pub(super) fn new(
        conn: &Connection,
        ident: &Identity,
        u: &mut Unlocked,
        client: ClientId,
        rows: &[RecordRow],
    ) -> Result<Option<Self>, VaultError> {
        let local = match client_key(conn, ident, u, client) {
            Ok(k) => k.clone(),
            Err(VaultError::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let mut by_epoch = BTreeMap::new();
        for row in rows.iter().filter(|r| Self::opens_kind(client, r)) {
            if by_epoch.contains_key(&row.epoch) {
                continue;
            }
            let keys = match record_sealing_keys(conn, ident, u, row.kind, client, row.epoch) {
                Ok(keys) => keys.to_vec(),
                Err(OpenError::Vault(e)) => return Err(e),
                // Left to the one-at-a-time path, which says why.
                Err(OpenError::MissingKey(_) | OpenError::NoClientKey(_)) => Vec::new(),
            };
            by_epoch.insert(row.epoch, keys);
        }
        Ok(Some(Self {
            client,
            local,
            by_epoch,
        }))
    }

    /// The records this opens: of its client, sealed under the client's keys.
    fn opens_kind(client: ClientId, row: &RecordRow) -> bool {
        row.client == client
            && !row.kind.sealed_under_team_key()
            && !matches!(row.kind, RecordKind::ClientKey | RecordKind::Checkpoint)
    }

    /// Opens `row` and seals its fields for this device, as [`open_record`] and
    /// [`apply_plain`] would; None when it does not simply open (a key missing, damage): the
    /// caller then takes the one-at-a-time path, which says why.
    pub(super) fn open(&self, ident: &Identity, row: &RecordRow) -> Option<Opened> {
        if !Self::opens_kind(self.client, row) {
            return None;
        }
        let pt = self
            .by_epoch
            .get(&row.epoch)?
            .iter()
            .find_map(|k| records::open_payload(k, &ident.team, row).ok())?;
        let plain = records::decode_fields(&pt)?;
        let sealed = seal_fields(ident, &self.local, row, &plain);
        Some(Opened { plain, sealed })
    }
}
