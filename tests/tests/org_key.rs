//! Trust 2/3, the organisation root key: made on an administrator's device, named in her team's
//! roster at her next sync, and from then on the only way anyone becomes, or stops being, a key
//! manager there; and the organisation settings it signs, which no server can forge.

use ed25519_dalek::SigningKey;
use teduh_core::team::settings::{OrgSettings, Zone};
use teduh_protocol::sync::Role;
use teduh_server::storage::OrgSettingsUpload;
use teduh_tests::device::Device;
use teduh_tests::hostile::{alarm_kinds, key_epochs, operator_sql, write_and_converge};
use teduh_tests::TestServer;

/// A team whose first key manager is its administrator, with a supervisor and a counselor she
/// admitted.
fn admin_team(team: &str) -> (TestServer, Device, Device, Device) {
    let server = TestServer::start();
    let name = server.create_team(team);
    let mut admin = server.member(&name, Role::Admin, "admin");
    admin
        .sync()
        .expect("the administrator's device makes the team key");
    let mut sup = server.member(&name, Role::Supervisor, "sup");
    admin.admit(&mut sup);
    let mut c = server.member(&name, Role::Counselor, "kons");
    admin.admit(&mut c);
    (server, admin, sup, c)
}

#[test]
fn the_organisation_key_is_named_in_the_roster_and_grants_the_team_s_key_managers() {
    let (_server, mut admin, mut sup, mut c) = admin_team("Tim Organisasi");
    let sheet = admin
        .vault
        .init_org_key()
        .expect("the administrator makes the key");
    assert!(sheet.recovery_code.starts_with("TEDUH-ORG1-"));
    admin.sync().expect("her roster names it");
    for d in [&mut sup, &mut c] {
        d.sync().expect("the team follows");
    }
    let org = admin.vault.org_key_public().expect("key").expect("held");
    for d in [&admin, &sup, &c] {
        let r = d.vault.roster().expect("roster").expect("held");
        assert_eq!(
            r.org_key.as_deref(),
            Some(org.as_str()),
            "every device holds it"
        );
        assert!(r.is_key_manager(admin.member()) && r.is_key_manager(sup.member()));
        assert!(!r.is_key_manager(c.member()));
    }
    write_and_converge(&mut sup, &mut c, "catatan dengan kunci organisasi");
    for d in [&admin, &sup, &c] {
        assert_eq!(
            alarm_kinds(d),
            Vec::<String>::new(),
            "adopting it raises nothing"
        );
    }
    // Her other computer gets the key back from the sheet, never from the server.
    let mut laptop = admin.another_device().expect("a second computer");
    admin.admit(&mut laptop);
    let fingerprint = laptop
        .vault
        .restore_org_key(&sheet.recovery_code)
        .expect("restores");
    assert_eq!(fingerprint, sheet.fingerprint);
    assert_eq!(laptop.vault.org_key_public().expect("key"), Some(org));
}

#[test]
fn a_supervisor_admitted_without_the_organisation_s_grant_is_no_key_manager_until_granted() {
    let (server, mut admin, mut sup, mut c) = admin_team("Tim Hibah");
    admin.vault.init_org_key().expect("key");
    admin.sync().expect("named");
    sup.sync().expect("sup follows");
    // A supervisor admits a newcomer as a supervisor by her safety number: the organisation
    // did not grant it, so her device is a member but no key manager.
    let mut x = server.member("Tim Hibah", Role::Supervisor, "sup.baru");
    sup.admit(&mut x);
    c.sync().expect("the counselor follows");
    let r = c.vault.roster().expect("roster").expect("held");
    assert!(r.lists_active_device(x.device()), "she is in the team");
    assert!(
        !r.is_key_manager(x.member()),
        "but her device signs nothing for the team"
    );
    let epoch_before = c.sync().expect("round").epoch;
    x.sync().expect("her round");
    assert_eq!(
        c.sync().expect("round").epoch,
        epoch_before,
        "her device made no epoch and no roster"
    );
    // The administrator grants it; her device's next roster carries the grant.
    admin.sync().expect("admin sees the team");
    admin
        .vault
        .grant_key_manager("sup.baru")
        .expect("the administrator decides");
    admin.sync().expect("the grant goes out");
    c.sync().expect("the counselor follows");
    assert!(c
        .vault
        .roster()
        .expect("roster")
        .expect("held")
        .is_key_manager(x.member()));
    for d in [&admin, &sup, &c, &x] {
        assert_eq!(alarm_kinds(d), Vec::<String>::new());
    }
}

