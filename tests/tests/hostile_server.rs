//! Trust 2/3: a hostile server operator, with nothing but her own database, tries to get a team
//! key she can read or to make devices accept keys and rosters she made. For each attack the
//! test (a) shows the attack was mounted (the row is in the database, the forged data reached
//! the victim), (b) shows with the oracle that nothing on the server opens under a key she holds,
//! (c) shows the honest devices converge afterwards, and (d) checks the named alarm.

use teduh_core::team::roster::Roster;
use teduh_protocol::sync::Role;
use teduh_tests::hostile::{
    alarm_kinds, envelopes_opened_by, forge_epoch, key_epochs, opened_by, write_and_converge,
};
use teduh_tests::TestServer;

/// The team-key epoch the server holds as current for `team` (0 before the first).
fn key_epoch(server: &TestServer, team: u64) -> u32 {
    server
        .block_on(server.storage().teams())
        .expect("teams")
        .into_iter()
        .find(|t| t.id == team)
        .map(|t| t.key_epoch)
        .expect("the team exists")
}

#[test]
fn a_team_key_the_server_made_for_a_new_epoch_is_refused_and_the_team_moves_past_it() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Amplop", "sup", "kons");
    let team = server.team_id("Tim Amplop");
    let sup_device = sup.device();
    let before = key_epochs(&c);

    // The attack: the next epoch with her own key, sealed to every device, signed in the name
    // of the supervisor's device with a key of her own.
    let next = key_epoch(&server, team) + 1;
    let forged = forge_epoch(&server, team, next, sup_device);
    let served = server
        .block_on(server.storage().envelopes(team, c.device()))
        .expect("envelopes");
    assert!(
        served.1.iter().any(|e| e.0 == next),
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
    assert_eq!(key_epochs(&c), before, "the counselor adopted no key");
    // (d) Her round reported it; the supervisor's next round shows it, signed by her device.
    let s = sup.sync().expect("the supervisor's next round");
    assert!(
        s.reported
            .iter()
            .any(|r| r.starts_with("forged-team-key from device")),
        "{s:?}"
    );
    assert!(
        sup.vault
            .reported_alarms()
            .expect("reports")
            .iter()
            .any(|r| r.kind == "forged-team-key" && r.reporter == c.device() && r.verified),
        "reported to the supervisor within two rounds"
    );

    // The counselor goes on working; the supervisor's next round moves the team past the
    // forged epoch.
    write_and_converge(&mut sup, &mut c, "catatan setelah serangan amplop");
    assert!(
        key_epochs(&c).iter().all(|e| *e != next),
        "{:?}",
        key_epochs(&c)
    );
    assert!(
        key_epochs(&c).iter().any(|e| *e > next),
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
    let before = key_epochs(&c);
    // The attack: the operator moves the team's epoch eight ahead (records under the genuine
    // key are refused there from now on).
    let current = key_epoch(&server, team);
    let jumped = current + 8;
    let keys: Vec<_> = (current + 1..=jumped)
        .map(|e| forge_epoch(&server, team, e, 0))
        .collect();
    let report = c.sync().expect("round");
    assert!(
        report.alarms.iter().any(|a| a.starts_with("epoch-jump")),
        "(a, d) {report:?}"
    );
    assert_eq!(key_epochs(&c), before, "no key adopted");

    write_and_converge(&mut sup, &mut c, "catatan setelah lompatan");
    assert!(
        key_epochs(&c).contains(&(jumped + 1)),
        "(c) {:?}",
        key_epochs(&c)
    );
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
    sup.admit(&mut c);
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
    write_and_converge(&mut sup, &mut c, "catatan setelah roster lama");
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
        removed: false,
        level: None,
    });
    held.devices.push(teduh_core::team::roster::RosterDevice {
        device: 999,
        member: 999,
        x25519: "11".repeat(32),
        ed25519: forger
            .verifying_key()
            .as_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect(),
        revoked: false,
        accept_through: None,
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
    write_and_converge(&mut sup, &mut c, "catatan setelah roster palsu");
}

#[test]
fn honest_rounds_of_a_team_raise_no_alarm() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Tenang", "sup", "kons");
    let team_name = "Tim Tenang";
    let mut second = server.member(team_name, teduh_protocol::sync::Role::Supervisor, "sup2");
    sup.admit(&mut second);
    write_and_converge(&mut sup, &mut c, "catatan biasa");
    second.sync().expect("the second supervisor syncs");
    sup.sync().expect("sup");
    second.sync().expect("second");
    c.sync().expect("c");
    for d in [&sup, &c, &second] {
        assert_eq!(alarm_kinds(d), Vec::<String>::new());
        assert!(
            d.vault.reported_alarms().expect("reports").is_empty(),
            "nothing reported either"
        );
    }
}

