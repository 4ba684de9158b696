//! Case assignment (issue 23, decision 0008): who works on a client's case, and the keys that
//! follow it. A client's readers are its workers and the team's supervisors; its data key is
//! wrapped to their devices only (`readers`). A supervisor assigns, transfers (with a reason)
//! and takes workers off; each change is an `assignment` record under the client's key, so the
//! history stays with the case. Until a supervisor assigns, the worker who registered the
//! client is its worker.
//!
//! Taking a worker off makes a new key for the client, wrapped to the remaining readers only:
//! records from then on are sealed under it, and her devices, which never receive it, drop
//! their copies of the client (`readers::forget_client`). A note she wrote offline before she
//! synced is sealed under the key she held, which every remaining reader holds too: it is
//! received like any other, not lost.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use teduh_protocol::sync::Role;
use zeroize::Zeroizing;

use super::batch::Batch;
use super::error::VaultError;
use super::identity::Identity;
use super::read::Reader;
use super::readers::{self, wrap_fields};
use super::sealed::{from_fields, to_fields, CREATOR_NONCE};
use super::{Unlocked, Vault};
use crate::crypto::DataKey;
use crate::hlc::Hlc;
use crate::ids::{ClientId, EntityId, MemberId};
use crate::permissions::{allows, Action, Level};
use crate::records::{Op, RecordKind};
use crate::screening::ScoringConfig;
use crate::team::roster::{Roster, RosterMember};

/// One assignment record's fields.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct StoredAssignment {
    /// The workers assigned from now on (supervisors read every client without being named).
    pub workers: Vec<MemberId>,
    /// Why (a transfer's or a release's reason).
    #[serde(default)]
    pub reason: Option<String>,
    /// The supervisor who decided it.
    pub author: MemberId,
}

/// A worker on a case, as the roster names her.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CaseWorker {
    /// The server's member id.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub member: u64,
    /// Her login name ("" when the roster no longer lists her).
    pub username: String,
    /// Her role, when the roster lists her.
    pub role: Option<String>,
    /// Her level, when she is a graded volunteer.
    pub level: Option<Level>,
}

/// One change of a case's workers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct AssignmentChange {
    /// When it was decided (the record's timestamp).
    pub at: DateTime<Utc>,
    /// Who decided it.
    pub by: CaseWorker,
    /// The workers from then on.
    pub workers: Vec<CaseWorker>,
    /// Why, when given.
    pub reason: Option<String>,
}

/// Who works on a client's case, and how that came to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct CaseAssignment {
    /// The workers now (the registering worker until a supervisor assigns).
    pub workers: Vec<CaseWorker>,
    /// Every change, oldest first.
    pub history: Vec<AssignmentChange>,
    /// Whether this member may change it (a supervisor).
    pub may_assign: bool,
    /// The team's members a supervisor may assign (not removed, not supervisors, who read
    /// every client anyway), by username.
    pub assignable: Vec<CaseWorker>,
}

fn worker(roster: Option<&Roster>, member: u64) -> CaseWorker {
    let m = roster.and_then(|r| r.member(member));
    CaseWorker {
        member,
        username: m.map_or_else(String::new, |m| m.username.clone()),
        role: m.map(|m| m.role.as_str().to_owned()),
        level: m.and_then(|m| m.level),
    }
}

/// Whether a member of the roster reads every client of the team (a supervisor).
fn reads_team(m: &RosterMember) -> bool {
    allows(m.role, m.level, Action::ReadTeamClients)
}

