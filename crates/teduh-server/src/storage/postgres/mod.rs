//! PostgreSQL backend, for large deployments (`--database postgres://...`).
//!
//! This file is every method of the `Storage` trait, in PostgreSQL's SQL and driver. Beside it:
//! `pool.rs` (connecting, the three pools, migrations, error mapping), `rows.rs` (row mappers
//! and the shared device insert), `records.rs` (push and pull, the record log's busy paths),
//! `tokens.rs` (access tokens and the refresh chain) and `documents.rs` (what the server keeps
//! beside the record log: the organisation's settings, the directory, client-key wraps, the
//! mailbox).
//! The rules both backends enforce are in `rules.rs`; what remains is SQL that cannot be shared
//! with the SQLite backend.
//!
//! Why one file: `impl Storage for` this backend is a single block, which Rust keeps in one
//! module; each method is a transaction of a few statements, and the helpers that can live
//! outside the block already do (the files above).

mod documents;
mod pool;
mod records;
mod rows;
mod tokens;

use std::collections::HashSet;

use teduh_protocol::sync::{PullPage, Record};

use self::pool::is_unique_violation;
pub use self::pool::{PostgresStorage, DEFAULT_POOL_SIZE};
use self::rows::{asked_id, insert_device, member_row, team_row};
use super::rules::{
    check_next_epoch, check_roster_newer, device_invitation_member, envelope_devices,
    usable_invitation, InvitationRow,
};
use super::{
    epoch_of, role_of, to_i64, to_u64, AuthedDevice, BoxFuture, ClientWrap, Device, DeviceFilter,
    DirectoryBundle, Envelopes, ErasedRecords, Invitation, Lane, Member, NewDevice, NewInvitation,
    NewTokens, OrgDocuments, OrgSettingsUpload, PackagedInvitation, PresentedRefresh, PushOutcome,
    Registration, Renewal, Roster, Storage, StorageError, StoredMessage, Team, MEMBER_COLS,
};

