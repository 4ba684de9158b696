//! The contact log across a team (issue 20): a volunteer's anonymous WhatsApp contact syncs to
//! her colleague's laptop, which recognises the caller's number when she calls again; the
//! supervisor's laptop has the red-flagged contact waiting and marks it seen; the colleague
//! turns the caller into a client and every laptop then shows both contacts in the client's
//! timeline. The server, which relays all of it, holds neither the number nor any word of it.

use chrono::{Duration, Utc};
use teduh_core::contact::{
    AgeBand, CallerType, Channel, ContactAction, ContactEntry, ContactPerson, SelfHarm,
};
use teduh_core::domain::{ClientProfile, Consent, ConsentChannel, ConsentGiver, RiskLevel, Sex};
use teduh_core::vault::{ContactFilter, ContactInput, ReviewAction, ReviewDraft, VaultError};
use teduh_protocol::sync::Role;
use teduh_tests::forgery::json;
use teduh_tests::leak::{marker_forms, scan_dir};
use teduh_tests::TestServer;

const MARKER: &str = "KWXJ-KONTAK-RAHASIA-2291";
const NUMBER: &str = "0812-7001-0002";
const NUMBER_DIGITS: &str = "81270010002";

fn crisis_chat(minutes_ago: i64) -> ContactEntry {
    let end = Utc::now() - Duration::minutes(minutes_ago);
    ContactEntry {
        channel: Channel::WhatsApp,
        started_at: Some(end - Duration::minutes(20)),
        ended_at: Some(end),
        caller_type: CallerType::Myself,
        person: ContactPerson {
            name: format!("Melati {MARKER}"),
            age_band: Some(AgeBand::From18To59),
            sex: Sex::Female,
            city: "Kota Contoh".into(),
        },
        categories: vec!["suicide-risk".into()],
        risk: Some(RiskLevel::High),
        self_harm: SelfHarm::Yes,
        actions: vec![ContactAction::Listened, ContactAction::InformationGiven],
        summary: format!("Ringkasan {MARKER}"),
        ..ContactEntry::default()
    }
}

#[test]
fn a_contact_reaches_the_team_links_the_repeat_caller_waits_for_the_supervisor_and_becomes_a_client(
) {
    let server = TestServer::start();
    let team = server.create_team("Tim Hotline");
    let mut sup = server.member(&team, Role::Supervisor, "sup.hotline");
    let mut ana = server.member(&team, Role::Counselor, "vol.ana");
    let mut budi = server.member(&team, Role::Counselor, "vol.budi");
    sup.admit(&mut ana);
    sup.admit(&mut budi);

    // Ana's night shift: an anonymous WhatsApp chat, the self-harm question answered yes.
    let first = ana
        .vault
        .add_contact(&ContactInput {
            entry: crisis_chat(600),
            caller_number: NUMBER.into(),
        })
        .expect("contact");
    ana.sync().expect("ana pushes");
    budi.sync().expect("budi pulls");
    sup.sync().expect("sup pulls");

    // Budi's shift: the same person calls again, her number written the other way.
    let earlier = budi
        .vault
        .previous_contacts("+62 812 7001 0002", None)
        .expect("lookup");
    assert_eq!(earlier.len(), 1, "Budi sees Ana's contact with that caller");
    assert_eq!(earlier[0].id, first);
    assert_eq!(earlier[0].entry.summary, format!("Ringkasan {MARKER}"));
    assert_eq!(earlier[0].volunteer, Some(ana.vault.member_id()));
    let second = budi
        .vault
        .add_contact(&ContactInput {
            entry: ContactEntry {
                risk: Some(RiskLevel::Medium),
                self_harm: SelfHarm::No,
                ..crisis_chat(5)
            },
            caller_number: NUMBER.into(),
        })
        .expect("second contact");

    // The supervisor's laptop has the red-flagged contact waiting; a counselor cannot mark
    // it seen, she can.
    let queue = sup.vault.contact_queue().expect("queue");
    assert_eq!(queue.iter().map(|c| c.id).collect::<Vec<_>>(), vec![first]);
    let seen = ReviewDraft {
        action: ReviewAction::Approve,
        comment: String::new(),
    };
    assert!(matches!(
        budi.vault.review_contact(first, &seen),
        Err(VaultError::NotPermitted(_))
    ));
    sup.vault.review_contact(first, &seen).expect("seen");
    assert!(sup.vault.contact_queue().expect("queue").is_empty());

    // Budi makes a client of the caller, with her verbal consent.
    let client = budi
        .vault
        .convert_contacts(
            &[first, second],
            &ClientProfile {
                code: "HL-0001".into(),
                name: "Melati".into(),
                estimated_age: Some(34),
                sex: Sex::Female,
                ..ClientProfile::default()
            },
            &Consent {
                given_by: ConsentGiver::SelfGiven,
                giver_name: "Melati".into(),
                purposes: vec!["counseling".into()],
                channel: ConsentChannel::Verbal,
                given_at: Some(Utc::now()),
                ..Consent::default()
            },
        )
        .expect("converted");
    budi.sync().expect("budi pushes");
    sup.sync().expect("sup pushes its 'seen', pulls the client");
    // Ana took the first call: the supervisor puts her on the case too (issue 23).
    teduh_tests::device::put_on_case(&mut sup, client, &["vol.ana"]);
    ana.sync().expect("ana pulls");
    budi.sync().expect("budi pulls the 'seen'");
    let ana_member = ana.vault.member_id();

    for (who, d) in [("ana", &mut ana), ("sup", &mut sup), ("budi", &mut budi)] {
        let timeline = d.vault.client_contacts(client).expect("timeline");
        assert_eq!(
            timeline.len(),
            2,
            "{who}: both contacts in the client's timeline"
        );
        assert_eq!(
            timeline[0].entry.summary,
            format!("Ringkasan {MARKER}"),
            "{who}"
        );
        assert_eq!(timeline[0].volunteer, Some(ana_member), "{who}");
        let original = d.vault.contact(first).expect("original");
        assert_eq!(original.converted_to, Some(client), "{who}");
        assert!(
            original.seen_by_supervisor,
            "{who}: the supervisor's 'seen' synced"
        );
        assert_eq!(
            original.entry.person.name, "",
            "{who}: personal fields emptied"
        );
        let listed = d
            .vault
            .contacts(&ContactFilter {
                text: MARKER.to_lowercase(),
                ..ContactFilter::default()
            })
            .expect("search");
        assert_eq!(
            listed.total, 0,
            "{who}: the caller's words no longer in the team's contact list"
        );
    }
    assert_eq!(ana.state(), sup.state(), "the laptops converge");

    // Zero plaintext on the server: no name, summary or number in any form.
    let mut forms = marker_forms(MARKER);
    forms.extend(marker_forms(NUMBER_DIGITS));
    forms.extend(marker_forms(NUMBER));
    let hits = scan_dir(server.data_dir(), &forms);
    assert!(hits.is_empty(), "plaintext on the server: {hits:?}");
}

