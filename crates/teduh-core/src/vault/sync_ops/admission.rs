//! Admission by people, on the key manager's device: the devices the server lists but the
//! signed roster does not (pending: a new member's first device, or a further device of a
//! member already in the team), the safety number she types to admit one, and the decisions the
//! round reads when it signs the next roster. On the newcomer's device: the safety numbers its
//! waiting screen shows. Confirming works offline; the roster goes out at the next sync.

use rusqlite::params;
use teduh_protocol::sync::Role;

use crate::team::admission::{safety_number, typed_matches, MAX_WRONG_ENTRIES};
use crate::team::AlarmKind;
use crate::vault::error::VaultError;
use crate::vault::Vault;

/// A device the server lists that no key manager admitted yet: it waits, with no key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDevice {
    /// The server's device id.
    pub device: u64,
    /// The server's id of its member.
    pub member: u64,
    /// Its member's login name.
    pub username: String,
    /// The role the server's invitation gave her (admitting the device confirms it; for a
    /// further device of a member in the roster, the roster's role stands).
    pub role: Role,
    /// When this key manager's device first saw it waiting (Unix seconds).
    pub first_seen: i64,
    /// Wrong safety numbers typed for her so far.
    pub wrong_entries: u32,
    /// Blocked after too many wrong entries: it cannot be admitted from this device.
    pub blocked: bool,
}

/// A device this key manager admitted: the keys and role she confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AdmittedDevice {
    pub device: u64,
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