impl Storage for PostgresStorage {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            let c = self.read_conn().await?;
            c.simple_query("SELECT 1").await?;
            Ok(())
        })
    }

    fn schema_version(&self) -> BoxFuture<'_, Result<i64, StorageError>> {
        Box::pin(async move {
            let c = self.read_conn().await?;
            Ok(c.query_one("SELECT version FROM schema_version", &[])
                .await?
                .try_get(0)?)
        })
    }

    fn init_org(&self, name: String, now: i64) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            let c = self.conn().await?;
            match c
                .execute(
                    "INSERT INTO org (id, name, created_at) VALUES (1, $1, $2)",
                    &[&name, &now],
                )
                .await
            {
                Ok(_) => Ok(()),
                Err(e) if is_unique_violation(&e) => {
                    Err(StorageError::AlreadyExists("organisation"))
                }
                Err(e) => Err(e.into()),
            }
        })
    }

    fn org_name(&self) -> BoxFuture<'_, Result<Option<String>, StorageError>> {
        Box::pin(async move {
            let c = self.read_conn().await?;
            let row = c
                .query_opt("SELECT name FROM org WHERE id = 1", &[])
                .await?;
            Ok(match row {
                Some(r) => Some(r.try_get(0)?),
                None => None,
            })
        })
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
        Box::pin(async move {
            let c = self.conn().await?;
            match c
                .query_one(
                    "INSERT INTO teams (name, created_at) VALUES ($1, $2) RETURNING id, name, key_epoch, last_seq",
                    &[&name, &now],
                )
                .await
            {
                Ok(r) => team_row(&r),
                Err(e) if is_unique_violation(&e) => Err(StorageError::AlreadyExists("team")),
                Err(e) => Err(e.into()),
            }
        })
    }

    fn teams(&self) -> BoxFuture<'_, Result<Vec<Team>, StorageError>> {
        Box::pin(async move {
            let c = self.read_conn().await?;
            let rows = c
                .query(
                    "SELECT id, name, key_epoch, last_seq FROM teams ORDER BY id",
                    &[],
                )
                .await?;
            rows.iter().map(team_row).collect()
        })
    }

    fn create_invitation(&self, inv: NewInvitation) -> BoxFuture<'_, Result<u64, StorageError>> {
        Box::pin(async move {
            let team = to_i64(inv.team_id, "team id")?;
            let c = self.conn().await?;
            if c.query_opt("SELECT id FROM teams WHERE id = $1", &[&team])
                .await?
                .is_none()
            {
                return Err(StorageError::NotFound("team"));
            }
            let member = inv.member_id.map(|m| to_i64(m, "member id")).transpose()?;
            if let Some(m) = member {
                let in_team = c
                    .query_opt(
                        "SELECT id FROM members WHERE id = $1 AND team_id = $2 AND removed_at IS NULL",
                        &[&m, &team],
                    )
                    .await?;
                if in_team.is_none() {
                    return Err(StorageError::NotFound("member"));
                }
            }
            let r = match c
                .query_one(
                    "INSERT INTO invitations (team_id, role, member_id, package, code_hash, created_at,
                         expires_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                    &[&team, &inv.role.as_str(), &member, &inv.package, &&inv.code_hash[..], &inv.created_at, &inv.expires_at],
                )
                .await
            {
                Ok(r) => r,
                // The same code twice (a device that reused a secret): refused, nothing stored.
                Err(e) if is_unique_violation(&e) => {
                    return Err(StorageError::AlreadyExists("invitation"))
                }
                Err(e) => return Err(e.into()),
            };
            Ok(to_u64(r.try_get(0)?))
        })
    }

    fn invitations(
        &self,
        team_id: Option<u64>,
    ) -> BoxFuture<'_, Result<Vec<Invitation>, StorageError>> {
        Box::pin(async move {
            let team = team_id.map(|t| to_i64(t, "team id")).transpose()?;
            let c = self.read_conn().await?;
            let rows = c
                .query(
                    "SELECT id, team_id, role, created_at, expires_at, used_at, member_id FROM invitations
                     WHERE $1::BIGINT IS NULL OR team_id = $1 ORDER BY id",
                    &[&team],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(Invitation {
                        id: to_u64(r.try_get(0)?),
                        team_id: to_u64(r.try_get(1)?),
                        role: role_of(r.try_get(2)?)?,
                        created_at: r.try_get(3)?,
                        expires_at: r.try_get(4)?,
                        used_at: r.try_get(5)?,
                        member_id: r.try_get::<_, Option<i64>>(6)?.map(to_u64),
                    })
                })
                .collect()
        })
    }

    fn invitation_package(
        &self,
        code_hash: [u8; 32],
        now: i64,
    ) -> BoxFuture<'_, Result<PackagedInvitation, StorageError>> {
        Box::pin(async move {
            let c = self.read_conn().await?;
            let row = c
                .query_opt(
                    "SELECT id, team_id, role, expires_at, used_at, member_id, package
                     FROM invitations WHERE code_hash = $1",
                    &[&&code_hash[..]],
                )
                .await?;
            let (inv, package) = match row {
                Some(r) => (
                    Some(InvitationRow {
                        id: r.try_get(0)?,
                        team_id: r.try_get(1)?,
                        role: r.try_get(2)?,
                        expires_at: r.try_get(3)?,
                        used_at: r.try_get(4)?,
                        member_id: r.try_get(5)?,
                    }),
                    r.try_get::<_, Option<Vec<u8>>>(6)?,
                ),
                None => (None, None),
            };
            let expires_at = inv.as_ref().map_or(0, |i| i.expires_at);
            let usable = usable_invitation(inv, now)?;
            Ok(PackagedInvitation {
                team_id: to_u64(usable.team_id),
                role: usable.role,
                package: package.ok_or(StorageError::InvitationUnknown)?,
                expires_at,
            })
        })
    }

    fn revoke_invitation(&self, id: u64, now: i64) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            let id = to_i64(id, "invitation id")?;
            let c = self.conn().await?;
            let n = c
                .execute(
                    "UPDATE invitations SET expires_at = LEAST(expires_at, $1) WHERE id = $2",
                    &[&now, &id],
                )
                .await?;
            if n == 0 {
                return Err(StorageError::NotFound("invitation"));
            }
            Ok(())
        })
    }

    fn register(
        &self,
        reg: Registration,
        now: i64,
    ) -> BoxFuture<'_, Result<(AuthedDevice, Member), StorageError>> {
        Box::pin(async move {
            let mut c = self.conn().await?;
            let tx = c.transaction().await?;
            let inv = tx
                .query_opt(
                    "SELECT id, team_id, role, expires_at, used_at, member_id FROM invitations
                     WHERE code_hash = $1 FOR UPDATE",
                    &[&&reg.invitation_hash[..]],
                )
                .await?;
            let inv = match inv {
                Some(r) => Some(InvitationRow {
                    id: r.try_get(0)?,
                    team_id: r.try_get(1)?,
                    role: r.try_get(2)?,
                    expires_at: r.try_get(3)?,
                    used_at: r.try_get(4)?,
                    member_id: r.try_get(5)?,
                }),
                None => None,
            };
            let inv = usable_invitation(inv, now)?;
            let (inv_id, team_id) = (inv.id, inv.team_id);
            let (member_id, role) = match inv.member_id {
                Some(existing) => {
                    let member = tx
                        .query_opt(
                            "SELECT username, role, removed_at FROM members WHERE id = $1 FOR UPDATE",
                            &[&existing],
                        )
                        .await?
                        .map(|r| Ok::<_, StorageError>((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                        .transpose()?;
                    (existing, device_invitation_member(member, &reg.username)?)
                }
                None => {
                    let asked = asked_id(&tx, "members", reg.member_id).await?;
                    let member_id: i64 = match tx
                        .query_one(
                            "INSERT INTO members (id, team_id, username, role, created_at)
                             VALUES (COALESCE($5, nextval('members_id_seq')), $1, $2, $3, $4) RETURNING id",
                            &[&team_id, &reg.username, &inv.role.as_str(), &now, &asked],
                        )
                        .await
                    {
                        Ok(r) => r.try_get(0)?,
                        Err(e) if is_unique_violation(&e) => return Err(StorageError::UsernameTaken),
                        Err(e) => return Err(e.into()),
                    };
                    (member_id, inv.role)
                }
            };
            tx.execute(
                "UPDATE invitations SET used_at = $1, used_by = $2 WHERE id = $3",
                &[&now, &member_id, &inv_id],
            )
            .await?;
            let device_id = insert_device(&tx, member_id, &reg.device).await?;
            tx.commit().await?;
            Ok(reg.into_registered(device_id, member_id, team_id, role))
        })
    }

    fn create_device(
        &self,
        member_id: u64,
        device: NewDevice,
    ) -> BoxFuture<'_, Result<AuthedDevice, StorageError>> {
        Box::pin(async move {
            let mid = to_i64(member_id, "member id")?;
            let mut c = self.conn().await?;
            let tx = c.transaction().await?;
            let m = tx
                .query_opt(
                    "SELECT team_id, role FROM members WHERE id = $1 AND removed_at IS NULL FOR UPDATE",
                    &[&mid],
                )
                .await?;
            let Some(m) = m else {
                return Err(StorageError::NotFound("member"));
            };
            let team_id: i64 = m.try_get(0)?;
            let role = role_of(m.try_get(1)?)?;
            let device_id = insert_device(&tx, mid, &device).await?;
            tx.commit().await?;
            Ok(AuthedDevice {
                device_id: to_u64(device_id),
                member_id,
                team_id: to_u64(team_id),
                role,
            })
        })
    }

    fn authenticate(
        &self,
        token_hash: [u8; 32],
        now: i64,
        lane: Lane,
    ) -> BoxFuture<'_, Result<AuthedDevice, StorageError>> {
        Box::pin(self.authenticate_access(token_hash, now, lane))
    }

    fn renew_tokens(
        &self,
        device: u64,
        presented: PresentedRefresh,
        anchor: Option<[u8; 32]>,
        next: NewTokens,
        now: i64,
    ) -> BoxFuture<'_, Result<Renewal, StorageError>> {
        Box::pin(self.renew(device, presented, anchor, next, now))
    }

    fn members(&self, team_id: u64) -> BoxFuture<'_, Result<Vec<Member>, StorageError>> {
        Box::pin(async move {
            let team = to_i64(team_id, "team id")?;
            let c = self.read_conn().await?;
            let rows = c
                .query(
                    &format!("SELECT {MEMBER_COLS} FROM members WHERE team_id = $1 ORDER BY id"),
                    &[&team],
                )
                .await?;
            rows.iter().map(member_row).collect()
        })
    }

    fn devices(&self, filter: DeviceFilter) -> BoxFuture<'_, Result<Vec<Device>, StorageError>> {
        Box::pin(async move {
            let (cond, arg) = match filter {
                DeviceFilter::All => ("($1::BIGINT IS NULL OR TRUE)", 0),
                DeviceFilter::Team(t) => ("m.team_id = $1", to_i64(t, "team id")?),
                DeviceFilter::Member(m) => ("d.member_id = $1", to_i64(m, "member id")?),
            };
            let c = self.read_conn().await?;
            let rows = c
                .query(
                    &format!(
                        "SELECT d.id, d.member_id, m.username, m.team_id, d.name, d.created_at, d.revoked_at, d.contiguous_seq,
                                d.public_keys, d.join_proof, d.revoked_reason
                         FROM devices d JOIN members m ON m.id = d.member_id WHERE {cond} ORDER BY d.id"
                    ),
                    &[&arg],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(Device {
                        id: to_u64(r.try_get(0)?),
                        member_id: to_u64(r.try_get(1)?),
                        username: r.try_get(2)?,
                        team_id: to_u64(r.try_get(3)?),
                        name: r.try_get(4)?,
                        created_at: r.try_get(5)?,
                        revoked_at: r.try_get(6)?,
                        contiguous_seq: to_u64(r.try_get(7)?),
                        public_keys: r.try_get(8)?,
                        join_proof: r.try_get(9)?,
                        revoked_reason: r.try_get(10)?,
                    })
                })
                .collect()
        })
    }

    fn revoke_device(&self, device_id: u64, now: i64) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            let id = to_i64(device_id, "device id")?;
            let c = self.conn().await?;
            let n = c
                .execute(
                    "UPDATE devices SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
                    &[&now, &id],
                )
                .await?;
            if n == 0 {
                return Err(StorageError::NotFound("device"));
            }
            Ok(())
        })
    }

    fn remove_member(&self, member_id: u64, now: i64) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            let id = to_i64(member_id, "member id")?;
            let mut c = self.conn().await?;
            let tx = c.transaction().await?;
            let n = tx
                .execute(
                    "UPDATE members SET removed_at = COALESCE(removed_at, $1) WHERE id = $2",
                    &[&now, &id],
                )
                .await?;
            if n == 0 {
                return Err(StorageError::NotFound("member"));
            }
            tx.execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, $1) WHERE member_id = $2",
                &[&now, &id],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn put_roster(
        &self,
        team_id: u64,
        version: u64,
        roster: Vec<u8>,
        now: i64,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            let team = to_i64(team_id, "team id")?;
            let v = to_i64(version, "roster version")?;
            let mut c = self.conn().await?;
            let tx = c.transaction().await?;
            // The team row lock serialises concurrent uploads of the same team's roster.
            if tx
                .query_opt("SELECT id FROM teams WHERE id = $1 FOR UPDATE", &[&team])
                .await?
                .is_none()
            {
                return Err(StorageError::NotFound("team"));
            }
            let current: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(version), 0) FROM rosters WHERE team_id = $1",
                    &[&team],
                )
                .await?
                .try_get(0)?;
            check_roster_newer(v, current)?;
            tx.execute(
                "INSERT INTO rosters (team_id, version, roster, created_at) VALUES ($1, $2, $3, $4)",
                &[&team, &v, &roster, &now],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn roster(&self, team_id: u64) -> BoxFuture<'_, Result<Option<Roster>, StorageError>> {
        Box::pin(async move {
            let team = to_i64(team_id, "team id")?;
            let c = self.read_conn().await?;
            let row = c
                .query_opt(
                    "SELECT version, roster FROM rosters WHERE team_id = $1 ORDER BY version DESC LIMIT 1",
                    &[&team],
                )
                .await?;
            Ok(match row {
                Some(r) => Some((to_u64(r.try_get(0)?), r.try_get(1)?)),
                None => None,
            })
        })
    }

    fn rosters_after(
        &self,
        team_id: u64,
        after: u64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Roster>, StorageError>> {
        Box::pin(async move {
            let team = to_i64(team_id, "team id")?;
            let after = to_i64(after, "roster version")?;
            let limit = i64::from(limit);
            let c = self.read_conn().await?;
            let rows = c
                .query(
                    "SELECT version, roster FROM rosters WHERE team_id = $1 AND version > $2
                     ORDER BY version LIMIT $3",
                    &[&team, &after, &limit],
                )
                .await?;
            rows.iter()
                .map(|r| Ok((to_u64(r.try_get(0)?), r.try_get(1)?)))
                .collect()
        })
    }

    fn add_epoch(
        &self,
        team_id: u64,
        epoch: u32,
        envelopes: Vec<(u64, Vec<u8>)>,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            let team = to_i64(team_id, "team id")?;
            let mut c = self.conn().await?;
            let tx = c.transaction().await?;
            let row = tx
                .query_opt(
                    "SELECT key_epoch FROM teams WHERE id = $1 FOR UPDATE",
                    &[&team],
                )
                .await?;
            let Some(row) = row else {
                return Err(StorageError::NotFound("team"));
            };
            let current: i64 = row.try_get(0)?;
            check_next_epoch(current, epoch)?;
            let active = active_devices(&tx, team).await?;
            let devices = envelope_devices(&envelopes, &active)?;
            for (device, (_, env)) in devices.into_iter().zip(&envelopes) {
                tx.execute(
                    "INSERT INTO team_key_envelopes (team_id, epoch, device_id, envelope) VALUES ($1, $2, $3, $4)",
                    &[&team, &i64::from(epoch), &device, env],
                )
                .await?;
            }
            tx.execute(
                "UPDATE teams SET key_epoch = $1 WHERE id = $2",
                &[&i64::from(epoch), &team],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn envelopes(
        &self,
        team_id: u64,
        device_id: u64,
    ) -> BoxFuture<'_, Result<Envelopes, StorageError>> {
        Box::pin(async move {
            let team = to_i64(team_id, "team id")?;
            let device = to_i64(device_id, "device id")?;
            let c = self.read_conn().await?;
            let Some(row) = c
                .query_opt("SELECT key_epoch FROM teams WHERE id = $1", &[&team])
                .await?
            else {
                return Err(StorageError::NotFound("team"));
            };
            let current = epoch_of(row.try_get(0)?);
            let rows = c
                .query(
                    "SELECT epoch, envelope FROM team_key_envelopes WHERE team_id = $1 AND device_id = $2 ORDER BY epoch",
                    &[&team, &device],
                )
                .await?;
            let list = rows
                .iter()
                .map(|r| Ok((epoch_of(r.try_get(0)?), r.try_get(1)?)))
                .collect::<Result<Vec<_>, StorageError>>()?;
            Ok((current, list))
        })
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
        Box::pin(async move {
            let by = to_i64(by, "sequence step")?;
            let mut c = self.conn().await?;
            let tx = c.transaction().await?;
            tx.execute("UPDATE teams SET last_seq = last_seq + $1", &[&by])
                .await?;
            tx.execute(
                "INSERT INTO server_meta (key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[
                    &crate::storage::rules::RESTORED_AT_KEY,
                    &now_ms.to_be_bytes().to_vec(),
                ],
            )
            .await?;
            // New members and devices never get an id a lost one had.
            for table in ["members", "devices"] {
                tx.execute(
                    &format!(
                        "SELECT setval('{table}_id_seq', GREATEST(
                             (SELECT last_value FROM {table}_id_seq),
                             (SELECT COALESCE(MAX(id), 0) FROM {table})) + $1)"
                    ),
                    &[&by],
                )
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn push(
        &self,
        team_id: u64,
        device_id: u64,
        records: Vec<Record>,
        max_hlc: u64,
    ) -> BoxFuture<'_, Result<PushOutcome, StorageError>> {
        Box::pin(self.push_records(team_id, device_id, records, max_hlc))
    }

    fn pull(
        &self,
        team_id: u64,
        after: u64,
        budget_bytes: usize,
        max_records: usize,
    ) -> BoxFuture<'_, Result<PullPage, StorageError>> {
        Box::pin(self.pull_records(team_id, after, budget_bytes, max_records))
    }
}

/// The ids of a team's active devices (not revoked, member not removed): who may receive an
/// envelope or a message.
async fn active_devices(
    tx: &tokio_postgres::Transaction<'_>,
    team: i64,
) -> Result<HashSet<i64>, StorageError> {
    Ok(tx
        .query(
            "SELECT d.id FROM devices d JOIN members m ON m.id = d.member_id
             WHERE m.team_id = $1 AND m.removed_at IS NULL AND d.revoked_at IS NULL",
            &[&team],
        )
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect::<Result<HashSet<i64>, _>>()?)
}
