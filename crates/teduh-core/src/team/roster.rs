//! The team roster: who is in the team, with which devices and each device's own keys, signed
//! by a key manager's device (supervisor or admin). Devices trust record signatures and seal
//! team keys only to what a verified roster says, never to the server's word alone.
//!
//! Every device has its own key pairs (X25519 for the team keys sealed to it, Ed25519 for what
//! it signs); a member has none of her own. Revoking a laptop therefore cuts off exactly that
//! laptop: the next epoch is sealed to the remaining devices, and its key verifies nothing it
//! signs after the point the roster names.
//!
//! Trust: the first roster a device accepts must be signed by a device it lists as a key
//! manager's, or by the organisation key it names (trust on first use, which an invitation's
//! anchor or a safety number backs); every later roster must be newer and signed by a key
//! manager's device of the roster already accepted, or by the organisation key it names, so
//! the server cannot substitute members, devices or keys after the fact.
//!
//! Wire form (`RosterBody::roster`, opaque to the server):
//! `signature (64) || signer device id (u64 BE) || JSON of` [`Roster`]; the signature is
//! Ed25519 over `"teduh/roster/v1" || JSON`.

use std::collections::HashMap;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use teduh_protocol::sync::Role;

use crate::ids::DeviceId;

const SIGNING_PREFIX: &[u8] = b"teduh/roster/v1";

/// The highest roster version (a roster a minute for a million years stays below it), so that
/// no signer can make one no later roster could follow.
const MAX_VERSION: u64 = 1 << 40;

/// The most a roster's version may move past the held one's.
const MAX_VERSION_STEP: u64 = 1 << 20;

/// The signer id of a roster signed by the organisation key the roster it follows names (or,
/// for a team's first roster, that it names itself): an administrator's device founds a team
/// and tends its key-manager roles this way without being one of its members. Server ids
/// start at 1.
pub const ORG_SIGNER: u64 = 0;

/// One member as the roster lists her.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterMember {
    /// The server's member id.
    pub member: u64,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Removed from the team: her devices no longer sync and new epochs exclude her.
    pub removed: bool,
    /// A volunteer's level (junior, intermediate, senior), set by a key manager; serialised
    /// only when set, so rosters signed before levels existed still verify.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<crate::permissions::Level>,
}

/// One device as the roster lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterDevice {
    /// The server's device id.
    pub device: u64,
    /// Its member.
    pub member: u64,
    /// Its X25519 public key (team keys are sealed to it), hex.
    pub x25519: String,
    /// Its Ed25519 public key (verifies what it signs), hex.
    pub ed25519: String,
    /// Revoked: records above `accept_through` are refused.
    pub revoked: bool,
    /// For a revoked device: the last sequence number the key manager accepted from it.
    pub accept_through: Option<u64>,
}

/// One team-key epoch as the roster names it: a device adopts the key of an epoch only when the
/// roster it verified names that epoch with the key's confirmation tag, so a server can neither
/// invent an epoch nor hand members different keys for the same one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochTag {
    /// The epoch.
    pub epoch: u32,
    /// [`key_confirmation`] of the epoch's key, hex.
    pub confirm: String,
}

/// The signed membership list of one team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Roster {
    /// The server's team id.
    pub team: u64,
    /// Monotonic version.
    pub version: u64,
    /// Members.
    pub members: Vec<RosterMember>,
    /// Devices.
    pub devices: Vec<RosterDevice>,
    /// The team-key epochs the key managers made, oldest first.
    #[serde(default)]
    pub epochs: Vec<EpochTag>,
    /// The organisation root key (Ed25519, hex) once the team adopted one: from then on only a
    /// member it granted a key-manager role is a key manager here ([`super::org`]). Never
    /// changes or goes away once a held roster names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub org_key: Option<String>,
    /// The organisation key's grants of key-manager roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<super::org::RoleGrant>,
    /// The organisation key's removals of key-manager roles it granted: a roster that takes a
    /// granted role away (removes her, changes her role or drops her grant) carries one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub removals: Vec<super::org::RoleGrant>,
}

