//! The vault's side of sync: binding to a server identity, the outbox, re-sealing and
//! re-stamping unacknowledged records, and receiving the team's records (verified, opened,
//! applied with the pull cursor in one transaction).
//!
//! One file because it is the vault's one sync boundary: the binding, the outbox and the
//! receiving transaction share the binding row and the log's gapless invariant. What to check
//! before a received record is applied is in `receive_rules.rs`; issue #14 moves the rest into a
//! sync room that plans, then acts. The protocol itself is in
//! [`crate::sync`].

use teduh_protocol::sync::{PushPage, Record, Role};

use super::error::VaultError;
use super::identity::{derive_kek, open_secrets, wrap_secrets, Identity};
use super::keys;
use super::keys::OpenError;
use super::{Unlocked, Vault};
use crate::crypto::DataKey;
use crate::hlc::Hlc;
use crate::hlc::HlcClock;
use crate::ids::{DeviceId, MemberId, TeamId};
use crate::records::{RecordKind, RecordRow};
use crate::team::roster::{Authors, Roster};
use crate::team::Binding;
use crate::{crypto, records};
use chrono::Utc;
use ed25519_dalek::{SigningKey, VerifyingKey};
use rusqlite::{params, Connection, OptionalExtension};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

/// What receiving one page did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiveReport {
    /// Records verified, opened and applied.
    pub applied: u64,
    /// Records of this device coming back (already here).
    pub own: u64,
    /// Records already present (a page received twice).
    pub duplicates: u64,
    /// Records kept aside (unknown or revoked author, bad signature, missing key, damage),
    /// with the reason; retried when the roster or the keys change.
    pub held: Vec<String>,
    /// Security alarms raised by this page (e.g. a device signed two different records under
    /// one sequence); the records are kept in [`Vault::security_alarms`], never applied.
    pub alarms: Vec<String>,
}

/// Something a device refused because it can only be an attack or a fault in another device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityAlarm {
    /// `"equivocation"`: a second, differently signed record under a sequence already applied.
    pub kind: String,
    /// The server's number of the device concerned.
    pub device: u64,
    /// The sequence concerned.
    pub seq: u64,
    /// What was seen, in English.
    pub detail: String,
    /// When it was first seen (Unix seconds).
    pub first_seen: i64,
}

const BINDING_COLUMNS: &str = "server_url, username, team, member, device, role, acked_seq, \
     pull_cursor, current_epoch, roster_version, last_success, last_attempt, last_error, \
     clock_offset_ms, server_restored_at";

fn binding_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Binding> {
    let role: String = r.get(5)?;
    Ok(Binding {
        server_url: r.get(0)?,
        username: r.get(1)?,
        team: r.get(2)?,
        member: r.get(3)?,
        device: r.get(4)?,
        role: Role::parse(&role).unwrap_or(Role::Counselor),
        acked_seq: r.get(6)?,
        pull_cursor: r.get(7)?,
        current_epoch: r.get(8)?,
        roster_version: r.get(9)?,
        last_success: r.get(10)?,
        last_attempt: r.get(11)?,
        last_error: r.get(12)?,
        clock_offset_ms: r.get(13)?,
        server_restored_at: r.get(14)?,
    })
}

fn token_context(ident: &Identity) -> Vec<u8> {
    let mut c = b"teduh/device-token/v1".to_vec();
    c.extend_from_slice(&ident.device.0);
    c
}

fn wire_bytes(r: &RecordRow) -> Option<Vec<u8>> {
    r.to_wire().map(|w| PushPage { records: vec![w] }.encode())
}

impl Vault {
    /// The server this vault syncs with, if it joined one.
    ///
    /// Fails when the database cannot be read.
    pub fn binding(&self) -> Result<Option<Binding>, VaultError> {
        Ok(self
            .store
            .connection()
            .query_row(
                &format!("SELECT {BINDING_COLUMNS} FROM sync_binding WHERE id = 1"),
                [],
                binding_from_row,
            )
            .optional()?)
    }

