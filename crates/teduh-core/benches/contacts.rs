//! Contact-log benchmark (issue 20): saving a contact durably, and filtering 50,000 contacts
//! per keystroke, each figure beside its target and a limit measured in the same run.
//!
//! Run: `cargo bench -p teduh-core --bench contacts` (optimised build; about a minute of
//! set-up).
//!
//! - Save: an anonymous contact (its data-key record and the contact, one durable
//!   transaction), as "Selesai" writes it; the autosave of a change to it; the first save of
//!   a new caller number (the Argon2id hash, once per number). The limit is one durable SQLite
//!   commit of the same size.
//! - Filter: the first read after unlock (every sealed summary opened once), then each prefix
//!   of a word typed into the filter, the page of 200 serialised as the app's IPC sends it. The limit is a plain substring scan over the same 50,000
//!   lower-case strings, in memory.

use std::time::{Duration, Instant};

use chrono::Utc;
use teduh_core::contact::{Channel, ContactAction, ContactEntry, SelfHarm};
use teduh_core::crypto::KdfParams;
use teduh_core::store::LocalStore;
use teduh_core::vault::{ContactFilter, ContactInput, Vault};

const PASS: &str = "benchmark passphrase";
const CONTACTS: usize = 50_000;
const SUMMARIES: [&str; 5] = [
    "penelepon cemas soal ujian dan sulit tidur",
    "ibu menanyakan bantuan sembako untuk keluarganya",
    "remaja merasa sendirian setelah pindah sekolah",
    "tetangga melaporkan anak yang sering ditinggal sendiri",
    "penelepon diam lalu menutup telepon",
];
const CATEGORIES: [&str; 5] = [
    "psychosocial-distress",
    "social-assistance",
    "psychosocial-distress",
    "child-protection",
    "silent-prank",
];

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn row(figure: &str, measured: String, target: &str, limit: String) {
    println!("{figure:<40} {measured:>16}   target {target:<10} limit (same run): {limit}");
}

fn entry(i: usize) -> ContactEntry {
    let start = Utc::now() - chrono::Duration::minutes((CONTACTS - i) as i64 + 30);
    ContactEntry {
        channel: if i.is_multiple_of(3) {
            Channel::WhatsApp
        } else {
            Channel::PhoneCall
        },
        started_at: Some(start),
        ended_at: Some(start + chrono::Duration::minutes(12)),
        categories: vec![CATEGORIES[i % 5].into()],
        self_harm: if i.is_multiple_of(50) {
            SelfHarm::Yes
        } else {
            SelfHarm::No
        },
        actions: vec![ContactAction::Listened],
        summary: format!("{} ({i})", SUMMARIES[i % 5]),
        ..ContactEntry::default()
    }
}

/// One durable commit of a row the size of a contact's two records, WAL + synchronous=FULL.
fn raw_commit(dir: &std::path::Path) -> Duration {
    let conn = rusqlite::Connection::open(dir.join("raw.sqlite3")).expect("raw db");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.pragma_update(None, "synchronous", "FULL")
        .expect("full");
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)")
        .expect("table");
    let blob = vec![7u8; 900];
    let mut lat = Vec::new();
    for _ in 0..200 {
        let s = Instant::now();
        conn.execute("INSERT INTO t (v) VALUES (?1)", [&blob])
            .expect("insert");
        lat.push(s.elapsed());
    }
    lat.sort();
    percentile(&lat, 0.5)
}

