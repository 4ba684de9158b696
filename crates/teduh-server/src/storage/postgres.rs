//! PostgreSQL backend, for large deployments (`--database postgres://...`).
//!
//! One file because it is one backend: every method of the `Storage` trait, in PostgreSQL's
//! SQL and driver, beside its pool and migrations. The rules both backends enforce are not here
//! but in `rules.rs`; what remains is SQL that cannot be shared with `sqlite.rs`.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use anyhow::Context as _;
use deadpool_postgres::{
    Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime,
};
use teduh_protocol::sync::{PullPage, Record, TeamRecord};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls, Row, Transaction};

use super::rules::{
    advance_contiguous, applied_migrations, authenticated, check_directory_newer, check_next_epoch,
    check_roster_newer, check_same_wrap, check_wrap_epoch, cut, envelope_members, page, plan_push,
    usable_invitation, InvitationRow, StoredContent, TokenRow,
};
use super::{
    epoch_of, redact_url, role_of, to_i64, to_u64, AuthedDevice, BoxFuture, ClientWrap, Device,
    DeviceFilter, DirectoryBundle, Envelopes, Invitation, Lane, Member, NewDevice, NewInvitation,
    PushOutcome, Registration, Roster, Storage, StorageError, Team, MEMBER_COLS,
};

const MIGRATIONS: &[&str] = &[
    include_str!("../../../../migrations/server-postgres/0001_init.sql"),
    include_str!("../../../../migrations/server-postgres/0002_org_keys_records.sql"),
    include_str!("../../../../migrations/server-postgres/0003_directory.sql"),
];

/// Connections kept open by default, in each of the three pools. Pushes to one team serialise on
/// the team's row lock, so a few connections already let many teams write in parallel.
pub const DEFAULT_POOL_SIZE: usize = 8;

/// How long to wait for PostgreSQL to accept a connection before giving up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The PostgreSQL backend: three pools of connections (deadpool-postgres), each connection with
/// its cache of prepared statements.
pub struct PostgresStorage {
    /// Connections for writes; pushes hold one for their whole transaction.
    writers: Pool,
    /// Connections for reads (pulls, lists), so they never queue behind pushes.
    readers: Pool,
    /// Connections for the token checks of requests that write, as many as the readers'. A
    /// read's token check runs on the readers' pool instead ([`Lane`]): deadpool serves waiters
    /// first come, first served, so on one shared pool each pull's check queued behind the checks
    /// of every pushing device (docs/benchmarks.md, server figures).
    auth: Pool,
}

async fn open_client(url: &str) -> anyhow::Result<Client> {
    let shown = redact_url(url);
    let (client, connection) =
        tokio::time::timeout(CONNECT_TIMEOUT, tokio_postgres::connect(url, NoTls))
            .await
            .map_err(|_| {
                anyhow::anyhow!(
                    "cannot connect to PostgreSQL at {shown}: timed out after {}s",
                    CONNECT_TIMEOUT.as_secs()
                )
            })?
            .map_err(|e| {
                anyhow::anyhow!("cannot connect to PostgreSQL at {shown}: {}", pg_reason(&e))
            })?;
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::error!(error = %e, "PostgreSQL connection closed");
        }
    });
    Ok(client)
}

/// A pool of `size` connections, all opened now (so that a server that cannot get them fails at
/// start-up, not under load). A connection PostgreSQL closed is replaced when next taken
/// (`RecyclingMethod::Fast` checks only that, no round trip).
async fn open_pool(url: &str, size: usize) -> anyhow::Result<Pool> {
    let shown = redact_url(url);
    let config: tokio_postgres::Config = url
        .parse()
        .map_err(|e| anyhow::anyhow!("invalid PostgreSQL URL {shown}: {e}"))?;
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    let pool = Pool::builder(manager)
        .max_size(size)
        .runtime(Runtime::Tokio1)
        .create_timeout(Some(CONNECT_TIMEOUT))
        .build()
        .context("cannot build the PostgreSQL connection pool")?;
    let mut opened = Vec::with_capacity(size);
    for _ in 0..size {
        let conn = pool.get().await.map_err(|e| {
            anyhow::anyhow!(
                "cannot connect to PostgreSQL at {shown}: {}",
                pool_reason(&e)
            )
        })?;
        opened.push(conn);
    }
    Ok(pool)
}

