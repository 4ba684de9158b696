//! Sync server benchmark on both backends, over real HTTP on loopback.
//!
//! `cargo bench -p teduh-server --bench sync` (optionally `-- sqlite` or `-- postgres`; set
//! `BENCH_SECS` to change the ingest duration, default 10). It prints, per backend:
//! - ingest: records/s with 200 simulated devices each pushing pages of 64 x 1 KB records
//!   (a ~66 KB page), p50/p99 push-page latency, and p50/p99 pull-page latency (64 KB budget)
//!   of readers polling during that load;
//! - cold pull: one device pulling 100,000 records from cursor 0, time and bytes per record;
//! - the database's own limit beside it: the same pages pushed straight into the storage by
//!   one writer (no HTTP).
//!
//! `BENCH_PACE_MS` sets the paced phase's interval per device (default 1000 ms).
//!
//! PostgreSQL is a throwaway cluster with durable settings (fsync on, synchronous_commit on),
//! like SQLite's WAL + synchronous=FULL, so the comparison is fair.

#[path = "../tests/common/mod.rs"]
mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use teduh_protocol::sync::{hlc_from_millis, PullPage, PushPage, Record, Role};
use teduh_server::router::{AppState, Settings};
use teduh_server::storage::{NewDevice, NewInvitation, NewTokens, Registration};
use teduh_server::Storage;

const DEVICES: usize = 200;
const TEAMS: usize = 20;
const PER_PAGE: u64 = 64;
const RECORD_BYTES: usize = 1024;
const COLD_RECORDS: u64 = 100_000;
const NOW: i64 = 1_800_000_000;

fn main() {
    let which: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let want = |b: &str| which.is_empty() || which.iter().any(|w| w == b);
    let secs: u64 = std::env::var("BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if want("sqlite") {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("bench.sqlite3");
        let s: Arc<dyn Storage> =
            Arc::new(teduh_server::storage::sqlite::SqliteStorage::open(&path).expect("sqlite"));
        run("sqlite", &rt, s, secs);
    }
    if want("postgres") {
        let cluster = common::PgCluster::start_with(true);
        let url = rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&cluster.url, tokio_postgres::NoTls)
                .await
                .expect("connect");
            tokio::spawn(conn);
            client
                .batch_execute("CREATE DATABASE bench")
                .await
                .expect("create db");
            match cluster.url.rsplit_once('/') {
                Some((base, _)) => format!("{base}/bench"),
                None => cluster.url.clone(),
            }
        });
        let s: Arc<dyn Storage> = Arc::new(
            rt.block_on(teduh_server::storage::postgres::PostgresStorage::connect_with(&url, 16))
                .expect("postgres"),
        );
        run("postgres", &rt, s, secs);
        drop(cluster);
    }
}

struct Device {
    team: u64,
    id: u64,
    token: String,
}

fn hash(s: &str) -> [u8; 32] {
    teduh_server::auth::sha256(s.as_bytes())
}

async fn setup(s: &dyn Storage, prefix: &str, teams: usize, devices: usize) -> Vec<Device> {
    let _ = s.init_org("Bench".into(), NOW).await;
    let mut out = Vec::new();
    let mut team_ids = Vec::new();
    for t in 0..teams {
        team_ids.push(
            s.create_team(format!("{prefix}-team-{t}"), NOW)
                .await
                .expect("team")
                .id,
        );
    }
    let mut members: Vec<Vec<(u64, Vec<u8>)>> = vec![Vec::new(); teams];
    for d in 0..devices {
        let t = d % teams;
        let code = format!("{prefix}-invite-{d}");
        s.create_invitation(NewInvitation {
            team_id: team_ids[t],
            package: None,
            role: Role::Counselor,
            member_id: None,
            code_hash: hash(&code),
            created_at: NOW,
            expires_at: i64::MAX,
        })
        .await
        .expect("invite");
        let token = format!("{prefix}-token-{d}");
        let (dev, _) = s
            .register(
                Registration {
                    invitation_hash: hash(&code),
                    username: format!("{prefix}-user-{d}"),
                    device: NewDevice {
                        id: None,
                        name: "bench".into(),
                        join_proof: None,
                        public_keys: vec![1; 64],
                        tokens: NewTokens {
                            access_hash: hash(&token),
                            access_expires_at: i64::MAX,
                            refresh_expires_at: i64::MAX,
                        },
                        refresh_anchor: None,
                        created_at: NOW,
                    },
                    member_id: None,
                },
                NOW,
            )
            .await
            .expect("register");
        members[t].push((dev.device_id, vec![5; 80]));
        out.push(Device {
            team: team_ids[t],
            id: dev.device_id,
            token,
        });
    }
    for (t, m) in members.into_iter().enumerate() {
        s.add_epoch(team_ids[t], 1, m).await.expect("epoch");
    }
    out
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64
}

