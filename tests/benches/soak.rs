//! The soak (issue 27 item 5), outside CI: `scripts/soak.sh`. The real `teduh-server` binary
//! (release) serves 200 devices in teams of ten (a supervisor and nine counselors she invited
//! from her device, as the hotline's corps is organised) for 10 minutes on each backend, every device writing a
//! note and syncing in turn. A third of the way in the server is stopped with SIGTERM and
//! restarted; two thirds in it is killed with SIGKILL and restarted. Afterwards every device
//! syncs until nothing is pending, and the soak counts, from the devices' logs and the server's
//! database: records lost (a device's record the server lacks), duplicated, or missing from a
//! teammate's log, and gaps in any device's sequence on the server. It prints the push page
//! latency (p50, p99, from the devices' side, rounds during the restarts included), the sync
//! errors the restarts caused, and the server's resident memory at the start and the end.
//!
//! `SOAK_MINUTES` (10), `SOAK_DEVICES` (200), `SOAK_BACKENDS` (`sqlite,postgres`) and
//! `SOAK_SERVER_BIN` (the release `teduh-server` beside this binary) change it. All names are
//! made up.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    missing_docs,
    unreachable_pub
)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use teduh_core::ids::DeviceId;
use teduh_core::sync::{Answer, Intercepted, Interceptor, Request, TransportError};
use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile, Device};

#[path = "../../crates/teduh-server/tests/common/mod.rs"]
mod pg;

const TEAM_SIZE: usize = 10;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The server as a process of its own, on a fixed port across restarts.
struct Server {
    bin: PathBuf,
    data_dir: PathBuf,
    database: Option<String>,
    child: Child,
    listen: String,
}

impl Server {
    fn start(bin: &Path, data_dir: &Path, database: Option<&str>, listen: &str) -> Self {
        let mut cmd = Command::new(bin);
        cmd.args(["--listen", listen, "--data-dir"])
            .arg(data_dir)
            // Two hundred devices register from one address.
            .args(["--auth-burst", "100000", "--auth-per-second", "100000"])
            .env("TEDUH_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(db) = database {
            cmd.args(["--database", db]);
        }
        let mut child = cmd.spawn().expect("teduh-server starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the listening line");
        let addr = line
            .trim()
            .strip_prefix("teduh-server listening on http://")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self {
            bin: bin.to_owned(),
            data_dir: data_dir.to_owned(),
            database: database.map(str::to_owned),
            child,
            listen: addr,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.listen)
    }

    fn admin(&self, args: &[&str]) -> String {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--data-dir").arg(&self.data_dir);
        if let Some(db) = &self.database {
            cmd.args(["--database", db]);
        }
        let out = cmd
            .arg("admin")
            .args(args)
            .env("TEDUH_LOG", "warn")
            .output()
            .expect("admin runs");
        assert!(out.status.success(), "admin {args:?}: {out:?}");
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// The process's resident memory in MiB.
    fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    }