#[test]
fn only_an_administrator_s_device_keeps_the_organisation_key() {
    let (_server, _admin, mut sup, _c) = admin_team("Tim Peran");
    let refused = sup.vault.init_org_key();
    assert_eq!(
        refused.expect_err("a supervisor").code(),
        teduh_core::error::Code::NotPermitted
    );
    assert_eq!(
        sup.vault
            .restore_org_key("TEDUH-ORG1-00000")
            .expect_err("refused")
            .code(),
        teduh_core::error::Code::InvalidInput
    );
}

/// The organisation settings the administrator's device signs, after her team adopted the key.
fn adopted(team: &str) -> (TestServer, Device, Device, Device) {
    let (server, mut admin, mut sup, mut c) = admin_team(team);
    admin.vault.init_org_key().expect("key");
    admin
        .sync()
        .expect("her roster names it and her device makes the first settings");
    for d in [&mut sup, &mut c] {
        d.sync().expect("the team follows");
    }
    (server, admin, sup, c)
}

#[test]
fn the_organisation_settings_signed_on_the_administrator_s_device_reach_every_device() {
    let (server, mut admin, mut sup, mut c) = adopted("Tim Pengaturan");
    let org_name = server
        .block_on(server.storage().org_name())
        .expect("name")
        .expect("named");
    let first = c.vault.org_settings().expect("read").expect("held");
    assert_eq!(
        (first.version, first.name.as_str()),
        (1, org_name.as_str()),
        "the first record names the organisation as its operator did"
    );
    assert_eq!(first.deadlines.request_hours, 72);
    assert_eq!(c.vault.team_zone().expect("zone"), Zone::Wib);
    // A national line: this team answers from Kupang.
    let team = server.team_id("Tim Pengaturan");
    let mut next = first.clone();
    next.name = "Layanan Dukungan Psikososial Uji".into();
    next.set_zone(team, Zone::Wita);
    next.deadlines.request_hours = 48;
    let saved = admin.vault.save_org_settings(next).expect("signed");
    assert_eq!(saved.version, 2);
    admin.sync().expect("sent");
    for d in [&mut sup, &mut c] {
        d.sync().expect("received");
        let held = d.vault.org_settings().expect("read").expect("held");
        assert_eq!(held, saved, "every device holds what she signed");
        assert_eq!(d.vault.team_zone().expect("zone"), Zone::Wita);
    }
    // Only the device holding the organisation key signs settings.
    assert_eq!(
        sup.vault
            .save_org_settings(saved.clone())
            .expect_err("a supervisor")
            .code(),
        teduh_core::error::Code::NotPermitted
    );
    let mut wrong = saved;
    wrong.deadlines.breach_notice_hours = 96;
    assert_eq!(
        admin
            .vault
            .save_org_settings(wrong)
            .expect_err("past the law's 3 x 24 hours")
            .code(),
        teduh_core::error::Code::InvalidInput
    );
    for d in [&admin, &sup, &c] {
        assert_eq!(alarm_kinds(d), Vec::<String>::new());
    }
}

