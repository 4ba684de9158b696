//! Risk episodes across a team (issue 22): a counselor's PHQ-9 with item 9 above zero opens an
//! episode that reaches the on-call supervisor at the next sync with a deadline; she
//! acknowledges it and the counselor sees that; the other supervisor is asked only once the
//! deadline has passed; only a supervisor closes it. A laptop whose clock is hours off still
//! gives the supervisor the true time left. Modified apps gain nothing, and the server holds no
//! word of the assessment or the safety plan.

use chrono::{Duration, Utc};
use teduh_core::domain::RiskLevel;
use teduh_core::episode::{EpisodeWork, OnCallRota, PlanService, Subject, SupervisorNumbers};
use teduh_core::ids::{ClientId, EntityId, MemberId};
use teduh_core::records::{Op, RecordKind};
use teduh_core::screening::{answers_in_order, Instrument, ScreeningAnswers};
use teduh_core::vault::{EpisodeDecision, VaultError};
use teduh_protocol::sync::Role;
use teduh_tests::device::profile;
use teduh_tests::forgery::json;
use teduh_tests::leak::{marker_forms, scan_dir};
use teduh_tests::TestServer;

const MARKER: &str = "QZVR-RENCANA-AMAN-7731";

fn phq9_with_item_nine(value: u8) -> ScreeningAnswers {
    let mut values = [1u8; 9];
    values[8] = value;
    ScreeningAnswers {
        instrument: Instrument::Phq9,
        answers: answers_in_order(Instrument::Phq9, &values).expect("nine answers"),
        administered_at: Some(Utc::now()),
        administered_by: None,
        language: "id".into(),
    }
}