/// The confirmation tag of a team key: HKDF of the key bound to the team, the epoch and the
/// key's id, 16 bytes as hex. It reveals nothing about the key and cannot be matched by another.
pub fn key_confirmation(team: u64, epoch: u32, key: &crate::crypto::DataKey) -> String {
    let mut info = b"teduh/key-confirm/v1".to_vec();
    info.extend_from_slice(&team.to_be_bytes());
    info.extend_from_slice(&epoch.to_be_bytes());
    info.extend_from_slice(&key.id.0);
    let tag = crate::crypto::derive_key(key.bytes(), b"teduh/key-confirm", &info);
    crate::ids::hex(&tag.bytes()[..16])
}

/// Why a roster was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RosterError {
    /// Not in the signed roster format.
    #[error("the team roster is malformed")]
    Malformed,
    /// The signature does not verify, or the signer is not a key manager this device trusts,
    /// or it takes a key-manager role the organisation granted away without the organisation's
    /// signed removal.
    #[error("the team roster is not signed by a supervisor this device trusts")]
    Untrusted,
    /// Older than (or as old as) the roster already accepted.
    #[error("the team roster is older than the one this device has")]
    Stale,
    /// Drops or changes the key of an epoch the roster already accepted names.
    #[error("the team roster changes a team key this device already holds")]
    Rewritten,
}

/// Who may author records: device -> (its verifying key, last accepted sequence).
pub type Authors = HashMap<DeviceId, (VerifyingKey, Option<u64>)>;

/// A 32-byte key written as 64 hex digits, as rosters carry keys.
pub(crate) fn hex32(s: &str) -> Option<[u8; 32]> {
    crate::ids::unhex(s)
}

impl Roster {
    /// The member with this id.
    pub fn member(&self, id: u64) -> Option<&RosterMember> {
        self.members.iter().find(|m| m.member == id)
    }

    /// The confirmation tag this roster names for `epoch`, if it names the epoch.
    pub fn tag_of(&self, epoch: u32) -> Option<&str> {
        self.epochs
            .iter()
            .find(|t| t.epoch == epoch)
            .map(|t| t.confirm.as_str())
    }

    /// The SHA-256 of this roster's canonical JSON (as devices store it), hex: what an
    /// invitation anchors a newcomer to, so that the first roster her device accepts is the one
    /// her inviter's device held, not one the server made up.
    pub fn anchor_hash(&self) -> String {
        use sha2::{Digest, Sha256};
        // Serialising plain structs of strings and integers cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        crate::ids::hex(&Sha256::digest(json))
    }

    /// The newest epoch this roster names (0: none).
    pub fn newest_epoch(&self) -> u32 {
        self.epochs.iter().map(|t| t.epoch).max().unwrap_or(0)
    }

    /// The device with this id.
    pub fn device(&self, id: u64) -> Option<&RosterDevice> {
        self.devices.iter().find(|d| d.device == id)
    }

    /// The verifying key of `device` when it is an active device of an active key manager in
    /// this roster (the only keys that sign rosters and envelopes).
    pub fn key_manager_key(&self, device: u64) -> Option<VerifyingKey> {
        let d = self
            .device(device)
            .filter(|d| self.lists_active_device(d.device))?;
        if !self.is_key_manager(d.member) {
            return None;
        }
        d.verifying_key()
    }

    /// Whether this roster lists `member` and has not removed her.
    pub fn lists_active(&self, member: u64) -> bool {
        self.member(member).is_some_and(|m| !m.removed)
    }

    /// Whether this roster lists `device`, not revoked, of a member it has not removed: a key
    /// manager admitted it (or it made the team).
    pub fn lists_active_device(&self, device: u64) -> bool {
        self.device(device)
            .is_some_and(|d| !d.revoked && self.lists_active(d.member))
    }

    /// The active key managers' devices, with their member.
    pub fn key_manager_devices(&self) -> impl Iterator<Item = (&RosterMember, &RosterDevice)> {
        self.devices.iter().filter_map(|d| {
            let m = self.member(d.member)?;
            (self.key_manager_key(d.device).is_some()).then_some((m, d))
        })
    }

    /// Whether `member` is an active key manager in this roster: a supervisor or an admin, and,
    /// once the roster names an organisation key, one it granted that role.
    pub fn is_key_manager(&self, member: u64) -> bool {
        self.member(member)
            .is_some_and(|m| !m.removed && m.role.manages_keys() && self.granted(m))
    }

