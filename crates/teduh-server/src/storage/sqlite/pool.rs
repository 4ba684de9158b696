//! The SQLite backend's connections: the one writer and the pool of read-only connections,
//! opening the file and migrating it, and how SQLite's errors become [`StorageError`]s.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use rusqlite::Connection;

use crate::storage::rules::applied_migrations;
use crate::storage::StorageError;

const MIGRATIONS: &[&str] = &[
    include_str!("../../../../../migrations/server-sqlite/0001_init.sql"),
    include_str!("../../../../../migrations/server-sqlite/0002_org_keys_records.sql"),
    include_str!("../../../../../migrations/server-sqlite/0003_directory.sql"),
    include_str!("../../../../../migrations/server-sqlite/0004_device_keys.sql"),
    include_str!("../../../../../migrations/server-sqlite/0005_org_settings.sql"),
    include_str!("../../../../../migrations/server-sqlite/0006_refresh_tokens.sql"),
];

/// `PRAGMA application_id` of a Teduh server database ("TDSV").
const APPLICATION_ID: i32 = 0x5444_5356;

/// The SQLite backend. SQLite calls are blocking, so they run on tokio's blocking pool.
#[derive(Debug, Clone)]
pub struct SqliteStorage {
    /// The one writer: SQLite allows one at a time, and serialising pushes here is what makes
    /// team sequences commit in order.
    conn: Arc<Mutex<Connection>>,
    /// Read-only connections: WAL lets them read committed data while a write is in progress,
    /// so authentication and pulls do not queue behind pushes.
    readers: Arc<Vec<Mutex<Connection>>>,
    next_reader: Arc<AtomicUsize>,
}

/// Read-only connections per database.
const READERS: usize = 4;

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
        let applied = applied_migrations(version, MIGRATIONS.len())?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "application_id", APPLICATION_ID)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Erased records and key wraps (UU PDP erasure) leave no bytes in free pages: SQLite
        // overwrites deleted content with zeros. Every write goes through this connection.
        conn.pragma_update(None, "secure_delete", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut conn = conn;
        for (i, sql) in (applied..).zip(&MIGRATIONS[applied..]) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)
                .with_context(|| format!("server-sqlite migration {} failed", i + 1))?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            tx.commit()?;
        }
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let r = Connection::open(path)
                .with_context(|| format!("cannot open the database {}", path.display()))?;
            r.busy_timeout(std::time::Duration::from_secs(5))?;
            r.pragma_update(None, "query_only", "ON")?;
            readers.push(Mutex::new(r));
        }
        Ok(Self {
            conn: Arc::new(Mutex::new(conn)),
            readers: Arc::new(readers),
            next_reader: Arc::new(AtomicUsize::new(0)),
        })
    }

    pub(super) async fn with_reader<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let readers = Arc::clone(&self.readers);
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            let n = readers.len();
            let free = (0..n).find_map(|i| readers[(start + i) % n].try_lock().ok());
            let mut guard = match free {
                Some(g) => g,
                None => readers[start % n]
                    .lock()
                    .map_err(|_| StorageError::Unavailable("connection lock poisoned".into()))?,
            };
            f(&mut guard)
        })
        .await
        .map_err(|e| StorageError::Unavailable(e.to_string()))?
    }

    pub(super) async fn with_conn<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StorageError> + Send + 'static,
    ) -> Result<T, StorageError> {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            let mut guard = conn
                .lock()
                .map_err(|_| StorageError::Unavailable("connection lock poisoned".into()))?;
            f(&mut guard)
        })
        .await
        .map_err(|e| StorageError::Unavailable(e.to_string()))?
    }
}

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError::Unavailable(e.to_string())
    }
}

pub(super) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(
        e,
        rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    )
}

/// After an erasure: copies the write-ahead log into the database and truncates it, so the
/// frames that held the erased bodies are gone from the WAL file too. Best effort: a reader in
/// the middle of a long pull keeps the log busy, and the next erasure's checkpoint (or SQLite's
/// own, which reuses the log from its start) takes them.
pub(super) fn scrub(conn: &Connection) {
    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
        tracing::warn!(error = %e, "the checkpoint after an erasure failed");
    }
}