#[test]
fn a_red_flag_reaches_the_on_call_supervisor_who_acknowledges_and_the_worker_sees_it() {
    let server = TestServer::start();
    let team = server.create_team("Tim Piket");
    let mut sup = server.member(&team, Role::Supervisor, "sup.utama");
    let mut piket = server.member(&team, Role::Supervisor, "sup.piket");
    let mut ana = server.member(&team, Role::Counselor, "kons.ana");
    sup.admit(&mut piket);
    sup.admit(&mut ana);
    piket.sync().expect("the newest key");
    ana.sync().expect("the newest key");

    // The rota: sup.piket on call every day, sup.utama backing her up; their numbers.
    let (sup_id, piket_id) = (sup.vault.member_id(), piket.vault.member_id());
    let rota = OnCallRota {
        days: std::array::from_fn(|_| vec![piket_id, sup_id]),
        numbers: vec![SupervisorNumbers {
            member: piket_id,
            phone: "0800-0000-0101".into(),
            whatsapp: "0800-0000-0102".into(),
        }],
    };
    let err = ana.vault.save_on_call_rota(&rota).expect_err("a counselor");
    assert!(matches!(err, VaultError::NotPermitted(_)), "{err}");
    sup.vault
        .save_on_call_rota(&rota)
        .expect("the supervisor sets it");
    sup.sync().expect("sup pushes");
    ana.sync().expect("ana pulls");
    let on_call = ana.vault.on_call_now(Utc::now()).expect("on call");
    assert_eq!(on_call.len(), 2);
    assert_eq!(
        (
            on_call[0].username.as_str(),
            on_call[0].phone.as_str(),
            on_call[0].whatsapp.as_str()
        ),
        ("sup.piket", "0800-0000-0101", "0800-0000-0102"),
        "offline, the counselor has the on-call supervisor's numbers"
    );

    // Ana's PHQ-9 with item 9 above zero opens the episode; she writes the safety plan.
    let client = ana
        .vault
        .add_client(&profile("RH-0042", "Klien Sintetis Episode"))
        .expect("client");
    ana.vault
        .add_screening(client, &phq9_with_item_nine(2))
        .expect("screening");
    let episode = ana
        .vault
        .episodes_of(Subject::Client(client), Utc::now())
        .expect("episodes")[0]
        .episode
        .id;
    let mut work = EpisodeWork::default();
    work.assessment.ideation.present = Some(true);
    work.assessment.plan.present = Some(false);
    work.assessment.judgement = Some(RiskLevel::High);
    work.safety_plan.coping = MARKER.into();
    work.safety_plan.services.push(PlanService {
        entry: "sejiwa".into(),
        name: "SEJIWA".into(),
        number: "119".into(),
    });
    ana.vault.update_episode(episode, &work).expect("saved");
    ana.sync().expect("ana pushes");
    sup.sync().expect("sup pulls");
    piket.sync().expect("piket pulls");

    // It reaches the on-call supervisor first; the other is asked only once it is overdue.
    let now = Utc::now();
    let mine = piket.vault.open_episodes(now).expect("open");
    assert_eq!(mine.len(), 1);
    assert!(mine[0].for_me, "it goes to the on-call supervisor");
    assert_eq!(mine[0].on_call, Some(piket_id));
    assert_eq!(mine[0].subject_code, "RH-0042");
    assert_eq!(mine[0].episode.work, work, "the plan synced whole");
    let theirs = sup.vault.open_episodes(now).expect("open");
    assert!(!theirs[0].for_me, "not yet the backup's");
    let late = sup
        .vault
        .episode(episode, now + Duration::hours(25))
        .expect("later");
    assert!(
        late.overdue && late.for_me,
        "past the deadline it escalates to her"
    );

    // The on-call supervisor acknowledges; the counselor sees it. Only a supervisor closes.
    piket
        .vault
        .decide_episode(episode, &EpisodeDecision::Acknowledge)
        .expect("acknowledged");
    piket.sync().expect("piket pushes");
    ana.sync().expect("ana pulls");
    let seen = ana.vault.episode(episode, Utc::now()).expect("read");
    assert_eq!(
        seen.episode.acknowledged.as_ref().map(|d| d.by),
        Some(piket_id),
        "the worker sees who acknowledged it"
    );
    assert!(!seen.overdue);
    let err = ana
        .vault
        .decide_episode(episode, &EpisodeDecision::Close("selesai".into()))
        .expect_err("a counselor");
    assert!(matches!(err, VaultError::NotPermitted(_)), "{err}");
    sup.sync().expect("sup pulls");
    let err = sup
        .vault
        .decide_episode(episode, &EpisodeDecision::Close("  ".into()))
        .expect_err("no reason");
    assert!(matches!(err, VaultError::InvalidInput(_)), "{err}");
    sup.vault
        .decide_episode(
            episode,
            &EpisodeDecision::Close("rencana aman berjalan, kontrol mingguan".into()),
        )
        .expect("closed");
    sup.sync().expect("sup pushes");
    ana.sync().expect("ana pulls");
    let closed = ana.vault.episode(episode, Utc::now()).expect("read");
    assert_eq!(closed.episode.closed.as_ref().map(|d| d.by), Some(sup_id));
    assert!(ana
        .vault
        .open_episodes(Utc::now())
        .expect("open")
        .is_empty());
    assert!(ana.vault.held_records().expect("held").is_empty());

    let hits = scan_dir(server.data_dir(), &marker_forms(MARKER));
    assert!(hits.is_empty(), "plaintext on the server: {hits:?}");
    let numbers = scan_dir(server.data_dir(), &marker_forms("0800-0000-0101"));
    assert!(
        numbers.is_empty(),
        "a supervisor's number on the server: {numbers:?}"
    );
}

