//! The binding to a server identity: which server, team, member and device this vault is,
//! its sealed device tokens ([`SyncCredentials`]), taking over the server's numbers when a device joins, and the sync
//! status kept in the same row (last attempt, clock offset).

use chrono::Utc;
use rusqlite::{params, Connection, OptionalExtension};
use teduh_protocol::sync::Role;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::crypto::{self};
use crate::ids::{DeviceId, MemberId, TeamId};
use crate::records::{self};
use crate::team::Binding;
use crate::vault::error::VaultError;
use crate::vault::identity::{derive_kek, open_secrets, wrap_secrets, Identity};
use crate::vault::keys::{self};
use crate::vault::Vault;

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

/// What this device authenticates to the server with, sealed at rest to the member's key: the
/// access token every request carries and when to renew it by this computer's clock, and the
/// refresh chain that renews it without the passphrase (`POST /v1/token`;
/// `teduh_protocol::sync::refresh`). [`crate::sync::credentials`] renews them.
pub struct SyncCredentials {
    /// The access (bearer) token.
    pub access: Zeroizing<String>,
    /// Unix seconds, this computer's clock, from which the access token is renewed before a
    /// request: some minutes before it expires (0: renew first).
    pub renew_at: i64,
    /// The refresh chain; `None` in a vault that joined before tokens rotated.
    pub chain: Option<RefreshChain>,
    /// The single long-lived token of a vault that joined before tokens rotated, until the
    /// server has taken the chain that replaces it.
    pub bootstrap: Option<Zeroizing<String>>,
}

/// This device's refresh chain: its seed (the server holds only `H^N(seed)` and the tokens
/// already spent) and how many of its tokens were spent.
pub struct RefreshChain {
    /// The chain's secret seed.
    pub seed: Zeroizing<[u8; 32]>,
    /// Tokens spent (or sent, for all this device knows): the next is number `used + 1`.
    pub used: u32,
}

impl std::fmt::Debug for SyncCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncCredentials")
            .field("renew_at", &self.renew_at)
            .field("used", &self.chain.as_ref().map(|c| c.used))
            .finish_non_exhaustive()
    }
}

/// The first line of sealed credentials; a vault that joined before tokens rotated holds one
/// bare token instead.
const CREDENTIALS_V2: &str = "teduh-tokens/2";

impl SyncCredentials {
    /// The single long-lived token of a server, or a vault, from before rotating tokens: it
    /// starts a chain at the first renewal.
    pub fn single(token: &str) -> Self {
        Self {
            access: Zeroizing::new(token.to_owned()),
            renew_at: 0,
            chain: None,
            bootstrap: Some(Zeroizing::new(token.to_owned())),
        }
    }

    fn encode(&self) -> Zeroizing<Vec<u8>> {
        use teduh_protocol::sync::refresh::to_hex;
        let (seed, used) = match &self.chain {
            Some(c) => (Zeroizing::new(to_hex(&c.seed)), c.used),
            None => (Zeroizing::new("-".to_owned()), 0),
        };
        let bootstrap = self.bootstrap.as_ref().map_or("-", |b| b.as_str());
        Zeroizing::new(
            format!(
                "{CREDENTIALS_V2}\n{}\n{}\n{}\n{used}\n{bootstrap}",
                *self.access, self.renew_at, *seed
            )
            .into_bytes(),
        )
    }

    fn decode(plain: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(plain).ok()?;
        let mut lines = text.split('\n');
        let first = lines.next()?;
        if first != CREDENTIALS_V2 {
            return (!first.is_empty() && lines.next().is_none()).then(|| Self::single(first));
        }
        let access = lines.next()?;
        let renew_at = lines.next()?.parse().ok()?;
        let seed = lines.next()?;
        let used = lines.next()?.parse().ok()?;
        let bootstrap = lines.next()?;
        let chain = match seed {
            "-" => None,
            hex => Some(RefreshChain {
                seed: Zeroizing::new(teduh_protocol::sync::refresh::from_hex(hex)?),
                used,
            }),
        };
        Some(Self {
            access: Zeroizing::new(access.to_owned()),
            renew_at,
            chain,
            bootstrap: (bootstrap != "-").then(|| Zeroizing::new(bootstrap.to_owned())),
        })
    }
}

/// How far this device's clock may drift from the server's before it follows the server's
/// (the server's `Date` header has whole seconds, and a round trip takes a few more).
pub const CLOCK_TOLERANCE_MS: i64 = 60_000;