#[test]
fn a_colleague_s_modified_app_can_neither_clear_a_red_flag_nor_log_a_contact_in_another_s_name() {
    use teduh_core::ids::{ClientId, EntityId};
    use teduh_core::records::{Op, RecordKind};
    let server = TestServer::start();
    let team = server.create_team("Tim Hotline Jahil");
    let mut sup = server.member(&team, Role::Supervisor, "sup.jaga");
    let mut ana = server.member(&team, Role::Counselor, "vol.ana");
    let mut budi = server.member(&team, Role::Counselor, "vol.budi");
    let mut citra = server.member(&team, Role::Counselor, "vol.citra");
    sup.admit(&mut ana);
    sup.admit(&mut budi);
    sup.admit(&mut citra);
    ana.sync().expect("the newest key");
    budi.sync().expect("the newest key");
    let flagged = ana
        .vault
        .add_contact(&ContactInput {
            entry: crisis_chat(30),
            caller_number: String::new(),
        })
        .expect("contact");
    ana.sync().expect("ana pushes");
    budi.sync().expect("budi pulls");

    // Budi's modified app approves Ana's red-flagged contact (only a supervisor's approval
    // counts); Citra's names Ana as the volunteer who took a contact of hers.
    let ana_member = ana.vault.member_id();
    budi.vault
        .batch(|b| {
            b.forge(
                RecordKind::Review,
                Op::Create,
                EntityId::random(),
                ClientId(flagged.0),
                Some(flagged.into()),
                vec![
                    ("action".into(), json(serde_json::json!("approve"))),
                    ("comment".into(), json(serde_json::json!(""))),
                    ("at".into(), json(serde_json::json!(Utc::now()))),
                ],
            )
        })
        .expect("a modified app writes what it likes");
    let mut entry = crisis_chat(5);
    entry.summary = "bukan catatan ana".into();
    let forged = citra
        .vault
        .add_contact(&ContactInput {
            entry,
            caller_number: String::new(),
        })
        .expect("a contact of citra's");
    citra
        .vault
        .batch(|b| {
            b.forge(
                RecordKind::Contact,
                Op::Update,
                forged.into(),
                ClientId(forged.0),
                None,
                vec![("author".into(), json(serde_json::json!(ana_member)))],
            )
        })
        .expect("a modified app writes what it likes");
    budi.sync()
        .expect("the server takes it (it cannot read it)");
    citra.sync().expect("the server takes it");
    sup.sync().expect("sup pulls");

    let queue = sup.vault.contact_queue().expect("queue");
    assert!(
        queue.iter().any(|c| c.id == flagged),
        "the red flag still waits for a supervisor: {queue:?}"
    );
    let held = sup.vault.held_records().expect("held");
    assert!(
        held.iter()
            .any(|h| h.contains("only a supervisor or admin")),
        "{held:?}"
    );
    assert!(
        held.iter().any(|h| h.contains("names another member")),
        "{held:?}"
    );
    let list = sup.vault.contacts(&ContactFilter::default()).expect("list");
    assert!(
        list.contacts
            .iter()
            .all(|c| c.volunteer != Some(ana_member) || c.id == flagged),
        "no contact appears in Ana's name but her own"
    );
}

