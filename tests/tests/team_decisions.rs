//! Trust 2/3: a key manager decides on her own device who stays in the team. A member she
//! removes reads nothing written after; a device she revokes is cut off at the server too. The
//! decision works offline and goes out at her next sync; no one else can make it.

use teduh_core::error::Code;
use teduh_core::sync::SyncError;
use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::TestServer;

fn newest_epoch(d: &Device) -> u32 {
    d.vault.team_epochs().into_iter().max().unwrap_or(0)
}

fn codes(d: &mut Device) -> Vec<String> {
    d.vault
        .list_clients()
        .expect("clients")
        .into_iter()
        .map(|c| c.code)
        .collect()
}

#[test]
fn a_member_her_supervisor_removes_on_her_device_reads_nothing_written_after() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Pisah", "sup", "kons");
    let mut leaver = server.member("Tim Pisah", Role::Counselor, "kons.pergi");
    sup.admit(&mut leaver);
    let before = c
        .vault
        .add_client(&profile("K-SEBELUM", "Klien Lama"))
        .expect("client");
    c.vault
        .add_note(before, &draft("ditulis sebelum"))
        .expect("note");
    c.sync().expect("c");
    teduh_tests::device::put_on_case(&mut sup, before, &["kons.pergi"]);
    leaver.sync().expect("the leaver still reads the team");
    assert!(codes(&mut leaver).contains(&"K-SEBELUM".to_owned()));

    // The supervisor decides, offline; nothing changes until she syncs.
    sup.vault
        .remove_member("kons.pergi")
        .expect("a key manager removes");
    let epoch_before = newest_epoch(&sup);
    sup.sync().expect("the roster and a new epoch go out");
    assert!(newest_epoch(&sup) > epoch_before, "a new epoch without her");
    c.sync().expect("c takes the new epoch");
    let roster = c.vault.roster().expect("roster").expect("held");
    assert!(
        roster
            .members
            .iter()
            .any(|m| m.username == "kons.pergi" && m.removed),
        "the counselor's roster marks her removed"
    );

    let after = c
        .vault
        .add_client(&profile("K-SESUDAH", "Klien Baru"))
        .expect("client");
    c.vault
        .add_note(after, &draft("ditulis sesudah"))
        .expect("note");
    c.sync().expect("sent under the new epoch");
    sup.sync().expect("sup");
    let _ = leaver.sync();
    assert!(
        newest_epoch(&leaver) < newest_epoch(&c),
        "no envelope of the new epoch reached her"
    );
    let hers = codes(&mut leaver);
    assert!(
        hers.contains(&"K-SEBELUM".to_owned()),
        "what she could read stays"
    );
    assert!(
        !hers.contains(&"K-SESUDAH".to_owned()),
        "she reads nothing written after: {hers:?}"
    );
    assert!(codes(&mut sup).contains(&"K-SESUDAH".to_owned()));
}

#[test]
fn a_laptop_its_supervisor_revokes_is_cut_off_while_its_member_goes_on() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Laptop", "sup", "kons");
    let mut lost = c.another_device().expect("a second laptop");
    sup.admit(&mut lost);
    let lost_id = lost
        .vault
        .binding()
        .expect("binding")
        .expect("joined")
        .device;

    sup.vault
        .revoke_device(lost_id)
        .expect("a key manager revokes");
    sup.sync()
        .expect("the roster goes out and the server is told");
    assert!(
        matches!(lost.sync(), Err(SyncError::Revoked)),
        "the lost laptop is refused at the server"
    );
    c.sync().expect("her other device goes on");
    let roster = c.vault.roster().expect("roster").expect("held");
    assert!(roster
        .devices
        .iter()
        .any(|d| d.device == lost_id && d.revoked));
    let client = c
        .vault
        .add_client(&profile("K-LANJUT", "Klien"))
        .expect("client");
    c.vault
        .add_note(client, &draft("tetap bekerja"))
        .expect("note");
    c.sync().expect("c");
    sup.sync().expect("sup");
    assert_eq!(sup.state(), c.state());
}

#[test]
fn only_a_key_manager_decides_and_never_about_herself() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Wewenang", "sup", "kons");
    let code = |r: Result<(), teduh_core::vault::VaultError>| r.expect_err("refused").code();
    assert_eq!(code(c.vault.remove_member("sup")), Code::NotPermitted);
    let sup_device = sup.vault.binding().expect("b").expect("j").device;
    assert_eq!(code(c.vault.revoke_device(sup_device)), Code::NotPermitted);
    assert_eq!(
        code(c.vault.confirm_admission("siapa", "0000")),
        Code::NotPermitted
    );
    assert_eq!(code(sup.vault.remove_member("sup")), Code::NotPermitted);
    assert_eq!(
        code(sup.vault.revoke_device(sup_device)),
        Code::NotPermitted
    );
    assert_eq!(code(sup.vault.remove_member("tidak.ada")), Code::NotFound);
    sup.sync().expect("nothing changed");
    c.sync().expect("nothing changed");
    assert!(c
        .vault
        .roster()
        .expect("r")
        .expect("h")
        .members
        .iter()
        .all(|m| !m.removed));
}

#[test]
fn two_supervisors_admitting_at_once_converge_without_a_false_alarm() {
    let server = TestServer::start();
    let (mut a, mut c) = server.supervised_team("Tim Berdua", "sup.a", "kons");
    let mut b = server.member("Tim Berdua", Role::Supervisor, "sup.b");
    a.admit(&mut b);
    let mut x = server.member("Tim Berdua", Role::Counselor, "kons.x");
    let mut y = server.member("Tim Berdua", Role::Counselor, "kons.y");
    for d in [&mut x, &mut y] {
        d.sync().expect("the newcomers wait");
    }
    a.sync().expect("a sees them");
    b.sync().expect("b sees them");
    // Each supervisor admits one newcomer on her own device, without knowing of the other.
    a.vault
        .confirm_admission("kons.x", &x.safety_number_for("sup.a"))
        .expect("a admits x");
    b.vault
        .confirm_admission("kons.y", &y.safety_number_for("sup.b"))
        .expect("b admits y");
    // Both publish from the same roster; the later rebases onto the winner's next round.
    a.sync().expect("a publishes first");
    b.sync()
        .expect("b's roster is refused as not newer, her round ends cleanly");
    for _ in 0..2 {
        b.sync().expect("b rebases");
        a.sync().expect("a");
    }
    // The counselor missed the rosters in between: she walks the chain, each link signed by a
    // supervisor of the one before (sup.b only entered in one she had not seen).
    for d in [&mut x, &mut y, &mut c] {
        d.sync().expect("everyone syncs");
    }
    let roster = c.vault.roster().expect("roster").expect("held");
    for name in ["kons.x", "kons.y"] {
        assert!(
            roster
                .members
                .iter()
                .any(|m| m.username == name && !m.removed),
            "{name} is in the roster both supervisors converged on"
        );
    }
    let newest = newest_epoch(&a);
    for d in [&a, &b, &c, &x, &y] {
        assert_eq!(newest_epoch(d), newest, "everyone holds the newest key");
        assert_eq!(
            d.vault.security_alarms().expect("alarms"),
            Vec::new(),
            "no false alarm"
        );
    }
    let client = y
        .vault
        .add_client(&profile("K-Y", "Klien Y"))
        .expect("client");
    y.vault
        .add_note(client, &draft("dari kons.y"))
        .expect("note");
    y.sync().expect("y sends");
    teduh_tests::device::put_on_case(&mut a, client, &["kons.x"]);
    x.sync().expect("x reads");
    assert!(codes(&mut x).contains(&"K-Y".to_owned()));
}
