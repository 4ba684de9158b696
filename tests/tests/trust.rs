//! Trust 1/3: what a receiving device enforces whatever another device or the server sends.
//! Each test first mounts the attack (the forged or equivocating record reaches the victim's
//! device), then shows that nothing changed there and that the notice was raised.

use teduh_core::hlc::Hlc;
use teduh_tests::device::{draft, profile};
use teduh_tests::forgery::json;
use teduh_tests::TestServer;

/// The records `d` holds for a reason of their own, not only because an earlier record of their
/// device is held (a forger's device goes on writing, e.g. its checkpoints, behind a forgery).
fn refused(d: &teduh_tests::device::Device) -> Vec<String> {
    d.vault
        .held_records()
        .expect("held")
        .into_iter()
        .filter(|h| !h.contains("an earlier record of this device is held"))
        .collect()
}

#[test]
fn a_second_record_under_a_sequence_already_applied_raises_an_equivocation_alarm() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Dua Muka", "sup", "kons");
    let client = c
        .vault
        .add_client(&profile("E-1", "Klien Ekuivokasi"))
        .expect("client");
    c.vault
        .add_note(client, &draft("versi pertama"))
        .expect("note");
    // The counselor's device signs one version of its records...
    let first = c
        .vault
        .wire_records(&c.vault.outbox(100).expect("outbox"))
        .expect("wire");
    // ...then signs other versions under the same sequences, which are the ones it sends.
    let newest = Hlc(first.iter().map(|r| r.hlc).max().expect("records") + (1 << 20));
    assert!(c.vault.restamp_outbox(newest).expect("restamp") > 0);
    c.sync().expect("sends the second versions");
    sup.sync().expect("the supervisor applies them");
    let before = sup.state();
    assert!(sup.vault.security_alarms().expect("alarms").is_empty());

    // The attack: a lying server hands the supervisor the first versions too.
    let cursor = sup.pull_cursor();
    let report = sup.vault.receive_page(&first, cursor).expect("receives");
    assert_eq!(
        report.duplicates,
        0,
        "not mistaken for a harmless re-delivery (before the fix: {} silent duplicates)",
        first.len()
    );
    assert_eq!(report.alarms.len(), first.len(), "{report:?}");
    assert_eq!(report.applied, 0, "never applied");
    assert_eq!(sup.state(), before, "the supervisor's record is unchanged");
    let alarms = sup.vault.security_alarms().expect("alarms");
    assert_eq!(alarms.len(), first.len(), "kept as evidence");
    assert!(
        alarms.iter().all(|a| a.kind == "equivocation"),
        "{alarms:?}"
    );
    // Delivered again, they do not pile up, and the next round stays quiet about it.
    sup.vault.receive_page(&first, cursor).expect("receives");
    assert_eq!(
        sup.vault.security_alarms().expect("alarms").len(),
        first.len()
    );
    sup.sync().expect("sync goes on");
    assert!(
        sup.vault.held_records().expect("held").is_empty(),
        "nothing blocked"
    );
}

fn member_of(d: &teduh_tests::device::Device) -> teduh_core::ids::MemberId {
    teduh_core::ids::MemberId::from_server(
        d.vault.binding().expect("binding").expect("joined").member,
    )
}

/// A finalised note by `author` about a new client `code`: (client, note).
fn finalised_note(
    author: &mut teduh_tests::device::Device,
    code: &str,
) -> (teduh_core::ids::ClientId, teduh_core::ids::NoteId) {
    let client = author
        .vault
        .add_client(&profile(code, "Klien Final"))
        .expect("client");
    let note = author
        .vault
        .add_note(client, &draft("isi asli"))
        .expect("note");
    author.vault.finalise_note(note).expect("finalise");
    (client, note)
}

/// What a modified app signs to rewrite `note`: a finalising record, an hour later.
fn forge_refinalisation(
    d: &mut teduh_tests::device::Device,
    note: teduh_core::ids::NoteId,
    client: teduh_core::ids::ClientId,
    text: &str,
) {
    forge_finalisation(d, note, client, text, chrono::Duration::hours(1));
}

