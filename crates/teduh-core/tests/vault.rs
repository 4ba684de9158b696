//! The vault end to end: identity and passphrase, domain records, integrity faults, disk full,
//! the "nothing in plaintext" proof, and rebuild-from-log (property-tested).
//!
//! Vaults here use `KdfParams::insecure_fast_for_tests()` so the suite stays fast; the
//! parameters are still stored in and read back from the vault like real ones.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use teduh_core::crypto::KdfParams;
use teduh_core::domain::{
    CaseDetails, CaseStage, ClientProfile, Consent, ConsentGiver, ConsentWithdrawal, Contact,
    ContactKind, Guardian, LawfulBasis, Modality, NoteDraft, NoteStatus, RiskEntry, RiskLevel,
    Task,
};
use teduh_core::screening::{answers_in_order, Band, Instrument, ScreeningAnswers};
use teduh_core::store::{LocalStore, StoreError};
use teduh_core::vault::{Vault, VaultError};

const PASS: &str = "kata sandi uji yang panjang";

fn db_path(dir: &Path) -> PathBuf {
    dir.join("teduh.sqlite3")
}

fn new_vault(dir: &Path) -> Vault {
    let store = LocalStore::open(&db_path(dir)).expect("store opens");
    Vault::create_with_params(store, PASS, KdfParams::insecure_fast_for_tests())
        .expect("vault is created")
}

fn reopen(dir: &Path) -> Vault {
    let mut v = Vault::open_path(&db_path(dir)).expect("vault reopens");
    v.unlock(PASS).expect("right passphrase unlocks");
    v
}

fn profile(code: &str, name: &str) -> ClientProfile {
    ClientProfile {
        code: code.into(),
        name: name.into(),
        nickname: format!("{name}-kecil"),
        birth_date: NaiveDate::from_ymd_opt(1990, 1, 2),
        contacts: vec![Contact {
            kind: ContactKind::WhatsApp,
            value: "+62 800 0000 0000".into(),
            safe_to_contact: true,
        }],
        address: "Jl. Contoh No. 1, Kota Fiktif".into(),
        language: "id".into(),
        ..ClientProfile::default()
    }
}

fn draft(narrative: &str) -> NoteDraft {
    NoteDraft {
        occurred_at: Utc.with_ymd_and_hms(2026, 3, 4, 2, 30, 0).single(),
        zone: "Asia/Makassar".into(),
        duration_minutes: 45,
        modality: Modality::Phone,
        location: "telepon".into(),
        narrative: narrative.into(),
        plan: "Sesi lanjutan minggu depan".into(),
        risk: Some(RiskLevel::Low),
        ..NoteDraft::default()
    }
}

fn phq9(values: [u8; 9]) -> ScreeningAnswers {
    ScreeningAnswers {
        instrument: Instrument::Phq9,
        answers: answers_in_order(Instrument::Phq9, &values).expect("nine answers"),
        administered_at: Some(Utc::now()),
        administered_by: None,
        language: "id".into(),
    }
}

#[test]
fn a_new_vault_unlocks_with_its_passphrase_and_reads_back_its_kdf_parameters() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let id = v.add_client(&profile("A-1", "Sari Contoh")).expect("adds");
    drop(v);
    let mut v = Vault::open_path(&db_path(tmp.path())).expect("opens");
    assert!(!v.is_unlocked(), "an opened vault starts locked");
    assert_eq!(
        v.kdf_params(),
        KdfParams::insecure_fast_for_tests(),
        "the Argon2id parameters are the stored ones"
    );
    assert!(
        matches!(v.client(id), Err(VaultError::Locked)),
        "nothing is readable while locked"
    );
    let report = v.unlock(PASS).expect("unlocks");
    assert_eq!(report.clients_indexed, 1, "the index is built at unlock");
    assert_eq!(
        v.client(id).expect("reads").profile.name,
        "Sari Contoh",
        "data survives"
    );
}

#[test]
fn a_wrong_passphrase_is_a_distinct_error_and_changes_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    v.add_client(&profile("A-1", "Sari Contoh")).expect("adds");
    drop(v);
    let before = std::fs::read(db_path(tmp.path())).expect("read db");
    let mut v = Vault::open_path(&db_path(tmp.path())).expect("opens");
    let err = v.unlock("not the passphrase").expect_err("must refuse");
    assert!(
        matches!(err, VaultError::WrongPassphrase),
        "distinct error, got {err}"
    );
    assert!(!v.is_unlocked(), "still locked");
    v.unlock(PASS).expect("unlocks");
    assert!(
        matches!(v.unlock("salah lagi"), Err(VaultError::WrongPassphrase)),
        "wrong again"
    );
    assert!(
        v.is_unlocked(),
        "a wrong attempt does not lock an unlocked vault either"
    );
    drop(v);
    assert_eq!(
        std::fs::read(db_path(tmp.path())).expect("read db"),
        before,
        "a failed unlock must not modify the database"
    );
    reopen(tmp.path());
}

#[test]
fn changing_the_passphrase_rewraps_keys_and_keeps_data() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let id = v.add_client(&profile("A-1", "Sari Contoh")).expect("adds");
    assert!(
        matches!(
            v.change_passphrase("wrong", "baru"),
            Err(VaultError::WrongPassphrase)
        ),
        "the old passphrase must be proven"
    );
    v.change_passphrase(PASS, "kata sandi baru")
        .expect("changes");
    let log_before = v.log_len().expect("log length");
    drop(v);
    let mut v = Vault::open_path(&db_path(tmp.path())).expect("opens");
    assert!(
        matches!(v.unlock(PASS), Err(VaultError::WrongPassphrase)),
        "the old passphrase no longer opens"
    );
    v.unlock("kata sandi baru").expect("the new one does");
    assert_eq!(
        v.client(id).expect("reads").profile.code,
        "A-1",
        "data still readable"
    );
    assert_eq!(
        v.log_len().expect("log"),
        log_before,
        "no record was re-encrypted"
    );
}

#[test]
fn the_vault_locks_itself_after_the_idle_timeout() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    v.set_idle_timeout(Some(Duration::from_millis(300)));
    v.list_clients().expect("fresh activity");
    std::thread::sleep(Duration::from_millis(600));
    assert!(
        !v.is_unlocked(),
        "past the timeout the vault reports itself locked"
    );
    assert!(
        matches!(v.list_clients(), Err(VaultError::Locked)),
        "an idle vault must lock itself"
    );
    assert!(v.damaged_records().is_empty(), "locked: nothing held");
    v.unlock(PASS).expect("unlocks again");
    v.lock();
    assert!(!v.is_unlocked(), "lock() locks");
}

