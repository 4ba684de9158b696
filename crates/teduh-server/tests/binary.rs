//! The `teduh-server` binary as an operator meets it.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A server process that is killed when the test ends, even by a panic.
struct Running(std::process::Child);

impl std::ops::Deref for Running {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

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
        .map(Running)
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

/// Runs `teduh-server --data-dir DIR admin ARGS...` and returns its stdout.
fn admin(store: &[String], args: &[&str]) -> String {
    let out = server()
        .args(store)
        .arg("admin")
        .args(args)
        .output()
        .expect("runs the admin command");
    assert!(
        out.status.success(),
        "admin {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Starts the server on a free port over `dir`; returns the child and its base URL.
/// The storage flags of the embedded SQLite in `dir`.
fn sqlite_store(dir: &std::path::Path) -> Vec<String> {
    vec!["--data-dir".into(), dir.display().to_string()]
}

/// Starts the server on a free port over `store`; returns the child and its base URL.
fn start(store: &[String]) -> (Running, String) {
    start_with(store, None)
}

/// Like [`start`], with debug logs (JSON) written to `log`.
fn start_with(store: &[String], log: Option<&std::path::Path>) -> (Running, String) {
    let mut cmd = server();
    cmd.args(["--listen", "127.0.0.1:0"])
        .args(store)
        .stdout(Stdio::piped());
    match log {
        Some(path) => {
            cmd.env("TEDUH_LOG", "debug")
                .env("TEDUH_LOG_FORMAT", "json")
                .stderr(std::fs::File::create(path).expect("log file"));
        }
        None => {
            cmd.stderr(Stdio::null());
        }
    }
    let mut child = Running(cmd.spawn().expect("spawns"));
    let stdout = child.stdout.take().expect("stdout");
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).expect("reads");
    let url = line
        .trim()
        .strip_prefix("teduh-server listening on ")
        .expect("announces its address")
        .to_owned();
    (child, url)
}

fn b64(bytes: &[u8]) -> String {
    teduh_protocol::sync::b64::encode(bytes)
}

/// A page of 1 KB records. Deterministic, as a real client's outbox is: a re-sent record is
/// byte-for-byte the one sent before (a re-stamped one would be a fork).
fn page(device: u64, first: u64, count: u64) -> Vec<u8> {
    static START_MS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let now_ms = *START_MS.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_millis() as u64
    });
    teduh_protocol::sync::PushPage {
        records: (first..first + count)
            .map(|seq| teduh_protocol::sync::Record {
                device_id: device,
                device_seq: seq,
                key_epoch: 1,
                hlc: teduh_protocol::sync::hlc_from_millis(now_ms, 0),
                payload: vec![(seq % 251) as u8; 1024],
            })
            .collect(),
    }
    .encode()
}

fn push(url: &str, team: u64, token: &str, body: &[u8]) -> Result<u64, String> {
    let resp = ureq::post(&format!("{url}/v1/teams/{team}/records"))
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", "application/octet-stream")
        .timeout(Duration::from_secs(20))
        .send_bytes(body)
        .map_err(|e| e.to_string())?;
    let v: serde_json::Value = resp.into_json().map_err(|e| e.to_string())?;
    v["stored_through"]
        .as_u64()
        .ok_or_else(|| "no stored_through".to_owned())
}

#[test]
fn a_server_killed_mid_push_restarts_consistent_and_the_retry_completes_on_sqlite() {
    let tmp = tempfile::tempdir().expect("tempdir");
    killed_mid_push(&sqlite_store(tmp.path()));
}

#[test]
fn a_server_killed_mid_push_restarts_consistent_and_the_retry_completes_on_postgres() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let db = rt.block_on(common::TestDatabase::create());
    killed_mid_push(&["--database".to_owned(), db.url.clone()]);
}