/// The largest correction the server's clock may make this device adopt (a clock set in the
/// wrong Indonesian or UTC zone is off by at most 14 hours).
pub const MAX_CORRECTION_MS: i64 = 14 * 3600 * 1000;

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

    /// The device's tokens (sealed at rest to the member's key). The access token may have
    /// expired: [`crate::sync::credentials::access_token`] renews it.
    ///
    /// Fails when locked, not joined, or the sealed tokens are damaged.
    pub fn sync_credentials(&mut self) -> Result<SyncCredentials, VaultError> {
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
        let damaged = || VaultError::Integrity {
            record: "the sync token".into(),
        };
        let pt = crypto::open_sealed_bytes(&u.x25519, &token_context(&self.ident), &sealed)
            .map_err(|_| damaged())?;
        SyncCredentials::decode(&pt).ok_or_else(damaged)
    }

    /// The device's current access token, as stored (it may have expired; see
    /// [`Vault::sync_credentials`]).
    ///
    /// Fails like [`Vault::sync_credentials`].
    pub fn sync_token(&mut self) -> Result<Zeroizing<String>, VaultError> {
        Ok(self.sync_credentials()?.access)
    }

    /// The lock held while this vault's tokens are renewed (shared by every handle on it in
    /// this process): see [`crate::sync::credentials`].
    pub fn token_renewal_lock(&self) -> std::sync::Arc<std::sync::Mutex<()>> {
        std::sync::Arc::clone(&self.token_renewal)
    }

    /// This device's own public keys (X25519 || Ed25519): what a key manager admits into the
    /// roster, and what the newcomer's safety number is computed from.
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
        credentials: &SyncCredentials,
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
        insert_binding(&tx, &next, &x25519, binding, credentials)?;
        tx.commit()?;
        self.ident = next;
        self.rebuild()?;
        Ok(())
    }

    /// Corrects this device's clock to the server's when they differ by more than
    /// `CLOCK_TOLERANCE_MS`: `server_ms` is the server's time at its answer, `wall_ms` this
    /// computer's clock when the answer came (both Unix milliseconds). Returns whether the
    /// correction changed.
    ///
    /// A lying server gains little: a correction above `MAX_CORRECTION_MS` (a wrong time zone
    /// is at most 14 hours) is not adopted, nor a time earlier than the newest record this
    /// device holds (less the 10 minutes a server tolerates ahead): times only it vouches for
    /// would otherwise push every deadline out of reach, or make everything overdue at once.
    ///
    /// Fails when the database cannot be read or written.
    pub fn follow_server_clock(
        &mut self,
        server_ms: u64,
        wall_ms: u64,
    ) -> Result<bool, VaultError> {
        let server = i64::try_from(server_ms).unwrap_or(i64::MAX);
        let wall = i64::try_from(wall_ms).unwrap_or(i64::MAX);
        let ours = wall.saturating_add(self.clock_offset_ms);
        let correction = server.saturating_sub(wall);
        if (server - ours).abs() <= CLOCK_TOLERANCE_MS || correction.abs() > MAX_CORRECTION_MS {
            return Ok(false);
        }
        let newest = i64::try_from(crate::records::max_hlc(self.store.connection())?.millis())
            .unwrap_or(i64::MAX);
        if server < newest.saturating_sub(15 * 60 * 1000) {
            return Ok(false);
        }
        self.set_clock_offset_ms(correction)?;
        Ok(true)
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

    /// Replaces this device's tokens: renewed ([`crate::sync::credentials`]), or issued anew
    /// to the same device by a server restored from a backup
    /// ([`crate::sync::join::reconnect`]); sealed at rest like the first. Records, cursors and
    /// keys stay.
    ///
    /// Fails when locked, not joined or the write fails.
    pub(crate) fn store_sync_credentials(
        &mut self,
        credentials: &SyncCredentials,
    ) -> Result<(), VaultError> {
        self.ensure_unlocked()?;
        let u = self.unlocked.as_ref().ok_or(VaultError::Locked)?;
        let sealed = crypto::seal_bytes_to(
            &PublicKey::from(&u.x25519),
            &token_context(&self.ident),
            &credentials.encode(),
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
}

/// Stores the binding with the tokens sealed to the member's key (inside the caller's
/// transaction).
fn insert_binding(
    conn: &Connection,
    ident: &Identity,
    x25519: &StaticSecret,
    binding: &Binding,
    credentials: &SyncCredentials,
) -> Result<(), VaultError> {
    let sealed_token = crypto::seal_bytes_to(
        &PublicKey::from(x25519),
        &token_context(ident),
        &credentials.encode(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_survive_sealing_and_a_single_old_token_starts_a_chain() {
        let c = SyncCredentials {
            access: Zeroizing::new("a".repeat(64)),
            renew_at: 1_800_000_000,
            chain: Some(RefreshChain {
                seed: Zeroizing::new([3u8; 32]),
                used: 41,
            }),
            bootstrap: None,
        };
        let back = SyncCredentials::decode(&c.encode()).expect("decodes");
        assert_eq!(*back.access, *c.access);
        assert_eq!(back.renew_at, 1_800_000_000);
        let chain = back.chain.expect("chain");
        assert_eq!((*chain.seed, chain.used), ([3u8; 32], 41));
        assert!(back.bootstrap.is_none());
        let old = SyncCredentials::decode("f".repeat(64).as_bytes()).expect("old form");
        assert!(
            old.chain.is_none() && old.bootstrap.is_some(),
            "it starts a chain"
        );
        assert_eq!(old.renew_at, 0, "at once");
        assert!(SyncCredentials::decode(b"teduh-tokens/2\nonly-access").is_none());
    }
}
