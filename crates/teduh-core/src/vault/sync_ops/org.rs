//! The organisation root key on an administrator's device ([`crate::team::org`]): made here (or
//! restored from its recovery sheet), kept sealed to this device's own X25519 key, and the
//! key-manager grants she decided. And the organisation settings every device holds
//! ([`crate::team::settings`]), signed here by that key.

use ed25519_dalek::SigningKey;
use rusqlite::{params, OptionalExtension as _};
use teduh_protocol::sync::Role;
use x25519_dalek::PublicKey;
use zeroize::Zeroizing;

use crate::crypto;
use crate::team::org;
use crate::team::settings::{OrgSettings, Zone};
use crate::vault::error::VaultError;
use crate::vault::Vault;

const CONTEXT: &[u8] = b"teduh/org-key-at-rest/v1";

/// What the administrator prints and keeps: the recovery sheet's code and the key's
/// fingerprint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgKeySheet {
    /// The code that restores the key (`TEDUH-ORG1-...`); whoever reads it holds the key.
    pub recovery_code: Zeroizing<String>,
    /// The first 16 hex digits of the public half, to compare on every device.
    pub fingerprint: String,
}

impl Vault {
    /// Makes the organisation root key on this administrator's device. The roster her device
    /// signs next names it and grants her role; from then on a key manager of that team is one
    /// the organisation key granted.
    ///
    /// Fails with [`VaultError::NotJoined`], [`VaultError::NotPermitted`] (not an admin),
    /// [`VaultError::InvalidInput`] (this device already holds one), or
    /// [`VaultError::Locked`].
    pub fn init_org_key(&mut self) -> Result<OrgKeySheet, VaultError> {
        let key = SigningKey::from_bytes(&crypto::random_bytes::<32>());
        self.keep_org_key(&key)?;
        Ok(OrgKeySheet {
            recovery_code: org::recovery_code(&key),
            fingerprint: org::fingerprint(&org::public_hex(&key)),
        })
    }

    /// Restores the organisation key on this administrator's device from its recovery sheet.
    /// Returns its fingerprint.
    ///
    /// Fails like [`Vault::init_org_key`], or with [`VaultError::InvalidInput`] when the code is
    /// not a recovery code or has a typing mistake.
    pub fn restore_org_key(&mut self, recovery_code: &str) -> Result<String, VaultError> {
        let key = org::from_recovery_code(recovery_code).ok_or_else(|| {
            VaultError::InvalidInput(
                "not an organisation recovery code, or a character was mistyped".into(),
            )
        })?;
        self.keep_org_key(&key)?;
        Ok(org::fingerprint(&org::public_hex(&key)))
    }

    fn keep_org_key(&mut self, key: &SigningKey) -> Result<(), VaultError> {
        self.binding()?.ok_or(VaultError::NotJoined)?;
        if self.my_role()? != Some(Role::Admin) {
            return Err(VaultError::NotPermitted(
                "only an administrator's device keeps the organisation key".into(),
            ));
        }
        if self.org_key_public()?.is_some() {
            return Err(VaultError::InvalidInput(
                "this device already holds the organisation key".into(),
            ));
        }
        self.touch()?;
        let sealed = crypto::seal_bytes_to(
            &PublicKey::from(self.ident.x25519_public),
            CONTEXT,
            &key.to_bytes(),
        );
        self.store.connection().execute(
            "INSERT INTO org_key (id, public_key, sealed, created_at) VALUES (1, ?1, ?2, ?3)",
            params![org::public_hex(key), sealed, chrono::Utc::now().timestamp()],
        )?;
        Ok(())
    }

    /// The public half of the organisation key this device holds, hex.
    ///
    /// Fails when the database cannot be read.
    pub fn org_key_public(&self) -> Result<Option<String>, VaultError> {
        Ok(self
            .store
            .connection()
            .query_row("SELECT public_key FROM org_key WHERE id = 1", [], |r| {
                r.get(0)
            })
            .optional()?)
    }

