//! Trust 2/3: a hostile server operator, with nothing but her own database, tries to get a team
//! key she can read or to make devices accept keys and rosters she made. For each attack the
//! test (a) shows the attack was mounted (the row is in the database, the forged data reached
//! the victim), (b) shows with the oracle that nothing on the server opens under a key she holds,
//! (c) shows the honest devices converge afterwards, and (d) checks the named alarm.

use teduh_core::team::roster::Roster;
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::hostile::{alarm_kinds, forge_epoch, opened_by};
use teduh_tests::TestServer;

/// A counselor writes a note with `marker` and both sync until each has the other's records.
fn write_and_converge(server: &TestServer, sup: &mut Device, c: &mut Device, marker: &str) {
    let client = c
        .vault
        .add_client(&profile(&format!("K-{marker}"), "Klien Uji"))
        .expect("client");
    c.vault.add_note(client, &draft(marker)).expect("note");
    for _ in 0..3 {
        sup.sync().expect("the supervisor syncs");
        c.sync().expect("the counselor syncs");
    }
    assert_eq!(
        c.vault.pending_count().expect("pending"),
        0,
        "the counselor sent everything"
    );
    assert_eq!(sup.state(), c.state(), "the honest devices converge");
    let _ = server;
}

fn held_epochs(d: &Device) -> Vec<u32> {
    // Epoch 0 is the provisional key of a vault before it joined.
    let mut e: Vec<u32> = d
        .vault
        .team_epochs()
        .into_iter()
        .filter(|e| *e > 0)
        .collect();
    e.sort_unstable();
    e
}

#[test]
fn a_team_key_the_server_made_for_a_new_epoch_is_refused_and_the_team_moves_past_it() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Amplop", "sup", "kons");
    let team = server.team_id("Tim Amplop");
    let sup_member = sup
        .vault
        .binding()
        .expect("binding")
        .expect("joined")
        .member;
    let before = held_epochs(&c);

    // The attack: epoch 2 with her own key, sealed to every member, signed in the supervisor's
    // name with a key of her own.
    let forged = forge_epoch(&server, team, 2, sup_member);
    let c_member = c.vault.binding().expect("binding").expect("joined").member;
    let served = server
        .block_on(server.storage().envelopes(team, c_member))
        .expect("envelopes");
    assert!(
        served.1.iter().any(|e| e.0 == 2),
        "(a) the forged envelope is there for the counselor"
    );

    let report = c.sync().expect("the counselor's round ends cleanly");
    assert!(
        report
            .alarms
            .iter()
            .any(|a| a.starts_with("forged-team-key")),
        "(a, d) the forged envelope reached the counselor and was named: {report:?}"
    );
    assert_eq!(held_epochs(&c), before, "the counselor adopted no key");

    // The counselor goes on working; the supervisor's next round moves the team past the
    // forged epoch.
    write_and_converge(&server, &mut sup, &mut c, "catatan setelah serangan amplop");
    assert!(
        held_epochs(&c).iter().all(|e| *e != 2),
        "{:?}",
        held_epochs(&c)
    );
    assert!(
        held_epochs(&c).iter().any(|e| *e > 2),
        "(c) a key manager's epoch replaced hers"
    );
    assert_eq!(
        opened_by(&server, team, &[forged]),
        Vec::<String>::new(),
        "(b) nothing on the server opens under the operator's key"
    );
    assert!(alarm_kinds(&c).contains(&"forged-team-key".to_owned()));
    assert!(
        alarm_kinds(&sup).contains(&"forged-team-key".to_owned()),
        "the supervisor was sent one too and named it"
    );
}