#[test]
fn settings_the_server_signs_itself_are_refused_with_a_notice_and_the_real_ones_stay() {
    let (server, mut admin, mut sup, mut c) = adopted("Tim Palsu");
    let real = c.vault.org_settings().expect("read").expect("held");
    // The operator registers a key of her own and serves settings it signed: a newer version,
    // another name and a week to answer people's requests.
    let operator = SigningKey::from_bytes(&[42; 32]);
    let mut forged = real.clone();
    forged.version = 99;
    forged.name = "Organisasi Palsu".into();
    let signed = forged.sign(&operator);
    let storage = server.storage();
    server
        .block_on(storage.replace_org_key(Some(operator.verifying_key().to_bytes())))
        .expect("the operator's reset");
    server
        .block_on(storage.put_org_settings(OrgSettingsUpload {
            key: operator.verifying_key().to_bytes(),
            version: 99,
            signed: signed.clone(),
            may_register: true,
        }))
        .expect("the attack is mounted");
    assert_eq!(
        server
            .block_on(storage.org_documents())
            .expect("docs")
            .settings,
        Some(signed),
        "the server serves the forged record"
    );
    let report = c.sync().expect("the round goes on");
    assert_eq!(
        c.vault.org_settings().expect("read").expect("held"),
        real,
        "the counselor keeps the organisation's own settings"
    );
    assert!(
        report
            .alarms
            .iter()
            .any(|a| a.starts_with("forged-org-settings")),
        "{:?}",
        report.alarms
    );
    assert_eq!(alarm_kinds(&c), vec!["forged-org-settings".to_owned()]);
    // The honest devices still work together, and the supervisor hears of it.
    write_and_converge(&mut sup, &mut c, "catatan setelah pengaturan palsu");
    sup.sync().expect("reports arrive");
    assert!(sup
        .vault
        .reported_alarms()
        .expect("reports")
        .iter()
        .any(|r| r.kind == "forged-org-settings"));
    // Nothing the administrator's device does takes the operator's key for the organisation's.
    admin.sync().expect("her round");
    assert_eq!(
        admin.vault.org_settings().expect("read").expect("held"),
        real
    );
}

#[test]
fn a_server_restored_from_an_old_backup_gets_the_newest_settings_back_without_a_notice() {
    let (server, mut admin, mut sup, mut c) = adopted("Tim Cadangan");
    let backup = server.back_up();
    let team = server.team_id("Tim Cadangan");
    let mut next = c.vault.org_settings().expect("read").expect("held");
    next.set_zone(team, Zone::Wit);
    let saved = admin.vault.save_org_settings(next).expect("v2");
    admin.sync().expect("sent");
    c.sync().expect("received");
    let server = server.restored_from(&backup);
    server.admin(teduh_server::admin::AdminCommand::AfterRestore { by: 1_000_000 });
    c.sync().expect("the counselor's round after the restore");
    let served = server
        .block_on(server.storage().org_documents())
        .expect("docs")
        .settings
        .expect("held");
    assert_eq!(
        OrgSettings::verify(
            &served,
            &admin.vault.org_key_public().expect("k").expect("held")
        )
        .expect("the organisation's own")
        .version,
        saved.version,
        "the counselor's device gave the newest back"
    );
    sup.sync().expect("the supervisor's round");
    assert_eq!(sup.vault.team_zone().expect("zone"), Zone::Wit);
    for d in [&admin, &sup, &c] {
        assert_eq!(
            alarm_kinds(d),
            Vec::<String>::new(),
            "a restore is no attack"
        );
    }
}

#[test]
fn only_the_organisation_key_takes_a_supervisor_s_granted_role_away() {
    let (_server, mut admin, mut sup, mut c) = adopted("Tim Pencabutan");
    assert_eq!(
        sup.vault
            .remove_member("admin")
            .expect_err("a supervisor cannot strip the administrator")
            .code(),
        teduh_core::error::Code::NotPermitted
    );
    admin
        .vault
        .remove_member("sup")
        .expect("the administrator holding the key decides");
    admin
        .sync()
        .expect("her roster carries the organisation's removal");
    c.sync().expect("the counselor accepts it");
    let r = c.vault.roster().expect("roster").expect("held");
    assert!(r.member(sup.member()).is_some_and(|m| m.removed));
    assert!(!r.is_key_manager(sup.member()));
    assert_eq!(r.removals.len(), 1, "signed by the organisation key");
    for d in [&admin, &c] {
        assert_eq!(alarm_kinds(d), Vec::<String>::new());
    }
}

