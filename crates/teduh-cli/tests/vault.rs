//! The vault subcommands of the real `teduh` binary, driven as a script would.

mod script;

use script::{ok, ok_with_stdin, teduh, PASS};

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
