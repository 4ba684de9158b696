//! The vault subcommands of the real `teduh` binary, driven as a script would.

use std::path::Path;
use std::process::{Command, Output};

const PASS: &str = "kata sandi skrip";

fn teduh(data: &Path, pass: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_teduh"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("TEDUH_PASSPHRASE", pass)
        .env_remove("TEDUH_SERVER_URL")
        .output()
        .expect("teduh runs")
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
