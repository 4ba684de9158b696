//! Invitations made on this key manager's device, and the anchor a device that joined with one
//! keeps ([`crate::team::invitation`]). The key manager's device keeps each invitation's key
//! sealed to its own X25519 key and admits, once, the device whose proof holds under it; the
//! newcomer's device keeps the roster its inviter's device held, the first one it accepts.

use rusqlite::{params, OptionalExtension as _};
use teduh_protocol::sync::Role;
use x25519_dalek::PublicKey;

use super::admission::PendingListing;
use crate::crypto::{self, DataKey};
use crate::ids::KeyId;
use crate::team::invitation::{self, Package, Secret};
use crate::vault::error::VaultError;
use crate::vault::Vault;

/// What the server names the team and the organisation (labels in the package).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvitationLabels {
    /// The team's name.
    pub team_name: String,
    /// The organisation's name.
    pub organisation: String,
}

/// What a new device's invitation proof shows, as this key manager's device checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProofCheck {
    /// It holds under an open invitation of this device: admitted now, with this role.
    Admitted(Role),
    /// It holds under an invitation another device was already admitted with.
    Reused,
    /// It names an invitation of this device but does not hold for the username, role, team or
    /// keys the server lists (or it is malformed).
    Forged,
    /// It names an invitation this device did not make (another key manager's device did):
    /// not this device's to judge.
    NotOurs,
    /// It holds, but the device registered after the invitation expired (as the server says):
    /// it waits for a safety number instead.
    Expired,
}

/// The roster a device that joined with an invitation accepts first, and its inviter's device
/// (where it reports an alarm before it holds a roster).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InvitationAnchor {
    pub roster_version: u64,
    pub roster_hash: String,
    pub inviter_device: u64,
    pub inviter_x25519: String,
}

fn key_context(id: &str) -> Vec<u8> {
    let mut c = b"teduh/invitation-key-at-rest/v1".to_vec();
    c.extend_from_slice(id.as_bytes());
    c
}

impl Vault {
    /// Makes an invitation on this key manager's device for `username` as `role` (and
    /// `level`), valid for [`invitation::MAX_OPEN_SECS`] from `now`: its secret (for the code)
    /// and its package (to seal and hand to the server). The roster this device holds is the
    /// newcomer's trust anchor.
    ///
    /// Fails with [`VaultError::NotJoined`], [`VaultError::NotPermitted`] (not a key manager),
    /// [`VaultError::InvalidInput`] (a username already in the roster, or empty), or
    /// [`VaultError::Locked`].
    pub fn make_invitation(
        &mut self,
        username: &str,
        role: Role,
        level: Option<u8>,
        labels: &InvitationLabels,
        now: i64,
    ) -> Result<(Secret, Package), VaultError> {
        let binding = self.binding()?.ok_or(VaultError::NotJoined)?;
        let roster = self.roster()?.ok_or(VaultError::NotJoined)?;
        let me = roster
            .member(binding.member)
            .filter(|_| roster.key_manager_key(binding.device).is_some())
            .ok_or_else(|| {
                VaultError::NotPermitted(
                    "only a supervisor's or an admin's admitted device makes invitations".into(),
                )
            })?
            .clone();
        let username = username.trim();
        if username.is_empty() || roster.members.iter().any(|m| m.username == username) {
            return Err(VaultError::InvalidInput(format!(
                "{username:?} is empty or already a member of the team"
            )));
        }
        let (inviter_key, inviter_x25519) = roster
            .device(binding.device)
            .map(|d| (d.ed25519.clone(), d.x25519.clone()))
            .unwrap_or_default();
        let package = Package {
            organisation: labels.organisation.clone(),
            team: binding.team,
            team_name: labels.team_name.clone(),
            username: username.to_owned(),
            role,
            level,
            inviter: me.username,
            inviter_role: me.role,
            inviter_device: binding.device,
            inviter_key,
            inviter_x25519,
            roster_version: roster.version,
            roster_hash: roster.anchor_hash(),
            expires_at: now + invitation::MAX_OPEN_SECS,
            org_key: roster.org_key.clone(),
        };
        self.keep_invitation(package, now)
    }

