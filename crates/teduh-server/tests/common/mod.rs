//! Test support shared by the integration tests: fresh storages on both backends and a
//! throwaway PostgreSQL cluster.
//!
//! PostgreSQL: `DATABASE_URL` (a role that may `CREATE DATABASE`) when set; otherwise one
//! cluster per test binary, `initdb`'d into a temporary directory as the `postgres` user (the
//! Debian package is installed when no binaries are found), listening on a free loopback port.
//! Every test gets its own database, so tests run in parallel. A watchdog process stops the
//! cluster and deletes its directory as soon as the test binary exits, whether it passed,
//! failed or panicked.

#![allow(dead_code, missing_docs)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use teduh_server::storage::postgres::PostgresStorage;
use teduh_server::storage::sqlite::SqliteStorage;
use teduh_server::Storage;

/// Keeps a test's storage alive (temporary directory or database).
pub enum Guard {
    Sqlite(tempfile::TempDir),
    Postgres(TestDatabase),
}

impl Guard {
    /// The database's URL, for a PostgreSQL guard.
    pub fn postgres_url(&self) -> Option<String> {
        match self {
            Guard::Postgres(db) => Some(db.url.clone()),
            Guard::Sqlite(_) => None,
        }
    }
}

pub async fn sqlite() -> (Arc<dyn Storage>, Guard) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let s = SqliteStorage::open(&tmp.path().join("server.sqlite3")).expect("sqlite opens");
    (Arc::new(s), Guard::Sqlite(tmp))
}

pub async fn postgres() -> (Arc<dyn Storage>, Guard) {
    let db = TestDatabase::create().await;
    let s = PostgresStorage::connect_with(&db.url, 4)
        .await
        .expect("postgres storage connects");
    (Arc::new(s), Guard::Postgres(db))
}

/// A database of its own for one test, dropped afterwards.
pub struct TestDatabase {
    pub url: String,
    name: String,
    admin_url: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

impl TestDatabase {
    pub async fn create() -> Self {
        let admin_url = server_url();
        let name = format!(
            "teduh_test_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let (client, conn) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
            .await
            .expect("connects to the test PostgreSQL");
        tokio::spawn(conn);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("creates a test database");
        let url = with_database(&admin_url, &name);
        TestDatabase {
            url,
            name,
            admin_url,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin = self.admin_url.clone();
        let name = self.name.clone();
        // A runtime of its own: Drop may run inside or outside one.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async move {
                if let Ok((client, conn)) =
                    tokio_postgres::connect(&admin, tokio_postgres::NoTls).await
                {
                    tokio::spawn(conn);
                    let _ = client
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

/// Replaces the database name of a `postgres://` URL.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{db}?{q}"),
        None => format!("{base}/{db}"),
    }
}

/// The URL of a PostgreSQL server where tests may create databases.
pub fn server_url() -> String {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        if !url.trim().is_empty() {
            return url;
        }
    }
    static CLUSTER: OnceLock<PgCluster> = OnceLock::new();
    CLUSTER.get_or_init(PgCluster::start).url.clone()
}

/// A throwaway PostgreSQL cluster. Dropping it (or the test process exiting, via the
/// watchdog) stops the server and deletes its files.
pub struct PgCluster {
    pub url: String,
    dir: PathBuf,
    bin: PathBuf,
    as_postgres: bool,
    server: Option<std::process::Child>,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn find_bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists() && p.join("postgres").exists())
        .collect();
    dirs.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(d) = dirs.pop() {
        return Some(d);
    }
    let out = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output()
        .ok()?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let real = std::fs::canonicalize(path).ok()?;
    real.parent().map(Path::to_path_buf)
}

fn install_postgres() {
    eprintln!("PostgreSQL binaries not found: installing the Debian package");
    let status = Command::new("sh")
        .args([
            "-c",
            "(apt-get install -y postgresql || (apt-get update && apt-get install -y postgresql)) >/dev/null",
        ])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .expect("runs apt-get");
    assert!(
        status.success(),
        "installing postgresql with apt-get failed"
    );
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl PgCluster {
    fn cmd(&self, program: &str) -> Command {
        let exe = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe);
            c
        } else {
            Command::new(exe)
        }
    }