impl PostgresStorage {
    /// Connects, then applies pending migrations in one transaction each.
    ///
    /// Fails with a one-line message naming the (password-redacted) URL when PostgreSQL cannot
    /// be reached or the schema is newer than this binary.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        Self::connect_with(url, DEFAULT_POOL_SIZE).await
    }

    /// Like [`PostgresStorage::connect`] with `pool_size` connections (at least 1) in each of
    /// the three pools (writes, reads, token checks).
    pub async fn connect_with(url: &str, pool_size: usize) -> anyhow::Result<Self> {
        let mut client = open_client(url).await?;
        // Two servers starting at once must not both migrate: serialise on an advisory lock.
        client
            .batch_execute("SELECT pg_advisory_lock(74656475)")
            .await
            .context("cannot take the migration lock")?;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);
                 INSERT INTO schema_version SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM schema_version);",
            )
            .await
            .context("cannot prepare the schema_version table")?;
        let version: i64 = client
            .query_one("SELECT version FROM schema_version", &[])
            .await?
            .get(0);
        let applied = applied_migrations(version, MIGRATIONS.len())?;
        for (i, sql) in (applied..).zip(&MIGRATIONS[applied..]) {
            let tx = client.transaction().await?;
            tx.batch_execute(sql)
                .await
                .with_context(|| format!("server-postgres migration {} failed", i + 1))?;
            tx.execute(
                "UPDATE schema_version SET version = $1",
                &[&((i + 1) as i64)],
            )
            .await?;
            tx.commit().await?;
        }
        client
            .batch_execute("SELECT pg_advisory_unlock(74656475)")
            .await
            .context("cannot release the migration lock")?;
        drop(client);
        let size = pool_size.max(1);
        Ok(Self {
            writers: open_pool(url, size).await?,
            readers: open_pool(url, size).await?,
            auth: open_pool(url, size).await?,
        })
    }

    /// A connection for writes: a free one if any, else waits for one.
    async fn conn(&self) -> Result<Object, StorageError> {
        self.writers.get().await.map_err(pool_error)
    }

    /// A connection for a read-only query.
    async fn read_conn(&self) -> Result<Object, StorageError> {
        self.readers.get().await.map_err(pool_error)
    }
}

/// The most useful single line from a tokio-postgres error (its `Display` alone is often just
/// "error connecting to server").
fn pg_reason(e: &tokio_postgres::Error) -> String {
    use std::error::Error as _;
    match e.source() {
        Some(src) => format!("{e}: {src}"),
        None => e.to_string(),
    }
}

/// The most useful single line from a pool error.
fn pool_reason(e: &PoolError) -> String {
    match e {
        PoolError::Backend(e) => pg_reason(e),
        other => other.to_string(),
    }
}

fn pool_error(e: PoolError) -> StorageError {
    StorageError::Unavailable(pool_reason(&e))
}

impl From<tokio_postgres::Error> for StorageError {
    fn from(e: tokio_postgres::Error) -> Self {
        StorageError::Unavailable(pg_reason(&e))
    }
}

fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

fn member_row(r: &Row) -> Result<Member, StorageError> {
    Ok(Member {
        id: to_u64(r.try_get(0)?),
        team_id: to_u64(r.try_get(1)?),
        username: r.try_get(2)?,
        role: role_of(r.try_get(3)?)?,
        public_keys: r.try_get(4)?,
        wrapped_keys: r.try_get(5)?,
        kdf_params: r.try_get(6)?,
        verifier: r.try_get(7)?,
        removed_at: r.try_get(8)?,
    })
}

fn team_row(r: &Row) -> Result<Team, StorageError> {
    Ok(Team {
        id: to_u64(r.try_get(0)?),
        name: r.try_get(1)?,
        key_epoch: epoch_of(r.try_get(2)?),
        last_seq: to_u64(r.try_get(3)?),
    })
}

async fn insert_device(
    tx: &Transaction<'_>,
    member_id: i64,
    d: &NewDevice,
) -> Result<i64, StorageError> {
    let asked = asked_id(tx, "devices", d.id).await?;
    let row = tx
        .query_one(
            "INSERT INTO devices (id, member_id, name, token_hash, created_at, expires_at)
             VALUES (COALESCE($6, nextval('devices_id_seq')), $1, $2, $3, $4, $5) RETURNING id",
            &[
                &member_id,
                &d.name,
                &&d.token_hash[..],
                &d.created_at,
                &d.expires_at,
                &asked,
            ],
        )
        .await?;
    Ok(row.try_get(0)?)
}

