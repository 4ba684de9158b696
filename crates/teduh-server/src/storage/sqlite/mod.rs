//! Embedded SQLite backend (the default): one file in the server's data directory.
//!
//! This file is every method of the `Storage` trait, in SQLite's SQL and driver. Beside it:
//! `pool.rs` (the writer, the read-only connections, opening and migrating the file, error
//! mapping), `rows.rs` (row mappers and the shared device insert), `ids.rs` (member and device
//! ids that survive a restore), `tokens.rs` (access and refresh tokens), `documents.rs` (what
//! the server keeps beside the record log) and `erasure.rs` (records replaced by their
//! tombstones). The rules both backends enforce are in `rules.rs`; what remains is SQL that
//! cannot be shared with the PostgreSQL backend.
//!
//! Why one file: `impl Storage for` this backend is a single block, which Rust keeps in one
//! module; each method is a transaction of a few statements, and the helpers that can live
//! outside the block already do (the files above).

mod documents;
mod erasure;
mod ids;
mod pool;
mod rows;
mod tokens;

use std::collections::HashSet;

use rusqlite::{params, OptionalExtension as _, TransactionBehavior};
use teduh_protocol::sync::{PullPage, Record, TeamRecord};

use self::ids::{id_floor, new_id, IdTable};
use self::pool::is_unique_violation;
pub use self::pool::SqliteStorage;
use self::rows::{device_row, finish_member, insert_device, member_row, team_row};
use super::rules::{
    advance_contiguous, check_next_epoch, check_roster_newer, cut_page, device_invitation_member,
    envelope_devices, plan_push, usable_invitation, InvitationRow, StoredContent,
};
use super::{
    epoch_of, role_of, to_i64, to_u64, AuthedDevice, BoxFuture, ClientWrap, Device, DeviceFilter,
    DirectoryBundle, Envelopes, ErasedRecords, Invitation, Lane, Member, NewDevice, NewInvitation,
    NewTokens, OrgDocuments, OrgSettingsUpload, PackagedInvitation, PresentedRefresh, PushOutcome,
    Registration, Renewal, Roster, Storage, StorageError, StoredMessage, Team, MEMBER_COLS,
};