impl Reader<'_> {
    /// The client's assignment records, oldest first, with their timestamps.
    pub(super) fn assignments(
        &mut self,
        client: ClientId,
    ) -> Result<Vec<(Hlc, StoredAssignment)>, VaultError> {
        let mut out = Vec::new();
        for id in self.children(client, RecordKind::Assignment, None)? {
            let meta = self.expect(id, RecordKind::Assignment, "assignment")?;
            let stored: StoredAssignment = from_fields(self.fields(id, &meta)?, "assignment")?;
            out.push((self.created_hlc(id)?, stored));
        }
        Ok(out)
    }

    fn created_hlc(&self, id: EntityId) -> Result<Hlc, VaultError> {
        let h: i64 = self.conn.query_row(
            "SELECT created_hlc FROM entities WHERE entity_id = ?1",
            [&id.0[..]],
            |r| r.get(0),
        )?;
        Ok(Hlc::from_i64(h))
    }

    /// The members working on a client now: the latest assignment's, else the member whose
    /// device registered the client.
    pub(super) fn case_workers(
        &mut self,
        client: ClientId,
        roster: Option<&Roster>,
    ) -> Result<Vec<u64>, VaultError> {
        if let Some((_, last)) = self.assignments(client)?.pop() {
            return Ok(last
                .workers
                .iter()
                .filter_map(MemberId::server_number)
                .collect());
        }
        let creator: Option<Vec<u8>> = rusqlite::OptionalExtension::optional(self.conn.query_row(
            "SELECT created_device FROM entities WHERE entity_id = ?1",
            [&client.0[..]],
            |r| r.get(0),
        ))?;
        let device = creator
            .and_then(|d| <[u8; 16]>::try_from(d.as_slice()).ok())
            .and_then(|d| crate::ids::DeviceId(d).server_number());
        Ok(device
            .and_then(|d| roster?.device(d))
            .map(|d| vec![d.member])
            .unwrap_or_default())
    }
}

/// The devices a client's key goes to: those of `workers` and of the team's supervisors.
fn reader_devices(roster: &Roster, workers: &[u64]) -> Vec<(u64, [u8; 32])> {
    roster.active_devices_of(|m| workers.contains(&m.member) || reads_team(m))
}

