//! Vault benchmarks: each figure of issue 3 next to its target and next to the raw limit
//! measured in the same run on the same disk.
//!
//! Run: `cargo bench -p teduh-core --bench vault` (optimised build; takes about a minute).
//!
//! Figures: unlock (Argon2id with the real parameters); note save p50/p99 (encrypt, sign, log
//! and durable commit); client search over 10,000 clients; index build at unlock for 10,000
//! clients; replay of 100,000 log records. Limits: the bare KDF, raw SQLite inserts with the same
//! durability settings (one row per durable commit, and batched), raw AES-256-GCM throughput,
//! and a bare in-memory substring scan.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use chrono::Utc;
use teduh_core::crypto::{self, KdfParams};
use teduh_core::domain::{ClientProfile, Modality, NoteDraft, RiskLevel};
use teduh_core::store::LocalStore;
use teduh_core::vault::Vault;

const PASS: &str = "benchmark passphrase";
const CLIENTS: usize = 10_000;
const RECORDS: u64 = 100_000;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn row(figure: &str, measured: String, target: &str, limit: String) {
    println!("{figure:<34} {measured:>18}   target {target:<12} limit (same run): {limit}");
}

/// One durable commit per row, WAL + synchronous=FULL, like the vault.
fn raw_sqlite(dir: &Path) -> (Duration, Duration, f64) {
    let conn = rusqlite::Connection::open(dir.join("raw.sqlite3")).expect("raw db");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("full");
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)")
        .expect("table");
    let blob = vec![7u8; 2048];
    let mut lat = Vec::new();
    for _ in 0..300 {
        let s = Instant::now();
        conn.execute("INSERT INTO t (v) VALUES (?1)", [&blob])
            .expect("insert");
        lat.push(s.elapsed());
    }
    lat.sort();
    let n = 100_000;
    let s = Instant::now();
    conn.execute_batch("BEGIN").expect("begin");
    {
        let mut st = conn
            .prepare("INSERT INTO t (v) VALUES (?1)")
            .expect("prepare");
        for _ in 0..n {
            st.execute([&blob[..600]]).expect("insert");
        }
    }
    conn.execute_batch("COMMIT").expect("commit");
    let batched = n as f64 / s.elapsed().as_secs_f64();
    (percentile(&lat, 0.5), percentile(&lat, 0.99), batched)
}

/// AES-256-GCM: bulk MB/s and small (1 KiB) messages per second.
fn raw_aes() -> (f64, f64) {
    let cipher = Aes256Gcm::new_from_slice(&[9u8; 32]).expect("key");
    let nonce = Nonce::from_slice(&[1u8; 12]);
    let mut buf = vec![0u8; 1 << 20];
    let s = Instant::now();
    for _ in 0..64 {
        let tag = cipher
            .encrypt_in_place_detached(nonce, b"", &mut buf)
            .expect("encrypts");
        black_box(tag);
    }
    let mbps = 64.0 / s.elapsed().as_secs_f64();
    let mut small = vec![0u8; 1024];
    let n = 100_000;
    let s = Instant::now();
    for _ in 0..n {
        let tag = cipher
            .encrypt_in_place_detached(nonce, b"aad", &mut small)
            .expect("encrypts");
        black_box(tag);
    }
    (mbps, n as f64 / s.elapsed().as_secs_f64())
}

/// Ed25519 signature verifications per second (each replayed record is verified).
fn raw_ed25519_verify() -> f64 {
    use ed25519_dalek::{Signer, SigningKey, Verifier};
    let key = SigningKey::from_bytes(&[5u8; 32]);
    let msg = vec![1u8; 1500];
    let sig = key.sign(&msg);
    let vk = key.verifying_key();
    let n = 5000;
    let s = Instant::now();
    for _ in 0..n {
        vk.verify(black_box(&msg), &sig).expect("verifies");
    }
    n as f64 / s.elapsed().as_secs_f64()
}

const FIRST: [&str; 20] = [
    "Sari", "Budi", "Rina", "Agus", "Dewi", "Made", "Putu", "Wayan", "Nur", "Siti", "Yohanes",
    "Maria", "Fajar", "Indah", "Rizky", "Ayu", "Bayu", "Lestari", "Andi", "Fitri",
];
const LAST: [&str; 25] = [
    "Contoh",
    "Fiktif",
    "Sintetis",
    "Rekaan",
    "Percobaan",
    "Uji",
    "Sampel",
    "Dummy",
    "Bayangan",
    "Karangan",
    "Khayal",
    "Ilustrasi",
    "Model",
    "Tiruan",
    "Coba",
    "Anonim",
    "Samaran",
    "Tamsil",
    "Kiasan",
    "Misal",
    "Andaian",
    "Umpama",
    "Simulasi",
    "Replika",
    "Prototipe",
];