    /// On the administrator's device holding the organisation key: an invitation to another
    /// team, `founded`, whose roster the organisation key signs (its first, naming no one, or
    /// a later one): `founded` is the newcomer's trust anchor, and this device admits her at
    /// its next sync by signing the team's next roster with the organisation key.
    ///
    /// Fails with [`VaultError::NotJoined`], [`VaultError::NotPermitted`] (no organisation key
    /// here, or `founded` names another), [`VaultError::InvalidInput`] (a username already in
    /// `founded`, or empty), or [`VaultError::Locked`].
    pub fn make_founding_invitation(
        &mut self,
        founded: &crate::team::roster::Roster,
        (username, role, level): (&str, Role, Option<u8>),
        labels: &InvitationLabels,
        now: i64,
    ) -> Result<(Secret, Package), VaultError> {
        let binding = self.binding()?.ok_or(VaultError::NotJoined)?;
        let org_key = self.org_key_public()?;
        if org_key.is_none() || founded.org_key != org_key {
            return Err(VaultError::NotPermitted(
                "only the device holding the organisation key the team's roster names invites \
                 to another team"
                    .into(),
            ));
        }
        let username = username.trim();
        if username.is_empty() || founded.members.iter().any(|m| m.username == username) {
            return Err(VaultError::InvalidInput(format!(
                "{username:?} is empty or already a member of the team"
            )));
        }
        let package = Package {
            organisation: labels.organisation.clone(),
            team: founded.team,
            team_name: labels.team_name.clone(),
            username: username.to_owned(),
            role,
            level,
            inviter: binding.username,
            inviter_role: Role::Admin,
            inviter_device: crate::team::roster::ORG_SIGNER,
            inviter_key: org_key.unwrap_or_default(),
            inviter_x25519: crate::ids::hex(&self.ident.x25519_public),
            roster_version: founded.version,
            roster_hash: founded.anchor_hash(),
            expires_at: now + invitation::MAX_OPEN_SECS,
            org_key: founded.org_key.clone(),
        };
        self.keep_invitation(package, now)
    }