    /// Whether the organisation key (if the roster names one) granted `m` her role and has not
    /// removed it.
    fn granted(&self, m: &RosterMember) -> bool {
        let Some(org) = &self.org_key else {
            return true;
        };
        self.grants.iter().any(|g| {
            g.member == m.member && g.role == m.role && super::org::grant_holds(org, self.team, g)
        }) && !self.role_removed(m)
    }

    /// Whether the organisation key removed `m`'s role (for good: it is not granted again).
    pub fn role_removed(&self, m: &RosterMember) -> bool {
        self.org_key.as_deref().is_some_and(|org| {
            self.removals.iter().any(|r| {
                r.member == m.member
                    && r.role == m.role
                    && super::org::removal_holds(org, self.team, r)
            })
        })
    }

    /// The members the organisation key removed from the team (from another team's
    /// administrator's device) whom this roster still lists: a key manager's next roster
    /// removes them, revokes their devices and seals a new epoch without them.
    pub fn removed_by_org(&self) -> Vec<u64> {
        self.members
            .iter()
            .filter(|m| !m.removed && self.role_removed(m))
            .map(|m| m.member)
            .collect()
    }

    /// Signs the roster as device `signer` (a key manager's).
    pub fn sign(&self, signer: u64, key: &SigningKey) -> Vec<u8> {
        // Serialising plain structs of strings and integers cannot fail.
        let json = serde_json::to_vec(self).unwrap_or_default();
        let mut msg = SIGNING_PREFIX.to_vec();
        msg.extend_from_slice(&json);
        let mut out = key.sign(&msg).to_bytes().to_vec();
        out.extend_from_slice(&signer.to_be_bytes());
        out.extend_from_slice(&json);
        out
    }

    /// Verifies a signed roster: well-formed, newer than `current`, signed by a key manager's
    /// device of `current` (or, for a device's first roster, by one it lists itself).
    ///
    /// Fails with [`RosterError`].
    pub fn verify(
        bytes: &[u8],
        team: u64,
        current: Option<&Roster>,
    ) -> Result<Roster, RosterError> {
        if bytes.len() < 72 {
            return Err(RosterError::Malformed);
        }
        let (sig, rest) = bytes.split_at(64);
        let (signer, json) = rest.split_at(8);
        let signer = u64::from_be_bytes(signer.try_into().map_err(|_| RosterError::Malformed)?);
        let roster: Roster = serde_json::from_slice(json).map_err(|_| RosterError::Malformed)?;
        if roster.team != team {
            return Err(RosterError::Untrusted);
        }
        // One entry per member and per device (a second under the same id would take its
        // place in `authors`), and a version that leaves room to move on.
        let mut members = std::collections::HashSet::new();
        let mut devices = std::collections::HashSet::new();
        if !roster.members.iter().all(|m| members.insert(m.member))
            || !roster.devices.iter().all(|d| devices.insert(d.device))
            || roster.version > MAX_VERSION
        {
            return Err(RosterError::Malformed);
        }
        if let Some(cur) = current {
            if roster.version <= cur.version {
                return Err(RosterError::Stale);
            }
            if roster.version > cur.version.saturating_add(MAX_VERSION_STEP) {
                return Err(RosterError::Malformed);
            }
        }
        let authority = current.unwrap_or(&roster);
        let key = if signer == ORG_SIGNER {
            authority
                .org_key
                .as_deref()
                .and_then(hex32)
                .and_then(|k| VerifyingKey::from_bytes(&k).ok())
        } else {
            authority.key_manager_key(signer)
        }
        .ok_or(RosterError::Untrusted)?;
        let sig: [u8; 64] = sig.try_into().map_err(|_| RosterError::Malformed)?;
        let mut msg = SIGNING_PREFIX.to_vec();
        msg.extend_from_slice(json);
        key.verify_strict(&msg, &Signature::from_bytes(&sig))
            .map_err(|_| RosterError::Untrusted)?;
        // History is never rewritten: every epoch the held roster names keeps its key, and an
        // organisation key, once named, stays.
        if let Some(cur) = current {
            if cur
                .epochs
                .iter()
                .any(|t| roster.tag_of(t.epoch) != Some(t.confirm.as_str()))
                || (cur.org_key.is_some() && roster.org_key != cur.org_key)
            {
                return Err(RosterError::Rewritten);
            }
            // A device once listed stays, under the same member and keys.
            if !cur.devices_kept(&roster) {
                return Err(RosterError::Rewritten);
            }
            if !cur.role_removals_hold(&roster) || !cur.key_managers_devices_hold(&roster, signer) {
                return Err(RosterError::Untrusted);
            }
        }
        Ok(roster)
    }