#[test]
fn an_invitation_names_the_organisation_key_and_the_newcomer_s_roster_holds_it() {
    let (server, mut admin, mut sup, _c) = adopted("Tim Undangan Organisasi");
    let org = admin.vault.org_key_public().expect("key").expect("held");
    let code = sup
        .invite("kons.undangan", Role::Counselor)
        .expect("the supervisor invites");
    let mut t = sup.transport();
    let preview = teduh_core::sync::join::open_invitation(&mut t, &code).expect("opens");
    assert_eq!(
        preview.package.org_key.as_deref(),
        Some(org.as_str()),
        "she sees the organisation key's fingerprint before her passphrase"
    );
    let mut newcomer = Device::invited(server.url(), &code).expect("joins");
    sup.sync().expect("admits her");
    newcomer.sync().expect("her first roster");
    let r = newcomer.vault.roster().expect("roster").expect("held");
    assert_eq!(r.org_key, Some(org));
    assert!(newcomer.vault.org_settings().expect("read").is_some());
    admin.sync().expect("admin round");
    assert_eq!(alarm_kinds(&newcomer), Vec::<String>::new());
}

#[test]
fn the_organisation_key_founds_a_team_and_admits_its_first_supervisor_and_no_one_else() {
    let (server, mut admin, _sup, _c) = adopted("Tim Pusat");
    let name = server.create_team("Tim Kupang");
    let team = server.team_id(&name);
    let org = admin.vault.org_key_public().expect("key").expect("held");
    let mut t = admin.transport();
    let made = teduh_core::sync::founding::found_team(
        &mut admin.vault,
        &mut t,
        team,
        ("sup.kupang", Role::Supervisor, None),
    )
    .expect("the administrator founds the team");
    assert_eq!(
        (
            made.package.team_name.as_str(),
            made.package.org_key.as_deref()
        ),
        ("Tim Kupang", Some(org.as_str()))
    );
    // The operator slips in an account of her own, with no invitation proof.
    let mut intruder = server.member(&name, Role::Supervisor, "operator");
    let mut founder = Device::invited(server.url(), &made.code).expect("she joins");
    founder.sync().expect("she waits");
    intruder.sync().expect("the intruder waits");
    let first = founder.vault.roster().expect("roster").expect("held");
    assert_eq!(
        (first.version, first.members.len(), first.org_key.as_deref()),
        (1, 0, Some(org.as_str())),
        "her device trusts first the roster the organisation key signed, naming no one"
    );
    admin.sync().expect("the administrator's round admits her");
    founder.sync().expect("admitted");
    let r = founder.vault.roster().expect("roster").expect("held");
    assert!(
        r.is_key_manager(founder.member()),
        "granted by the organisation key"
    );
    assert!(
        !r.lists_active_device(intruder.device()),
        "no proof, no place in the team"
    );
    // Her team works as any other: she invites a counselor, they write and converge.
    let code = founder
        .invite("kons.kupang", Role::Counselor)
        .expect("she invites");
    let mut k = Device::invited(server.url(), &code).expect("joins");
    founder.sync().expect("admits her");
    k.sync().expect("keys");
    write_and_converge(&mut founder, &mut k, "catatan tim kupang");
    assert!(
        founder.vault.org_settings().expect("read").is_some(),
        "the organisation's settings reach the new team"
    );
    assert_eq!(key_epochs(&intruder), Vec::<u32>::new());
    for d in [&admin, &founder, &k] {
        assert_eq!(alarm_kinds(d), Vec::<String>::new());
    }
    admin.sync().expect("she stops tending the team");
}

