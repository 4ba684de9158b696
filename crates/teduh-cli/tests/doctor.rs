//! `teduh doctor` against a real in-process server.

use std::process::Command;

fn teduh(data_dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_teduh"));
    c.arg("--data-dir")
        .arg(data_dir)
        .env_remove("TEDUH_SERVER_URL");
    c
}

/// Starts a real server on a free loopback port; returns its URL and the runtime keeping it alive.
fn start_server(dir: &std::path::Path) -> (String, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let path = dir.join("server.sqlite3");
    let url = rt.block_on(async move {
        let storage = teduh_server::storage::sqlite::SqliteStorage::open(&path).expect("storage");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(teduh_server::serve(
            listener,
            std::sync::Arc::new(storage),
            std::future::pending(),
        ));
        url
    });
    (url, rt)
}

#[test]
fn doctor_reports_data_dir_schema_and_a_reachable_server() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (url, _rt) = start_server(tmp.path());
    let data = tmp.path().join("device");
    let out = teduh(&data)
        .args(["doctor", "--server", &url])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(&format!("data directory: {}", data.display())),
        "{stdout}"
    );
    assert!(stdout.contains("local schema: version "), "{stdout}");
    assert!(stdout.contains("reachable (teduh-server"), "{stdout}");
}

#[test]
fn doctor_says_when_the_server_is_down_and_exits_non_zero() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = teduh(tmp.path())
        .args(["doctor", "--server", "http://127.0.0.1:1"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{stdout}");
    assert!(stdout.contains("NOT reachable"), "{stdout}");
}

#[test]
fn version_flag_prints_the_core_version() {
    let out = Command::new(env!("CARGO_BIN_EXE_teduh"))
        .arg("--version")
        .output()
        .expect("runs");
    assert!(String::from_utf8_lossy(&out.stdout).contains(teduh_core_version()));
}

fn teduh_core_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}
