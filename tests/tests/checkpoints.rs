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

/// [`three`] with a client of the counselor's that b works on too, and a note `text` the
/// supervisor has pulled and stated in her checkpoint: (sup, counselor, b, client, note).
fn three_on_a_case(
    server: &TestServer,
    team: &str,
    code: &str,
    text: &str,
) -> (
    Device,
    Device,
    Device,
    teduh_core::ids::ClientId,
    teduh_core::ids::NoteId,
) {
    let (mut sup, mut c, b) = three(server, team, Role::Counselor, "kons.b");
    let client = c
        .vault
        .add_client(&profile(code, "Klien Kasus"))
        .expect("client");
    let note = c.vault.add_note(client, &draft(text)).expect("note");
    c.sync().expect("push");
    sup.sync().expect("the supervisor pulls");
    sup.vault
        .assign_member(client, "kons.b")
        .expect("b works on the case too");
    sup.sync().expect("and states the counselor's log");
    (sup, c, b, client, note)
}

/// (c) The operator stops: the server drops what it holds of the counselor's log and its
/// account of it (as after a restore), her device publishes it again, and b reads `note` as
/// `text` with nothing left held.
fn counselor_republishes_and_b_converges(
    server: &TestServer,
    c: &mut Device,
    b: &mut Device,
    note: teduh_core::ids::NoteId,
    text: &str,
) {
    operator_sql(
        server,
        "DELETE FROM records WHERE device_id = ?1",
        [c.device()],
    );
    operator_sql(
        server,
        "UPDATE devices SET contiguous_seq = 0 WHERE id = ?1",
        [c.device()],
    );
    let r = c.sync().expect("the counselor re-publishes");
    assert!(r.resent > 0, "{r:?}");
    b.sync().expect("b pulls");
    b.sync().expect("b's held records follow");
    assert_eq!(
        b.vault.note(note).expect("b reads it").content.narrative,
        text
    );
    assert!(b.vault.held_records().expect("held").is_empty());
}

/// (d) `b`'s next round names a `withheld` record, and the alarm stays listed.
fn withheld_named_on_the_next_round(b: &mut Device, why: &str) {
    let r = b.sync().expect("the next round");
    assert!(
        r.alarms.iter().any(|a| a.starts_with("withheld")),
        "{why}: {r:?}"
    );
    assert!(alarm_kinds(b).contains(&"withheld".to_owned()), "{why}");
}

