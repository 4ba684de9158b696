//! Monthly report benchmark (issue 24): the statistics of one month over 5,000 clients and
//! 50,000 session notes, all 50,000 in that month (the worst case: every note's modality and
//! length is decrypted), with 2,000 hotline contacts, 1,000 screenings and 500 referrals, made
//! into the PDF (and, for comparison, the XLSX), right after unlock. Beside it, in the same run:
//! the team dashboard, which reads each note's summary once — the floor of any report over
//! every note.
//!
//! Run: `cargo bench -p teduh-report --bench monthly` (optimised build; about a minute of set-up).

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use teduh_core::contact::{Channel, ContactEntry};
use teduh_core::crypto::KdfParams;
use teduh_core::domain::{ClientProfile, LawfulBasis, Modality, NoteDraft, Referral, Sex};
use teduh_core::report::monthly::{Month, MonthlyStatistics};
use teduh_core::screening::{Instrument, ScreeningAnswers};
use teduh_core::store::LocalStore;
use teduh_core::vault::{ContactInput, Vault};
use teduh_report::monthly::{monthly_report, Format};

const PASS: &str = "benchmark passphrase";
const CLIENTS: usize = 5_000;
const NOTES_PER_CLIENT: usize = 10;
const TARGET_MS: f64 = 2_000.0;

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
        .with_ymd_and_hms(2026, 11, 1, 2, 0, 0)
        .single()
        .expect("date");
    let narrative =
        "Klien bercerita tentang minggu yang berat; kami berlatih pernapasan. ".repeat(12);
    let modalities = [
        Modality::InPerson,
        Modality::WhatsApp,
        Modality::Phone,
        Modality::HomeVisit,
    ];
    let regencies = ["Kota Contoh", "Kab. Fiktif", "Kab. Sintetis", "Kota Rekaan"];
    for chunk in 0..(CLIENTS / 50) {
        v.batch(|b| {
            for k in 0..50 {
                let i = chunk * 50 + k;
                let c = b.add_client(&ClientProfile {
                    code: format!("R-{i:05}"),
                    name: format!("Klien Sintetis {i}"),
                    sex: if i % 3 == 0 { Sex::Male } else { Sex::Female },
                    estimated_age: Some(18 + (i % 60) as u32),
                    regency: regencies[i % regencies.len()].into(),
                    ppks_categories: if i % 7 == 0 {
                        vec!["fakir-miskin".into()]
                    } else {
                        Vec::new()
                    },
                    ..ClientProfile::default()
                })?;
                for n in 0..NOTES_PER_CLIENT {
                    b.add_note(
                        c,
                        &NoteDraft {
                            occurred_at: Some(
                                base + Duration::hours(((i * 7 + n * 61) % 700) as i64),
                            ),
                            zone: "Asia/Jakarta".into(),
                            duration_minutes: 45,
                            modality: modalities[(i + n) % modalities.len()],
                            narrative: narrative.clone(),
                            ..NoteDraft::default()
                        },
                    )?;
                }
                if i % 5 == 0 {
                    b.add_screening(
                        c,
                        &ScreeningAnswers {
                            instrument: Instrument::Phq9,
                            answers: (1..=9)
                                .map(|q| (format!("phq9.{q:02}"), 1))
                                .collect::<BTreeMap<_, _>>(),
                            administered_at: Some(base + Duration::days((i % 28) as i64)),
                            administered_by: None,
                            language: "id".into(),
                        },
                    )?;
                }
                if i % 10 == 0 {
                    b.add_referral(
                        c,
                        &Referral {
                            partner_id: "sapa-129".into(),
                            partner_name: "SAPA 129".into(),
                            reason: "pendampingan".into(),
                            lawful_basis: Some(LawfulBasis::VitalInterest),
                            ..Referral::default()
                        },
                    )?;
                }
            }
            Ok(())
        })
        .expect("batch");
    }
    let now = Utc::now();
    for i in 0..2_000 {
        let end = now - Duration::minutes(i);
        let entry = ContactEntry {
            channel: if i % 2 == 0 {
                Channel::PhoneCall
            } else {
                Channel::WhatsApp
            },
            started_at: Some(end - Duration::minutes(12)),
            ended_at: Some(end),
            categories: vec!["psychosocial-distress".into()],
            ..ContactEntry::default()
        };
        v.add_contact(&ContactInput {
            entry,
            caller_number: String::new(),
        })
        .expect("contact");
    }
    println!(
        "set-up: {CLIENTS} clients, {} notes in November 2026, 2,000 contacts, 1,000 screenings, 500 referrals in {:.1} s",
        CLIENTS * NOTES_PER_CLIENT,
        started.elapsed().as_secs_f64()
    );
    v.lock();
    v.unlock(PASS).expect("unlock");

    let month = Month {
        year: 2026,
        month: 11,
    };
    let category = |id: &str| (id == "sapa-129").then(|| "child_protection".to_string());
    let s = Instant::now();
    let facts = v.month_facts(month).expect("facts");
    let facts_time = s.elapsed();
    let s = Instant::now();
    let stats = MonthlyStatistics::count(&facts, &category);
    let count_time = s.elapsed();
    let s = Instant::now();
    let (pdf, _) = monthly_report(&mut v, month, Format::Pdf, &category, now).expect("pdf");
    let pdf_time = s.elapsed();
    let s = Instant::now();
    let (xlsx, _) = monthly_report(&mut v, month, Format::Xlsx, &category, now).expect("xlsx");
    let xlsx_time = s.elapsed();
    let s = Instant::now();
    v.dashboard(now.date_naive()).expect("dashboard");
    let floor = s.elapsed();
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    println!(
        "facts of the month ({} sessions, {} clients)  {:>8.0} ms",
        facts.sessions.len(),
        facts.clients.len(),
        ms(facts_time)
    );
    println!(
        "counting and protecting {} tables        {:>8.1} ms",
        stats.tables.len(),
        ms(count_time)
    );
    println!(
        "monthly report as PDF ({} bytes)         {:>8.0} ms   target <= {TARGET_MS:.0} ms",
        pdf.len(),
        ms(pdf_time)
    );
    println!(
        "monthly report as XLSX ({} bytes)        {:>8.0} ms   target <= {TARGET_MS:.0} ms",
        xlsx.len(),
        ms(xlsx_time)
    );
    println!(
        "limit: the dashboard, each note's summary read once {:>5.0} ms",
        ms(floor)
    );
}