    /// Stops it with `signal` (TERM or KILL) and starts it again on the same address. Returns
    /// the seconds it was away.
    fn restart(&mut self, signal: &str) -> f64 {
        let down = Instant::now();
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
        self.child.wait().expect("the server exits");
        let listen = self.listen.clone();
        let database = self.database.clone();
        let mut again = None;
        // The port may take a moment to be free again.
        for _ in 0..50 {
            let s = std::panic::catch_unwind(|| {
                Server::start(&self.bin, &self.data_dir, database.as_deref(), &listen)
            });
            if let Ok(s) = s {
                again = Some(s);
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        *self = again.expect("the server restarts on its address");
        down.elapsed().as_secs_f64()
    }

    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

/// Times every push request of a round.
struct PushTimer {
    started: Option<Instant>,
    pushes: Arc<Mutex<Vec<f64>>>,
}

impl Interceptor for PushTimer {
    fn before(&mut self, request: Request<'_>) -> Result<(), TransportError> {
        if matches!(request, Request::Push { .. }) {
            self.started = Some(Instant::now());
        }
        Ok(())
    }

    fn after(&mut self, request: Request<'_>, answer: Answer<'_>) -> Result<(), TransportError> {
        if let (Request::Push { .. }, Some(at), Ok(_)) = (request, self.started.take(), answer) {
            let ms = at.elapsed().as_secs_f64() * 1000.0;
            self.pushes.lock().expect("lock").push(ms);
        }
        Ok(())
    }
}

/// A team of `TEAM_SIZE`: its supervisor invited by the administrator, the counselors by her
/// from her device (admitted by their invitations); each device with a client of its own to write about.
fn team(server: &Server, t: usize) -> (String, Vec<Device>) {
    let name = format!("Tim Soak {t}");
    server.admin(&["create-team", &name]);
    let code = server.admin(&["invite", "--team", &name, "--role", "supervisor"]);
    let code = code.lines().next().expect("a code").trim().to_owned();
    let url = server.url();
    let mut sup = Device::register(&url, &code, &format!("sup.soak{t}"));
    sup.sync().expect("the team key");
    let mut devices = Vec::new();
    for j in 1..TEAM_SIZE {
        let code = sup
            .invite(&format!("kons.soak{t}.{j}"), Role::Counselor)
            .expect("invited");
        devices.push(Device::invited(&url, &code).expect("joins"));
    }
    // Her device admits them by their invitations at its next sync; then they get the key.
    sup.sync().expect("admits the team");
    for c in &mut devices {
        c.sync().expect("receives the team key");
    }
    devices.insert(0, sup);
    for (j, d) in devices.iter_mut().enumerate() {
        d.vault
            .add_client(&profile(&format!("SK-{t}-{j}"), "Klien Sintetis Soak"))
            .expect("a client");
    }
    (name, devices)
}

/// `(device, records, highest sequence)` of every device on the server.
fn server_logs(backend: &str, data_dir: &Path, database: Option<&str>) -> Vec<(u64, u64, u64)> {
    const SQL: &str = "SELECT device_id, COUNT(*), MAX(device_seq) FROM records GROUP BY device_id";
    if backend == "sqlite" {
        let db = rusqlite::Connection::open(data_dir.join("teduh-server.sqlite3")).expect("db");
        let mut st = db.prepare(SQL).expect("query");
        st.query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)? as u64,
                r.get::<_, i64>(1)? as u64,
                r.get::<_, i64>(2)? as u64,
            ))
        })
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("logs")
    } else {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let (client, conn) =
                tokio_postgres::connect(database.expect("url"), tokio_postgres::NoTls)
                    .await
                    .expect("connects");
            tokio::spawn(conn);
            client
                .query(SQL, &[])
                .await
                .expect("rows")
                .iter()
                .map(|r| {
                    (
                        r.get::<_, i64>(0) as u64,
                        r.get::<_, i64>(1) as u64,
                        r.get::<_, i64>(2) as u64,
                    )
                })
                .collect()
        })
    }
}

/// How many records a device's log holds, and how many of its own.
fn device_log(d: &Device) -> (u64, u64) {
    let db = rusqlite::Connection::open(d.data_dir().join("teduh.sqlite3")).expect("db");
    let own = DeviceId::from_server(d.device());
    db.query_row(
        "SELECT COUNT(*), COALESCE(SUM(device_id = ?1), 0) FROM record_log",
        [&own.0[..]],
        |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
    )
    .expect("counts")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)]
}

