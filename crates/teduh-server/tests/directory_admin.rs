//! `teduh-server admin directory import|export|publish` as an admin uses it, and what devices
//! then receive from `GET /v1/directory`.

use std::process::Command;

fn server(data: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_teduh-server"));
    c.arg("--data-dir")
        .arg(data)
        .env_remove("TEDUH_SERVER_DATABASE");
    c
}

fn admin(data: &std::path::Path, args: &[&str]) -> std::process::Output {
    server(data)
        .arg("admin")
        .arg("directory")
        .args(args)
        .output()
        .expect("runs")
}

/// A data directory whose working copy is the seed, exported as JSON and imported back, as an
/// admin starting from the shipped directory does.
fn seed_imported(tmp: &tempfile::TempDir) -> std::path::PathBuf {
    let data = tmp.path().join("data");
    let json = tmp.path().join("dir.json");
    let path = json.to_str().expect("path");
    let out = admin(&data, &["export", "--format", "json", "--out", path]);
    assert!(out.status.success());
    let imported = admin(&data, &["import", path]);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    data
}

#[test]
fn an_invalid_file_is_refused_with_line_numbers_and_nothing_is_kept() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let exported = admin(&data, &["export", "--format", "csv"]);
    assert!(exported.status.success(), "export of the seed works");
    let mut csv = String::from_utf8(exported.stdout).expect("utf-8");
    // Break the third line's category and the fifth line's zone.
    let mut lines: Vec<String> = csv.lines().map(str::to_owned).collect();
    lines[2] = lines[2].replacen(",emergency,", ",nonsense,", 1);
    lines[4] = lines[4].replacen(",WIB,", ",XYZ,", 1);
    csv = lines.join("\n") + "\n";
    let file = tmp.path().join("edited.csv");
    std::fs::write(&file, csv).expect("write");

    let out = admin(&data, &["import", file.to_str().expect("path")]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "invalid rows stop the import");
    assert!(stderr.contains("line 3: category"), "{stderr}");
    assert!(stderr.contains("line 5: zone"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let publish = admin(&data, &["publish"]);
    assert!(!publish.status.success(), "nothing was kept to publish");
}

#[test]
fn a_published_directory_is_served_signed_with_the_key_the_admin_is_shown() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = seed_imported(&tmp);

    let published = admin(&data, &["publish"]);
    let stdout = String::from_utf8_lossy(&published.stdout).into_owned();
    assert!(published.status.success(), "{stdout}");
    assert!(stdout.contains("directory version 2 published"), "{stdout}");
    let key_line = stdout
        .lines()
        .find(|l| l.starts_with("directory key"))
        .expect("the key is printed");
    let key_hex = key_line.rsplit(' ').next().expect("hex").trim().to_owned();
    let key = admin(&data, &["key"]);
    assert_eq!(
        String::from_utf8_lossy(&key.stdout).trim(),
        key_hex,
        "the same key"
    );

    // A second publish moves the version forward.
    let again = admin(&data, &["publish"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("directory version 3 published"));

    // What the server now serves verifies with the printed key.
    let storage =
        teduh_server::storage::sqlite::SqliteStorage::open(&data.join("teduh-server.sqlite3"))
            .expect("storage");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let latest = rt
        .block_on(teduh_server::Storage::latest_directory(&storage))
        .expect("reads")
        .expect("a bundle");
    let signed: teduh_directory::bundle::SignedBundle =
        serde_json::from_slice(&latest.bundle).expect("a signed bundle");
    let verifying = teduh_directory::bundle::parse_public_key(&key_hex).expect("valid key");
    let bundle = signed
        .verify(&verifying)
        .expect("signed by the printed key");
    assert_eq!(bundle.version, 3);
    assert!(bundle.entries.iter().any(|e| e.id == "sapa-129"));
}

#[test]
fn an_admin_publishes_next_years_holidays_and_a_date_without_a_source_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = seed_imported(&tmp);

    let unsourced = tmp.path().join("unsourced.json");
    std::fs::write(
        &unsourced,
        r#"[{"date": "2027-03-10", "name": "Idul Fitri (contoh)", "kind": "national", "source": " "}]"#,
    )
    .expect("write");
    let refused = admin(
        &data,
        &["publish", "--holidays", unsourced.to_str().expect("path")],
    );
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success(),
        "a date without its decree is refused"
    );
    assert!(
        stderr.contains("2027-03-10") && stderr.contains("no source"),
        "{stderr}"
    );

    let list = tmp.path().join("holidays.json");
    std::fs::write(
        &list,
        r#"[{"date": "2027-03-10", "name": "Hari raya contoh", "kind": "national", "source": "SKB contoh (data uji)"}]"#,
    )
    .expect("write");
    let published = admin(
        &data,
        &["publish", "--holidays", list.to_str().expect("path")],
    );
    assert!(
        published.status.success(),
        "{}",
        String::from_utf8_lossy(&published.stderr)
    );
    let storage =
        teduh_server::storage::sqlite::SqliteStorage::open(&data.join("teduh-server.sqlite3"))
            .expect("storage");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let latest = rt
        .block_on(teduh_server::Storage::latest_directory(&storage))
        .expect("reads")
        .expect("a bundle");
    let signed: teduh_directory::bundle::SignedBundle =
        serde_json::from_slice(&latest.bundle).expect("signed bundle");
    let bundle: teduh_directory::bundle::Bundle =
        serde_json::from_str(&signed.payload).expect("bundle");
    let holidays = bundle
        .holidays
        .expect("the bundle carries the admin's list");
    assert_eq!(holidays.len(), 1);
    assert_eq!(holidays[0].source, "SKB contoh (data uji)");
    assert!(
        bundle.synonyms.is_some_and(|s| !s.is_empty()),
        "the seed's synonyms stay"
    );
}
