//! Trust 3/3, checkpoints: a hostile operator who holds back records or a roster from one device
//! (with nothing but her own database) is caught by the devices themselves, from a colleague's
//! checkpoint. Same four assertions as the trust 2/3 suite: (a) the attack was mounted, (b)
//! nothing on the server opens under the keys it is aimed at, (c) the honest devices converge
//! afterwards, (d) the named alarm.

use std::time::Duration;

use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::hostile::{alarm_kinds, operator_sql};
use teduh_tests::oracle::{opened, reveals, team_rows};
use teduh_tests::TestServer;

const HIDDEN: &str = "QZCP-SETELAH-PENCABUTAN-7781";
const WITHHELD: &str = "QZCP-DITAHAN-7782";

fn promptly(devices: &mut [&mut Device]) {
    for d in devices.iter_mut() {
        d.vault.set_checkpoint_interval(Duration::ZERO);
    }
}

/// A supervisor, a counselor and a third member `b` in `role`, all admitted, writing
/// checkpoints at every round.
fn three(server: &TestServer, team: &str, role: Role, b_name: &str) -> (Device, Device, Device) {
    let (mut sup, mut c) = server.supervised_team(team, "sup", "kons");
    let mut b = server.member(team, role, b_name);
    sup.admit(&mut b);
    promptly(&mut [&mut sup, &mut c, &mut b]);
    b.sync().expect("b's first round");
    (sup, c, b)
}

#[test]
fn a_record_the_server_withholds_from_one_device_is_named_by_a_colleague_s_checkpoint() {
    let server = TestServer::start();
    let (mut sup, mut c, mut b) = three(&server, "Tim Tahan", Role::Counselor, "kons.b");
    let client = c
        .vault
        .add_client(&profile("W-1", "Klien Ditahan"))
        .expect("client");
    c.vault
        .assign_member(client, "kons.b")
        .expect_err("only a supervisor assigns");
    let note = c.vault.add_note(client, &draft(WITHHELD)).expect("note");
    c.sync().expect("push");
    sup.sync()
        .expect("the supervisor pulls the counselor's records");
    sup.vault
        .assign_member(client, "kons.b")
        .expect("b works on the case too");
    sup.sync()
        .expect("the supervisor's checkpoint states the counselor's log");

    // The attack: the operator drops the counselor's records so that b never gets them.
    let dropped = operator_sql(
        &server,
        "DELETE FROM records WHERE device_id = ?1",
        [c.device()],
    );
    assert!(
        dropped >= 3,
        "(a) the counselor's records are gone: {dropped}"
    );
    let first = b.sync().expect("a round");
    assert!(b.vault.note(note).is_err(), "(a) b does not have the note");
    assert!(
        !alarm_kinds(&b).contains(&"withheld".to_owned()),
        "{first:?}"
    );
    let second = b.sync().expect("the next round");
    assert!(
        second.alarms.iter().any(|a| a.starts_with("withheld")),
        "(d) named after a second complete round: {second:?}"
    );
    assert!(alarm_kinds(&b).contains(&"withheld".to_owned()));

    // (c) The operator stops: her server admits it lacks the records (as after a restore), the
    // counselor's device publishes them again, b reads the note and raises nothing more.
    operator_sql(
        &server,
        "UPDATE devices SET contiguous_seq = 0 WHERE id = ?1",
        [c.device()],
    );
    let r = c.sync().expect("the counselor re-publishes");
    assert!(r.resent >= 3, "{r:?}");
    b.sync().expect("b pulls");
    assert_eq!(
        b.vault.note(note).expect("b reads it").content.narrative,
        WITHHELD
    );
    let later = b.sync().expect("a quiet round");
    assert!(later.alarms.is_empty(), "{later:?}");
    // (b) What the server holds, the note now included, opens nothing of it under the keys of
    // a device that was never on the case (the operator holds no key at all).
    let mut other = server.member("Tim Tahan", Role::Counselor, "kons.lain");
    sup.admit(&mut other);
    let keys = other.vault.oracle_keys().expect("keys");
    let team = server.team_id("Tim Tahan");
    assert!(!reveals(
        &opened(team, &keys, &team_rows(&server, "Tim Tahan", &keys)),
        WITHHELD
    ));
}

