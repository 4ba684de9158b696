//! The monthly statistics from a real vault: a synthetic month of sessions, contacts, a
//! screening and a referral, with records outside the month left out, counted, protected and
//! written as PDF, XLSX and CSV, each read back. All names and figures are made up.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, Utc};
use teduh_core::contact::{Channel, ContactEntry};
use teduh_core::crypto::KdfParams;
use teduh_core::domain::{ClientProfile, Modality, NoteDraft, Referral, Sex};
use teduh_core::report::disclosure::{pinned_cells, Shown};
use teduh_core::report::monthly::{Month, MonthlyStatistics};
use teduh_core::screening::Instrument;
use teduh_core::store::LocalStore;
use teduh_core::vault::{ContactInput, Vault};
use teduh_report::monthly::{monthly_report, Format};

mod common;

fn vault(dir: &std::path::Path) -> Vault {
    let store = LocalStore::open(&dir.join("t.sqlite3")).expect("store");
    let mut v = Vault::create_with_params(
        store,
        "uji laporan bulanan",
        KdfParams::insecure_fast_for_tests(),
    )
    .expect("vault");
    v.set_idle_timeout(None);
    v
}

fn profile(code: &str, sex: Sex, birth: (i32, u32, u32)) -> ClientProfile {
    ClientProfile {
        code: code.into(),
        name: format!("Klien {code}"),
        sex,
        birth_date: NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2),
        regency: "Kota Contoh".into(),
        guardian: Some(teduh_core::domain::Guardian {
            name: "Wali Sintetis".into(),
            relationship: "ibu".into(),
            contacts: Vec::new(),
        }),
        ppks_categories: if code == "K-1" {
            vec!["anak-jalanan".into()]
        } else {
            Vec::new()
        },
        ..ClientProfile::default()
    }
}

fn session(at: chrono::DateTime<Utc>, modality: Modality) -> NoteDraft {
    NoteDraft {
        occurred_at: Some(at),
        zone: "Asia/Jakarta".into(),
        duration_minutes: 45,
        modality,
        narrative: "sesi sintetis".into(),
        ..NoteDraft::default()
    }
}

/// A vault holding a synthetic month (see the test below for what it holds).
fn synthetic_month(dir: &std::path::Path) -> (Vault, Month, chrono::DateTime<Utc>) {
    let mut v = vault(dir);
    let now = Utc::now();
    let month = Month::of(v.today(now).expect("today"));
    let long_ago = month
        .previous()
        .first_day()
        .and_then(|d| d.and_hms_opt(3, 0, 0))
        .expect("a day")
        .and_utc()
        + Duration::days(10);
    let this_year = month.year;

    // Six clients served this month: four women (one 15 years old), two men.
    let mut served = Vec::new();
    for (i, sex) in [
        Sex::Female,
        Sex::Female,
        Sex::Female,
        Sex::Female,
        Sex::Male,
        Sex::Male,
    ]
    .into_iter()
    .enumerate()
    {
        let birth = if i == 0 {
            (this_year - 15, 1, 1)
        } else {
            (1990, 5, 5)
        };
        let id = v
            .add_client(&profile(&format!("K-{i}"), sex, birth))
            .expect("client");
        served.push(id);
    }
    // Eight sessions this month (five in person, three on WhatsApp), one last month.
    for (i, client) in served.iter().chain(&served[..2]).enumerate() {
        let modality = if i < 5 {
            Modality::InPerson
        } else {
            Modality::WhatsApp
        };
        v.add_note(*client, &session(now, modality)).expect("note");
    }
    let earlier = v
        .add_client(&profile("K-LAMA", Sex::Male, (1980, 1, 1)))
        .expect("client");
    v.add_note(earlier, &session(long_ago, Modality::Phone))
        .expect("old note");
    // Two WhatsApp chats of twelve minutes.
    for _ in 0..2 {
        let end = now;
        let entry = ContactEntry {
            channel: Channel::WhatsApp,
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
    // A PHQ-9 with thoughts of self-harm (a red flag) and a referral to a directory partner.
    let mut answers: BTreeMap<String, u8> = (1..=9).map(|i| (format!("phq9.{i:02}"), 1)).collect();
    answers.insert("phq9.09".into(), 2);
    v.record_screening(served[0], Instrument::Phq9, answers, "id")
        .expect("screening");
    let referral = Referral {
        partner_id: "contoh-dinsos".into(),
        partner_name: "Dinas Sosial Kota Contoh".into(),
        reason: "pendampingan".into(),
        lawful_basis: Some(teduh_core::domain::LawfulBasis::VitalInterest),
        ..Referral::default()
    };
    v.add_referral(served[1], &referral).expect("referral");

    (v, month, now)
}

fn category(partner: &str) -> Option<String> {
    (partner == "contoh-dinsos").then(|| "social_welfare".to_string())
}

#[test]
fn a_month_is_counted_from_the_vault_and_records_outside_it_are_left_out() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut v, month, _) = synthetic_month(dir.path());
    let facts = v.month_facts(month).expect("facts");
    assert_eq!(facts.clients.len(), 6, "K-LAMA was seen last month only");
    assert_eq!(facts.sessions.len(), 8);
    assert_eq!(facts.contacts.len(), 2);
    assert_eq!(facts.screenings.len(), 1);
    assert!(facts.screenings[0].flagged);
    assert_eq!(facts.referrals.len(), 1);

    let stats = MonthlyStatistics::count(&facts, &category);
    let row = |table: &str, key: &str| {
        stats
            .table(table)
            .and_then(|t| t.rows.iter().find(|(k, _)| k == key).map(|(_, s)| *s))
    };
    // One child among six: masking the five adults would still leave 6 - s = 1, so the ages
    // are not broken down; the total and the other splits print.
    assert_eq!(
        stats.table("clients_by_sex").and_then(|t| t.total),
        Some(Shown::Count(6))
    );
    assert!(stats.table("clients_by_age").is_some_and(|t| t.withheld));
    assert_eq!(
        row("clients_by_sex", "female"),
        Some(Shown::Small),
        "4 women: <5"
    );
    assert_eq!(
        row("clients_by_regency", "Kota Contoh"),
        Some(Shown::Count(6))
    );
    assert_eq!(
        row("sessions_by_modality", "in_person"),
        Some(Shown::Masked),
        "8 - 5 would give the 3 WhatsApp sessions away"
    );
    assert_eq!(row("sessions_by_modality", "whats_app"), Some(Shown::Small));
    assert!(
        stats
            .table("contacts_by_channel")
            .is_some_and(|t| t.withheld),
        "two contacts are not broken down"
    );
    assert_eq!(stats.hours.len(), 1, "one worker on this device");
    assert_eq!(
        (
            stats.hours[0].session_minutes,
            stats.hours[0].contact_minutes
        ),
        (8 * 45, 2 * 12),
        "only this month's sessions count"
    );
    assert!(pinned_cells(&stats.tables).is_empty());

    // The month before holds only K-LAMA's session.
    let before = v.month_facts(month.previous()).expect("facts");
    assert_eq!((before.sessions.len(), before.clients.len()), (1, 1));
    assert_eq!(before.sessions[0].modality, Modality::Phone);
}

