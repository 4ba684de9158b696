//! `teduh join`, `sync` and `status` of the real binary against a real sync server in-process,
//! every computer in its own data directory, driven as a script would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use teduh_protocol::sync::Role;
use teduh_tests::TestServer;

const SUPERVISOR_PASS: &str = "kata sandi supervisor";
const COUNSELOR_PASS: &str = "kata sandi konselor";

/// One computer: a data directory and the passphrase its member types.
struct Computer {
    data: PathBuf,
    pass: &'static str,
}

impl Computer {
    fn new(root: &Path, name: &str, pass: &'static str) -> Self {
        Self {
            data: root.join(name),
            pass,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_teduh"));
        c.arg("--data-dir")
            .arg(&self.data)
            .args(args)
            .env_remove("TEDUH_SERVER_URL")
            .env_remove("TEDUH_PASSPHRASE")
            .stdin(Stdio::null());
        c
    }

    /// Runs `teduh` with this member's passphrase in the environment.
    fn run(&self, args: &[&str]) -> Output {
        self.run_as(self.pass, args)
    }

    fn run_as(&self, pass: &str, args: &[&str]) -> Output {
        self.command(args)
            .env("TEDUH_PASSPHRASE", pass)
            .output()
            .expect("teduh runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "`teduh {}` must succeed: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// `teduh status --json`, without any passphrase.
    fn status(&self) -> serde_json::Value {
        let out = self
            .command(&["status", "--json"])
            .output()
            .expect("teduh runs");
        assert!(
            out.status.success(),
            "status needs no passphrase: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("status --json prints JSON")
    }

    fn pending(&self) -> u64 {
        self.status()["pending"]
            .as_u64()
            .expect("pending is a number")
    }

    /// `teduh join` (fast test KDF), with an invitation or with the passphrase alone.
    fn join(&self, url: &str, username: &str, invitation: Option<&str>) -> Output {
        self.join_as(self.pass, url, username, invitation)
    }

    fn join_as(&self, pass: &str, url: &str, username: &str, invitation: Option<&str>) -> Output {
        let mut args = vec![
            "join",
            "--server",
            url,
            "--username",
            username,
            "--device-name",
            "laptop uji",
            "--insecure-test-kdf",
        ];
        if let Some(code) = invitation {
            args.extend(["--invitation", code]);
        }
        self.run_as(pass, &args)
    }

    /// `teduh join` with a supervisor's invitation, which names the username.
    fn join_invited(&self, url: &str, code: &str) -> Output {
        self.run(&[
            "join",
            "--server",
            url,
            "--invitation",
            code,
            "--insecure-test-kdf",
        ])
    }

    fn joined(&self, url: &str, username: &str, invitation: Option<&str>) -> String {
        let out = self.join(url, username, invitation);
        assert!(
            out.status.success(),
            "{username} joins: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }
}

/// The only line on standard error (every failure is exactly one line).
/// The safety number `teduh team safety-number` on `c` shows on the line starting `prefix`.
fn safety_number_for(c: &Computer, prefix: &str) -> String {
    let numbers = c.ok(&["team", "safety-number"]);
    numbers
        .lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.split_once("): "))
        .map(|(_, n)| n.to_owned())
        .unwrap_or_else(|| panic!("a number on a line {prefix:?}: {numbers}"))
}

/// The first line of a command's output, trimmed (where `teduh` prints a code).
fn first_line(out: &str) -> String {
    out.lines().next().expect("a first line").trim().to_owned()
}

fn error_line(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "a failure is one line: {err:?}");
    lines[0].to_owned()
}

/// A loopback URL nothing listens on.
fn closed_port_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    drop(l);
    format!("http://{addr}")
}

fn add_client_and_note(c: &Computer) {
    c.ok(&[
        "client",
        "add",
        "--code",
        "K-001",
        "--name",
        "Klien Fiktif Satu",
    ]);
    c.ok(&[
        "note",
        "add",
        "--client",
        "K-001",
        "--narrative",
        "Catatan sesi pertama",
    ]);
}

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

    let kons = Computer::new(tmp.path(), "konselor", COUNSELOR_PASS);
    kons.joined(
        server.url(),
        "konselor.budi",
        Some(&server.invite(&team, Role::Counselor)),
    );
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
    let kons = Computer::new(tmp.path(), "konselor", COUNSELOR_PASS);
    kons.joined(
        server.url(),
        "konselor.budi",
        Some(&server.invite(&team, Role::Counselor)),
    );

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
    let kons = Computer::new(tmp.path(), "konselor", COUNSELOR_PASS);
    kons.joined(
        server.url(),
        "konselor.budi",
        Some(&server.invite(&team, Role::Counselor)),
    );
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
    let kons = Computer::new(tmp.path(), "konselor", COUNSELOR_PASS);
    kons.joined(
        server.url(),
        "konselor.budi",
        Some(&server.invite(&team, Role::Counselor)),
    );
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

#[test]
fn an_administrator_signs_the_organisation_s_settings_and_directory_on_her_laptop() {
    let server = TestServer::start();
    let team = server.create_team("Tim Nasional");
    let tmp = tempfile::tempdir().expect("tempdir");
    let admin = Computer::new(tmp.path(), "admin", SUPERVISOR_PASS);
    admin.joined(
        server.url(),
        "admin.ani",
        Some(&server.invite(&team, Role::Admin)),
    );
    admin.ok(&["sync"]);
    let sheet = admin.ok(&["org", "init"]);
    assert!(sheet.contains("TEDUH-ORG1-"), "{sheet}");
    admin.ok(&["sync"]);
    let team_id = server.team_id(&team).to_string();
    let zone = format!("{team_id}=WITA");
    let set = admin.ok(&[
        "org",
        "set",
        "--name",
        "Layanan Psikososial Uji",
        "--zone",
        &zone,
        "--request-hours",
        "48",
        "--episode-ack-hours",
        "12",
    ]);
    assert!(set.contains("version 2"), "{set}");
    let shown = admin.ok(&["org", "settings"]);
    assert!(
        shown.contains("Layanan Psikososial Uji")
            && shown.contains(&format!("this team ({team_id}): WITA"))
            && shown.contains("requests 48 h")
            && shown.contains("episode acknowledgement 12 h"),
        "{shown}"
    );
    let late = admin.run(&["org", "set", "--breach-hours", "100"]);
    assert!(!late.status.success(), "the law's 3 x 24 hours");
    assert!(error_line(&late).contains("1-72"), "{}", error_line(&late));
    let bad_zone = admin.run(&["org", "set", "--zone", "7=UTC"]);
    assert!(error_line(&bad_zone).contains("WIB, WITA or WIT"));

    // The record of processing activities, from the settings she signed; its JSON, edited,
    // goes back in as the next version.
    let out = tmp.path().join("ropa");
    let out_arg = out.to_str().expect("utf-8 path");
    let written = admin.ok(&["org", "processing", "--out", out_arg]);
    let json_path = written
        .lines()
        .find(|l| l.ends_with(".json"))
        .expect("the JSON's path");
    assert!(
        written.lines().any(|l| l.ends_with(".pdf")),
        "a PDF too: {written}"
    );
    let mut record: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json_path).expect("written")).expect("JSON");
    assert_eq!(record["organisation"], "Layanan Psikososial Uji");
    assert_eq!(record["settings_version"], 2);
    assert_eq!(record["missing"][0], "address", "{record}");
    record["controller"]["address"] = "Jl. Sintetis No. 1, Kota Contoh".into();
    std::fs::write(json_path, record.to_string()).expect("edited");
    let set = admin.ok(&[
        "org",
        "set",
        "--processing",
        json_path,
        "--retain",
        "drafts=30",
    ]);
    assert!(set.contains("version 3"), "{set}");
    let shown = admin.ok(&["org", "settings"]);
    assert!(shown.contains("drafts 30 days"), "{shown}");
    admin.ok(&["org", "processing", "--out", out_arg]);
    let again: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json_path).expect("written again")).expect("JSON");
    assert_eq!(again["settings_version"], 3);
    assert_eq!(
        again["controller"]["address"],
        "Jl. Sintetis No. 1, Kota Contoh"
    );
    assert_eq!(again["retention"]["draft_days"], 30);
    let never = admin.run(&["org", "set", "--retain", "drafts=0"]);
    assert!(!never.status.success(), "a period of no days");
    assert!(
        error_line(&never).contains("1-36525"),
        "{}",
        error_line(&never)
    );

    // The directory, signed on her laptop with the organisation key.
    let file = tmp.path().join("direktori.json");
    let entries = teduh_directory::seed::seed_bundle().entries;
    std::fs::write(&file, teduh_directory::io::export_json(&entries)).expect("writes");
    let file = file.to_str().expect("utf-8 path");
    let published = admin.ok(&["org", "publish-directory", file]);
    assert!(published.contains("directory version 2"), "{published}");
    let served = match teduh_client::ServerClient::new(server.url())
        .directory(None)
        .expect("served")
    {
        teduh_client::DirectoryFetch::Bundle { body, .. } => body,
        other => panic!("expected a bundle, got {other:?}"),
    };
    let signed: teduh_directory::bundle::SignedBundle =
        serde_json::from_slice(&served).expect("a signed bundle");
    let code = sheet
        .lines()
        .find(|l| l.starts_with("TEDUH-ORG1-"))
        .expect("the sheet's code");
    let org = teduh_core::team::org::from_recovery_code(code).expect("restores");
    assert_eq!(
        signed
            .verify(&org.verifying_key())
            .expect("signed by the organisation key")
            .version,
        2
    );
    let again = admin.ok(&["org", "publish-directory", file]);
    assert!(again.contains("directory version 3"), "{again}");
    // A supervisor's laptop holds no organisation key.
    let sup = Computer::new(tmp.path(), "sup", COUNSELOR_PASS);
    sup.joined(
        server.url(),
        "sup.budi",
        Some(&server.invite(&team, Role::Supervisor)),
    );
    let refused = sup.run(&["org", "publish-directory", file]);
    assert!(!refused.status.success());

    // Another team, founded under the organisation key: its first supervisor is admitted at
    // the administrator's next sync.
    let kupang = server.create_team("Tim Kupang");
    let kupang_id = server.team_id(&kupang).to_string();
    let founded = admin.ok(&[
        "org",
        "found-team",
        "--team-id",
        &kupang_id,
        "--username",
        "sup.kupang",
    ]);
    let code = first_line(&founded);
    assert!(founded.contains("Tim Kupang is founded"), "{founded}");
    let founder = Computer::new(tmp.path(), "founder", COUNSELOR_PASS);
    let out = founder.join_invited(server.url(), &code);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("organisation key:"),
        "she sees the organisation key's fingerprint"
    );
    assert!(founder.ok(&["sync"]).contains("Waiting for a supervisor"));
    admin.ok(&["sync"]);
    let admitted = founder.ok(&["sync"]);
    assert!(!admitted.contains("Waiting"), "{admitted}");
}