#[test]
fn a_short_passphrase_is_refused_by_the_core_itself_at_creation_and_on_change() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = LocalStore::open(&db_path(tmp.path())).expect("opens");
    let _twelve =
        Vault::create_with_params(store, "pendek sekal", KdfParams::insecure_fast_for_tests())
            .expect("twelve characters are enough");
    let tmp = tempfile::tempdir().expect("tempdir");
    let store = LocalStore::open(&db_path(tmp.path())).expect("opens");
    let err = Vault::create_with_params(store, "sebelas kar", KdfParams::insecure_fast_for_tests())
        .expect_err("eleven characters are not (whatever a modified UI lets through)");
    assert!(
        matches!(err, VaultError::PassphraseTooShort { min: 12 }),
        "{err}"
    );
    let store = LocalStore::open(&db_path(tmp.path())).expect("opens");
    assert!(
        !teduh_core::vault::is_initialised(&store).expect("reads"),
        "no vault was made"
    );

    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let err = v
        .change_passphrase(PASS, "🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑")
        .expect_err("eleven characters, however many bytes");
    assert!(
        matches!(err, VaultError::PassphraseTooShort { .. }),
        "{err}"
    );
    v.lock();
    v.unlock(PASS)
        .expect("the old passphrase still opens the vault");
}

#[test]
fn a_long_but_guessable_passphrase_is_refused_by_the_core_at_creation_and_on_change() {
    for weak in [
        "bismillah123",
        "indonesia1945",
        "sayangku2024",
        "password1234",
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let store = LocalStore::open(&db_path(tmp.path())).expect("opens");
        let err = Vault::create_with_params(store, weak, KdfParams::insecure_fast_for_tests())
            .expect_err("twelve characters, but among the first guesses");
        assert!(
            matches!(err, VaultError::PassphraseTooWeak),
            "{weak}: {err}"
        );
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let err = v
        .change_passphrase(PASS, "sayangku2024")
        .expect_err("a change is checked too");
    assert!(matches!(err, VaultError::PassphraseTooWeak), "{err}");
    v.lock();
    v.unlock(PASS)
        .expect("the old passphrase still opens the vault");
}

#[test]
fn creating_a_second_vault_in_the_same_store_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    drop(new_vault(tmp.path()));
    let store = LocalStore::open(&db_path(tmp.path())).expect("opens");
    let err = Vault::create_with_params(store, "x", KdfParams::insecure_fast_for_tests())
        .expect_err("must not overwrite the identity");
    assert!(matches!(err, VaultError::AlreadyInitialised), "{err}");
}

#[test]
fn clients_are_searchable_by_code_name_and_nickname_and_codes_are_unique() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let a = v
        .add_client(&profile("MKS-001", "Sari Contoh"))
        .expect("adds");
    v.add_client(&profile("MKS-002", "Budi Fiktif"))
        .expect("adds");
    assert_eq!(
        v.search_clients("sari", 10).expect("search")[0].id,
        a,
        "by name"
    );
    assert_eq!(
        v.search_clients("mks-001", 10).expect("search")[0].id,
        a,
        "by code"
    );
    assert_eq!(
        v.search_clients("fiktif-kecil", 10).expect("search").len(),
        1,
        "by nickname"
    );
    assert_eq!(v.list_clients().expect("list").len(), 2, "both listed");
    assert!(
        matches!(
            v.add_client(&profile("mks-001", "X")),
            Err(VaultError::DuplicateCode(_))
        ),
        "codes are unique, case-insensitively"
    );
    let mut p = profile("MKS-001", "Sari Baru");
    p.guardian = Some(Guardian {
        name: "Ibu Contoh".into(),
        relationship: "ibu".into(),
        contacts: vec![],
    });
    v.update_client(a, &p).expect("updates");
    assert_eq!(
        v.search_clients("baru", 10).expect("search").len(),
        1,
        "index follows updates"
    );
    drop(v);
    let mut v = reopen(tmp.path());
    assert_eq!(
        v.client(a)
            .expect("reads")
            .profile
            .guardian
            .expect("guardian kept")
            .name,
        "Ibu Contoh",
        "updated fields survive a reopen"
    );
    assert_eq!(
        v.search_clients("baru", 10).expect("search").len(),
        1,
        "rebuilt index"
    );
}

#[test]
fn a_child_client_is_flagged_from_the_birth_date() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let mut p = profile("C-1", "Anak Contoh");
    p.birth_date = Some(Utc::now().date_naive() - chrono::Days::new(365 * 10));
    p.guardian = Some(Guardian {
        name: "Wali Contoh".into(),
        relationship: "ibu".into(),
        contacts: Vec::new(),
    });
    let id = v.add_client(&p).expect("adds");
    assert_eq!(
        v.client(id).expect("reads").is_child,
        Some(true),
        "a ten-year-old is a child"
    );
}

#[test]
fn a_child_without_a_named_guardian_is_refused_and_nothing_is_stored() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let mut p = profile("C-2", "Anak Tanpa Wali");
    p.birth_date = None;
    p.estimated_age = Some(15);
    let before = v.log_len().expect("log length");
    let err = v.add_client(&p).expect_err("a child needs a guardian");
    assert!(matches!(err, VaultError::InvalidInput(_)), "{err}");
    assert_eq!(
        v.log_len().expect("log length"),
        before,
        "nothing was written"
    );
    p.guardian = Some(Guardian {
        name: "  ".into(),
        ..Default::default()
    });
    assert!(
        v.add_client(&p).is_err(),
        "a blank guardian name does not count"
    );
    p.estimated_age = Some(18);
    p.guardian = None;
    v.add_client(&p).expect("an adult needs no guardian");
}

