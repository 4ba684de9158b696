//! Trust 2/3, admission: the operator tries to get into the roster (and so get team keys
//! sealed to a key of hers) by changing what her server says about members. Each test (a) shows
//! the attack is in her database and reached the victim, (b) tries her key on every team-key
//! envelope and every sealed record on the server and opens nothing, (c) shows the honest
//! devices converge, and (d) checks the named alarm.

use teduh_core::error::Code;
use teduh_protocol::sync::Role;
use teduh_tests::hostile::{
    alarm_kinds, envelopes_opened_by, key_epochs, operator_sql, write_and_converge, OperatorKeys,
};
use teduh_tests::TestServer;

fn code_of(r: Result<(), teduh_core::vault::VaultError>) -> Code {
    r.expect_err("refused").code()
}

#[test]
fn a_newcomer_whose_keys_the_server_swapped_is_never_admitted_and_the_entry_blocks() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Tukar", "sup", "kons");
    let team = server.team_id("Tim Tukar");
    let mut newcomer = server.member("Tim Tukar", Role::Counselor, "kons.baru");
    sup.sync().expect("sup");
    newcomer
        .sync()
        .expect("the newcomer waits and sees the roster");

    // The attack: her keys in the server's database become the operator's.
    let op = OperatorKeys::new();
    let changed = operator_sql(
        &server,
        "UPDATE devices SET public_keys = ?1
         WHERE member_id = (SELECT id FROM members WHERE username = 'kons.baru')",
        [op.public_keys()],
    );
    assert_eq!(changed, 1, "(a) the swapped row is in her database");
    sup.sync()
        .expect("the supervisor sees her waiting, with the swapped keys");
    assert!(sup
        .vault
        .pending_devices()
        .expect("pending")
        .iter()
        .any(|p| p.username == "kons.baru"));

    // The newcomer reads out the number of her real keys; it cannot match the swapped ones.
    let heard = newcomer.safety_number_for("sup");
    for _ in 0..2 {
        assert_eq!(
            code_of(sup.vault.confirm_admission("kons.baru", &heard)),
            Code::SafetyNumberMismatch
        );
    }
    assert_eq!(
        code_of(sup.vault.confirm_admission("kons.baru", &heard)),
        Code::AdmissionBlocked,
        "the third wrong entry blocks"
    );
    assert!(
        alarm_kinds(&sup).contains(&"admission-blocked".to_owned()),
        "(d)"
    );

    sup.sync().expect("sup");
    newcomer.sync().expect("newcomer");
    assert_eq!(
        key_epochs(&newcomer),
        Vec::<u32>::new(),
        "no key reached her"
    );
    assert_eq!(
        envelopes_opened_by(&server, team, &op.x25519),
        Vec::<String>::new(),
        "(b) the operator's key opens no envelope"
    );
    write_and_converge(&mut sup, &mut c, "catatan setelah kunci ditukar");
    assert!(
        alarm_kinds(&c).is_empty(),
        "the counselor saw nothing wrong"
    );
}

#[test]
fn keys_the_server_swaps_for_an_admitted_member_change_nothing_and_are_named() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Pin", "sup", "kons");
    let team = server.team_id("Tim Pin");
    let mut leaver = server.member("Tim Pin", Role::Counselor, "kons.pergi");
    sup.admit(&mut leaver);

    // The attack: the counselor's keys in the server's database become the operator's; then a
    // removal makes the supervisor seal a new epoch to everyone who stays.
    let op = OperatorKeys::new();
    operator_sql(
        &server,
        "UPDATE devices SET public_keys = ?1
         WHERE member_id = (SELECT id FROM members WHERE username = 'kons')",
        [op.public_keys()],
    );
    let before = key_epochs(&c);
    server.remove_member(leaver.member());
    let report = sup.sync().expect("a new epoch without the leaver");
    assert!(
        report.alarms.iter().any(|a| a.starts_with("swapped-keys")),
        "(a, d) {report:?}"
    );
    c.sync().expect("the counselor");
    assert!(
        key_epochs(&c).len() > before.len(),
        "the new epoch was sealed to her real key: {:?} -> {:?}",
        before,
        key_epochs(&c)
    );
    assert_eq!(
        envelopes_opened_by(&server, team, &op.x25519),
        Vec::<String>::new(),
        "(b) nothing sealed to the operator's key"
    );
    write_and_converge(&mut sup, &mut c, "catatan setelah kunci anggota ditukar");
}

