//! Need-to-know access across a team (issue 23): a client's key goes only to the devices of its
//! workers and of the team's supervisors. A key oracle (every key a vault can reach, tried on
//! every record the server holds) shows what each laptop can open, not only what its app shows:
//! an unassigned counselor opens nothing of a client until she is assigned and nothing written
//! after her release; a stolen junior laptop yields only her clients; the note she wrote
//! offline before her release is not lost; a modified junior app gains nothing.

use teduh_core::domain::{ClientProfile, Guardian};
use teduh_core::ids::{EntityId, MemberId};
use teduh_core::permissions::Level;
use teduh_core::records::{Op, RecordKind};
use teduh_core::vault::VaultError;
use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::oracle::{clients_opened, opened, reveals, team_rows};
use teduh_tests::TestServer;

const FIRST: &str = "QZNK-CATATAN-AWAL-5521";
const OFFLINE: &str = "QZNK-CATATAN-LURING-5522";
const AFTER: &str = "QZNK-SETELAH-LEPAS-5523";
const OTHER: &str = "QZNK-KLIEN-LAIN-5524";

/// What `d`'s unlocked laptop opens of everything the server holds for `team`.
fn oracle(
    server: &TestServer,
    team: &str,
    d: &mut Device,
) -> Vec<(
    teduh_core::records::RecordRow,
    teduh_core::records::PlainFields,
)> {
    let keys = d.vault.oracle_keys().expect("the keys a thief reaches");
    opened(server.team_id(team), &keys, &team_rows(server, team, &keys))
}

fn sync_all(devices: &mut [&mut Device]) {
    for _ in 0..2 {
        for d in devices.iter_mut() {
            d.sync().expect("syncs");
        }
    }
}