/// A finalising record of `note` with `text`, finalised `shift` from now; with a negative
/// shift the app also sets its clock back, so that the record itself is stamped that early.
fn forge_finalisation(
    d: &mut teduh_tests::device::Device,
    note: teduh_core::ids::NoteId,
    client: teduh_core::ids::ClientId,
    text: &str,
    shift: chrono::Duration,
) {
    use teduh_core::records::{Op, RecordKind};
    let at = chrono::Utc::now() + shift;
    d.vault
        .batch(|b| {
            if shift < chrono::Duration::zero() {
                let millis = u64::try_from(at.timestamp_millis()).expect("after 1970");
                b.forge_clock(Hlc::new(millis, 0));
            }
            b.forge(
                RecordKind::Note,
                Op::Update,
                note.into(),
                client,
                None,
                vec![
                    ("narrative".into(), json(serde_json::json!(text))),
                    ("finalised_at".into(), json(serde_json::json!(at))),
                ],
            )
        })
        .expect("a modified app writes what it likes");
}

/// What a modified app signs to publish its own data key for someone else's client.
fn forge_client_key(d: &mut teduh_tests::device::Device, client: teduh_core::ids::ClientId) {
    use teduh_core::records::{Op, RecordKind};
    let mut key = vec![7u8; 16];
    key.extend_from_slice(&[9u8; 32]);
    d.vault
        .batch(|b| {
            b.forge(
                RecordKind::ClientKey,
                Op::Update,
                client.into(),
                client,
                None,
                vec![("data_key".into(), key)],
            )
        })
        .expect("a modified app writes what it likes");
}

#[test]
fn a_colleague_s_modified_app_can_neither_rewrite_a_finalised_note_nor_write_as_another_member() {
    use teduh_core::records::{Op, RecordKind};
    let server = TestServer::start();
    let team = server.create_team("Tim Catatan Final");
    let mut sup = server.member(&team, teduh_protocol::sync::Role::Supervisor, "sup");
    let mut ani = server.member(&team, teduh_protocol::sync::Role::Counselor, "kons.ani");
    let mut budi = server.member(&team, teduh_protocol::sync::Role::Counselor, "kons.budi");
    let mut citra = server.member(&team, teduh_protocol::sync::Role::Counselor, "kons.citra");
    for d in [&mut ani, &mut budi, &mut citra] {
        sup.admit(d);
    }
    for d in [&mut ani, &mut budi] {
        d.sync().expect("the newest key");
    }
    let (client, note) = finalised_note(&mut ani, "F-1");
    ani.sync().expect("sync");
    // Budi and Citra work on the case too (issue 23): their modified apps hold its key.
    teduh_tests::device::put_on_case(&mut sup, client, &["kons.budi", "kons.citra"]);
    budi.sync().expect("budi receives the note");
    citra.sync().expect("citra receives the note");
    sup.sync().expect("sup receives the note");
    let before = sup.state();

    // Budi's modified app: a later finalising record that rewrites Ani's note, and a new note
    // that names Ani as its author.
    let forged_note = teduh_core::ids::NoteId::random();
    forge_refinalisation(&mut budi, note, client, "ditulis ulang");
    budi.sync()
        .expect("the server takes it (it cannot read it)");
    citra
        .vault
        .batch(|b| {
            b.forge(
                RecordKind::Note,
                Op::Create,
                forged_note.into(),
                client,
                None,
                vec![
                    (
                        "narrative".into(),
                        json(serde_json::json!("bukan tulisan ani")),
                    ),
                    ("author".into(), json(serde_json::json!(member_of(&ani)))),
                ],
            )
        })
        .expect("a modified app writes what it likes");
    citra.sync().expect("the server takes it");

    // They reach the supervisor's laptop and change nothing there...
    sup.sync().expect("sync");
    let notes = sup.vault.export_client(client).expect("client").notes;
    assert_eq!(
        notes
            .iter()
            .find(|n| n.id == note)
            .map(|n| n.content.narrative.clone()),
        Some("isi asli".to_owned()),
        "Ani's finalised note is not rewritten"
    );
    assert_eq!(notes.len(), 1, "no note in Ani's name appeared");
    assert_eq!(sup.state(), before, "the supervisor's record is unchanged");
    // ...because they were held, with the reason (the forgers' later records, their
    // checkpoints, wait behind them).
    let held = refused(&sup);
    assert_eq!(held.len(), 2, "both arrived and were held: {held:?}");
    assert!(
        held.iter()
            .any(|h| h.contains("refused: only the note's author")),
        "{held:?}"
    );
    assert!(
        held.iter()
            .any(|h| h.contains("refused: it names another member")),
        "{held:?}"
    );
    assert!(sup.vault.security_alarms().expect("alarms").is_empty());
    // Ani's own laptop holds them too, and her note stands.
    ani.sync().expect("sync");
    assert_eq!(refused(&ani).len(), 2);
    assert_eq!(
        ani.vault.export_client(client).expect("client").notes[0]
            .content
            .narrative,
        "isi asli"
    );
}

