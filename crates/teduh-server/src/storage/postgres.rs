//! PostgreSQL backend, for large deployments (`--database postgres://...`).

use std::time::Duration;

use anyhow::Context as _;
use tokio_postgres::{Client, NoTls};

use super::{redact_url, BoxFuture, Storage, StorageError};

const MIGRATIONS: &[&str] = &[include_str!("../../../../migrations/server-postgres/0001_init.sql")];

/// How long to wait for PostgreSQL to accept a connection before giving up at start-up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The PostgreSQL backend.
pub struct PostgresStorage {
    client: Client,
}

impl PostgresStorage {
    /// Connects, then applies pending migrations in one transaction each.
    ///
    /// Fails with a one-line message naming the (password-redacted) URL when PostgreSQL cannot
    /// be reached or the schema is newer than this binary.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let shown = redact_url(url);
        let (mut client, connection) = tokio::time::timeout(CONNECT_TIMEOUT, tokio_postgres::connect(url, NoTls))
            .await
            .map_err(|_| anyhow::anyhow!("cannot connect to PostgreSQL at {shown}: timed out after {}s", CONNECT_TIMEOUT.as_secs()))?
            .map_err(|e| anyhow::anyhow!("cannot connect to PostgreSQL at {shown}: {}", pg_reason(&e)))?;
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::error!(error = %e, "PostgreSQL connection closed");
            }
        });
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
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StorageError::TooNew {
                found: version,
                supported,
            }
            .into());
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = client.transaction().await?;
            tx.batch_execute(sql)
                .await
                .with_context(|| format!("server-postgres migration {} failed", i + 1))?;
            tx.execute("UPDATE schema_version SET version = $1", &[&((i + 1) as i64)])
                .await?;
            tx.commit().await?;
        }
        Ok(Self { client })
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

impl Storage for PostgresStorage {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            self.client
                .simple_query("SELECT 1")
                .await
                .map(|_| ())
                .map_err(|e| StorageError::Unavailable(pg_reason(&e)))
        })
    }

    fn schema_version(&self) -> BoxFuture<'_, Result<i64, StorageError>> {
        Box::pin(async move {
            self.client
                .query_one("SELECT version FROM schema_version", &[])
                .await
                .map(|r| r.get(0))
                .map_err(|e| StorageError::Unavailable(pg_reason(&e)))
        })
    }
}