#[test]
fn an_unassigned_counselor_opens_nothing_until_assigned_and_nothing_written_after_her_release() {
    let server = TestServer::start();
    let team = server.create_team("Tim Kasus");
    let mut sup = server.member(&team, Role::Supervisor, "sup.kasus");
    let mut ana = server.member(&team, Role::Counselor, "kons.ana");
    let mut budi = server.member(&team, Role::Counselor, "kons.budi");
    sup.admit(&mut ana);
    sup.admit(&mut budi);
    sync_all(&mut [&mut ana, &mut budi]);

    // Ana registers a client and writes a note: she is its worker.
    let client = ana
        .vault
        .add_client(&profile("NTK-001", "Klien Contoh"))
        .expect("ana registers");
    ana.vault.add_note(client, &draft(FIRST)).expect("a note");
    sync_all(&mut [&mut ana, &mut sup, &mut budi]);

    // Budi receives the records and opens none: nothing in his lists, nothing for the oracle.
    assert!(
        budi.vault.list_clients().expect("list").is_empty(),
        "budi's list shows nothing of a client he is not assigned"
    );
    assert!(budi.vault.client(client).is_err(), "budi cannot open it");
    assert!(
        budi.vault.unopened_count().expect("count") >= 2,
        "the records are stored, unopened"
    );
    let seen = oracle(&server, &team, &mut budi);
    assert!(
        !clients_opened(&seen).contains(&client) && !reveals(&seen, FIRST),
        "every key budi's laptop holds opens nothing of the client"
    );
    // The supervisor reads every client of her team; the oracle finds what a reader reads.
    assert_eq!(
        sup.vault.client(client).expect("sup reads").profile.code,
        "NTK-001"
    );
    assert!(reveals(&oracle(&server, &team, &mut sup), FIRST));

    // Assigned: budi reads the case, its earlier note included.
    let done = sup
        .vault
        .assign_member(client, "kons.budi")
        .expect("the supervisor assigns budi");
    assert!(!done.rekeyed && done.wraps >= 1, "{done:?}");
    sync_all(&mut [&mut sup, &mut budi]);
    assert_eq!(budi.vault.list_clients().expect("list").len(), 1);
    assert_eq!(
        budi.vault.notes(client).expect("notes")[0]
            .content
            .narrative,
        FIRST,
        "the history opens for the new worker"
    );
    assert!(reveals(&oracle(&server, &team, &mut budi), FIRST));

    // Budi writes a note offline; meanwhile the supervisor takes him off the case.
    budi.vault
        .add_note(client, &draft(OFFLINE))
        .expect("budi writes offline");
    let err = sup
        .vault
        .unassign_member(client, "kons.budi", " ")
        .expect_err("a release needs a reason");
    assert!(matches!(err, VaultError::InvalidInput(_)), "{err}");
    let done = sup
        .vault
        .unassign_member(client, "kons.budi", "dialihkan ke kons.ana")
        .expect("the supervisor releases budi");
    assert!(done.rekeyed, "a release makes a new key");
    sup.sync().expect("sup pushes");
    budi.sync()
        .expect("budi pushes his note, then learns of his release");
    sync_all(&mut [&mut ana, &mut sup, &mut budi]);

    // His offline note is not lost: the remaining readers read it.
    for (who, d) in [("ana", &mut ana), ("sup", &mut sup)] {
        let texts: Vec<String> = d
            .vault
            .notes(client)
            .expect("notes")
            .into_iter()
            .map(|n| n.content.narrative)
            .collect();
        assert!(
            texts.contains(&OFFLINE.to_owned()),
            "{who} reads the note budi wrote offline: {texts:?}"
        );
    }
    // Budi's laptop drops the client; what is written after his release never opens there.
    assert!(budi.vault.list_clients().expect("list").is_empty());
    ana.vault
        .add_note(client, &draft(AFTER))
        .expect("ana writes");
    sync_all(&mut [&mut ana, &mut budi]);
    assert!(budi.vault.client(client).is_err());
    let seen = oracle(&server, &team, &mut budi);
    assert!(
        !reveals(&seen, AFTER),
        "no key budi's laptop holds opens a note written after his release"
    );
    assert!(reveals(&oracle(&server, &team, &mut ana), AFTER));

    // The history stays with the case.
    let history = ana
        .vault
        .case_assignment(client)
        .expect("assignment")
        .history;
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(history[0].workers.len(), 2, "ana and budi");
    assert_eq!(
        history[1].reason.as_deref(),
        Some("dialihkan ke kons.ana"),
        "the transfer keeps its reason"
    );
    assert_eq!(history[1].by.username, "sup.kasus");
}