#[test]
fn the_operator_invites_herself_and_gets_nothing() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Undangan", "sup", "kons");
    let team = server.team_id("Tim Undangan");
    write_and_converge(&mut sup, &mut c, "catatan sebelum operator");

    // The attack: the operator invites herself with her server's admin command, joins, and
    // syncs along with the team, waiting for a supervisor's device to seal the team key to her.
    let mut operator = server.member("Tim Undangan", Role::Counselor, "operator");
    let her_member = operator
        .vault
        .binding()
        .expect("binding")
        .expect("joined")
        .member;
    for _ in 0..3 {
        sup.sync().expect("the supervisor syncs");
        c.sync().expect("the counselor syncs");
        operator.sync().expect("the operator syncs and waits");
    }
    assert!(
        server
            .block_on(server.storage().members(team))
            .expect("members")
            .iter()
            .any(|m| m.id == her_member && m.username == "operator" && m.removed_at.is_none()),
        "(a) the server lists her as a member of the team"
    );

    // (b) No device let her in, and she holds nothing.
    for (who, d) in [("supervisor", &sup), ("counselor", &c)] {
        assert!(
            d.vault
                .roster()
                .expect("roster")
                .expect("held")
                .member(her_member)
                .is_none(),
            "(b) she is not in the {who}'s roster"
        );
    }
    assert!(
        sup.vault
            .pending_devices()
            .expect("pending")
            .iter()
            .any(|p| p.member == her_member && !p.blocked),
        "(b) she waits on the supervisor's device for someone to admit her"
    );
    assert_eq!(key_epochs(&operator), Vec::<u32>::new(), "(b) no team key");
    assert!(
        operator.vault.list_clients().expect("list").is_empty(),
        "(b) she reads no client"
    );
    let (_, addressed_to_her) = server
        .block_on(server.storage().envelopes(team, operator.device()))
        .expect("envelopes");
    assert!(
        addressed_to_her.is_empty(),
        "(b) no team key was ever sealed to her: {} envelopes",
        addressed_to_her.len()
    );

    // (c) The team goes on around her.
    write_and_converge(&mut sup, &mut c, "catatan setelah operator");
    operator.sync().expect("she syncs again");
    assert_eq!(
        key_epochs(&operator),
        Vec::<u32>::new(),
        "still no team key"
    );
    assert!(operator.vault.list_clients().expect("list").is_empty());
    // (d) Waiting is not an attack the honest devices can tell from a newcomer: no alarm.
    for d in [&sup, &c] {
        assert_eq!(alarm_kinds(d), Vec::<String>::new());
    }
}

#[test]
fn three_wrong_safety_numbers_block_the_admission_and_raise_an_alarm() {
    use teduh_core::error::Code;
    use teduh_core::vault::VaultError;
    let server = TestServer::start();
    let team_name = server.create_team("Tim Salah Ketik");
    let mut sup = server.member(&team_name, Role::Supervisor, "sup");
    let mut newcomer = server.member(&team_name, Role::Counselor, "kons");
    let team = server.team_id(&team_name);
    let her_member = newcomer
        .vault
        .binding()
        .expect("binding")
        .expect("joined")
        .member;
    sup.sync()
        .expect("the supervisor makes the team's first key");
    newcomer.sync().expect("she gets the roster and waits");
    sup.sync().expect("the supervisor sees her waiting");
    let right = newcomer.safety_number_for("sup");
    // Another number of the same shape (every digit shifted): what a swapped key would show.
    let wrong: String = right
        .chars()
        .map(|ch| {
            ch.to_digit(10)
                .and_then(|d| char::from_digit((d + 1) % 10, 10))
                .unwrap_or(ch)
        })
        .collect();
    assert_ne!(wrong, right);

    for left in [2, 1] {
        let typed = sup.vault.confirm_admission("kons", &wrong);
        assert!(
            matches!(typed, Err(VaultError::SafetyNumberMismatch { left: l }) if l == left),
            "{typed:?}"
        );
    }
    assert_eq!(
        alarm_kinds(&sup),
        Vec::<String>::new(),
        "no alarm before the third"
    );
    let third = sup.vault.confirm_admission("kons", &wrong);
    assert!(
        matches!(third, Err(VaultError::AdmissionBlocked)),
        "{third:?}"
    );
    assert_eq!(alarm_kinds(&sup), vec!["admission-blocked".to_owned()]);
    let pending = sup.vault.pending_devices().expect("pending");
    assert!(
        pending
            .iter()
            .any(|p| p.username == "kons" && p.blocked && p.wrong_entries == 3),
        "{pending:?}"
    );

    // The right number afterwards is refused too: the block stands.
    let late = sup
        .vault
        .confirm_admission("kons", &right)
        .expect_err("blocked");
    assert_eq!(late.code(), Code::AdmissionBlocked, "{late}");

    for _ in 0..2 {
        sup.sync().expect("the supervisor syncs");
        newcomer.sync().expect("she syncs and waits");
    }
    assert!(
        sup.vault
            .pending_devices()
            .expect("pending")
            .iter()
            .any(|p| p.member == her_member && p.blocked),
        "she is still pending, still blocked"
    );
    assert!(
        sup.vault
            .roster()
            .expect("roster")
            .expect("held")
            .member(her_member)
            .is_none(),
        "not in the roster"
    );
    assert_eq!(key_epochs(&newcomer), Vec::<u32>::new(), "no team key");
    let (_, addressed_to_her) = server
        .block_on(server.storage().envelopes(team, newcomer.device()))
        .expect("envelopes");
    assert!(addressed_to_her.is_empty(), "nothing sealed to her");
    assert_eq!(
        alarm_kinds(&sup),
        vec!["admission-blocked".to_owned()],
        "raised once"
    );
}