impl Batch<'_> {
    /// A fresh data key for a new client, wrapped to its readers' devices (this member's, and
    /// the team's supervisors'), each wrap carrying the nonce that proves this device created
    /// the client. Before this device is in a roster it has no readers to name: the key is
    /// then team-wide, as every key was before need-to-know.
    pub(super) fn new_client_key(&mut self) -> Result<ClientId, VaultError> {
        let (roster, _) = self.reader().team()?;
        let me = self.ident.member.server_number();
        let readers = match (&roster, self.ident.device.server_number(), me) {
            (Some(r), Some(d), Some(m)) if r.lists_active_device(d) => reader_devices(r, &[m]),
            _ => return self.new_data_key(),
        };
        let nonce = crate::crypto::random_bytes::<16>();
        let id = ClientId::derived(&self.ident.ed25519_public, &nonce);
        let key = DataKey::generate();
        for reader in readers {
            let mut fields = wrap_fields(self.ident, id, &key, reader);
            fields.push((CREATOR_NONCE.into(), Zeroizing::new(nonce.to_vec())));
            self.append_plain(
                RecordKind::ClientKey,
                Op::Update,
                id.into(),
                id,
                None,
                fields,
            )?;
        }
        Ok(id)
    }

    /// Wraps `keys` of `client` to each of `devices` that lacks them (`force`: to each, whatever
    /// the wraps say: a worker assigned again after a release dropped the keys she had).
    fn wrap_missing(
        &mut self,
        client: ClientId,
        keys: &[DataKey],
        devices: &[(u64, [u8; 32])],
        force: bool,
    ) -> Result<u64, VaultError> {
        let have = if force {
            Vec::new()
        } else {
            readers::wrapped_to(&self.tx, client)?
        };
        let mut n = 0;
        for key in keys {
            // A team-wide key reaches every device already.
            if have.iter().any(|(k, r)| k[..] == key.id.0[..] && *r == 0) {
                continue;
            }
            for device in devices {
                if have
                    .iter()
                    .any(|(k, r)| k[..] == key.id.0[..] && *r == device.0)
                {
                    continue;
                }
                let fields = wrap_fields(self.ident, client, key, *device);
                self.append_plain(
                    RecordKind::ClientKey,
                    Op::Update,
                    client.into(),
                    client,
                    None,
                    fields,
                )?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// The client's keys this device holds that a new reader needs wrapped to her, newest
    /// first (a team-wide key reaches every member through its own record already).
    fn held_keys(&mut self, client: ClientId) -> Result<Vec<DataKey>, VaultError> {
        readers::wrapped_keys(&self.tx, self.ident, self.u, client)
    }
}

/// What an assignment change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AssignOutcome {
    /// A worker was taken off: the client has a new key her devices never receive.
    pub rekeyed: bool,
    /// Key wraps written (to the new workers' devices, or of the new key).
    pub wraps: u64,
}

impl Vault {
    /// This member as the roster lists her (number, role, level), for [`forget_unassigned`].
    pub(super) fn assignment_self(
        &mut self,
        roster: Option<&Roster>,
    ) -> Result<Option<(u64, Role, Option<Level>)>, VaultError> {
        let role = self.quiet_reader()?.my_role()?;
        Ok(self
            .ident
            .member
            .server_number()
            .zip(role)
            .map(|(m, role)| (m, role, roster.and_then(|r| r.level_of(m)))))
    }

    /// How many records this device stores unopened: of clients it does not read (not
    /// assigned to it). They are counted nowhere else.
    ///
    /// Fails when the database cannot be read.
    pub fn unopened_count(&self) -> Result<u64, VaultError> {
        readers::unopened_count(self.store.connection())
    }

    /// The records this device stores unopened, with why (of clients it does not read, or
    /// one that did not pass the rules once its key arrived).
    ///
    /// Fails when the database cannot be read.
    pub fn unopened_records(&self) -> Result<Vec<String>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare("SELECT device_id, seq, reason FROM unopened_record ORDER BY device_id, seq")?
            .query_map([], |r| {
                Ok(format!(
                    "record {}/{}: {}",
                    crate::ids::hex(&r.get::<_, Vec<u8>>(0)?),
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?
                ))
            })?
            .collect::<Result<_, _>>()?)
    }

    /// The stored roster (verified when it was accepted) and this member's server number
    /// (read without counting as the user's activity: the sync round asks too).
    fn roster_and_me(&mut self) -> Result<(Option<Roster>, Option<u64>), VaultError> {
        let r = self.quiet_reader()?;
        Ok((r.team()?.0, self.ident.member.server_number()))
    }

    /// Who works on a client's case, its history, and whether this member may change it.
    ///
    /// Fails when locked, for a client this device does not read, or with
    /// [`VaultError::Integrity`].
    pub fn case_assignment(&mut self, client: ClientId) -> Result<CaseAssignment, VaultError> {
        let (roster, _) = self.roster_and_me()?;
        let may_assign = self.reader()?.may(Action::AssignCase)?;
        let mut r = self.reader()?;
        r.expect(client.into(), RecordKind::Client, "client")?;
        let workers = r.case_workers(client, roster.as_ref())?;
        let history = r
            .assignments(client)?
            .into_iter()
            .map(|(at, a)| AssignmentChange {
                at: DateTime::from_timestamp_millis(i64::try_from(at.millis()).unwrap_or(0))
                    .unwrap_or_default(),
                by: worker(roster.as_ref(), a.author.server_number().unwrap_or(0)),
                workers: a
                    .workers
                    .iter()
                    .filter_map(MemberId::server_number)
                    .map(|m| worker(roster.as_ref(), m))
                    .collect(),
                reason: a.reason,
            })
            .collect();
        let assignable = roster
            .as_ref()
            .map(|ro| {
                let mut v: Vec<CaseWorker> = ro
                    .members
                    .iter()
                    .filter(|m| !m.removed && !reads_team(m))
                    .map(|m| worker(Some(ro), m.member))
                    .collect();
                v.sort_by(|a, b| a.username.cmp(&b.username));
                v
            })
            .unwrap_or_default();
        Ok(CaseAssignment {
            workers: workers
                .into_iter()
                .map(|m| worker(roster.as_ref(), m))
                .collect(),
            history,
            may_assign,
            assignable,
        })
    }

    /// Sets who works on a client's case (a supervisor's decision): `workers` from now on, with
    /// a reason (required when a worker is taken off: a transfer or a release). New workers'
    /// devices get every key of the client this device holds (so the history opens for them);
    /// a worker taken off makes a new key for the remaining readers.
    ///
    /// Fails with [`VaultError::NotPermitted`] when this member is not a supervisor, or when a
    /// child's case would have no senior volunteer, staff worker or supervisor among its
    /// workers; with [`VaultError::InvalidInput`] for a member the roster does not list or a
    /// release without a reason; when locked or for an unknown client.
    pub fn assign_case(
        &mut self,
        client: ClientId,
        workers: &[u64],
        reason: Option<&str>,
    ) -> Result<AssignOutcome, VaultError> {
        if !self.reader()?.may(Action::AssignCase)? {
            return Err(VaultError::NotPermitted(
                "only a supervisor assigns a case".into(),
            ));
        }
        let (Some(roster), Some(me)) = self.roster_and_me()? else {
            return Err(VaultError::NotPermitted(
                "cases are assigned in a team: this computer has not joined one".into(),
            ));
        };
        let workers: Vec<u64> = workers
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for w in &workers {
            if roster.member(*w).is_none_or(|m| m.removed) {
                return Err(VaultError::InvalidInput(format!(
                    "member {w} is not in the team"
                )));
            }
        }
        let today = self.today(Utc::now())?;
        let child = self.client(client)?.profile.is_child(today) == Some(true);
        if child && !workers.is_empty() && !holds_child_case(&roster, &workers) {
            return Err(VaultError::NotPermitted(
                "a child's case needs a senior volunteer, a staff worker or a supervisor among \
                 its workers"
                    .into(),
            ));
        }
        let before = self.reader()?.case_workers(client, Some(&roster))?;
        let taken_off: Vec<u64> = before
            .iter()
            .copied()
            .filter(|m| !workers.contains(m))
            .filter(|m| !roster.member(*m).is_some_and(reads_team))
            .collect();
        let reason = reason.map(str::trim).filter(|r| !r.is_empty());
        if !taken_off.is_empty() && reason.is_none() {
            return Err(VaultError::InvalidInput(
                "say why a worker is taken off the case (a transfer or a release)".into(),
            ));
        }
        let stored = StoredAssignment {
            workers: workers.iter().map(|m| MemberId::from_server(*m)).collect(),
            reason: reason.map(str::to_owned),
            author: MemberId::from_server(me),
        };
        let devices = reader_devices(&roster, &workers);
        let added: Vec<u64> = workers
            .iter()
            .copied()
            .filter(|m| !before.contains(m))
            .collect();
        let added_devices = roster.active_devices_of(|m| added.contains(&m.member));
        self.batch(|b| {
            // First, under the key the workers taken off still hold: their devices learn it
            // and drop the client.
            b.create_child(client, RecordKind::Assignment, None, &to_fields(&stored)?)?;
            let mut out = AssignOutcome::default();
            // Every key the client has had, to the workers new on the case (one assigned again
            // after a release dropped hers); then what any other reader lacks.
            let every: Vec<DataKey> =
                super::sealed::client_key_versions(&b.tx, b.ident, b.u, client)?.to_vec();
            out.wraps += b.wrap_missing(client, &every, &added_devices, true)?;
            let held = b.held_keys(client)?;
            out.wraps += b.wrap_missing(client, &held, &devices, false)?;
            if !taken_off.is_empty() {
                let fresh = DataKey::generate();
                out.wraps +=
                    b.wrap_missing(client, std::slice::from_ref(&fresh), &devices, false)?;
                out.rekeyed = true;
            }
            Ok(out)
        })
    }

    /// Adds one worker (by login name) to a client's case.
    ///
    /// Fails as [`Vault::assign_case`] does, or with [`VaultError::NotFound`] for an unknown
    /// name.
    pub fn assign_member(
        &mut self,
        client: ClientId,
        username: &str,
    ) -> Result<AssignOutcome, VaultError> {
        let (roster, _) = self.roster_and_me()?;
        let member = member_named(roster.as_ref(), username)?;
        let mut workers = self.reader()?.case_workers(client, roster.as_ref())?;
        workers.push(member);
        self.assign_case(client, &workers, None)
    }

    /// Takes one worker (by login name) off a client's case, with a reason.
    ///
    /// Fails as [`Vault::assign_case`] does, or with [`VaultError::NotFound`] for an unknown
    /// name or one not on the case.
    pub fn unassign_member(
        &mut self,
        client: ClientId,
        username: &str,
        reason: &str,
    ) -> Result<AssignOutcome, VaultError> {
        let (roster, _) = self.roster_and_me()?;
        let member = member_named(roster.as_ref(), username)?;
        let mut workers = self.reader()?.case_workers(client, roster.as_ref())?;
        if !workers.contains(&member) {
            return Err(VaultError::NotFound {
                what: "worker on this case named",
                id: username.to_owned(),
            });
        }
        workers.retain(|m| *m != member);
        self.assign_case(client, &workers, Some(reason))
    }

    /// Wraps the keys of the clients this device holds to the readers' devices that lack them
    /// (a new device of an assigned worker, a new supervisor): on a supervisor's device for
    /// every client it holds; on anyone else's, to her own other devices for the clients she
    /// works on. Runs in every sync round, over every client only when the roster changed.
    /// Returns the wraps written.
    ///
    /// Fails when locked or a write fails.
    pub fn wrap_keys_for_readers(&mut self) -> Result<u64, VaultError> {
        let (Some(roster), Some(me)) = self.roster_and_me()? else {
            return Ok(0);
        };
        let Some(my_device) = self.ident.device.server_number() else {
            return Ok(0);
        };
        if !roster.lists_active_device(my_device) {
            return Ok(0);
        }
        let supervisor = roster.member(me).is_some_and(reads_team);
        let conn = self.store.connection();
        let last: Option<i64> = rusqlite::OptionalExtension::optional(conn.query_row(
            "SELECT roster_version FROM rewrap_pass WHERE id = 1",
            [],
            |r| r.get(0),
        ))?;
        let all = last != i64::try_from(roster.version).ok();
        let clients: Vec<ClientId> = {
            let sql = if all {
                "SELECT DISTINCT client_id FROM client_keys"
            } else {
                "SELECT client_id FROM rewrap_due"
            };
            let ids: Vec<Vec<u8>> = conn
                .prepare(sql)?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            ids.iter()
                .filter_map(|b| <[u8; 16]>::try_from(b.as_slice()).ok().map(ClientId))
                .collect()
        };
        let mut plan = Vec::new();
        {
            let mut r = self.quiet_reader()?;
            for client in clients {
                // Contacts and the on-call rota have team-wide keys and no case.
                if r.meta(client.into())?
                    .is_none_or(|m| m.kind != RecordKind::Client)
                {
                    continue;
                }
                let workers = r.case_workers(client, Some(&roster))?;
                let devices = if supervisor {
                    reader_devices(&roster, &workers)
                } else if workers.contains(&me) {
                    roster.active_devices_of(|m| m.member == me)
                } else {
                    continue;
                };
                plan.push((client, devices));
            }
        }
        let version = roster.version;
        self.quiet_batch(|b| {
            let mut n = 0;
            for (client, devices) in &plan {
                let held = b.held_keys(*client)?;
                n += b.wrap_missing(*client, &held, devices, false)?;
            }
            b.tx.execute("DELETE FROM rewrap_due", [])?;
            b.tx.execute(
                "INSERT INTO rewrap_pass (id, roster_version) VALUES (1, ?1)
                 ON CONFLICT (id) DO UPDATE SET roster_version = excluded.roster_version",
                [i64::try_from(version).unwrap_or(i64::MAX)],
            )?;
            Ok(n)
        })
    }
}

