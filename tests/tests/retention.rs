//! Retention (issue 26, UU PDP Ps 43-44: data is destroyed when its retention period ends),
//! through the public API of a team's vaults on one server. A counselor keeps a client whose
//! case is closed, an active client with a forgotten draft, and an old and a recent hotline
//! contact. Her supervisor's daily check lists what outlived the organisation's periods; she
//! approves; the destruction runs as erasures. Afterwards none of the destroyed bytes (sealed
//! bodies as the server held them, the counselor's key wraps of the closed client) is in any
//! file of either device or of the server, a draft edited offline after the approval is
//! destroyed too, an oracle with every key either device held opens none of it, and everything
//! else stays. All names are made up.

use chrono::{Duration, Utc};
use teduh_core::contact::{Channel, ContactEntry};
use teduh_core::domain::CaseDetails;
use teduh_core::ids::{ClientId, ContactId, EntityId};
use teduh_core::team::processing::RecordClass;
use teduh_core::vault::{ContactInput, VaultError};
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::{leak, oracle, TestServer};

/// A phone contact `days_ago`, its summary `text`.
fn contact(d: &mut Device, days_ago: i64, text: &str) -> ClientId {
    let start = Utc::now() - Duration::days(days_ago);
    let id = d
        .vault
        .add_contact(&ContactInput {
            entry: ContactEntry {
                channel: Channel::PhoneCall,
                started_at: Some(start),
                ended_at: Some(start + Duration::minutes(7)),
                summary: text.into(),
                ..ContactEntry::default()
            },
            caller_number: String::new(),
        })
        .expect("contact");
    ClientId(id.0)
}

/// The sealed bodies (first 32 bytes) the server holds of records `pick` chooses, opened with
/// `keys` to find them.
fn bodies_where(
    server: &TestServer,
    team: &str,
    keys: &[teduh_core::crypto::DataKey],
    pick: &dyn Fn(&teduh_core::records::RecordRow) -> bool,
) -> Vec<Vec<u8>> {
    oracle::team_rows(server, team, keys)
        .into_iter()
        .filter(|r| pick(r) && r.payload.len() >= 32)
        .map(|r| r.payload[..32].to_vec())
        .collect()
}