#[test]
fn an_estimated_age_keeps_the_day_it_was_given_and_grows_from_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let today = v.today(chrono::Utc::now()).expect("today");
    let mut p = profile("E-1", "Perkiraan Usia");
    p.birth_date = None;
    p.estimated_age = Some(17);
    p.guardian = Some(Guardian {
        name: "Wali Sintetis".into(),
        ..Default::default()
    });
    let id = v.add_client(&p).expect("adds");
    let stored = v.client(id).expect("reads");
    assert_eq!(
        (stored.profile.estimated_age_on, stored.is_child),
        (Some(today), Some(true)),
        "an estimate written without its day is given today, the team's day"
    );

    // Estimated at 17 a year and a day ago: an adult now, on the profile and in the list.
    let year_ago = today - chrono::Days::new(366);
    let mut edited = stored.profile.clone();
    edited.estimated_age_on = Some(year_ago);
    v.update_client(id, &edited).expect("updates");
    let c = v.client(id).expect("reads");
    assert_eq!(c.is_child, Some(false), "17 a year ago is 18 now");
    assert!(
        !v.client_facets().expect("facets")[&id].child,
        "the list's child filter agrees"
    );

    // Saving the profile again without the day keeps it while the estimate is unchanged;
    // a new estimate starts a new day.
    let mut again = c.profile.clone();
    again.estimated_age_on = None;
    again.address = "Jl. Sintetis 1".into();
    v.update_client(id, &again).expect("updates");
    assert_eq!(
        v.client(id).expect("reads").profile.estimated_age_on,
        Some(year_ago)
    );
    again.estimated_age = Some(30);
    v.update_client(id, &again).expect("updates");
    assert_eq!(
        v.client(id).expect("reads").profile.estimated_age_on,
        Some(today)
    );

    let mut future = again.clone();
    future.estimated_age_on = Some(today + chrono::Days::new(2));
    let err = v
        .update_client(id, &future)
        .expect_err("a day still to come");
    assert!(matches!(err, VaultError::InvalidInput(_)), "{err}");
}

#[test]
fn an_unaccompanied_child_is_recorded_and_consents_on_a_lawful_basis_with_a_reason() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let mut p = profile("S-1", "Anak Jalanan");
    p.birth_date = None;
    p.estimated_age = Some(13);
    p.no_guardian_reason = "anak jalanan, orang tua tidak diketahui".into();
    let c = v
        .add_client(&p)
        .expect("a child nobody can be asked for is recorded, not turned away");
    let alone = Consent {
        given_by: ConsentGiver::SelfGiven,
        giver_name: "Anak Jalanan".into(),
        child_assent: Some(true),
        purposes: vec!["service".into()],
        ..Consent::default()
    };
    let before = v.log_len().expect("log length");
    let err = v
        .record_consent(c, &alone)
        .expect_err("a child cannot consent alone");
    assert!(matches!(err, VaultError::InvalidInput(_)), "{err}");
    assert_eq!(v.log_len().expect("log length"), before, "nothing written");
    let on_basis = Consent {
        given_by: ConsentGiver::NoGuardian,
        giver_name: String::new(),
        lawful_basis: LawfulBasis::VitalInterest,
        basis_reason: "tidur di jalan, butuh tempat aman malam ini".into(),
        ..alone
    };
    v.record_consent(c, &on_basis)
        .expect("the lawful basis and its reason stand in for a guardian");
    let stored = v.export_client(c).expect("export").consents;
    assert_eq!(stored.len(), 1, "only the lawful one was stored");
    assert_eq!(stored[0].consent.basis_reason, on_basis.basis_reason);
    assert_eq!(
        stored[0].consent.child_assent,
        Some(true),
        "assent beside it"
    );
}

#[test]
fn a_guardians_consent_needs_the_childs_assent_beside_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let mut p = profile("C-3", "Anak Lima Belas");
    p.birth_date = None;
    p.estimated_age = Some(15);
    p.guardian = Some(Guardian {
        name: "Ibu Sari".into(),
        relationship: "ibu".into(),
        contacts: Vec::new(),
    });
    let c = v.add_client(&p).expect("client");
    let mut consent = Consent {
        given_by: ConsentGiver::Parent,
        giver_name: "Ibu Sari".into(),
        child_assent: None,
        purposes: vec!["service".into()],
        ..Consent::default()
    };
    assert!(
        v.record_consent(c, &consent).is_err(),
        "the child's own agreement is recorded, yes or no"
    );
    consent.child_assent = Some(true);
    v.record_consent(c, &consent)
        .expect("parent consents, child assents");
}

#[test]
fn a_withdrawal_needs_when_and_why_and_the_history_keeps_the_consent() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let c = v.add_client(&profile("W-1", "Sari Tarik")).expect("client");
    let id = v
        .record_consent(
            c,
            &Consent {
                purposes: vec!["service".into()],
                given_at: Some(Utc::now()),
                ..Consent::default()
            },
        )
        .expect("consent");
    assert!(
        v.withdraw_consent(id, &ConsentWithdrawal::default())
            .is_err(),
        "no date, no reason: refused"
    );
    let w = ConsentWithdrawal {
        withdrawn_at: Some(Utc::now()),
        reason: "klien tidak ingin dihubungi lagi".into(),
    };
    v.withdraw_consent(id, &w).expect("withdrawn");
    assert!(
        v.withdraw_consent(id, &w).is_err(),
        "a withdrawn consent is not withdrawn twice"
    );
    let history = v.export_client(c).expect("export").consents;
    assert_eq!(history.len(), 1, "the consent stays in the history");
    assert_eq!(history[0].withdrawals, vec![w], "given -> withdrawn");
}

#[test]
fn impossible_birth_dates_and_ages_are_refused_by_the_vault() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let mut future = profile("F-1", "Lahir Nanti");
    future.birth_date = NaiveDate::from_ymd_opt(2099, 8, 15);
    let err = v.add_client(&future).expect_err("born in the future");
    assert!(err.to_string().contains("in the future"), "{err}");
    let mut old = profile("F-2", "Terlalu Tua");
    old.birth_date = None;
    old.estimated_age = Some(150);
    let err = v.add_client(&old).expect_err("150 is a typing mistake");
    assert!(err.to_string().contains("150"), "{err}");
    let id = v
        .add_client(&profile("F-3", "Biasa"))
        .expect("a real adult");
    let mut edited = v.client(id).expect("reads").profile;
    edited.estimated_age = Some(150);
    edited.birth_date = None;
    assert!(
        v.update_client(id, &edited).is_err(),
        "an edit is checked too"
    );
}