fn client_profile(i: usize) -> ClientProfile {
    ClientProfile {
        code: format!("JKT-{i:05}"),
        name: format!("{} {} {}", FIRST[i % 20], LAST[(i / 20) % 25], i / 500),
        nickname: format!("{}{}", &FIRST[(i * 7) % 20][..3], i % 97),
        // Adults only (born 1950-1999): a child needs a guardian, which this benchmark does not model.
        birth_date: chrono::NaiveDate::from_ymd_opt(1950 + (i % 50) as i32, 1 + (i % 12) as u32, 1),
        address: format!("Jl. Sintetis No. {i}, Kota Contoh"),
        language: "id".into(),
        ..ClientProfile::default()
    }
}

fn note(i: usize) -> NoteDraft {
    NoteDraft {
        occurred_at: Some(Utc::now()),
        zone: "Asia/Jakarta".into(),
        duration_minutes: 50,
        modality: Modality::InPerson,
        location: "Kantor layanan".into(),
        participants: vec!["ibu klien".into()],
        pfa_look: vec!["keamanan".into()],
        pfa_listen: vec!["mendengarkan aktif".into()],
        pfa_link: vec!["rujukan puskesmas".into()],
        narrative: format!("Sesi {i}. ").repeat(1)
            + &"Klien bercerita tentang minggu ini. ".repeat(40),
        risk: Some(RiskLevel::Low),
        plan: "Latihan pernapasan, sesi lanjutan minggu depan.".into(),
        ..NoteDraft::default()
    }
}