/// Whether one of `workers` may hold a child's case (the permissions table).
fn holds_child_case(roster: &Roster, workers: &[u64]) -> bool {
    workers.iter().any(|w| {
        roster
            .member(*w)
            .is_some_and(|m| allows(m.role, m.level, Action::HoldChildCase))
    })
}

fn member_named(roster: Option<&Roster>, username: &str) -> Result<u64, VaultError> {
    roster
        .and_then(|r| {
            r.members
                .iter()
                .find(|m| m.username == username && !m.removed)
        })
        .map(|m| m.member)
        .ok_or_else(|| VaultError::NotFound {
            what: "team member named",
            id: username.to_owned(),
        })
}

/// After receiving assignment records of `clients`: on a device whose member is on none of
/// those cases any more (and is not a supervisor), drop its copies of the client
/// ([`readers::forget_client`]); mark the clients for the wrap pass otherwise.
pub(super) fn forget_unassigned(
    conn: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    scoring: &ScoringConfig,
    me: Option<(u64, Role, Option<Level>)>,
    roster: Option<&Roster>,
    clients: &[ClientId],
) -> Result<u64, VaultError> {
    let Some((me, role, level)) = me else {
        return Ok(0);
    };
    let mut forgotten = 0;
    for client in clients {
        conn.execute(
            "INSERT OR IGNORE INTO rewrap_due (client_id) VALUES (?1)",
            [&client.0[..]],
        )?;
        if allows(role, level, Action::ReadTeamClients) || !readers::holds_key(conn, *client)? {
            continue;
        }
        let workers = Reader {
            conn,
            ident,
            u,
            scoring,
        }
        .case_workers(*client, roster)?;
        if !workers.contains(&me) && readers::forget_client(conn, u, *client)? {
            forgotten += 1;
        }
    }
    Ok(forgotten)
}