#[test]
fn a_finalised_note_refuses_edits_but_accepts_an_addendum() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let c = v.add_client(&profile("A-1", "Sari Contoh")).expect("adds");
    let n = v.add_note(c, &draft("Draf pertama")).expect("adds note");
    assert!(
        matches!(
            v.add_addendum(n, "terlalu awal"),
            Err(VaultError::NoteIsDraft(_))
        ),
        "a draft is edited, not amended"
    );
    v.edit_note(n, &draft("Draf kedua"))
        .expect("a draft can be edited");
    v.finalise_note(n).expect("finalises");
    let err = v
        .edit_note(n, &draft("Diubah diam-diam"))
        .expect_err("must refuse");
    assert!(matches!(err, VaultError::NoteFinalised(_)), "{err}");
    assert!(
        matches!(v.finalise_note(n), Err(VaultError::NoteFinalised(_))),
        "finalising twice is refused"
    );
    v.add_addendum(n, "Klien menelepon kembali")
        .expect("addendum accepted");
    let note = v.note(n).expect("reads");
    assert_eq!(
        note.content.narrative, "Draf kedua",
        "finalised text is unchanged"
    );
    assert!(
        matches!(note.status, NoteStatus::Finalised { .. }),
        "status is finalised"
    );
    assert_eq!(note.addenda.len(), 1, "the addendum is attached");
    assert_eq!(note.author, Some(v.member_id()), "the author is recorded");
}

#[test]
fn cases_consent_tasks_and_screenings_are_exported_with_computed_scores() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let c = v.add_client(&profile("A-1", "Sari Contoh")).expect("adds");
    let case = v
        .open_case(
            c,
            &CaseDetails {
                presenting_problem: "Kesulitan tidur setelah banjir".into(),
                stage: CaseStage::Assessment,
                ..CaseDetails::default()
            },
        )
        .expect("opens case");
    for level in [RiskLevel::Medium, RiskLevel::High] {
        v.record_risk(
            case,
            &RiskEntry {
                level,
                reason: "observasi".into(),
                assessed_at: Some(Utc::now()),
                assessed_by: Some(v.member_id()),
            },
        )
        .expect("risk recorded");
    }
    let consent = v
        .record_consent(
            c,
            &Consent {
                given_by: ConsentGiver::SelfGiven,
                giver_name: "Sari Contoh".into(),
                purposes: vec!["counseling".into()],
                given_at: Some(Utc::now()),
                ..Consent::default()
            },
        )
        .expect("consent");
    v.withdraw_consent(
        consent,
        &ConsentWithdrawal {
            withdrawn_at: Some(Utc::now()),
            reason: "pindah kota".into(),
        },
    )
    .expect("withdrawn");
    let t = v
        .add_task(
            c,
            &Task {
                title: "Telepon ulang".into(),
                ..Task::default()
            },
        )
        .expect("task");
    v.update_task(
        t,
        &Task {
            title: "Telepon ulang".into(),
            done_at: Some(Utc::now()),
            ..Task::default()
        },
    )
    .expect("task done");
    v.add_screening(c, &phq9([3, 3, 3, 3, 0, 0, 0, 0, 1]))
        .expect("screening");
    let bad = phq9([3, 3, 3, 3, 0, 0, 0, 0, 9]);
    assert!(
        matches!(v.add_screening(c, &bad), Err(VaultError::InvalidInput(_))),
        "out-of-range answers are refused"
    );
    v.add_note(c, &draft("Sesi pertama")).expect("note");
    let x = v.export_client(c).expect("exports");
    assert_eq!(x.cases.len(), 1, "one case");
    assert_eq!(
        x.cases[0].risk_history.len(),
        2,
        "risk history kept in order"
    );
    assert_eq!(
        x.cases[0].current_risk,
        Some(RiskLevel::High),
        "latest risk wins"
    );
    assert_eq!(
        x.consents[0].withdrawals.len(),
        1,
        "withdrawal appended, consent kept"
    );
    assert_eq!(
        x.consents[0].consent.giver_name, "Sari Contoh",
        "consent unchanged"
    );
    assert!(x.tasks[0].task.done_at.is_some(), "task update visible");
    let s = &x.screenings[0].result;
    assert_eq!(
        (s.total, s.band),
        (13, Band::Moderate),
        "score computed from answers"
    );
    assert_eq!(
        s.red_flags,
        vec!["phq9.09".to_owned()],
        "item 9 is a red flag"
    );
    assert_eq!(x.notes.len(), 1, "notes exported");
    let json = serde_json::to_string(&x).expect("serialises");
    assert!(json.contains("Sari Contoh"), "export is decrypted");
    assert!(
        json.contains("Pfizer"),
        "attribution travels with the scores"
    );
}

fn flip_one_bit_of_a_field(dir: &Path, field: &str) {
    let conn = rusqlite::Connection::open(db_path(dir)).expect("raw open");
    let (entity, mut value): (Vec<u8>, Vec<u8>) = conn
        .query_row(
            "SELECT entity_id, value FROM entity_fields WHERE field = ?1 LIMIT 1",
            [field],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("a field to damage");
    let mid = value.len() / 2;
    value[mid] ^= 0x04;
    conn.execute(
        "UPDATE entity_fields SET value = ?1 WHERE entity_id = ?2 AND field = ?3",
        rusqlite::params![value, entity, field],
    )
    .expect("damage written");
}

#[test]
fn one_flipped_bit_is_an_integrity_error_naming_the_record_and_nothing_else_breaks() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let a = v.add_client(&profile("A-1", "Sari Contoh")).expect("adds");
    let n = v.add_note(a, &draft("Catatan")).expect("note");
    let b = v.add_client(&profile("B-2", "Budi Fiktif")).expect("adds");
    drop(v);
    flip_one_bit_of_a_field(tmp.path(), "narrative");
    let mut v = reopen(tmp.path());
    let err = v.note(n).expect_err("a damaged note must not read");
    match &err {
        VaultError::Integrity { record } => {
            assert!(
                record.contains(&n.to_string()) && record.contains("narrative"),
                "the error names the record and field: {record}"
            );
        }
        other => panic!("expected an integrity error, got {other}"),
    }
    assert_eq!(
        v.client(a).expect("reads").profile.code,
        "A-1",
        "same client, other fields"
    );
    assert_eq!(
        v.client(b).expect("reads").profile.code,
        "B-2",
        "other clients unaffected"
    );
    v.add_note(b, &draft("masih bisa menulis"))
        .expect("writes still work");

    // Damage a field the index needs: unlock still succeeds and reports it.
    drop(v);
    flip_one_bit_of_a_field(tmp.path(), "name");
    let mut v = Vault::open_path(&db_path(tmp.path())).expect("opens");
    let report = v.unlock(PASS).expect("unlock survives one damaged record");
    assert_eq!(
        report.damaged.len(),
        1,
        "exactly one damaged record: {:?}",
        report.damaged
    );
    assert_eq!(
        report.clients_indexed, 1,
        "the intact client is still searchable"
    );
}

