//! The team's keys and roster as this vault holds them: team keys by epoch (sealed to the
//! member), the accepted roster, and the authors whose signatures count.

use ed25519_dalek::{SigningKey, VerifyingKey};
use rusqlite::{params, OptionalExtension};
use x25519_dalek::StaticSecret;

use crate::crypto::DataKey;
use crate::team::roster::{Authors, Roster};
use crate::vault::error::VaultError;
use crate::vault::keys::{self};
use crate::vault::Vault;

/// Keeps a security alarm (see [`Vault::raise_alarm`]) inside the caller's transaction, if
/// any; returns false when the same alarm was already kept.
///
/// Fails when the write fails.
pub(in crate::vault) fn insert_alarm(
    conn: &rusqlite::Connection,
    kind: crate::team::AlarmKind,
    subject: u64,
    seq: u64,
    detail: &str,
    evidence: &[u8],
) -> rusqlite::Result<bool> {
    let n = conn.execute(
        "INSERT INTO security_alarm (kind, device, seq, detail, record, first_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        params![
            kind.code(),
            i64::try_from(subject).unwrap_or(i64::MAX),
            i64::try_from(seq).unwrap_or(i64::MAX),
            detail,
            evidence,
            chrono::Utc::now().timestamp()
        ],
    )?;
    Ok(n > 0)
}

impl Vault {
    /// Team keys this device holds, by epoch (0 is the provisional pre-join key).
    pub fn team_epochs(&self) -> Vec<u32> {
        self.unlocked
            .as_ref()
            .map(|u| u.team_keys.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The member's X25519 secret (to open team-key envelopes).
    pub(crate) fn with_x25519<R>(&self, f: impl FnOnce(&StaticSecret) -> R) -> Option<R> {
        self.unlocked.as_ref().map(|u| f(&u.x25519))
    }

    /// The member's signing key (to sign the roster).
    pub(crate) fn with_signing_key<R>(&self, f: impl FnOnce(&SigningKey) -> R) -> Option<R> {
        self.unlocked.as_ref().map(|u| f(&u.signing))
    }

    /// Stores team keys received in an envelope (or made here) and records the team's current
    /// epoch; new records are sealed under the newest key. A key this device already holds is
    /// never replaced: the epochs where `keys_by_epoch` offers a different one are returned (an
    /// attack or a fault; the caller raises the alarm).
    ///
    /// Fails when locked or the write fails.
    pub(crate) fn store_team_keys(
        &mut self,
        keys_by_epoch: Vec<(u32, DataKey)>,
        current_epoch: u32,
    ) -> Result<Vec<u32>, VaultError> {
        let Vault {
            store,
            ident,
            unlocked,
            ..
        } = self;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let mut conflicts = Vec::new();
        let mut new = Vec::new();
        for (epoch, key) in keys_by_epoch {
            match u.team_keys.get(&epoch) {
                Some(held) if held.id == key.id && held.bytes() == key.bytes() => {}
                Some(_) => conflicts.push(epoch),
                None => new.push((epoch, key)),
            }
        }
        let tx = store.connection_mut().transaction()?;
        for (epoch, key) in &new {
            keys::store_team_key(&tx, ident, *epoch, key)?;
        }
        tx.execute(
            "UPDATE sync_binding SET current_epoch = MAX(current_epoch, ?1) WHERE id = 1",
            [current_epoch],
        )?;
        tx.commit()?;
        for (epoch, key) in new {
            u.team_keys.insert(epoch, key);
        }
        u.record_keys.clear();
        Ok(conflicts)
    }

    /// Every team key this device holds from epoch 1 on, oldest first (what a key manager seals
    /// into a new epoch's envelopes so members keep reading the team's history).
    pub(crate) fn team_keys_held(&self) -> Vec<(u32, DataKey)> {
        let mut keys: Vec<(u32, DataKey)> = self
            .unlocked
            .as_ref()
            .map(|u| {
                u.team_keys
                    .iter()
                    .filter(|(e, _)| **e > 0)
                    .map(|(e, k)| (*e, k.clone()))
                    .collect()
            })
            .unwrap_or_default();
        keys.sort_by_key(|(e, _)| *e);
        keys
    }

    /// Keeps evidence of something only an attack or a broken device can cause (a forged
    /// team-key envelope, a rewritten roster...) as a security alarm the sync status shows.
    /// `subject` is the device or member concerned (0: the server), `seq` the sequence or epoch.
    /// Returns false when the same alarm was already raised.
    ///
    /// Fails when the write fails.
    pub(crate) fn raise_alarm(
        &mut self,
        kind: crate::team::AlarmKind,
        subject: u64,
        seq: u64,
        detail: &str,
        evidence: &[u8],
    ) -> Result<bool, VaultError> {
        Ok(insert_alarm(
            self.store.connection(),
            kind,
            subject,
            seq,
            detail,
            evidence,
        )?)
    }

    /// The accepted team roster, if any.
    ///
    /// Fails when the database cannot be read or the stored roster is damaged.
    pub fn roster(&self) -> Result<Option<Roster>, VaultError> {
        let row: Option<(Option<Vec<u8>>, u64)> = self
            .store
            .connection()
            .query_row(
                "SELECT roster, team FROM sync_binding WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        match row {
            Some((Some(bytes), _)) => {
                serde_json::from_slice(&bytes)
                    .map(Some)
                    .map_err(|_| VaultError::Integrity {
                        record: "the stored team roster".into(),
                    })
            }
            _ => Ok(None),
        }
    }

    /// Stores a verified roster with the bytes its signer signed.
    ///
    /// Fails when the write fails.
    pub(crate) fn store_roster(
        &mut self,
        roster: &Roster,
        signed: &[u8],
    ) -> Result<(), VaultError> {
        let json =
            serde_json::to_vec(roster).map_err(|e| VaultError::InvalidInput(e.to_string()))?;
        self.store.connection().execute(
            "UPDATE sync_binding SET roster = ?1, roster_version = ?2, roster_signed = ?3
             WHERE id = 1",
            params![json, roster.version, signed],
        )?;
        Ok(())
    }

    /// The held roster as its signer signed it (none for a roster stored before schema 13).
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn signed_roster(&self) -> Result<Option<Vec<u8>>, VaultError> {
        Ok(self
            .store
            .connection()
            .query_row(
                "SELECT roster_signed FROM sync_binding WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .flatten())
    }

    pub(in crate::vault) fn authors(&self) -> Result<Authors, VaultError> {
        Ok(self.authors_in(self.roster()?.as_ref()))
    }

    /// The roster's authors plus this device.
    pub(super) fn authors_in(&self, roster: Option<&Roster>) -> Authors {
        let mut authors = roster.map(Roster::authors).unwrap_or_default();
        if let Ok(key) = VerifyingKey::from_bytes(&self.ident.ed25519_public) {
            authors.insert(self.ident.device, (key, None));
        }
        authors
    }
}