#[test]
fn a_member_row_the_operator_writes_herself_waits_and_gets_nothing() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Sisip", "sup", "kons");
    let team = server.team_id("Tim Sisip");
    let op = OperatorKeys::new();
    operator_sql(
        &server,
        "INSERT INTO members (team_id, username, role, created_at)
         VALUES (?1, 'admin.bayangan', 'admin', 0)",
        rusqlite::params![i64::try_from(team).expect("id")],
    );
    operator_sql(
        &server,
        "INSERT INTO devices (member_id, name, public_keys, token_hash, created_at, expires_at)
         SELECT id, 'laptop bayangan', ?1, x'0102', 0, 4000000000 FROM members
         WHERE username = 'admin.bayangan'",
        rusqlite::params![op.public_keys()],
    );
    sup.sync().expect("sup");
    let pending = sup.vault.pending_devices().expect("pending");
    assert!(
        pending.iter().any(|p| p.username == "admin.bayangan"),
        "(a) the injected row reached the supervisor's device, which lists it as waiting: {pending:?}"
    );
    let roster = sup.vault.roster().expect("roster").expect("held");
    assert!(roster
        .members
        .iter()
        .all(|m| m.username != "admin.bayangan"));
    write_and_converge(&mut sup, &mut c, "catatan setelah baris sisipan");
    assert_eq!(
        envelopes_opened_by(&server, team, &op.x25519),
        Vec::<String>::new(),
        "(b) no envelope opens under her key"
    );
    assert!(alarm_kinds(&sup).is_empty() && alarm_kinds(&c).is_empty());
}

#[test]
fn a_roster_with_the_supervisor_s_key_swapped_shown_to_a_newcomer_makes_the_numbers_differ() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Wajah", "sup", "kons");
    let team = server.team_id("Tim Wajah");
    let mut newcomer = server.member("Tim Wajah", Role::Counselor, "kons.baru");

    // The attack: before the newcomer's first round, the operator serves a roster in which the
    // supervisor's key is hers, signed with it (a roster that vouches for itself).
    let op = OperatorKeys::new();
    let mut fake = sup.vault.roster().expect("roster").expect("held");
    let sup_id = sup.device();
    fake.version += 1;
    for d in &mut fake.devices {
        if d.device == sup_id {
            d.ed25519 = op.ed25519_hex();
        }
    }
    server
        .block_on(server.storage().put_roster(
            team,
            fake.version,
            fake.sign(sup_id, &op.ed25519),
            0,
        ))
        .expect("stored");
    newcomer
        .sync()
        .expect("the newcomer takes the roster the server shows her");
    assert_eq!(
        newcomer.vault.roster().expect("roster").expect("held"),
        fake,
        "(a) the fabricated roster reached the newcomer"
    );

    // She reads out the number computed with the operator's key: the supervisor's differs.
    sup.sync().expect("the supervisor sees her waiting");
    let heard = newcomer.safety_number_for("sup");
    assert_eq!(
        code_of(sup.vault.confirm_admission("kons.baru", &heard)),
        Code::SafetyNumberMismatch,
        "the supervisor learns on the phone that something is wrong"
    );
    assert!(
        alarm_kinds(&sup).contains(&"forged-roster".to_owned()),
        "(d) the supervisor's device named the roster it did not sign"
    );
    newcomer.sync().expect("newcomer");
    assert_eq!(
        key_epochs(&newcomer),
        Vec::<u32>::new(),
        "no team key reached her"
    );
    assert_eq!(
        envelopes_opened_by(&server, team, &op.x25519),
        Vec::<String>::new(),
        "(b)"
    );
    write_and_converge(&mut sup, &mut c, "catatan setelah roster wajah palsu");
}

#[test]
fn the_envelope_oracle_opens_what_is_sealed_to_the_operator_s_key() {
    // The oracle's own check: a box sealed to her key (what a roster that took the server's word
    // would make) is found and opened, so an empty answer above means nothing opened.
    let server = TestServer::start();
    let (_sup, c) = server.supervised_team("Tim Kontrol", "sup", "kons");
    let team = server.team_id("Tim Kontrol");
    let op = OperatorKeys::new();
    operator_sql(
        &server,
        "UPDATE devices SET public_keys = ?1
         WHERE member_id = (SELECT id FROM members WHERE username = 'kons')",
        [op.public_keys()],
    );
    let next = key_epochs(&c).into_iter().max().unwrap_or(0) + 1;
    teduh_tests::hostile::forge_epoch(&server, team, next, 0);
    let opened = envelopes_opened_by(&server, team, &op.x25519);
    assert_eq!(opened.len(), 1, "{opened:?}");
}

