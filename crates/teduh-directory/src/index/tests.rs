use super::*;
use crate::model::Hours;
use chrono::TimeZone;

fn now() -> DateTime<Utc> {
    // Monday 2026-11-23, 21.00 WIB.
    Utc.with_ymd_and_hms(2026, 11, 23, 14, 0, 0)
        .single()
        .expect("valid")
}

fn ids(hits: &[Hit]) -> Vec<&str> {
    hits.iter().map(|h| h.entry.id.as_str()).collect()
}

#[test]
fn anak_finds_sapa_and_the_child_protection_services() {
    let idx = DirectoryIndex::open_in_memory().expect("opens");
    let hits = idx
        .search(
            &Query {
                text: "anak".into(),
                ..Query::default()
            },
            now(),
        )
        .expect("search");
    let got = ids(&hits);
    for want in [
        "sapa-129",
        "tepsa-1500-771",
        "balai-anak-rumbai",
        "lpks-lubuk-minturun",
    ] {
        assert!(got.contains(&want), "{want} missing from {got:?}");
    }
    let name_matches = hits
        .iter()
        .take_while(|h| h.entry.name.to_lowercase().contains("anak"))
        .count();
    let all_name_matches = hits
        .iter()
        .filter(|h| h.entry.name.to_lowercase().contains("anak"))
        .count();
    assert_eq!(
        name_matches, all_name_matches,
        "name matches rank above service-text matches: {got:?}"
    );
}

#[test]
fn search_ignores_case_and_accents() {
    let idx = DirectoryIndex::open_in_memory().expect("opens");
    for q in ["BASARNAS", "basarnas", "Básárnás"] {
        let hits = idx
            .search(
                &Query {
                    text: q.into(),
                    ..Query::default()
                },
                now(),
            )
            .expect("search");
        assert_eq!(ids(&hits), vec!["basarnas-115"], "query {q:?}");
    }
}

#[test]
fn search_matches_places_and_prefixes() {
    let idx = DirectoryIndex::open_in_memory().expect("opens");
    let hits = idx
        .search(
            &Query {
                text: "padang pan".into(),
                ..Query::default()
            },
            now(),
        )
        .expect("search");
    assert_eq!(ids(&hits), vec!["rumah-healing-padang-panjang"]);
}

#[test]
fn fts_syntax_in_user_text_is_harmless() {
    let idx = DirectoryIndex::open_in_memory().expect("opens");
    for q in ["\"", "anak OR", "NEAR(", "*", "a:b", "-"] {
        idx.search(
            &Query {
                text: q.into(),
                ..Query::default()
            },
            now(),
        )
        .unwrap_or_else(|e| panic!("query {q:?} must not fail: {e}"));
    }
}

#[test]
fn filters_by_region_category_and_open_now() {
    let idx = DirectoryIndex::open_in_memory().expect("opens");
    let riau = idx
        .search(
            &Query {
                province: Some("riau".into()),
                categories: vec![Category::ChildProtection],
                ..Query::default()
            },
            now(),
        )
        .expect("search");
    assert_eq!(
        ids(&riau),
        vec!["tepsa-1500-771", "balai-anak-rumbai"],
        "national + Riau only"
    );

    // 21.00 WIB: the healing house (08.00-16.00) is closed, 24-hour lines are open.
    let open = idx
        .search(
            &Query {
                open_now: true,
                ..Query::default()
            },
            now(),
        )
        .expect("search");
    let got = ids(&open);
    assert!(got.contains(&"darurat-112"));
    assert!(
        !got.contains(&"rumah-healing-padang-panjang"),
        "closed at 21.00 WIB"
    );
    let sejiwa = open
        .iter()
        .position(|h| h.entry.id == "sejiwa-119-8")
        .expect("a line with unknown hours stays in \"open now\"");
    assert_eq!(open[sejiwa].open, OpenState::Unknown, "labelled as unknown");
    assert!(
        open[..sejiwa].iter().all(|h| h.open.is_open()),
        "open entries come before unknown hours: {got:?}"
    );
}