#[test]
fn a_hidden_revocation_is_caught_and_nothing_is_written_under_the_old_keys_meanwhile() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Rahasia Lama", "sup", "kons");
    let mut stolen = server.member("Tim Rahasia Lama", Role::Counselor, "kons.hilang");
    sup.admit(&mut stolen);
    promptly(&mut [&mut sup, &mut c, &mut stolen]);
    let team = server.team_id("Tim Rahasia Lama");
    let client = c
        .vault
        .add_client(&profile("H-1", "Klien Laptop Dicuri"))
        .expect("client");
    c.sync().expect("push");
    sup.sync().expect("pull");
    let roster_before = c.vault.roster().expect("roster").expect("held").version;

    // The stolen laptop is revoked; the supervisor's round publishes a roster and an epoch
    // without it, and her checkpoint says so.
    let device = stolen.device();
    server.admin(teduh_server::admin::AdminCommand::RevokeDevice { device });
    let s = sup.sync().expect("the supervisor's round");
    let new_epoch = s.epoch;
    let new_roster = sup.vault.roster().expect("roster").expect("held").version;
    assert!(new_roster > roster_before);

    // The attack: the operator hides the new roster and epoch from everyone but her.
    operator_sql(
        &server,
        "DELETE FROM rosters WHERE team_id = ?1 AND version > ?2",
        rusqlite::params![team as i64, roster_before as i64],
    );
    operator_sql(
        &server,
        "DELETE FROM team_key_envelopes WHERE team_id = ?1 AND epoch >= ?2",
        rusqlite::params![team as i64, new_epoch],
    );
    operator_sql(
        &server,
        "UPDATE teams SET key_epoch = ?2 WHERE id = ?1",
        rusqlite::params![team as i64, new_epoch - 1],
    );
    c.sync().expect("a round under the old roster");
    assert_eq!(
        c.vault.roster().expect("roster").expect("held").version,
        roster_before,
        "(a) the counselor was shown the old roster"
    );
    let note = c.vault.add_note(client, &draft(HIDDEN)).expect("note");
    let r = c.sync().expect("the next round");
    assert!(
        r.alarms.iter().any(|a| a.starts_with("withheld")),
        "(d) {r:?}"
    );
    assert!(r.waiting_for_keys, "the round sends nothing: {r:?}");
    assert!(
        c.vault.pending_count().expect("pending") > 0,
        "the note waits here"
    );

    // (b) The stolen laptop's keys open nothing of the note on the server.
    let stolen_keys = stolen.vault.oracle_keys().expect("the thief's keys");
    assert!(!reveals(
        &opened(
            team,
            &stolen_keys,
            &team_rows(&server, "Tim Rahasia Lama", &stolen_keys)
        ),
        HIDDEN
    ));

    // (c) The supervisor's next round gives the server back what it lost; the counselor's note
    // then leaves under the new epoch, which the stolen laptop never holds.
    sup.sync().expect("the supervisor republishes");
    c.sync()
        .expect("the counselor gets the roster and key, then sends");
    assert_eq!(c.vault.pending_count().expect("pending"), 0);
    sup.sync().expect("pull");
    assert_eq!(
        sup.vault
            .note(note)
            .expect("the supervisor reads it")
            .content
            .narrative,
        HIDDEN
    );
    assert!(!reveals(
        &opened(
            team,
            &stolen_keys,
            &team_rows(&server, "Tim Rahasia Lama", &stolen_keys)
        ),
        HIDDEN
    ));
}

#[test]
fn two_devices_shown_different_versions_of_a_record_each_name_the_fork_from_the_other_s_checkpoint()
{
    let server = TestServer::start();
    let (mut sup, mut c, mut b) = three(&server, "Tim Cabang", Role::Supervisor, "sup.b");
    let client = c
        .vault
        .add_client(&profile("F-1", "Klien Cabang"))
        .expect("client");
    c.vault
        .add_note(client, &draft("satu versi"))
        .expect("note");
    // The counselor's device signs one version of its records, then other versions under the
    // same sequences (a stolen key, or a modified app), and sends the second.
    let first = c
        .vault
        .wire_records(&c.vault.outbox(100).expect("outbox"))
        .expect("wire");
    let newest =
        teduh_core::hlc::Hlc(first.iter().map(|r| r.hlc).max().expect("records") + (1 << 20));
    assert!(c.vault.restamp_outbox(newest).expect("restamp") > 0);
    c.sync().expect("sends the second versions");
    b.sync().expect("b applies the second versions");

    // The attack: the operator shows the supervisor only the first versions.
    operator_sql(
        &server,
        "DELETE FROM records WHERE device_id = ?1",
        [c.device()],
    );
    let cursor = sup.pull_cursor();
    let got = sup.vault.receive_page(&first, cursor).expect("receives");
    assert!(
        got.applied > 0,
        "(a) the supervisor applied the first versions: {got:?}"
    );
    assert!(
        alarm_kinds(&sup).is_empty(),
        "neither device can tell on its own yet"
    );
    assert!(alarm_kinds(&b).is_empty());

    // (d) Each device's checkpoint names the other's version: both raise the fork.
    sup.sync().expect("the supervisor states what she holds");
    let rb = b.sync().expect("b compares");
    assert!(
        rb.alarms.iter().any(|a| a.starts_with("fork")),
        "b names the fork from the supervisor's checkpoint: {rb:?}"
    );
    let rs = sup.sync().expect("the supervisor compares");
    assert!(
        rs.alarms.iter().any(|a| a.starts_with("fork")),
        "the supervisor names it from b's checkpoint: {rs:?}"
    );
    assert!(alarm_kinds(&sup).contains(&"fork".to_owned()));
    assert!(alarm_kinds(&b).contains(&"fork".to_owned()));

    // Each key manager's device has seen the other's checkpoint confirm the roster it holds.
    let roster = b.vault.roster().expect("roster").expect("held");
    let seen = b.vault.roster_confirmation(&roster).expect("confirmation");
    assert_eq!(seen.key_manager_devices, 2, "{seen:?}");
    assert!(
        seen.confirmed_at.is_some() && seen.key_manager_seen_at.is_some(),
        "{seen:?}"
    );
}
