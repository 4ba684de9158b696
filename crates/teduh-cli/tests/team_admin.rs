//! The administrator's and the supervisor's team commands of the real binary against a real sync
//! server in-process: the organisation's settings, record of processing and directory signed on
//! the administrator's laptop, and case assignment from the CLI.

mod computers;

use computers::*;

use teduh_protocol::sync::Role;
use teduh_tests::TestServer;

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
        "--retain",
        "backups=14",
    ]);
    assert!(set.contains("version 3"), "{set}");
    let shown = admin.ok(&["org", "settings"]);
    assert!(shown.contains("drafts 30 days; backups 14 days"), "{shown}");
    admin.ok(&["org", "processing", "--out", out_arg]);
    let again: serde_json::Value =
        serde_json::from_slice(&std::fs::read(json_path).expect("written again")).expect("JSON");
    assert_eq!(again["settings_version"], 3);
    assert_eq!(
        again["controller"]["address"],
        "Jl. Sintetis No. 1, Kota Contoh"
    );
    assert_eq!(again["retention"]["draft_days"], 30);
    assert_eq!(again["retention"]["backup_days"], 14);
    let never = admin.run(&["org", "set", "--retain", "drafts=0"]);
    assert!(!never.status.success(), "a period of no days");
    assert!(
        error_line(&never).contains("1-36525"),
        "{}",
        error_line(&never)
    );
    let too_long = admin.run(&["org", "set", "--retain", "backups=400"]);
    assert!(
        error_line(&too_long).contains("1-365"),
        "{}",
        error_line(&too_long)
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