#[test]
fn a_stolen_junior_laptop_yields_only_her_clients_and_a_childs_case_needs_a_senior() {
    let server = TestServer::start();
    let team = server.create_team("Tim Relawan");
    let mut sup = server.member(&team, Role::Supervisor, "sup.relawan");
    let mut senior = server.member(&team, Role::Counselor, "rel.senior");
    let mut juni = server.member(&team, Role::Outreach, "rel.juni");
    sup.admit(&mut senior);
    sup.admit(&mut juni);
    sup.vault
        .set_member_level("rel.juni", Level::Junior)
        .expect("levels");
    sup.vault
        .set_member_level("rel.senior", Level::Senior)
        .expect("levels");
    let err = sup
        .vault
        .set_member_level("sup.relawan", Level::Senior)
        .expect_err("levels grade volunteers");
    assert!(matches!(err, VaultError::InvalidInput(_)), "{err}");
    sync_all(&mut [&mut sup, &mut senior, &mut juni]);

    // A junior does not register clients; the senior registers two, one of them a child.
    let err = juni
        .vault
        .add_client(&profile("JR-001", "Tidak Boleh"))
        .expect_err("a junior");
    assert!(matches!(err, VaultError::NotPermitted(_)), "{err}");
    let hers = senior
        .vault
        .add_client(&profile("SR-001", "Klien Dewasa"))
        .expect("registers");
    senior
        .vault
        .add_note(hers, &draft("QZNK-MILIK-JUNI-5525"))
        .expect("note");
    let child = senior
        .vault
        .add_client(&ClientProfile {
            birth_date: chrono::NaiveDate::from_ymd_opt(2016, 5, 6),
            guardian: Some(Guardian {
                name: "Wali Contoh".into(),
                relationship: "ibu".into(),
                contacts: vec![],
            }),
            ..profile("SR-002", "Anak Contoh")
        })
        .expect("registers a child");
    senior.vault.add_note(child, &draft(OTHER)).expect("note");
    sync_all(&mut [&mut senior, &mut sup]);

    // A child's case needs a senior, a staff worker or a supervisor among its workers.
    let juni_id = juni.member();
    let err = sup
        .vault
        .assign_case(child, &[juni_id], Some("hanya juni"))
        .expect_err("a junior alone on a child's case");
    assert!(matches!(err, VaultError::NotPermitted(_)), "{err}");
    sup.vault
        .assign_case(hers, &[juni_id], Some("dialihkan ke juni"))
        .expect("the adult's case to the junior alone");
    sync_all(&mut [&mut sup, &mut senior, &mut juni]);

    // The stolen laptop, unlocked: only her client opens, whatever key is tried.
    let seen = oracle(&server, &team, &mut juni);
    let clients = clients_opened(&seen);
    assert!(clients.contains(&hers), "her own client opens");
    assert!(
        !clients.contains(&child) && !reveals(&seen, OTHER),
        "nothing of the child's case opens on the junior's laptop"
    );
    let listed: Vec<String> = juni
        .vault
        .list_clients()
        .expect("list")
        .into_iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(listed, vec!["SR-001".to_owned()]);
    // The senior was taken off the adult's case: her laptop drops it, the child's stays.
    let listed: Vec<String> = senior
        .vault
        .list_clients()
        .expect("list")
        .into_iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(listed, vec!["SR-002".to_owned()]);
}

