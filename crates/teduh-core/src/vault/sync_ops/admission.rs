//! Admission by people, on the key manager's device: the members the server lists but the
//! signed roster does not (pending), the safety number she types to admit one, and the decisions
//! the round reads when it signs the next roster. On the newcomer's device: the safety numbers
//! her waiting screen shows. Confirming works offline; the roster goes out at the next sync.

use rusqlite::params;
use teduh_protocol::sync::Role;

use crate::team::admission::{safety_number, typed_matches, MAX_WRONG_ENTRIES};
use crate::team::AlarmKind;
use crate::vault::error::VaultError;
use crate::vault::Vault;

/// A member the server lists whom no key manager admitted yet: she waits, with no key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingMember {
    /// The server's member id.
    pub member: u64,
    /// Login name.
    pub username: String,
    /// The role the server's invitation gave her (admitting her confirms it).
    pub role: Role,
    /// When this device first saw her waiting (Unix seconds).
    pub first_seen: i64,
    /// Wrong safety numbers typed for her so far.
    pub wrong_entries: u32,
    /// Blocked after too many wrong entries: she cannot be admitted from this device.
    pub blocked: bool,
}

/// A member this device's key manager admitted: the keys and role she confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AdmittedMember {
    pub member: u64,
    pub username: String,
    pub role: Role,
    pub public_keys: Vec<u8>,
}

/// A key manager's decision kept on her device until her next roster carries it.
enum Decision {
    RemoveMember,
    RevokeDevice,
}

/// The number a newcomer reads out to one key manager.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyNumber {
    /// The key manager's username, as the roster lists her.
    pub key_manager: String,
    /// Her role.
    pub role: Role,
    /// Six groups of four digits.
    pub number: String,
}

fn role_of(s: String) -> rusqlite::Result<Role> {
    Role::parse(&s)
        .ok_or_else(|| rusqlite::Error::InvalidColumnType(0, s, rusqlite::types::Type::Text))
}