#[test]
fn a_service_covering_several_provinces_is_found_under_each() {
    let idx = DirectoryIndex::open_in_memory().expect("opens");
    let region = |p: &str| {
        let hits = idx
            .search(
                &Query {
                    province: Some(p.into()),
                    categories: vec![Category::ChildProtection],
                    ..Query::default()
                },
                now(),
            )
            .expect("search");
        hits.into_iter().map(|h| h.entry.id).collect::<Vec<_>>()
    };
    let west_sumatra = region("Sumatera Barat");
    for want in ["balai-anak-rumbai", "lpks-lubuk-minturun", "tepsa-1500-771"] {
        assert!(
            west_sumatra.iter().any(|id| id == want),
            "{want} works in West Sumatra: {west_sumatra:?}"
        );
    }
    let riau = region("riau");
    assert!(
        riau.iter().any(|id| id == "balai-anak-rumbai"),
        "and in Riau"
    );
    assert!(
        !riau.iter().any(|id| id == "lpks-lubuk-minturun"),
        "a Padang unit is not a Riau one"
    );
    assert!(
        !region("Papua").iter().any(|id| id == "balai-anak-rumbai"),
        "nor anywhere else"
    );
}

fn synthetic(id: &str, hours: Hours, closed_on_holidays: bool) -> Entry {
    let mut e = crate::seed::seed_bundle()
        .entries
        .into_iter()
        .find(|e| e.id == "dinsos-tanah-datar")
        .expect("seeded");
    e.id = id.into();
    e.hours = hours;
    e.closed_on_holidays = closed_on_holidays;
    e
}

#[test]
fn open_now_leaves_out_an_office_closed_for_a_holiday_of_the_bundle() {
    use crate::holidays::{Holiday, HolidayKind};
    use crate::model::{Hours, Span};
    let span = Span::parse("08:00-16:00").expect("span");
    let weekdays = Hours::Weekly {
        days: [
            vec![span],
            vec![span],
            vec![span],
            vec![span],
            vec![span],
            vec![],
            vec![],
        ],
    };
    let mut bundle = crate::seed::seed_bundle();
    bundle.version = 2;
    bundle.entries = vec![
        synthetic("kantor-libur", weekdays.clone(), true),
        synthetic("kantor-biasa", weekdays, false),
    ];
    bundle.holidays = Some(vec![Holiday {
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date"),
        name: "Hari libur uji".into(),
        kind: HolidayKind::National,
        source: "synthetic holiday for a test".into(),
    }]);
    let mut idx = DirectoryIndex::open_in_memory().expect("opens");
    idx.apply(&bundle).expect("applies");
    // Tuesday 2026-11-24, 10.00 WIB.
    let at = Utc
        .with_ymd_and_hms(2026, 11, 24, 3, 0, 0)
        .single()
        .expect("valid");
    let open = idx
        .search(
            &Query {
                open_now: true,
                ..Query::default()
            },
            at,
        )
        .expect("search");
    assert_eq!(
        ids(&open),
        vec!["kantor-biasa"],
        "the office that closes on holidays is closed today"
    );
    let all = idx.search(&Query::default(), at).expect("search");
    assert!(
        matches!(all[0].open, OpenState::Holiday { .. }),
        "{:?}",
        all[0].open
    );
    // The next day is a working day again.
    let wednesday = at + chrono::Duration::days(1);
    let open = idx
        .search(
            &Query {
                open_now: true,
                ..Query::default()
            },
            wednesday,
        )
        .expect("search");
    assert_eq!(ids(&open).len(), 2);
}

