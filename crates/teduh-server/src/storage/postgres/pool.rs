//! The PostgreSQL backend's connections: connecting with a timeout, the three pools, the
//! migrations run under an advisory lock, and how the driver's errors become [`StorageError`]s.

use std::time::Duration;

use anyhow::Context as _;
use deadpool_postgres::{
    Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime,
};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls};

use crate::storage::rules::applied_migrations;
use crate::storage::{redact_url, Lane, StorageError};

const MIGRATIONS: &[&str] = &[
    include_str!("../../../../../migrations/server-postgres/0001_init.sql"),
    include_str!("../../../../../migrations/server-postgres/0002_org_keys_records.sql"),
    include_str!("../../../../../migrations/server-postgres/0003_directory.sql"),
    include_str!("../../../../../migrations/server-postgres/0004_device_keys.sql"),
    include_str!("../../../../../migrations/server-postgres/0005_org_settings.sql"),
    include_str!("../../../../../migrations/server-postgres/0006_refresh_tokens.sql"),
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
    pub(super) async fn conn(&self) -> Result<Object, StorageError> {
        self.writers.get().await.map_err(pool_error)
    }

    /// A connection for a read-only query.
    pub(super) async fn read_conn(&self) -> Result<Object, StorageError> {
        self.readers.get().await.map_err(pool_error)
    }

    /// A connection for a token check, from the pool of the request's [`Lane`].
    pub(super) async fn auth_conn(&self, lane: Lane) -> Result<Object, StorageError> {
        let pool = match lane {
            Lane::Read => &self.readers,
            Lane::Write => &self.auth,
        };
        pool.get().await.map_err(pool_error)
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

pub(super) fn is_unique_violation(e: &tokio_postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}