#[test]
fn a_truncated_or_foreign_database_is_refused_and_left_untouched() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    v.add_client(&profile("A-1", "Sari Contoh")).expect("adds");
    drop(v);
    let path = db_path(tmp.path());
    let full = std::fs::read(&path).expect("read");
    std::fs::write(&path, &full[..50]).expect("truncate");
    let err = Vault::open_path(&path).expect_err("truncated header must be refused");
    assert!(
        matches!(err, VaultError::Store(StoreError::NotATeduhDatabase { .. })),
        "clear error: {err}"
    );
    assert_eq!(
        std::fs::read(&path).expect("read"),
        &full[..50],
        "file untouched"
    );

    let foreign = b"PK\x03\x04 a zip file, not a database".repeat(50);
    std::fs::write(&path, &foreign).expect("write");
    let err = Vault::open_path(&path).expect_err("foreign file must be refused");
    assert!(
        matches!(err, VaultError::Store(StoreError::NotATeduhDatabase { .. })),
        "{err}"
    );
    assert_eq!(
        std::fs::read(&path).expect("read"),
        foreign,
        "file untouched"
    );
}

#[test]
fn a_database_truncated_after_its_header_fails_clearly_without_being_modified() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    for i in 0..30 {
        let c = v
            .add_client(&profile(&format!("A-{i}"), "Sari Contoh"))
            .expect("adds");
        v.add_note(c, &draft(&"panjang ".repeat(200)))
            .expect("note");
    }
    drop(v);
    let path = db_path(tmp.path());
    let full = std::fs::read(&path).expect("read");
    assert!(full.len() > 8192, "the database spans several pages");
    let cut = &full[..full.len() / 2];
    std::fs::write(&path, cut).expect("truncate");
    let result = Vault::open_path(&path).and_then(|mut v| {
        v.unlock(PASS)?;
        v.check_consistency()
    });
    assert!(
        result.is_err(),
        "half a database must not pass as a good one"
    );
    assert_eq!(std::fs::read(&path).expect("read"), cut, "file untouched");
}

#[test]
fn a_full_disk_fails_the_write_clearly_and_keeps_earlier_data() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let c = v.add_client(&profile("A-1", "Sari Contoh")).expect("adds");
    let first = v.add_note(c, &draft("sebelum penuh")).expect("note");
    let conn = v.store().connection();
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .expect("page count");
    // The database may not grow by more than one page: like a disk with a few KiB free.
    conn.pragma_update(None, "max_page_count", pages + 1)
        .expect("limit set");
    let big = "x".repeat(64 * 1024);
    let mut saw_full = false;
    let mut saved = 1;
    for _ in 0..10 {
        match v.add_note(c, &draft(&big)) {
            Ok(_) => saved += 1,
            Err(VaultError::DiskFull) => {
                saw_full = true;
                break;
            }
            Err(other) => panic!("expected DiskFull, got {other}"),
        }
    }
    assert!(saw_full, "writing past the limit must report a full disk");
    assert_eq!(
        v.note(first).expect("earlier note reads").content.narrative,
        "sebelum penuh",
        "earlier data intact"
    );
    v.check_consistency().expect("log and tables still agree");
    drop(v);
    let mut v = reopen(tmp.path());
    assert_eq!(
        v.notes(c).expect("notes").len(),
        saved,
        "every note saved before the disk filled survives a reopen"
    );
    v.check_consistency().expect("consistent after reopen");
}

fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(T[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// Every encoding of the marker a careless implementation might write.
fn marker_forms(marker: &str) -> Vec<Vec<u8>> {
    let m = marker.as_bytes();
    let hex_lower: String = m.iter().map(|b| format!("{b:02x}")).collect();
    let mut forms = vec![
        m.to_vec(),
        hex_lower.clone().into_bytes(),
        hex_lower.to_uppercase().into_bytes(),
    ];
    // base64 depends on alignment: encode with 0, 1 and 2 leading bytes and keep the middle,
    // which is the same whatever surrounds the marker.
    for pad in 0..3 {
        let mut d = vec![b'_'; pad];
        d.extend_from_slice(m);
        let enc = base64(&d);
        let start = (pad * 4).div_ceil(3) + 1;
        let end = enc.len().saturating_sub(2);
        forms.push(enc.as_bytes()[start..end].to_vec());
    }
    forms
}

fn scan_dir_for(dir: &Path, forms: &[Vec<u8>]) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            hits.extend(scan_dir_for(&path, forms));
            continue;
        }
        let bytes = std::fs::read(&path).expect("read file");
        for f in forms {
            if bytes.windows(f.len()).any(|w| w == f.as_slice()) {
                hits.push(format!(
                    "{} contains {:?}",
                    path.display(),
                    String::from_utf8_lossy(f)
                ));
            }
        }
    }
    hits
}

#[test]
fn no_sensitive_text_reaches_the_disk_in_clear_hex_or_base64() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let marker = "ZQXJ-PENANDA-7731-RAHASIA";
    let forms = marker_forms(marker);
    let mut v = new_vault(tmp.path());
    let mut p = profile(&format!("K-{marker}"), &format!("Nama {marker}"));
    p.nickname = marker.into();
    p.address = marker.into();
    p.communication_needs = marker.into();
    let c = v.add_client(&p).expect("adds");
    let n = v
        .add_note(c, &draft(&format!("narasi {marker}")))
        .expect("note");
    v.finalise_note(n).expect("finalise");
    v.add_addendum(n, marker).expect("addendum");
    v.record_consent(
        c,
        &Consent {
            giver_name: marker.into(),
            ..Consent::default()
        },
    )
    .expect("consent");
    v.add_task(
        c,
        &Task {
            title: marker.into(),
            ..Task::default()
        },
    )
    .expect("task");
    assert!(
        v.search_clients(marker, 5).expect("search").len() == 1,
        "the marker is really stored (and searchable in memory)"
    );
    // While open, the WAL holds the recent writes: scan it too.
    let wal = tmp.path().join("teduh.sqlite3-wal");
    assert!(wal.exists(), "the WAL is present while the vault is open");
    let hits = scan_dir_for(tmp.path(), &forms);
    assert!(hits.is_empty(), "plaintext found while open: {hits:?}");
    v.lock();
    drop(v);
    let hits = scan_dir_for(tmp.path(), &forms);
    assert!(hits.is_empty(), "plaintext found after close: {hits:?}");
    // The scanner itself works: a file with the base64 form is caught.
    std::fs::write(
        tmp.path().join("probe"),
        base64(format!("ab{marker}").as_bytes()),
    )
    .expect("probe");
    assert!(
        !scan_dir_for(tmp.path(), &forms).is_empty(),
        "the scan must detect base64"
    );
}