impl Vault {
    /// Members waiting to be admitted, as the server last listed them (a key manager's device).
    ///
    /// Fails when the database cannot be read.
    pub fn pending_members(&self) -> Result<Vec<PendingMember>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare(
                "SELECT member, username, role, first_seen, wrong_entries, blocked
                 FROM pending_member ORDER BY first_seen, member",
            )?
            .query_map([], |r| {
                Ok(PendingMember {
                    member: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    username: r.get(1)?,
                    role: role_of(r.get(2)?)?,
                    first_seen: r.get(3)?,
                    wrong_entries: r.get(4)?,
                    blocked: r.get::<_, i64>(5)? != 0,
                })
            })?
            .collect::<Result<_, _>>()?)
    }

    /// Admits the pending member `username` when `typed` is the safety number her screen shows
    /// (computed here from this key manager's key and the keys the server listed for her). She
    /// enters the roster this device signs at its next sync, with those keys and that role.
    ///
    /// Fails with [`VaultError::NotJoined`], [`VaultError::NotPermitted`] (not a key manager),
    /// [`VaultError::NotFound`] (no such pending member), [`VaultError::SafetyNumberMismatch`]
    /// (nothing admitted; the entry counts), or [`VaultError::AdmissionBlocked`] (the third
    /// wrong entry, or an earlier block: a security alarm is raised).
    pub fn confirm_admission(&mut self, username: &str, typed: &str) -> Result<(), VaultError> {
        let binding = self.binding()?.ok_or(VaultError::NotJoined)?;
        if !self.my_role()?.is_some_and(Role::manages_keys) {
            return Err(VaultError::NotPermitted(
                "only a supervisor or an admin admits members".into(),
            ));
        }
        let row: Option<(i64, String, Vec<u8>, u32, i64)> = {
            use rusqlite::OptionalExtension;
            self.store
                .connection()
                .query_row(
                    "SELECT member, role, public_keys, wrong_entries, blocked
                     FROM pending_member WHERE username = ?1",
                    [username],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?
        };
        let Some((member, role, keys, wrong, blocked)) = row else {
            return Err(VaultError::NotFound {
                what: "member waiting to be admitted named",
                id: username.to_owned(),
            });
        };
        if blocked != 0 {
            return Err(VaultError::AdmissionBlocked);
        }
        let expected = safety_number(binding.team, &self.ident.ed25519_public, &keys);
        let now = chrono::Utc::now().timestamp();
        if typed_matches(typed, &expected) {
            let tx = self.store.connection_mut().transaction()?;
            tx.execute(
                "INSERT INTO admitted_member (member, username, role, public_keys, admitted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (member) DO UPDATE SET username = ?2, role = ?3, public_keys = ?4,
                     admitted_at = ?5",
                params![member, username, role, keys, now],
            )?;
            tx.execute("DELETE FROM pending_member WHERE member = ?1", [member])?;
            tx.commit()?;
            return Ok(());
        }
        let wrong = wrong + 1;
        let block = wrong >= MAX_WRONG_ENTRIES;
        self.store.connection().execute(
            "UPDATE pending_member SET wrong_entries = ?2, blocked = ?3 WHERE member = ?1",
            params![member, wrong, i64::from(block)],
        )?;
        if block {
            self.raise_alarm(
                AlarmKind::AdmissionBlocked,
                u64::try_from(member).unwrap_or(0),
                0,
                &format!(
                    "{MAX_WRONG_ENTRIES} wrong safety numbers for {username}: the keys the \
                     server lists for her may not be hers"
                ),
                &keys,
            )?;
            return Err(VaultError::AdmissionBlocked);
        }
        Err(VaultError::SafetyNumberMismatch {
            left: MAX_WRONG_ENTRIES - wrong,
        })
    }

    /// Removes `username` from the team, as this key manager decides: the roster she signs at
    /// the next sync marks her removed (and her devices revoked, keeping what they sent so far),
    /// and a new epoch is sealed to the members who stay, so she reads nothing written after.
    ///
    /// Fails with [`VaultError::NotJoined`], [`VaultError::NotPermitted`] (not a key manager, or
    /// removing herself), or [`VaultError::NotFound`] (not in the roster).
    pub fn remove_member(&mut self, username: &str) -> Result<(), VaultError> {
        let roster = self.key_manager_roster()?;
        let member = roster
            .members
            .iter()
            .find(|m| m.username == username)
            .ok_or_else(|| VaultError::NotFound {
                what: "team member named",
                id: username.to_owned(),
            })?;
        if Some(member.member) == self.ident.member.server_number() {
            return Err(VaultError::NotPermitted(
                "a key manager cannot remove herself; another supervisor or an admin can".into(),
            ));
        }
        self.decide(Decision::RemoveMember, member.member)
    }

    /// Revokes one device (a lost laptop), as this key manager decides: the roster she signs at
    /// the next sync marks it revoked (what it sent so far stays accepted) and a new epoch is
    /// sealed without it. Its member keeps her other devices.
    ///
    /// Fails with [`VaultError::NotJoined`], [`VaultError::NotPermitted`] (not a key manager, or
    /// this very device), or [`VaultError::NotFound`] (not in the roster).
    pub fn revoke_device(&mut self, device: u64) -> Result<(), VaultError> {
        let roster = self.key_manager_roster()?;
        if !roster.devices.iter().any(|d| d.device == device) {
            return Err(VaultError::NotFound {
                what: "device of the team with number",
                id: device.to_string(),
            });
        }
        if self.ident.device.server_number() == Some(device) {
            return Err(VaultError::NotPermitted(
                "this device cannot revoke itself; another supervisor or an admin can".into(),
            ));
        }
        self.decide(Decision::RevokeDevice, device)
    }

    /// Keeps a key manager's decision about a member or a device (once; the first time counts).
    fn decide(&mut self, decision: Decision, id: u64) -> Result<(), VaultError> {
        let sql = match decision {
            Decision::RemoveMember => {
                "INSERT INTO removed_member (member, removed_at) VALUES (?1, ?2)
                 ON CONFLICT (member) DO NOTHING"
            }
            Decision::RevokeDevice => {
                "INSERT INTO revoked_device (device, revoked_at) VALUES (?1, ?2)
                 ON CONFLICT (device) DO NOTHING"
            }
        };
        self.store.connection().execute(
            sql,
            params![
                i64::try_from(id).unwrap_or(i64::MAX),
                chrono::Utc::now().timestamp()
            ],
        )?;
        Ok(())
    }

    /// The held roster, when this device's member is a key manager in it.
    fn key_manager_roster(&self) -> Result<crate::team::roster::Roster, VaultError> {
        self.binding()?.ok_or(VaultError::NotJoined)?;
        let roster = self.roster()?.ok_or(VaultError::NotJoined)?;
        let me = self.ident.member.server_number().unwrap_or(0);
        if !roster.is_key_manager(me) {
            return Err(VaultError::NotPermitted(
                "only a supervisor or an admin of the team decides who is in it".into(),
            ));
        }
        Ok(roster)
    }

    /// The members and devices this key manager removed or revoked herself.
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn own_removals(&self) -> Result<(Vec<u64>, Vec<u64>), VaultError> {
        let ids = |sql: &str| -> Result<Vec<u64>, VaultError> {
            Ok(self
                .store
                .connection()
                .prepare(sql)?
                .query_map([], |r| r.get::<_, i64>(0))?
                .map(|r| r.map(|v| u64::try_from(v).unwrap_or(0)))
                .collect::<Result<_, _>>()?)
        };
        Ok((
            ids("SELECT member FROM removed_member")?,
            ids("SELECT device FROM revoked_device")?,
        ))
    }

    /// Whether the signed roster this device holds lists its member, not removed: a key manager
    /// admitted her (or she made the team). False before the first roster arrives.
    ///
    /// Fails when the stored roster is damaged.
    pub fn is_admitted(&self) -> Result<bool, VaultError> {
        let me = self.ident.member.server_number();
        Ok(self
            .roster()?
            .zip(me)
            .is_some_and(|(r, m)| r.lists_active(m)))
    }

    /// The safety numbers this device's screen shows while it waits to be admitted: one per
    /// key manager of the roster it holds (empty before the first roster arrives).
    ///
    /// Fails when the stored roster is damaged.
    pub fn safety_numbers(&self) -> Result<Vec<SafetyNumber>, VaultError> {
        let Some(roster) = self.roster()? else {
            return Ok(Vec::new());
        };
        let me = self.ident.member.server_number();
        let mine = self.public_keys();
        Ok(roster
            .members
            .iter()
            .filter(|m| Some(m.member) != me && roster.is_key_manager(m.member))
            .filter_map(|m| {
                let key = roster.key_manager_key(m.member)?;
                Some(SafetyNumber {
                    key_manager: m.username.clone(),
                    role: m.role,
                    number: safety_number(roster.team, key.as_bytes(), &mine),
                })
            })
            .collect())
    }

    /// Replaces the pending list with what the server lists now; a member with entries counted
    /// against her (wrong numbers, a block) stays, listed or not.
    ///
    /// Fails when the write fails.
    pub(crate) fn note_pending(
        &mut self,
        pending: &[(u64, String, Role, Vec<u8>)],
        in_roster: &[u64],
    ) -> Result<(), VaultError> {
        let now = chrono::Utc::now().timestamp();
        let tx = self.store.connection_mut().transaction()?;
        // Whoever the roster lists (admitted here or by another key manager) waits no more.
        for member in in_roster {
            tx.execute(
                "DELETE FROM pending_member WHERE member = ?1",
                [i64::try_from(*member).unwrap_or(i64::MAX)],
            )?;
        }
        let ids: Vec<i64> = pending
            .iter()
            .map(|p| i64::try_from(p.0).unwrap_or(i64::MAX))
            .collect();
        let keep: Vec<String> = ids.iter().map(i64::to_string).collect();
        // A member with wrong numbers against her stays on record even when the server stops
        // listing her: otherwise a server could wipe a block by hiding her for one round.
        tx.execute(
            &format!(
                "DELETE FROM pending_member
                 WHERE wrong_entries = 0 AND blocked = 0 AND member NOT IN ({})",
                if keep.is_empty() {
                    "-1".to_owned()
                } else {
                    keep.join(",")
                }
            ),
            [],
        )?;
        for ((_, username, role, keys), id) in pending.iter().zip(&ids) {
            tx.execute(
                "INSERT INTO pending_member (member, username, role, public_keys, first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (member) DO UPDATE SET username = ?2, role = ?3, public_keys = ?4",
                params![id, username, role.as_str(), keys, now],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The members this device's key manager admitted.
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn admitted_members(&self) -> Result<Vec<AdmittedMember>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare("SELECT member, username, role, public_keys FROM admitted_member")?
            .query_map([], |r| {
                Ok(AdmittedMember {
                    member: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    username: r.get(1)?,
                    role: role_of(r.get(2)?)?,
                    public_keys: r.get(3)?,
                })
            })?
            .collect::<Result<_, _>>()?)
    }
}
