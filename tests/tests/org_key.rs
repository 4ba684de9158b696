//! Trust 2/3, the organisation root key: made on an administrator's device, named in her team's
//! roster at her next sync, and from then on the only way anyone becomes a key manager there.

use teduh_protocol::sync::Role;
use teduh_tests::device::Device;
use teduh_tests::hostile::{alarm_kinds, write_and_converge};
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