impl Storage for SqliteStorage {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            self.with_reader(|c| Ok(c.query_row("SELECT 1", [], |_| Ok(()))?))
                .await
        })
    }

    fn schema_version(&self) -> BoxFuture<'_, Result<i64, StorageError>> {
        Box::pin(async move {
            self.with_reader(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get(0))?))
                .await
        })
    }

    fn init_org(&self, name: String, now: i64) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.with_conn(move |c| {
            match c.execute(
                "INSERT INTO org (id, name, created_at) VALUES (1, ?1, ?2)",
                params![name, now],
            ) {
                Ok(_) => Ok(()),
                Err(e) if is_unique_violation(&e) => {
                    Err(StorageError::AlreadyExists("organisation"))
                }
                Err(e) => Err(e.into()),
            }
        }))
    }

    fn org_name(&self) -> BoxFuture<'_, Result<Option<String>, StorageError>> {
        Box::pin(self.with_reader(|c| {
            Ok(
                c.query_row("SELECT name FROM org WHERE id = 1", [], |r| r.get(0))
                    .optional()?,
            )
        }))
    }

    fn org_documents(&self) -> BoxFuture<'_, Result<OrgDocuments, StorageError>> {
        Box::pin(self.read_org_documents())
    }

    fn put_org_settings(
        &self,
        upload: OrgSettingsUpload,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.store_org_settings(upload))
    }

    fn replace_org_key(&self, key: Option<[u8; 32]>) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.store_org_key(key))
    }

    fn create_team(&self, name: String, now: i64) -> BoxFuture<'_, Result<Team, StorageError>> {
        Box::pin(self.with_conn(move |c| {
            match c.execute(
                "INSERT INTO teams (name, created_at) VALUES (?1, ?2)",
                params![name, now],
            ) {
                Ok(_) => Ok(Team {
                    id: to_u64(c.last_insert_rowid()),
                    name,
                    key_epoch: 0,
                    last_seq: 0,
                }),
                Err(e) if is_unique_violation(&e) => Err(StorageError::AlreadyExists("team")),
                Err(e) => Err(e.into()),
            }
        }))
    }

    fn teams(&self) -> BoxFuture<'_, Result<Vec<Team>, StorageError>> {
        Box::pin(self.with_reader(|c| {
            let mut st =
                c.prepare("SELECT id, name, key_epoch, last_seq FROM teams ORDER BY id")?;
            let rows = st.query_map([], team_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn create_invitation(&self, inv: NewInvitation) -> BoxFuture<'_, Result<u64, StorageError>> {
        Box::pin(self.with_conn(move |c| {
            let team = to_i64(inv.team_id, "team id")?;
            let exists: Option<i64> = c
                .query_row("SELECT id FROM teams WHERE id = ?1", [team], |r| r.get(0))
                .optional()?;
            if exists.is_none() {
                return Err(StorageError::NotFound("team"));
            }
            let member = inv.member_id.map(|m| to_i64(m, "member id")).transpose()?;
            if let Some(m) = member {
                let in_team: Option<i64> = c
                    .query_row(
                        "SELECT id FROM members WHERE id = ?1 AND team_id = ?2 AND removed_at IS NULL",
                        [m, team],
                        |r| r.get(0),
                    )
                    .optional()?;
                if in_team.is_none() {
                    return Err(StorageError::NotFound("member"));
                }
            }
            match c.execute(
                "INSERT INTO invitations (team_id, role, member_id, package, code_hash, created_at,
                     expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![team, inv.role.as_str(), member, inv.package, &inv.code_hash[..], inv.created_at, inv.expires_at],
            ) {
                Ok(_) => {}
                // The same code twice (a device that reused a secret): refused, nothing stored.
                Err(e) if is_unique_violation(&e) => return Err(StorageError::AlreadyExists("invitation")),
                Err(e) => return Err(e.into()),
            }
            Ok(to_u64(c.last_insert_rowid()))
        }))
    }

    fn invitations(
        &self,
        team_id: Option<u64>,
    ) -> BoxFuture<'_, Result<Vec<Invitation>, StorageError>> {
        Box::pin(self.with_reader(move |c| {
            let team = team_id.map(|t| to_i64(t, "team id")).transpose()?;
            let mut st = c.prepare(
                "SELECT id, team_id, role, created_at, expires_at, used_at, member_id FROM invitations
                 WHERE ?1 IS NULL OR team_id = ?1 ORDER BY id",
            )?;
            let rows = st.query_map([team], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, i64>(4)?,
                    r.get::<_, Option<i64>>(5)?,
                    r.get::<_, Option<i64>>(6)?,
                ))
            })?;
            rows.map(|r| {
                let (id, team_id, role, created_at, expires_at, used_at, member_id) = r?;
                Ok(Invitation {
                    id: to_u64(id),
                    team_id: to_u64(team_id),
                    role: role_of(&role)?,
                    member_id: member_id.map(to_u64),
                    created_at,
                    expires_at,
                    used_at,
                })
            })
            .collect()
        }))
    }

    fn invitation_package(
        &self,
        code_hash: [u8; 32],
        now: i64,
    ) -> BoxFuture<'_, Result<PackagedInvitation, StorageError>> {
        Box::pin(self.with_reader(move |c| {
            let row = c
                .query_row(
                    "SELECT id, team_id, role, expires_at, used_at, member_id, package
                     FROM invitations WHERE code_hash = ?1",
                    [&code_hash[..]],
                    |r| {
                        Ok((
                            InvitationRow {
                                id: r.get(0)?,
                                team_id: r.get(1)?,
                                role: r.get(2)?,
                                expires_at: r.get(3)?,
                                used_at: r.get(4)?,
                                member_id: r.get(5)?,
                            },
                            r.get::<_, Option<Vec<u8>>>(6)?,
                        ))
                    },
                )
                .optional()?;
            let (inv, package) = row.map_or((None, None), |(i, p)| (Some(i), p));
            let expires_at = inv.as_ref().map_or(0, |i| i.expires_at);
            let usable = usable_invitation(inv, now)?;
            Ok(PackagedInvitation {
                team_id: to_u64(usable.team_id),
                role: usable.role,
                package: package.ok_or(StorageError::InvitationUnknown)?,
                expires_at,
            })
        }))
    }

    fn revoke_invitation(&self, id: u64, now: i64) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.with_conn(move |c| {
            let id = to_i64(id, "invitation id")?;
            let n = c.execute(
                "UPDATE invitations SET expires_at = MIN(expires_at, ?1) WHERE id = ?2",
                params![now, id],
            )?;
            if n == 0 {
                return Err(StorageError::NotFound("invitation"));
            }
            Ok(())
        }))
    }

    fn register(
        &self,
        reg: Registration,
        now: i64,
    ) -> BoxFuture<'_, Result<(AuthedDevice, Member), StorageError>> {
        Box::pin(self.with_conn(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let inv = tx
                .query_row(
                    "SELECT id, team_id, role, expires_at, used_at, member_id FROM invitations
                     WHERE code_hash = ?1",
                    [&reg.invitation_hash[..]],
                    |r| {
                        Ok(InvitationRow {
                            id: r.get(0)?,
                            team_id: r.get(1)?,
                            role: r.get(2)?,
                            expires_at: r.get(3)?,
                            used_at: r.get(4)?,
                            member_id: r.get(5)?,
                        })
                    },
                )
                .optional()?;
            let inv = usable_invitation(inv, now)?;
            let (inv_id, team_id) = (inv.id, inv.team_id);
            let (member_id, role) = match inv.member_id {
                Some(existing) => {
                    let member = tx
                        .query_row(
                            "SELECT username, role, removed_at FROM members WHERE id = ?1",
                            [existing],
                            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                        )
                        .optional()?;
                    (existing, device_invitation_member(member, &reg.username)?)
                }
                None => {
                    let member_id = new_id(&tx, IdTable::Members, reg.member_id)?;
                    match tx.execute(
                        "INSERT INTO members (id, team_id, username, role, created_at)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![member_id, team_id, reg.username, inv.role.as_str(), now],
                    ) {
                        Ok(_) => {}
                        Err(e) if is_unique_violation(&e) => {
                            return Err(StorageError::UsernameTaken)
                        }
                        Err(e) => return Err(e.into()),
                    }
                    (member_id, inv.role)
                }
            };
            tx.execute(
                "UPDATE invitations SET used_at = ?1, used_by = ?2 WHERE id = ?3",
                params![now, member_id, inv_id],
            )?;
            let device_id = insert_device(&tx, member_id, &reg.device)?;
            tx.commit()?;
            Ok(reg.into_registered(device_id, member_id, team_id, role))
        }))
    }

    fn create_device(
        &self,
        member_id: u64,
        device: NewDevice,
    ) -> BoxFuture<'_, Result<AuthedDevice, StorageError>> {
        Box::pin(self.with_conn(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mid = to_i64(member_id, "member id")?;
            let m: Option<(i64, String)> = tx
                .query_row(
                    "SELECT team_id, role FROM members WHERE id = ?1 AND removed_at IS NULL",
                    [mid],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((team_id, role)) = m else {
                return Err(StorageError::NotFound("member"));
            };
            let device_id = insert_device(&tx, mid, &device)?;
            tx.commit()?;
            Ok(AuthedDevice {
                device_id: to_u64(device_id),
                member_id,
                team_id: to_u64(team_id),
                role: role_of(&role)?,
            })
        }))
    }

    fn authenticate(
        &self,
        token_hash: [u8; 32],
        now: i64,
        // Every token check reads through the reader pool; SQLite's one writer is not involved.
        _lane: Lane,
    ) -> BoxFuture<'_, Result<AuthedDevice, StorageError>> {
        Box::pin(self.with_reader(move |c| tokens::authenticate(c, &token_hash, now)))
    }

    fn renew_tokens(
        &self,
        device: u64,
        presented: PresentedRefresh,
        anchor: Option<[u8; 32]>,
        next: NewTokens,
        now: i64,
    ) -> BoxFuture<'_, Result<Renewal, StorageError>> {
        Box::pin(async move {
            let decided = self
                .with_reader(move |c| tokens::decide(c, device, &presented, anchor, now))
                .await?;
            self.with_conn(move |c| {
                tokens::renew(c, device, &presented, anchor, &next, now, decided)
            })
            .await
        })
    }

    fn members(&self, team_id: u64) -> BoxFuture<'_, Result<Vec<Member>, StorageError>> {
        Box::pin(self.with_reader(move |c| {
            let team = to_i64(team_id, "team id")?;
            let mut st = c.prepare(&format!(
                "SELECT {MEMBER_COLS} FROM members WHERE team_id = ?1 ORDER BY id"
            ))?;
            let rows = st.query_map([team], member_row)?;
            rows.map(|r| finish_member(r?)).collect()
        }))
    }

    fn devices(&self, filter: DeviceFilter) -> BoxFuture<'_, Result<Vec<Device>, StorageError>> {
        Box::pin(self.with_reader(move |c| {
            let (cond, arg) = match filter {
                DeviceFilter::All => ("1 = 1 OR ?1 = 0", 0),
                DeviceFilter::Team(t) => ("m.team_id = ?1", to_i64(t, "team id")?),
                DeviceFilter::Member(m) => ("d.member_id = ?1", to_i64(m, "member id")?),
            };
            let mut st = c.prepare(&format!(
                "SELECT d.id, d.member_id, m.username, m.team_id, d.name, d.created_at, d.revoked_at, d.contiguous_seq,
                        d.public_keys, d.join_proof, d.revoked_reason
                 FROM devices d JOIN members m ON m.id = d.member_id WHERE {cond} ORDER BY d.id"
            ))?;
            let rows = st.query_map([arg], device_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        }))
    }

    fn revoke_device(&self, device_id: u64, now: i64) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.with_conn(move |c| {
            let id = to_i64(device_id, "device id")?;
            let n = c.execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?1) WHERE id = ?2",
                params![now, id],
            )?;
            if n == 0 {
                return Err(StorageError::NotFound("device"));
            }
            Ok(())
        }))
    }

    fn remove_member(&self, member_id: u64, now: i64) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.with_conn(move |c| {
            let id = to_i64(member_id, "member id")?;
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "UPDATE members SET removed_at = COALESCE(removed_at, ?1) WHERE id = ?2",
                params![now, id],
            )?;
            if n == 0 {
                return Err(StorageError::NotFound("member"));
            }
            tx.execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?1) WHERE member_id = ?2",
                params![now, id],
            )?;
            tx.commit()?;
            Ok(())
        }))
    }

    fn put_roster(
        &self,
        team_id: u64,
        version: u64,
        roster: Vec<u8>,
        now: i64,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.with_conn(move |c| {
            let team = to_i64(team_id, "team id")?;
            let v = to_i64(version, "roster version")?;
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current: i64 = tx.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM rosters WHERE team_id = ?1",
                [team],
                |r| r.get(0),
            )?;
            check_roster_newer(v, current)?;
            tx.execute(
                "INSERT INTO rosters (team_id, version, roster, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![team, v, roster, now],
            )?;
            tx.commit()?;
            Ok(())
        }))
    }

    fn roster(&self, team_id: u64) -> BoxFuture<'_, Result<Option<Roster>, StorageError>> {
        Box::pin(self.with_reader(move |c| {
            let team = to_i64(team_id, "team id")?;
            Ok(c.query_row(
                "SELECT version, roster FROM rosters WHERE team_id = ?1 ORDER BY version DESC LIMIT 1",
                [team],
                |r| Ok((to_u64(r.get(0)?), r.get(1)?)),
            )
            .optional()?)
        }))
    }

    fn rosters_after(
        &self,
        team_id: u64,
        after: u64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Roster>, StorageError>> {
        Box::pin(self.with_reader(move |c| {
            let team = to_i64(team_id, "team id")?;
            let after = to_i64(after, "roster version")?;
            let mut stmt = c.prepare(
                "SELECT version, roster FROM rosters WHERE team_id = ?1 AND version > ?2
                 ORDER BY version LIMIT ?3",
            )?;
            let rows = stmt
                .query_map(rusqlite::params![team, after, limit], |r| {
                    Ok((to_u64(r.get(0)?), r.get(1)?))
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        }))
    }

    fn add_epoch(
        &self,
        team_id: u64,
        epoch: u32,
        envelopes: Vec<(u64, Vec<u8>)>,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.with_conn(move |c| {
            let team = to_i64(team_id, "team id")?;
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current: Option<i64> = tx
                .query_row("SELECT key_epoch FROM teams WHERE id = ?1", [team], |r| r.get(0))
                .optional()?;
            let Some(current) = current else {
                return Err(StorageError::NotFound("team"));
            };
            check_next_epoch(current, epoch)?;
            let active = active_devices(&tx, team)?;
            let devices = envelope_devices(&envelopes, &active)?;
            for (device, (_, env)) in devices.into_iter().zip(&envelopes) {
                tx.execute(
                    "INSERT INTO team_key_envelopes (team_id, epoch, device_id, envelope) VALUES (?1, ?2, ?3, ?4)",
                    params![team, i64::from(epoch), device, env],
                )?;
            }
            tx.execute(
                "UPDATE teams SET key_epoch = ?1 WHERE id = ?2",
                params![i64::from(epoch), team],
            )?;
            tx.commit()?;
            Ok(())
        }))
    }

    fn envelopes(
        &self,
        team_id: u64,
        device_id: u64,
    ) -> BoxFuture<'_, Result<Envelopes, StorageError>> {
        Box::pin(self.with_reader(move |c| {
            let team = to_i64(team_id, "team id")?;
            let device = to_i64(device_id, "device id")?;
            let current: Option<i64> = c
                .query_row("SELECT key_epoch FROM teams WHERE id = ?1", [team], |r| r.get(0))
                .optional()?;
            let Some(current) = current else {
                return Err(StorageError::NotFound("team"));
            };
            let mut st = c.prepare(
                "SELECT epoch, envelope FROM team_key_envelopes WHERE team_id = ?1 AND device_id = ?2 ORDER BY epoch",
            )?;
            let rows = st.query_map([team, device], |r| {
                Ok((epoch_of(r.get(0)?), r.get(1)?))
            })?;
            Ok((epoch_of(current), rows.collect::<Result<Vec<_>, _>>()?))
        }))
    }

    fn post_messages(
        &self,
        team_id: u64,
        sender: u64,
        messages: Vec<(u64, Vec<u8>)>,
        now: i64,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.store_messages(team_id, sender, messages, now))
    }

    fn messages(
        &self,
        team_id: u64,
        recipient: u64,
        after: u64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<StoredMessage>, StorageError>> {
        Box::pin(self.read_messages(team_id, recipient, after, limit))
    }

    fn put_client_keys(
        &self,
        team_id: u64,
        wraps: Vec<ClientWrap>,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.store_client_keys(team_id, wraps))
    }

    fn erase_client_keys(
        &self,
        team_id: u64,
        client_id: Vec<u8>,
    ) -> BoxFuture<'_, Result<u64, StorageError>> {
        Box::pin(self.erase_client_key_wraps(team_id, client_id))
    }

    fn erase_records(
        &self,
        team_id: u64,
        tombstones: Vec<Record>,
    ) -> BoxFuture<'_, Result<ErasedRecords, StorageError>> {
        Box::pin(self.erase_stored_records(team_id, tombstones))
    }

    fn client_keys(
        &self,
        team_id: u64,
        epoch: Option<u32>,
    ) -> BoxFuture<'_, Result<Vec<ClientWrap>, StorageError>> {
        Box::pin(self.read_client_keys(team_id, epoch))
    }

    fn publish_directory(
        &self,
        bundle: DirectoryBundle,
        now: i64,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.store_directory(bundle, now))
    }

    fn latest_directory(&self) -> BoxFuture<'_, Result<Option<DirectoryBundle>, StorageError>> {
        Box::pin(self.read_latest_directory())
    }

    fn advance_team_sequences(
        &self,
        by: u64,
        now_ms: u64,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(self.with_conn(move |c| {
            let by = to_i64(by, "sequence step")?;
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute("UPDATE teams SET last_seq = last_seq + ?1", [by])?;
            tx.execute(
                "INSERT INTO server_meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![super::rules::RESTORED_AT_KEY, now_ms.to_be_bytes().to_vec()],
            )?;
            for table in [IdTable::Members, IdTable::Devices] {
                let max: i64 = tx.query_row(
                    &format!("SELECT COALESCE(MAX(id), 0) FROM {}", table.name()),
                    [],
                    |r| r.get(0),
                )?;
                let floor = max.max(id_floor(&tx, table)?).saturating_add(by);
                tx.execute(
                    "INSERT INTO server_meta (key, value) VALUES (?1, ?2)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    params![table.floor_key(), floor.to_be_bytes().to_vec()],
                )?;
            }
            tx.commit()?;
            Ok(())
        }))
    }

    fn push(
        &self,
        team_id: u64,
        device_id: u64,
        records: Vec<Record>,
        max_hlc: u64,
    ) -> BoxFuture<'_, Result<PushOutcome, StorageError>> {
        Box::pin(self.with_conn(move |c| {
            let team = to_i64(team_id, "team id")?;
            let device = to_i64(device_id, "device id")?;
            // The connection mutex plus an IMMEDIATE transaction serialise every push, so team
            // sequences are assigned and committed in the same order.
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let (current_epoch, last_seq): (i64, i64) = tx
                .prepare_cached("SELECT key_epoch, last_seq FROM teams WHERE id = ?1")?
                .query_row([team], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?
                .ok_or(StorageError::NotFound("team"))?;
            let contiguous: i64 = tx
                .prepare_cached("SELECT contiguous_seq FROM devices WHERE id = ?1")?
                .query_row([device], |r| r.get(0))
                .optional()?
                .ok_or(StorageError::NotFound("device"))?;
            let restored_at: Option<Vec<u8>> = tx
                .prepare_cached("SELECT value FROM server_meta WHERE key = ?1")?
                .query_row([super::rules::RESTORED_AT_KEY], |r| r.get(0))
                .optional()?;
            let plan = {
                let mut lookup = tx.prepare_cached(
                    "SELECT key_epoch, hlc, payload FROM records WHERE device_id = ?1 AND device_seq = ?2",
                )?;
                plan_push(
                    &records,
                    |seq| {
                        Ok(lookup
                            .query_row(params![device, seq as i64], |r| {
                                Ok(StoredContent {
                                    key_epoch: epoch_of(r.get(0)?),
                                    hlc: to_u64(r.get(1)?),
                                    payload: r.get(2)?,
                                })
                            })
                            .optional()?)
                    },
                    epoch_of(current_epoch),
                    max_hlc,
                    super::rules::restored_at(restored_at.as_deref()),
                )?
            };
            erasure::replace(&tx, device, &plan.erased)?;
            let mut seq = last_seq;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO records (team_id, team_seq, device_id, device_seq, key_epoch, hlc, payload)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?;
                for r in &plan.fresh {
                    seq += 1;
                    insert.execute(params![
                        team,
                        seq,
                        device,
                        r.device_seq as i64,
                        i64::from(r.key_epoch),
                        r.hlc as i64,
                        r.payload
                    ])?;
                }
            }
            let new_contiguous = {
                let mut above = tx.prepare_cached(
                    "SELECT device_seq FROM records WHERE device_id = ?1 AND device_seq > ?2 ORDER BY device_seq LIMIT 100000",
                )?;
                let seqs = above
                    .query_map([device, contiguous], |r| r.get::<_, i64>(0))?
                    .collect::<Result<Vec<_>, _>>()?;
                advance_contiguous(to_u64(contiguous), seqs.into_iter().map(to_u64))
            };
            if !plan.fresh.is_empty() {
                tx.prepare_cached("UPDATE teams SET last_seq = ?1 WHERE id = ?2")?
                    .execute([seq, team])?;
            }
            if new_contiguous != to_u64(contiguous) {
                tx.prepare_cached("UPDATE devices SET contiguous_seq = ?1 WHERE id = ?2")?
                    .execute([new_contiguous as i64, device])?;
            }
            tx.commit()?;
            if !plan.erased.is_empty() {
                pool::scrub(c);
            }
            Ok(PushOutcome {
                stored: plan.fresh.len() as u64,
                duplicates: plan.duplicates + plan.erased.len() as u64,
                contiguous_seq: new_contiguous,
            })
        }))
    }

    fn pull(
        &self,
        team_id: u64,
        after: u64,
        budget_bytes: usize,
        max_records: usize,
    ) -> BoxFuture<'_, Result<PullPage, StorageError>> {
        Box::pin(self.with_reader(move |c| {
            let team = to_i64(team_id, "team id")?;
            let after_i = to_i64(after, "cursor")?;
            let mut st = c.prepare_cached(
                "SELECT team_seq, device_id, device_seq, key_epoch, hlc, payload FROM records
                 WHERE team_id = ?1 AND team_seq > ?2 ORDER BY team_seq",
            )?;
            let rows = st.query_map([team, after_i], |r| {
                Ok(TeamRecord {
                    team_seq: to_u64(r.get(0)?),
                    record: Record {
                        device_id: to_u64(r.get(1)?),
                        device_seq: to_u64(r.get(2)?),
                        key_epoch: epoch_of(r.get(3)?),
                        hlc: to_u64(r.get(4)?),
                        payload: r.get(5)?,
                    },
                })
            })?;
            // Lazily: the rows are read only as far as the page reaches.
            Ok(cut_page(after, rows, budget_bytes, max_records)?)
        }))
    }
}

/// The ids of a team's active devices (not revoked, member not removed): who may receive an
/// envelope or a message.
fn active_devices(c: &rusqlite::Connection, team: i64) -> Result<HashSet<i64>, StorageError> {
    Ok(c.prepare(
        "SELECT d.id FROM devices d JOIN members m ON m.id = d.member_id
         WHERE m.team_id = ?1 AND m.removed_at IS NULL AND d.revoked_at IS NULL",
    )?
    .query_map([team], |r| r.get(0))?
    .collect::<Result<HashSet<i64>, _>>()?)
}
