//! The vault subcommands of the real `teduh` binary, driven as a script would.

use std::path::Path;
use std::process::{Command, Output};

const PASS: &str = "kata sandi skrip";

fn command(data: &Path, pass: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_teduh"));
    c.arg("--data-dir")
        .arg(data)
        .args(args)
        .env("TEDUH_PASSPHRASE", pass)
        .env_remove("TEDUH_SERVER_URL");
    c
}

fn teduh(data: &Path, pass: &str, args: &[&str]) -> Output {
    command(data, pass, args).output().expect("teduh runs")
}

fn ok(data: &Path, args: &[&str]) -> String {
    let out = teduh(data, PASS, args);
    assert!(
        out.status.success(),
        "`teduh {}` must succeed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn a_script_can_init_add_a_client_write_a_note_screen_and_export() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("device");
    ok(&data, &["init", "--insecure-test-kdf"]);
    let again = teduh(&data, PASS, &["init", "--insecure-test-kdf"]);
    assert!(
        !again.status.success(),
        "a second init must not replace the vault"
    );

    let added = ok(
        &data,
        &[
            "client",
            "add",
            "--code",
            "MKS-0007",
            "--name",
            "Rina Sintetis",
            "--nickname",
            "Rin",
            "--birth-date",
            "2014-05-01",
            "--guardian-name",
            "Ibu Sintetis",
            "--guardian-relationship",
            "ibu",
            "--whatsapp",
            "+62 800 0000 0001",
        ],
    );
    assert!(
        added.contains("(child)"),
        "a 12-year-old is flagged as a child: {added}"
    );
    let list = ok(&data, &["client", "list", "--search", "rin"]);
    assert!(list.contains("MKS-0007"), "search finds the client: {list}");

    let note_id = ok(
        &data,
        &[
            "note",
            "add",
            "--client",
            "mks-0007",
            "--narrative",
            "Sesi pertama, klien tenang.",
            "--modality",
            "home_visit",
            "--zone",
            "Asia/Makassar",
            "--duration",
            "40",
            "--risk",
            "medium",
        ],
    )
    .trim()
    .to_owned();
    assert_eq!(note_id.len(), 32, "note add prints the note id: {note_id}");
    ok(&data, &["note", "finalise", &note_id]);
    let refused = teduh(&data, PASS, &["note", "finalise", &note_id]);
    assert!(!refused.status.success(), "finalising twice is refused");
    ok(
        &data,
        &[
            "note",
            "addendum",
            &note_id,
            "--text",
            "Ibu menelepon kembali.",
        ],
    );

    let scored = ok(
        &data,
        &[
            "screening",
            "add",
            "--client",
            "MKS-0007",
            "--instrument",
            "phq9",
            "--answers",
            "1,1,2,2,1,0,0,0,1",
        ],
    );
    assert!(
        scored.contains("total 8 band mild"),
        "score computed: {scored}"
    );
    assert!(
        scored.contains("RED FLAG: phq9.09"),
        "item 9 flagged: {scored}"
    );

    let json = ok(&data, &["export-client", "MKS-0007"]);
    let x: serde_json::Value = serde_json::from_str(&json).expect("export is JSON");
    assert_eq!(
        x["client"]["profile"]["name"], "Rina Sintetis",
        "decrypted profile"
    );
    assert_eq!(x["client"]["is_child"], true, "child flag exported");
    assert_eq!(
        x["notes"][0]["status"]["status"], "finalised",
        "note status exported"
    );
    assert_eq!(
        x["notes"][0]["addenda"][0]["addendum"]["text"], "Ibu menelepon kembali.",
        "addenda exported"
    );
    assert_eq!(
        x["screenings"][0]["result"]["total"], 8,
        "screening exported with its score"
    );
    assert!(
        x["notes"][0]["author"].is_string(),
        "the note names its author"
    );
    assert_eq!(
        x["screenings"][0]["answers"]["administered_by"], x["notes"][0]["author"],
        "the screening names the member who administered it (the app records the same)"
    );

    // Nothing the script wrote is on disk in clear (database, WAL, settings, anything else).
    for entry in std::fs::read_dir(&data).expect("data dir") {
        let path = entry.expect("entry").path();
        let bytes = std::fs::read(&path).expect("read");
        for secret in [
            "Rina Sintetis",
            "Ibu menelepon",
            "Sesi pertama",
            "800 0000 0001",
        ] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{} holds {secret:?} in clear",
                path.display()
            );
        }
    }
}

#[test]
fn a_wrong_passphrase_fails_with_a_clear_message() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("device");
    ok(&data, &["init", "--insecure-test-kdf"]);
    let out = teduh(&data, "salah", &["client", "list"]);
    assert!(!out.status.success(), "a wrong passphrase must fail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("wrong passphrase"),
        "the user is told why: {err}"
    );
}

#[test]
fn commands_before_init_tell_the_user_to_run_init() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = teduh(&tmp.path().join("none"), PASS, &["client", "list"]);
    assert!(!out.status.success(), "no vault, no listing");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("teduh init"), "the next step is named: {err}");
}

