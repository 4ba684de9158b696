//! The UU PDP subcommands of the real `teduh` binary, driven as a script would: people's
//! requests, the audit trail, the breach register, erasure and retention.

mod script;

use script::{ok, teduh, vault_with_client, PASS};

#[test]
fn a_script_registers_a_request_lists_its_time_left_exports_her_data_and_answers_it_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = vault_with_client(tmp.path(), "RQ-9");
    // Received 30 hours ago, entered now: 42 hours left, not 72.
    let received = (chrono::Utc::now() - chrono::Duration::hours(30)).to_rfc3339();
    let added = ok(
        &data,
        &[
            "request",
            "add",
            "--client",
            "RQ-9",
            "--kind",
            "access",
            "--received",
            &received,
            "--via",
            "letter",
            "--identity",
            "identity_card",
            "--details",
            "Salinan catatan",
        ],
    );
    let id = added.split_whitespace().next().expect("an id").to_string();
    assert!(added.contains("RQ-9  access"), "{added}");
    assert!(
        added.contains("open, 41 h") || added.contains("open, 42 h"),
        "42 hours left: {added}"
    );
    let listed = ok(&data, &["request", "list"]);
    assert!(
        listed.starts_with("1 request(s)") && listed.contains(&id),
        "{listed}"
    );

    // A refusal without its Ps 33 grounds is refused, with the reason, and nothing changes.
    let out = teduh(
        &data,
        PASS,
        &[
            "request",
            "answer",
            &id,
            "--outcome",
            "refused",
            "--text",
            "Ditolak.",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("[InvalidInput]") && err.contains("grounds"),
        "{err}"
    );
    assert!(ok(&data, &["request", "list"]).starts_with("1 request(s)"));

    // The access export answering it: a PDF and a JSON with her processing trail.
    let out_dir = tmp.path().join("salinan");
    let exported = ok(
        &data,
        &[
            "request",
            "export",
            &id,
            "--out",
            out_dir.to_str().expect("utf-8"),
        ],
    );
    let written: Vec<&str> = exported
        .lines()
        .filter_map(|l| l.strip_prefix("written: "))
        .collect();
    assert_eq!(written.len(), 2, "{exported}");
    assert!(
        written[0].ends_with(".pdf") && written[1].ends_with(".json"),
        "{exported}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(written[1]).expect("the JSON")).expect("valid");
    assert_eq!(json["data"]["client"]["profile"]["code"], "RQ-9");
    assert!(
        json["trail"]
            .as_array()
            .is_some_and(|t| t.iter().any(|e| e["action"] == "created")),
        "{json}"
    );
    assert!(std::fs::read(written[0])
        .expect("the PDF")
        .starts_with(b"%PDF-"));

    let answered = ok(
        &data,
        &[
            "request",
            "answer",
            &id,
            "--outcome",
            "partly_granted",
            "--text",
            "Salinan diberikan, pihak ketiga disamarkan.",
            "--ground",
            "reveals_others_data",
        ],
    );
    assert!(answered.contains("answered_in_time"), "{answered}");
    assert!(ok(&data, &["request", "list"]).starts_with("0 request(s)"));
    let all = ok(&data, &["request", "list", "--client", "RQ-9"]);
    assert!(
        all.starts_with("1 request(s)") && all.contains("answered_in_time"),
        "{all}"
    );
    // A bad kind fails before the passphrase is asked, and registers nothing.
    let out = teduh(
        &data,
        "",
        &[
            "request",
            "add",
            "--client",
            "RQ-9",
            "--kind",
            "everything",
            "--received",
            &received,
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--kind"));
    assert!(ok(&data, &["request", "list", "--client", "RQ-9"]).starts_with("1 request(s)"));
}

#[test]
fn every_export_is_in_the_audit_trail_and_a_deleted_entry_fails_the_verification() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = vault_with_client(tmp.path(), "AU-9");
    ok(&data, &["export-client", "AU-9"]);
    ok(&data, &["export-client", "AU-9"]);
    let log = ok(&data, &["audit", "log", "--client", "AU-9"]);
    assert!(
        log.starts_with("2 entr(ies)") && log.matches("exported").count() == 2,
        "{log}"
    );
    let verified = ok(&data, &["audit", "verify"]);
    assert!(verified.contains("every chain holds"), "{verified}");

    // Someone with the file removes the first export from the log.
    let conn = rusqlite::Connection::open(data.join("teduh.sqlite3")).expect("db");
    let first: i64 = conn
        .query_row(
            "SELECT MIN(seq) FROM record_log WHERE kind = 'access'",
            [],
            |r| r.get(0),
        )
        .expect("an entry");
    conn.execute("DELETE FROM record_log WHERE seq = ?1", [first])
        .expect("deleted");
    drop(conn);
    let out = teduh(&data, PASS, &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(4), "a break fails the check");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("record {first} is missing")),
        "{text}"
    );
}