#[test]
fn a_modified_junior_app_gains_nothing() {
    let server = TestServer::start();
    let team = server.create_team("Tim Uji");
    let mut sup = server.member(&team, Role::Supervisor, "sup.uji");
    let mut ana = server.member(&team, Role::Counselor, "kons.ana");
    let mut juni = server.member(&team, Role::Counselor, "rel.juni");
    let mut juno = server.member(&team, Role::Counselor, "rel.juno");
    let mut jura = server.member(&team, Role::Outreach, "rel.jura");
    let mut budi = server.member(&team, Role::Counselor, "kons.budi");
    for d in [&mut ana, &mut juni, &mut juno, &mut jura, &mut budi] {
        sup.admit(d);
    }
    for junior in ["rel.juni", "rel.juno", "rel.jura"] {
        sup.vault
            .set_member_level(junior, Level::Junior)
            .expect("level");
    }
    sync_all(&mut [
        &mut sup, &mut ana, &mut juni, &mut juno, &mut jura, &mut budi,
    ]);
    let client = ana
        .vault
        .add_client(&profile("UJ-001", "Klien Uji"))
        .expect("ana registers");
    ana.vault.add_note(client, &draft(FIRST)).expect("note");
    sync_all(&mut [&mut ana, &mut sup]);
    sup.vault
        .assign_case(client, &[ana.member(), juni.member(), juno.member()], None)
        .expect("the juniors join ana on the case");
    sync_all(&mut [&mut sup, &mut ana, &mut juni, &mut juno, &mut budi]);
    assert_eq!(juni.vault.list_clients().expect("list").len(), 1);

    // Juni assigns budi herself; juno wraps the client's key to budi's device. (A held record
    // holds back its device's later ones, so each forgery comes from its own laptop.)
    let budi_member = MemberId::from_server(budi.member());
    let assignment = serde_json::to_vec(&serde_json::json!({
        "workers": [MemberId::from_server(ana.member()), budi_member],
        "reason": null,
        "author": juni.vault.member_id(),
    }))
    .expect("json");
    juni.vault
        .batch(|b| {
            b.forge(
                RecordKind::Assignment,
                Op::Create,
                EntityId::random(),
                client,
                None,
                vec![
                    ("workers".into(), field(&assignment, "workers")),
                    ("reason".into(), b"null".to_vec()),
                    ("author".into(), field(&assignment, "author")),
                ],
            )
        })
        .expect("a modified app signs what it likes");
    juni.sync().expect("the server takes it");
    let forged_key = juno
        .vault
        .forge_key_wrap(client, budi.device())
        .expect("a modified app wraps what it holds");
    assert!(forged_key, "she holds the key she wraps");
    juno.sync().expect("the server takes it");
    // Jura registers a client of her own, as juniors do not: a key and the client record.
    let hers = teduh_core::ids::ClientId::random();
    jura.vault
        .batch(|b| {
            let mut data_key = vec![3u8; 16];
            data_key.extend_from_slice(&[5u8; 32]);
            b.forge(
                RecordKind::ClientKey,
                Op::Update,
                hers.into(),
                hers,
                None,
                vec![("data_key".into(), data_key)],
            )?;
            b.forge(
                RecordKind::Client,
                Op::Create,
                hers.into(),
                hers,
                None,
                vec![
                    ("code".into(), b"\"JR-9\"".to_vec()),
                    ("name".into(), b"\"Klien Palsu\"".to_vec()),
                ],
            )
        })
        .expect("a modified app signs what it likes");
    jura.sync().expect("the server takes it");

    sync_all(&mut [&mut sup, &mut ana, &mut budi]);
    for (who, d) in [("sup", &mut sup), ("ana", &mut ana), ("budi", &mut budi)] {
        let held = d.vault.held_records().expect("held").join("\n");
        assert!(
            held.contains("only a supervisor") || who == "budi",
            "{who} holds the forged assignment: {held}"
        );
        assert!(
            held.contains("wrapped by a supervisor"),
            "{who} holds the forged key wrap: {held}"
        );
        assert!(
            held.contains("does not register clients"),
            "{who} holds the junior's client: {held}"
        );
        assert!(
            d.vault.client(hers).is_err(),
            "{who}: the junior's client appears nowhere"
        );
    }
    // Budi gained nothing: no client, no key, no plaintext.
    assert!(budi.vault.list_clients().expect("list").is_empty());
    let seen = oracle(&server, &team, &mut budi);
    assert!(!clients_opened(&seen).contains(&client) && !reveals(&seen, FIRST));
    // Ana and the supervisor still see ana and juni on the case.
    let workers: Vec<String> = sup
        .vault
        .case_assignment(client)
        .expect("assignment")
        .workers
        .into_iter()
        .map(|w| w.username)
        .collect();
    assert_eq!(
        workers,
        vec![
            "kons.ana".to_owned(),
            "rel.juni".to_owned(),
            "rel.juno".to_owned()
        ]
    );
}

fn field(json: &[u8], name: &str) -> Vec<u8> {
    let v: serde_json::Value = serde_json::from_slice(json).expect("json");
    serde_json::to_vec(&v[name]).expect("json")
}