fn killed_mid_push(dir: &[String]) {
    const PER_PAGE: u64 = 50;
    const PAGES: u64 = 60;
    admin(dir, &["init-org", "Rumah Teduh"]);
    assert!(admin(dir, &["create-team", "Kupang"]).contains("team Kupang created"));
    let invite = admin(dir, &["invite", "--team", "Kupang", "--role", "supervisor"]);
    let code = invite
        .lines()
        .next()
        .expect("the code on the first line")
        .to_owned();

    let (mut child, url) = start(dir);
    let session: serde_json::Value = ureq::post(&format!("{url}/v1/register"))
        .send_json(serde_json::json!({
            "invitation": code,
            "username": "ana",
            "public_keys": b64(&[7u8; 64]),
            "device_name": "phone",
        }))
        .expect("registers")
        .into_json()
        .expect("json");
    let token = session["token"].as_str().expect("token").to_owned();
    let device = session["device_id"].as_u64().expect("device");
    let team = session["team_id"].as_u64().expect("team");
    ureq::post(&format!("{url}/v1/teams/{team}/epochs"))
        .set("Authorization", &format!("Bearer {token}"))
        .send_json(serde_json::json!({"epoch": 1, "envelopes": [{"device_id": device, "envelope": b64(b"e")}]}))
        .expect("epoch 1");

    // Push pages in a loop while the server is killed underneath.
    let acked = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let pusher = {
        let (url, token, acked) = (url.clone(), token.clone(), std::sync::Arc::clone(&acked));
        std::thread::spawn(move || {
            for p in 0..PAGES {
                match push(
                    &url,
                    team,
                    &token,
                    &page(device, p * PER_PAGE + 1, PER_PAGE),
                ) {
                    Ok(through) => acked.store(through, std::sync::atomic::Ordering::SeqCst),
                    Err(_) => return,
                }
            }
        })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while acked.load(std::sync::atomic::Ordering::SeqCst) < 5 * PER_PAGE {
        assert!(
            std::time::Instant::now() < deadline,
            "pushes did not progress"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().expect("SIGKILL the server");
    child.wait().expect("reaped");
    pusher.join().expect("pusher thread");
    let acked = acked.load(std::sync::atomic::Ordering::SeqCst);
    assert!(
        acked < PAGES * PER_PAGE,
        "the kill must land mid-run for this test to mean anything"
    );

    let (mut child, url) = start(dir);
    let mut stored = Vec::new();
    let mut cursor = 0;
    loop {
        let resp = ureq::get(&format!(
            "{url}/v1/teams/{team}/records?after={cursor}&budget=1048576"
        ))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .expect("pull after restart");
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut resp.into_reader(), &mut bytes).expect("body");
        let page = teduh_protocol::sync::PullPage::decode(&bytes).expect("a valid page");
        stored.extend(
            page.records
                .iter()
                .map(|r| (r.team_seq, r.record.device_seq)),
        );
        cursor = page.next_cursor;
        if !page.more {
            break;
        }
    }
    let n = stored.len() as u64;
    assert!(
        n >= acked,
        "every acknowledged record survived the kill ({n} < {acked})"
    );
    assert_eq!(
        n % PER_PAGE,
        0,
        "pages are atomic: no half page after a crash ({n} records)"
    );
    let want: Vec<(u64, u64)> = (1..=n).map(|i| (i, i)).collect();
    assert_eq!(
        stored, want,
        "team and device sequences are gapless after restart"
    );

    // The client re-sends everything after its last acknowledgement; a page that committed
    // without its reply arriving is accepted as duplicates.
    let mut through = acked;
    for p in acked / PER_PAGE..PAGES {
        through = push(
            &url,
            team,
            &token,
            &page(device, p * PER_PAGE + 1, PER_PAGE),
        )
        .expect("the retry succeeds");
    }
    assert_eq!(through, PAGES * PER_PAGE, "the retry completes the log");

    let listing = admin(dir, &["list-devices"]);
    assert!(
        listing.contains(&format!("stored through {}", PAGES * PER_PAGE)),
        "{listing}"
    );
    assert!(admin(dir, &["revoke-device", &device.to_string()]).contains("revoked"));
    let err = ureq::get(&format!("{url}/v1/devices"))
        .set("Authorization", &format!("Bearer {token}"))
        .call()
        .expect_err("a revoked device is refused");
    match err {
        ureq::Error::Status(code, resp) => {
            assert_eq!(code, 401);
            let v: serde_json::Value = resp.into_json().expect("json");
            assert_eq!(
                v["code"], "TokenRevoked",
                "revocation by the admin CLI is immediate"
            );
        }
        other => panic!("unexpected transport error: {other}"),
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn admin_commands_refuse_a_missing_organisation_unknown_teams_and_roles() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = server()
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["admin", "create-team", "T"])
        .output()
        .expect("runs");
    assert!(!out.status.success(), "a team needs an organisation first");
    assert!(String::from_utf8_lossy(&out.stderr).contains("init-org"));
    admin(&sqlite_store(tmp.path()), &["init-org", "Org"]);
    let out = server()
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["admin", "invite", "--team", "nope", "--role", "counselor"])
        .output()
        .expect("runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no team named"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "one line: {stderr}");
    let out = server()
        .arg("--data-dir")
        .arg(tmp.path())
        .args(["admin", "invite", "--team", "x", "--role", "boss"])
        .output()
        .expect("runs");
    assert!(!out.status.success(), "an unknown role is refused");

    let store = sqlite_store(tmp.path());
    admin(&store, &["create-team", "Ende"]);
    admin(&store, &["invite", "--team", "Ende", "--role", "outreach"]);
    let listed = admin(&store, &["list-invitations", "--team", "Ende"]);
    assert!(listed.contains("outreach\topen"), "{listed}");
    let id = listed.split('\t').next().expect("id").to_owned();
    assert!(admin(&store, &["revoke-invitation", &id]).contains("revoked"));
    let listed = admin(&store, &["list-invitations"]);
    assert!(
        listed.contains("outreach\texpired"),
        "a revoked code shows as expired: {listed}"
    );
}

/// HTTPS with a self-signed certificate made by the openssl command line tool.
#[cfg(feature = "tls")]
#[test]
fn tls_flags_serve_https_with_the_given_certificate() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (cert, key) = (tmp.path().join("cert.pem"), tmp.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "1", "-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs (Debian package openssl)");
    assert!(made.success(), "openssl made a certificate");
    let mut child = server()
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(tmp.path())
        .arg("--tls-cert")
        .arg(&cert)
        .arg("--tls-key")
        .arg(&key)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map(Running)
        .expect("spawns");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("reads");
    let addr = line
        .trim()
        .strip_prefix("teduh-server listening on https://")
        .expect("announces an https address")
        .to_owned();
    let reply = https_get(&addr, "/healthz", &cert);
    let _ = child.kill();
    let _ = child.wait();
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(reply.contains("\"sqlite\""), "{reply}");

    let out = server()
        .args(["--listen", "127.0.0.1:0", "--data-dir"])
        .arg(tmp.path())
        .arg("--tls-cert")
        .arg(&cert)
        .output()
        .expect("runs");
    assert!(
        !out.status.success(),
        "a certificate without a key is refused"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-key"));
}

/// One HTTPS GET trusting only `cert`.
#[cfg(feature = "tls")]
fn https_get(addr: &str, path: &str, cert: &std::path::Path) -> String {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio_rustls::rustls;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let pem = std::fs::read_to_string(cert).expect("cert");
        let b64: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        let der = teduh_protocol::sync::b64::decode(&b64).expect("PEM body is base64");
        let mut roots = rustls::RootCertStore::empty();
        roots
            .add(rustls::pki_types::CertificateDer::from(der))
            .expect("trust the test certificate");
        let config = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(std::sync::Arc::new(config));
        let tcp = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connects");
        let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
        let mut tls = connector.connect(name, tcp).await.expect("TLS handshake");
        tls.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .expect("writes");
        let mut out = Vec::new();
        let _ = tls.read_to_end(&mut out).await;
        String::from_utf8_lossy(&out).into_owned()
    })
}