#[test]
fn a_team_whose_first_roster_the_organisation_key_did_not_sign_is_not_founded_over() {
    let (server, mut admin, _sup, _c) = adopted("Tim Induk");
    let name = server.create_team("Tim Liar");
    let mut own = server.member(&name, Role::Supervisor, "sup.liar");
    own.sync()
        .expect("a supervisor the server invited starts the team herself");
    let mut t = admin.transport();
    let refused = teduh_core::sync::founding::found_team(
        &mut admin.vault,
        &mut t,
        server.team_id(&name),
        ("sup.lain", Role::Supervisor, None),
    );
    assert!(
        matches!(refused, Err(teduh_core::sync::SyncError::Protocol(_))),
        "{refused:?}"
    );
}

#[test]
fn the_administrator_grants_and_removes_key_managers_of_a_team_she_founded() {
    use teduh_core::sync::founding::RoleDecision;
    let (server, mut admin, _sup, _c) = adopted("Tim Pusat Dua");
    let name = server.create_team("Tim Ende");
    let team = server.team_id(&name);
    let mut t = admin.transport();
    let made = teduh_core::sync::founding::found_team(
        &mut admin.vault,
        &mut t,
        team,
        ("sup.ende", Role::Supervisor, None),
    )
    .expect("founded");
    let mut founder = Device::invited(server.url(), &made.code).expect("joins");
    founder.sync().expect("waits");
    admin.sync().expect("admits her");
    founder.sync().expect("admitted");
    // The founder admits a second supervisor; she is no key manager until the organisation
    // grants it, from the administrator's computer in another team.
    let code = founder
        .invite("sup.ende2", Role::Supervisor)
        .expect("she invites");
    let mut second = Device::invited(server.url(), &code).expect("joins");
    founder.sync().expect("admits her as a member");
    second.sync().expect("her keys");
    let held = founder.vault.roster().expect("roster").expect("held");
    assert!(!held.is_key_manager(second.member()));
    teduh_core::sync::founding::decide_role_in_team(
        &mut admin.vault,
        &mut t,
        team,
        "sup.ende2",
        RoleDecision::Grant,
    )
    .expect("granted");
    let second_member = second.member();
    for d in [&mut founder, &mut second] {
        d.sync().expect("the grant arrives");
        assert!(d
            .vault
            .roster()
            .expect("roster")
            .expect("held")
            .is_key_manager(second_member));
    }
    assert_eq!(
        teduh_core::sync::founding::decide_role_in_team(
            &mut admin.vault,
            &mut t,
            team,
            "nobody",
            RoleDecision::Grant
        )
        .expect_err("no such supervisor")
        .code(),
        teduh_core::error::Code::NotFound
    );
    // And removes the founder from that team: her granted role goes with the organisation's
    // signed removal, and the second supervisor's next round seals a new key without her.
    teduh_core::sync::founding::decide_role_in_team(
        &mut admin.vault,
        &mut t,
        team,
        "sup.ende",
        RoleDecision::Remove,
    )
    .expect("removed");
    let epochs_before = key_epochs(&second);
    second
        .sync()
        .expect("the removal arrives and is carried out");
    let r = second.vault.roster().expect("roster").expect("held");
    assert!(!r.is_key_manager(founder.member()));
    assert!(r.member(founder.member()).is_some_and(|m| m.removed));
    assert!(!r.lists_active_device(founder.device()));
    assert!(
        key_epochs(&second).len() > epochs_before.len(),
        "a new team key without her: {:?} -> {:?}",
        epochs_before,
        key_epochs(&second)
    );
    founder.sync().ok();
    assert!(
        key_epochs(&founder).len() < key_epochs(&second).len(),
        "her devices get no key of the new epoch"
    );
    assert_eq!(
        teduh_core::sync::founding::decide_role_in_team(
            &mut admin.vault,
            &mut t,
            team,
            "sup.ende2",
            RoleDecision::Remove
        )
        .expect_err("the last key manager stays")
        .code(),
        teduh_core::error::Code::NotPermitted
    );
    for d in [&admin, &second] {
        assert_eq!(alarm_kinds(d), Vec::<String>::new());
    }
}

