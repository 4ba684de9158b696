use super::*;
use crate::report::disclosure::{pinned_cells, Shown};

fn month() -> Month {
    Month::parse("2026-11").expect("a month")
}

#[test]
fn a_month_is_read_as_yyyy_mm_and_an_impossible_one_is_refused() {
    assert_eq!(
        month(),
        Month {
            year: 2026,
            month: 11
        }
    );
    assert_eq!(month().to_string(), "2026-11");
    for bad in [
        "2026-13", "2026-00", "26-11", "2026/11", "2026-1", "", "november",
    ] {
        assert!(Month::parse(bad).is_err(), "{bad:?} must be refused");
    }
    let feb = Month::parse("2028-02").expect("a month");
    assert_eq!(
        feb.last_day(),
        NaiveDate::from_ymd_opt(2028, 2, 29),
        "a leap year"
    );
    assert_eq!(
        Month::parse("2026-01").expect("m").previous().to_string(),
        "2025-12"
    );
}

fn client(sex: Sex, age: Option<u32>, regency: &str, ppks: &[&str]) -> ClientFact {
    ClientFact {
        sex,
        age,
        regency: regency.into(),
        ppks: ppks.iter().map(|s| s.to_string()).collect(),
        ampk: Vec::new(),
    }
}

fn session(modality: Modality, worker: &str, minutes: u32) -> SessionFact {
    SessionFact {
        modality,
        worker: worker.into(),
        minutes,
    }
}

/// A synthetic team's month with known counts: 12 clients (7 women, 5 men; 3 aged 13-17, 9
/// aged 18-59), 20 sessions by two workers, 6 contacts, 2 screenings (1 flagged), 1 red flag,
/// 6 referrals.
fn facts() -> MonthFacts {
    let mut clients = Vec::new();
    for i in 0..12 {
        let sex = if i < 7 { Sex::Female } else { Sex::Male };
        let age = if i < 3 { Some(14 + i) } else { Some(30 + i) };
        let regency = if i % 2 == 0 {
            "Kota Bandung"
        } else {
            "Kab. Garut"
        };
        let ppks: &[&str] = if i < 2 { &["anak-jalanan"] } else { &[] };
        clients.push(client(sex, age, regency, ppks));
    }
    let mut sessions = Vec::new();
    for i in 0..20 {
        let modality = if i < 12 {
            Modality::InPerson
        } else {
            Modality::WhatsApp
        };
        let worker = if i < 14 { "aa" } else { "bb" };
        sessions.push(session(modality, worker, 60));
    }
    let contacts = (0..6)
        .map(|i| ContactFact {
            line: "SAPA 129".into(),
            channel: if i < 5 { "phone_call" } else { "whats_app" }.into(),
            categories: vec!["kekerasan".into()],
            worker: "bb".into(),
            minutes: 30,
        })
        .collect();
    MonthFacts {
        month: month(),
        organisation: "Rumah Healing Contoh".into(),
        clients,
        sessions,
        contacts,
        screenings: vec![
            ScreeningFact {
                instrument: "phq9".into(),
                flagged: true,
            },
            ScreeningFact {
                instrument: "srq20".into(),
                flagged: false,
            },
        ],
        red_flags: vec!["screening".into()],
        referrals: (0..6)
            .map(|i| ReferralFact {
                partner: if i < 5 {
                    "dinsos".into()
                } else {
                    String::new()
                },
                status: if i < 5 {
                    ReferralStatus::Completed
                } else {
                    ReferralStatus::Sent
                },
            })
            .collect(),
        workers: [("aa".to_string(), "Konselor A".to_string())].into(),
    }
}

fn printed(stats: &MonthlyStatistics, id: &str) -> Vec<(String, String)> {
    stats
        .table(id)
        .unwrap_or_else(|| panic!("table {id}"))
        .rows
        .iter()
        .map(|(k, s)| (k.clone(), s.text()))
        .collect()
}