    /// Keeps a new invitation's key, sealed to this device, under a fresh secret: the proof a
    /// device joins with is checked against it.
    fn keep_invitation(
        &mut self,
        package: Package,
        now: i64,
    ) -> Result<(Secret, Package), VaultError> {
        let (username, role, level) = (package.username.clone(), package.role, package.level);
        let secret = Secret::random();
        let id = secret.id();
        let key = secret.key();
        let mut plain = key.id.0.to_vec();
        plain.extend_from_slice(key.bytes());
        let sealed = crypto::seal_bytes_to(
            &PublicKey::from(self.ident.x25519_public),
            &key_context(&id),
            &plain,
        );
        self.store.connection().execute(
            "INSERT INTO invitation_made (id, sealed_key, username, role, level, created_at,
                 expires_at, team)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                id,
                sealed,
                username,
                role.as_str(),
                level,
                now,
                package.expires_at,
                i64::try_from(package.team).unwrap_or(i64::MAX)
            ],
        )?;
        Ok((secret, package))
    }

    /// Checks the invitation proof a new device joined with against this device's invitations
    /// for its username, and admits it (once) when one holds: it then enters the roster this
    /// device signs next, with the keys the proof names. The round raises the alarm of a reused
    /// or forged proof.
    ///
    /// Fails when locked or when the database fails.
    pub(crate) fn check_invitation_proof(
        &mut self,
        team: u64,
        device: &PendingListing,
        proof: &[u8],
        (registered_at, now): (i64, i64),
    ) -> Result<ProofCheck, VaultError> {
        type Made = ((String, Vec<u8>, String), (i64, Option<i64>, Option<i64>));
        // The proof names its invitation: one this device did not make is another key
        // manager's to judge.
        let Some(named) = invitation::proof_id(proof) else {
            return Ok(ProofCheck::Forged);
        };
        let made: Option<Made> = self
            .store
            .connection()
            .query_row(
                "SELECT id, sealed_key, role, expires_at, used_by, level FROM invitation_made
                 WHERE id = ?1",
                [&named],
                |r| {
                    Ok((
                        (r.get(0)?, r.get(1)?, r.get(2)?),
                        (r.get(3)?, r.get(4)?, r.get::<_, Option<i64>>(5)?),
                    ))
                },
            )
            .optional()?;
        let Some(made) = made else {
            return Ok(ProofCheck::NotOurs);
        };
        let ((id, sealed, role), (expires_at, used_by, level)) = made;
        let Some(role) = Role::parse(&role) else {
            return Ok(ProofCheck::Forged);
        };
        let opened = self
            .with_x25519(|x| crypto::open_sealed_bytes(x, &key_context(&id), &sealed))
            .ok_or(VaultError::Locked)?;
        let Some(key) = opened.ok().and_then(|b| {
            let id = KeyId::from_slice(b.get(..16)?)?;
            let mut k = zeroize::Zeroizing::new([0u8; 32]);
            k.copy_from_slice(b.get(16..48)?);
            Some(DataKey::from_parts(id, k))
        }) else {
            return Ok(ProofCheck::Forged);
        };
        let expected = (team, role, device.username.as_str(), id.as_str());
        if !invitation::check_proof(&key, expected, &device.public_keys, proof) {
            return Ok(ProofCheck::Forged);
        }
        let device_id = i64::try_from(device.device).unwrap_or(i64::MAX);
        match used_by {
            Some(d) if d == device_id => Ok(ProofCheck::Admitted(role)),
            Some(_) => Ok(ProofCheck::Reused),
            // An invitation admits no device that registered after it expired (the server
            // refuses that too); an honest late key manager still admits one that
            // registered in time.
            None if expires_at < registered_at => Ok(ProofCheck::Expired),
            None => {
                // Only a device of this device's own team is kept as admitted here: the own
                // team's rounds read that list, and a device of a team the organisation founded
                // must never count in it (the server could list it under this team).
                let own_team = self.binding()?.is_some_and(|b| b.team == team);
                let tx = self.store.connection_mut().transaction()?;
                tx.execute(
                    "UPDATE invitation_made SET used_by = ?1 WHERE id = ?2",
                    params![device_id, id],
                )?;
                // The level the invitation named (1-3: junior, intermediate, senior) enters the
                // roster this key manager signs, as her decision.
                let level = match level {
                    Some(1) => Some("junior"),
                    Some(2) => Some("intermediate"),
                    Some(3) => Some("senior"),
                    _ => None,
                };
                if let (true, Some(level), Role::Counselor | Role::Outreach) =
                    (own_team, level, role)
                {
                    tx.execute(
                        "INSERT INTO member_level (member, level) VALUES (?1, ?2)
                         ON CONFLICT (member) DO NOTHING",
                        params![i64::try_from(device.member).unwrap_or(i64::MAX), level],
                    )?;
                }
                if own_team {
                    tx.execute(
                        "INSERT INTO admitted_device (device, member, username, role,
                         public_keys, admitted_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                     ON CONFLICT (device) DO NOTHING",
                        params![
                            device_id,
                            i64::try_from(device.member).unwrap_or(i64::MAX),
                            device.username,
                            role.as_str(),
                            device.public_keys,
                            now
                        ],
                    )?;
                }
                tx.commit()?;
                Ok(ProofCheck::Admitted(role))
            }
        }
    }

    /// Keeps the roster a device that joined with an invitation accepts first.
    ///
    /// Fails when the write fails.
    pub(crate) fn set_invitation_anchor(
        &mut self,
        id: &str,
        package: &Package,
    ) -> Result<(), VaultError> {
        self.store.connection().execute(
            "INSERT INTO invitation_anchor (id, invitation, inviter_device, inviter_x25519,
                 roster_version, roster_hash)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO UPDATE SET invitation = ?1, inviter_device = ?2,
                 inviter_x25519 = ?3, roster_version = ?4, roster_hash = ?5",
            params![
                id,
                i64::try_from(package.inviter_device).unwrap_or(i64::MAX),
                package.inviter_x25519,
                i64::try_from(package.roster_version).unwrap_or(i64::MAX),
                package.roster_hash
            ],
        )?;
        Ok(())
    }

    /// The roster this device's invitation anchors it to, if it joined with one.
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn invitation_anchor(&self) -> Result<Option<InvitationAnchor>, VaultError> {
        Ok(self
            .store
            .connection()
            .query_row(
                "SELECT roster_version, roster_hash, inviter_device, inviter_x25519
                 FROM invitation_anchor WHERE id = 1",
                [],
                |r| {
                    Ok(InvitationAnchor {
                        roster_version: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                        roster_hash: r.get(1)?,
                        inviter_device: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                        inviter_x25519: r.get(3)?,
                    })
                },
            )
            .optional()?)
    }
}
