//! The breach register across a team (issue 26, UU PDP Ps 46): a counselor registers an
//! incident (her phone was stolen); the supervisor's laptop receives it with the same deadline
//! (3×24 h from awareness) and records the two notices, which the counselor then sees. A
//! counselor cannot record a notice, and a modified app that does, or that registers an
//! incident already "notified", gains nothing. The server holds no word of it.

use chrono::{Duration, Utc};
use teduh_core::breach::{Breach, BreachStanding, DataCategory, Recipient};
use teduh_core::ids::{ClientId, EntityId};
use teduh_core::records::{Op, RecordKind};
use teduh_core::vault::VaultError;
use teduh_protocol::sync::Role;
use teduh_tests::device::profile;
use teduh_tests::forgery::json;
use teduh_tests::leak::{marker_forms, scan_dir};
use teduh_tests::TestServer;

const MARKER: &str = "QZVR-INSIDEN-PONSEL-7731";

#[test]
fn an_incident_reaches_the_supervisor_who_records_the_notices_and_forgeries_change_nothing() {
    let server = TestServer::start();
    let team = server.create_team("Tim Insiden");
    let mut sup = server.member(&team, Role::Supervisor, "sup.insiden");
    let mut ana = server.member(&team, Role::Counselor, "kons.ana");
    sup.admit(&mut ana);
    ana.sync().expect("the newest key");
    let client = ana
        .vault
        .add_client(&profile("IN-0001", "Klien Sintetis Insiden"))
        .expect("client");
    let aware = Utc::now() - Duration::hours(30);
    let id = ana
        .vault
        .add_breach(&Breach {
            aware_at: Some(aware),
            occurred_at: Some(aware - Duration::hours(1)),
            what_happened: format!("Ponsel relawan dicuri di angkot. {MARKER}"),
            categories: vec![DataCategory::HotlineContacts],
            clients: vec!["IN-0001".into()],
            people: 1,
            measures: "Perangkat dicabut dari tim".into(),
            contact: "Koordinator (sintetis)".into(),
        })
        .expect("registered by a counselor");
    let err = ana
        .vault
        .record_breach_notice(id, Recipient::Persons, Utc::now())
        .expect_err("a counselor does not notify for the team");
    assert!(matches!(err, VaultError::NotPermitted(_)), "{err}");
    ana.sync().expect("ana pushes");
    sup.sync().expect("sup pulls");

    let seen = sup.vault.breach(id).expect("the supervisor has it");
    assert_eq!(seen.deadline, aware + Duration::hours(72));
    assert_eq!(seen.standing, BreachStanding::Open);

    // Modified apps: a counselor's notice, and an incident registered as notified already.
    let breach_key = ClientId(id.0);
    let forgeries: Vec<(&str, teduh_tests::forgery::Forgery)> = vec![
        (
            "only a supervisor or admin in the team roster records a breach notice",
            Box::new(move |b, me| {
                b.forge(
                    RecordKind::Breach,
                    Op::Update,
                    id.into(),
                    breach_key,
                    None,
                    vec![
                        (
                            "persons_notified_at".into(),
                            json(serde_json::json!(Utc::now())),
                        ),
                        ("persons_notified_by".into(), json(serde_json::json!(me))),
                    ],
                )
            }),
        ),
        (
            "an incident is registered before its notices",
            Box::new(move |b, me| {
                b.forge(
                    RecordKind::Breach,
                    Op::Create,
                    EntityId::random(),
                    client,
                    None,
                    vec![
                        ("author".into(), json(serde_json::json!(me))),
                        ("entered_at".into(), json(serde_json::json!(Utc::now()))),
                        ("aware_at".into(), json(serde_json::json!(Utc::now()))),
                        (
                            "authority_notified_at".into(),
                            json(serde_json::json!(Utc::now())),
                        ),
                        ("authority_notified_by".into(), json(serde_json::json!(me))),
                    ],
                )
            }),
        ),
    ];
    teduh_tests::forgery::each_is_held(
        &server,
        &team,
        &mut sup,
        &[client],
        "kons.jahil",
        &forgeries,
    );
    let unchanged = sup.vault.breach(id).expect("read");
    assert!(
        unchanged.persons_notified_at.is_none(),
        "no forged notice applied"
    );
    assert_eq!(sup.vault.breaches().expect("all").len(), 1);

    sup.vault
        .record_breach_notice(id, Recipient::Persons, Utc::now() - Duration::hours(2))
        .expect("the people were told");
    sup.vault
        .record_breach_notice(id, Recipient::Authority, Utc::now())
        .expect("the authority was told");
    sup.sync().expect("sup pushes");
    ana.sync().expect("ana pulls");
    let view = ana.vault.breach(id).expect("read");
    assert_eq!(view.standing, BreachStanding::NotifiedInTime);
    assert_eq!(view.persons_notified_by, Some(sup.vault.member_id()));

    let hits = scan_dir(server.data_dir(), &marker_forms(MARKER));
    assert!(
        hits.is_empty(),
        "the server holds the incident's words: {hits:?}"
    );
}