#[test]
fn a_worker_whose_clock_is_three_hours_behind_gives_the_supervisor_the_true_time_left() {
    const THREE_HOURS_MS: i64 = 3 * 3600 * 1000;
    let server = TestServer::start();
    let team = server.create_team("Tim Jam Lambat");
    let mut sup = server.member(&team, Role::Supervisor, "sup.jam");
    let mut budi = server.member(&team, Role::Outreach, "lap.budi");
    sup.admit(&mut budi);
    budi.sync().expect("the newest key");
    let client = budi
        .vault
        .add_client(&profile("LP-0007", "Klien Sintetis Jam"))
        .expect("client");
    budi.sync().expect("budi pushes");
    // His laptop's clock goes three hours behind; the next sync notices and corrects it.
    budi.vault
        .set_clock_offset_ms(-THREE_HOURS_MS)
        .expect("a wrong clock");
    budi.sync().expect("sync");
    let offset = budi.vault.binding().expect("b").expect("b").clock_offset_ms;
    assert!(
        offset.abs() < 60_000,
        "the device follows the server's clock: {offset} ms"
    );
    let opened_truly = Utc::now();
    budi.vault
        .add_screening(client, &phq9_with_item_nine(1))
        .expect("screening");
    budi.sync().expect("budi pushes");
    sup.sync().expect("sup pulls");
    let now = Utc::now();
    let e = &sup.vault.open_episodes(now).expect("open")[0];
    let time_left = e.deadline - now;
    let truth = opened_truly + Duration::hours(24) - now;
    assert!(
        (time_left - truth).num_seconds().abs() <= 5 * 60,
        "time left {time_left} is within 5 minutes of {truth}"
    );
}

#[test]
fn an_episode_alerts_the_on_call_supervisor_by_email_with_no_client_data() {
    use teduh_tests::smtp::SmtpSink;
    let sink = SmtpSink::start();
    // A fresh server numbers its first team 1 (asserted below).
    let server = TestServer::start_with_alerts(sink.alerts_for(1, "piket@contoh.test"));
    let team = server.create_team("Tim Alarm");
    assert_eq!(server.team_id(&team), 1);
    let mut sup = server.member(&team, Role::Supervisor, "sup.alarm");
    let mut ana = server.member(&team, Role::Counselor, "kons.alarm");
    sup.admit(&mut ana);
    ana.sync().expect("the newest key");
    let client = ana
        .vault
        .add_client(&profile("AL-0099", MARKER))
        .expect("client");
    ana.sync().expect("nothing urgent yet");
    assert!(sink.messages().is_empty(), "no episode, no alert");
    ana.vault
        .add_screening(client, &phq9_with_item_nine(2))
        .expect("screening");
    ana.sync().expect("ana pushes and signals");
    let messages = sink.messages();
    assert_eq!(messages.len(), 1, "one alert: {messages:?}");
    assert_eq!(messages[0].to, ["piket@contoh.test"]);
    let text = &messages[0].data;
    assert!(text.contains("Tim Alarm"), "it names the team: {text}");
    for secret in ["AL-0099", MARKER, "PHQ", "kons.alarm"] {
        assert!(!text.contains(secret), "{secret:?} in the alert: {text}");
    }
    ana.sync().expect("again");
    sup.sync().expect("sup pulls");
    assert_eq!(sink.messages().len(), 1, "one alert per episode");
}

const FAR_FUTURE: &str = "2099-01-01T00:00:00Z";

/// A modified app's creation of episode `entity` under `key`'s data key, naming `subject` and
/// opening at `opened_at`.
fn opening(
    b: &mut teduh_core::vault::Batch<'_>,
    me: MemberId,
    entity: EntityId,
    key: ClientId,
    subject: ClientId,
    opened_at: &str,
) -> Result<(), VaultError> {
    b.forge(
        RecordKind::Episode,
        Op::Create,
        entity,
        key,
        None,
        vec![
            ("author".into(), json(serde_json::json!(me))),
            (
                "subject".into(),
                json(serde_json::json!({"kind": "client", "id": subject.to_string()})),
            ),
            (
                "trigger".into(),
                json(serde_json::json!({"kind": "worker"})),
            ),
            ("opened_at".into(), json(serde_json::json!(opened_at))),
        ],
    )
}