#[test]
fn the_monthly_report_is_written_as_pdf_xlsx_and_csv_with_the_protected_figures() {
    use calamine::{Data, Reader, Xlsx};
    let dir = tempfile::tempdir().expect("dir");
    let (mut v, month, now) = synthetic_month(dir.path());

    let (pdf, stats) = monthly_report(&mut v, month, Format::Pdf, &category, now).expect("the PDF");
    let text = common::pdf_pages(&pdf, "monthly").join("\n");
    let period = teduh_report::labels::month_name(month.year, month.month);
    for expected in [
        "Laporan Bulanan Layanan".to_string(),
        format!("Periode: {period}"),
        "Klien dilayani menurut jenis kelamin".into(),
        "Perempuan".into(),
        "Tatap muka".into(),
        "Tidak dirinci".into(),
        "Angka 1 sampai 4 ditampilkan sebagai".into(),
        "Jam layanan per petugas".into(),
        "6,4".into(), // 8 x 45 min + 2 x 12 min = 6.4 h
        "Halaman 1 dari".into(),
    ] {
        assert!(
            text.contains(&expected),
            "the PDF says {expected:?}:\n{text}"
        );
    }
    let sex_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("Perempuan"))
        .expect("a line for women");
    assert!(sex_line.contains("<5"), "4 women print as <5: {sex_line:?}");
    assert!(
        !text.contains("Klien dilayani menurut jenis kelamin\n4"),
        "never the count itself"
    );
    assert_eq!(stats.month, month);

    let (xlsx, _) = monthly_report(&mut v, month, Format::Xlsx, &category, now).expect("xlsx");
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).expect("a workbook");
    let sheets = book.sheet_names();
    for id in teduh_core::report::monthly::TABLES {
        assert!(
            sheets.iter().any(|s| s == id),
            "a sheet for {id} in {sheets:?}"
        );
    }
    let sex = book.worksheet_range("clients_by_sex").expect("the sheet");
    let cells: Vec<Vec<Data>> = sex.rows().map(<[Data]>::to_vec).collect();
    assert!(
        cells
            .iter()
            .any(|r| r.first() == Some(&Data::String("Perempuan".into()))
                && r.get(1) == Some(&Data::String("<5".into()))),
        "the hidden figure stays a marker in the workbook: {cells:?}"
    );

    let (csv, _) = monthly_report(&mut v, month, Format::Csv, &category, now).expect("csv");
    let csv = String::from_utf8(csv).expect("UTF-8");
    assert!(csv.starts_with("table,row,column,value\n"));
    assert!(
        csv.contains("clients_by_sex,Perempuan,Jumlah,<5\n"),
        "{csv}"
    );
    assert!(
        csv.contains("sessions_by_modality,Tatap muka,Jumlah,s\n"),
        "{csv}"
    );
    assert!(
        !csv.contains(",Perempuan,Jumlah,4"),
        "never the count itself"
    );
}

#[test]
fn the_dashboards_trends_count_each_month_on_its_own() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut v, month, _) = synthetic_month(dir.path());
    let trends = v.trends(month).expect("trends");
    assert_eq!(trends.months.len(), 12);
    assert_eq!(
        trends.months[11], month,
        "the last month is the one asked for"
    );
    assert_eq!(trends.months[10], month.previous());
    assert_eq!(
        (trends.sessions[11], trends.sessions[10]),
        (8, 1),
        "K-LAMA's session in its own month"
    );
    assert_eq!(trends.contacts[11], 2);
    assert_eq!(trends.red_flags.iter().sum::<u32>(), trends.red_flags[11]);
    assert_eq!(
        trends.contact_categories,
        vec![("psychosocial-distress".to_string(), 2)]
    );
    assert_eq!(trends.sessions[..10].iter().sum::<u32>(), 0);
}
