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

impl Vault {
    /// Team keys this device holds, by epoch (0 is the provisional pre-join key).
    pub fn team_epochs(&self) -> Vec<u32> {
        self.unlocked
            .as_ref()
            .map(|u| u.team_keys.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The team key of `epoch`, if held (for sealing envelopes to new members).
    pub(crate) fn team_key(&self, epoch: u32) -> Option<DataKey> {
        self.unlocked.as_ref()?.team_keys.get(&epoch).cloned()
    }

    /// The member's X25519 secret (to open team-key envelopes).
    pub(crate) fn with_x25519<R>(&self, f: impl FnOnce(&StaticSecret) -> R) -> Option<R> {
        self.unlocked.as_ref().map(|u| f(&u.x25519))
    }

    /// The member's signing key (to sign the roster).
    pub(crate) fn with_signing_key<R>(&self, f: impl FnOnce(&SigningKey) -> R) -> Option<R> {
        self.unlocked.as_ref().map(|u| f(&u.signing))
    }

    /// Stores team keys received in an envelope and records the team's current epoch; new
    /// records are sealed under the newest key.
    ///
    /// Fails when locked or the write fails.
    pub(crate) fn store_team_keys(
        &mut self,
        keys_by_epoch: Vec<(u32, DataKey)>,
        current_epoch: u32,
    ) -> Result<(), VaultError> {
        let Vault {
            store,
            ident,
            unlocked,
            ..
        } = self;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let tx = store.connection_mut().transaction()?;
        for (epoch, key) in &keys_by_epoch {
            if u.team_keys.get(epoch).map(|k| k.id) != Some(key.id) {
                keys::store_team_key(&tx, ident, *epoch, key)?;
            }
        }
        tx.execute(
            "UPDATE sync_binding SET current_epoch = MAX(current_epoch, ?1) WHERE id = 1",
            [current_epoch],
        )?;
        tx.commit()?;
        for (epoch, key) in keys_by_epoch {
            u.team_keys.insert(epoch, key);
        }
        u.record_keys.clear();
        Ok(())
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

    /// Stores a verified roster.
    ///
    /// Fails when the write fails.
    pub(crate) fn store_roster(&mut self, roster: &Roster) -> Result<(), VaultError> {
        let json =
            serde_json::to_vec(roster).map_err(|e| VaultError::InvalidInput(e.to_string()))?;
        self.store.connection().execute(
            "UPDATE sync_binding SET roster = ?1, roster_version = ?2 WHERE id = 1",
            params![json, roster.version],
        )?;
        Ok(())
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