fn page(device: u64, first: u64, hlc_ms: u64) -> Vec<u8> {
    PushPage {
        records: (first..first + PER_PAGE)
            .map(|seq| Record {
                device_id: device,
                device_seq: seq,
                key_epoch: 1,
                hlc: hlc_from_millis(hlc_ms, 0),
                // Encrypted payloads are incompressible: fill with pseudo-random bytes.
                payload: (0..RECORD_BYTES)
                    .map(|i| {
                        (seq.wrapping_mul(2654435761).wrapping_add(i as u64 * 40503) >> 7) as u8
                    })
                    .collect(),
            })
            .collect(),
    }
    .encode()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

fn run(backend: &str, rt: &tokio::runtime::Runtime, storage: Arc<dyn Storage>, secs: u64) {
    println!("== {backend} ==");
    let devices = rt.block_on(setup(storage.as_ref(), "ingest", TEAMS, DEVICES));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let state = AppState::with_settings(Arc::clone(&storage), Settings::default());
    let server = rt.spawn(teduh_server::serve_with(listener, state, async move {
        let _ = stop_rx.await;
    }));

    let hlc_ms = now_ms();
    let next_seq: Arc<Vec<AtomicU64>> = Arc::new((0..DEVICES).map(|_| AtomicU64::new(1)).collect());
    let pace_ms: u64 = std::env::var("BENCH_PACE_MS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let paced = format!(
        "paced (each device pushes one page every {pace_ms} ms: {:.0} records/s offered)",
        DEVICES as f64 * PER_PAGE as f64 * 1000.0 / pace_ms as f64
    );
    // Paced first: the saturated phase writes so much that the checkpoints it triggers would
    // land in the paced phase's measurements.
    for (label, pace) in [
        (paced.as_str(), Some(Duration::from_millis(pace_ms))),
        ("saturated (each device pushes back to back)", None),
    ] {
        load(&url, &devices, &next_seq, hlc_ms, secs, pace, label);
    }
    cold_pull(rt, &storage, &url, hlc_ms);
    let _ = stop_tx.send(());
    let _ = rt.block_on(server);
}

fn load(
    url: &str,
    devices: &[Device],
    next_seq: &Arc<Vec<AtomicU64>>,
    hlc_ms: u64,
    secs: u64,
    pace: Option<Duration>,
    label: &str,
) {
    // 200 devices push; 4 readers poll meanwhile.
    let stop = Arc::new(AtomicBool::new(false));
    let stored = Arc::new(AtomicU64::new(0));
    let push_lat = Arc::new(Mutex::new(Vec::new()));
    let pull_lat = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let mut threads = Vec::new();
    for (i, d) in devices.iter().enumerate() {
        let (url, token, team, id) = (url.to_owned(), d.token.clone(), d.team, d.id);
        let (stop, stored, lat) = (
            Arc::clone(&stop),
            Arc::clone(&stored),
            Arc::clone(&push_lat),
        );
        let seqs = Arc::clone(next_seq);
        threads.push(std::thread::spawn(move || {
            let agent = ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(60))
                .build();
            let mut mine = Vec::new();
            if let Some(p) = pace {
                // Spread the first pushes over the interval, as real devices are.
                std::thread::sleep(p.mul_f64(i as f64 / DEVICES as f64));
            }
            while !stop.load(Ordering::Relaxed) {
                let tick = Instant::now();
                let next = seqs[i].load(Ordering::Relaxed);
                let body = page(id, next, hlc_ms);
                let t = Instant::now();
                let r = agent
                    .post(&format!("{url}/v1/teams/{team}/records"))
                    .set("Authorization", &format!("Bearer {token}"))
                    .set("Content-Type", "application/octet-stream")
                    .send_bytes(&body);
                mine.push(t.elapsed());
                match r {
                    Ok(_) => {
                        stored.fetch_add(PER_PAGE, Ordering::Relaxed);
                        seqs[i].store(next + PER_PAGE, Ordering::Relaxed);
                    }
                    Err(e) => {
                        eprintln!("push failed: {e}");
                        return;
                    }
                }
                if let Some(p) = pace {
                    if let Some(rest) = p.checked_sub(tick.elapsed()) {
                        std::thread::sleep(rest);
                    }
                }
            }
            if let Ok(mut l) = lat.lock() {
                l.extend(mine);
            }
        }));
    }
    for r in 0..4 {
        let reader = &devices[r * (DEVICES / 4)];
        let (url, token, team) = (url.to_owned(), reader.token.clone(), reader.team);
        let (stop, lat) = (Arc::clone(&stop), Arc::clone(&pull_lat));
        threads.push(std::thread::spawn(move || {
            let agent = ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(60))
                .build();
            let mut cursor = 0;
            let mut mine = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let r = agent
                    .get(&format!(
                        "{url}/v1/teams/{team}/records?after={cursor}&budget=65536"
                    ))
                    .set("Authorization", &format!("Bearer {token}"))
                    .call();
                let Ok(resp) = r else { return };
                let mut bytes = Vec::new();
                if std::io::Read::read_to_end(&mut resp.into_reader(), &mut bytes).is_err() {
                    return;
                }
                mine.push(t.elapsed());
                if let Ok(p) = PullPage::decode(&bytes) {
                    cursor = p.next_cursor;
                    if p.records.is_empty() {
                        std::thread::sleep(Duration::from_millis(20));
                    }
                }
            }
            if let Ok(mut l) = lat.lock() {
                l.extend(mine);
            }
        }));
    }
    std::thread::sleep(Duration::from_secs(secs));
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let elapsed = started.elapsed().as_secs_f64();
    let n = stored.load(Ordering::Relaxed);
    let mut pl = push_lat.lock().map(|v| v.clone()).unwrap_or_default();
    let mut ql = pull_lat.lock().map(|v| v.clone()).unwrap_or_default();
    pl.sort();
    ql.sort();
    println!("-- load: {label}");
    println!(
        "ingest: {n} records of {RECORD_BYTES} B in {elapsed:.1} s = {:.0} records/s ({DEVICES} devices in {TEAMS} teams, {PER_PAGE} records per page)",
        n as f64 / elapsed
    );
    println!(
        "push page ({} KB): p50 {:.1} ms, p99 {:.1} ms over {} pages",
        PushPage::default().encode().len() / 1024
            + (PER_PAGE as usize * (RECORD_BYTES + 32)) / 1024,
        percentile(&pl, 0.5),
        percentile(&pl, 0.99),
        pl.len()
    );
    println!(
        "pull page (64 KB budget) under that load: p50 {:.1} ms, p99 {:.1} ms over {} pages",
        percentile(&ql, 0.5),
        percentile(&ql, 0.99),
        ql.len()
    );
}

