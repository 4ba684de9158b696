//! `teduh join`, `sync` and `status` of the real binary against a real sync server in-process,
//! every computer in its own data directory, driven as a script would.

mod computers;

use computers::*;

use teduh_protocol::sync::Role;
use teduh_tests::TestServer;

#[test]
fn a_counselors_cli_work_reaches_her_supervisor_and_her_second_laptop() {
    let server = TestServer::start();
    let team = server.create_team("Tim Kupang");
    let tmp = tempfile::tempdir().expect("tempdir");

    let sup = Computer::new(tmp.path(), "supervisor", SUPERVISOR_PASS);
    let joined = sup.joined(
        server.url(),
        "sup.ani",
        Some(&server.invite(&team, Role::Supervisor)),
    );
    assert_eq!(joined.lines().count(), 1, "join prints one line: {joined}");
    assert!(
        joined.contains("joined team ")
            && joined.contains("as supervisor")
            && joined.contains("device "),
        "team, role and device are named: {joined}"
    );
    let s = sup.ok(&["sync"]);
    assert!(s.contains("keys: sent 0"), "progress is printed: {s}");
    assert!(
        s.contains("sync done: pushed 0"),
        "a summary ends the round: {s}"
    );

    let kons = joined_counselor(tmp.path(), &server, &team);
    let before = kons.status();
    assert_eq!(before["joined"], true, "{before}");
    assert_eq!(before["role"], "counselor", "{before}");
    assert_eq!(before["username"], "konselor.budi", "{before}");
    assert_eq!(before["server_url"], server.url(), "{before}");
    assert_eq!(before["pending"], 0, "a fresh vault has nothing to send");
    assert!(before["last_attempt"].is_null(), "no sync yet: {before}");

    add_client_and_note(&kons);
    let pending = kons.pending();
    assert!(pending > 0, "the client and the note wait to be sent");

    let first = kons.ok(&["sync"]);
    assert!(
        first.contains(
            "Waiting for a supervisor to admit this device and share the team key: read her \
             the safety number `teduh team safety-number` shows"
        ),
        "no supervisor has admitted the new member yet: {first}"
    );
    assert_eq!(
        kons.pending(),
        pending,
        "nothing leaves before the team key arrives"
    );

    // Admission by people: the supervisor sees her waiting, she reads out the number her
    // computer shows for the supervisor, the supervisor types it and syncs.
    sup.ok(&["sync"]);
    let waiting = sup.ok(&["team", "pending"]);
    assert!(
        waiting.contains("konselor.budi\tcounselor"),
        "the supervisor's computer lists her as waiting: {waiting}"
    );
    let number = safety_number_for(&kons, "sup.ani (supervisor, device ");
    let confirmed = sup.ok(&["team", "confirm", "konselor.budi", &number]);
    assert!(
        confirmed.contains("konselor.budi's device is admitted"),
        "{confirmed}"
    );
    assert!(
        !sup.ok(&["team", "pending"]).contains("konselor.budi"),
        "no longer waiting"
    );
    sup.ok(&["sync"]);
    let second = kons.ok(&["sync"]);
    assert!(
        second.contains(&format!("send: sent {pending}, pending 0")),
        "a progress line per page sent: {second}"
    );
    assert!(
        second.contains(&format!("sync done: pushed {pending}, pulled 0, pending 0")),
        "{second}"
    );
    assert!(!second.contains("Waiting"), "the key arrived: {second}");

    let after = kons.status();
    assert_eq!(after["pending"], 0, "everything was acknowledged: {after}");
    assert!(after["last_success"].is_string(), "{after}");
    assert!(after["last_error"].is_null(), "{after}");
    let text = String::from_utf8(
        kons.command(&["status"])
            .output()
            .expect("teduh runs")
            .stdout,
    )
    .expect("utf-8");
    for want in [
        "joined: yes",
        "role: counselor",
        "username: konselor.budi",
        "records pending: 0",
        "last error: none",
        "held records: 0",
    ] {
        assert!(text.contains(want), "status shows {want:?}: {text}");
    }
    assert!(
        text.lines()
            .any(|l| l.starts_with("last success: ")
                && (l.contains("just now") || l.contains("ago"))),
        "local time and how long ago: {text}"
    );

    let pulled = sup.ok(&["sync"]);
    assert!(
        pulled.contains(&format!("pulled {pending}")),
        "the supervisor receives the counselor's records: {pulled}"
    );
    let list = sup.ok(&["client", "list"]);
    assert!(
        list.contains("K-001") && list.contains("Klien Fiktif Satu"),
        "the client is readable on the supervisor's laptop: {list}"
    );

    // Her second laptop: a code from her first, a passphrase of its own, keys of its own; it
    // waits until her supervisor admits it by its safety number.
    let made = kons.ok(&["team", "device-code"]);
    let code = made
        .lines()
        .next()
        .expect("the code line")
        .trim()
        .to_owned();
    let kons2 = Computer::new(tmp.path(), "konselor-laptop-2", "frasa sandi laptop kedua");
    let joined = kons2.joined(server.url(), "konselor.budi", Some(&code));
    assert!(joined.contains("as counselor"), "{joined}");
    let (one, two) = (kons.status(), kons2.status());
    assert_eq!(one["member"], two["member"], "the same member");
    assert_ne!(one["device"], two["device"], "a further device");
    sup.ok(&["sync"]);
    let waits = kons2.ok(&["sync"]);
    assert!(waits.contains("Waiting for a supervisor"), "{waits}");
    assert!(
        !kons2.ok(&["client", "list"]).contains("Klien Fiktif Satu"),
        "an unadmitted laptop reads nothing"
    );
    let number = safety_number_for(&kons2, "sup.ani (supervisor, device ");
    sup.ok(&["team", "confirm", "konselor.budi", &number]);
    sup.ok(&["sync"]);
    kons2.ok(&["sync"]);
    let list = kons2.ok(&["client", "list"]);
    assert!(
        list.contains("Klien Fiktif Satu"),
        "the second laptop reads the team's records: {list}"
    );
}

