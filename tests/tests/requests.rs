//! The request register across a team (issue 25, UU PDP): a counselor registers a guardian's
//! access request; the supervisor's laptop receives it at the next sync with the same deadline
//! (3×24 h from the receipt time entered, not from the entry), answers it, and the counselor
//! sees the answer. A modified app that answers in another member's name, moves a receipt time
//! or registers a request already answered gains nothing; the server holds no word of it.

use chrono::{Duration, Utc};
use teduh_core::ids::{ClientId, EntityId, MemberId};
use teduh_core::records::{Op, RecordKind};
use teduh_core::request::{
    DataRequest, IdentityCheck, Outcome, RefusalGround, RequestAnswer, RequestKind, Requester,
    Standing,
};
use teduh_protocol::sync::Role;
use teduh_tests::device::{profile, Device};
use teduh_tests::forgery::json;
use teduh_tests::leak::{marker_forms, scan_dir};
use teduh_tests::TestServer;

const MARKER: &str = "QZVR-PERMINTAAN-AKSES-4410";

/// A team of a supervisor and a counselor, Ana, who registered client `code`.
fn team_with_client(
    server: &TestServer,
    team: &str,
    code: &str,
) -> (String, Device, Device, ClientId) {
    let team = server.create_team(team);
    let mut sup = server.member(&team, Role::Supervisor, "sup.permintaan");
    let mut ana = server.member(&team, Role::Counselor, "kons.ana");
    sup.admit(&mut ana);
    ana.sync().expect("the newest key");
    let client = ana
        .vault
        .add_client(&profile(code, "Klien Sintetis Permintaan"))
        .expect("client");
    (team, sup, ana, client)
}

#[test]
fn a_request_reaches_the_supervisor_with_its_deadline_and_her_answer_comes_back() {
    let server = TestServer::start();
    let (_, mut sup, mut ana, client) = team_with_client(&server, "Tim Permintaan", "RQ-0001");
    // The guardian asked on Monday; Ana enters it two days later.
    let received = Utc::now() - Duration::days(2);
    let request = DataRequest {
        kind: RequestKind::Access,
        requester: Requester::Guardian,
        requester_name: "Wali Sintetis".into(),
        received_at: Some(received),
        identity: IdentityCheck::GuardianDocument,
        details: format!("Meminta salinan berkas anak. {MARKER}"),
        ..DataRequest::default()
    };
    let id = ana.vault.add_request(client, &request).expect("registered");
    ana.sync().expect("ana pushes");
    sup.sync().expect("sup pulls");

    let open = sup.vault.open_requests().expect("open");
    assert_eq!(open.len(), 1, "the supervisor sees the request");
    assert_eq!(open[0].id, id);
    assert_eq!(open[0].client_code, "RQ-0001");
    assert_eq!(
        open[0].deadline,
        received + Duration::hours(72),
        "from the receipt, not the entry"
    );
    assert!(
        (23 * 60..=24 * 60).contains(&open[0].minutes_left),
        "{}",
        open[0].minutes_left
    );
    assert_eq!(open[0].request.handler, Some(ana.vault.member_id()));
    assert_eq!(open[0].request.details, request.details);

    let answer = RequestAnswer {
        answered_at: Some(Utc::now()),
        outcome: Outcome::PartlyGranted,
        text: "Salinan diberikan kepada wali; keterangan pihak ketiga disamarkan.".into(),
        grounds: vec![RefusalGround::RevealsOthersData],
    };
    sup.vault.answer_request(id, &answer).expect("answered");
    sup.sync().expect("sup pushes");
    ana.sync().expect("ana pulls");
    let seen = ana.vault.request(id).expect("read");
    assert_eq!(seen.answer, Some(answer));
    assert_eq!(seen.answered_by, Some(sup.vault.member_id()));
    assert_eq!(seen.standing, Standing::AnsweredInTime);
    assert!(ana.vault.open_requests().expect("open").is_empty());
    assert!(ana.vault.held_records().expect("held").is_empty());

    let hits = scan_dir(server.data_dir(), &marker_forms(MARKER));
    assert!(hits.is_empty(), "plaintext on the server: {hits:?}");
}

/// One modified counselor's app per forgery: each record is held on the supervisor's laptop
/// with its reason, and the request stays as registered, unanswered.
#[test]
fn forged_request_records_are_held_and_change_nothing() {
    let server = TestServer::start();
    let (team, mut sup, mut ana, client) =
        team_with_client(&server, "Tim Permintaan Palsu", "RQ-0002");
    let received = Utc::now() - Duration::hours(70);
    let id = ana
        .vault
        .add_request(
            client,
            &DataRequest {
                received_at: Some(received),
                identity: IdentityCheck::IdentityCard,
                ..DataRequest::default()
            },
        )
        .expect("registered");
    ana.sync().expect("ana pushes");
    let ana_member = ana.vault.member_id();
    let answer = |by: MemberId| {
        vec![
            (
                "answer".into(),
                json(
                    serde_json::json!({"answered_at": Utc::now(), "outcome": "granted", "text": "x"}),
                ),
            ),
            ("answered_by".into(), json(serde_json::json!(by))),
        ]
    };
    let forgeries: Vec<(&str, teduh_tests::forgery::Forgery)> = vec![
        (
            "names another member as its answered_by",
            Box::new(move |b, _| {
                b.forge(
                    RecordKind::Request,
                    Op::Update,
                    id.into(),
                    client,
                    None,
                    answer(ana_member),
                )
            }),
        ),
        (
            "a request is changed only by its answer",
            Box::new(move |b, _| {
                // Moving the receipt a day later would buy a day on the deadline.
                let later = Utc::now() - Duration::hours(1);
                b.forge(
                    RecordKind::Request,
                    Op::Update,
                    id.into(),
                    client,
                    None,
                    vec![("received_at".into(), json(serde_json::json!(later)))],
                )
            }),
        ),
        (
            "a request is registered unanswered",
            Box::new(move |b, me| {
                let mut fields = vec![
                    ("author".into(), json(serde_json::json!(me))),
                    ("entered_at".into(), json(serde_json::json!(Utc::now()))),
                    ("received_at".into(), json(serde_json::json!(Utc::now()))),
                ];
                fields.extend(answer(me));
                b.forge(
                    RecordKind::Request,
                    Op::Create,
                    EntityId::random(),
                    client,
                    None,
                    fields,
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
    let view = sup.vault.request(id).expect("read");
    assert_eq!(
        view.request.received_at,
        Some(received),
        "the receipt time unmoved"
    );
    assert!(view.answer.is_none(), "no forged answer applied");
    assert_eq!(sup.vault.open_requests().expect("open").len(), 1);
}