    /// A cluster tuned for tests: fsync off (a crash of the test machine loses nothing of
    /// value).
    pub fn start() -> PgCluster {
        Self::start_with(false)
    }

    /// `durable`: keep PostgreSQL's default fsync/synchronous_commit (for benchmarks).
    pub fn start_with(durable: bool) -> PgCluster {
        let bin = match find_bin_dir() {
            Some(b) => b,
            None => {
                install_postgres();
                find_bin_dir().expect("PostgreSQL binaries after installing the package")
            }
        };
        let as_postgres = is_root();
        let dir = std::env::temp_dir().join(format!("teduh-pg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("creates the cluster directory");
        let mut cluster = PgCluster {
            url: String::new(),
            dir: dir.clone(),
            bin,
            as_postgres,
            server: None,
        };
        if as_postgres {
            let st = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir)
                .status()
                .expect("runs chown");
            assert!(
                st.success(),
                "chown of the cluster directory to postgres failed"
            );
        }
        // The watchdog first, so that even a failing initdb leaves nothing behind.
        cluster.spawn_watchdog();
        let data = dir.join("data");
        let out = cluster
            .cmd("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"])
            .stdin(Stdio::null())
            .output()
            .expect("runs initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let port = free_port();
        let log = std::fs::File::create(dir.join("postgres.log")).expect("log file");
        let log2 = log.try_clone().expect("log file");
        let server = cluster
            .cmd("postgres")
            .arg("-D")
            .arg(&data)
            .arg("-k")
            .arg(&dir)
            .args(["-p", &port.to_string(), "-h", "127.0.0.1"])
            .args(if durable {
                ["-c", "fsync=on", "-c", "synchronous_commit=on"]
            } else {
                ["-c", "fsync=off", "-c", "synchronous_commit=off"]
            })
            .args(["-c", "max_connections=300", "-c", "shared_buffers=256MB"])
            // Production-like WAL sizing: fewer forced checkpoints under bulk ingest.
            .args(["-c", "max_wal_size=4GB", "-c", "checkpoint_timeout=15min"])
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log2)
            .spawn()
            .expect("starts postgres");
        cluster.server = Some(server);
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let ready = cluster
                .cmd("pg_isready")
                .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", "postgres"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if ready {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "PostgreSQL did not start: {}",
                std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        cluster.url = format!("postgres://postgres@127.0.0.1:{port}/postgres");
        cluster
    }

    /// A detached shell that waits for this test process to exit, then stops the cluster and
    /// removes its directory (statics are never dropped, so this is what cleans up).
    fn spawn_watchdog(&self) {
        let data = self.dir.join("data");
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = if self.as_postgres {
            format!(
                "runuser -u postgres -- {} -D {} stop -m immediate",
                pg_ctl.display(),
                data.display()
            )
        } else {
            format!(
                "{} -D {} stop -m immediate",
                pg_ctl.display(),
                data.display()
            )
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 0.3; done; \
             if [ -f {data}/postmaster.pid ]; then {stop} >/dev/null 2>&1; fi; rm -rf {dir}",
            pid = std::process::id(),
            data = data.display(),
            dir = self.dir.display(),
        );
        // Deliberately never waited for: it must outlive this process.
        #[allow(clippy::zombie_processes)]
        Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starts the cleanup watchdog");
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = self
            .cmd("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["stop", "-m", "immediate"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        if let Some(mut server) = self.server.take() {
            let _ = server.kill();
            let _ = server.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Every row of every table of the database, as PostgreSQL's text form (bytea as hex).
pub async fn dump_all_tables(url: &str) -> Vec<u8> {
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connects");
    tokio::spawn(conn);
    let tables = client
        .query(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .await
        .expect("lists tables");
    let mut out = Vec::new();
    for t in tables {
        let name: String = t.get(0);
        let rows = client
            .query(&format!("SELECT t::text FROM \"{name}\" t"), &[])
            .await
            .expect("reads a table");
        for r in rows {
            let text: String = r.get(0);
            out.extend_from_slice(text.as_bytes());
            out.push(b'\n');
        }
    }
    out
}
