//! Supervision benchmark (issue 8): the review queue and the team dashboard over 5,000 clients
//! and 50,000 notes (half finalised, none reviewed: approving needs a team's supervisor role,
//! which a vault on one computer does not have), each opened right after unlock, next to the
//! time to decrypt every note once (the naive approach) in the same run. Also the retention
//! check a key manager's Home runs (issue 26): every client has a closed case, and half the
//! notes are drafts, so six years on all of them are due.
//!
//! Run: `cargo bench -p teduh-core --bench review` (optimised build; about a minute of set-up).
//!
//! All notes are written on one device here; a team of ten counselors differs only in the
//! author field, which the queue and the dashboard read the same way.

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use teduh_core::crypto::KdfParams;
use teduh_core::domain::{CaseDetails, ClientProfile, NoteDraft, RiskLevel};
use teduh_core::store::LocalStore;
use teduh_core::vault::{QueueFilter, Vault};

const PASS: &str = "benchmark passphrase";
const CLIENTS: usize = 5_000;
const NOTES_PER_CLIENT: usize = 10;

fn main() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("teduh.sqlite3");
    let mut v = Vault::create_with_params(
        LocalStore::open(&path).expect("store"),
        PASS,
        KdfParams::insecure_fast_for_tests(),
    )
    .expect("vault");
    v.set_idle_timeout(None);
    let started = Instant::now();
    let base = Utc
        .with_ymd_and_hms(2026, 6, 1, 2, 0, 0)
        .single()
        .expect("date");
    let narrative =
        "Klien bercerita tentang minggu yang berat; kami berlatih pernapasan. ".repeat(12);
    for chunk in 0..(CLIENTS / 50) {
        v.batch(|b| {
            for k in 0..50 {
                let i = chunk * 50 + k;
                let c = b.add_client(&ClientProfile {
                    code: format!("R-{i:05}"),
                    name: format!("Klien Sintetis {i}"),
                    ..ClientProfile::default()
                })?;
                b.open_case(
                    c,
                    &CaseDetails {
                        closure_reason: Some("Tujuan tercapai (sintetis)".into()),
                        ..CaseDetails::default()
                    },
                )?;
                for n in 0..NOTES_PER_CLIENT {
                    let note = b.add_note(
                        c,
                        &NoteDraft {
                            occurred_at: Some(base + Duration::days(((i + n * 17) % 170) as i64)),
                            zone: "Asia/Jakarta".into(),
                            narrative: narrative.clone(),
                            risk: Some(if (i + n) % 40 == 0 {
                                RiskLevel::High
                            } else {
                                RiskLevel::Low
                            }),
                            ..NoteDraft::default()
                        },
                    )?;
                    if n % 2 == 0 {
                        b.finalise_note(note)?;
                    }
                }
            }
            Ok(())
        })
        .expect("batch");
    }
    println!(
        "set-up: {CLIENTS} clients, {} notes in {:.1} s",
        CLIENTS * NOTES_PER_CLIENT,
        started.elapsed().as_secs_f64()
    );
    v.lock();
    v.unlock(PASS).expect("unlock");

    let s = Instant::now();
    let queue = v.review_queue(&QueueFilter::default()).expect("queue");
    let queue_time = s.elapsed();
    let s = Instant::now();
    let dash = v.dashboard(Utc::now().date_naive()).expect("dashboard");
    let dash_time = s.elapsed();
    // The naive approach, for scale: decrypt every note once.
    let s = Instant::now();
    let clients = v.list_clients().expect("clients");
    let mut notes = 0;
    for c in &clients {
        notes += v.notes(c.id).expect("notes").len();
    }
    let naive = s.elapsed();
    println!(
        "review queue ({} waiting)             {:>8.0} ms   target <= 300 ms",
        queue.len(),
        queue_time.as_secs_f64() * 1e3
    );
    println!(
        "dashboard ({} waiting, {} caseloads)    {:>8.0} ms   target <= 300 ms",
        dash.waiting.len(),
        dash.caseloads.len(),
        dash_time.as_secs_f64() * 1e3
    );
    println!(
        "for scale, decrypting all {notes} notes once {:>8.0} ms",
        naive.as_secs_f64() * 1e3
    );
    // Today nothing is due; six years on every closed case is (their drafts go with them).
    let s = Instant::now();
    let today = v.retention_check().expect("check").due.len();
    let now_time = s.elapsed();
    let s = Instant::now();
    let later = v
        .retention_check_at(Utc::now() + Duration::days(6 * 365))
        .expect("check")
        .due
        .len();
    let later_time = s.elapsed();
    println!(
        "retention check, today ({today} due)         {:>8.0} ms   target <= 300 ms",
        now_time.as_secs_f64() * 1e3
    );
    println!(
        "retention check, in six years ({later} due) {:>8.0} ms   target <= 300 ms",
        later_time.as_secs_f64() * 1e3
    );
}