fn cold_pull(rt: &tokio::runtime::Runtime, storage: &Arc<dyn Storage>, url: &str, hlc_ms: u64) {
    // Cold pull: one team with 100,000 records, pulled from zero by one device.
    let cold = rt.block_on(setup(storage.as_ref(), "cold", 1, 1));
    let dev = &cold[0];
    let t = Instant::now();
    rt.block_on(async {
        let mut seq = 1;
        while seq <= COLD_RECORDS {
            let records = PushPage::decode(&page(dev.id, seq, hlc_ms))
                .expect("page")
                .records;
            storage
                .push(dev.team, dev.id, records, u64::MAX >> 1)
                .await
                .expect("seed");
            seq += PER_PAGE;
        }
    });
    let seeded = t.elapsed().as_secs_f64();
    println!(
        "direct storage pushes (no HTTP, one writer, same pages; the database's own limit): {:.0} records/s",
        COLD_RECORDS.div_ceil(PER_PAGE) as f64 * PER_PAGE as f64 / seeded
    );
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build();
    let t = Instant::now();
    let (mut cursor, mut bytes_total, mut records, mut pages) = (0, 0usize, 0usize, 0);
    loop {
        let resp = agent
            .get(&format!(
                "{url}/v1/teams/{}/records?after={cursor}&budget=1048576",
                dev.team
            ))
            .set("Authorization", &format!("Bearer {}", dev.token))
            .call()
            .expect("pull");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut resp.into_reader(), &mut bytes).expect("body");
        let p = PullPage::decode(&bytes).expect("page");
        bytes_total += bytes.len();
        records += p.records.len();
        pages += 1;
        cursor = p.next_cursor;
        if !p.more {
            break;
        }
    }
    let took = t.elapsed().as_secs_f64();
    println!(
        "cold pull: {records} records in {took:.2} s ({:.0} records/s, {pages} pages of 1 MiB), {:.1} bytes on the wire per record ({} B payload + {:.1} B framing)",
        records as f64 / took,
        bytes_total as f64 / records as f64,
        RECORD_BYTES,
        bytes_total as f64 / records as f64 - RECORD_BYTES as f64
    );
}