#[derive(Debug, Clone)]
enum Action {
    AddClient(String),
    RenameClient(usize, String),
    AddNote(usize, String),
    EditNote(usize, String),
    Finalise(usize),
    Addendum(usize, String),
    Consent(usize),
    Withdraw(usize),
    Screening(usize, [u8; 7]),
    Risk(usize, u8),
    Lock,
}

fn action() -> impl Strategy<Value = Action> {
    let text = "[a-zA-Z ]{0,24}";
    prop_oneof![
        3 => text.prop_map(Action::AddClient),
        1 => (0usize..8, text).prop_map(|(i, t)| Action::RenameClient(i, t)),
        3 => (0usize..8, text).prop_map(|(i, t)| Action::AddNote(i, t)),
        2 => (0usize..8, text).prop_map(|(i, t)| Action::EditNote(i, t)),
        1 => (0usize..8).prop_map(Action::Finalise),
        1 => (0usize..8, text).prop_map(|(i, t)| Action::Addendum(i, t)),
        1 => (0usize..8).prop_map(Action::Consent),
        1 => (0usize..8).prop_map(Action::Withdraw),
        1 => (0usize..8, proptest::array::uniform7(0u8..4)).prop_map(|(i, a)| Action::Screening(i, a)),
        1 => (0usize..8, 0u8..4).prop_map(|(i, l)| Action::Risk(i, l)),
        1 => Just(Action::Lock),
    ]
}

fn pick<T: Copy>(v: &[T], i: usize) -> Option<T> {
    (!v.is_empty()).then(|| v[i % v.len()])
}

/// Applies an action; refusals the domain defines (finalised note...) are fine.
fn run(
    v: &mut Vault,
    a: &Action,
    st: &mut (
        Vec<teduh_core::ids::ClientId>,
        Vec<teduh_core::ids::NoteId>,
        Vec<teduh_core::ids::ConsentId>,
        Vec<teduh_core::ids::CaseId>,
    ),
) {
    let (clients, notes, consents, cases) = st;
    let res: Result<(), VaultError> = match a {
        Action::AddClient(name) => {
            let code = format!("P-{}", clients.len());
            v.add_client(&profile(&code, name)).map(|id| {
                clients.push(id);
                if let Ok(case) = v.open_case(id, &CaseDetails::default()) {
                    cases.push(case);
                }
            })
        }
        Action::RenameClient(i, name) => match pick(clients, *i) {
            Some(c) => {
                let mut p = v.client(c).expect("reads").profile;
                p.name = name.clone();
                v.update_client(c, &p)
            }
            None => Ok(()),
        },
        Action::AddNote(i, t) => match pick(clients, *i) {
            Some(c) => v.add_note(c, &draft(t)).map(|n| notes.push(n)),
            None => Ok(()),
        },
        Action::EditNote(i, t) => pick(notes, *i).map_or(Ok(()), |n| v.edit_note(n, &draft(t))),
        Action::Finalise(i) => pick(notes, *i).map_or(Ok(()), |n| v.finalise_note(n)),
        Action::Addendum(i, t) => {
            pick(notes, *i).map_or(Ok(()), |n| v.add_addendum(n, t).map(drop))
        }
        Action::Consent(i) => match pick(clients, *i) {
            Some(c) => v
                .record_consent(c, &Consent::default())
                .map(|id| consents.push(id)),
            None => Ok(()),
        },
        Action::Withdraw(i) => pick(consents, *i).map_or(Ok(()), |c| {
            // A consent is withdrawn once, with when and why.
            consents.retain(|x| *x != c);
            v.withdraw_consent(
                c,
                &ConsentWithdrawal {
                    withdrawn_at: Some(Utc::now()),
                    reason: "klien menarik persetujuan".into(),
                },
            )
        }),
        Action::Screening(i, vals) => match pick(clients, *i) {
            Some(c) => v
                .add_screening(
                    c,
                    &ScreeningAnswers {
                        instrument: Instrument::Gad7,
                        answers: answers_in_order(Instrument::Gad7, vals).expect("seven"),
                        administered_at: None,
                        administered_by: None,
                        language: "en".into(),
                    },
                )
                .map(drop),
            None => Ok(()),
        },
        Action::Risk(i, l) => match pick(cases, *i) {
            Some(case) => {
                let level = [
                    RiskLevel::Low,
                    RiskLevel::Medium,
                    RiskLevel::High,
                    RiskLevel::Imminent,
                ][usize::from(*l)];
                v.record_risk(
                    case,
                    &RiskEntry {
                        level,
                        ..RiskEntry::default()
                    },
                )
                .map(drop)
            }
            None => Ok(()),
        },
        Action::Lock => {
            v.lock();
            v.unlock(PASS).map(drop)
        }
    };
    match res {
        Ok(()) | Err(VaultError::NoteFinalised(_)) | Err(VaultError::NoteIsDraft(_)) => {}
        Err(e) => panic!("unexpected failure for {a:?}: {e}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn rebuilding_from_the_log_gives_the_same_state(
        actions in proptest::collection::vec(action(), 1..30),
        shuffle_seed in any::<u64>(),
    ) {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut v = new_vault(tmp.path());
        let mut st = Default::default();
        for a in &actions {
            run(&mut v, a, &mut st);
        }
        let before = v.state_dump().expect("dump");
        let exports_before: Vec<String> = st.0.iter()
            .map(|c| serde_json::to_string(&v.export_client(*c).expect("export").cases).expect("json"))
            .collect();
        let n = v.rebuild().expect("rebuilds");
        prop_assert_eq!(n, v.log_len().expect("log"), "every record was replayed");
        let after = v.state_dump().expect("dump");
        prop_assert!(before == after, "replaying the log must give the same state");
        let exports_after: Vec<String> = st.0.iter()
            .map(|c| serde_json::to_string(&v.export_client(*c).expect("export").cases).expect("json"))
            .collect();
        prop_assert_eq!(exports_before, exports_after, "and the same decrypted content");
        prop_assert_eq!(v.list_clients().expect("list").len(), st.0.len(), "index rebuilt");

        // Merge law: applying the same records in any order gives the same tables.
        let mut rows = Vec::new();
        teduh_core::records::for_each(v.store().connection(), |r| {
            rows.push(r);
            Ok(())
        })
        .expect("reads the log");
        let mut x = shuffle_seed | 1;
        for i in (1..rows.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            rows.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let shuffled = v.state_after_folding(&rows).expect("folds");
        prop_assert!(shuffled == after, "the fold must not depend on arrival order");
    }
}

#[test]
fn a_tampered_log_record_is_named_by_the_consistency_check_and_rebuild_refuses_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let c = v.add_client(&profile("A-1", "Sari Contoh")).expect("adds");
    v.add_note(c, &draft("Catatan")).expect("note");
    drop(v);
    {
        let conn = rusqlite::Connection::open(db_path(tmp.path())).expect("raw open");
        // The log is append-only (a trigger refuses UPDATE); an attacker with the file can
        // still drop the trigger, so do exactly that.
        conn.execute_batch("DROP TRIGGER record_log_no_update")
            .expect("drop trigger");
        let mut payload: Vec<u8> = conn
            .query_row("SELECT payload FROM record_log WHERE seq = 3", [], |r| {
                r.get(0)
            })
            .expect("record 3");
        let last = payload.len() - 1;
        payload[last] ^= 1;
        conn.execute(
            "UPDATE record_log SET payload = ?1 WHERE seq = 3",
            [payload],
        )
        .expect("tamper");
    }
    let mut v = reopen(tmp.path());
    let before = v.state_dump().expect("dump");
    let err = v
        .check_consistency()
        .expect_err("a tampered record must be found");
    assert!(
        matches!(&err, VaultError::Log(m) if m.contains("/3 has an invalid signature")),
        "the error names the record: {err}"
    );
    assert!(
        v.rebuild().is_err(),
        "rebuild refuses a log with a forged record"
    );
    assert_eq!(
        v.state_dump().expect("dump"),
        before,
        "a refused rebuild changes nothing"
    );
}

#[test]
fn damaged_materialised_tables_are_repaired_by_a_rebuild_from_the_log() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let c = v.add_client(&profile("A-1", "Sari Contoh")).expect("adds");
    let n = v.add_note(c, &draft("Catatan utuh")).expect("note");
    drop(v);
    flip_one_bit_of_a_field(tmp.path(), "narrative");
    let mut v = reopen(tmp.path());
    assert!(v.note(n).is_err(), "the damaged copy does not read");
    assert!(v.check_consistency().is_err(), "tables and log disagree");
    v.rebuild()
        .expect("the log is intact, so a rebuild succeeds");
    assert_eq!(
        v.note(n).expect("reads again").content.narrative,
        "Catatan utuh",
        "the log's copy restores the note"
    );
}