/// An id asked back by a device coming back to a restored server (`table`: members or
/// devices), refused when someone holds it; `None` lets the sequence choose.
async fn asked_id(
    tx: &Transaction<'_>,
    table: &str,
    asked: Option<u64>,
) -> Result<Option<i64>, StorageError> {
    let Some(id) = asked else { return Ok(None) };
    let id = to_i64(id, "id")?;
    let held: bool = tx
        .query_one(
            &format!("SELECT EXISTS (SELECT 1 FROM {table} WHERE id = $1)"),
            &[&id],
        )
        .await?
        .try_get(0)?;
    if held {
        return Err(StorageError::IdTaken);
    }
    Ok(Some(id))
}

const SQL_AUTH: &str =
    "SELECT d.id, d.member_id, m.team_id, m.role, d.expires_at, d.revoked_at, m.removed_at
     FROM devices d JOIN members m ON m.id = d.member_id WHERE d.token_hash = $1";
const SQL_TEAM_LOCK: &str = "SELECT key_epoch, last_seq FROM teams WHERE id = $1 FOR UPDATE";
const SQL_DEVICE_SEQ: &str = "SELECT contiguous_seq FROM devices WHERE id = $1";
const SQL_EXISTING: &str = "SELECT device_seq, key_epoch, hlc, payload FROM records WHERE device_id = $1 AND device_seq = ANY($2)";
const SQL_INSERT: &str = "INSERT INTO records (team_id, team_seq, device_id, device_seq, key_epoch, hlc, payload)
     SELECT $1, t.* FROM UNNEST($2::BIGINT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[], $6::BIGINT[], $7::BYTEA[]) AS t";
const SQL_ABOVE: &str = "SELECT device_seq FROM records WHERE device_id = $1 AND device_seq > $2 ORDER BY device_seq LIMIT 100000";
const SQL_SET_LAST: &str = "UPDATE teams SET last_seq = $1 WHERE id = $2";
const SQL_SET_CONTIGUOUS: &str = "UPDATE devices SET contiguous_seq = $1 WHERE id = $2";
const SQL_PULL_SIZES: &str = "SELECT team_seq, octet_length(payload) FROM records
     WHERE team_id = $1 AND team_seq > $2 ORDER BY team_seq LIMIT $3";