#[test]
fn a_wrong_passphrase_fails_in_one_line_and_changes_nothing() {
    let server = TestServer::start();
    let team = server.create_team("Tim A");
    let tmp = tempfile::tempdir().expect("tempdir");
    let _kons = joined_counselor(tmp.path(), &server, &team);

    // The vault already here, registered with a passphrase that does not open it: the
    // invitation is not spent.
    let mine = Computer::new(tmp.path(), "punya-vault", COUNSELOR_PASS);
    mine.ok(&["init", "--insecure-test-kdf"]);
    let code = server.invite(&team, Role::Counselor);
    let out = mine.join_as("salah sekali", server.url(), "konselor.cici", Some(&code));
    assert!(!out.status.success(), "refused");
    assert!(error_line(&out).contains("wrong passphrase"));
    assert_eq!(mine.status()["joined"], false, "nothing changed");
    mine.joined(server.url(), "konselor.cici", Some(&code));
}

#[test]
fn a_used_invitation_a_taken_username_and_a_second_join_are_refused_in_one_line() {
    let server = TestServer::start();
    let team = server.create_team("Tim A");
    let tmp = tempfile::tempdir().expect("tempdir");
    let code = server.invite(&team, Role::Counselor);
    let kons = Computer::new(tmp.path(), "konselor", COUNSELOR_PASS);
    kons.joined(server.url(), "konselor.budi", Some(&code));

    let late = Computer::new(tmp.path(), "terlambat", COUNSELOR_PASS);
    let out = late.join(server.url(), "konselor.dewi", Some(&code));
    assert_eq!(out.status.code(), Some(1), "refused");
    let line = error_line(&out);
    assert!(
        line.contains("invitation") && line.contains("already used"),
        "{line}"
    );
    assert!(
        !late.data.exists(),
        "the vault made for the join is removed again"
    );

    let out = late.join(
        server.url(),
        "konselor.budi",
        Some(&server.invite(&team, Role::Counselor)),
    );
    assert!(!out.status.success());
    assert!(error_line(&out).contains("is taken"), "username taken");
    assert!(!late.data.exists());

    let out = kons.join(
        server.url(),
        "konselor.budi",
        Some(&server.invite(&team, Role::Counselor)),
    );
    assert!(!out.status.success());
    assert!(error_line(&out).contains("already joined"));
}