    /// The recovery sheet of the organisation key this device holds (to print it again).
    ///
    /// Fails with [`VaultError::NotFound`] (no key here), [`VaultError::Locked`], or an
    /// integrity error.
    pub fn org_recovery_sheet(&mut self) -> Result<OrgKeySheet, VaultError> {
        self.touch()?;
        let key = self
            .org_signing_key()?
            .ok_or_else(|| VaultError::NotFound {
                what: "organisation key on this device",
                id: String::new(),
            })?;
        Ok(OrgKeySheet {
            recovery_code: org::recovery_code(&key),
            fingerprint: org::fingerprint(&org::public_hex(&key)),
        })
    }

    /// The organisation key this device holds, opened.
    ///
    /// Fails when locked, or when the stored key does not open.
    pub(crate) fn org_signing_key(&self) -> Result<Option<SigningKey>, VaultError> {
        let sealed: Option<Vec<u8>> = self
            .store
            .connection()
            .query_row("SELECT sealed FROM org_key WHERE id = 1", [], |r| r.get(0))
            .optional()?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let opened = self
            .with_x25519(|x| crypto::open_sealed_bytes(x, CONTEXT, &sealed))
            .ok_or(VaultError::Locked)?
            .map_err(|_| VaultError::Integrity {
                record: "the organisation key".into(),
            })?;
        let secret: [u8; 32] = opened[..].try_into().map_err(|_| VaultError::Integrity {
            record: "the organisation key".into(),
        })?;
        Ok(Some(SigningKey::from_bytes(&secret)))
    }

    /// Grants `username` (a supervisor or admin of the roster this device holds) her
    /// key-manager role under the organisation key, as this administrator decides: the roster
    /// her device signs next carries the grant.
    ///
    /// Fails with [`VaultError::NotPermitted`] (this device holds no organisation key, or the
    /// organisation removed her role) or [`VaultError::NotFound`] (no such supervisor or admin
    /// in the roster).
    pub fn grant_key_manager(&mut self, username: &str) -> Result<(), VaultError> {
        if self.org_key_public()?.is_none() {
            return Err(VaultError::NotPermitted(
                "only the device holding the organisation key grants a key-manager role".into(),
            ));
        }
        let roster = self.roster()?.ok_or(VaultError::NotJoined)?;
        let m = roster
            .members
            .iter()
            .find(|m| m.username == username && !m.removed && m.role.manages_keys())
            .ok_or_else(|| VaultError::NotFound {
                what: "supervisor or admin of the team named",
                id: username.to_owned(),
            })?;
        if roster.role_removed(m) {
            return Err(VaultError::NotPermitted(format!(
                "the organisation removed {username}'s role; invite a new account instead"
            )));
        }
        self.store.connection().execute(
            "INSERT INTO org_grant_decision (member, decided_at) VALUES (?1, ?2)
             ON CONFLICT (member) DO NOTHING",
            params![
                i64::try_from(m.member).unwrap_or(i64::MAX),
                chrono::Utc::now().timestamp()
            ],
        )?;
        Ok(())
    }

    /// The members this administrator decided to grant a key-manager role.
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn org_grant_decisions(&self) -> Result<Vec<u64>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare("SELECT member FROM org_grant_decision")?
            .query_map([], |r| r.get::<_, i64>(0))?
            .map(|r| r.map(|v| u64::try_from(v).unwrap_or(0)))
            .collect::<Result<_, _>>()?)
    }
}

impl Vault {
    /// The organisation settings this device holds (verified when they arrived), if any.
    ///
    /// Fails when the database cannot be read.
    pub fn org_settings(&self) -> Result<Option<OrgSettings>, VaultError> {
        Ok(self
            .held_org_settings()?
            .and_then(|(_, signed)| OrgSettings::read_stored(&signed)))
    }

    /// The time zone of this device's team, as the organisation settings set it (WIB when
    /// none do).
    ///
    /// Fails when the database cannot be read.
    pub fn team_zone(&self) -> Result<Zone, VaultError> {
        self.team_zone_in(self.org_settings()?.as_ref())
    }