fn main() {
    let tmp = tempfile::tempdir().expect("tempdir");
    println!(
        "teduh-core vault benchmark (data in {})",
        tmp.path().display()
    );
    println!();

    // Limits first.
    let (raw_p50, raw_p99, raw_batched) = raw_sqlite(tmp.path());
    let (aes_mbps, aes_small) = raw_aes();
    let verify_rate = raw_ed25519_verify();
    let kdf = KdfParams::interactive();
    let s = Instant::now();
    black_box(crypto::derive_kek(PASS.as_bytes(), b"benchmark-salt16", kdf).expect("kdf"));
    let kdf_alone = s.elapsed();

    // Unlock with the real parameters (read back from the vault).
    let path = tmp.path().join("teduh.sqlite3");
    let mut v = Vault::create(LocalStore::open(&path).expect("store"), PASS).expect("create");
    v.set_idle_timeout(None);
    let mut unlocks = Vec::new();
    for _ in 0..3 {
        v.lock();
        let s = Instant::now();
        v.unlock(PASS).expect("unlock");
        unlocks.push(s.elapsed());
    }
    unlocks.sort();

    // Note saves, one durable transaction each.
    let c = v.add_client(&client_profile(CLIENTS)).expect("client");
    let mut saves = Vec::new();
    for i in 0..300 {
        let n = note(i);
        let s = Instant::now();
        v.add_note(c, &n).expect("note");
        saves.push(s.elapsed());
    }
    saves.sort();

    // 10,000 clients, then the index build at unlock.
    for chunk in (0..CLIENTS).collect::<Vec<_>>().chunks(1000) {
        v.batch(|b| {
            for &i in chunk {
                b.add_client(&client_profile(i))?;
            }
            Ok(())
        })
        .expect("clients");
    }
    let mut index_builds = Vec::new();
    let mut unlocks_10k = Vec::new();
    for _ in 0..3 {
        v.lock();
        let s = Instant::now();
        let report = v.unlock(PASS).expect("unlock");
        unlocks_10k.push(s.elapsed());
        assert_eq!(report.clients_indexed, CLIENTS + 1, "every client indexed");
        index_builds.push(report.index_time);
    }
    index_builds.sort();
    unlocks_10k.sort();

    // Search.
    let queries = [
        "sari",
        "JKT-0",
        "jkt-09999",
        "contoh 1",
        "made uji",
        "ayu",
        "zzz",
        "fit",
        "a",
        "rin 3",
    ];
    let mut searches = Vec::new();
    let mut hits = 0;
    for _ in 0..20 {
        for q in queries {
            let s = Instant::now();
            hits += v.search_clients(q, 50).expect("search").len();
            searches.push(s.elapsed());
        }
    }
    searches.sort();
    black_box(hits);
    // Limit: a bare lower-case substring scan over the same strings.
    let strings: Vec<String> = (0..CLIENTS)
        .map(|i| {
            let p = client_profile(i);
            format!("{}\n{}\n{}", p.code, p.name, p.nickname).to_lowercase()
        })
        .collect();
    let s = Instant::now();
    for q in queries {
        black_box(strings.iter().filter(|h| h.contains(q)).count());
    }
    let scan = s.elapsed() / queries.len() as u32;

    // Fill the log to 100,000 records with notes, then replay it.
    let clients: Vec<_> = v
        .list_clients()
        .expect("list")
        .into_iter()
        .map(|c| c.id)
        .collect();
    let mut i = 0usize;
    while v.log_len().expect("log") < RECORDS {
        let missing = RECORDS - v.log_len().expect("log");
        let n = missing.min(5000) as usize;
        v.batch(|b| {
            for _ in 0..n {
                b.add_note(clients[i % clients.len()], &note(i))?;
                i += 1;
            }
            Ok(())
        })
        .expect("notes");
    }
    let records = v.log_len().expect("log");
    let s = Instant::now();
    let replayed = v.rebuild().expect("rebuild");
    let replay = s.elapsed();
    assert_eq!(replayed, records, "every record replayed");
    let field_rows: i64 = v
        .store()
        .connection()
        .query_row("SELECT COUNT(*) FROM entity_fields", [], |r| r.get(0))
        .expect("count");

    println!(
        "{:<34} {:>18}   {:<19} limit",
        "figure", "measured", "target"
    );
    row(
        "unlock (Argon2id, empty vault)",
        format!("{:.0} ms", ms(unlocks[1])),
        "500-1000 ms",
        format!(
            "Argon2id alone {:.0} ms (m={} MiB, t={}, p={})",
            ms(kdf_alone),
            kdf.m_cost_kib / 1024,
            kdf.t_cost,
            kdf.p_cost
        ),
    );
    row(
        "unlock with 10,000 clients",
        format!("{:.0} ms", ms(unlocks_10k[1])),
        "-",
        format!("Argon2id alone {:.0} ms", ms(kdf_alone)),
    );
    row(
        "note save p50",
        format!("{:.2} ms", ms(percentile(&saves, 0.5))),
        "<= 5 ms",
        format!(
            "raw SQLite durable 1-row commit p50 {:.2} ms ({:.0} commits/s)",
            ms(raw_p50),
            1.0 / raw_p50.as_secs_f64()
        ),
    );
    row(
        "note save p99",
        format!("{:.2} ms", ms(percentile(&saves, 0.99))),
        "-",
        format!("raw SQLite durable 1-row commit p99 {:.2} ms", ms(raw_p99)),
    );
    row(
        "search 10,000 clients p50",
        format!("{:.3} ms", ms(percentile(&searches, 0.5))),
        "<= 20 ms",
        format!("bare substring scan {:.3} ms", ms(scan)),
    );
    row(
        "search 10,000 clients max",
        format!("{:.3} ms", ms(*searches.last().expect("searched"))),
        "<= 20 ms",
        String::new(),
    );
    row(
        "index build at unlock, 10,000",
        format!("{:.1} ms", ms(index_builds[1])),
        "<= 300 ms",
        format!(
            "AES-256-GCM 1 KiB x 30,000 fields would take {:.1} ms",
            30_000.0 / aes_small * 1e3
        ),
    );
    row(
        "replay 100,000 records",
        format!(
            "{:.2} s ({:.0}/s)",
            replay.as_secs_f64(),
            records as f64 / replay.as_secs_f64()
        ),
        "-",
        format!(
            "{field_rows} field rows = {:.0} rows/s vs raw SQLite batched {raw_batched:.0} rows/s; \
             Ed25519 verify {verify_rate:.0}/s",
            field_rows as f64 / replay.as_secs_f64()
        ),
    );
    row(
        "AES-256-GCM throughput",
        format!("{aes_mbps:.0} MB/s"),
        "-",
        format!("{aes_small:.0} x 1 KiB messages/s"),
    );
}