#[test]
fn joining_an_unreachable_server_exits_2_and_creates_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let c = Computer::new(tmp.path(), "konselor", COUNSELOR_PASS);
    let out = c.join(&closed_port_url(), "konselor.budi", Some("KODE-APA-SAJA"));
    assert_eq!(out.status.code(), Some(2), "offline");
    assert!(error_line(&out).contains("cannot reach the server"));
    assert!(!c.data.exists(), "nothing left behind");
}

#[test]
fn a_stopped_server_gives_exit_code_2_and_keeps_the_pending_records() {
    let server = TestServer::start();
    let team = server.create_team("Tim A");
    let tmp = tempfile::tempdir().expect("tempdir");
    let sup = Computer::new(tmp.path(), "supervisor", SUPERVISOR_PASS);
    sup.joined(
        server.url(),
        "sup.ani",
        Some(&server.invite(&team, Role::Supervisor)),
    );
    let kons = joined_counselor(tmp.path(), &server, &team);
    sup.ok(&["sync"]);
    add_client_and_note(&kons);
    let pending = kons.pending();

    drop(server);
    let out = kons.run(&["sync"]);
    assert_eq!(out.status.code(), Some(2), "offline is exit code 2");
    let line = error_line(&out);
    assert!(line.contains("offline"), "{line}");
    assert!(
        line.contains(&format!(
            "{pending} record(s) not sent yet stay on this computer"
        )),
        "{line}"
    );
    let st = kons.status();
    assert_eq!(st["pending"], pending, "the records wait for the next sync");
    assert!(
        st["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("offline")),
        "the failure is remembered: {st}"
    );
    assert!(st["last_attempt"].is_string(), "{st}");
    assert!(st["last_success"].is_null(), "{st}");
}

#[test]
fn a_removed_member_gets_exit_code_3() {
    let server = TestServer::start();
    let team = server.create_team("Tim A");
    let tmp = tempfile::tempdir().expect("tempdir");
    let kons = joined_counselor(tmp.path(), &server, &team);
    add_client_and_note(&kons);
    let member = kons.status()["member"]
        .as_u64()
        .expect("status names the member");

    server.remove_member(member);
    let out = kons.run(&["sync"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "revoked or removed is exit code 3"
    );
    assert!(error_line(&out).contains("no longer has access"));
    assert!(
        kons.pending() > 0,
        "her unsent records stay on her computer"
    );
}

/// Someone copied the laptop's tokens (a backup of its unlocked vault, say) and renews with
/// them first: at its next sync the laptop renews too, the server sees a refresh token used
/// twice and revokes it, and `teduh sync` says so with exit code 3, keeping the records.
#[test]
fn a_laptop_whose_tokens_were_copied_is_revoked_with_exit_code_3() {
    use teduh_core::sync::Transport as _;
    let server = TestServer::start();
    let team = server.create_team("Tim A");
    let tmp = tempfile::tempdir().expect("tempdir");
    let kons = joined_counselor(tmp.path(), &server, &team);
    add_client_and_note(&kons);
    let device = kons.status()["device"]
        .as_u64()
        .expect("status names the device");

    let copied = {
        let store = teduh_core::store::LocalStore::open(&kons.data.join("teduh.sqlite3"))
            .expect("the laptop's database");
        let mut vault = teduh_core::vault::Vault::open(store).expect("its vault");
        vault.unlock(COUNSELOR_PASS).expect("unlocks");
        vault.sync_credentials().expect("its tokens")
    };
    teduh_client::HttpTransport::builder(server.url())
        .build()
        .expect("transport")
        .renew_tokens(&teduh_tests::hostile::copied_renewal(&copied, device))
        .expect("the copier renews first");

    let out = kons.run(&["sync"]);
    assert_eq!(out.status.code(), Some(3), "revoked is exit code 3");
    let line = error_line(&out);
    assert!(
        line.contains("sync tokens was also used somewhere else"),
        "{line}"
    );
    assert!(
        kons.pending() > 0,
        "her unsent records stay on her computer"
    );
}

#[test]
fn status_needs_no_vault_nor_passphrase_and_sync_before_joining_points_at_join() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let c = Computer::new(tmp.path(), "baru", COUNSELOR_PASS);
    let st = c.status();
    assert_eq!(st["vault"], false, "{st}");
    assert_eq!(st["joined"], false, "{st}");
    assert!(!c.data.exists(), "status creates nothing");

    c.ok(&["init", "--insecure-test-kdf"]);
    add_client_and_note(&c);
    let st = c.status();
    assert_eq!(st["vault"], true, "{st}");
    assert_eq!(st["joined"], false, "{st}");
    assert!(
        st["pending"].as_u64().is_some_and(|n| n > 0),
        "work done before joining waits to be sent: {st}"
    );

    let out = c.run(&["sync"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        error_line(&out).contains("teduh join"),
        "the next step is named"
    );
}

#[test]
fn a_supervisor_invites_from_her_laptop_and_the_newcomer_joins_without_typing_her_username() {
    let server = TestServer::start();
    let team = server.create_team("Tim Undangan");
    let tmp = tempfile::tempdir().expect("tempdir");
    let sup = Computer::new(tmp.path(), "supervisor", SUPERVISOR_PASS);
    sup.joined(
        server.url(),
        "sup.ani",
        Some(&server.invite(&team, Role::Supervisor)),
    );
    sup.ok(&["sync"]);
    let made = sup.ok(&[
        "team",
        "invite",
        "--username",
        "kons.cici",
        "--role",
        "counselor",
    ]);
    let code = first_line(&made);
    assert!(
        made.contains("WhatsApp: https://wa.me/?text="),
        "a link to send it: {made}"
    );

    let cici = Computer::new(tmp.path(), "cici", COUNSELOR_PASS);
    let out = cici.join_invited(server.url(), &code);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("Diundang oleh sup.ani (supervisor) · Tim Undangan"),
        "who invites, before anything is made: {said}"
    );
    assert_eq!(cici.status()["username"], "kons.cici");
    assert!(
        cici.ok(&["sync"]).contains("Waiting for a supervisor"),
        "she waits for the supervisor's device"
    );
    sup.ok(&["sync"]);
    let joined = cici.ok(&["sync"]);
    assert!(
        !joined.contains("Waiting"),
        "admitted by the invitation: {joined}"
    );

    // The same code is refused the second time, in one line, and leaves nothing behind.
    let late = Computer::new(tmp.path(), "terlambat", COUNSELOR_PASS);
    let out = late.join_invited(server.url(), &code);
    assert!(!out.status.success());
    assert!(
        error_line(&out).contains("invitation"),
        "{}",
        error_line(&out)
    );
    assert!(!late.data.exists());
}

#[test]
fn a_forged_team_key_is_named_on_the_victim_s_laptop_and_reported_to_her_supervisor_s() {
    let server = TestServer::start();
    let team = server.create_team("Tim Alarm");
    let tmp = tempfile::tempdir().expect("tempdir");
    let sup = Computer::new(tmp.path(), "supervisor", SUPERVISOR_PASS);
    sup.joined(
        server.url(),
        "sup.ani",
        Some(&server.invite(&team, Role::Supervisor)),
    );
    sup.ok(&["sync"]);
    let made = sup.ok(&[
        "team",
        "invite",
        "--username",
        "kons.budi",
        "--role",
        "counselor",
    ]);
    let code = first_line(&made);
    let kons = Computer::new(tmp.path(), "konselor", COUNSELOR_PASS);
    let out = kons.join_invited(server.url(), &code);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    sup.ok(&["sync"]);
    kons.ok(&["sync"]);
    assert!(sup.ok(&["team", "alarms"]).contains("no security alarms"));

    // The operator makes the next epoch herself, signed in the supervisor's device's name.
    let team_id = server.team_id("Tim Alarm");
    let sup_device = sup.status()["device"].as_u64().expect("device");
    let epoch = server
        .block_on(server.storage().envelopes(team_id, sup_device))
        .expect("envelopes")
        .0;
    teduh_tests::hostile::forge_epoch(&server, team_id, epoch + 1, sup_device);
    let victim = kons.ok(&["sync"]);
    assert!(
        victim.contains("SECURITY ALARM forged-team-key"),
        "named on her laptop: {victim}"
    );
    let seen = sup.ok(&["sync"]);
    assert!(
        seen.contains("SECURITY ALARM reported: forged-team-key from device"),
        "reported to the supervisor's laptop at its next sync: {seen}"
    );
    let listed = sup.ok(&["team", "alarms"]);
    assert!(
        listed.contains("forged-team-key\treported by device"),
        "{listed}"
    );
    assert!(
        !listed.contains("unverified"),
        "signed by a device of the roster: {listed}"
    );
}