#[test]
fn a_device_the_operator_adds_to_an_admitted_member_waits_and_gets_nothing() {
    use teduh_core::sync::Transport as _;
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Perangkat Palsu", "sup", "kons");
    let team = server.team_id("Tim Perangkat Palsu");
    write_and_converge(&mut sup, &mut c, "catatan sebelum perangkat palsu");

    // The attack: with her admin command, the operator makes a device invitation for the
    // admitted counselor and registers a device with keys of her own under the counselor's name
    // (the old passphrase-only login has no equivalent: the server holds nothing a passphrase
    // opens).
    let op = teduh_tests::hostile::OperatorKeys::new();
    let code = server.invite_device_of("Tim Perangkat Palsu", "kons");
    let session = sup
        .transport()
        .register(&teduh_protocol::sync::RegisterRequest {
            invitation: code,
            username: "kons".into(),
            public_keys: op.public_keys(),
            device_name: "laptop kons".into(),
            reclaim: None,
            proof: None,
            refresh_anchor: None,
        })
        .expect("the server accepts her device");
    assert_eq!(
        session.member_id,
        c.member(),
        "(a) listed as the counselor's device"
    );
    for _ in 0..3 {
        sup.sync().expect("the supervisor syncs");
        c.sync().expect("the counselor syncs");
    }
    assert!(
        sup.vault
            .pending_devices()
            .expect("pending")
            .iter()
            .any(|p| p.device == session.device_id && p.username == "kons"),
        "(a) it reached the supervisor's device, which lists it as waiting"
    );

    // (b) It is in no roster and her key opens no envelope the server holds.
    for d in [&sup, &c] {
        let r = d.vault.roster().expect("roster").expect("held");
        assert!(
            !r.lists_active_device(session.device_id),
            "not in the roster"
        );
    }
    assert_eq!(
        envelopes_opened_by(&server, team, &op.x25519),
        Vec::<String>::new(),
        "(b) nothing sealed to the operator's key"
    );

    // (c) The counselor and her supervisor go on; (d) a waiting device is no alarm.
    write_and_converge(&mut sup, &mut c, "catatan setelah perangkat palsu");
    assert_eq!(
        envelopes_opened_by(&server, team, &op.x25519),
        Vec::<String>::new(),
        "(b) still nothing after the next epoch"
    );
    for d in [&sup, &c] {
        assert_eq!(alarm_kinds(d), Vec::<String>::new());
    }
}

#[test]
fn the_server_revoking_a_supervisor_s_device_does_not_write_her_out_of_the_roster() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Cabut", "sup", "kons");
    let mut sup2 = server.member("Tim Cabut", Role::Supervisor, "sup2");
    sup.admit(&mut sup2);
    // The attack: the operator revokes the first supervisor's device at her server; the other
    // supervisor's next roster must not seal it (only a key manager revokes a key manager's
    // device, so a server cannot lock the team out for good).
    server.admin(teduh_server::admin::AdminCommand::RevokeDevice {
        device: sup.device(),
    });
    sup2.sync().expect("the other supervisor's round");
    c.sync().expect("the counselor's round");
    let r = c.vault.roster().expect("roster").expect("held");
    assert!(
        r.lists_active_device(sup.device()),
        "her device stays in the signed roster"
    );
    assert!(r.is_key_manager(sup.member()));
}
