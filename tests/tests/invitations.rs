//! Trust 2/3, invitations made on a key manager's device (the default way in): the newcomer
//! joins with a code whose secret the server never sees, and the key manager's device admits
//! her at its next sync by the proof she registered with, once. The hostile cases follow the
//! suite's pattern: (a) the attack is in the server's database and reached the victim, (b) the
//! attacker's key opens nothing, (c) the honest devices converge, (d) the named alarm.

use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::hostile::{
    alarm_kinds, envelopes_opened_by, key_epochs, operator_sql, write_and_converge, OperatorKeys,
};
use teduh_tests::TestServer;

/// The operator renames member `member` to `username` in her database.
fn rename_member(server: &TestServer, member: u64, username: &str) {
    operator_sql(
        server,
        "UPDATE members SET username = ?1 WHERE id = ?2",
        rusqlite::params![username, i64::try_from(member).expect("id")],
    );
}

/// A team with a supervisor and an admitted counselor who wrote a note, and a newcomer who
/// joined with the supervisor's invitation (not yet admitted: the supervisor has not synced).
fn invited_newcomer(team: &str) -> (TestServer, Device, Device, Device) {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team(team, "sup", "kons");
    write_and_converge(&mut sup, &mut c, "catatan sebelum undangan");
    let code = sup
        .invite("kons.baru", Role::Counselor)
        .expect("an invitation");
    let newcomer = Device::invited(server.url(), &code).expect("she joins with the code");
    (server, sup, c, newcomer)
}

#[test]
fn a_newcomer_invited_from_the_supervisor_s_device_is_admitted_at_its_next_sync_and_reads() {
    let (server, mut sup, mut c, mut newcomer) = invited_newcomer("Tim Undangan Baru");
    assert_eq!(
        newcomer.username(),
        "kons.baru",
        "the username the invitation names"
    );
    let waits = newcomer.sync().expect("she syncs before the supervisor");
    assert!(
        !newcomer.vault.is_admitted().expect("roster"),
        "she waits until the supervisor's device syncs: {waits:?}"
    );
    // The supervisor types nothing: her device checks the proof and admits the newcomer.
    let s = sup.sync().expect("the supervisor's ordinary sync");
    assert!(s.alarms.is_empty(), "{s:?}");
    assert!(
        sup.vault.pending_devices().expect("pending").is_empty(),
        "nothing waits: the invitation admitted her"
    );
    newcomer.sync().expect("she receives the team key");
    assert!(newcomer.vault.is_admitted().expect("roster"));
    assert!(!key_epochs(&newcomer).is_empty(), "she holds the team key");
    let client = newcomer
        .vault
        .add_client(&profile("K-UND", "Klien Undangan"))
        .expect("client");
    newcomer
        .vault
        .add_note(client, &draft("catatan anggota baru"))
        .expect("note");
    newcomer.sync().expect("sends");
    write_and_converge(&mut sup, &mut c, "catatan setelah undangan");
    assert_eq!(
        sup.vault.notes(client).expect("notes")[0].content.narrative,
        "catatan anggota baru",
        "the supervisor reads what she wrote"
    );
    for d in [&sup, &c, &newcomer] {
        assert_eq!(
            alarm_kinds(d),
            Vec::<String>::new(),
            "an honest invitation raises nothing"
        );
    }
    // A code works once: a second device with it is refused at the server.
    let code = sup
        .invite("kons.lain", Role::Outreach)
        .expect("another invitation");
    Device::invited(server.url(), &code).expect("first use");
    assert!(
        Device::invited(server.url(), &code).is_err(),
        "the server refuses the second registration"
    );
}

#[test]
fn a_second_redemption_the_operator_writes_herself_is_refused_and_named() {
    let (server, mut sup, mut c, mut newcomer) = invited_newcomer("Tim Tebus Ulang");
    let team = server.team_id("Tim Tebus Ulang");
    sup.sync().expect("admits the newcomer");
    newcomer.sync().expect("keys");

    // The attack: the operator redeems the invitation again for a member of her own making:
    // she renames the newcomer's member, writes a new member under the invited username, and
    // copies the newcomer's device (its proof and keys) under it.
    let op = OperatorKeys::new();
    rename_member(&server, newcomer.member(), "kosong");
    operator_sql(
        &server,
        "INSERT INTO members (team_id, username, role, created_at)
         SELECT team_id, 'kons.baru', role, 0 FROM members WHERE id = ?1",
        [i64::try_from(newcomer.member()).expect("id")],
    );
    let copied = operator_sql(
        &server,
        "INSERT INTO devices (member_id, name, public_keys, join_proof, token_hash, created_at,
             expires_at)
         SELECT (SELECT id FROM members WHERE username = 'kons.baru'), 'salinan', public_keys,
             join_proof, x'0303', 0, 4000000000
         FROM devices WHERE id = ?1",
        [i64::try_from(newcomer.device()).expect("id")],
    );
    assert_eq!(copied, 1, "(a) the second redemption is in her database");
    let report = sup.sync().expect("the supervisor's round");
    assert!(
        report
            .alarms
            .iter()
            .any(|a| a.starts_with("invitation-reused")),
        "(a, d) {report:?}"
    );
    let roster = sup.vault.roster().expect("roster").expect("held");
    assert_eq!(
        roster
            .devices
            .iter()
            .filter(|d| d.member == newcomer.member() && !d.revoked)
            .count(),
        1,
        "(b) only her own device is in the roster"
    );
    assert_eq!(
        envelopes_opened_by(&server, team, &op.x25519),
        Vec::<String>::new(),
        "(b) nothing opens under the operator's key"
    );
    write_and_converge(&mut sup, &mut c, "catatan setelah tebus ulang");
    newcomer.sync().expect("the newcomer goes on");
    assert_eq!(alarm_kinds(&newcomer), Vec::<String>::new());
}

