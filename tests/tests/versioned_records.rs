//! Trust 3/3, versioned records: every record carries its format and kind; a device that meets
//! a format or kind it does not know holds the record (never drops it), asks to be updated
//! ("Perbarui Teduh") and applies it once updated. Later records of the same device wait behind
//! it, so no device ever shows a colleague's log with a hole in it.

use teduh_core::domain::Task;
use teduh_core::records::{RecordKind, NEEDS_NEWER_VERSION};
use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile};
use teduh_tests::TestServer;

#[test]
fn a_record_of_a_kind_this_build_does_not_know_waits_for_the_update_and_then_applies() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Versi", "sup", "kons");
    let client = c
        .vault
        .add_client(&profile("V-1", "Klien Versi"))
        .expect("client");
    c.sync().expect("push");
    sup.sync().expect("pull");
    assert_eq!(sup.vault.update_needed().expect("count"), 0);

    // The supervisor's app is an older build that has never heard of follow-up tasks; the
    // counselor's newer one writes a task, then a note.
    sup.vault.forge_older_build(Some(RecordKind::Task));
    c.vault
        .add_task(
            client,
            &Task {
                title: "tindak lanjut".into(),
                ..Task::default()
            },
        )
        .expect("task");
    let note = c
        .vault
        .add_note(client, &draft("catatan setelah tugas"))
        .expect("note");
    c.sync().expect("push");
    let before = sup.state();
    let round = sup
        .sync()
        .expect("a round that meets the unknown kind still ends");
    assert_eq!(round.pulled, 0, "nothing applied out of order: {round:?}");
    assert_eq!(
        sup.vault.update_needed().expect("count"),
        1,
        "the app asks to be updated"
    );
    let held = sup.vault.held_records().expect("held");
    assert!(
        held.iter().any(|h| h.contains(NEEDS_NEWER_VERSION)),
        "{held:?}"
    );
    assert!(
        held.iter()
            .any(|h| h.contains("an earlier record of this device is held")),
        "the note waits behind the task: {held:?}"
    );
    assert_eq!(sup.state(), before, "nothing of either record applied");
    assert!(sup.vault.note(note).is_err(), "the note is not shown yet");

    // Further rounds keep both (never dropped), then the update: both apply, in order.
    sup.sync().expect("another round");
    assert_eq!(sup.vault.held_records().expect("held").len(), held.len());
    sup.vault.forge_older_build(None);
    sup.sync().expect("the first round after the update");
    assert_eq!(sup.vault.update_needed().expect("count"), 0);
    assert!(sup.vault.held_records().expect("held").is_empty());
    assert_eq!(
        sup.vault.note(note).expect("read").content.narrative,
        "catatan setelah tugas"
    );
    assert_eq!(sup.state(), c.state(), "the same record on both computers");
}

#[test]
fn a_future_kind_or_format_from_a_newer_build_is_held_and_kept_never_dropped() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Masa Depan", "sup", "kons");
    let client = c
        .vault
        .add_client(&profile("V-2", "Klien Masa Depan"))
        .expect("client");
    c.vault
        .add_note(client, &draft("catatan biasa"))
        .expect("note");
    c.sync().expect("push");
    sup.sync().expect("pull");
    let before = sup.state();

    // A newer build's record: kind code 50, signed by the counselor's device, under the next
    // sequence of its log; and, under the same sequence, a body in a format from the future
    // (both copies are kept: neither pushes the other out).
    let last = c
        .vault
        .outbox_after(0)
        .expect("log")
        .pop()
        .expect("a record");
    let mut next = last.clone();
    next.seq += 1;
    next.hlc = teduh_core::hlc::Hlc(last.hlc.0 + 1);
    let future_kind = c.vault.forge_future_kind(&next, 50).expect("forged");
    let mut future_format = future_kind.clone();
    future_format.payload[0] = 0x45;
    let cursor = sup.pull_cursor();
    let got = sup
        .vault
        .receive_page(&[future_kind, future_format], cursor)
        .expect("receives");
    assert_eq!(got.applied, 0, "{got:?}");
    assert!(
        got.held.iter().any(|h| h.contains("record kind 50")),
        "{got:?}"
    );
    assert!(
        got.held
            .iter()
            .any(|h| h.contains("record format 5") && h.contains(NEEDS_NEWER_VERSION)),
        "{got:?}"
    );
    assert_eq!(sup.vault.update_needed().expect("count"), 2);
    assert_eq!(sup.state(), before, "nothing applied");
    sup.sync().expect("a later round");
    assert_eq!(
        sup.vault.update_needed().expect("count"),
        2,
        "kept across rounds until an update reads them"
    );
}

