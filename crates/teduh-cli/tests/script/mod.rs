//! Running the real `teduh` binary as a script would: the helpers the CLI's test files share.

// Each test file uses some of them.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub const PASS: &str = "kata sandi skrip";

pub fn command(data: &Path, pass: &str, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_teduh"));
    c.arg("--data-dir")
        .arg(data)
        .args(args)
        .env("TEDUH_PASSPHRASE", pass)
        .env_remove("TEDUH_SERVER_URL");
    c
}

pub fn teduh(data: &Path, pass: &str, args: &[&str]) -> Output {
    command(data, pass, args).output().expect("teduh runs")
}

pub fn ok(data: &Path, args: &[&str]) -> String {
    stdout_of_success(teduh(data, PASS, args), args)
}

/// The standard output of a run that must have succeeded.
fn stdout_of_success(out: Output, args: &[&str]) -> String {
    assert!(
        out.status.success(),
        "`teduh {}` must succeed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

/// `teduh` with `input` on its standard input.
pub fn ok_with_stdin(data: &Path, input: &str, args: &[&str]) -> String {
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
    stdout_of_success(child.wait_with_output().expect("teduh ends"), args)
}

/// A new vault in `dir/device` holding one synthetic client `code`; returns its data directory.
pub fn vault_with_client(dir: &Path, code: &str) -> std::path::PathBuf {
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
