//! The device's SQLite database: opening, durability settings and schema migrations.
//!
//! Migrations are the numbered files in `migrations/client/`, embedded at compile time and applied
//! in order inside one transaction each; `PRAGMA user_version` records the schema version. A
//! database written by a newer Teduh (higher version than this binary knows) is refused rather
//! than guessed at, and a file that is not a Teduh database is refused without being modified.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

/// `PRAGMA application_id` of every Teduh local database ("TDUH").
pub const APPLICATION_ID: i32 = 0x5444_5548;

/// The client migrations, in order. Index + 1 is the schema version each one produces.
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/client/0001_init.sql"),
    include_str!("../../../migrations/client/0002_vault.sql"),
    include_str!("../../../migrations/client/0003_final_rank.sql"),
    include_str!("../../../migrations/client/0004_sync.sql"),
    include_str!("../../../migrations/client/0005_note_summaries.sql"),
    include_str!("../../../migrations/client/0006_review_speed.sql"),
    include_str!("../../../migrations/client/0007_security_alarms.sql"),
    include_str!("../../../migrations/client/0008_resend.sql"),
    include_str!("../../../migrations/client/0009_client_key_proof.sql"),
    include_str!("../../../migrations/client/0010_server_restored.sql"),
    include_str!("../../../migrations/client/0011_admission.sql"),
    include_str!("../../../migrations/client/0012_device_admission.sql"),
    include_str!("../../../migrations/client/0013_org_settings.sql"),
    include_str!("../../../migrations/client/0014_contact_summaries.sql"),
    include_str!("../../../migrations/client/0015_episodes.sql"),
    include_str!("../../../migrations/client/0016_need_to_know.sql"),
    include_str!("../../../migrations/client/0017_record_format.sql"),
    include_str!("../../../migrations/client/0018_checkpoints.sql"),
    include_str!("../../../migrations/client/0019_restore_evidence.sql"),
    include_str!("../../../migrations/client/0020_erasure.sql"),
    include_str!("../../../migrations/client/0021_tombstones_sent.sql"),
    include_str!("../../../migrations/client/0022_erased_entity.sql"),
    include_str!("../../../migrations/client/0023_supervision_index_or.sql"),
];

/// Highest schema version this binary understands.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Errors opening the local store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not a Teduh database (foreign SQLite file, truncated or garbage).
    #[error("{path} is not a Teduh database (or it is damaged); it was left untouched")]
    NotATeduhDatabase {
        /// The offending file.
        path: String,
    },
    /// The database was written by a newer Teduh.
    #[error("the database has schema version {found}, newer than this app understands ({supported}); update Teduh")]
    TooNew {
        /// Version found in the file.
        found: u32,
        /// Highest version this binary knows.
        supported: u32,
    },
    /// Any other SQLite failure (full disk, permissions, I/O error).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A database file could not be removed or moved into place.
    #[error("could not {action} {path}: {source}")]
    File {
        /// What was being done ("remove", "move into place").
        action: &'static str,
        /// The file.
        path: String,
        /// Why it failed.
        source: std::io::Error,
    },
}

impl StoreError {
    /// The code a caller branches on.
    pub fn code(&self) -> crate::error::Code {
        use crate::error::Code;
        match self {
            StoreError::NotATeduhDatabase { .. } => Code::DatabaseForeign,
            StoreError::TooNew { .. } => Code::DatabaseTooNew,
            StoreError::Sqlite(_) | StoreError::File { .. } => Code::StorageFailed,
        }
    }
}

/// `path` with `suffix` appended to its file name (`vault.sqlite3` + `-wal`).
pub fn with_suffix(path: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    std::path::PathBuf::from(s)
}

/// The files SQLite may keep for the database at a path: itself and its journal companions.
const COMPANIONS: [&str; 4] = ["", "-wal", "-shm", "-journal"];

/// Removes the database at `path` and its journal files (absent files are fine). The database
/// must be closed.
///
/// Fails with [`StoreError::File`] when a file exists but cannot be removed.
pub fn remove_database(path: &Path) -> Result<(), StoreError> {
    for suffix in COMPANIONS {
        let file = with_suffix(path, suffix);
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => {
                return Err(StoreError::File {
                    action: "remove",
                    path: file.display().to_string(),
                    source,
                })
            }
        }
    }
    Ok(())
}

/// Moves the (closed) database at `from`, with its write-ahead log, to `to`, replacing what
/// was there.
///
/// Fails with [`StoreError::File`] when a file cannot be removed or renamed.
pub fn move_database(from: &Path, to: &Path) -> Result<(), StoreError> {
    remove_database(to)?;
    for suffix in ["", "-wal"] {
        let source_file = with_suffix(from, suffix);
        if source_file.exists() {
            std::fs::rename(&source_file, with_suffix(to, suffix)).map_err(|source| {
                StoreError::File {
                    action: "move into place",
                    path: source_file.display().to_string(),
                    source,
                }
            })?;
        }
    }
    remove_database(from)
}