#[test]
fn sigterm_lets_an_in_flight_push_finish_before_exiting() {
    use std::io::{Read, Write};
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = &sqlite_store(tmp.path());
    admin(dir, &["init-org", "Org"]);
    admin(dir, &["create-team", "T"]);
    let invite = admin(dir, &["invite", "--team", "T", "--role", "admin"]);
    let code = invite.lines().next().expect("code").to_owned();
    let (mut child, url) = start(dir);
    let session: serde_json::Value = ureq::post(&format!("{url}/v1/register"))
        .send_json(serde_json::json!({
            "invitation": code, "username": "ana", "public_keys": b64(&[9u8; 64]),
            "device_name": "phone",
        }))
        .expect("registers")
        .into_json()
        .expect("json");
    let token = session["token"].as_str().expect("token").to_owned();
    let (device, team) = (
        session["device_id"].as_u64().expect("device"),
        session["team_id"].as_u64().expect("team"),
    );
    ureq::post(&format!("{url}/v1/teams/{team}/epochs"))
        .set("Authorization", &format!("Bearer {token}"))
        .send_json(serde_json::json!({"epoch": 1, "envelopes": [{"device_id": device, "envelope": b64(b"e")}]}))
        .expect("epoch 1");

    // Half a push is on the wire when SIGTERM arrives; the rest follows after it.
    let body = page(device, 1, 20);
    let host = url.strip_prefix("http://").expect("http").to_owned();
    let mut s = std::net::TcpStream::connect(&host).expect("connects");
    s.set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    write!(
        s,
        "POST /v1/teams/{team}/records HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .expect("headers");
    let half = body.len() / 2;
    s.write_all(&body[..half]).expect("first half");
    std::thread::sleep(Duration::from_millis(300));
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    std::thread::sleep(Duration::from_millis(300));
    s.write_all(&body[half..]).expect("second half");
    let mut reply = String::new();
    s.read_to_string(&mut reply).expect("reply");
    assert!(
        reply.starts_with("HTTP/1.1 200"),
        "the in-flight push completes: {reply}"
    );
    assert!(reply.contains("\"stored_through\":20"), "{reply}");
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            assert!(status.success(), "a graceful stop exits 0: {status}");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the server must exit after draining"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        admin(dir, &["list-devices"]).contains("stored through 20"),
        "the push is durable"
    );
}