/// Issue 23 from the command line: a supervisor sets a volunteer's level, assigns her to a
/// colleague's client, and takes her off again; she reads the client only in between, and the
/// history keeps the default reason.
#[test]
fn a_supervisor_assigns_a_case_and_takes_a_worker_off_from_the_cli() {
    let server = TestServer::start();
    let team = server.create_team("Tim Penugasan");
    let tmp = tempfile::tempdir().expect("tempdir");
    let sup = Computer::new(tmp.path(), "supervisor", SUPERVISOR_PASS);
    sup.joined(
        server.url(),
        "sup.ani",
        Some(&server.invite(&team, Role::Supervisor)),
    );
    sup.ok(&["sync"]);
    let admit = |name: &str, dir: &str| {
        let c = Computer::new(tmp.path(), dir, COUNSELOR_PASS);
        c.joined(
            server.url(),
            name,
            Some(&server.invite(&team, Role::Counselor)),
        );
        c.ok(&["sync"]);
        sup.ok(&["sync"]);
        let number = safety_number_for(&c, "sup.ani (supervisor, device ");
        sup.ok(&["team", "confirm", name, &number]);
        sup.ok(&["sync"]);
        c.ok(&["sync"]);
        c
    };
    let budi = admit("konselor.budi", "budi");
    let citra = admit("relawan.citra", "citra");
    let set = sup.ok(&["team", "level", "relawan.citra", "intermediate"]);
    assert!(set.contains("relawan.citra is intermediate"), "{set}");
    sup.ok(&["sync"]);
    assert!(
        sup.ok(&["team", "members"])
            .contains("relawan.citra\tcounselor intermediate"),
        "the roster lists her level"
    );

    // Budi's client: Citra's laptop receives it and cannot open it.
    add_client_and_note(&budi);
    budi.ok(&["sync"]);
    citra.ok(&["sync"]);
    assert!(!citra.ok(&["client", "list"]).contains("K-001"));

    sup.ok(&["sync"]);
    let assigned = sup.ok(&["client", "assign", "K-001", "--to", "relawan.citra"]);
    assert!(
        assigned.contains("relawan.citra is assigned to K-001"),
        "{assigned}"
    );
    sup.ok(&["sync"]);
    citra.ok(&["sync"]);
    assert!(
        citra.ok(&["client", "list"]).contains("K-001"),
        "assigned, she reads the client"
    );

    sup.ok(&["client", "unassign", "K-001", "--from", "relawan.citra"]);
    sup.ok(&["sync"]);
    citra.ok(&["sync"]);
    assert!(
        !citra.ok(&["client", "list"]).contains("K-001"),
        "taken off, her laptop drops the client"
    );
    let workers = sup.ok(&["client", "workers", "K-001"]);
    assert!(workers.starts_with("K-001: konselor.budi"), "{workers}");
    assert!(workers.contains("(Dilepas dari kasus)"), "{workers}");
    let out = citra
        .command(&["client", "assign", "K-001", "--to", "relawan.citra"])
        .output()
        .expect("teduh runs");
    assert!(!out.status.success(), "a counselor does not assign");
}
