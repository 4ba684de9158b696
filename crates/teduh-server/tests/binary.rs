//! The `teduh-server` binary as an operator meets it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

fn server() -> Command {
    Command::new(env!("CARGO_BIN_EXE_teduh-server"))
}

#[test]
fn starts_with_defaults_and_answers_healthz() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Only the port is overridden (0 = free port) and the data dir kept out of $HOME; the
    // storage is the embedded SQLite default.
    let mut child = server()
        .env("TEDUH_SERVER_LISTEN", "127.0.0.1:0")
        .env("TEDUH_SERVER_DATA_DIR", tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("reads");
    let url = line
        .trim()
        .strip_prefix("teduh-server listening on ")
        .expect("announces its address")
        .to_owned();
    let health = ureq_get(&format!("{url}/healthz"));
    let _ = child.kill();
    let _ = child.wait();
    assert!(health.contains("\"sqlite\""), "healthz: {health}");
    assert!(
        tmp.path().join("teduh-server.sqlite3").exists(),
        "the embedded database lives in the data dir"
    );
}

#[test]
fn unreachable_postgres_fails_with_one_clear_line() {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let out = server()
        .args(["--listen", "127.0.0.1:0", "--database"])
        .arg("postgres://teduh:secret@127.0.0.1:1/teduh")
        .output()
        .expect("runs");
    assert!(!out.status.success(), "must exit non-zero");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "exactly one line, got: {stderr}");
    assert!(
        lines[0].contains("cannot connect to PostgreSQL"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("secret"),
        "the password must never be printed"
    );
    assert!(!stderr.contains("panicked"), "no panic: {stderr}");
}

#[test]
fn config_file_is_used_and_flags_win() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = tmp.path().join("server.toml");
    std::fs::write(&cfg, "database = \"mysql://nope\"\n").expect("write");
    let out = server()
        .args(["--listen", "127.0.0.1:0", "--config"])
        .arg(&cfg)
        .output()
        .expect("runs");
    assert!(!out.status.success(), "the file's database must be used");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A minimal HTTP/1.1 GET over std, so this test needs no HTTP client crate.
fn ureq_get(url: &str) -> String {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("http url");
    let (host, path) = rest
        .split_once('/')
        .map(|(h, p)| (h, format!("/{p}")))
        .expect("path");
    let mut s = std::net::TcpStream::connect(host).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .expect("writes");
    let mut body = String::new();
    s.read_to_string(&mut body).expect("reads");
    body
}