    /// [`Vault::team_zone`] from settings already read.
    pub(in crate::vault) fn team_zone_in(
        &self,
        settings: Option<&OrgSettings>,
    ) -> Result<Zone, VaultError> {
        let team = self.binding()?.map(|b| b.team);
        Ok(match (settings, team) {
            (Some(s), Some(team)) => s.zone_of(team),
            _ => Zone::Wib,
        })
    }

    /// The calendar day at `now` in this team's zone: what "today" and "overdue" mean on Home,
    /// the dashboard and the contact figures, whatever zone the computer's clock is set to (a
    /// laptop left on UTC would otherwise start "today" at 07.00 WIB).
    ///
    /// Fails when the database cannot be read.
    pub fn today(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<chrono::NaiveDate, VaultError> {
        Ok(now.with_timezone(&self.team_zone()?.offset()).date_naive())
    }

    /// Signs `settings` with the organisation key this administrator's device holds, as the
    /// next version, and keeps it: her next sync sends it to the server, and every device
    /// verifies it against the key its roster names. Returns what was signed.
    ///
    /// Fails with [`VaultError::NotPermitted`] (no organisation key here),
    /// [`VaultError::InvalidInput`] (a rule of [`OrgSettings::check`] broken), or
    /// [`VaultError::Locked`].
    pub fn save_org_settings(&mut self, settings: OrgSettings) -> Result<OrgSettings, VaultError> {
        self.touch()?;
        let key = self.org_signing_key()?.ok_or_else(|| {
            VaultError::NotPermitted(
                "only the device holding the organisation key signs its settings".into(),
            )
        })?;
        let mut next = settings;
        next.name = next.name.trim().to_owned();
        next.version = self.held_org_settings()?.map_or(0, |(v, _)| v) + 1;
        next.check()
            .map_err(|e| VaultError::InvalidInput(e.to_string()))?;
        self.keep_org_settings(next.version, &next.sign(&key))?;
        Ok(next)
    }

    /// The first settings record, on the device holding the organisation key, when neither it
    /// nor the server has one: the organisation's name as the server's operator set it.
    ///
    /// Fails when locked or the database cannot be written.
    pub(crate) fn first_org_settings(&mut self, server_name: &str) -> Result<(), VaultError> {
        if self.held_org_settings()?.is_some() {
            return Ok(());
        }
        let name = if server_name.trim().is_empty() {
            "Organisasi"
        } else {
            server_name
        };
        self.save_org_settings(OrgSettings::initial(name))?;
        Ok(())
    }

    /// The version and signed bytes of the settings this device holds.
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn held_org_settings(&self) -> Result<Option<(u64, Vec<u8>)>, VaultError> {
        Ok(self
            .store
            .connection()
            .query_row(
                "SELECT version, signed FROM org_settings WHERE id = 1",
                [],
                |r| Ok((u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0), r.get(1)?)),
            )
            .optional()?)
    }

    /// Keeps a verified settings record when it is newer than the one held.
    ///
    /// Fails when the database cannot be written.
    pub(crate) fn keep_org_settings(&self, version: u64, signed: &[u8]) -> Result<(), VaultError> {
        self.store.connection().execute(
            "INSERT INTO org_settings (id, version, signed, stored_at) VALUES (1, ?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET version = ?1, signed = ?2, stored_at = ?3
             WHERE excluded.version > org_settings.version",
            params![
                i64::try_from(version).unwrap_or(i64::MAX),
                signed,
                chrono::Utc::now().timestamp()
            ],
        )?;
        Ok(())
    }
}

impl Vault {
    /// Runs `sign` with the organisation key this administrator's device holds: what it signs
    /// is the organisation's word (a directory bundle devices then trust).
    ///
    /// Fails with [`VaultError::NotPermitted`] (no organisation key here) or
    /// [`VaultError::Locked`].
    pub fn with_org_key<T>(
        &mut self,
        sign: impl FnOnce(&SigningKey) -> T,
    ) -> Result<T, VaultError> {
        self.touch()?;
        let key = self.org_signing_key()?.ok_or_else(|| {
            VaultError::NotPermitted("this device does not hold the organisation key".into())
        })?;
        Ok(sign(&key))
    }
}