const SQL_PULL: &str =
    "SELECT team_seq, device_id, device_seq, key_epoch, hlc, payload FROM records
     WHERE team_id = $1 AND team_seq > $2 AND team_seq <= $3 ORDER BY team_seq";

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
            let r = c
                .query_one(
                    "INSERT INTO invitations (team_id, role, code_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    &[&team, &inv.role.as_str(), &&inv.code_hash[..], &inv.created_at, &inv.expires_at],
                )
                .await?;
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
                    "SELECT id, team_id, role, created_at, expires_at, used_at FROM invitations
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
                    })
                })
                .collect()
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
                    "SELECT id, team_id, role, expires_at, used_at FROM invitations WHERE code_hash = $1 FOR UPDATE",
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
                }),
                None => None,
            };
            let inv = usable_invitation(inv, now)?;
            let (inv_id, team_id, role) = (inv.id, inv.team_id, inv.role);
            let asked = asked_id(&tx, "members", reg.member_id).await?;
            let member_id: i64 = match tx
                .query_one(
                    "INSERT INTO members (id, team_id, username, role, public_keys, wrapped_keys, kdf_params, verifier, created_at)
                     VALUES (COALESCE($9, nextval('members_id_seq')), $1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                    &[&team_id, &reg.username, &role.as_str(), &reg.public_keys, &reg.wrapped_keys, &reg.kdf_params, &reg.verifier, &now, &asked],
                )
                .await
            {
                Ok(r) => r.try_get(0)?,
                Err(e) if is_unique_violation(&e) => return Err(StorageError::UsernameTaken),
                Err(e) => return Err(e.into()),
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

    fn member_by_username(
        &self,
        username: String,
    ) -> BoxFuture<'_, Result<Option<Member>, StorageError>> {
        Box::pin(async move {
            let c = self.read_conn().await?;
            let row = c
                .query_opt(
                    &format!("SELECT {MEMBER_COLS} FROM members WHERE username = $1"),
                    &[&username],
                )
                .await?;
            row.as_ref().map(member_row).transpose()
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
        Box::pin(async move {
            let pool = match lane {
                Lane::Read => &self.readers,
                Lane::Write => &self.auth,
            };
            let c = pool.get().await.map_err(pool_error)?;
            let st = c.prepare_cached(SQL_AUTH).await?;
            let row = match c.query_opt(&st, &[&&token_hash[..]]).await? {
                Some(r) => Some(TokenRow {
                    device_id: r.try_get(0)?,
                    member_id: r.try_get(1)?,
                    team_id: r.try_get(2)?,
                    role: r.try_get(3)?,
                    expires_at: r.try_get(4)?,
                    revoked_at: r.try_get(5)?,
                    removed_at: r.try_get(6)?,
                }),
                None => None,
            };
            authenticated(row, now)
        })
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
                        "SELECT d.id, d.member_id, m.username, m.team_id, d.name, d.created_at, d.revoked_at, d.contiguous_seq
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
            let active = tx
                .query(
                    "SELECT id FROM members WHERE team_id = $1 AND removed_at IS NULL",
                    &[&team],
                )
                .await?
                .iter()
                .map(|r| r.try_get(0))
                .collect::<Result<HashSet<i64>, _>>()?;
            let members = envelope_members(&envelopes, &active)?;
            for (mid, (_, env)) in members.into_iter().zip(&envelopes) {
                tx.execute(
                    "INSERT INTO team_key_envelopes (team_id, epoch, member_id, envelope) VALUES ($1, $2, $3, $4)",
                    &[&team, &i64::from(epoch), &mid, env],
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
        member_id: u64,
    ) -> BoxFuture<'_, Result<Envelopes, StorageError>> {
        Box::pin(async move {
            let team = to_i64(team_id, "team id")?;
            let mid = to_i64(member_id, "member id")?;
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
                    "SELECT epoch, envelope FROM team_key_envelopes WHERE team_id = $1 AND member_id = $2 ORDER BY epoch",
                    &[&team, &mid],
                )
                .await?;
            let list = rows
                .iter()
                .map(|r| Ok((epoch_of(r.try_get(0)?), r.try_get(1)?)))
                .collect::<Result<Vec<_>, StorageError>>()?;
            Ok((current, list))
        })
    }

    fn put_client_keys(
        &self,
        team_id: u64,
        wraps: Vec<ClientWrap>,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            let team = to_i64(team_id, "team id")?;
            let mut c = self.conn().await?;
            let tx = c.transaction().await?;
            let Some(row) = tx
                .query_opt(
                    "SELECT key_epoch FROM teams WHERE id = $1 FOR SHARE",
                    &[&team],
                )
                .await?
            else {
                return Err(StorageError::NotFound("team"));
            };
            let current: i64 = row.try_get(0)?;
            for w in &wraps {
                check_wrap_epoch(w.epoch, current)?;
                let inserted = tx
                    .execute(
                        "INSERT INTO client_key_wraps (team_id, epoch, client_id, wrap) VALUES ($1, $2, $3, $4)
                         ON CONFLICT (team_id, epoch, client_id) DO NOTHING",
                        &[&team, &i64::from(w.epoch), &w.client_id, &w.wrap],
                    )
                    .await?;
                if inserted == 0 {
                    let stored: Vec<u8> = tx
                        .query_one(
                            "SELECT wrap FROM client_key_wraps WHERE team_id = $1 AND epoch = $2 AND client_id = $3",
                            &[&team, &i64::from(w.epoch), &w.client_id],
                        )
                        .await?
                        .try_get(0)?;
                    check_same_wrap(&stored, &w.wrap)?;
                }
            }
            tx.commit().await?;
            Ok(())
        })
    }

    fn erase_client_keys(
        &self,
        team_id: u64,
        client_id: Vec<u8>,
    ) -> BoxFuture<'_, Result<u64, StorageError>> {
        Box::pin(async move {
            let team = to_i64(team_id, "team id")?;
            let c = self.conn().await?;
            Ok(c.execute(
                "DELETE FROM client_key_wraps WHERE team_id = $1 AND client_id = $2",
                &[&team, &client_id],
            )
            .await?)
        })
    }

    fn client_keys(
        &self,
        team_id: u64,
        epoch: Option<u32>,
    ) -> BoxFuture<'_, Result<Vec<ClientWrap>, StorageError>> {
        Box::pin(async move {
            let team = to_i64(team_id, "team id")?;
            let epoch = epoch.map(i64::from);
            let c = self.read_conn().await?;
            let rows = c
                .query(
                    "SELECT epoch, client_id, wrap FROM client_key_wraps
                     WHERE team_id = $1 AND ($2::BIGINT IS NULL OR epoch = $2) ORDER BY epoch, client_id",
                    &[&team, &epoch],
                )
                .await?;
            rows.iter()
                .map(|r| {
                    Ok(ClientWrap {
                        epoch: epoch_of(r.try_get(0)?),
                        client_id: r.try_get(1)?,
                        wrap: r.try_get(2)?,
                    })
                })
                .collect()
        })
    }

    fn publish_directory(
        &self,
        bundle: DirectoryBundle,
        now: i64,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            let v = to_i64(bundle.version, "directory version")?;
            let mut c = self.conn().await?;
            let tx = c.transaction().await?;
            // One publisher at a time: the version check and the insert must not interleave.
            tx.batch_execute("LOCK TABLE directory_bundles IN EXCLUSIVE MODE")
                .await?;
            let current: i64 = tx
                .query_one(
                    "SELECT COALESCE(MAX(version), 0) FROM directory_bundles",
                    &[],
                )
                .await?
                .try_get(0)?;
            check_directory_newer(v, current)?;
            tx.execute(
                "INSERT INTO directory_bundles (version, bundle, sha256, published_at) VALUES ($1, $2, $3, $4)",
                &[&v, &bundle.bundle, &&bundle.sha256[..], &now],
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    fn latest_directory(&self) -> BoxFuture<'_, Result<Option<DirectoryBundle>, StorageError>> {
        Box::pin(async move {
            let c = self.read_conn().await?;
            let row = c
                .query_opt(
                    "SELECT version, sha256, bundle FROM directory_bundles ORDER BY version DESC LIMIT 1",
                    &[],
                )
                .await?;
            let Some(r) = row else {
                return Ok(None);
            };
            let sha: Vec<u8> = r.try_get(1)?;
            Ok(Some(DirectoryBundle {
                version: to_u64(r.try_get(0)?),
                sha256: sha.try_into().unwrap_or([0u8; 32]),
                bundle: r.try_get(2)?,
            }))
        })
    }

    fn advance_team_sequences(&self, by: u64) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            let by = to_i64(by, "sequence step")?;
            let mut c = self.conn().await?;
            let tx = c.transaction().await?;
            tx.execute("UPDATE teams SET last_seq = last_seq + $1", &[&by])
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
        Box::pin(async move {
            let team = to_i64(team_id, "team id")?;
            let device = to_i64(device_id, "device id")?;
            let mut c = self.conn().await?;
            let st_lock = c.prepare_cached(SQL_TEAM_LOCK).await?;
            let st_dev = c.prepare_cached(SQL_DEVICE_SEQ).await?;
            let st_existing = c.prepare_cached(SQL_EXISTING).await?;
            let st_insert = c.prepare_cached(SQL_INSERT).await?;
            let st_above = c.prepare_cached(SQL_ABOVE).await?;
            let st_last = c.prepare_cached(SQL_SET_LAST).await?;
            let st_contig = c.prepare_cached(SQL_SET_CONTIGUOUS).await?;
            let tx = c.transaction().await?;
            // The team row stays locked until commit: pushes to one team commit in the order
            // they were given sequences, so readers never see seq n+1 before seq n.
            let Some(team_row) = tx.query_opt(&st_lock, &[&team]).await? else {
                return Err(StorageError::NotFound("team"));
            };
            let current_epoch = epoch_of(team_row.try_get(0)?);
            let last_seq: i64 = team_row.try_get(1)?;
            let Some(dev_row) = tx.query_opt(&st_dev, &[&device]).await? else {
                return Err(StorageError::NotFound("device"));
            };
            let contiguous: i64 = dev_row.try_get(0)?;
            let seqs: Vec<i64> = records
                .iter()
                .filter_map(|r| i64::try_from(r.device_seq).ok())
                .collect();
            let mut stored = HashMap::new();
            for r in tx.query(&st_existing, &[&device, &seqs]).await? {
                let seq: i64 = r.try_get(0)?;
                let content = StoredContent {
                    key_epoch: epoch_of(r.try_get(1)?),
                    hlc: to_u64(r.try_get(2)?),
                    payload: r.try_get(3)?,
                };
                stored.insert(to_u64(seq), content);
            }
            let (fresh, duplicates) = plan_push(
                &records,
                |seq| {
                    Ok(stored.get(&seq).map(|s| StoredContent {
                        key_epoch: s.key_epoch,
                        hlc: s.hlc,
                        payload: s.payload.clone(),
                    }))
                },
                current_epoch,
                max_hlc,
            )?;
            let mut seq = last_seq;
            if !fresh.is_empty() {
                let team_seqs: Vec<i64> = fresh
                    .iter()
                    .map(|_| {
                        seq += 1;
                        seq
                    })
                    .collect();
                let devs: Vec<i64> = vec![device; fresh.len()];
                let dseqs: Vec<i64> = fresh.iter().map(|r| r.device_seq as i64).collect();
                let epochs: Vec<i64> = fresh.iter().map(|r| i64::from(r.key_epoch)).collect();
                let hlcs: Vec<i64> = fresh.iter().map(|r| r.hlc as i64).collect();
                let payloads: Vec<&[u8]> = fresh.iter().map(|r| r.payload.as_slice()).collect();
                tx.execute(
                    &st_insert,
                    &[&team, &team_seqs, &devs, &dseqs, &epochs, &hlcs, &payloads],
                )
                .await?;
                tx.execute(&st_last, &[&seq, &team]).await?;
            }
            let above: Vec<u64> = tx
                .query(&st_above, &[&device, &contiguous])
                .await?
                .iter()
                .map(|r| r.try_get::<_, i64>(0).map(to_u64))
                .collect::<Result<_, _>>()?;
            let new_contiguous = advance_contiguous(to_u64(contiguous), above);
            if new_contiguous != to_u64(contiguous) {
                tx.execute(&st_contig, &[&(new_contiguous as i64), &device])
                    .await?;
            }
            tx.commit().await?;
            Ok(PushOutcome {
                stored: fresh.len() as u64,
                duplicates,
                contiguous_seq: new_contiguous,
            })
        })
    }

    fn pull(
        &self,
        team_id: u64,
        after: u64,
        budget_bytes: usize,
        max_records: usize,
    ) -> BoxFuture<'_, Result<PullPage, StorageError>> {
        Box::pin(async move {
            let team = to_i64(team_id, "team id")?;
            let after_i = to_i64(after, "cursor")?;
            // First the sizes only (cheap: no payload crosses the wire), to cut the page; then
            // exactly the rows that fit. Team sequences become visible as a gapless prefix
            // (see push), so the second query returns every row the first one counted.
            let c = self.read_conn().await?;
            let st_sizes = c.prepare_cached(SQL_PULL_SIZES).await?;
            let st_rows = c.prepare_cached(SQL_PULL).await?;
            let sizes = c
                .query(
                    &st_sizes,
                    &[&team, &after_i, &((max_records as i64).saturating_add(1))],
                )
                .await?;
            let sizes = sizes.iter().map(|r| {
                let len: i32 = r.try_get(1)?;
                Ok::<_, tokio_postgres::Error>((r.try_get::<_, i64>(0)?, len))
            });
            let (taken, more) = cut(
                sizes,
                |&(_, len)| usize::try_from(len).unwrap_or(0),
                budget_bytes,
                max_records,
            )?;
            let Some(&(last, _)) = taken.last() else {
                return Ok(page(after, Vec::new(), false));
            };
            let rows = c.query(&st_rows, &[&team, &after_i, &last]).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(TeamRecord {
                    team_seq: to_u64(r.try_get(0)?),
                    record: Record {
                        device_id: to_u64(r.try_get(1)?),
                        device_seq: to_u64(r.try_get(2)?),
                        key_epoch: epoch_of(r.try_get(3)?),
                        hlc: to_u64(r.try_get(4)?),
                        payload: r.try_get(5)?,
                    },
                });
            }
            Ok(page(after, out, more))
        })
    }
}