fn main() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = Vault::create_with_params(
        LocalStore::open(&tmp.path().join("teduh.sqlite3")).expect("store"),
        PASS,
        KdfParams::insecure_fast_for_tests(),
    )
    .expect("vault");
    v.set_idle_timeout(None);
    let categories = v.contact_categories().expect("categories");

    // Saving, one durable transaction each.
    let limit = raw_commit(tmp.path());
    let mut saves = Vec::new();
    let mut ids = Vec::new();
    for i in 0..200 {
        let input = ContactInput {
            entry: entry(i),
            caller_number: String::new(),
        };
        let s = Instant::now();
        ids.push(v.add_contact(&input).expect("saved"));
        saves.push(s.elapsed());
    }
    saves.sort();
    let mut updates = Vec::new();
    for (k, id) in ids.iter().enumerate().take(200) {
        let mut e = entry(k);
        e.summary.push_str(" lalu merasa lebih tenang");
        let input = ContactInput {
            entry: e,
            caller_number: String::new(),
        };
        let s = Instant::now();
        v.update_contact(*id, &input).expect("updated");
        updates.push(s.elapsed());
    }
    updates.sort();
    let mut numbered = Vec::new();
    for i in 0..20 {
        let input = ContactInput {
            entry: entry(i),
            caller_number: format!("0812 7000 {i:04}"),
        };
        let s = Instant::now();
        v.add_contact(&input).expect("saved");
        numbered.push(s.elapsed());
    }
    numbered.sort();

    // 50,000 contacts, written in batches.
    let started = Instant::now();
    let have = 220;
    for chunk in (have..CONTACTS).step_by(500) {
        v.batch(|b| {
            for i in chunk..(chunk + 500).min(CONTACTS) {
                b.add_contact(
                    &ContactInput {
                        entry: entry(i),
                        caller_number: String::new(),
                    },
                    &categories,
                )?;
            }
            Ok(())
        })
        .expect("batch");
    }
    println!(
        "set-up: {CONTACTS} contacts in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    v.lock();
    v.unlock(PASS).expect("unlock");

    let s = Instant::now();
    let all = v.contacts(&ContactFilter::default()).expect("list");
    let first_read = s.elapsed();
    assert_eq!(all.total as usize, CONTACTS);
    let word = "sembako";
    let mut per_key = Vec::new();
    for round in 0..5 {
        for n in 1..=word.len() {
            let f = ContactFilter {
                text: word[..n].into(),
                limit: 200,
                ..ContactFilter::default()
            };
            let s = Instant::now();
            let found = v.contacts(&f).expect("filter");
            // What the app sends over IPC for the page shown.
            std::hint::black_box(serde_json::to_string(&found).expect("json"));
            if round == 0 && n == word.len() {
                assert_eq!(
                    found.total as usize,
                    CONTACTS / 5,
                    "every fifth mentions it"
                );
            }
            per_key.push(s.elapsed());
        }
    }
    per_key.sort();
    // The limit: the same lower-case strings scanned in memory.
    let hay: Vec<String> = (0..CONTACTS)
        .map(|i| entry(i).summary.to_lowercase())
        .collect();
    let mut scans = Vec::new();
    for n in 1..=word.len() {
        let s = Instant::now();
        let hits = hay.iter().filter(|h| h.contains(&word[..n])).count();
        std::hint::black_box(hits);
        scans.push(s.elapsed());
    }
    scans.sort();

    println!();
    row(
        "save a contact, durable (p50)",
        format!("{:.2} ms", ms(percentile(&saves, 0.5))),
        "<= 5 ms",
        format!("{:.2} ms one durable commit", ms(limit)),
    );
    row(
        "save a contact, durable (p99)",
        format!("{:.2} ms", ms(percentile(&saves, 0.99))),
        "-",
        format!("{:.2} ms", ms(limit)),
    );
    row(
        "autosave a change (p50)",
        format!("{:.2} ms", ms(percentile(&updates, 0.5))),
        "<= 5 ms",
        format!("{:.2} ms", ms(limit)),
    );
    row(
        "save with a new caller number (p50)",
        format!("{:.1} ms", ms(percentile(&numbered, 0.5))),
        "-",
        "Argon2id 19 MiB x2, once per number".into(),
    );
    row(
        "first list after unlock (50,000)",
        format!("{:.0} ms", ms(first_read)),
        "-",
        "one sealed summary each".into(),
    );
    row(
        "filter 50,000 + JSON, per keystroke (p50)",
        format!("{:.1} ms", ms(percentile(&per_key, 0.5))),
        "<= 50 ms",
        format!("{:.1} ms plain scan", ms(percentile(&scans, 0.5))),
    );
    row(
        "filter 50,000 + JSON, per keystroke (max)",
        format!("{:.1} ms", ms(*per_key.last().expect("timings"))),
        "<= 50 ms",
        format!("{:.1} ms", ms(*scans.last().expect("timings"))),
    );
}