#[test]
fn a_failing_batch_saves_nothing_at_all() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    v.add_client(&profile("A-1", "Sari Contoh")).expect("adds");
    let log_before = v.log_len().expect("log");
    let dump_before = v.state_dump().expect("dump");
    let err = v
        .batch(|b| {
            let c = b.add_client(&profile("B-2", "Budi Fiktif"))?;
            b.add_note(c, &draft("ditulis"))?;
            b.add_client(&profile("A-1", "duplikat"))
        })
        .expect_err("the duplicate code fails the batch");
    assert!(matches!(err, VaultError::DuplicateCode(_)), "{err}");
    assert_eq!(
        v.log_len().expect("log"),
        log_before,
        "no record of the batch is kept"
    );
    assert_eq!(
        v.state_dump().expect("dump"),
        dump_before,
        "tables unchanged"
    );
    assert!(
        v.search_clients("budi", 5).expect("search").is_empty(),
        "the index does not show a client that was rolled back"
    );
    v.add_client(&profile("B-2", "Budi Fiktif"))
        .expect("the code is free again");
    v.check_consistency()
        .expect("log still gapless and consistent");
}

#[test]
fn sequence_numbers_and_timestamps_keep_increasing_across_sessions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let c = v.add_client(&profile("A-1", "Sari Contoh")).expect("adds");
    v.add_note(c, &draft("satu")).expect("note");
    drop(v);
    let mut v = reopen(tmp.path());
    v.add_note(c, &draft("dua")).expect("note");
    let mut rows = Vec::new();
    teduh_core::records::for_each(v.store().connection(), |r| {
        rows.push((r.seq, r.hlc));
        Ok(())
    })
    .expect("reads the log");
    rows.sort();
    let seqs: Vec<u64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(
        seqs,
        (1..=4).collect::<Vec<_>>(),
        "one gapless sequence across sessions"
    );
    assert!(
        rows.windows(2).all(|w| w[0].1 < w[1].1),
        "timestamps strictly increase with the sequence: {rows:?}"
    );
}

fn referral_to(partner: &str) -> teduh_core::domain::Referral {
    teduh_core::domain::Referral {
        partner_id: partner.into(),
        partner_name: "SAPA 129".into(),
        reason: "Kekerasan dalam rumah tangga (sintetis)".into(),
        urgency: teduh_core::domain::Urgency::Soon,
        shared_data: vec!["name".into(), "contact".into()],
        ..Default::default()
    }
}

#[test]
fn a_referral_needs_consent_for_referral_or_a_recorded_lawful_basis() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let c = v.add_client(&profile("R-1", "Rujuk Satu")).expect("client");
    let before = v.log_len().expect("log");
    let err = v
        .add_referral(c, &referral_to("sapa-129"))
        .expect_err("no consent covers referral yet");
    assert!(matches!(err, VaultError::NoConsent(_)), "{err}");
    assert_eq!(v.log_len().expect("log"), before, "nothing written");

    // A lawful basis recorded instead of consent (e.g. the client is in danger).
    let mut urgent = referral_to("sapa-129");
    urgent.lawful_basis = Some(LawfulBasis::VitalInterest);
    v.add_referral(c, &urgent)
        .expect("vital interest is a lawful basis");

    // Consent for service only does not cover referral; consent for referral does.
    let c2 = v.add_client(&profile("R-2", "Rujuk Dua")).expect("client");
    let mut consent = Consent {
        given_by: ConsentGiver::SelfGiven,
        purposes: vec!["service".into()],
        ..Consent::default()
    };
    v.record_consent(c2, &consent).expect("consent");
    assert!(
        v.add_referral(c2, &referral_to("sapa-129")).is_err(),
        "service-only consent"
    );
    consent.purposes.push("referral".into());
    v.record_consent(c2, &consent).expect("consent");
    v.add_referral(c2, &referral_to("sapa-129"))
        .expect("consent covers referral");
}