fn soak(backend: &str, bin: &Path, devices: usize, minutes: f64) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let pg_db = (backend == "postgres").then(|| rt.block_on(pg::TestDatabase::create()));
    let database = pg_db.as_ref().map(|d| d.url.clone());
    let dir = tempfile::tempdir().expect("tempdir");
    let mut server = Server::start(bin, dir.path(), database.as_deref(), "127.0.0.1:0");
    server.admin(&["init-org", "Organisasi Uji Soak"]);

    let set_up = Instant::now();
    let mut teams = Vec::new();
    for t in 0..devices.div_ceil(TEAM_SIZE) {
        teams.push(team(&server, t));
    }
    println!(
        "{backend}: {} teams of {TEAM_SIZE} set up in {:.0} s",
        teams.len(),
        set_up.elapsed().as_secs_f64()
    );

    let team_ids: Vec<Vec<u64>> = teams
        .iter()
        .map(|(_, d)| d.iter().map(Device::device).collect())
        .collect();
    let rss_start = server.rss_mib();
    let pushes = Arc::new(Mutex::new(Vec::new()));
    let notes = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let all: Vec<Device> = teams.iter_mut().flat_map(|(_, d)| d.drain(..)).collect();
    let workers = 4;
    let mut slices: Vec<Vec<Device>> = (0..workers).map(|_| Vec::new()).collect();
    for (i, d) in all.into_iter().enumerate() {
        slices[i % workers].push(d);
    }
    let handles: Vec<_> = slices
        .into_iter()
        .enumerate()
        .map(|(w, mut mine)| {
            let (pushes, notes, errors, stop) = (
                Arc::clone(&pushes),
                Arc::clone(&notes),
                Arc::clone(&errors),
                Arc::clone(&stop),
            );
            std::thread::spawn(move || {
                let mut round = 0usize;
                while !stop.load(Ordering::Relaxed) {
                    for d in &mut mine {
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                        let client = d.vault.list_clients().expect("clients")[0].id;
                        d.vault
                            .add_note(client, &draft(&format!("Sesi soak {w}.{round} (sintetis)")))
                            .expect("a note");
                        notes.fetch_add(1, Ordering::Relaxed);
                        let mut http = d.transport();
                        let mut timed = Intercepted::new(
                            &mut http,
                            PushTimer {
                                started: None,
                                pushes: Arc::clone(&pushes),
                            },
                        );
                        if d.sync_through(&mut timed).is_err() {
                            errors.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    round += 1;
                }
                mine
            })
        })
        .collect();

    let total = Duration::from_secs_f64(minutes * 60.0);
    let began = Instant::now();
    std::thread::sleep(total / 3);
    let rss_before_term = server.rss_mib();
    let term_down = server.restart("TERM");
    std::thread::sleep((total * 2 / 3).saturating_sub(began.elapsed()));
    let rss_before_kill = server.rss_mib();
    let kill_down = server.restart("KILL");
    std::thread::sleep(total.saturating_sub(began.elapsed()));
    stop.store(true, Ordering::Relaxed);
    let mut all: Vec<Device> = handles
        .into_iter()
        .flat_map(|h| h.join().expect("a worker"))
        .collect();
    let soaked = began.elapsed().as_secs_f64();

    // Everything out, then everything in: rounds until one in which no device wrote anything
    // (a round may write a checkpoint or an acknowledgement), then one more so that every
    // device pulls the last of them.
    let own_counts = |all: &[Device]| all.iter().map(|d| device_log(d).1).collect::<Vec<_>>();
    for _ in 0..10 {
        let before = own_counts(&all);
        for d in &mut all {
            d.sync_until_done(5).expect("syncs after the soak");
        }
        if own_counts(&all) == before {
            break;
        }
    }
    for d in &mut all {
        d.sync_until_done(5).expect("a last round");
    }
    let pending: u64 = all
        .iter()
        .map(|d| d.vault.pending_count().expect("pending"))
        .sum();
    let rss_end = server.rss_mib();
    server.stop();

    let on_server = server_logs(backend, dir.path(), database.as_deref());
    let server_total: u64 = on_server.iter().map(|(_, n, _)| n).sum();
    let gaps = on_server.iter().filter(|(_, n, max)| n != max).count();
    let mut lost = 0u64;
    let mut duplicated = 0u64;
    let mut missing_from_teammates = 0u64;
    let stored_of = |device: u64| {
        on_server
            .iter()
            .find(|(id, _, _)| *id == device)
            .map_or(0, |(_, n, _)| *n)
    };
    for d in &all {
        let team = team_ids
            .iter()
            .find(|t| t.contains(&d.device()))
            .expect("its team");
        let team_total: u64 = team.iter().map(|id| stored_of(*id)).sum();
        let (held, own) = device_log(d);
        let stored = stored_of(d.device());
        lost += own.saturating_sub(stored);
        duplicated += stored.saturating_sub(own);
        missing_from_teammates += team_total.saturating_sub(held);
    }
    let mut sorted = pushes.lock().expect("lock").clone();
    sorted.sort_by(f64::total_cmp);
    println!(
        "{backend}: {} devices for {:.1} min: {} notes written, {server_total} records on the \
         server; lost {lost}, duplicated {duplicated}, gaps {gaps}, missing from a teammate's \
         log {missing_from_teammates}, still pending {pending}",
        all.len(),
        soaked / 60.0,
        notes.load(Ordering::Relaxed),
    );
    println!(
        "{backend}: push page latency p50 {:.1} ms, p99 {:.1} ms over {} pushes; {} sync rounds \
         failed while the server was away (SIGTERM: {term_down:.1} s away, SIGKILL: \
         {kill_down:.1} s away)",
        percentile(&sorted, 0.5),
        percentile(&sorted, 0.99),
        sorted.len(),
        errors.load(Ordering::Relaxed),
    );
    println!(
        "{backend}: server RSS {rss_start:.1} MiB at the start, {rss_before_term:.1} before \
         SIGTERM, {rss_before_kill:.1} before SIGKILL, {rss_end:.1} at the end"
    );
    assert_eq!(
        (lost, duplicated, gaps, missing_from_teammates, pending),
        (0, 0, 0, 0, 0),
        "{backend}: nothing lost, duplicated, skipped or left behind"
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to filter.
    let minutes: f64 = env_or("SOAK_MINUTES", 10.0);
    let devices: usize = env_or("SOAK_DEVICES", 200);
    let backends = std::env::var("SOAK_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
    let bin = std::env::var_os("SOAK_SERVER_BIN").map_or_else(
        || {
            let me = std::env::current_exe().expect("own path");
            // target/release/deps/soak-<hash> -> target/release/teduh-server
            me.parent()
                .and_then(Path::parent)
                .expect("target dir")
                .join("teduh-server")
        },
        PathBuf::from,
    );
    assert!(
        bin.exists(),
        "{} is missing: build it first (scripts/soak.sh does)",
        bin.display()
    );
    for backend in backends.split(',').map(str::trim) {
        soak(backend, &bin, devices, minutes);
    }
}