#[test]
fn an_epoch_number_jump_is_named_and_the_supervisor_publishes_past_it() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Lompat", "sup", "kons");
    let team = server.team_id("Tim Lompat");
    // The attack: the operator moves the team's epoch from 1 to 9 (records under the genuine
    // key are refused there from now on).
    let keys: Vec<_> = (2..=9).map(|e| forge_epoch(&server, team, e, 0)).collect();
    let report = c.sync().expect("round");
    assert!(
        report.alarms.iter().any(|a| a.starts_with("epoch-jump")),
        "(a, d) {report:?}"
    );
    assert_eq!(held_epochs(&c), vec![1], "no key adopted");

    write_and_converge(&server, &mut sup, &mut c, "catatan setelah lompatan");
    assert!(held_epochs(&c).contains(&10), "(c) {:?}", held_epochs(&c));
    assert_eq!(
        opened_by(&server, team, &keys),
        Vec::<String>::new(),
        "(b) nothing opens under any key the operator made"
    );
}

#[test]
fn an_old_roster_served_as_new_is_refused_and_named() {
    let server = TestServer::start();
    let team_name = server.create_team("Tim Ulang");
    let mut sup = server.member(&team_name, teduh_protocol::sync::Role::Supervisor, "sup");
    sup.sync().expect("first roster");
    let team = server.team_id(&team_name);
    let (v1, first) = server
        .block_on(server.storage().roster(team))
        .expect("roster")
        .expect("one roster");
    let mut c = server.member(&team_name, teduh_protocol::sync::Role::Counselor, "kons");
    sup.sync().expect("second roster, with the counselor");
    c.sync().expect("the counselor gets it");
    let held = c.vault.roster().expect("roster").expect("held").version;
    assert!(held > v1);

    // The attack: the first roster, without the counselor, served under a newer version.
    server
        .block_on(
            server
                .storage()
                .put_roster(team, held + 5, first.clone(), 0),
        )
        .expect("the operator stores it");
    let report = c.sync().expect("round");
    assert!(
        report
            .alarms
            .iter()
            .any(|a| a.starts_with("replayed-roster")),
        "(a, d) {report:?}"
    );
    assert_eq!(
        c.vault.roster().expect("roster").expect("held").version,
        held,
        "the counselor keeps the roster she had"
    );
    // The supervisor publishes a roster past the replayed one; everyone goes on.
    write_and_converge(&server, &mut sup, &mut c, "catatan setelah roster lama");
    assert!(c.vault.roster().expect("roster").expect("held").version > held + 5);
    assert!(
        Roster::verify(&first, team, c.vault.roster().expect("r").as_ref()).is_err(),
        "the replayed roster stays refused"
    );
}

#[test]
fn a_roster_signed_by_a_key_the_server_made_is_refused_and_named() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Palsu", "sup", "kons");
    let team = server.team_id("Tim Palsu");
    let mut held = c.vault.roster().expect("roster").expect("held");
    // The attack: the operator lists a supervisor of her own and signs it as that supervisor.
    let forger = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    held.version += 1;
    held.members.push(teduh_core::team::roster::RosterMember {
        member: 999,
        username: "operator".into(),
        role: teduh_protocol::sync::Role::Supervisor,
        x25519: "11".repeat(32),
        ed25519: forger
            .verifying_key()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        removed: false,
    });
    server
        .block_on(
            server
                .storage()
                .put_roster(team, held.version, held.sign(999, &forger), 0),
        )
        .expect("stored");
    let report = c.sync().expect("round");
    assert!(
        report.alarms.iter().any(|a| a.starts_with("forged-roster")),
        "(a, d) {report:?}"
    );
    assert!(
        c.vault
            .roster()
            .expect("roster")
            .expect("held")
            .member(999)
            .is_none(),
        "the operator's supervisor is not in the counselor's roster"
    );
    write_and_converge(&server, &mut sup, &mut c, "catatan setelah roster palsu");
}

#[test]
fn honest_rounds_of_a_team_raise_no_alarm() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Tenang", "sup", "kons");
    let team_name = "Tim Tenang";
    let mut second = server.member(team_name, teduh_protocol::sync::Role::Supervisor, "sup2");
    write_and_converge(&server, &mut sup, &mut c, "catatan biasa");
    second.sync().expect("the second supervisor syncs");
    sup.sync().expect("sup");
    second.sync().expect("second");
    c.sync().expect("c");
    for d in [&sup, &c, &second] {
        assert_eq!(alarm_kinds(d), Vec::<String>::new());
    }
}