/// `teduh` with `input` on its standard input.
fn ok_with_stdin(data: &Path, input: &str, args: &[&str]) -> String {
    use std::io::Write;
    let mut child = command(data, PASS, args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("teduh runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writes the number");
    let out = child.wait_with_output().expect("teduh ends");
    assert!(
        out.status.success(),
        "`teduh {}` must succeed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

#[test]
fn a_script_logs_anonymous_contacts_finds_the_repeat_caller_and_converts_her() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("device");
    ok(&data, &["init", "--insecure-test-kdf"]);
    let id_of = |out: &str| {
        out.trim()
            .strip_prefix("contact ")
            .expect("prints the contact's id")
            .to_owned()
    };
    let first = id_of(&ok_with_stdin(
        &data,
        "0812-7000-0003\n",
        &[
            "contact",
            "add",
            "--channel",
            "whats_app",
            "--minutes",
            "12",
            "--number-stdin",
            "--category",
            "suicide-risk",
            "--self-harm",
            "yes",
            "--summary",
            "penelepon anonim larut malam",
        ],
    ));
    let second = id_of(&ok_with_stdin(
        &data,
        "+62 812 7000 0003\n",
        &[
            "contact",
            "add",
            "--number-stdin",
            "--summary",
            "menelepon lagi",
        ],
    ));
    let bad = teduh(
        &data,
        PASS,
        &[
            "contact",
            "add",
            "--category",
            "tidak-ada",
            "--summary",
            "x",
        ],
    );
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("unknown contact category tidak-ada"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );

    let list = ok(&data, &["contact", "list"]);
    assert_eq!(list.lines().count(), 2, "{list}");
    assert!(
        list.lines().next().expect("a row").starts_with(&second),
        "newest first: {list}"
    );
    assert!(list.contains("RED FLAG"), "{list}");
    let same = ok_with_stdin(
        &data,
        "6281270000003",
        &["contact", "list", "--number-stdin"],
    );
    assert_eq!(same.lines().count(), 2, "both calls of that number: {same}");
    let flagged = ok(&data, &["contact", "list", "--red-flag"]);
    assert!(
        flagged.starts_with(&first) && flagged.lines().count() == 1,
        "{flagged}"
    );

    let converted = ok(
        &data,
        &[
            "contact",
            "convert",
            &first,
            &second,
            "--code",
            "HL-0002",
            "--name",
            "Klien Sintetis",
            "--estimated-age",
            "40",
        ],
    );
    assert!(converted.contains("client HL-0002 added"), "{converted}");
    let clients = ok(&data, &["client", "list"]);
    assert!(clients.contains("HL-0002"), "{clients}");
    let after = ok(&data, &["contact", "list", "--search", "larut"]);
    assert_eq!(
        after.lines().count(),
        0,
        "the caller's words left the contact list: {after}"
    );
}

#[test]
fn a_script_writes_the_monthly_statistics_and_bad_arguments_write_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("device");
    ok(&data, &["init", "--insecure-test-kdf"]);
    for (code, regency) in [("ST-1", "Kota Contoh"), ("ST-2", "Kab. Fiktif")] {
        ok(
            &data,
            &[
                "client",
                "add",
                "--code",
                code,
                "--name",
                "Klien Sintetis",
                "--birth-date",
                "1990-01-01",
                "--regency",
                regency,
            ],
        );
        // Three sessions each in November (and one in October, not counted).
        for at in [
            "2026-11-02T09:00:00+07:00",
            "2026-11-15T09:00:00+07:00",
            "2026-11-30T23:00:00+07:00",
            "2026-10-31T23:00:00+07:00",
        ] {
            ok(
                &data,
                &[
                    "note",
                    "add",
                    "--client",
                    code,
                    "--narrative",
                    "sesi",
                    "--modality",
                    "video",
                    "--at",
                    at,
                ],
            );
        }
    }
    let month = "2026-11".to_string();
    let out = tmp.path().join("laporan.csv");
    let printed = ok(
        &data,
        &[
            "report",
            "monthly",
            "--month",
            &month,
            "--format",
            "csv",
            "--out",
            out.to_str().expect("path"),
        ],
    );
    assert!(
        printed.contains("<5 clients served"),
        "two clients print as <5: {printed}"
    );
    let csv = std::fs::read_to_string(&out).expect("the report");
    assert!(
        csv.contains("sessions_by_modality,Video,Jumlah,6\n"),
        "six video sessions: {csv}"
    );
    assert!(
        !csv.contains("Kota Contoh"),
        "a population under 5 is not broken down by regency: {csv}"
    );

    for (args, says) in [
        (vec!["--month", "2026-13", "--format", "pdf"], "not a month"),
        (
            vec!["--month", &month, "--format", "docx"],
            "not a report format",
        ),
    ] {
        let target = tmp.path().join("bad.out");
        let mut all = vec!["report", "monthly", "--out", target.to_str().expect("path")];
        all.extend(args.iter().copied());
        let refused = teduh(&data, PASS, &all);
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(!refused.status.success(), "{all:?} must fail");
        assert!(
            stderr.contains(says),
            "{all:?}: a clear error, got {stderr}"
        );
        assert!(!target.exists(), "{all:?}: nothing is written");
    }
}

/// A new vault in `dir/device` holding one synthetic client `code`; returns its data directory.
fn vault_with_client(dir: &Path, code: &str) -> std::path::PathBuf {
    let data = dir.join("device");
    ok(&data, &["init", "--insecure-test-kdf"]);
    ok(
        &data,
        &[
            "client",
            "add",
            "--code",
            code,
            "--name",
            "Klien Sintetis",
            "--birth-date",
            "1990-01-01",
        ],
    );
    data
}

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