#[test]
fn a_script_registers_a_breach_writes_both_notices_and_records_them_once_each() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = vault_with_client(tmp.path(), "BR-1");
    // Known 10 hours ago: 62 hours left.
    let aware = (chrono::Utc::now() - chrono::Duration::hours(10)).to_rfc3339();
    let added = ok(
        &data,
        &[
            "breach",
            "add",
            "--aware",
            &aware,
            "--what",
            "Ponsel relawan hilang (sintetis)",
            "--category",
            "hotline_contacts",
            "--category",
            "children",
            "--client",
            "BR-1",
            "--measures",
            "Perangkat dicabut dari tim",
        ],
    );
    let id = added.split_whitespace().next().expect("an id").to_string();
    assert!(
        added.contains("open, 61 h") || added.contains("open, 62 h"),
        "{added}"
    );
    let out_dir = tmp.path().join("surat");
    let notice = ok(
        &data,
        &[
            "breach",
            "notice",
            &id,
            "--to",
            "authority",
            "--out",
            out_dir.to_str().expect("utf-8"),
        ],
    );
    assert!(
        notice.contains("Pemberitahuan Kegagalan Pelindungan Data Pribadi"),
        "{notice}"
    );
    assert!(
        notice.contains("Jumlah orang yang terdampak: 1"),
        "{notice}"
    );
    assert!(!notice.contains("BR-1"), "no client named: {notice}");
    let pdf = notice
        .lines()
        .find_map(|l| l.strip_prefix("written: "))
        .expect("the PDF's path");
    assert!(std::fs::read(pdf).expect("the PDF").starts_with(b"%PDF-"));

    ok(&data, &["breach", "notified", &id, "--to", "persons"]);
    let done = ok(&data, &["breach", "notified", &id, "--to", "authority"]);
    assert!(done.contains("notified_in_time"), "{done}");
    let again = teduh(&data, PASS, &["breach", "notified", &id, "--to", "persons"]);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("recorded"),
        "a second notice is refused with the reason"
    );
    // A kind of data the register does not know fails before the passphrase is asked.
    let out = teduh(
        &data,
        "",
        &[
            "breach",
            "add",
            "--aware",
            &aware,
            "--what",
            "x",
            "--category",
            "secrets",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--category"));
    assert!(ok(&data, &["breach", "list"]).starts_with("1 incident(s)"));
}

#[test]
fn a_script_erases_a_client_at_her_request_and_lists_who_confirmed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = vault_with_client(tmp.path(), "HP-9");
    let received = (chrono::Utc::now() - chrono::Duration::hours(2)).to_rfc3339();
    let request = |identity: &str| {
        let added = ok(
            &data,
            &[
                "request",
                "add",
                "--client",
                "HP-9",
                "--kind",
                "erasure",
                "--received",
                &received,
                "--via",
                "letter",
                "--identity",
                identity,
            ],
        );
        added.split_whitespace().next().expect("an id").to_string()
    };
    // Not before her identity is checked; nothing is erased.
    let unchecked = request("not_yet");
    let out = teduh(
        &data,
        PASS,
        &["client", "erase", "HP-9", "--request", &unchecked],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("[NotPermitted]"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(ok(&data, &["client", "list"]).contains("HP-9"));

    let checked = request("identity_card");
    let erased = ok(&data, &["client", "erase", "HP-9", "--request", &checked]);
    assert!(erased.contains("HP-9 is erased"), "{erased}");
    // The notice to her, printed once: addressed to her, naming what stays.
    assert!(
        erased.contains("Pemberitahuan Penghapusan Data Pribadi"),
        "{erased}"
    );
    assert!(erased.contains("Kepada Yth.: Klien Sintetis"), "{erased}");
    assert!(erased.contains("hanya kode HP-9"), "{erased}");
    assert!(
        !ok(&data, &["client", "list"]).contains("HP-9"),
        "gone from the list"
    );
    let listed = ok(&data, &["client", "erasures"]);
    assert!(listed.contains("HP-9: "), "{listed}");
}

#[test]
fn a_script_lists_what_outlived_its_retention_and_destroys_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("device");
    ok(&data, &["init", "--insecure-test-kdf"]);
    let contact = |days_ago: i64, summary: &str| {
        let at = (chrono::Utc::now() - chrono::Duration::days(days_ago)).to_rfc3339();
        let out = ok(
            &data,
            &[
                "contact",
                "add",
                "--channel",
                "phone_call",
                "--at",
                &at,
                "--minutes",
                "5",
                "--summary",
                summary,
            ],
        );
        out.trim()
            .strip_prefix("contact ")
            .expect("prints the contact's id")
            .to_owned()
    };
    let old = contact(800, "kontak lama (sintetis)");
    let recent = contact(2, "kontak baru (sintetis)");
    let due = ok(&data, &["retention", "due"]);
    assert!(due.contains("contacts 730 days"), "{due}");
    assert!(due.contains("1 item(s) due"), "{due}");
    assert!(due.contains(&old) && !due.contains(&recent), "{due}");

    // A bad class or nothing chosen destroys nothing.
    for args in [
        &["retention", "destroy", "--class", "archives", "--all"][..],
        &["retention", "destroy", "--class", "contacts"][..],
        &["retention", "destroy", "--class", "contacts", &recent][..],
    ] {
        let out = teduh(&data, PASS, args);
        assert!(!out.status.success(), "{args:?}");
    }
    assert!(ok(&data, &["retention", "due"]).contains("1 item(s) due"));

    let destroyed = ok(
        &data,
        &["retention", "destroy", "--class", "contacts", "--all"],
    );
    assert!(
        destroyed.contains("1 item(s) of contacts destroyed"),
        "{destroyed}"
    );
    assert!(ok(&data, &["retention", "due"]).contains("0 item(s) due"));
    let listed = ok(&data, &["contact", "list"]);
    assert!(
        listed.contains("kontak baru") && !listed.contains("kontak lama"),
        "{listed}"
    );
    let register = ok(&data, &["client", "erasures"]);
    // Kept by its day (the team's, WIB by default, or UTC's: they differ after 17:00 UTC).
    let then = chrono::Utc::now() - chrono::Duration::days(800);
    let days = [then, then + chrono::Duration::hours(7)].map(|t| t.date_naive().to_string());
    assert!(days.iter().any(|d| register.contains(d)), "{register}");
}