#[test]
fn a_partner_outside_the_directory_is_named_with_its_contact_and_flagged_for_an_admin() {
    use teduh_core::domain::{LawfulBasis, ReferralStatus, ReferralUpdate};
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let c = v.add_client(&profile("R-9", "Rujuk Luar")).expect("client");
    let outside = teduh_core::domain::Referral {
        partner_id: String::new(),
        partner_name: "Puskesmas Contoh (sintetis)".into(),
        partner_contact: String::new(),
        partner_outside_directory: true,
        lawful_basis: Some(LawfulBasis::VitalInterest),
        ..referral_to("")
    };
    let err = v
        .add_referral(c, &outside)
        .expect_err("an outside partner without a contact");
    assert!(matches!(err, VaultError::InvalidInput(_)), "{err}");
    let mut no_partner = outside.clone();
    no_partner.partner_outside_directory = false;
    assert!(
        matches!(
            v.add_referral(c, &no_partner),
            Err(VaultError::InvalidInput(_))
        ),
        "a directory referral still needs the entry's id"
    );

    let with_contact = teduh_core::domain::Referral {
        partner_contact: "0000-0000 (nomor sintetis), Jl. Contoh 1".into(),
        ..outside
    };
    let id = v.add_referral(c, &with_contact).expect("referral");
    let export = v.export_client(c).expect("export");
    assert_eq!(
        export.referrals[0].referral,
        teduh_core::domain::Referral {
            follow_up_task: export.referrals[0].referral.follow_up_task,
            follow_up_due: export.referrals[0].referral.follow_up_due,
            ..with_contact
        },
        "name, contact and the admin flag are kept"
    );

    // The partner does not answer, is reached later, and the client does not come.
    for status in [
        ReferralStatus::PartnerUnreachable,
        ReferralStatus::Sent,
        ReferralStatus::NoShow,
    ] {
        v.update_referral(
            c,
            id,
            &ReferralUpdate {
                status,
                at: Some(Utc::now()),
                note: String::new(),
            },
        )
        .unwrap_or_else(|e| panic!("{status:?}: {e}"));
    }
    let export = v.export_client(c).expect("export");
    assert_eq!(export.referrals[0].status, ReferralStatus::NoShow);
    let task = export.referrals[0]
        .referral
        .follow_up_task
        .expect("follow-up task");
    assert!(
        export
            .tasks
            .iter()
            .any(|t| t.id == task && t.task.done_at.is_none()),
        "a client who did not come still needs the counselor: the follow-up stays open"
    );
}

#[test]
fn a_referral_moves_sent_accepted_completed_and_closes_its_follow_up_task() {
    use teduh_core::domain::{LawfulBasis, ReferralStatus, ReferralUpdate};
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let c = v.add_client(&profile("R-3", "Rujuk Tiga")).expect("client");
    let mut r = referral_to("balai-anak-rumbai");
    r.lawful_basis = Some(LawfulBasis::PublicTask);
    let id = v.add_referral(c, &r).expect("referral");

    let export = v.export_client(c).expect("export");
    assert_eq!(export.referrals.len(), 1);
    assert_eq!(export.referrals[0].status, ReferralStatus::Sent);
    let task = export.referrals[0]
        .referral
        .follow_up_task
        .expect("a follow-up task is created with the referral");
    let t = export
        .tasks
        .iter()
        .find(|t| t.id == task)
        .expect("task exported");
    assert!(
        t.task.due.is_some() && t.task.done_at.is_none(),
        "open, with a due date"
    );

    let step = |status| ReferralUpdate {
        status,
        at: Some(Utc::now()),
        note: "dikonfirmasi lewat telepon".into(),
    };
    let err = v
        .update_referral(c, id, &step(ReferralStatus::Completed))
        .expect_err("sent cannot jump to completed");
    assert!(matches!(err, VaultError::InvalidInput(_)), "{err}");
    v.update_referral(c, id, &step(ReferralStatus::Accepted))
        .expect("accepted");
    v.update_referral(c, id, &step(ReferralStatus::Completed))
        .expect("completed");
    assert!(
        v.update_referral(c, id, &step(ReferralStatus::Declined))
            .is_err(),
        "a completed referral is closed"
    );

    let export = v.export_client(c).expect("export");
    let history: Vec<ReferralStatus> = export.referrals[0]
        .updates
        .iter()
        .map(|u| u.status)
        .collect();
    assert_eq!(
        history,
        vec![
            ReferralStatus::Sent,
            ReferralStatus::Accepted,
            ReferralStatus::Completed
        ],
        "every status is kept with its date and note"
    );
    let t = export.tasks.iter().find(|t| t.id == task).expect("task");
    assert!(
        t.task.done_at.is_some(),
        "completing the referral closes its follow-up"
    );
    v.check_consistency().expect("log and tables agree");
}

#[test]
fn the_client_list_can_filter_by_risk_stage_and_child_and_follows_changes() {
    use teduh_core::domain::{CaseDetails, CaseStage, Guardian, RiskEntry, RiskLevel};
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = new_vault(tmp.path());
    let adult = v
        .add_client(&profile("F-1", "Dewasa Fiktif"))
        .expect("client");
    let mut child_profile = profile("F-2", "Anak Fiktif");
    child_profile.birth_date = NaiveDate::from_ymd_opt(2016, 5, 1);
    child_profile.guardian = Some(Guardian {
        name: "Wali Fiktif".into(),
        relationship: "nenek".into(),
        ..Guardian::default()
    });
    let child = v.add_client(&child_profile).expect("child");
    let case = v
        .open_case(
            child,
            &CaseDetails {
                stage: CaseStage::Intervention,
                ..CaseDetails::default()
            },
        )
        .expect("case");
    v.record_risk(
        case,
        &RiskEntry {
            level: RiskLevel::High,
            reason: "ancaman di rumah".into(),
            ..RiskEntry::default()
        },
    )
    .expect("risk");
    let f = v.client_facets().expect("facets");
    assert!(f[&child].child && !f[&adult].child, "{f:?}");
    assert_eq!(f[&child].risk, Some(RiskLevel::High));
    assert_eq!(f[&child].stage, Some(CaseStage::Intervention));
    assert_eq!(f[&adult].risk, None, "no case, no risk");
    v.record_risk(
        case,
        &RiskEntry {
            level: RiskLevel::Low,
            reason: "aman".into(),
            ..RiskEntry::default()
        },
    )
    .expect("risk");
    assert_eq!(
        v.client_facets().expect("facets")[&child].risk,
        Some(RiskLevel::Low),
        "the latest risk entry counts, right after the change"
    );
}