/// An attacker's review found both: a server that plants an unreadable copy of a record (it can
/// make the format byte say anything) must neither stall a colleague's log for good nor keep
/// the genuine record from applying.
#[test]
fn a_junk_copy_the_server_plants_neither_stalls_a_colleague_nor_pushes_out_the_genuine_record() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Sampah", "sup", "kons");
    let client = c
        .vault
        .add_client(&profile("V-3", "Klien Sampah"))
        .expect("client");
    c.sync().expect("push");
    sup.sync().expect("pull");
    let counselor = c.device();
    let junk = |seq: u64| teduh_protocol::sync::Record {
        device_id: counselor,
        device_seq: seq,
        key_epoch: 1,
        hlc: 1,
        payload: vec![0x4f, 1, 2, 3],
    };

    // A junk copy of a record the supervisor already applied: nothing held, nothing asked.
    let got = sup
        .vault
        .receive_page(&[junk(1)], sup.pull_cursor())
        .expect("receives");
    assert_eq!(got.duplicates, 1, "{got:?}");
    assert!(sup.vault.held_records().expect("held").is_empty());
    assert_eq!(sup.vault.update_needed().expect("count"), 0);

    // A junk copy of the counselor's next record, planted before the genuine one arrives.
    let note = c
        .vault
        .add_note(client, &draft("catatan asli"))
        .expect("note");
    let next = c.vault.outbox(100).expect("outbox")[0].seq;
    sup.vault
        .receive_page(&[junk(next)], sup.pull_cursor())
        .expect("receives");
    assert_eq!(sup.vault.held_records().expect("held").len(), 1);
    c.sync().expect("push");
    sup.sync().expect("pull");
    assert_eq!(
        sup.vault
            .note(note)
            .expect("the genuine note applies")
            .content
            .narrative,
        "catatan asli"
    );
    assert!(
        sup.vault.held_records().expect("held").is_empty(),
        "the junk copy went with the genuine record"
    );
    assert_eq!(sup.vault.update_needed().expect("count"), 0);
    // And the counselor's later records still arrive.
    let later = c
        .vault
        .add_note(client, &draft("catatan berikutnya"))
        .expect("note");
    c.sync().expect("push");
    sup.sync().expect("pull");
    assert!(sup.vault.note(later).is_ok());
}

#[test]
fn a_flood_of_junk_copies_fills_no_disk_and_the_genuine_record_still_applies() {
    let server = TestServer::start();
    let team = server.create_team("Tim Banjir");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut c = server.member(&team, Role::Counselor, "kons");
    sup.admit(&mut c);
    let client = c
        .vault
        .add_client(&profile("B-1", "Klien Banjir"))
        .expect("client");
    c.vault.add_note(client, &draft("teks asli")).expect("note");
    let rows = c.vault.outbox_after(0).expect("log");
    let wire = c.vault.wire_records(&rows).expect("wire");
    let note = wire.last().expect("the note").clone();

    // A hostile server sends 400 distinct damaged copies of the note (each fails its signature).
    let inside = 1 + teduh_core::records::SEALED_HEADER_LEN;
    let flood: Vec<_> = (0..400)
        .map(|i| {
            // Each copy differs: byte `at` of the body, flipped by a different mask.
            let mut copy = note.clone();
            let n = copy.payload.len() - inside - 1;
            copy.payload[inside + i % n] ^= u8::try_from(1 + i / n).expect("small");
            copy
        })
        .collect();
    let got = sup.vault.receive_page(&flood, 0).expect("receives");
    assert_eq!(got.applied, 0);
    let cap = teduh_core::vault::MAX_FAILED_COPIES_HELD as usize;
    assert_eq!(got.held.len(), cap, "kept as evidence, up to the cap");
    assert_eq!(got.discarded as usize, 400 - cap, "{got:?}");
    assert_eq!(sup.vault.held_records().expect("held").len(), cap);

    // The genuine records still arrive through sync and apply.
    c.sync().expect("sync");
    sup.sync().expect("sync");
    let notes = sup.vault.notes(client).expect("notes");
    assert_eq!(notes.len(), 1, "the genuine note applied");
    assert!(
        sup.vault.held_records().expect("held").is_empty(),
        "the junk is gone once it did"
    );
}