/// One modified app per forgery (a device's later records wait behind a refused one): each is
/// held on the supervisor's laptop with its reason, and her contact log keeps working.
#[test]
fn forged_contact_records_are_held_and_never_wedge_or_blind_the_contact_log() {
    use teduh_core::ids::{ClientId, EntityId};
    use teduh_core::records::{Op, RecordKind};
    use teduh_core::vault::Batch;
    let server = TestServer::start();
    let team = server.create_team("Tim Hotline Palsu");
    let mut sup = server.member(&team, Role::Supervisor, "sup.palsu");
    let mut ana = server.member(&team, Role::Counselor, "vol.ana");
    sup.admit(&mut ana);
    ana.sync().expect("the newest key");
    let contact = ana
        .vault
        .add_contact(&ContactInput {
            entry: crisis_chat(30),
            caller_number: String::new(),
        })
        .expect("contact");
    let client = ana
        .vault
        .add_client(&teduh_tests::device::profile("HL-9", "Klien Sintetis"))
        .expect("client");
    ana.sync().expect("ana pushes");
    let ana_member = ana.vault.member_id();
    let (entity, key): (EntityId, ClientId) = (contact.into(), ClientId(contact.0));
    let change = move |b: &mut Batch<'_>, field: &str, value: serde_json::Value| {
        b.forge(
            RecordKind::Contact,
            Op::Update,
            entity,
            key,
            None,
            vec![(field.into(), json(value))],
        )
    };
    let forgeries: Vec<(&str, teduh_tests::forgery::Forgery)> = vec![
        (
            "do not form a contact",
            Box::new(move |b, _| change(b, "channel", serde_json::json!("fax"))),
        ),
        (
            "cannot rename who took it",
            Box::new(move |b, me| change(b, "author", serde_json::json!(me))),
        ),
        (
            "names its volunteer by signing it",
            Box::new(move |b, _| {
                // Its own data key first (unproven, accepted as the first for that id).
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
                    RecordKind::Contact,
                    Op::Create,
                    id.into(),
                    id,
                    None,
                    vec![("volunteer".into(), json(serde_json::json!(ana_member)))],
                )
            }),
        ),
        (
            "another kind or another client",
            Box::new(move |b, _| {
                b.forge(
                    RecordKind::Contact,
                    Op::Update,
                    client.into(),
                    client,
                    None,
                    vec![("summary".into(), json(serde_json::json!("x")))],
                )
            }),
        ),
        (
            "without a valid action",
            Box::new(move |b, _| {
                b.forge(
                    RecordKind::Review,
                    Op::Create,
                    EntityId::random(),
                    key,
                    Some(entity),
                    vec![("action".into(), json(serde_json::json!(5)))],
                )
            }),
        ),
        (
            "only a note is finalised",
            Box::new(move |b, _| change(b, "finalised_at", serde_json::json!(Utc::now()))),
        ),
        (
            "one this device does not hold",
            Box::new(move |b, _| change(b, "converted_to", serde_json::json!(ClientId::random()))),
        ),
    ];
    teduh_tests::forgery::each_is_held(
        &server,
        &team,
        &mut sup,
        &[client],
        "vol.jahil",
        &forgeries,
    );
    // Her contact log still works, and the red flag still waits for her.
    let queue = sup.vault.contact_queue().expect("the queue still reads");
    assert_eq!(
        queue.iter().map(|c| c.id).collect::<Vec<_>>(),
        vec![contact]
    );
    assert_eq!(
        sup.vault
            .contacts(&ContactFilter::default())
            .expect("list")
            .total,
        1,
        "no contact appeared in Ana's name"
    );
    let original = sup.vault.contact(contact).expect("Ana's contact");
    assert_eq!(original.volunteer, Some(ana_member));
    assert_eq!(original.converted_to, None);
    assert_eq!(original.entry.channel, Channel::WhatsApp);
}