#[test]
fn what_outlived_its_retention_is_destroyed_everywhere_and_nothing_else() {
    let server = TestServer::start();
    let team = "Tim Retensi";
    let (mut sup, mut ana) = server.supervised_team(team, "sup.retensi", "kons.retensi");

    let closed = ana
        .vault
        .add_client(&profile("K-SELESAI", "Klien Sintetis Selesai"))
        .expect("client");
    let case = ana
        .vault
        .open_case(closed, &CaseDetails::default())
        .expect("case");
    let n = ana
        .vault
        .add_note(closed, &draft("Sesi penutupan kasus lama (sintetis)"))
        .expect("note");
    ana.vault.finalise_note(n).expect("finalised");
    ana.vault
        .update_case(
            case,
            &CaseDetails {
                closure_reason: Some("Tujuan tercapai (sintetis)".into()),
                ..CaseDetails::default()
            },
        )
        .expect("closed");
    let active = ana
        .vault
        .add_client(&profile("K-AKTIF", "Klien Sintetis Aktif"))
        .expect("client");
    let forgotten = ana
        .vault
        .add_note(active, &draft("Draf sesi yang terlupa (sintetis)"))
        .expect("draft");
    let kept = ana
        .vault
        .add_note(active, &draft("Catatan final yang tetap (sintetis)"))
        .expect("note");
    ana.vault.finalise_note(kept).expect("finalised");
    let old_call = contact(
        &mut ana,
        800,
        "Kontak lama yang lewat masa simpan (sintetis)",
    );
    let recent_call = contact(&mut ana, 3, "Kontak baru yang tetap (sintetis)");
    for _ in 0..2 {
        ana.sync().expect("ana pushes");
        sup.sync().expect("sup pulls and wraps the keys");
    }

    // Today only the old contact is due (two years for contacts); the closed case and the
    // draft become due later. Only a key manager's Home counts it.
    let today = Utc::now().date_naive();
    let home = |d: &mut Device| {
        teduh_core::home::HomeDay::collect(&mut d.vault, today)
            .expect("home")
            .retention_due
    };
    assert_eq!(home(&mut sup), 1);
    assert_eq!(home(&mut ana), 0, "a counselor's Home does not count it");
    let later = Utc::now() + Duration::days(5 * 365 + 3);
    let due = sup.vault.retention_check_at(later).expect("check");
    let listed: Vec<(RecordClass, EntityId)> = due.due.iter().map(|d| (d.class, d.id)).collect();
    // By then the recent contact is due too; the active client and her final note never are.
    for expected in [
        (RecordClass::ClosedCases, EntityId::from(closed)),
        (RecordClass::Contacts, EntityId::from(old_call)),
        (RecordClass::Contacts, EntityId::from(recent_call)),
        (RecordClass::Drafts, EntityId::from(forgotten)),
    ] {
        assert!(listed.contains(&expected), "{expected:?} in {listed:?}");
    }
    assert_eq!(listed.len(), 4, "nothing else: {listed:?}");

    let mut keys_before = sup.vault.oracle_keys().expect("keys");
    keys_before.extend(ana.vault.oracle_keys().expect("keys"));
    let mut secrets = bodies_where(&server, team, &keys_before, &|r| {
        r.client == closed || r.client == old_call || r.entity == EntityId::from(forgotten)
    });
    assert!(
        secrets.len() >= 6,
        "the destroyed records: {}",
        secrets.len()
    );
    let db = rusqlite::Connection::open(ana.data_dir().join("teduh.sqlite3")).expect("db");
    let wraps: Vec<Vec<u8>> = db
        .prepare("SELECT wrapped FROM client_keys WHERE client_id = ?1")
        .expect("query")
        .query_map([&closed.0[..]], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("wraps");
    drop(db);
    assert!(!wraps.is_empty());
    secrets.extend(wraps);
    assert!(!leak::scan_dir(ana.data_dir(), &secrets).is_empty());

    // A counselor cannot approve; her supervisor does.
    assert!(matches!(
        ana.vault
            .approve_retention(RecordClass::Contacts, &[old_call.into()]),
        Err(VaultError::NotPermitted(_))
    ));
    sup.vault
        .approve_retention(RecordClass::Contacts, &[old_call.into()])
        .expect("the old contact");
    for (class, id) in [
        (RecordClass::ClosedCases, EntityId::from(closed)),
        (RecordClass::Drafts, EntityId::from(forgotten)),
    ] {
        sup.vault
            .approve_retention_at(class, &[id], later)
            .expect("approved");
    }
    assert_eq!(sup.vault.erasures().expect("register").len(), 3);

    // Before she hears of it, the counselor edits the draft once more.
    let mut edited = draft("Draf diubah tanpa sinyal (sintetis)");
    edited.narrative.push_str(" lagi");
    ana.vault
        .edit_note(forgotten, &edited)
        .expect("edited offline");
    let db = rusqlite::Connection::open(ana.data_dir().join("teduh.sqlite3")).expect("db");
    let edit: Vec<u8> = db
        .query_row(
            "SELECT payload FROM record_log WHERE entity_id = ?1 ORDER BY hlc DESC LIMIT 1",
            [&forgotten.0[..]],
            |r| r.get(0),
        )
        .expect("the offline edit's sealed body");
    drop(db);
    secrets.push(edit[..32].to_vec());

    // Her edit reaches the server before the erasures do: the supervisor's device receives a
    // record of a draft it destroyed.
    ana.sync().expect("ana pushes her edit");
    for _ in 0..3 {
        sup.sync().expect("the erasures go out");
        ana.sync().expect("ana destroys and confirms");
    }
    sup.sync().expect("the confirmations");
    for e in sup.vault.erasures().expect("register") {
        assert_eq!((e.confirmed, e.expected), (2, 2), "{e:?}");
    }
    // What the offline edit wrote is destroyed too, wherever it went.
    secrets.extend(leak::marker_forms("Draf diubah tanpa sinyal"));

    for d in [&mut sup, &mut ana] {
        d.sync()
            .expect("a last round: own bodies go once the server has them");
        let who = d.username();
        assert!(d.vault.client(closed).is_err(), "{who}: the closed case");
        assert!(d.vault.note(forgotten).is_err(), "{who}: the draft");
        assert!(d.vault.contact(ContactId(old_call.0)).is_err(), "{who}");
        assert!(d.vault.client(active).is_ok(), "{who}: the active client");
        assert!(d.vault.note(kept).is_ok(), "{who}: her final note");
        assert!(d.vault.contact(ContactId(recent_call.0)).is_ok(), "{who}");
        d.vault.check_consistency().expect("consistent");
        d.vault
            .verify_erased_records()
            .expect("every erased header verifies");
        let hits = leak::scan_dir(d.data_dir(), &secrets);
        assert!(
            hits.is_empty(),
            "{who} still holds destroyed bytes: {hits:?}"
        );
        let left: Vec<EntityId> = d
            .vault
            .retention_check_at(later)
            .expect("check")
            .due
            .iter()
            .map(|d| d.id)
            .collect();
        assert_eq!(
            left,
            vec![EntityId::from(recent_call)],
            "{who}: only what she kept"
        );
    }
    let hits = leak::scan_dir(server.data_dir(), &secrets);
    assert!(
        hits.is_empty(),
        "the server still holds destroyed bytes: {hits:?}"
    );
    let team_id = server.team_id(team);
    let opened = oracle::opened(
        team_id,
        &keys_before,
        &oracle::team_rows(&server, team, &keys_before),
    );
    for gone in [
        "Sesi penutupan",
        "Draf sesi yang terlupa",
        "Kontak lama",
        "tanpa sinyal",
    ] {
        assert!(!oracle::reveals(&opened, gone), "the oracle opens {gone:?}");
    }
    for stays in ["Catatan final yang tetap", "Kontak baru yang tetap"] {
        assert!(oracle::reveals(&opened, stays), "{stays:?} stays");
    }
}