    /// The device's bearer token (sealed at rest to the member's key).
    ///
    /// Fails when locked, not joined, or the sealed token is damaged.
    pub fn sync_token(&mut self) -> Result<Zeroizing<String>, VaultError> {
        self.ensure_unlocked()?;
        let u = self.unlocked.as_ref().ok_or(VaultError::Locked)?;
        let sealed: Vec<u8> = self
            .store
            .connection()
            .query_row(
                "SELECT token_sealed FROM sync_binding WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .ok_or(VaultError::NotJoined)?;
        let pt = crypto::open_sealed_bytes(&u.x25519, &token_context(&self.ident), &sealed)
            .map_err(|_| VaultError::Integrity {
                record: "the sync token".into(),
            })?;
        String::from_utf8(pt.to_vec())
            .map(Zeroizing::new)
            .map_err(|_| VaultError::Integrity {
                record: "the sync token".into(),
            })
    }

    /// The member's two private keys (X25519 || Ed25519), for uploading them wrapped at
    /// registration.
    pub(crate) fn member_secrets(&mut self) -> Result<Zeroizing<Vec<u8>>, VaultError> {
        self.touch()?;
        let u = self.unlocked.as_ref().ok_or(VaultError::Locked)?;
        let mut out = Zeroizing::new(Vec::with_capacity(64));
        out.extend_from_slice(u.x25519.as_bytes());
        out.extend_from_slice(u.signing.as_bytes());
        Ok(out)
    }

    /// The member's public keys (X25519 || Ed25519).
    pub fn public_keys(&self) -> Vec<u8> {
        let mut out = self.ident.x25519_public.to_vec();
        out.extend_from_slice(&self.ident.ed25519_public);
        out
    }

    /// Takes the server's identity (team, member, device numbers) and stores the binding:
    /// every record written before joining is rewritten as this device's under the team (they
    /// were never sent), the tables are rebuilt, and the token is sealed at rest.
    ///
    /// Fails when locked, already joined, the passphrase is wrong, or the write fails (then
    /// nothing changed).
    pub(crate) fn adopt_server_identity(
        &mut self,
        passphrase: &str,
        binding: &Binding,
        token: &str,
    ) -> Result<(), VaultError> {
        if self.binding()?.is_some() {
            return Err(VaultError::AlreadyJoined);
        }
        self.touch()?;
        let (x25519, signing) = open_secrets(&self.ident, passphrase)?;
        let mut next = self.ident.clone();
        next.team = TeamId::from_server(binding.team);
        next.member = MemberId::from_server(binding.member);
        next.device = DeviceId::from_server(binding.device);
        let kek = derive_kek(&next, passphrase)?;
        next.wrapped_secrets = wrap_secrets(&next, &kek, &x25519, &signing);
        let old = self.ident.clone();
        let Vault {
            store, unlocked, ..
        } = self;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let tx = store.connection_mut().transaction()?;
        // The records made before joining: open under the old identity, re-seal under the new.
        let mut rows = Vec::new();
        records::for_each(&tx, |r| {
            rows.push(r);
            Ok(())
        })?;
        rows.sort_by_key(|r| r.seq);
        let mut plain = Vec::with_capacity(rows.len());
        for r in &rows {
            let p = keys::open_record(&tx, &old, u, r)?;
            plain.push(p);
        }
        tx.execute("DELETE FROM record_log", [])?;
        tx.execute(
            "UPDATE identity SET member_id = ?1, device_id = ?2, team_id = ?3,
                 wrapped_secrets = ?4 WHERE id = 1",
            params![
                &next.member.0[..],
                &next.device.0[..],
                &next.team.0[..],
                &next.wrapped_secrets
            ],
        )?;
        tx.execute("DELETE FROM team_keys", [])?;
        for (epoch, key) in &u.team_keys {
            keys::store_team_key(&tx, &next, *epoch, key)?;
        }
        // Fields naming the member (author, finaliser...) follow her new id.
        let old_member = serde_json::to_vec(&old.member).unwrap_or_default();
        let new_member = serde_json::to_vec(&next.member).unwrap_or_default();
        for (mut r, mut p) in rows.into_iter().zip(plain) {
            for (_, value) in p.iter_mut() {
                if value.as_slice() == old_member.as_slice() {
                    *value = Zeroizing::new(new_member.clone());
                }
            }
            r.device = next.device;
            keys::seal_and_sign(&tx, &next, u, &mut r, &p)?;
            records::insert(&tx, &r)?;
        }
        insert_binding(&tx, &next, &x25519, binding, token)?;
        tx.commit()?;
        self.ident = next;
        self.rebuild()?;
        Ok(())
    }

    /// This device's records the server has not acknowledged, from the oldest, at most `limit`.
    ///
    /// Fails when the database cannot be read.
    pub fn outbox(&self, limit: usize) -> Result<Vec<RecordRow>, VaultError> {
        let acked = self.binding()?.map_or(0, |b| b.acked_seq);
        Ok(records::own_records_after(
            self.store.connection(),
            &self.ident.device,
            acked,
            limit,
        )?)
    }

    /// This device's records after `seq` (acknowledged or not), in order.
    ///
    /// Fails when the database cannot be read.
    pub fn outbox_after(&self, seq: u64) -> Result<Vec<RecordRow>, VaultError> {
        Ok(records::own_records_after(
            self.store.connection(),
            &self.ident.device,
            seq,
            usize::MAX,
        )?)
    }

    /// How many of this device's records wait to be sent.
    ///
    /// Fails when the database cannot be read.
    pub fn pending_count(&self) -> Result<u64, VaultError> {
        let acked = self.binding()?.map_or(0, |b| b.acked_seq);
        let n: i64 = self.store.connection().query_row(
            "SELECT COUNT(*) FROM record_log WHERE device_id = ?1 AND seq > ?2",
            params![
                &self.ident.device.0[..],
                i64::try_from(acked).unwrap_or(i64::MAX)
            ],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Records the server's acknowledgement: records up to `seq` are stored there and are
    /// never sent (or rewritten) again.
    ///
    /// Fails when the write fails.
    pub fn acknowledge(&mut self, seq: u64) -> Result<(), VaultError> {
        self.store.connection().execute(
            "UPDATE sync_binding SET acked_seq = MAX(acked_seq, ?1) WHERE id = 1",
            [i64::try_from(seq).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    /// The server holds this device's log only through `server_through`, less than it once
    /// acknowledged (a server restored from a backup): remembers to re-send the rest.
    ///
    /// Fails when the write fails.
    pub fn server_lost_records(&mut self, server_through: u64) -> Result<(), VaultError> {
        let changed = self.store.connection().execute(
            "UPDATE sync_binding SET resend_after = MIN(COALESCE(resend_after, ?1), ?1)
             WHERE id = 1 AND acked_seq > ?1",
            [i64::try_from(server_through).unwrap_or(i64::MAX)],
        )?;
        if changed > 0 {
            self.note_server_restored()?;
        }
        Ok(())
    }

    /// Remembers that this device sealed team-key epoch `epoch` to `members`.
    ///
    /// Fails when the write fails.
    pub(crate) fn remember_sealed_to(
        &mut self,
        epoch: u32,
        members: &[u64],
    ) -> Result<(), VaultError> {
        let json = serde_json::json!({ "epoch": epoch, "members": members }).to_string();
        self.store.connection().execute(
            "UPDATE sync_binding SET sealed_to = ?1 WHERE id = 1",
            [json],
        )?;
        Ok(())
    }

    /// The newest epoch this device sealed and to whom, if it sealed one.
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn sealed_to(&self) -> Result<Option<(u32, Vec<u64>)>, VaultError> {
        let json: Option<String> = self
            .store
            .connection()
            .query_row("SELECT sealed_to FROM sync_binding WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?
            .flatten();
        #[derive(serde::Deserialize)]
        struct SealedTo {
            epoch: u32,
            members: Vec<u64>,
        }
        Ok(json
            .and_then(|j| serde_json::from_str::<SealedTo>(&j).ok())
            .map(|s| (s.epoch, s.members)))
    }

    /// Remembers that the server was found holding less than it once did (restored from a
    /// backup), for the informational notice.
    ///
    /// Fails when the write fails.
    pub fn note_server_restored(&mut self) -> Result<(), VaultError> {
        self.store.connection().execute(
            "UPDATE sync_binding SET server_restored_at = ?1 WHERE id = 1",
            [Utc::now().timestamp()],
        )?;
        Ok(())
    }

    /// Records to re-send to a restored server, as first sent, at most `limit` (empty: none).
    ///
    /// Fails when the database cannot be read or a record is malformed.
    pub fn resend_outbox(&self, limit: usize) -> Result<Vec<RecordRow>, VaultError> {
        let bounds: Option<(Option<i64>, i64)> = self
            .store
            .connection()
            .query_row(
                "SELECT resend_after, acked_seq FROM sync_binding WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((Some(after), acked)) = bounds else {
            return Ok(Vec::new());
        };
        let after = u64::try_from(after).unwrap_or(0);
        let acked = u64::try_from(acked).unwrap_or(0);
        let mut rows =
            records::own_records_after(self.store.connection(), &self.ident.device, after, limit)?;
        rows.retain(|r| r.seq <= acked);
        Ok(rows)
    }

    /// The restored server now holds this device's log through `stored_through`.
    ///
    /// Fails when the write fails.
    pub fn resent_through(&mut self, stored_through: u64) -> Result<(), VaultError> {
        self.store.connection().execute(
            "UPDATE sync_binding SET resend_after = CASE WHEN ?1 >= acked_seq THEN NULL
                 ELSE MAX(resend_after, ?1) END
             WHERE id = 1 AND resend_after IS NOT NULL",
            [i64::try_from(stored_through).unwrap_or(i64::MAX)],
        )?;
        Ok(())
    }

    /// Saves sync bookkeeping: the outcome of an attempt (`error` None: success).
    ///
    /// Fails when the write fails.
    pub fn record_sync_attempt(&mut self, error: Option<&str>) -> Result<(), VaultError> {
        let now = Utc::now().timestamp();
        match error {
            None => self.store.connection().execute(
                "UPDATE sync_binding SET last_attempt = ?1, last_success = ?1, last_error = NULL
                 WHERE id = 1",
                [now],
            )?,
            Some(e) => self.store.connection().execute(
                "UPDATE sync_binding SET last_attempt = ?1, last_error = ?2 WHERE id = 1",
                params![now, e],
            )?,
        };
        Ok(())
    }

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

    /// Re-seals every unacknowledged record of this device that is not under `epoch` (made
    /// before the device had the team's current key). Returns how many were rewritten.
    ///
    /// Fails when locked, the key of `epoch` is missing, or the write fails (nothing changed).
    pub fn reseal_outbox(&mut self, epoch: u32) -> Result<u64, VaultError> {
        self.rewrite_outbox(|r| (r.epoch != epoch).then_some((epoch, r.hlc)))
    }

    /// Re-stamps every unacknowledged record of this device so the newest is at `newest`
    /// (used when the server shows this device's clock to be far ahead), keeping their order,
    /// then rebuilds the tables. Returns how many were rewritten.
    ///
    /// Fails when locked or the write fails (nothing changed).
    pub fn restamp_outbox(&mut self, newest: Hlc) -> Result<u64, VaultError> {
        let pending = self.outbox(usize::MAX)?;
        let count = pending.len() as u64;
        let first = Hlc(newest.0.saturating_sub(count));
        let floor = self.max_hlc_of_others()?;
        let base = first.max(floor);
        let mut i = 0u64;
        let n = self.rewrite_outbox(|r| {
            i += 1;
            Some((r.epoch, Hlc(base.0 + i)))
        })?;
        if let Some(u) = self.unlocked.as_mut() {
            u.clock = HlcClock::starting_after(Hlc(base.0 + i));
        }
        self.rebuild()?;
        Ok(n)
    }

    fn max_hlc_of_others(&self) -> Result<Hlc, VaultError> {
        let acked = self.binding()?.map_or(0, |b| b.acked_seq);
        let v: Option<i64> = self.store.connection().query_row(
            "SELECT MAX(hlc) FROM record_log WHERE device_id != ?1 OR seq <= ?2",
            params![
                &self.ident.device.0[..],
                i64::try_from(acked).unwrap_or(i64::MAX)
            ],
            |r| r.get(0),
        )?;
        Ok(v.map(Hlc::from_i64).unwrap_or_default())
    }

    fn rewrite_outbox(
        &mut self,
        mut change: impl FnMut(&RecordRow) -> Option<(u32, Hlc)>,
    ) -> Result<u64, VaultError> {
        let pending = self.outbox(usize::MAX)?;
        self.ensure_unlocked()?;
        let Vault {
            store,
            ident,
            unlocked,
            ..
        } = self;
        let ident: &Identity = ident;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let tx = store.connection_mut().transaction()?;
        let mut n = 0;
        for r in pending {
            let Some((epoch, hlc)) = change(&r) else {
                continue;
            };
            let plain = keys::open_record(&tx, ident, u, &r)?;
            let mut next = r.clone();
            next.epoch = epoch;
            next.hlc = hlc;
            keys::seal_and_sign(&tx, ident, u, &mut next, &plain)?;
            records::replace_unacknowledged(&tx, &next)?;
            if hlc != r.hlc {
                tx.execute(
                    "UPDATE entity_fields SET hlc = ?3 WHERE device_id = ?1 AND seq = ?2",
                    params![
                        &r.device.0[..],
                        i64::try_from(r.seq).unwrap_or(i64::MAX),
                        hlc.to_i64()
                    ],
                )?;
            }
            n += 1;
        }
        tx.commit()?;
        Ok(n)
    }

    /// The highest sequence of `device`'s log this device has (0: none).
    ///
    /// Fails when the database cannot be read.
    pub fn highest_seq_of(&self, device: DeviceId) -> Result<u64, VaultError> {
        Ok(records::next_seq(self.store.connection(), &device)? - 1)
    }

    /// Sets the correction added to this device's wall clock (persisted when joined).
    ///
    /// Fails when the write fails.
    pub fn set_clock_offset_ms(&mut self, offset_ms: i64) -> Result<(), VaultError> {
        self.clock_offset_ms = offset_ms;
        if let Some(u) = self.unlocked.as_mut() {
            u.clock.set_offset_ms(offset_ms);
        }
        self.store.connection().execute(
            "UPDATE sync_binding SET clock_offset_ms = ?1 WHERE id = 1",
            [offset_ms],
        )?;
        Ok(())
    }

    /// Changes the address of the server this vault syncs with (see
    /// [`crate::sync::join::move_server`], which checks it first).
    ///
    /// Fails when not joined or the database cannot be written.
    pub(crate) fn set_server_url(&mut self, url: &str) -> Result<(), VaultError> {
        let changed = self.store.connection().execute(
            "UPDATE sync_binding SET server_url = ?1 WHERE id = 1",
            [url],
        )?;
        if changed == 0 {
            return Err(VaultError::NotJoined);
        }
        Ok(())
    }

    /// Replaces this device's token (a server restored from a backup issued a new one to the
    /// same device, [`crate::sync::join::reconnect`]); sealed at rest like the first. Records,
    /// cursors and keys stay.
    ///
    /// Fails when locked, not joined or the write fails.
    pub(crate) fn replace_sync_token(&mut self, token: &str) -> Result<(), VaultError> {
        self.ensure_unlocked()?;
        let u = self.unlocked.as_ref().ok_or(VaultError::Locked)?;
        let sealed = crypto::seal_bytes_to(
            &PublicKey::from(&u.x25519),
            &token_context(&self.ident),
            token.as_bytes(),
        );
        let changed = self.store.connection().execute(
            "UPDATE sync_binding SET token_sealed = ?1, last_error = NULL WHERE id = 1",
            [sealed],
        )?;
        if changed == 0 {
            return Err(VaultError::NotJoined);
        }
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

    pub(super) fn authors(&self) -> Result<Authors, VaultError> {
        Ok(self.authors_in(self.roster()?.as_ref()))
    }

    /// The roster's authors plus this device.
    fn authors_in(&self, roster: Option<&Roster>) -> Authors {
        let mut authors = roster.map(Roster::authors).unwrap_or_default();
        if let Ok(key) = VerifyingKey::from_bytes(&self.ident.ed25519_public) {
            authors.insert(self.ident.device, (key, None));
        }
        authors
    }

    /// Receives one pulled page: each record is checked (known, unrevoked author; valid
    /// signature; next in its device's sequence; opens with the team's keys) and applied, or
    /// held with the reason; then the pull cursor moves to `next_cursor`, all in one
    /// transaction. Earlier held records are retried first.
    ///
    /// Fails when locked or the write fails (then nothing changed, the cursor included).
    pub fn receive_page(
        &mut self,
        page: &[Record],
        next_cursor: u64,
    ) -> Result<ReceiveReport, VaultError> {
        self.ensure_unlocked()?;
        // One roster read (and signature check) for both: the keys and who signs for whom.
        let roster = self.roster()?;
        let authors = self.authors_in(roster.as_ref());
        // Own records are never checked (they come back as `Own`), so no role is needed here.
        let signers = super::receive_rules::signers(
            roster.as_ref(),
            (self.ident.device, self.ident.member),
            None,
        );
        let Vault {
            store,
            ident,
            unlocked,
            ..
        } = self;
        let ident: &Identity = ident;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let tx = store.connection_mut().transaction()?;
        let mut report = ReceiveReport::default();
        let mut touched_clients = Vec::new();
        // Held records first (in device order), then the page.
        let held: Vec<Vec<u8>> = tx
            .prepare("SELECT record FROM sync_held ORDER BY device, seq")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        tx.execute("DELETE FROM sync_held", [])?;
        let mut queue: Vec<Record> = Vec::with_capacity(held.len() + page.len());
        for bytes in held {
            if let Ok(p) = PushPage::decode(&bytes) {
                queue.extend(p.records);
            }
        }
        queue.extend(page.iter().cloned());
        let parsed: Vec<_> = queue.iter().map(RecordRow::from_wire).collect();
        let signed = verify_signatures(&ident.team, &authors, &parsed);
        for ((w, row), signature_ok) in queue.iter().zip(parsed).zip(signed) {
            tx.execute_batch("SAVEPOINT receive_one")?;
            let checks = Checks {
                authors: &authors,
                signers: &signers,
            };
            let outcome = receive_one(&tx, ident, u, &checks, w, row, signature_ok)?;
            if outcome.is_err() {
                tx.execute_batch("ROLLBACK TO receive_one")?;
            }
            tx.execute_batch("RELEASE receive_one")?;
            match outcome {
                Ok(Received::Applied(row)) => {
                    report.applied += 1;
                    u.clock.observe(row.hlc);
                    if row.kind == RecordKind::Client {
                        touched_clients.push(row.client);
                    }
                }
                Ok(Received::Own) => report.own += 1,
                Ok(Received::Duplicate) => report.duplicates += 1,
                Ok(Received::Equivocation(detail)) => {
                    tx.execute(
                        "INSERT INTO security_alarm (kind, device, seq, detail, record, first_seen)
                         VALUES ('equivocation', ?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
                        params![
                            w.device_id,
                            i64::try_from(w.device_seq).unwrap_or(i64::MAX),
                            detail,
                            PushPage {
                                records: vec![w.clone()],
                            }
                            .encode(),
                            chrono::Utc::now().timestamp()
                        ],
                    )?;
                    report
                        .alarms
                        .push(format!("record {}/{}: {detail}", w.device_id, w.device_seq));
                }
                Err(why) => {
                    let row = RecordRow::from_wire(w).ok();
                    let bytes = row.as_ref().and_then(wire_bytes).unwrap_or_else(|| {
                        PushPage {
                            records: vec![w.clone()],
                        }
                        .encode()
                    });
                    tx.execute(
                        "INSERT INTO sync_held (device, seq, reason, record) VALUES (?1, ?2, ?3, ?4)
                         ON CONFLICT DO NOTHING",
                        params![
                            w.device_id,
                            i64::try_from(w.device_seq).unwrap_or(i64::MAX),
                            why,
                            bytes
                        ],
                    )?;
                    report
                        .held
                        .push(format!("record {}/{}: {why}", w.device_id, w.device_seq));
                }
            }
        }
        tx.execute(
            "UPDATE sync_binding SET pull_cursor = MAX(pull_cursor, ?1) WHERE id = 1",
            [i64::try_from(next_cursor).unwrap_or(i64::MAX)],
        )?;
        tx.commit()?;
        if report.applied > 0 {
            u.facets = None;
        }
        for c in touched_clients {
            if let Ok(client) = self.quiet_reader().and_then(|mut r| r.client(c)) {
                if let Some(u) = self.unlocked.as_mut() {
                    u.index.upsert(
                        c,
                        &client.profile.code,
                        &client.profile.name,
                        &client.profile.nickname,
                    );
                }
            }
        }
        Ok(report)
    }

    /// How many security alarms this device has raised (what the sync status shows).
    ///
    /// Fails when the database cannot be read.
    pub fn security_alarm_count(&self) -> Result<u64, VaultError> {
        let n: i64 =
            self.store
                .connection()
                .query_row("SELECT COUNT(*) FROM security_alarm", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Security alarms raised on this device, oldest first.
    ///
    /// Fails when the database cannot be read.
    pub fn security_alarms(&self) -> Result<Vec<SecurityAlarm>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare(
                "SELECT kind, device, seq, detail, first_seen FROM security_alarm ORDER BY id",
            )?
            .query_map([], |r| {
                Ok(SecurityAlarm {
                    kind: r.get(0)?,
                    device: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    seq: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                    detail: r.get(3)?,
                    first_seen: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?)
    }

    /// Records received but not applied, with the reason.
    ///
    /// Fails when the database cannot be read.
    pub fn held_records(&self) -> Result<Vec<String>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare("SELECT device, seq, reason FROM sync_held ORDER BY device, seq")?
            .query_map([], |r| {
                Ok(format!(
                    "record {}/{}: {}",
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?
                ))
            })?
            .collect::<Result<_, _>>()?)
    }
}

/// Stores the binding with the token sealed to the member's key (inside the caller's
/// transaction).
pub(super) fn insert_binding(
    conn: &Connection,
    ident: &Identity,
    x25519: &StaticSecret,
    binding: &Binding,
    token: &str,
) -> Result<(), VaultError> {
    let sealed_token = crypto::seal_bytes_to(
        &PublicKey::from(x25519),
        &token_context(ident),
        token.as_bytes(),
    );
    conn.execute(
        "INSERT INTO sync_binding (id, server_url, username, team, member, device, role,
             token_sealed) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            binding.server_url,
            binding.username,
            binding.team,
            binding.member,
            binding.device,
            binding.role.as_str(),
            sealed_token
        ],
    )?;
    Ok(())
}

enum Received {
    Applied(RecordRow),
    Own,
    Duplicate,
    /// A validly signed record that differs from the one already applied under its sequence.
    Equivocation(String),
}

/// Checks every record's signature against its author, on two threads (Ed25519 verification
/// is a large part of applying a page).
fn verify_signatures(
    team: &TeamId,
    authors: &Authors,
    rows: &[Result<RecordRow, crate::records::RecordError>],
) -> Vec<bool> {
    let check = |r: &Result<RecordRow, _>| {
        r.as_ref().is_ok_and(|r| {
            authors
                .get(&r.device)
                .is_some_and(|(key, _)| records::verify(team, key, r).is_ok())
        })
    };
    if rows.len() < 64 {
        return rows.iter().map(check).collect();
    }
    let (a, b) = rows.split_at(rows.len() / 2);
    std::thread::scope(|s| {
        let first = s.spawn(|| a.iter().map(check).collect::<Vec<_>>());
        let mut second: Vec<bool> = b.iter().map(check).collect();
        let mut out = first.join().unwrap_or_else(|_| vec![false; a.len()]);
        out.append(&mut second);
        out
    })
}

/// What a received record is checked against: the roster's keys and who signs for whom.
struct Checks<'a> {
    authors: &'a Authors,
    signers: &'a super::receive_rules::Signers,
}

/// Checks and applies one received record. The outer error is a database failure (fails
/// the page); the inner one the reason to hold the record.
fn receive_one(
    tx: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    checks: &Checks<'_>,
    w: &Record,
    row: Result<RecordRow, crate::records::RecordError>,
    signature_ok: bool,
) -> Result<Result<Received, String>, VaultError> {
    let row = match row {
        Ok(r) => r,
        Err(e) => return Ok(Err(e.to_string())),
    };
    if row.device == ident.device {
        return Ok(Ok(Received::Own));
    }
    let blocked: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sync_held WHERE device = ?1 AND seq < ?2)",
        params![w.device_id, i64::try_from(w.device_seq).unwrap_or(i64::MAX)],
        |r| r.get(0),
    )?;
    if blocked {
        return Ok(Err("an earlier record of this device is held".into()));
    }
    let Some((key, through)) = checks.authors.get(&row.device) else {
        return Ok(Err(
            "the author device is not in the team roster (yet)".into()
        ));
    };
    if through.is_some_and(|t| row.seq > t) {
        return Ok(Err(
            "the author device was revoked before this record".into()
        ));
    }
    if !signature_ok {
        return Ok(Err(records::verify(&ident.team, key, &row)
            .map_or_else(|e| e.to_string(), |()| "signature".into())));
    }
    let last = records::last_of(tx, &row.device)?;
    let next = last.map_or(1, |(seq, _)| seq + 1);
    if row.seq < next {
        // Judged by content, not by sequence alone: the author signed something else under a
        // sequence this device already applied. The first one stays; the other is evidence.
        // Equal signatures are the common case (a page received twice): no need to compare more.
        let stored = records::get(tx, &row.device, row.seq).map_err(VaultError::from)?;
        if stored.is_some_and(|s| {
            s.signature != row.signature
                && records::signing_bytes(&ident.team, &s)
                    != records::signing_bytes(&ident.team, &row)
        }) {
            return Ok(Ok(Received::Equivocation(
                "the author device signed a different record under a sequence already applied \
                 (equivocation); the first one stays"
                    .into(),
            )));
        }
        return Ok(Ok(Received::Duplicate));
    }
    if row.seq > next {
        return Ok(Err(format!(
            "a gap: record {next} of this device has not arrived"
        )));
    }
    // A device's clock only moves forward along its log (it restarts after the newest record
    // it holds), so a record stamped before its predecessor is backdated on purpose, e.g. to
    // win over an earlier finalisation.
    if last.is_some_and(|(_, hlc)| row.hlc <= hlc) {
        return Ok(Err(
            "refused: it is stamped before the previous record of its device (backdated)".into(),
        ));
    }
    let plain = match keys::open_record(tx, ident, u, &row) {
        Ok(p) => p,
        Err(OpenError::MissingKey(why)) => return Ok(Err(why)),
        Err(OpenError::Vault(VaultError::Integrity { record })) => {
            return Ok(Err(format!("damaged or forged ({record})")))
        }
        Err(OpenError::Vault(e)) => return Err(e),
    };
    let author_key = key.to_bytes();
    if let Some(why) = super::receive_rules::refusal(tx, checks.signers, &row, &plain, &author_key)?
    {
        return Ok(Err(format!("refused: {why}")));
    }
    records::insert(tx, &row)?;
    match keys::apply_plain(tx, ident, u, &row, &plain, &author_key) {
        Ok(()) => {
            // A forged or damaged copy of this record held earlier is obsolete now.
            tx.execute(
                "DELETE FROM sync_held WHERE device = ?1 AND seq = ?2",
                params![w.device_id, i64::try_from(w.device_seq).unwrap_or(i64::MAX)],
            )?;
            Ok(Ok(Received::Applied(row)))
        }
        Err(OpenError::MissingKey(why)) => Ok(Err(why)),
        Err(OpenError::Vault(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::KdfParams;
    use crate::domain::ClientProfile;
    use crate::domain::NoteDraft;
    use crate::store::LocalStore;

    fn vault(dir: &std::path::Path) -> Vault {
        let store = LocalStore::open(&dir.join("t.sqlite3")).expect("store");
        Vault::create_with_params(
            store,
            "uji segel rekaman",
            KdfParams::insecure_fast_for_tests(),
        )
        .expect("vault")
    }

    #[test]
    fn a_payload_moved_into_another_validly_signed_record_does_not_open() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut v = vault(tmp.path());
        let c = v
            .add_client(&ClientProfile {
                code: "M-1".into(),
                name: "Klien Pindah".into(),
                ..ClientProfile::default()
            })
            .expect("client");
        let draft = |t: &str| NoteDraft {
            narrative: t.into(),
            ..NoteDraft::default()
        };
        v.add_note(c, &draft("catatan A")).expect("note a");
        v.add_note(c, &draft("catatan B")).expect("note b");
        let rows = v.outbox_after(0).expect("log");
        let (a, b) = (&rows[2], &rows[3]);
        // A member with a valid signing key builds a record for note B carrying note A's
        // sealed payload: the signature verifies, but the payload is bound to A's header.
        let mut forged = b.clone();
        forged.payload = a.payload.clone();
        let u = v.unlocked.as_mut().expect("unlocked");
        records::sign(&v.ident.team, &u.signing, &mut forged);
        let key = VerifyingKey::from_bytes(&v.ident.ed25519_public).expect("key");
        records::verify(&v.ident.team, &key, &forged).expect("the forger's signature is valid");
        let opened = keys::open_record(v.store.connection(), &v.ident, u, &forged);
        assert!(
            matches!(opened, Err(OpenError::Vault(VaultError::Integrity { .. }))),
            "a moved payload must fail authentication"
        );
        assert!(keys::open_record(v.store.connection(), &v.ident, u, b).is_ok());
    }
}