#[test]
fn a_replacement_client_key_from_a_colleague_is_refused_and_the_genuine_records_still_open() {
    let server = TestServer::start();
    let team = server.create_team("Tim Kunci Klien");
    let mut sup = server.member(&team, teduh_protocol::sync::Role::Supervisor, "sup");
    // Budi registers first: his device has the lower number, so under the old rule ("lowest
    // device and sequence wins") his key replaced Ani's.
    let mut budi = server.member(&team, teduh_protocol::sync::Role::Counselor, "kons.budi");
    let mut ani = server.member(&team, teduh_protocol::sync::Role::Counselor, "kons.ani");
    sup.admit(&mut budi);
    sup.admit(&mut ani);
    budi.sync().expect("the newest key");
    let client = ani
        .vault
        .add_client(&profile("K-1", "Klien Kunci"))
        .expect("client");
    ani.vault
        .add_note(client, &draft("catatan asli"))
        .expect("note");
    ani.sync().expect("sync");
    budi.sync().expect("sync");

    // Budi's modified app publishes another data key for Ani's client.
    forge_client_key(&mut budi, client);
    budi.sync().expect("sync");

    sup.sync().expect("sync");
    // Ani's later records still open everywhere...
    ani.vault
        .add_note(client, &draft("catatan kedua"))
        .expect("note");
    ani.sync().expect("sync");
    sup.sync().expect("sync");
    // (Keys are cached while unlocked: the next unlock reads what is stored.)
    sup.vault.lock();
    sup.vault
        .unlock(teduh_tests::device::PASSPHRASE)
        .expect("unlock");
    let notes = sup
        .vault
        .export_client(client)
        .expect("the client still opens")
        .notes;
    assert_eq!(notes.len(), 2, "both of Ani's notes open: {notes:?}");
    // ...because the forged key arrived and was refused.
    let held = refused(&sup);
    assert_eq!(held.len(), 1, "only the forgery is held: {held:?}");
    assert!(
        held[0].contains("refused: a client's data key"),
        "it says why: {held:?}"
    );
}

#[test]
fn even_the_author_s_modified_app_cannot_rewrite_her_finalised_note() {
    let server = TestServer::start();
    let (mut sup, mut ani) = server.supervised_team("Tim Final Sekali", "sup", "kons.ani");
    let (client, note) = finalised_note(&mut ani, "S-1");
    ani.sync().expect("sync");
    sup.sync().expect("sync");

    // Her own modified app finalises the note again, later, with other content.
    forge_refinalisation(&mut ani, note, client, "diubah setelah final");
    ani.sync().expect("sync");
    sup.sync().expect("it reaches the supervisor");
    for (who, d) in [("supervisor", &mut sup), ("author", &mut ani)] {
        let notes = d.vault.export_client(client).expect("client").notes;
        assert_eq!(
            notes[0].content.narrative, "isi asli",
            "the {who}'s copy keeps the first finalised text"
        );
    }
    // The later version is not lost either: it is a visible other version.
    let history = sup.vault.field_history(note.into()).expect("history");
    assert!(
        history
            .iter()
            .any(|v| format!("{v:?}").contains("diubah setelah final")),
        "kept as a losing version"
    );
}

