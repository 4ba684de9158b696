//! Embedded SQLite backend (the default): one file in the server's data directory.

use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use rusqlite::Connection;

use super::{BoxFuture, Storage, StorageError};

const MIGRATIONS: &[&str] = &[include_str!("../../../../migrations/server-sqlite/0001_init.sql")];

/// `PRAGMA application_id` of a Teduh server database ("TDSV").
const APPLICATION_ID: i32 = 0x5444_5356;

/// The SQLite backend. SQLite calls are blocking, so they run on tokio's blocking pool.
#[derive(Debug, Clone)]
pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
}

impl SqliteStorage {
    /// Opens (creating if needed) the database file and applies pending migrations.
    ///
    /// Fails when the file cannot be opened, is not a Teduh server database, or is newer than
    /// this binary.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        let conn = Connection::open(path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        let app_id: i32 = conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .with_context(|| format!("{} is not a SQLite database", path.display()))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > 0 && app_id != APPLICATION_ID {
            anyhow::bail!("{} is not a Teduh server database", path.display());
        }
        let supported = MIGRATIONS.len() as i64;
        if version > supported {
            return Err(StorageError::TooNew {
                found: version,
                supported,
            }
            .into());
        }
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut conn = conn;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)
                .with_context(|| format!("server-sqlite migration {} failed", i + 1))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    ) -> Result<T, StorageError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let guard = conn
                .lock()
                .map_err(|_| StorageError::Unavailable("connection lock poisoned".into()))?;
            f(&guard).map_err(|e| StorageError::Unavailable(e.to_string()))
        })
        .await
        .map_err(|e| StorageError::Unavailable(e.to_string()))?
    }
}

impl Storage for SqliteStorage {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async move {
            self.with_conn(|c| c.query_row("SELECT 1", [], |_| Ok(())))
                .await
        })
    }

    fn schema_version(&self) -> BoxFuture<'_, Result<i64, StorageError>> {
        Box::pin(async move {
            self.with_conn(|c| c.query_row("PRAGMA user_version", [], |r| r.get(0)))
                .await
        })
    }
}