/// The device's open database.
#[derive(Debug)]
pub struct LocalStore {
    conn: Connection,
}

impl LocalStore {
    /// Opens (creating if missing) the database at `path` and brings its schema up to date.
    ///
    /// Fails with [`StoreError::NotATeduhDatabase`] for a foreign or damaged file and with
    /// [`StoreError::TooNew`] for a newer schema; in both cases the file is not modified.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let existed = path.exists()
            && std::fs::metadata(path)
                .map(|m| m.len() > 0)
                .unwrap_or(false);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        let not_teduh = || StoreError::NotATeduhDatabase {
            path: path.display().to_string(),
        };
        if existed {
            // Reading the header pragma fails on garbage; a valid SQLite file of another app
            // has a different application id. Check before any write (WAL switch included).
            let app_id: i32 = conn
                .query_row("PRAGMA application_id", [], |r| r.get(0))
                .map_err(|_| not_teduh())?;
            if app_id != APPLICATION_ID {
                return Err(not_teduh());
            }
            let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if found > SCHEMA_VERSION {
                return Err(StoreError::TooNew {
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
        }
        // WAL with synchronous=FULL: a commit that returned is on disk, also after power loss.
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Deleted content is overwritten with zeros, not left in free pages: an erased client
        // (UU PDP) must not be recoverable from the file (`vault/erasure/`).
        conn.pragma_update(None, "secure_delete", "ON")?;
        // 64 MiB of page cache (default 2 MiB): receiving thousands of records touches many
        // B-tree pages; re-reading them from the OS dominated a 10,000-note pull.
        conn.pragma_update(None, "cache_size", -65536)?;
        // Savepoint sub-journals in memory, not in a temporary file: receiving a page takes a
        // savepoint per record it applies, and writing its sub-journal to disk took a sixteenth
        // of a fresh device's pull (issue 27, item 4). They hold only pages of this file (sealed
        // values).
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Room for every statement a received page runs per record (rusqlite keeps 16): with
        // fewer, they pushed each other out and were parsed again and again (issue 27, item 4).
        conn.set_prepared_statement_cache_capacity(128);
        let mut store = Self { conn };
        if !existed {
            store
                .conn
                .pragma_update(None, "application_id", APPLICATION_ID)?;
        }
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let current: u32 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            let tx = self.conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as u32)?;
            tx.commit()?;
        }
        Ok(())
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// The underlying connection, for the core's own modules.
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Mutable access to the connection (transactions).
    pub fn connection_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

/// Statements a hot path runs for every record, prepared once per connection (rusqlite's
/// statement cache) instead of parsed each time: receiving a page spent a twelfth of its time
/// in SQLite's parser before (issue 27, item 4).
pub(crate) trait Cached {
    /// [`Connection::query_row`] through the statement cache.
    fn query_row_cached<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T>;

    /// [`Connection::execute`] through the statement cache.
    fn execute_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize>;
}

impl Cached for Connection {
    fn query_row_cached<T, P: rusqlite::Params>(
        &self,
        sql: &str,
        params: P,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    fn execute_cached<P: rusqlite::Params>(&self, sql: &str, params: P) -> rusqlite::Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_database_gets_the_latest_schema() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let store = LocalStore::open(&tmp.path().join("db")).expect("opens");
        assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    }

    #[test]
    fn reopening_is_idempotent() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("db");
        drop(LocalStore::open(&path).expect("first open"));
        let store = LocalStore::open(&path).expect("second open");
        assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    }

    #[test]
    fn newer_database_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("db");
        {
            let store = LocalStore::open(&path).expect("opens");
            store
                .connection()
                .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
                .expect("bump");
        }
        let err = LocalStore::open(&path).expect_err("a newer schema must not be guessed at");
        assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
    }

    #[test]
    fn foreign_file_is_refused_and_left_untouched() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("db");
        let garbage = b"this is a spreadsheet, not a database".repeat(100);
        std::fs::write(&path, &garbage).expect("write");
        let err = LocalStore::open(&path).expect_err("garbage must be refused");
        assert!(matches!(err, StoreError::NotATeduhDatabase { .. }), "{err}");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            garbage,
            "file untouched"
        );
    }

    #[test]
    fn another_apps_sqlite_file_is_refused() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("db");
        {
            let c = Connection::open(&path).expect("open");
            c.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
                .expect("create");
        }
        let before = std::fs::read(&path).expect("read");
        let err = LocalStore::open(&path).expect_err("foreign database must be refused");
        assert!(matches!(err, StoreError::NotATeduhDatabase { .. }), "{err}");
        assert_eq!(
            std::fs::read(&path).expect("read"),
            before,
            "file untouched"
        );
    }
}