/// Every "deny" cell of the permissions table (`teduh_core::permissions`, whose unit test
/// writes the matrix out literally), called through the public API as a member of that role and
/// level: each is refused with the not-permitted code, or (reading a client she is not on)
/// finds nothing.
#[test]
fn every_deny_cell_of_the_permissions_table_is_refused_through_the_public_api() {
    use teduh_core::episode::OnCallRota;
    use teduh_core::ids::{ContactId, EpisodeId, NoteId};
    use teduh_core::permissions::{allows, Action};
    use teduh_core::vault::{EpisodeDecision, ReviewAction, ReviewDraft};

    let server = TestServer::start();
    let team = server.create_team("Tim Matriks");
    let mut sup = server.member(&team, Role::Supervisor, "sup.matriks");
    let mut admin = server.member(&team, Role::Admin, "admin.matriks");
    sup.admit(&mut admin);
    let levels = [
        None,
        Some(Level::Junior),
        Some(Level::Intermediate),
        Some(Level::Senior),
    ];
    let mut workers = Vec::new();
    for role in [Role::Counselor, Role::Outreach] {
        for level in levels {
            let name = format!("{}.{}", role.as_str(), level.map_or("staf", |l| l.as_str()));
            let mut d = server.member(&team, role, &name);
            sup.admit(&mut d);
            if let Some(level) = level {
                sup.vault.set_member_level(&name, level).expect("level");
            }
            workers.push((role, level, name, d));
        }
    }
    sup.sync().expect("the roster with the levels");
    admin.sync().expect("roster");
    for (_, _, _, d) in &mut workers {
        d.sync().expect("roster");
    }
    let adult = sup
        .vault
        .add_client(&profile("MX-001", "Klien Matriks"))
        .expect("the supervisor registers");
    let child = sup
        .vault
        .add_client(&ClientProfile {
            birth_date: chrono::NaiveDate::from_ymd_opt(2017, 1, 2),
            guardian: Some(Guardian {
                name: "Wali Matriks".into(),
                relationship: "ayah".into(),
                contacts: vec![],
            }),
            ..profile("MX-002", "Anak Matriks")
        })
        .expect("a child");
    sup.sync().expect("sends");

    let decide = ReviewDraft {
        action: ReviewAction::Approve,
        comment: String::new(),
    };
    let empty_rota = OnCallRota {
        days: std::array::from_fn(|_| vec![]),
        numbers: vec![],
    };
    let mut cells = 0;
    let members: Vec<(Role, Option<Level>, &mut Device)> = workers
        .iter_mut()
        .map(|(r, l, _, d)| (*r, *l, d))
        .chain([(Role::Admin, None, &mut admin)])
        .collect();
    for (role, level, d) in members {
        for action in Action::ALL {
            if allows(role, level, action) {
                continue;
            }
            cells += 1;
            let who = format!("{action:?} by a {role:?} at level {level:?}");
            let refused = match action {
                Action::DecideReview => d.vault.review_note(NoteId::random(), &decide).err(),
                Action::MarkContactSeen => {
                    d.vault.review_contact(ContactId::random(), &decide).err()
                }
                Action::AcknowledgeEpisode => d
                    .vault
                    .decide_episode(EpisodeId::random(), &EpisodeDecision::Acknowledge)
                    .err(),
                Action::CloseEpisode => d
                    .vault
                    .decide_episode(EpisodeId::random(), &EpisodeDecision::Close("aman".into()))
                    .err(),
                Action::SetOnCallRota => d.vault.save_on_call_rota(&empty_rota).err(),
                Action::BeOnCall => {
                    let mut rota = empty_rota.clone();
                    rota.days[0].push(d.vault.member_id());
                    sup.vault.save_on_call_rota(&rota).err()
                }
                Action::RegisterClient => {
                    d.vault.add_client(&profile("MX-900", "Tidak Boleh")).err()
                }
                Action::AssignCase => d.vault.assign_case(adult, &[d.member()], None).err(),
                Action::HoldChildCase => sup
                    .vault
                    .assign_case(child, &[d.member()], Some("uji"))
                    .err(),
                Action::ReadTeamClients => {
                    assert!(
                        d.vault.list_clients().expect("list").is_empty(),
                        "{who}: her list shows nothing of the team's clients"
                    );
                    let month =
                        teduh_core::report::monthly::Month::of(chrono::Utc::now().date_naive());
                    assert!(
                        matches!(d.vault.month_facts(month), Err(VaultError::NotPermitted(_))),
                        "{who}: no monthly statistics from a device that reads only her clients"
                    );
                    match d.vault.client(adult) {
                        Err(VaultError::NotFound { .. }) => {
                            Some(VaultError::NotPermitted("not on the case".into()))
                        }
                        other => panic!("{who}: {other:?}"),
                    }
                }
                Action::WorkOnEpisode | Action::LogContact => {
                    panic!("{who}: the table denies nothing here")
                }
            };
            assert!(
                matches!(refused, Some(VaultError::NotPermitted(_))),
                "{who}: {refused:?}"
            );
        }
    }
    let month = teduh_core::report::monthly::Month::of(chrono::Utc::now().date_naive());
    sup.vault
        .month_facts(month)
        .expect("the supervisor makes the monthly statistics");
    // Six supervision actions for 8 workers, the juniors' registering, assigning and reading
    // for 8 workers and the admin, holding a child's case for 4 workers and the admin.
    assert_eq!(cells, 6 * 8 + 2 + 2 * 9 + 5, "every deny cell was called");
}