#[test]
fn keys_swapped_under_an_invitation_proof_are_refused_named_and_open_nothing() {
    let (server, mut sup, mut c, mut newcomer) = invited_newcomer("Tim Bukti");
    let team = server.team_id("Tim Bukti");
    newcomer.sync().expect("she waits");

    // The attack: before the supervisor's device sees her, her device's keys on the server
    // become the operator's (the proof she registered with stays).
    let op = OperatorKeys::new();
    let changed = operator_sql(
        &server,
        "UPDATE devices SET public_keys = ?1 WHERE id = ?2",
        rusqlite::params![
            op.public_keys(),
            i64::try_from(newcomer.device()).expect("id")
        ],
    );
    assert_eq!(changed, 1, "(a) the swapped keys are in her database");
    let report = sup.sync().expect("the supervisor's round");
    assert!(
        report
            .alarms
            .iter()
            .any(|a| a.starts_with("forged-invitation-proof")),
        "(a, d) {report:?}"
    );
    assert!(
        !sup.vault
            .roster()
            .expect("roster")
            .expect("held")
            .lists_active_device(newcomer.device()),
        "(b) the device is not admitted"
    );
    assert_eq!(
        envelopes_opened_by(&server, team, &op.x25519),
        Vec::<String>::new(),
        "(b) nothing sealed to the operator's key"
    );
    newcomer.sync().expect("she syncs");
    assert_eq!(
        key_epochs(&newcomer),
        Vec::<u32>::new(),
        "no key reached anyone new"
    );
    write_and_converge(&mut sup, &mut c, "catatan setelah bukti palsu");
    assert_eq!(alarm_kinds(&c), Vec::<String>::new());
}

#[test]
fn a_roster_the_server_makes_up_for_an_invited_newcomer_is_refused_by_her_anchor() {
    let (server, mut sup, mut c, mut newcomer) = invited_newcomer("Tim Jangkar");
    let team = server.team_id("Tim Jangkar");

    // The attack: before her first round, the operator puts in place of the roster her
    // invitation names one of her own making, in which the supervisor's device key is hers,
    // signed with it (a roster that vouches for itself).
    let op = OperatorKeys::new();
    let mut fake = sup.vault.roster().expect("roster").expect("held");
    let sup_device = sup.device();
    for d in &mut fake.devices {
        if d.device == sup_device {
            d.ed25519 = op.ed25519_hex();
        }
    }
    let replaced = operator_sql(
        &server,
        "UPDATE rosters SET roster = ?1 WHERE team_id = ?2 AND version = ?3",
        rusqlite::params![
            fake.sign(sup_device, &op.ed25519),
            i64::try_from(team).expect("id"),
            i64::try_from(fake.version).expect("version")
        ],
    );
    assert_eq!(replaced, 1, "(a) the made-up roster is in her database");
    let report = newcomer.sync().expect("her first round");
    assert!(
        report.alarms.iter().any(|a| a.starts_with("forged-roster")),
        "(a, d) the made-up roster reached her and was named: {report:?}"
    );
    assert_eq!(
        newcomer.vault.roster().expect("roster"),
        None,
        "(b) she accepted no roster but the one her invitation names"
    );
    assert!(newcomer.vault.safety_numbers().expect("numbers").is_empty());

    // (d) Before she holds a roster, she reports to her inviter's device: the supervisor's
    // next round shows it (and admits her by her proof in the same round, so the report is
    // verified against the key her proof names).
    sup.sync().expect("the supervisor's next round");
    assert!(
        sup.vault
            .reported_alarms()
            .expect("reports")
            .iter()
            .any(|r| r.kind == "forged-roster" && r.reporter == newcomer.device() && r.verified),
        "reported to her inviter within two rounds"
    );

    // (c) The team goes on; the server can keep her out (deny service) but not fool her.
    write_and_converge(&mut sup, &mut c, "catatan setelah roster karangan");
    newcomer.sync().expect("her next round");
    assert_eq!(newcomer.vault.roster().expect("roster"), None);
    assert_eq!(key_epochs(&newcomer), Vec::<u32>::new(), "(b) no team key");
    assert_eq!(alarm_kinds(&c), Vec::<String>::new());
}