/// (b) Whatever the server holds opens nothing of `text` under the keys of a member of `team`
/// never on the case (the operator holds no key at all).
fn a_stranger_opens_nothing(server: &TestServer, team: &str, sup: &mut Device, text: &str) {
    let mut other = server.member(team, Role::Counselor, "kons.lain");
    sup.admit(&mut other);
    let keys = other.vault.oracle_keys().expect("keys");
    let id = server.team_id(team);
    assert!(!reveals(
        &opened(id, &keys, &team_rows(server, team, &keys)),
        text
    ));
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
    withheld_named_on_the_next_round(&mut b, "(d) named after a second complete round");

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

const AWAY: &str = "QZCP-PENULIS-LUAR-JARINGAN-7783";
const KEPT_BACK: &str = "QZCP-DITAHAN-SETELAH-PULIH-7784";

/// A team of three whose counselor writes `text` after the server's nightly backup; the
/// supervisor pulls it and states it in a checkpoint, b (on the case) does not sync meanwhile.
/// Then the backup is restored as docs/operations.md says. Returns the restored server, the
/// three devices, the note and the counselor's sequence at the backup.
fn restored_after_a_note(
    team: &str,
    text: &str,
) -> (
    TestServer,
    Device,
    Device,
    Device,
    teduh_core::ids::NoteId,
    u64,
) {
    let server = TestServer::start();
    let (mut sup, mut c, mut b) = three(&server, team, Role::Counselor, "kons.b");
    let client = c
        .vault
        .add_client(&profile("P-1", "Klien Pulih"))
        .expect("client");
    c.sync().expect("push");
    sup.sync().expect("pull");
    sup.vault
        .assign_member(client, "kons.b")
        .expect("b works on the case too");
    sup.sync().expect("push the assignment");
    b.sync().expect("b receives the client");
    let backup = server.back_up();
    let at_backup = c.vault.highest_seq_of(c.vault.device_id()).expect("seq");
    let note = c.vault.add_note(client, &draft(text)).expect("note");
    c.sync().expect("the note reaches the server");
    sup.sync().expect("the supervisor pulls it");
    sup.sync()
        .expect("and states it in her checkpoint, which the backup lacks too");
    let server = server.restored_from(&backup);
    server.admin(teduh_server::admin::AdminCommand::AfterRestore { by: 1_000_000 });
    (server, sup, c, b, note, at_backup)
}

#[test]
fn a_real_restore_while_the_author_is_away_stays_informational_until_she_re_publishes() {
    let (_server, mut sup, mut c, mut b, note, _) = restored_after_a_note("Tim Pulih", AWAY);
    let s = sup.sync().expect("the supervisor's round");
    assert!(s.server_restored && s.resent > 0, "{s:?}");

    // The counselor is away: only she can send her note again. b's rounds meanwhile name
    // it missing (the supervisor's checkpoint) but raise nothing; the restore notice says why.
    for round in 0..3 {
        let r = b.sync().expect("b's round");
        assert!(r.alarms.is_empty(), "round {round}: {r:?}");
    }
    assert!(b.vault.note(note).is_err(), "b does not have the note yet");
    assert!(alarm_kinds(&b).is_empty(), "{:?}", alarm_kinds(&b));
    assert!(
        b.vault
            .binding()
            .expect("binding")
            .expect("joined")
            .server_restored_at
            .is_some(),
        "b shows the restore notice, learnt from the supervisor's checkpoint"
    );

    // She comes back: her device sends the note again and b reads it; nobody was alarmed.
    let r = c.sync().expect("the counselor's round");
    assert!(r.server_restored && r.resent > 0, "{r:?}");
    for d in [&mut sup, &mut b, &mut c] {
        let r = d.sync().expect("a round");
        assert!(r.alarms.is_empty(), "{r:?}");
    }
    let r = b.sync().expect("b's next round");
    assert!(r.alarms.is_empty(), "{r:?}");
    assert_eq!(
        b.vault.note(note).expect("b reads it").content.narrative,
        AWAY
    );
    for d in [&sup, &c, &b] {
        assert!(alarm_kinds(d).is_empty(), "{:?}", alarm_kinds(d));
        assert!(d.vault.held_records().expect("held").is_empty());
    }
}

#[test]
fn a_rolled_back_server_that_keeps_withholding_after_the_author_re_publishes_is_caught() {
    let (server, mut sup, mut c, mut b, note, at_backup) =
        restored_after_a_note("Tim Tahan Lagi", KEPT_BACK);
    sup.sync()
        .expect("the supervisor's round finds the restore");
    let r = c.sync().expect("the counselor re-publishes");
    assert!(r.resent > 0, "{r:?}");
    let lost_through = at_backup + r.resent;

    // The attack: the operator drops again what she sent, leaving the server's account of
    // her log as it was (her device believes it stored), and serves everything else.
    let dropped = operator_sql(
        &server,
        "DELETE FROM records WHERE device_id = ?1 AND device_seq > ?2 AND device_seq <= ?3",
        rusqlite::params![c.device() as i64, at_backup as i64, lost_through as i64],
    );
    assert!(dropped > 0, "(a) the re-published records are gone");
    let client = c.vault.note(note).expect("her note").client;
    c.vault
        .add_note(client, &draft("catatan berikutnya"))
        .expect("she works on");
    c.sync().expect("her later records are served");
    sup.sync().expect("the supervisor pulls them");
    sup.sync()
        .expect("her checkpoint states the counselor's log and when it moved");

    let first = b.sync().expect("b's round");
    assert!(b.vault.note(note).is_err(), "(a) b never gets the note");
    assert!(first.alarms.is_empty(), "{first:?}");
    withheld_named_on_the_next_round(
        &mut b,
        "(d) the author is back and her record is still missing",
    );

    // (c) The operator stops: the server admits what it lacks, the counselor's device sends it
    // once more and b converges.
    operator_sql(
        &server,
        "UPDATE devices SET contiguous_seq = ?2 WHERE id = ?1",
        rusqlite::params![c.device() as i64, at_backup as i64],
    );
    c.sync().expect("the counselor re-publishes");
    b.sync().expect("b pulls");
    assert_eq!(
        b.vault.note(note).expect("b reads it").content.narrative,
        KEPT_BACK
    );
    b.sync().expect("b's next round");
    assert!(
        b.vault.held_records().expect("held").is_empty(),
        "{:?}",
        b.vault.held_records()
    );

    a_stranger_opens_nothing(&server, "Tim Tahan Lagi", &mut sup, KEPT_BACK);
}

#[test]
fn a_server_that_fakes_a_restore_at_every_round_does_not_keep_a_withheld_record_quiet() {
    let server = TestServer::start();
    let (mut sup, mut c, mut b, client, note) =
        three_on_a_case(&server, "Tim Pura Pulih", "F-1", WITHHELD);
    let (counselor, member_b) = (c.device(), b.device());
    let drop_counselor = |server: &TestServer| {
        operator_sql(
            server,
            "DELETE FROM records WHERE device_id = ?1",
            [counselor],
        )
    };
    // The attack: the counselor's records are kept from b, and before each of b's rounds the
    // server pretends to have been restored (it "forgets" b's own records).
    let fake_restore = |server: &TestServer| {
        operator_sql(
            server,
            "DELETE FROM records WHERE device_id = ?1",
            [member_b],
        );
        operator_sql(
            server,
            "UPDATE devices SET contiguous_seq = 0 WHERE id = ?1",
            [member_b],
        )
    };
    assert!(drop_counselor(&server) > 0, "(a)");
    // b writes too, so that the server has a log of hers to cut.
    b.vault
        .add_client(&profile("F-0", "Klien Sendiri"))
        .expect("client");
    b.sync().expect("b pushes");
    fake_restore(&server);
    let r = b.sync().expect("b's round");
    assert!(r.server_restored, "(a) b was shown a restore: {r:?}");
    assert!(r.alarms.is_empty(), "the author may be away: {r:?}");

    // The counselor works on; the supervisor sees it and says so. The server keeps it all from
    // b and fakes a restore again before each of her rounds.
    c.vault
        .add_note(client, &draft("catatan lain"))
        .expect("note");
    c.sync().expect("push");
    sup.sync().expect("pull");
    sup.sync().expect("state");
    drop_counselor(&server);
    let mut named = Vec::new();
    for _ in 0..2 {
        fake_restore(&server);
        let r = b.sync().expect("b's round");
        assert!(r.server_restored, "{r:?}");
        named.extend(r.alarms);
    }
    assert!(b.vault.note(note).is_err(), "(a) b never got the note");
    assert!(
        named.iter().any(|a| a.starts_with("withheld")),
        "(d) the author was seen back since the first restore b heard of: {named:?}"
    );

    counselor_republishes_and_b_converges(&server, &mut c, &mut b, note, WITHHELD);
    a_stranger_opens_nothing(&server, "Tim Pura Pulih", &mut sup, WITHHELD);
}

#[test]
fn a_junk_copy_in_place_of_a_withheld_record_does_not_keep_the_alarm_quiet() {
    let server = TestServer::start();
    let (mut sup, mut c, mut b, _, note) = three_on_a_case(&server, "Tim Salinan", "J-1", WITHHELD);
    // The attack: every record of the counselor's reaches b with one byte of its sealed header
    // changed (it opens for nobody), instead of not at all.
    let damaged = operator_sql(
        &server,
        "UPDATE records SET payload = CAST(substr(payload, 1, 40) || X'00' || substr(payload, 42) AS BLOB)
         WHERE device_id = ?1",
        [c.device()],
    );
    assert!(damaged > 0, "(a)");
    let first = b.sync().expect("b's round");
    assert!(!first.held.is_empty(), "(a) b holds the junk: {first:?}");
    withheld_named_on_the_next_round(&mut b, "(d) a copy that fails its check is not the record");
    assert!(b.vault.note(note).is_err());

    // (c) and (b): b converges and drops the junk; the damaged copies opened nothing either.
    counselor_republishes_and_b_converges(&server, &mut c, &mut b, note, WITHHELD);
    a_stranger_opens_nothing(&server, "Tim Salinan", &mut sup, WITHHELD);
}