#[test]
fn the_emergency_panel_has_one_key_per_situation_with_crisis_lines_first() {
    let idx = DirectoryIndex::open_in_memory().expect("opens");
    let panel = idx.emergency_panel(now()).expect("panel");
    let order: Vec<Situation> = panel.iter().map(|g| g.situation).collect();
    assert_eq!(
        order,
        Situation::ALL.to_vec(),
        "suicide risk first, 112 last"
    );
    let group = |s: Situation| {
        panel
            .iter()
            .find(|g| g.situation == s)
            .map(|g| {
                ids(&g.hits)
                    .into_iter()
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .expect("group")
    };
    let suicide = group(Situation::SuicideRisk);
    assert_eq!(
        suicide,
        vec!["sejiwa-119-8", "kemensos-psikososial-24-jam"],
        "crisis lines with a number; the weekday-rota line appears although it has no fixed number"
    );
    let child = group(Situation::ChildInDanger);
    assert_eq!(child.first().map(String::as_str), Some("sapa-129"));
    assert!(child.iter().any(|id| id == "tepsa-1500-771"));
    assert_eq!(
        group(Situation::ViolenceAgainstWoman)
            .first()
            .map(String::as_str),
        Some("sapa-129")
    );
    assert_eq!(
        group(Situation::MedicalEmergency),
        vec!["psc-119", "ambulans-118"]
    );
    assert_eq!(
        group(Situation::GeneralEmergency)
            .first()
            .map(String::as_str),
        Some("darurat-112")
    );
    let rota = panel[0]
        .hits
        .iter()
        .find(|h| h.entry.id == "kemensos-psikososial-24-jam")
        .expect("rota line");
    // Monday 21.00 WIB: Monday's number, and Tuesday's from 20.00.
    assert_eq!(rota.number_today.as_deref(), Some("0822-8918-4427"));
    let week = rota.rota.as_ref().expect("week");
    assert!(week.show_tomorrow);
    assert_eq!(week.days[1].number.as_deref(), Some("0878-6578-3921"));
}

/// A directory file as a schema-1 build wrote it, holding `entry` as directory `version`.
fn schema_1_file(path: &Path, entry: &Entry, version: &str) {
    let conn = Connection::open(path).expect("sqlite");
    conn.execute_batch(MIGRATIONS[0]).expect("schema 1");
    conn.pragma_update(None, "user_version", 1).expect("pragma");
    conn.pragma_update(None, "application_id", APPLICATION_ID)
        .expect("pragma");
    conn.execute(
        "INSERT INTO entry (id, category, coverage_level, province, area, json)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            entry.id,
            entry.category.code(),
            entry.coverage.level.code(),
            entry.coverage.province,
            entry.coverage.area,
            serde_json::to_string(entry).expect("json")
        ],
    )
    .expect("entry");
    conn.execute(
        "INSERT INTO directory_meta (key, value) VALUES ('version', ?1)",
        [version],
    )
    .expect("meta");
}

#[test]
fn an_index_of_schema_1_with_an_older_seed_is_migrated_and_gets_the_new_seed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("directory.sqlite3");
    // What an earlier build left: schema 1, its seed (version 1), no publication time.
    let old = crate::seed::seed_bundle()
        .entries
        .into_iter()
        .find(|e| e.id == "balai-anak-rumbai")
        .expect("seeded");
    schema_1_file(&path, &old, "1");
    let idx = DirectoryIndex::open(&path).expect("migrates");
    let all = idx.search(&Query::default(), now()).expect("search");
    assert!(
        all.iter()
            .any(|h| h.entry.id == "kemensos-psikososial-24-jam"),
        "the new seed replaced the old one"
    );
    let kdrt = idx
        .search(
            &Query {
                text: "KDRT".into(),
                ..Query::default()
            },
            now(),
        )
        .expect("search");
    assert!(ids(&kdrt).contains(&"sapa-129"));
    drop(idx);

    // A published bundle (version >= 2) in a schema-1 file keeps its entries, and the
    // region filter works at once from the carried-over province.
    let path2 = tmp.path().join("published.sqlite3");
    schema_1_file(
        &path2,
        &synthetic("dinsos-contoh", Hours::Unknown, false),
        "7",
    );
    let idx = DirectoryIndex::open(&path2).expect("migrates");
    assert_eq!(
        idx.version().expect("version"),
        Some(7),
        "a published bundle stays"
    );
    let hits = idx
        .search(
            &Query {
                province: Some("Sumatera Barat".into()),
                ..Query::default()
            },
            now(),
        )
        .expect("search");
    assert_eq!(ids(&hits), vec!["dinsos-contoh"]);
}