#[test]
fn a_colleague_s_key_delivered_before_the_creator_s_cannot_take_the_client_over() {
    let server = TestServer::start();
    let team = server.create_team("Tim Kunci Duluan");
    let mut sup = server.member(&team, teduh_protocol::sync::Role::Supervisor, "sup");
    let mut budi = server.member(&team, teduh_protocol::sync::Role::Counselor, "kons.budi");
    let mut ani = server.member(&team, teduh_protocol::sync::Role::Counselor, "kons.ani");
    sup.admit(&mut budi);
    sup.admit(&mut ani);
    budi.sync().expect("the newest key");
    // Ani creates a client offline. A lying server sees its id in her push and lets Budi's
    // modified app publish a key for it first, so that Budi's key arrives before hers.
    let client = ani
        .vault
        .add_client(&profile("D-1", "Klien Duluan"))
        .expect("client");
    ani.vault
        .add_note(client, &draft("catatan ani"))
        .expect("note");
    forge_client_key(&mut budi, client);
    budi.sync().expect("Budi's key reaches the server first");
    ani.sync().expect("then Ani's records");

    sup.sync().expect("sync");
    let notes = sup
        .vault
        .export_client(client)
        .expect("the supervisor opens Ani's client")
        .notes;
    assert_eq!(notes.len(), 1, "and her note: {notes:?}");
    assert!(
        sup.vault.held_records().expect("held").is_empty(),
        "Ani's records are not held behind a refused key"
    );
    // The same after the vault rebuilds its tables from the log, and after a fresh unlock.
    sup.vault.rebuild().expect("rebuild");
    sup.vault.lock();
    sup.vault
        .unlock(teduh_tests::device::PASSPHRASE)
        .expect("unlock");
    assert_eq!(
        sup.vault
            .export_client(client)
            .expect("still opens")
            .notes
            .len(),
        1
    );
}

#[test]
fn a_client_created_before_joining_is_proven_by_its_creator_too() {
    let server = TestServer::start();
    let team = server.create_team("Tim Sebelum Gabung");
    let mut sup = server.member(&team, teduh_protocol::sync::Role::Supervisor, "sup");
    let mut budi = server.member(&team, teduh_protocol::sync::Role::Counselor, "kons.budi");
    // Ani records a client on her new laptop before she has an invitation, then joins.
    let mut ani = teduh_tests::device::Device::offline(server.url());
    let client = ani
        .vault
        .add_client(&profile("P-1", "Klien Pra Gabung"))
        .expect("client");
    ani.vault
        .add_note(client, &draft("catatan sebelum gabung"))
        .expect("note");
    let invitation = server.invite(&team, teduh_protocol::sync::Role::Counselor);
    ani.join(&invitation, "kons.ani").expect("joins");
    sup.admit(&mut budi);
    // The supervisor admits her (she synced to show her safety number, but with no key nothing
    // of hers could go out); her key goes out with the supervisor's next sync.
    sup.confirm(&mut ani);
    sup.sync().expect("her key goes out");
    // Budi's modified app publishes a key for her client before hers reaches anyone.
    forge_client_key(&mut budi, client);
    budi.sync().expect("Budi's key reaches the server first");
    ani.sync().expect("then Ani's records");
    sup.sync().expect("sync");
    let notes = sup
        .vault
        .export_client(client)
        .expect("the supervisor opens Ani's client with Ani's key")
        .notes;
    assert_eq!(notes.len(), 1, "and her note: {notes:?}");
    assert_eq!(notes[0].content.narrative, "catatan sebelum gabung");
    sup.vault.rebuild().expect("rebuild");
    assert_eq!(
        sup.vault.export_client(client).expect("opens").notes.len(),
        1,
        "the same after a rebuild"
    );
}

#[test]
fn the_author_s_modified_app_cannot_win_with_a_backdated_finalisation() {
    let server = TestServer::start();
    let (mut sup, mut ani) = server.supervised_team("Tim Mundur", "sup", "kons.ani");
    let (client, note) = finalised_note(&mut ani, "B-1");
    ani.sync().expect("sync");
    sup.sync().expect("sync");

    // Her modified app sets its clock back an hour and finalises the note again with other
    // content, so that this finalisation sorts before the genuine one.
    forge_finalisation(
        &mut ani,
        note,
        client,
        "ditulis mundur",
        -chrono::Duration::hours(1),
    );
    ani.sync().expect("sync");
    sup.sync().expect("it reaches the supervisor");
    let notes = sup.vault.export_client(client).expect("client").notes;
    assert_eq!(
        notes[0].content.narrative, "isi asli",
        "the first finalised text stays"
    );
    let held = sup.vault.held_records().expect("held");
    assert!(
        held.iter().any(|h| h.contains("backdated")),
        "the supervisor's sync status names the refused record: {held:?}"
    );
}