/// The number a newcomer reads out to one key manager's device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafetyNumber {
    /// The key manager's username, as the roster lists her.
    pub key_manager: String,
    /// Her device the number is for (each device has its own keys, so its own number).
    pub device: u64,
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
    /// Devices waiting to be admitted, as the server last listed them (a key manager's device).
    ///
    /// Fails when the database cannot be read.
    pub fn pending_devices(&self) -> Result<Vec<PendingDevice>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare(
                "SELECT device, member, username, role, first_seen, wrong_entries, blocked
                 FROM pending_device ORDER BY first_seen, device",
            )?
            .query_map([], |r| {
                Ok(PendingDevice {
                    device: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    member: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    username: r.get(2)?,
                    role: role_of(r.get(3)?)?,
                    first_seen: r.get(4)?,
                    wrong_entries: r.get(5)?,
                    blocked: r.get::<_, i64>(6)? != 0,
                })
            })?
            .collect::<Result<_, _>>()?)
    }

    /// Admits the waiting device of `username` whose screen shows `typed` (computed here from
    /// this key manager's device key and the keys the server listed for it). It enters the
    /// roster this device signs at its next sync, with those keys, and its member with that role
    /// (a member the roster lists keeps her role there).
    ///
    /// Fails with [`VaultError::NotJoined`], [`VaultError::NotPermitted`] (not a key manager, or
    /// a further device of another key manager the organisation granted, which her own device
    /// or the administrator holding the organisation key admits), [`VaultError::NotFound`] (no
    /// device of hers waits), [`VaultError::SafetyNumberMismatch`]
    /// (nothing admitted; the entry counts against each of her waiting devices), or
    /// [`VaultError::AdmissionBlocked`] (the third wrong entry, or an earlier block: a security
    /// alarm is raised).
    pub fn confirm_admission(&mut self, username: &str, typed: &str) -> Result<(), VaultError> {
        let binding = self.binding()?.ok_or(VaultError::NotJoined)?;
        if !self.my_role()?.is_some_and(Role::manages_keys) {
            return Err(VaultError::NotPermitted(
                "only a supervisor or an admin admits members".into(),
            ));
        }
        type Waiting = (i64, i64, String, Vec<u8>, u32, i64);
        let waiting: Vec<Waiting> = self
            .store
            .connection()
            .prepare(
                "SELECT device, member, role, public_keys, wrong_entries, blocked
                 FROM pending_device WHERE username = ?1 ORDER BY device",
            )?
            .query_map([username], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        if waiting.is_empty() {
            return Err(VaultError::NotFound {
                what: "device waiting to be admitted of",
                id: username.to_owned(),
            });
        }
        if waiting.iter().any(|w| w.5 != 0) {
            return Err(VaultError::AdmissionBlocked);
        }
        let now = chrono::Utc::now().timestamp();
        let org = self.roster()?.and_then(|r| r.org_key);
        let matching = waiting.iter().find(|(_, _, _, keys, _, _)| {
            typed_matches(
                typed,
                &safety_number(
                    binding.team,
                    org.as_deref(),
                    &self.ident.ed25519_public,
                    keys,
                ),
            )
        });
        if let Some((device, member, role, keys, _, _)) = matching {
            if let Some(roster) = self.roster()? {
                self.may_change_devices_of(&roster, u64::try_from(*member).unwrap_or(0))?;
            }
            let tx = self.store.connection_mut().transaction()?;
            tx.execute(
                "INSERT INTO admitted_device (device, member, username, role, public_keys,
                     admitted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (device) DO UPDATE SET member = ?2, username = ?3, role = ?4,
                     public_keys = ?5, admitted_at = ?6",
                params![device, member, username, role, keys, now],
            )?;
            tx.execute("DELETE FROM pending_device WHERE device = ?1", [device])?;
            tx.commit()?;
            return Ok(());
        }
        let wrong = waiting.iter().map(|w| w.4).max().unwrap_or(0) + 1;
        let block = wrong >= MAX_WRONG_ENTRIES;
        self.store.connection().execute(
            "UPDATE pending_device SET wrong_entries = ?2, blocked = ?3 WHERE username = ?1",
            params![username, wrong, i64::from(block)],
        )?;
        if block {
            let member = u64::try_from(waiting[0].1).unwrap_or(0);
            let listed: Vec<u8> = waiting.iter().flat_map(|w| w.3.clone()).collect();
            self.raise_alarm(
                AlarmKind::AdmissionBlocked,
                member,
                0,
                &format!(
                    "{MAX_WRONG_ENTRIES} wrong safety numbers for {username}: the keys the \
                     server lists for her device may not be hers"
                ),
                &listed,
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
    /// Fails with [`VaultError::NotJoined`], [`VaultError::NotPermitted`] (not a key manager,
    /// removing herself, or removing a key manager the organisation granted from a device that
    /// does not hold the organisation key), or [`VaultError::NotFound`] (not in the roster).
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
        // A key manager the organisation granted loses her role only by its signed removal,
        // which the device holding the organisation key adds when it signs the roster.
        if roster.org_key.is_some()
            && roster.is_key_manager(member.member)
            && self.org_key_public()? != roster.org_key
        {
            return Err(VaultError::NotPermitted(
                "removing a supervisor or an admin needs the organisation key: ask the \
                 administrator who holds it"
                    .into(),
            ));
        }
        self.decide(Decision::RemoveMember, member.member)
    }

    /// Revokes one device (a lost laptop), as this key manager decides: the roster she signs at
    /// the next sync marks it revoked (what it sent so far stays accepted) and a new epoch is
    /// sealed without it. Its member keeps her other devices.
    ///
    /// Fails with [`VaultError::NotJoined`], [`VaultError::NotPermitted`] (not a key manager,
    /// this very device, or a device of another key manager the organisation granted, unless
    /// this device holds the organisation key), or [`VaultError::NotFound`] (not in the roster).
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
        let owner = roster.device(device).map(|d| d.member).unwrap_or_default();
        self.may_change_devices_of(&roster, owner)?;
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

    /// Whether this device may add or revoke a device of `member`
    /// ([`crate::team::roster::Roster::may_change_devices_of`]: `Roster::verify` refuses
    /// anyone else's roster).
    ///
    /// Fails with [`VaultError::NotPermitted`].
    pub(crate) fn may_change_devices_of(
        &self,
        roster: &crate::team::roster::Roster,
        member: u64,
    ) -> Result<(), VaultError> {
        let as_org = roster.org_key.is_some() && self.org_key_public()? == roster.org_key;
        if !roster.may_change_devices_of(member, self.ident.member.server_number(), as_org) {
            return Err(VaultError::NotPermitted(
                "a supervisor's or an admin's devices are admitted and revoked by her own \
                 device or by the administrator holding the organisation key"
                    .into(),
            ));
        }
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

    /// Sets a volunteer's level (junior, intermediate, senior), as this key manager decides: the
    /// roster she signs at the next sync lists it. Levels grade counselors and outreach
    /// workers; supervisors and admins carry none.
    ///
    /// Fails with [`VaultError::NotPermitted`] unless this member manages the team's keys,
    /// [`VaultError::NotFound`] for a name the roster does not list, and
    /// [`VaultError::InvalidInput`] for a supervisor or an admin.
    pub fn set_member_level(
        &mut self,
        username: &str,
        level: crate::permissions::Level,
    ) -> Result<(), VaultError> {
        self.touch()?;
        let roster = self.key_manager_roster()?;
        let member = roster
            .members
            .iter()
            .find(|m| m.username == username && !m.removed)
            .ok_or_else(|| VaultError::NotFound {
                what: "team member named",
                id: username.to_owned(),
            })?;
        if !matches!(member.role, Role::Counselor | Role::Outreach) {
            return Err(VaultError::InvalidInput(format!(
                "{username} is a {}: levels grade counselors and outreach workers",
                member.role.as_str()
            )));
        }
        self.store.connection().execute(
            "INSERT INTO member_level (member, level) VALUES (?1, ?2)
             ON CONFLICT (member) DO UPDATE SET level = excluded.level",
            params![
                i64::try_from(member.member).unwrap_or(i64::MAX),
                level.as_str()
            ],
        )?;
        Ok(())
    }

    /// This key manager's level decisions the roster she holds does not list yet (those it
    /// lists are spent, so a colleague's later decision is not overridden).
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn level_decisions(
        &self,
        held: Option<&crate::team::roster::Roster>,
    ) -> Result<Vec<(u64, crate::permissions::Level)>, VaultError> {
        let conn = self.store.connection();
        let rows: Vec<(i64, String)> = conn
            .prepare("SELECT member, level FROM member_level")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::new();
        for (member, level) in rows {
            let member = u64::try_from(member).unwrap_or(0);
            let Some(level) = crate::permissions::Level::parse(&level) else {
                continue;
            };
            if held.is_some_and(|r| r.level_of(member) == Some(level)) {
                conn.execute(
                    "DELETE FROM member_level WHERE member = ?1",
                    [member as i64],
                )?;
            } else {
                out.push((member, level));
            }
        }
        Ok(out)
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

    /// Whether the signed roster this device holds lists this very device, not revoked, of a
    /// member it has not removed: a key manager admitted it (or it made the team). False before
    /// the first roster arrives.
    ///
    /// Fails when the stored roster is damaged.
    pub fn is_admitted(&self) -> Result<bool, VaultError> {
        let me = self.ident.device.server_number();
        Ok(self
            .roster()?
            .zip(me)
            .is_some_and(|(r, d)| r.lists_active_device(d)))
    }

    /// The safety numbers this device's screen shows while it waits to be admitted: one per
    /// key manager's device in the roster it holds (empty before the first roster arrives).
    ///
    /// Fails when the stored roster is damaged.
    pub fn safety_numbers(&self) -> Result<Vec<SafetyNumber>, VaultError> {
        let Some(roster) = self.roster()? else {
            return Ok(Vec::new());
        };
        let me = self.ident.device.server_number();
        let mine = self.public_keys();
        Ok(roster
            .key_manager_devices()
            .filter(|(_, d)| Some(d.device) != me)
            .filter_map(|(m, d)| {
                let key = d.verifying_key()?;
                Some(SafetyNumber {
                    key_manager: m.username.clone(),
                    device: d.device,
                    role: m.role,
                    number: safety_number(
                        roster.team,
                        roster.org_key.as_deref(),
                        key.as_bytes(),
                        &mine,
                    ),
                })
            })
            .collect())
    }

    /// Replaces the pending list with the devices the server lists now that wait; a device
    /// with entries counted against it (wrong numbers, a block) stays, listed or not.
    ///
    /// Fails when the write fails.
    pub(crate) fn note_pending(
        &mut self,
        pending: &[PendingListing],
        in_roster: &[u64],
    ) -> Result<(), VaultError> {
        let now = chrono::Utc::now().timestamp();
        let tx = self.store.connection_mut().transaction()?;
        // Whatever the roster lists (admitted here or by another key manager) waits no more.
        for device in in_roster {
            tx.execute(
                "DELETE FROM pending_device WHERE device = ?1",
                [i64::try_from(*device).unwrap_or(i64::MAX)],
            )?;
        }
        let keep: Vec<String> = pending.iter().map(|p| p.device.to_string()).collect();
        // A device with wrong numbers against it stays on record even when the server stops
        // listing it: otherwise a server could wipe a block by hiding it for one round.
        tx.execute(
            &format!(
                "DELETE FROM pending_device
                 WHERE wrong_entries = 0 AND blocked = 0 AND device NOT IN ({})",
                if keep.is_empty() {
                    "-1".to_owned()
                } else {
                    keep.join(",")
                }
            ),
            [],
        )?;
        for p in pending {
            tx.execute(
                "INSERT INTO pending_device (device, member, username, role, public_keys,
                     first_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (device) DO UPDATE SET member = ?2, username = ?3, role = ?4,
                     public_keys = ?5",
                params![
                    i64::try_from(p.device).unwrap_or(i64::MAX),
                    i64::try_from(p.member).unwrap_or(i64::MAX),
                    p.username,
                    p.role.as_str(),
                    p.public_keys,
                    now
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// The devices this device's key manager admitted.
    ///
    /// Fails when the database cannot be read.
    pub(crate) fn admitted_devices(&self) -> Result<Vec<AdmittedDevice>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare("SELECT device, member, username, role, public_keys FROM admitted_device")?
            .query_map([], |r| {
                Ok(AdmittedDevice {
                    device: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
                    member: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    username: r.get(2)?,
                    role: role_of(r.get(3)?)?,
                    public_keys: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?)
    }
}

/// A device the server lists that waits to be admitted, as a sync round notes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PendingListing {
    pub device: u64,
    pub member: u64,
    pub username: String,
    pub role: Role,
    pub public_keys: Vec<u8>,
}