/// A client registered before its device joined a team has a team-wide key (there were no
/// readers to name): no supervisor's device wraps it again, and its first release makes it
/// need-to-know from then on.
#[test]
fn a_client_from_before_joining_stays_team_wide_until_its_first_release() {
    let server = TestServer::start();
    let team = server.create_team("Tim Lama");
    let mut sup = server.member(&team, Role::Supervisor, "sup.lama");
    let mut ana = Device::offline(server.url());
    let old = ana
        .vault
        .add_client(&profile("LM-001", "Klien Lama"))
        .expect("a client on a computer that has not joined");
    ana.join(&server.invite(&team, Role::Counselor), "kons.lama")
        .expect("joins");
    sup.admit(&mut ana);
    sync_all(&mut [&mut ana, &mut sup]);
    assert_eq!(
        sup.vault.client(old).expect("sup reads").profile.code,
        "LM-001"
    );
    let keys = sup.vault.oracle_keys().expect("the supervisor's keys");
    let key_records = |server: &TestServer| {
        team_rows(server, &team, &keys)
            .iter()
            .filter(|r| r.kind == RecordKind::ClientKey && r.client == old)
            .count()
    };
    assert_eq!(
        key_records(&server),
        1,
        "its one team-wide key, wrapped to no one"
    );

    // Released: a new key for the supervisor only; what is written after never opens on
    // Ana's laptop, and her app drops the client.
    sup.vault
        .unassign_member(old, "kons.lama", "kasus ditutup untuk relawan")
        .expect("release");
    sup.vault.add_note(old, &draft(AFTER)).expect("note");
    sync_all(&mut [&mut sup, &mut ana]);
    assert_eq!(
        key_records(&server),
        2,
        "the new key, wrapped to the supervisor's device"
    );
    assert!(ana.vault.list_clients().expect("list").is_empty());
    assert!(!reveals(&oracle(&server, &team, &mut ana), AFTER));
    assert!(reveals(&oracle(&server, &team, &mut sup), AFTER));
}

