//! Trust 1/3: what a receiving device enforces whatever another device or the server sends.
//! Each test first mounts the attack (the forged or equivocating record reaches the victim's
//! device), then shows that nothing changed there and that the notice was raised.

use teduh_core::hlc::Hlc;
use teduh_tests::device::{draft, profile};
use teduh_tests::TestServer;

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
    let first: Vec<_> = c
        .vault
        .outbox(100)
        .expect("outbox")
        .iter()
        .map(|r| r.to_wire().expect("wire"))
        .collect();
    // ...then signs other versions under the same sequences, which are the ones it sends.
    let newest = Hlc(first.iter().map(|r| r.hlc).max().expect("records") + (1 << 20));
    assert!(c.vault.restamp_outbox(newest).expect("restamp") > 0);
    c.sync().expect("sends the second versions");
    sup.sync().expect("the supervisor applies them");
    let before = sup.state();
    assert!(sup.vault.security_alarms().expect("alarms").is_empty());

    // The attack: a lying server hands the supervisor the first versions too.
    let cursor = sup
        .vault
        .binding()
        .expect("binding")
        .expect("joined")
        .pull_cursor;
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