#[test]
fn a_blocked_admission_stays_blocked_when_the_server_hides_her_for_a_round() {
    let server = TestServer::start();
    let (mut sup, _c) = server.supervised_team("Tim Blokir", "sup", "kons");
    let mut newcomer = server.member("Tim Blokir", Role::Counselor, "kons.baru");
    sup.sync().expect("sup");
    newcomer.sync().expect("newcomer");
    sup.sync().expect("sup sees her waiting");
    for _ in 0..3 {
        let _ = sup
            .vault
            .confirm_admission("kons.baru", "0000 0000 0000 0000 0000 0000");
    }
    // The attack: the operator leaves her out of one member list, then lists her again.
    operator_sql(
        &server,
        "UPDATE members SET removed_at = 1 WHERE username = 'kons.baru'",
        [],
    );
    sup.sync().expect("a round where she is not waiting");
    operator_sql(
        &server,
        "UPDATE members SET removed_at = NULL WHERE username = 'kons.baru'",
        [],
    );
    sup.sync().expect("she is listed again");
    let entry = sup
        .vault
        .pending_devices()
        .expect("pending")
        .into_iter()
        .find(|p| p.username == "kons.baru")
        .expect("still listed as waiting");
    assert!(entry.blocked, "the block survives: {entry:?}");
    assert_eq!(
        code_of(
            sup.vault
                .confirm_admission("kons.baru", &newcomer.safety_number_for("sup"))
        ),
        Code::AdmissionBlocked,
        "not even the right number admits her from this device now"
    );
}

#[test]
fn a_roster_with_the_organisation_key_swapped_shown_to_a_newcomer_makes_the_numbers_differ() {
    use teduh_core::team::org;
    use teduh_core::team::roster::RosterMember;
    let server = TestServer::start();
    let name = server.create_team("Tim Organisasi Palsu");
    let team = server.team_id(&name);
    let mut admin = server.member(&name, Role::Admin, "admin");
    admin.sync().expect("the administrator makes the team");
    let mut sup = server.member(&name, Role::Supervisor, "sup");
    admin.admit(&mut sup);
    let mut c = server.member(&name, Role::Counselor, "kons");
    admin.admit(&mut c);
    admin.vault.init_org_key().expect("the organisation key");
    admin.sync().expect("named");
    for d in [&mut sup, &mut c] {
        d.sync().expect("the team follows");
    }
    let mut newcomer = server.member(&name, Role::Counselor, "kons.baru");

    // The attack: every device key stays real, but the roster shown to the newcomer names the
    // operator's organisation key, which grants the real key managers and an admin device of
    // the operator's, and that device signs it.
    let op = OperatorKeys::new();
    let op_org = ed25519_dalek::SigningKey::from_bytes(&[99; 32]);
    let mut fake = sup.vault.roster().expect("roster").expect("held");
    let real_org = fake.org_key.clone().expect("named");
    fake.version += 1;
    fake.org_key = Some(org::public_hex(&op_org));
    let op_device = 9_999;
    fake.members.push(RosterMember {
        member: op_device,
        username: "operator".into(),
        role: Role::Admin,
        removed: false,
        level: None,
    });
    fake.devices.push(op.as_device(op_device, op_device));
    fake.grants = fake
        .members
        .iter()
        .filter(|m| m.role.manages_keys())
        .map(|m| org::grant(&op_org, team, m.member, m.role))
        .collect();
    server
        .block_on(server.storage().put_roster(
            team,
            fake.version,
            fake.sign(op_device, &op.ed25519),
            0,
        ))
        .expect("stored");
    newcomer
        .sync()
        .expect("the newcomer takes the roster the server shows her");
    let shown = newcomer.vault.roster().expect("roster").expect("held");
    assert_eq!(
        (
            shown.org_key.as_deref(),
            shown.device(sup.device()).map(|d| &d.ed25519)
        ),
        (
            Some(org::public_hex(&op_org).as_str()),
            sup.vault
                .roster()
                .expect("roster")
                .expect("held")
                .device(sup.device())
                .map(|d| &d.ed25519)
        ),
        "(a) the newcomer holds the operator's organisation key beside the supervisor's real key"
    );
    assert_ne!(shown.org_key, Some(real_org));

    // The number she reads out covers the organisation key: the supervisor's device differs.
    sup.sync().expect("the supervisor sees her waiting");
    let heard = newcomer.safety_number_for("sup");
    assert_eq!(
        code_of(sup.vault.confirm_admission("kons.baru", &heard)),
        Code::SafetyNumberMismatch,
        "the supervisor learns on the phone that something is wrong"
    );
    assert!(
        alarm_kinds(&sup).contains(&"forged-roster".to_owned()),
        "(d) the supervisor's device named the roster no key manager of hers signed"
    );
    newcomer.sync().expect("newcomer");
    assert_eq!(
        key_epochs(&newcomer),
        Vec::<u32>::new(),
        "no team key reached her"
    );
    assert_eq!(
        envelopes_opened_by(&server, team, &op.x25519),
        Vec::<String>::new(),
        "(b)"
    );
    write_and_converge(&mut sup, &mut c, "catatan setelah kunci organisasi palsu");
}
