//! One computer running the real `teduh` binary against a sync server, as the CLI's team test
//! files drive it.

// Each test file uses some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

pub const SUPERVISOR_PASS: &str = "kata sandi supervisor";
pub const COUNSELOR_PASS: &str = "kata sandi konselor";

/// One computer: a data directory and the passphrase its member types.
pub struct Computer {
    pub data: PathBuf,
    pub pass: &'static str,
}

impl Computer {
    pub fn new(root: &Path, name: &str, pass: &'static str) -> Self {
        Self {
            data: root.join(name),
            pass,
        }
    }

    pub fn command(&self, args: &[&str]) -> Command {
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
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_as(self.pass, args)
    }

    pub fn run_as(&self, pass: &str, args: &[&str]) -> Output {
        self.command(args)
            .env("TEDUH_PASSPHRASE", pass)
            .output()
            .expect("teduh runs")
    }

    pub fn ok(&self, args: &[&str]) -> String {
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
    pub fn status(&self) -> serde_json::Value {
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

    pub fn pending(&self) -> u64 {
        self.status()["pending"]
            .as_u64()
            .expect("pending is a number")
    }

    /// `teduh join` (fast test KDF), with an invitation or with the passphrase alone.
    pub fn join(&self, url: &str, username: &str, invitation: Option<&str>) -> Output {
        self.join_as(self.pass, url, username, invitation)
    }

    pub fn join_as(
        &self,
        pass: &str,
        url: &str,
        username: &str,
        invitation: Option<&str>,
    ) -> Output {
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
    pub fn join_invited(&self, url: &str, code: &str) -> Output {
        self.run(&[
            "join",
            "--server",
            url,
            "--invitation",
            code,
            "--insecure-test-kdf",
        ])
    }

    pub fn joined(&self, url: &str, username: &str, invitation: Option<&str>) -> String {
        let out = self.join(url, username, invitation);
        assert!(
            out.status.success(),
            "{username} joins: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }
}

/// The counselor `konselor.budi` on a computer of her own under `root`, joined to `team` of
/// `server` with an invitation the server made.
pub fn joined_counselor(root: &Path, server: &teduh_tests::TestServer, team: &str) -> Computer {
    let kons = Computer::new(root, "konselor", COUNSELOR_PASS);
    kons.joined(
        server.url(),
        "konselor.budi",
        Some(&server.invite(team, teduh_protocol::sync::Role::Counselor)),
    );
    kons
}

/// The only line on standard error (every failure is exactly one line).
/// The safety number `teduh team safety-number` on `c` shows on the line starting `prefix`.
pub fn safety_number_for(c: &Computer, prefix: &str) -> String {
    let numbers = c.ok(&["team", "safety-number"]);
    numbers
        .lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.split_once("): "))
        .map(|(_, n)| n.to_owned())
        .unwrap_or_else(|| panic!("a number on a line {prefix:?}: {numbers}"))
}

/// The first line of a command's output, trimmed (where `teduh` prints a code).
pub fn first_line(out: &str) -> String {
    out.lines().next().expect("a first line").trim().to_owned()
}

pub fn error_line(out: &Output) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "a failure is one line: {err:?}");
    lines[0].to_owned()
}

/// A loopback URL nothing listens on.
pub fn closed_port_url() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr");
    drop(l);
    format!("http://{addr}")
}

pub fn add_client_and_note(c: &Computer) {
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