#[test]
fn another_supervisor_s_device_leaves_an_invited_newcomer_to_her_inviter_without_an_alarm() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Dua Supervisor", "sup", "kons");
    let mut sup2 = server.member("Tim Dua Supervisor", Role::Supervisor, "sup2");
    sup.admit(&mut sup2);
    let code = sup
        .invite("kons.baru", Role::Counselor)
        .expect("an invitation");
    let mut newcomer = Device::invited(server.url(), &code).expect("she joins");
    newcomer.sync().expect("she waits");
    // The other supervisor's device syncs first: not its invitation, so it leaves her waiting.
    sup2.sync().expect("the other supervisor's round");
    assert!(
        sup2.vault
            .pending_devices()
            .expect("pending")
            .iter()
            .any(|p| p.username == "kons.baru"),
        "she waits on the other supervisor's device"
    );
    sup.sync().expect("her inviter's round admits her");
    sup2.sync()
        .expect("the other supervisor follows the roster");
    newcomer.sync().expect("she receives the key");
    assert!(newcomer.vault.is_admitted().expect("roster"));
    write_and_converge(&mut sup, &mut c, "catatan dua supervisor");
    for d in [&sup, &sup2, &c, &newcomer] {
        assert_eq!(alarm_kinds(d), Vec::<String>::new(), "no false alarm");
    }
}

#[test]
fn an_invited_device_the_server_files_under_a_supervisor_is_not_made_her_device() {
    let (server, mut sup, mut c, mut newcomer) = invited_newcomer("Tim Salah Anggota");
    newcomer.sync().expect("she waits");
    // The attack: the operator moves the newcomer's device under the supervisor's member and
    // gives that member the newcomer's username in her lists.
    operator_sql(
        &server,
        "UPDATE devices SET member_id = ?1 WHERE id = ?2",
        [
            i64::try_from(sup.member()).expect("id"),
            i64::try_from(newcomer.device()).expect("id"),
        ],
    );
    rename_member(&server, newcomer.member(), "kosong");
    rename_member(&server, sup.member(), "kons.baru");
    let report = sup.sync().expect("the supervisor's round");
    assert!(
        report
            .alarms
            .iter()
            .any(|a| a.starts_with("forged-invitation-proof")),
        "(a, d) {report:?}"
    );
    let roster = sup.vault.roster().expect("roster").expect("held");
    assert!(
        !roster.lists_active_device(newcomer.device()),
        "(b) not admitted as a device of the supervisor"
    );
    assert!(
        sup.vault
            .pending_devices()
            .expect("pending")
            .iter()
            .all(|p| p.username != "kons.baru" || p.member != sup.member()),
        "a device filed under a member of the roster waits under her name, not the server's label"
    );
    write_and_converge(&mut sup, &mut c, "catatan setelah salah anggota");
}

#[test]
fn an_invited_supervisor_shown_an_empty_team_waits_instead_of_making_her_own() {
    let server = TestServer::start();
    let (mut sup, _c) = server.supervised_team("Tim Kosong", "sup", "kons");
    let code = sup
        .invite("sup.baru", Role::Supervisor)
        .expect("an invitation");
    let mut newcomer = Device::invited(server.url(), &code).expect("she joins");
    // The attack: the operator shows her a team with no roster and no key, hoping her device
    // starts a team of its own (cut off from the real one).
    let team = i64::try_from(server.team_id("Tim Kosong")).expect("id");
    operator_sql(&server, "DELETE FROM rosters WHERE team_id = ?1", [team]);
    operator_sql(
        &server,
        "DELETE FROM team_key_envelopes WHERE team_id = ?1",
        [team],
    );
    operator_sql(
        &server,
        "UPDATE teams SET key_epoch = 0 WHERE id = ?1",
        [team],
    );
    newcomer.sync().expect("her round");
    assert_eq!(
        newcomer.vault.roster().expect("roster"),
        None,
        "she made no roster"
    );
    assert_eq!(key_epochs(&newcomer), Vec::<u32>::new(), "and no team key");
    let (epoch, _) = server
        .block_on(
            server
                .storage()
                .envelopes(server.team_id("Tim Kosong"), newcomer.device()),
        )
        .expect("envelopes");
    assert_eq!(epoch, 0, "nothing of hers reached the server");
}