/// One modified counselor's app per forgery (a device's later records wait behind a refused
/// one): each is held on the supervisor's laptop with its reason, and the episode stays open.
#[test]
fn forged_episode_records_are_held_and_change_nothing() {
    use teduh_core::vault::Batch;
    let server = TestServer::start();
    let team = server.create_team("Tim Episode Palsu");
    let mut sup = server.member(&team, Role::Supervisor, "sup.palsu");
    let mut ana = server.member(&team, Role::Counselor, "kons.ana");
    sup.admit(&mut ana);
    ana.sync().expect("the newest key");
    let client = ana
        .vault
        .add_client(&profile("FP-0001", "Klien Sintetis Palsu"))
        .expect("client");
    let other = ana
        .vault
        .add_client(&profile("FP-0002", "Klien Sintetis Lain"))
        .expect("client");
    ana.vault
        .add_screening(client, &phq9_with_item_nine(3))
        .expect("screening");
    let episode = ana
        .vault
        .episodes_of(Subject::Client(client), Utc::now())
        .expect("e")[0]
        .episode
        .id;
    ana.sync().expect("ana pushes");
    let ana_member = ana.vault.member_id();
    let decision = |by: MemberId| serde_json::json!({ "by": by, "at": Utc::now() });
    let update = move |b: &mut Batch<'_>, field: &str, value: serde_json::Value| {
        b.forge(
            RecordKind::Episode,
            Op::Update,
            episode.into(),
            client,
            None,
            vec![(field.into(), json(value))],
        )
    };
    let forgeries: Vec<(&str, teduh_tests::forgery::Forgery)> = vec![
        (
            "only a supervisor or admin in the team roster acknowledges",
            Box::new(move |b, me| update(b, "acknowledged", decision(me))),
        ),
        (
            "names another member than the one who signed it",
            Box::new(move |b, _| update(b, "closed", decision(ana_member))),
        ),
        (
            "is set when it opens",
            Box::new(move |b, _| update(b, "trigger", serde_json::json!({"kind": "worker"}))),
        ),
        (
            "do not form a risk episode",
            Box::new(move |b, _| update(b, "assessment", serde_json::json!("aman"))),
        ),
        (
            "not the client or contact whose key seals it",
            Box::new(move |b, me| {
                let now = Utc::now().to_rfc3339();
                opening(b, me, EntityId::random(), client, other, &now)
            }),
        ),
        (
            "creates a record that exists already",
            Box::new(move |b, me| opening(b, me, episode.into(), client, client, FAR_FUTURE)),
        ),
        (
            "opens later than it was written",
            Box::new(move |b, me| opening(b, me, EntityId::random(), other, other, FAR_FUTURE)),
        ),
        (
            "names its field actions twice",
            Box::new(move |b, _| {
                b.forge(
                    RecordKind::Episode,
                    Op::Update,
                    episode.into(),
                    client,
                    None,
                    vec![
                        ("actions".into(), json(serde_json::json!(5))),
                        ("actions".into(), json(serde_json::json!("aman"))),
                    ],
                )
            }),
        ),
        (
            "a closure and its reason are written together",
            Box::new(move |b, _| update(b, "close_reason", serde_json::json!("bukan alasan sup"))),
        ),
        (
            "sets the on-call rota",
            Box::new(move |b, me| {
                let id = ClientId::random();
                let mut data_key = vec![7u8; 16];
                data_key.extend_from_slice(&[9u8; 32]);
                b.forge(
                    RecordKind::ClientKey,
                    Op::Update,
                    id.into(),
                    id,
                    None,
                    vec![("data_key".into(), data_key)],
                )?;
                b.forge(
                    RecordKind::OnCall,
                    Op::Create,
                    id.into(),
                    id,
                    None,
                    vec![(
                        "days".into(),
                        json(serde_json::json!([[me], [], [], [], [], [], []])),
                    )],
                )
            }),
        ),
    ];
    teduh_tests::forgery::each_is_held(
        &server,
        &team,
        &mut sup,
        &[client, other],
        "kons.jahil",
        &forgeries,
    );
    let e = sup.vault.episode(episode, Utc::now()).expect("read");
    assert!(
        e.episode.is_open() && e.episode.acknowledged.is_none(),
        "still waiting for a supervisor"
    );
    assert_eq!(e.episode.opened_by, Some(ana_member), "still the opener's");
    assert!(e.episode.opened_at < Utc::now(), "its opening unchanged");
    assert_eq!(e.episode.work.actions, "", "no forged value applied");
    assert!(sup
        .vault
        .on_call_rota()
        .expect("rota")
        .days
        .iter()
        .all(Vec::is_empty));
    assert_eq!(sup.vault.open_episodes(Utc::now()).expect("open").len(), 1);
}