    /// Whether `next` lists every device this roster lists, each under the same member with the
    /// same keys, and a revoked one still revoked (the server's swapped keys never enter a
    /// roster; neither do a rogue key manager's, nor her un-revoking a stolen laptop).
    fn devices_kept(&self, next: &Roster) -> bool {
        self.devices.iter().all(|d| {
            next.device(d.device).is_some_and(|n| {
                n.member == d.member
                    && n.x25519 == d.x25519
                    && n.ed25519 == d.ed25519
                    // A revoked device stays revoked, accepted up to the same record.
                    && (!d.revoked || (n.revoked && n.accept_through == d.accept_through))
            })
        })
    }

    /// Whether the devices of each key manager the organisation granted change in `next` (one
    /// added or revoked) only by her own device, by the organisation key, or with the
    /// organisation's removal of her role: another supervisor cannot cut her off or slip a
    /// device of her own in under her name.
    fn key_managers_devices_hold(&self, next: &Roster, signer: u64) -> bool {
        let as_org = signer == ORG_SIGNER;
        let signed_by = self.device(signer).map(|d| d.member);
        self.members
            .iter()
            .filter(|m| !self.may_change_devices_of(m.member, signed_by, as_org))
            .all(|m| {
                let added = next
                    .devices
                    .iter()
                    .any(|d| d.member == m.member && self.device(d.device).is_none());
                let revoked = self.devices.iter().any(|d| {
                    d.member == m.member
                        && !d.revoked
                        && next.device(d.device).is_some_and(|n| n.revoked)
                });
                let removed = next.member(m.member).is_some_and(|n| next.role_removed(n));
                !(added || revoked) || removed
            })
    }

    /// Whether a roster signed by a device of member `by` (or by the organisation key, `as_org`)
    /// may add or revoke devices of `member`: anyone's but a key manager the organisation
    /// granted, whose devices only she or the organisation key change.
    pub fn may_change_devices_of(&self, member: u64, by: Option<u64>, as_org: bool) -> bool {
        self.org_key.is_none() || as_org || !self.is_key_manager(member) || by == Some(member)
    }

    /// Whether every key manager the organisation granted in this roster is still one in
    /// `next`, or `next` carries the organisation's signed removal of her role.
    fn role_removals_hold(&self, next: &Roster) -> bool {
        let Some(org_key) = &self.org_key else {
            return true;
        };
        self.members
            .iter()
            .filter(|m| self.is_key_manager(m.member) && !next.is_key_manager(m.member))
            .all(|m| {
                next.removals.iter().any(|r| {
                    r.member == m.member
                        && r.role == m.role
                        && super::org::removal_holds(org_key, self.team, r)
                })
            })
    }

    /// The devices whose approvals and returns count: those of supervisors and admins, as the
    /// roster lists their role now (granted by the organisation key once the roster names one).
    /// (Anyone's comments are kept; only decisions need the role.)
    pub fn reviewing_devices(&self) -> std::collections::HashSet<DeviceId> {
        self.devices
            .iter()
            .filter(|d| {
                self.member(d.member)
                    .is_some_and(|m| m.role.manages_keys() && self.granted(m))
            })
            .map(|d| DeviceId::from_server(d.device))
            .collect()
    }

    /// This member's role as the roster lists it.
    pub fn role_of(&self, member: u64) -> Option<Role> {
        self.member(member).map(|m| m.role)
    }

    /// This member's level as the roster lists it (none for staff and for older rosters).
    pub fn level_of(&self, member: u64) -> Option<crate::permissions::Level> {
        self.member(member).and_then(|m| m.level)
    }

