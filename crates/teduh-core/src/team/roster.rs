//! The team roster: who is in the team, with which keys and devices, signed by a key manager
//! (supervisor or admin). Devices trust record signatures and seal team keys only to what a
//! verified roster says, never to the server's word alone.
//!
//! Trust: the first roster a device accepts must be signed by a member it lists as a key
//! manager (trust on first use, pinned in `sync_binding.roster_signer`); every later roster must
//! be newer and signed by a key manager of the roster already accepted, so the server cannot
//! substitute members or keys after the fact.
//!
//! Wire form (`RosterBody::roster`, opaque to the server):
//! `signature (64) || signer member id (u64 BE) || JSON of` [`Roster`]; the signature is
//! Ed25519 over `"teduh/roster/v1" || JSON`.

use std::collections::HashMap;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use teduh_protocol::sync::Role;

use crate::ids::DeviceId;

const SIGNING_PREFIX: &[u8] = b"teduh/roster/v1";

/// One member as the roster lists her.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterMember {
    /// The server's member id.
    pub member: u64,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// X25519 public key (team keys are sealed to it), hex.
    pub x25519: String,
    /// Ed25519 public key (verifies her records), hex.
    pub ed25519: String,
    /// Removed from the team: her devices no longer sync and new epochs exclude her.
    pub removed: bool,
}

/// One device as the roster lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterDevice {
    /// The server's device id.
    pub device: u64,
    /// Its member.
    pub member: u64,
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
    /// The signature does not verify, or the signer is not a key manager this device trusts.
    #[error("the team roster is not signed by a supervisor this device trusts")]
    Untrusted,
    /// Older than (or as old as) the roster already accepted.
    #[error("the team roster is older than the one this device has")]
    Stale,
    /// Drops or changes the key of an epoch the roster already accepted names.
    #[error("the team roster changes a team key this device already holds")]
    Rewritten,
}

/// Who may author records: device -> (member's verifying key, last accepted sequence).
pub type Authors = HashMap<DeviceId, (VerifyingKey, Option<u64>)>;

pub(crate) fn hex32(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
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

    /// The newest epoch this roster names (0: none).
    pub fn newest_epoch(&self) -> u32 {
        self.epochs.iter().map(|t| t.epoch).max().unwrap_or(0)
    }

    /// The verifying key of `member` when she is an active key manager in this roster.
    pub fn key_manager_key(&self, member: u64) -> Option<VerifyingKey> {
        if !self.is_key_manager(member) {
            return None;
        }
        self.member(member)
            .and_then(|m| hex32(&m.ed25519))
            .and_then(|k| VerifyingKey::from_bytes(&k).ok())
    }

    /// Whether this roster lists `member` and has not removed her.
    pub fn lists_active(&self, member: u64) -> bool {
        self.member(member).is_some_and(|m| !m.removed)
    }

    /// Whether `member` is an active key manager in this roster.
    pub fn is_key_manager(&self, member: u64) -> bool {
        self.member(member)
            .is_some_and(|m| !m.removed && m.role.manages_keys())
    }

    /// Signs the roster as `signer` (a key manager).
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

    /// Verifies a signed roster: well-formed, newer than `current`, signed by a key manager of
    /// `current` (or, for a device's first roster, by a key manager it lists itself).
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
        if let Some(cur) = current {
            if roster.version <= cur.version {
                return Err(RosterError::Stale);
            }
        }
        let authority = current.unwrap_or(&roster);
        let key = authority
            .key_manager_key(signer)
            .ok_or(RosterError::Untrusted)?;
        let sig: [u8; 64] = sig.try_into().map_err(|_| RosterError::Malformed)?;
        let mut msg = SIGNING_PREFIX.to_vec();
        msg.extend_from_slice(json);
        key.verify_strict(&msg, &Signature::from_bytes(&sig))
            .map_err(|_| RosterError::Untrusted)?;
        // History is never rewritten: every epoch the held roster names keeps its key.
        if let Some(cur) = current {
            if cur
                .epochs
                .iter()
                .any(|t| roster.tag_of(t.epoch) != Some(t.confirm.as_str()))
            {
                return Err(RosterError::Rewritten);
            }
        }
        Ok(roster)
    }

    /// The devices whose approvals and returns count: those of supervisors and admins, as the
    /// roster lists their role now. (Anyone's comments are kept; only decisions need the role.)
    pub fn reviewing_devices(&self) -> std::collections::HashSet<DeviceId> {
        self.devices
            .iter()
            .filter(|d| self.member(d.member).is_some_and(|m| m.role.manages_keys()))
            .map(|d| DeviceId::from_server(d.device))
            .collect()
    }

    /// This member's role as the roster lists it.
    pub fn role_of(&self, member: u64) -> Option<Role> {
        self.member(member).map(|m| m.role)
    }

    /// The devices whose records this roster vouches for, with their member's key.
    pub fn authors(&self) -> Authors {
        let mut out = HashMap::new();
        for d in &self.devices {
            let Some(key) = self
                .member(d.member)
                .and_then(|m| hex32(&m.ed25519))
                .and_then(|k| VerifyingKey::from_bytes(&k).ok())
            else {
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

/// A synthetic member for unit tests of the team's signed data.
#[cfg(test)]
pub(crate) fn test_member(id: u64, role: Role, key: &SigningKey) -> RosterMember {
    RosterMember {
        member: id,
        username: format!("anggota{id}"),
        role,
        x25519: "00".repeat(32),
        ed25519: crate::ids::hex(key.verifying_key().as_bytes()),
        removed: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: u64, role: Role, key: &SigningKey) -> RosterMember {
        test_member(id, role, key)
    }

    #[test]
    fn only_a_trusted_key_manager_can_change_the_roster() {
        let sup = SigningKey::from_bytes(&[1; 32]);
        let counselor = SigningKey::from_bytes(&[2; 32]);
        let first = Roster {
            team: 7,
            version: 1,
            members: vec![
                member(1, Role::Supervisor, &sup),
                member(2, Role::Counselor, &counselor),
            ],
            devices: vec![],
            epochs: vec![],
        };
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
}