#[test]
fn debug_logs_hold_no_tokens_names_codes_or_payloads() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = &sqlite_store(tmp.path());
    let log = tmp.path().join("server.log");
    admin(dir, &["init-org", "Org"]);
    admin(dir, &["create-team", "T"]);
    let invite = admin(dir, &["invite", "--team", "T", "--role", "admin"]);
    let code = invite.lines().next().expect("code").to_owned();
    let (mut child, url) = start_with(dir, Some(&log));
    let session: serde_json::Value = ureq::post(&format!("{url}/v1/register"))
        .send_json(serde_json::json!({
            "invitation": code, "username": "siti.rahayu", "public_keys": b64(&[3u8; 64]),
            "device_name": "HP Siti",
        }))
        .expect("registers")
        .into_json()
        .expect("json");
    let token = session["token"].as_str().expect("token").to_owned();
    let team = session["team_id"].as_u64().expect("team");
    let _ = ureq::get(&format!("{url}/v1/teams/{team}/records?after=0"))
        .set("Authorization", &format!("Bearer {token}"))
        .call();
    let _ = ureq::get(&format!("{url}/v1/devices"))
        .set("Authorization", "Bearer wrong-token-value")
        .call();
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).expect("log");
    assert!(
        text.contains("device registered"),
        "the log is written: {text}"
    );
    for secret in [
        token.as_str(),
        "wrong-token-value",
        "siti.rahayu",
        "HP Siti",
        code.as_str(),
    ] {
        assert!(
            !text.contains(secret),
            "{secret:?} must never reach the logs:\n{text}"
        );
    }
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        assert!(
            serde_json::from_str::<serde_json::Value>(line).is_ok(),
            "TEDUH_LOG_FORMAT=json gives one JSON object per line: {line}"
        );
    }
}
