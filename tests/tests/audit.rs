//! The audit trail across a team (issue 25, UU PDP): a counselor opens a client's profile and
//! the entry reaches the supervisor's laptop at the next sync, where "who opened this" names
//! her; the counselor cannot read the trail; a modified app cannot change an entry; and an
//! entry deleted from the supervisor's copy of the counselor's log is reported by
//! `verify_logs` (what `teduh audit verify` prints). The access export's processing trail
//! names who did what on which device, and its making reaches the supervisor.

use teduh_core::records::{Op, RecordKind};
use teduh_core::request::{DataRequest, IdentityCheck};
use teduh_core::vault::{AccessAction, ChainBreak, TrailAction, VaultError};
use teduh_protocol::sync::Role;
use teduh_tests::device::profile;
use teduh_tests::TestServer;

#[test]
fn an_opening_reaches_the_supervisor_and_a_deleted_entry_breaks_the_chain() {
    let server = TestServer::start();
    let team = server.create_team("Tim Audit");
    let mut sup = server.member(&team, Role::Supervisor, "sup.audit");
    let mut ana = server.member(&team, Role::Counselor, "kons.ana");
    sup.admit(&mut ana);
    ana.sync().expect("the newest key");
    let client = ana
        .vault
        .add_client(&profile("AU-0001", "Klien Sintetis Audit"))
        .expect("client");
    let export = ana.vault.open_client(client).expect("opened");
    assert_eq!(export.client.profile.code, "AU-0001");
    ana.vault
        .open_client(client)
        .expect("re-read after a sync: the same opening");
    ana.sync().expect("ana pushes");
    sup.sync().expect("sup pulls");

    let log = sup
        .vault
        .access_log(client)
        .expect("the supervisor reads the trail");
    assert_eq!(log.len(), 1, "one opening: {log:?}");
    assert_eq!(log[0].username.as_deref(), Some("kons.ana"));
    assert_eq!(log[0].action, AccessAction::OpenedProfile);
    let err = ana.vault.access_log(client).expect_err("a counselor");
    assert!(matches!(err, VaultError::NotPermitted(_)), "{err}");
    let chains = sup.vault.verify_logs(chrono::Utc::now()).expect("verified");
    assert!(chains.iter().all(|c| c.breaks.is_empty()), "{chains:?}");
    assert!(chains
        .iter()
        .any(|c| c.username.as_deref() == Some("kons.ana") && c.records >= 3));

    // A modified app rewrites an entry: held with its reason (any update of an access entry
    // is refused, whichever entry it names), the trail unchanged.
    let entry = teduh_core::ids::EntityId::random();
    ana.vault
        .batch(|b| {
            b.forge(
                RecordKind::Access,
                Op::Update,
                entry,
                client,
                None,
                vec![(
                    "action".into(),
                    serde_json::to_vec(&"printed").expect("json"),
                )],
            )
        })
        .expect("a modified app writes what it likes");
    ana.sync().expect("the server takes it");
    sup.sync().expect("sup pulls");
    let held = sup.vault.held_records().expect("held");
    assert!(
        held.iter()
            .any(|h| h.contains("an access entry is never changed")),
        "{held:?}"
    );

    // Someone with the supervisor's laptop deletes the counselor's entry from its database.
    let ana_device = teduh_core::ids::DeviceId::from_server(ana.device());
    let db = sup.data_dir().join("teduh.sqlite3");
    let conn = rusqlite::Connection::open(&db).expect("the file");
    let deleted = conn
        .execute(
            "DELETE FROM record_log WHERE device_id = ?1 AND kind = 'access'",
            [&ana_device.0[..]],
        )
        .expect("deleted");
    assert_eq!(deleted, 1);
    drop(conn);
    let chains = sup.vault.verify_logs(chrono::Utc::now()).expect("verified");
    let ana_chain = chains
        .iter()
        .find(|c| c.device == ana_device)
        .expect("ana's log");
    assert!(
        matches!(ana_chain.breaks.as_slice(), [ChainBreak::Missing { from, to }] if from == to),
        "the deleted entry is a gap: {:?}",
        ana_chain.breaks
    );
}

#[test]
fn an_access_export_names_who_did_what_on_each_device_and_its_making_reaches_the_supervisor() {
    let server = TestServer::start();
    let team = server.create_team("Tim Salinan");
    let mut sup = server.member(&team, Role::Supervisor, "sup.salinan");
    let mut ana = server.member(&team, Role::Counselor, "kons.ana");
    sup.admit(&mut ana);
    ana.sync().expect("the newest key");
    let client = ana
        .vault
        .add_client(&profile("AS-0001", "Klien Sintetis Salinan"))
        .expect("client");
    ana.sync().expect("ana pushes");
    sup.sync().expect("sup pulls");
    sup.vault
        .open_client(client)
        .expect("the supervisor opens her");
    sup.sync().expect("sup pushes");
    ana.sync().expect("ana pulls");

    let request = ana
        .vault
        .add_request(
            client,
            &DataRequest {
                received_at: Some(chrono::Utc::now()),
                identity: IdentityCheck::IdentityCard,
                ..DataRequest::default()
            },
        )
        .expect("her access request");
    let export = ana.vault.access_export(request).expect("the export");
    let step = |who: &str, action: TrailAction, record: &str| {
        export
            .trail
            .iter()
            .any(|e| e.username.as_deref() == Some(who) && e.action == action && e.record == record)
    };
    assert!(
        step("kons.ana", TrailAction::Created, "client"),
        "{:?}",
        export.trail
    );
    assert!(
        step("kons.ana", TrailAction::Created, "request"),
        "{:?}",
        export.trail
    );
    assert!(
        step("sup.salinan", TrailAction::Viewed, "client"),
        "{:?}",
        export.trail
    );
    let (json, _) = export.to_json().expect("json");
    let json = String::from_utf8(json).expect("utf-8");
    assert!(json.contains("sup.salinan") && json.contains("AS-0001"));

    ana.sync().expect("ana pushes");
    sup.sync().expect("sup pulls");
    let log = sup.vault.access_log(client).expect("the trail");
    assert!(
        log.iter().any(
            |e| e.action == AccessAction::Exported && e.username.as_deref() == Some("kons.ana")
        ),
        "the supervisor sees who exported her data: {log:?}"
    );
}