/// A team `name` the administrator founded, with its first supervisor admitted.
fn founded(server: &TestServer, admin: &mut Device, name: &str, username: &str) -> Device {
    let team = server.team_id(&server.create_team(name));
    let mut t = admin.transport();
    let made = teduh_core::sync::founding::found_team(
        &mut admin.vault,
        &mut t,
        team,
        (username, Role::Supervisor, None),
    )
    .expect("founded");
    let mut founder = Device::invited(server.url(), &made.code).expect("joins");
    founder.sync().expect("waits");
    admin.sync().expect("admits her");
    founder.sync().expect("admitted");
    founder
}

#[test]
fn a_roster_the_server_forges_for_a_founded_team_is_never_signed_by_the_organisation_key() {
    use teduh_core::sync::founding::{decide_role_in_team, RoleDecision};
    use teduh_tests::hostile::{envelopes_opened_by, OperatorKeys};
    let (server, mut admin, _sup, _c) = adopted("Tim Pusat Tiga");
    let mut founder = founded(&server, &mut admin, "Tim Alor", "sup.alor");
    let team = server.team_id("Tim Alor");
    let code = founder
        .invite("sup.alor2", Role::Supervisor)
        .expect("invites");
    let mut second = Device::invited(server.url(), &code).expect("joins");
    founder.sync().expect("admits her");
    second.sync().expect("keys");
    // The attack: the server serves the newest roster with a device of its own added under the
    // granted founder, signed by that device, hoping the organisation key signs on top of it.
    let op = OperatorKeys::new();
    let mut fake = founder.vault.roster().expect("roster").expect("held");
    fake.version += 1;
    fake.devices.push(op.as_device(9_999, founder.member()));
    server
        .block_on(
            server
                .storage()
                .put_roster(team, fake.version, fake.sign(9_999, &op.ed25519), 0),
        )
        .expect("(a) the forged roster is stored");
    let mut t = admin.transport();
    let refused = decide_role_in_team(
        &mut admin.vault,
        &mut t,
        team,
        "sup.alor2",
        RoleDecision::Grant,
    );
    assert!(
        matches!(refused, Err(teduh_core::sync::SyncError::Protocol(_))),
        "the administrator's device follows the chain and refuses it: {refused:?}"
    );
    assert_eq!(
        server
            .block_on(server.storage().roster(team))
            .expect("roster")
            .map(|(v, _)| v),
        Some(fake.version),
        "nothing was signed on top of it"
    );
    for d in [&mut founder, &mut second] {
        d.sync().expect("the honest devices go on");
    }
    assert_eq!(
        envelopes_opened_by(&server, team, &op.x25519),
        Vec::<String>::new(),
        "(b) no team key reaches the operator's key"
    );
    assert!(
        alarm_kinds(&founder).contains(&"forged-roster".to_owned()),
        "(d)"
    );
    write_and_converge(&mut founder, &mut second, "catatan tim alor");
}

#[test]
fn a_founded_team_s_supervisor_the_server_lists_in_the_administrator_s_team_is_not_admitted() {
    let (server, mut admin, _sup, mut c) = adopted("Tim Pusat Empat");
    let founder = founded(&server, &mut admin, "Tim Rote", "sup.rote");
    let own = server.team_id("Tim Pusat Empat");
    // The attack: the server moves the founder's account into the administrator's own team.
    operator_sql(
        &server,
        "UPDATE members SET team_id = ?1 WHERE id = ?2",
        rusqlite::params![own as i64, founder.member() as i64],
    );
    admin.sync().expect("the administrator's round");
    c.sync().expect("the counselor's round");
    let r = c.vault.roster().expect("roster").expect("held");
    assert!(
        !r.lists_active_device(founder.device()),
        "a device admitted into another team is no one's decision here"
    );
    assert!(!r.is_key_manager(founder.member()));
}