/// What an attacker's review of this feature found, closed: a worker taken off a case cannot
/// hand the remaining readers a key of her own through her creator proof (the registering
/// device wraps only the client's first key); a worker assigned again after her release reads
/// the whole history again; an intermediate volunteer does not register a child's case.
#[test]
fn a_released_registrar_plants_no_key_and_a_worker_assigned_again_reads_the_history() {
    let server = TestServer::start();
    let team = server.create_team("Tim Tinjau");
    let mut sup = server.member(&team, Role::Supervisor, "sup.tinjau");
    let mut ana = server.member(&team, Role::Counselor, "kons.ana");
    let mut budi = server.member(&team, Role::Counselor, "kons.budi");
    sup.admit(&mut ana);
    sup.admit(&mut budi);
    sup.vault
        .set_member_level("kons.ana", Level::Intermediate)
        .expect("level");
    sync_all(&mut [&mut sup, &mut ana, &mut budi]);
    let err = ana
        .vault
        .add_client(&ClientProfile {
            birth_date: chrono::NaiveDate::from_ymd_opt(2018, 3, 4),
            guardian: Some(Guardian {
                name: "Wali Tinjau".into(),
                relationship: "ibu".into(),
                contacts: vec![],
            }),
            ..profile("TJ-ANAK", "Anak Tinjau")
        })
        .expect_err("an intermediate registers no child's case");
    assert!(matches!(err, VaultError::NotPermitted(_)), "{err}");

    let client = ana
        .vault
        .add_client(&profile("TJ-001", "Klien Tinjau"))
        .expect("ana registers");
    ana.vault.add_note(client, &draft(FIRST)).expect("note");
    sync_all(&mut [&mut ana, &mut sup]);
    sup.vault
        .assign_case(client, &[budi.member()], Some("dialihkan ke budi"))
        .expect("the case goes to budi");
    sync_all(&mut [&mut sup, &mut ana, &mut budi]);
    assert!(ana.vault.list_clients().expect("list").is_empty());

    // Ana's modified app wraps a key of her own, with her creator proof, to Budi and to the
    // supervisor: both hold it, and what Budi writes next never opens on Ana's laptop.
    for device in [budi.device(), sup.device()] {
        assert!(ana
            .vault
            .forge_creator_wrap(client, device)
            .expect("a modified app signs what it likes"));
    }
    ana.sync().expect("the server takes them");
    sync_all(&mut [&mut sup, &mut budi]);
    for (who, d) in [("budi", &mut budi), ("sup", &mut sup)] {
        let held = d.vault.held_records().expect("held").join("\n");
        assert!(held.contains("its first key only"), "{who}: {held}");
    }
    budi.vault
        .add_note(client, &draft(AFTER))
        .expect("budi writes");
    sync_all(&mut [&mut budi, &mut ana]);
    assert!(!reveals(&oracle(&server, &team, &mut ana), AFTER));
    assert!(reveals(&oracle(&server, &team, &mut sup), AFTER));

    // Assigned again, Ana reads the case's whole history, her own first note included.
    sup.vault
        .assign_case(client, &[budi.member(), ana.member()], None)
        .expect("ana back on the case");
    sync_all(&mut [&mut sup, &mut ana]);
    let texts: Vec<String> = ana
        .vault
        .notes(client)
        .expect("ana reads the case again")
        .into_iter()
        .map(|n| n.content.narrative)
        .collect();
    assert!(
        texts.contains(&FIRST.to_owned()) && texts.contains(&AFTER.to_owned()),
        "{texts:?}"
    );
}

/// A key wrap its device cannot open (damage, or a modified app) is held there, and nothing of it
/// is kept: it stays out of the log, so the next round holds it again instead of taking it for a
/// copy already applied, and the wrapping laptop's later records wait behind it. What the
/// counselor had stays readable.
#[test]
fn a_key_wrap_that_does_not_open_is_held_and_nothing_of_it_is_kept() {
    let server = TestServer::start();
    let (mut sup, mut kons) = server.supervised_team("Tim Rusak", "sup", "kons");
    let client = kons
        .vault
        .add_client(&profile("RS-1", "Klien Uji"))
        .expect("client");
    kons.vault.add_note(client, &draft(FIRST)).expect("note");
    sync_all(&mut [&mut kons, &mut sup]);
    assert!(
        sup.vault
            .forge_damaged_key_wrap(client, kons.device())
            .expect("a damaged wrap is signed like any record"),
        "the supervisor holds the key she wraps"
    );
    sup.vault
        .add_client(&profile("RS-2", "Klien Lain"))
        .expect("a later record of her laptop");
    sup.sync().expect("the server takes both");
    for round in 1..=2 {
        kons.sync().expect("syncs");
        let held = kons.vault.held_records().expect("held").join("\n");
        assert!(
            held.contains("damaged or forged"),
            "round {round}: the wrap is held: {held}"
        );
        assert!(
            held.contains("an earlier record of this device is held"),
            "round {round}: her later record waits: {held}"
        );
    }
    let notes = kons.vault.notes(client).expect("notes");
    assert!(
        notes.iter().any(|n| n.content.narrative == FIRST),
        "the counselor still reads her note"
    );
}