#[cfg(feature = "forge")]
impl Vault {
    /// Wraps the newest key of `client` this device holds to the roster's device `device`,
    /// with none of the checks (what a modified app could do). For tests of what receivers
    /// enforce only (feature `forge`). Returns whether it held a key to wrap.
    ///
    /// Fails when locked, when the roster does not list the device, or the write fails.
    pub fn forge_key_wrap(&mut self, client: ClientId, device: u64) -> Result<bool, VaultError> {
        self.forge_wrap(client, device, false)
    }

    /// As [`Vault::forge_key_wrap`], with one byte of the sealed key flipped: a wrap its
    /// device cannot open (damage, or a modified app). For tests only (feature `forge`).
    ///
    /// Fails when locked, when the roster does not list the device, or the write fails.
    pub fn forge_damaged_key_wrap(
        &mut self,
        client: ClientId,
        device: u64,
    ) -> Result<bool, VaultError> {
        self.forge_wrap(client, device, true)
    }

    fn forge_wrap(
        &mut self,
        client: ClientId,
        device: u64,
        damaged: bool,
    ) -> Result<bool, VaultError> {
        let target = self.roster_device(device)?;
        self.batch(|b| {
            let Some(key) = b.held_keys(client)?.into_iter().next() else {
                return Ok(false);
            };
            let mut fields = wrap_fields(b.ident, client, &key, target);
            let sealed = fields
                .iter_mut()
                .find(|(name, _)| name == super::readers::SEALED_KEY);
            if let Some(last) = sealed.and_then(|(_, v)| v.last_mut()).filter(|_| damaged) {
                *last ^= 1;
            }
            b.append_plain(
                RecordKind::ClientKey,
                Op::Update,
                client.into(),
                client,
                None,
                fields,
            )?;
            Ok(true)
        })
    }
}