#[test]
fn an_index_from_a_newer_teduh_is_refused_and_left_untouched() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("directory.sqlite3");
    {
        let conn = Connection::open(&path).expect("sqlite");
        conn.pragma_update(None, "application_id", APPLICATION_ID)
            .expect("pragma");
        conn.pragma_update(None, "user_version", 99)
            .expect("pragma");
    }
    assert!(matches!(
        DirectoryIndex::open(&path),
        Err(IndexError::TooNew { found: 99, .. })
    ));
    let conn = Connection::open(&path).expect("sqlite");
    let v: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("pragma");
    assert_eq!(v, 99, "untouched");
}

#[test]
fn only_numbers_whatsapp_chats_and_listed_web_addresses_may_be_opened() {
    let idx = DirectoryIndex::open_in_memory().expect("opens");
    for (url, allowed) in [
        ("tel:112", true),
        ("tel:+62215701111,2", true),
        ("https://wa.me/628111129129", true),
        ("https://healing119.id", true),
        ("tel:", false),
        ("tel:112; rm -rf /", false),
        ("https://wa.me/62811?text=hai", false),
        ("https://wa.me/", false),
        ("https://healing119.id/../phish", false),
        ("https://evil.example/", false),
        ("http://healing119.id", false),
        ("file:///etc/passwd", false),
        ("javascript:alert(1)", false),
    ] {
        assert_eq!(idx.may_open(url).expect("reads"), allowed, "{url}");
    }
}

#[test]
fn a_tampered_or_older_bundle_leaves_the_current_directory_in_place() {
    use ed25519_dalek::SigningKey;
    let key = SigningKey::from_bytes(&[7; 32]);
    let mut idx = DirectoryIndex::open_in_memory().expect("opens");
    let mut next = crate::seed::seed_bundle();
    next.version = 2;
    next.entries.truncate(3);
    let signed = SignedBundle::sign(&next, &key).expect("signs");
    assert_eq!(
        idx.apply_signed(&signed, &key.verifying_key())
            .expect("applies"),
        2
    );

    let mut tampered = signed.clone();
    tampered.payload = tampered.payload.replace("\"version\":2", "\"version\":9");
    assert!(matches!(
        idx.apply_signed(&tampered, &key.verifying_key()),
        Err(IndexError::Bundle(BundleError::BadSignature))
    ));
    let mut older = crate::seed::seed_bundle();
    older.version = 1;
    let older = SignedBundle::sign(&older, &key).expect("signs");
    assert!(matches!(
        idx.apply_signed(&older, &key.verifying_key()),
        Err(IndexError::Bundle(BundleError::NotNewer { .. }))
    ));
    assert_eq!(
        idx.version().expect("version"),
        Some(2),
        "the good bundle stays"
    );
    let all = idx.search(&Query::default(), now()).expect("search");
    assert_eq!(all.len(), 3, "entries of the good bundle stay");
}

#[test]
fn the_directory_survives_a_reopen() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = tmp.path().join("directory.sqlite3");
    let n = DirectoryIndex::open(&path)
        .expect("opens")
        .search(&Query::default(), now())
        .expect("search")
        .len();
    let again = DirectoryIndex::open(&path).expect("reopens");
    assert_eq!(
        again
            .search(&Query::default(), now())
            .expect("search")
            .len(),
        n
    );
    assert_eq!(again.version().expect("version"), Some(1), "seed version");
}

#[test]
fn every_entry_has_its_category_for_the_monthly_statistics() {
    let idx = DirectoryIndex::open_in_memory().expect("index");
    let categories = idx.categories().expect("categories");
    assert_eq!(categories.get("darurat-112"), Some(&Category::Emergency));
    assert!(
        categories.len() > 10,
        "the seed's entries: {}",
        categories.len()
    );
    assert_eq!(categories.get("tidak-ada"), None);
    let sapa = idx
        .entry("sapa-129")
        .expect("read")
        .expect("the seed holds SAPA 129");
    assert_eq!(sapa.category, categories["sapa-129"]);
    assert!(idx.entry("tidak-ada").expect("read").is_none());
}