    /// The active devices (not revoked, of members not removed) of the members `include`
    /// accepts, with their X25519 keys: whom a client's data key is wrapped to.
    pub fn active_devices_of(
        &self,
        include: impl Fn(&RosterMember) -> bool,
    ) -> Vec<(u64, [u8; 32])> {
        self.devices
            .iter()
            .filter(|d| !d.revoked)
            .filter(|d| {
                self.member(d.member)
                    .is_some_and(|m| !m.removed && include(m))
            })
            .filter_map(|d| Some((d.device, hex32(&d.x25519)?)))
            .collect()
    }

    /// The devices whose records this roster vouches for, with their own keys.
    pub fn authors(&self) -> Authors {
        let mut out = HashMap::new();
        for d in &self.devices {
            let Some(key) = d.verifying_key() else {
                continue;
            };
            let through = if d.revoked {
                Some(d.accept_through.unwrap_or(0))
            } else {
                None
            };
            out.insert(DeviceId::from_server(d.device), (key, through));
        }
        out
    }
}

impl RosterDevice {
    /// A device as the roster lists it once admitted: its id, its member and its public keys as
    /// the server lists them (X25519 || Ed25519, 64 bytes, checked by the caller).
    pub fn admitted(device: u64, member: u64, public_keys: &[u8]) -> Self {
        Self {
            device,
            member,
            x25519: crate::ids::hex(&public_keys[..32]),
            ed25519: crate::ids::hex(&public_keys[32..]),
            revoked: false,
            accept_through: None,
        }
    }

    /// Its Ed25519 key, when well-formed.
    pub fn verifying_key(&self) -> Option<VerifyingKey> {
        hex32(&self.ed25519).and_then(|k| VerifyingKey::from_bytes(&k).ok())
    }

    /// Its public keys as one value (X25519 || Ed25519), as the server lists them.
    pub fn public_keys(&self) -> Vec<u8> {
        let mut k = hex32(&self.x25519).map(|x| x.to_vec()).unwrap_or_default();
        k.extend_from_slice(&hex32(&self.ed25519).unwrap_or_default());
        k
    }
}

/// A synthetic member with one device (its id is the member's) for unit tests of the team's
/// signed data.
#[cfg(test)]
pub(crate) fn test_member(id: u64, role: Role, key: &SigningKey) -> (RosterMember, RosterDevice) {
    (
        RosterMember {
            member: id,
            username: format!("anggota{id}"),
            role,
            removed: false,
            level: None,
        },
        RosterDevice {
            device: id,
            member: id,
            x25519: "00".repeat(32),
            ed25519: crate::ids::hex(key.verifying_key().as_bytes()),
            revoked: false,
            accept_through: None,
        },
    )
}