fn rows(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn category(partner: &str) -> Option<String> {
    (partner == "dinsos").then(|| "social_services".to_string())
}

#[test]
fn the_month_is_counted_into_the_agencies_tables_with_small_counts_protected() {
    let stats = MonthlyStatistics::count(&facts(), &category);
    assert_eq!(
        stats
            .tables
            .iter()
            .map(|t| t.id.as_str())
            .collect::<Vec<_>>(),
        TABLES
    );
    assert_eq!(
        printed(&stats, "clients_by_sex"),
        rows(&[("female", "7"), ("male", "5"), ("unspecified", "0")])
    );
    assert_eq!(
        stats.table("clients_by_sex").and_then(|t| t.total),
        Some(Shown::Count(12))
    );
    assert_eq!(
        printed(&stats, "clients_by_age"),
        rows(&[
            ("0-5", "0"),
            ("6-12", "0"),
            ("13-17", "<5"),
            ("18-59", "s"),
            ("60+", "0"),
            ("unknown", "0")
        ]),
        "3 children: their 9 elders are masked, or 12 - 9 would give the 3 away"
    );
    assert_eq!(
        printed(&stats, "clients_by_regency"),
        rows(&[("Kab. Garut", "6"), ("Kota Bandung", "6")])
    );
    assert_eq!(
        printed(&stats, "clients_by_ppks"),
        rows(&[("anak-jalanan", "<5")])
    );
    assert_eq!(
        printed(&stats, "sessions_by_modality"),
        rows(&[
            ("in_person", "12"),
            ("phone", "0"),
            ("whats_app", "8"),
            ("video", "0"),
            ("home_visit", "0"),
            ("outreach", "0")
        ])
    );
    assert_eq!(
        printed(&stats, "sessions_by_worker"),
        rows(&[("aa", "14"), ("bb", "6")])
    );
    assert!(
        stats
            .table("contacts_by_channel")
            .is_some_and(|t| t.withheld),
        "one WhatsApp contact beside five calls: masking the five still leaves 6 - s = 1"
    );
    assert_eq!(
        stats.table("contacts_by_channel").and_then(|t| t.total),
        Some(Shown::Count(6)),
        "the total still prints"
    );
    assert!(
        stats
            .table("screenings_by_instrument")
            .is_some_and(|t| t.withheld),
        "2 screenings are not broken down"
    );
    assert!(
        stats
            .table("referrals_by_partner_category")
            .is_some_and(|t| t.withheld),
        "one referral outside the directory beside five: withheld, as the contacts above"
    );
    assert_eq!(
        printed(&stats, "screenings_by_result"),
        Vec::<(String, String)>::new(),
        "a second split of the 2 screenings, withheld like the first"
    );
    assert_eq!(printed(&stats, "red_flags"), Vec::<(String, String)>::new());
    assert_eq!(
        stats.table("red_flags").and_then(|t| t.total),
        Some(Shown::Small),
        "one red flag prints <5"
    );
    assert!(pinned_cells(&stats.tables).is_empty());
}

#[test]
fn hours_add_each_workers_sessions_and_contacts() {
    let stats = MonthlyStatistics::count(&facts(), &category);
    let got: Vec<(String, u64, u64)> = stats
        .hours
        .iter()
        .map(|h| (h.name.clone(), h.session_minutes, h.contact_minutes))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Konselor A".to_string(), 14 * 60, 0),
            ("bb".to_string(), 6 * 60, 6 * 30)
        ],
        "a worker the roster does not name shows by id"
    );
    assert!(
        (stats.hours[1].hours() - 9.0).abs() < 1e-9,
        "6 h of sessions + 3 h of contacts"
    );
}

#[test]
fn an_empty_month_publishes_zeros_and_nothing_hidden() {
    let empty = MonthFacts {
        clients: Vec::new(),
        sessions: Vec::new(),
        contacts: Vec::new(),
        screenings: Vec::new(),
        red_flags: Vec::new(),
        referrals: Vec::new(),
        ..facts()
    };
    let stats = MonthlyStatistics::count(&empty, &category);
    let sex = stats.table("clients_by_sex").expect("table");
    assert_eq!(sex.total, Some(Shown::Count(0)));
    assert!(
        !sex.withheld,
        "nobody served is nothing to hide: the rows print 0"
    );
    assert_eq!(sex.rows.len(), 3);
    assert!(sex.rows.iter().all(|(_, s)| *s == Shown::Count(0)));
    assert!(stats.hours.is_empty());
}

#[test]
fn rows_outside_a_tables_categories_print_by_key_never_by_size() {
    let mut f = facts();
    f.clients = [
        "Zeta", "Alpha", "Zeta", "Mid", "Mid", "Mid", "Mid", "Mid", "Mid",
    ]
    .iter()
    .map(|r| client(Sex::Female, Some(30), r, &[]))
    .collect();
    let stats = MonthlyStatistics::count(&f, &category);
    let keys: Vec<String> = stats
        .table("clients_by_regency")
        .expect("table")
        .rows
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(
        keys,
        ["Alpha", "Mid", "Zeta"],
        "the order of two '<5' rows must tell nothing"
    );
}