#[test]
fn one_supervisor_cannot_cut_off_or_add_devices_of_another_granted_one() {
    let (server, mut admin, mut sup, mut c) = adopted("Tim Dua Supervisor");
    let mut sup2 = server.member("Tim Dua Supervisor", Role::Supervisor, "sup2");
    admin.admit(&mut sup2);
    sup2.sync().expect("her grant arrives");
    assert!(sup2
        .vault
        .roster()
        .expect("roster")
        .expect("held")
        .is_key_manager(sup2.member()));
    // Her second laptop waits; the other supervisor may not admit it, she may.
    let mut laptop = sup.another_device().expect("a second laptop");
    for d in [&mut sup, &mut sup2] {
        d.sync().expect("sees it waiting");
    }
    laptop.sync().expect("waits");
    let number = laptop.safety_number_for_device(sup2.device());
    assert_eq!(
        sup2.vault
            .confirm_admission("sup", &number)
            .expect_err("another supervisor's laptop")
            .code(),
        teduh_core::error::Code::NotPermitted
    );
    let number = laptop.safety_number_for_device(sup.device());
    sup.vault
        .confirm_admission("sup", &number)
        .expect("her own device admits it");
    sup.sync().expect("her roster lists it");
    laptop.sync().expect("admitted");
    c.sync().expect("the counselor accepts it");
    assert!(c
        .vault
        .roster()
        .expect("roster")
        .expect("held")
        .lists_active_device(laptop.device()));
    // The other supervisor may not revoke it; the administrator holding the key may.
    sup2.sync().expect("sup2 follows");
    assert_eq!(
        sup2.vault
            .revoke_device(laptop.device())
            .expect_err("not hers")
            .code(),
        teduh_core::error::Code::NotPermitted
    );
    admin.sync().expect("admin follows");
    admin
        .vault
        .revoke_device(laptop.device())
        .expect("the organisation decides");
    admin.sync().expect("signed as the organisation");
    c.sync().expect("the counselor accepts it");
    assert!(!c
        .vault
        .roster()
        .expect("roster")
        .expect("held")
        .lists_active_device(laptop.device()));
    for d in [&admin, &sup, &sup2, &c] {
        assert_eq!(alarm_kinds(d), Vec::<String>::new());
    }
}

#[test]
fn a_founded_team_whose_only_supervisor_lost_her_laptop_gets_a_new_one_from_the_organisation() {
    use teduh_core::sync::founding::{decide_role_in_team, found_team, RoleDecision};
    let (server, mut admin, _sup, _c) = adopted("Tim Pusat Lima");
    let lost = founded(&server, &mut admin, "Tim Sabu", "sup.sabu");
    let team = server.team_id("Tim Sabu");
    // Her only laptop is lost: the organisation invites her again under a new account, admits
    // it, and removes the old one (which may go now that another key manager is there).
    let mut t = admin.transport();
    let made = found_team(
        &mut admin.vault,
        &mut t,
        team,
        ("sup.sabu.baru", Role::Supervisor, None),
    )
    .expect("a second invitation to the founded team");
    let mut again = Device::invited(server.url(), &made.code).expect("joins");
    again.sync().expect("waits");
    admin
        .sync()
        .expect("admits her although the team has a key manager");
    again.sync().expect("admitted");
    assert!(again
        .vault
        .roster()
        .expect("roster")
        .expect("held")
        .is_key_manager(again.member()));
    decide_role_in_team(
        &mut admin.vault,
        &mut t,
        team,
        "sup.sabu",
        RoleDecision::Remove,
    )
    .expect("the lost laptop's account's role goes");
    again.sync().expect("the removal arrives");
    let r = again.vault.roster().expect("roster").expect("held");
    assert!(
        !r.is_key_manager(lost.member()),
        "the lost laptop signs nothing for the team any more"
    );
    assert!(r.is_key_manager(again.member()));
    assert_eq!(alarm_kinds(&again), Vec::<String>::new());
}