/// A synthetic roster of `members` (each with one device, see [`test_member`]).
#[cfg(test)]
pub(crate) fn test_roster(team: u64, version: u64, members: &[(u64, Role, &SigningKey)]) -> Roster {
    let (members, devices) = members
        .iter()
        .map(|(id, role, key)| test_member(*id, *role, key))
        .unzip();
    Roster {
        team,
        version,
        members,
        devices,
        epochs: vec![],
        org_key: None,
        grants: vec![],
        removals: vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_trusted_key_manager_can_change_the_roster() {
        let sup = SigningKey::from_bytes(&[1; 32]);
        let counselor = SigningKey::from_bytes(&[2; 32]);
        let first = test_roster(
            7,
            1,
            &[
                (1, Role::Supervisor, &sup),
                (2, Role::Counselor, &counselor),
            ],
        );
        let signed = first.sign(1, &sup);
        let accepted =
            Roster::verify(&signed, 7, None).expect("first roster, signed by its supervisor");
        assert_eq!(accepted, first);
        assert_eq!(
            Roster::verify(&signed, 8, None),
            Err(RosterError::Untrusted),
            "a roster of another team is refused"
        );
        let mut forged = first.clone();
        forged.version = 2;
        forged.members[1].role = Role::Admin;
        assert_eq!(
            Roster::verify(&forged.sign(2, &counselor), 7, Some(&first)),
            Err(RosterError::Untrusted),
            "a counselor cannot promote herself"
        );
        assert_eq!(
            Roster::verify(&signed, 7, Some(&first)),
            Err(RosterError::Stale),
            "replaying the same version is refused"
        );
        let mut tampered = forged.sign(1, &sup);
        let last = tampered.len() - 2;
        tampered[last] ^= 1;
        assert!(
            Roster::verify(&tampered, 7, Some(&first)).is_err(),
            "tampering is caught"
        );
        assert!(Roster::verify(&forged.sign(1, &sup), 7, Some(&first)).is_ok());
    }

    #[test]
    fn a_revoked_key_manager_device_signs_nothing_and_authors_by_its_own_key() {
        let sup = SigningKey::from_bytes(&[1; 32]);
        let laptop = SigningKey::from_bytes(&[3; 32]);
        let mut first = test_roster(7, 1, &[(1, Role::Supervisor, &sup)]);
        // Her second device, with keys of its own.
        let (_, mut second) = test_member(1, Role::Supervisor, &laptop);
        second.device = 2;
        first.devices.push(second);
        assert!(
            first.key_manager_key(2).is_some(),
            "both of her devices sign"
        );
        let authors = first.authors();
        assert_eq!(
            authors.get(&DeviceId::from_server(2)).map(|a| a.0),
            Some(laptop.verifying_key()),
            "a device's records verify against its own key, not its member's other device"
        );
        let mut revoked = first.clone();
        revoked.version = 2;
        revoked.devices[1].revoked = true;
        revoked.devices[1].accept_through = Some(4);
        let accepted =
            Roster::verify(&revoked.sign(1, &sup), 7, Some(&first)).expect("her first device");
        let mut next = accepted.clone();
        next.version = 3;
        assert_eq!(
            Roster::verify(&next.sign(2, &laptop), 7, Some(&accepted)),
            Err(RosterError::Untrusted),
            "the revoked laptop's key no longer signs for the team"
        );
        assert!(!accepted.lists_active_device(2));
        assert!(accepted.lists_active_device(1));
    }

    #[test]
    fn once_named_the_organisation_key_decides_who_manages_keys_and_stays() {
        use crate::team::org;
        let org_key = SigningKey::from_bytes(&[11; 32]);
        let sup = SigningKey::from_bytes(&[1; 32]);
        let sup2 = SigningKey::from_bytes(&[2; 32]);
        let first = test_roster(
            7,
            1,
            &[(1, Role::Supervisor, &sup), (2, Role::Supervisor, &sup2)],
        );
        let mut named = first.clone();
        named.version = 2;
        named.org_key = Some(org::public_hex(&org_key));
        named.grants = vec![org::grant(&org_key, 7, 1, Role::Supervisor)];
        let held = Roster::verify(&named.sign(1, &sup), 7, Some(&first))
            .expect("a key manager of the held roster names it");
        assert!(held.is_key_manager(1));
        assert!(!held.is_key_manager(2), "no grant: no key manager");
        let mut next = held.clone();
        next.version = 3;
        assert_eq!(
            Roster::verify(&next.sign(2, &sup2), 7, Some(&held)),
            Err(RosterError::Untrusted),
            "an ungranted supervisor signs nothing"
        );
        let mut dropped = held.clone();
        dropped.version = 3;
        dropped.org_key = None;
        dropped.grants.clear();
        assert_eq!(
            Roster::verify(&dropped.sign(1, &sup), 7, Some(&held)),
            Err(RosterError::Rewritten),
            "the organisation key cannot be dropped"
        );
        let mut swapped = held.clone();
        swapped.version = 3;
        let other = SigningKey::from_bytes(&[12; 32]);
        swapped.org_key = Some(org::public_hex(&other));
        swapped.grants = vec![org::grant(&other, 7, 1, Role::Supervisor)];
        assert_eq!(
            Roster::verify(&swapped.sign(1, &sup), 7, Some(&held)),
            Err(RosterError::Rewritten),
            "nor replaced"
        );
        // Taking a granted role away needs the organisation's signed removal.
        let mut third = held.clone();
        third.version = 3;
        third
            .members
            .push(test_member(3, Role::Supervisor, &sup2).0);
        third
            .grants
            .push(org::grant(&org_key, 7, 3, Role::Supervisor));
        let held = Roster::verify(&third.sign(1, &sup), 7, Some(&held)).expect("granted");
        for strip in [
            |r: &mut Roster| r.members[2].removed = true,
            |r: &mut Roster| r.members[2].role = Role::Counselor,
            |r: &mut Roster| r.grants.retain(|g| g.member != 3),
        ] {
            let mut next = held.clone();
            next.version = 4;
            strip(&mut next);
            assert_eq!(
                Roster::verify(&next.sign(1, &sup), 7, Some(&held)),
                Err(RosterError::Untrusted),
                "a supervisor alone cannot take another's granted role away"
            );
            next.removals
                .push(org::grant(&org_key, 7, 3, Role::Supervisor));
            assert_eq!(
                Roster::verify(&next.sign(1, &sup), 7, Some(&held)),
                Err(RosterError::Untrusted),
                "a grant does not pass for a removal"
            );
            next.removals = vec![org::removal(&org_key, 7, 3, Role::Supervisor)];
            assert!(
                Roster::verify(&next.sign(1, &sup), 7, Some(&held)).is_ok(),
                "with the organisation's removal it holds"
            );
        }
        // Another supervisor cannot revoke a granted one's device or add one under her name;
        // she can, and so can the organisation key.
        let held_granted = {
            let mut h = held.clone();
            h.grants.push(org::grant(&org_key, 7, 2, Role::Supervisor));
            h
        };
        let mut cut = {
            let mut c = held_granted.clone();
            c.version = 6;
            c.devices[1].revoked = true;
            c
        };
        cut.devices[1].accept_through = Some(0);
        assert_eq!(
            Roster::verify(&cut.sign(1, &sup), 7, Some(&held_granted)),
            Err(RosterError::Untrusted),
            "a supervisor cuts off another"
        );
        assert!(Roster::verify(&cut.sign(ORG_SIGNER, &org_key), 7, Some(&held_granted)).is_ok());
        let mut swapped_keys = held_granted.clone();
        swapped_keys.version = 6;
        swapped_keys.devices[1].ed25519 = crate::ids::hex(other.verifying_key().as_bytes());
        assert_eq!(
            Roster::verify(&swapped_keys.sign(1, &sup), 7, Some(&held_granted)),
            Err(RosterError::Rewritten),
            "a listed device's keys never change"
        );
        let mut doubled = held_granted.clone();
        doubled.version = 6;
        let mut twin = doubled.devices[0].clone();
        twin.ed25519 = crate::ids::hex(other.verifying_key().as_bytes());
        doubled.devices.push(twin);
        assert_eq!(
            Roster::verify(&doubled.sign(1, &sup), 7, Some(&held_granted)),
            Err(RosterError::Malformed),
            "a second entry under a listed device's id"
        );
        let mut far = held_granted.clone();
        far.version = u64::MAX;
        assert_eq!(
            Roster::verify(&far.sign(1, &sup), 7, Some(&held_granted)),
            Err(RosterError::Malformed),
            "a version no later roster could follow"
        );
        let mut revoked_laptop = cut.clone();
        revoked_laptop.devices[1].revoked = true;
        let revoked_held = Roster::verify(
            &revoked_laptop.sign(ORG_SIGNER, &org_key),
            7,
            Some(&held_granted),
        )
        .expect("revoked by the organisation");
        let mut back = revoked_held.clone();
        back.version += 1;
        back.devices[1].revoked = false;
        assert_eq!(
            Roster::verify(&back.sign(ORG_SIGNER, &org_key), 7, Some(&revoked_held)),
            Err(RosterError::Rewritten),
            "a revoked device is never revoked back in, not even by the organisation"
        );
        // The organisation key signs rosters itself (a team it founds); another key does not.
        let mut by_org = held.clone();
        by_org.version = 5;
        assert!(Roster::verify(&by_org.sign(ORG_SIGNER, &org_key), 7, Some(&held)).is_ok());
        assert_eq!(
            Roster::verify(&by_org.sign(ORG_SIGNER, &other), 7, Some(&held)),
            Err(RosterError::Untrusted)
        );
        assert_eq!(
            Roster::verify(&by_org.sign(ORG_SIGNER, &org_key), 7, Some(&first)),
            Err(RosterError::Untrusted),
            "a roster naming no organisation key takes no roster signed by one"
        );
        let json = serde_json::to_string(&first).expect("json");
        assert!(
            !json.contains("org_key") && !json.contains("grants"),
            "a roster without one serialises, and so hashes and signs, as before: {json}"
        );
    }
}
