//! `HttpTransport` driven against a real in-process `teduh-server` (127.0.0.1:0, temporary
//! SQLite), over plain HTTP and over HTTPS with an organisation CA made at test time by the
//! openssl command line tool; and against small fake servers (a thread on 127.0.0.1:0 that
//! answers one connection) for the failures a real server does not produce on demand.

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use teduh_client::{BuildError, HttpTransport};
use teduh_core::sync::{Transport as _, TransportError};
use teduh_protocol::sync::{
    hlc_from_millis, DeviceEnvelope, NewEpoch, PullPage, PushPage, Record, RegisterRequest, Role,
    RosterBody, Session,
};
use teduh_server::storage::NewInvitation;
use teduh_server::Storage;

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64
}

fn now_secs() -> i64 {
    (now_ms() / 1000) as i64
}

/// A real sync server on a free loopback port with a temporary SQLite database and an
/// initialised organisation; stops when dropped.
struct Server {
    url: String,
    storage: Arc<dyn Storage>,
    runtime: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Self {
        Self::start_with(None)
    }

    /// Over HTTPS with the PEM certificate chain and key given, at `https://127.0.0.1:port`.
    fn start_tls(cert: &Path, key: &Path) -> Self {
        Self::start_with(Some((cert.to_owned(), key.to_owned())))
    }

    fn start_with(tls: Option<(PathBuf, PathBuf)>) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        let storage: Arc<dyn Storage> = Arc::new(
            teduh_server::storage::sqlite::SqliteStorage::open(&dir.path().join("s.sqlite3"))
                .expect("storage opens"),
        );
        runtime
            .block_on(storage.init_org("Org".into(), now_secs()))
            .expect("organisation");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let state = teduh_server::router::AppState::new(Arc::clone(&storage));
        let url = match tls {
            None => {
                listener.set_nonblocking(true).expect("nonblocking");
                let _guard = runtime.enter();
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio");
                runtime.spawn(teduh_server::serve_with(
                    listener,
                    state,
                    std::future::pending(),
                ));
                format!("http://{addr}")
            }
            Some((cert, key)) => {
                runtime.spawn(async move {
                    teduh_server::serve_tls(listener, state, &cert, &key, std::future::pending())
                        .await
                });
                format!("https://{addr}")
            }
        };
        Self {
            url,
            storage,
            runtime,
            _dir: dir,
        }
    }

    fn team(&self, name: &str) -> u64 {
        self.runtime
            .block_on(self.storage.create_team(name.into(), now_secs()))
            .expect("team")
            .id
    }

    fn invite(&self, team: u64, role: Role) -> String {
        let (code, code_hash) = teduh_server::auth::new_invitation_code();
        self.runtime
            .block_on(self.storage.create_invitation(NewInvitation {
                team_id: team,
                package: None,
                role,
                member_id: None,
                code_hash,
                created_at: now_secs(),
                expires_at: now_secs() + 3600,
            }))
            .expect("invitation");
        code
    }

    fn transport(&self) -> HttpTransport {
        HttpTransport::builder(&self.url).build().expect("builds")
    }

    /// A new member of a new team with `role`, registered through the transport.
    fn member(&self, t: &mut HttpTransport, team_name: &str, role: Role) -> Session {
        let team = self.team(team_name);
        let code = self.invite(team, role);
        t.register(&register_request(&code, &format!("{team_name}-member")))
            .expect("registers")
    }
}

fn register_request(code: &str, username: &str) -> RegisterRequest {
    RegisterRequest {
        reclaim: None,
        proof: None,
        invitation: code.to_owned(),
        username: username.to_owned(),
        public_keys: [7u8; 64].to_vec(),
        device_name: "HP Android".to_owned(),
        refresh_anchor: None,
    }
}

fn record(device_id: u64, device_seq: u64, payload: &[u8]) -> Record {
    Record {
        device_id,
        device_seq,
        key_epoch: 1,
        hlc: hlc_from_millis(now_ms(), 0),
        payload: payload.to_vec(),
    }
}

/// Publishes key epoch 1 (records are refused under an epoch the team does not have).
fn first_epoch(t: &mut HttpTransport, s: &Session) {
    t.add_epoch(
        &s.token,
        s.team_id,
        &NewEpoch {
            epoch: 1,
            envelopes: vec![DeviceEnvelope {
                device_id: s.device_id,
                envelope: b"sealed team key".to_vec(),
            }],
        },
    )
    .expect("epoch 1 is published");
}

#[test]
fn a_member_registers_with_an_invitation_and_adds_a_second_device_with_a_device_code() {
    let server = Server::start();
    let mut t = server.transport();
    let limits = t.limits().expect("limits need no token");
    assert!(limits.max_push_bytes > 0, "{limits:?}");

    let team = server.team("Kupang");
    let code = server.invite(team, Role::Supervisor);
    let first = t
        .register(&register_request(&code, "ina"))
        .expect("the invitation is accepted");
    assert_eq!(first.team_id, team, "the invitation's team");
    assert_eq!(first.role, Role::Supervisor, "the invitation's role");

    let device_code = t.invite_device(&first.token).expect("a device code");
    assert!(device_code.expires_at > now_secs(), "{device_code:?}");
    let mut laptop = register_request(&device_code.code, "ina");
    laptop.public_keys = [8u8; 64].to_vec();
    let second = t.register(&laptop).expect("the code adds a device");
    assert_eq!(second.member_id, first.member_id, "the same member");
    assert_ne!(second.device_id, first.device_id, "a new device");
    assert_eq!(second.role, Role::Supervisor, "her role, not a new one");
    assert_eq!(second.public_keys, [8u8; 64], "with its own keys");

    let devices = t.devices(&second.token).expect("devices");
    assert_eq!(devices.len(), 2, "both devices are listed: {devices:?}");
    let members = t.members(&first.token, team).expect("members");
    assert_eq!(members.len(), 1, "{members:?}");
    assert_eq!(members[0].username, "ina");

    let other = t.invite_device(&first.token).expect("another device code");
    let wrong = t.register(&register_request(&other.code, "budi"));
    assert_eq!(
        wrong.as_ref().err().and_then(TransportError::code),
        Some("InvitationForAnother"),
        "a device code adds a device of its member only: {wrong:?}"
    );
    let reused = t.register(&register_request(&code, "budi"));
    assert_eq!(
        reused.as_ref().err().and_then(TransportError::code),
        Some("InvitationUsed"),
        "an invitation is single-use: {reused:?}"
    );
}

#[test]
fn a_pushed_page_pulls_back_byte_for_byte_and_a_resend_counts_duplicates() {
    let server = Server::start();
    let mut t = server.transport();
    let me = server.member(&mut t, "Ende", Role::Admin);
    first_epoch(&mut t, &me);
    let envelopes = t.envelopes(&me.token, me.team_id).expect("envelopes");
    assert_eq!(envelopes.current_epoch, 1);
    assert_eq!(
        envelopes.envelopes.len(),
        1,
        "the envelope addressed to her"
    );

    let records = vec![
        record(me.device_id, 1, b"\x00ciphertext one\xff"),
        record(me.device_id, 2, &[7u8; 3000]),
    ];
    let page = PushPage {
        records: records.clone(),
    }
    .encode();
    let ack = t.push(&me.token, me.team_id, &page).expect("pushes");
    assert_eq!(
        (ack.stored_through, ack.stored, ack.duplicates),
        (2, 2, 0),
        "both records are new"
    );

    let bytes = t
        .pull(&me.token, me.team_id, 0, 1024 * 1024)
        .expect("pulls");
    let pulled = PullPage::decode(&bytes).expect("a valid pull page");
    assert!(!pulled.more, "everything fits one page");
    let got: Vec<Record> = pulled.records.iter().map(|r| r.record.clone()).collect();
    assert_eq!(
        got, records,
        "the records come back exactly as pushed, payload bytes included"
    );

    let again = t.push(&me.token, me.team_id, &page).expect("re-pushes");
    assert_eq!(
        (again.stored_through, again.stored, again.duplicates),
        (2, 0, 2),
        "an identical re-send (after a lost ack) stores nothing twice"
    );
    let after = t
        .pull(&me.token, me.team_id, pulled.next_cursor, 1024 * 1024)
        .expect("pulls from the cursor");
    let after = PullPage::decode(&after).expect("a valid pull page");
    assert!(after.records.is_empty(), "duplicates are not served again");
}

#[test]
fn a_refusal_carries_the_servers_code_status_and_clock() {
    let server = Server::start();
    let mut t = server.transport();
    let page = PushPage {
        records: vec![record(1, 1, b"x")],
    }
    .encode();
    let before = now_ms();
    let err = t
        .push("not-a-token", 1, &page)
        .expect_err("a bad token is refused");
    let TransportError::Refused {
        status,
        code,
        server_time_ms,
        ..
    } = &err
    else {
        panic!("the server answered, so this is Refused: {err:?}");
    };
    assert_eq!(
        (*status, code.as_str()),
        (401, "InvalidToken"),
        "the engine branches on the code"
    );
    let server_ms = server_time_ms.expect("the Date header is parsed");
    // The Date header has whole seconds.
    assert!(
        server_ms + 2000 >= before && server_ms <= now_ms() + 1000,
        "the server's clock ({server_ms}) is this machine's ({before})"
    );
}

#[test]
fn a_server_that_is_gone_is_unreachable() {
    let url = {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", listener.local_addr().expect("addr"))
    };
    let mut t = HttpTransport::builder(&url).build().expect("builds");
    let err = t.limits().expect_err("nobody listens");
    assert!(
        matches!(err, TransportError::Unreachable(_)),
        "a refused connection means try again later: {err:?}"
    );
}

#[test]
fn a_team_without_a_roster_reads_as_none_until_one_is_put() {
    let server = Server::start();
    let mut t = server.transport();
    let me = server.member(&mut t, "Sikka", Role::Supervisor);
    assert_eq!(
        t.roster(&me.token, me.team_id),
        Ok(None),
        "no roster yet is not an error"
    );
    let roster = RosterBody {
        version: 1,
        roster: b"signed roster".to_vec(),
    };
    t.put_roster(&me.token, me.team_id, &roster)
        .expect("a supervisor publishes the roster");
    assert_eq!(t.roster(&me.token, me.team_id), Ok(Some(roster)));
    let other_team = t.roster(&me.token, me.team_id + 100);
    assert_eq!(
        other_team.as_ref().err().and_then(TransportError::code),
        Some("WrongTeam"),
        "other refusals are not mistaken for a missing roster: {other_team:?}"
    );
}

/// A fake server on 127.0.0.1:0 that reads one request head, then lets `respond` write the
/// answer; the thread ends with that one connection.
fn fake_server(respond: impl FnOnce(&mut TcpStream) + Send + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && matches!(stream.read(&mut byte), Ok(1)) {
            head.push(byte[0]);
        }
        respond(&mut stream);
    });
    url
}

fn quick(url: &str) -> HttpTransport {
    HttpTransport::builder(url)
        .idle_timeout(Duration::from_millis(400))
        .build()
        .expect("builds")
}

const LIMITS_JSON: &str = r#"{"max_push_bytes":1,"max_record_bytes":1,"max_push_records":1,"max_pull_bytes":1,"max_json_bytes":1,"max_clock_skew_ms":1}"#;

#[test]
fn answers_that_are_not_the_teduh_api_are_unexpected() {
    let cases: [(&str, &str); 4] = [
        (
            "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/html\r\nContent-Length: 20\r\nConnection: close\r\n\r\n<h1>Bad Gateway</h1>",
            "a proxy's error page",
        ),
        (
            "HTTP/1.1 302 Found\r\nLocation: http://login.example/\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            "a redirect to a captive portal",
        ),
        (
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\nConnection: close\r\n\r\n<html></html>",
            "a login page with status 200",
        ),
        ("SSH-2.0-OpenSSH_9.2\r\n\r\n", "another protocol on the port"),
    ];
    for (reply, what) in cases {
        let url = fake_server(move |s| {
            let _ = s.write_all(reply.as_bytes());
        });
        let err = quick(&url).limits().expect_err(what);
        assert!(
            matches!(err, TransportError::Unexpected(_)),
            "{what} is not a Teduh answer: {err:?}"
        );
    }
}

#[test]
fn an_answer_cut_off_or_stalled_mid_body_is_unreachable() {
    let cut = fake_server(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 150\r\n\r\n{\"max_push",
        );
    });
    let err = quick(&cut).limits().expect_err("the body is incomplete");
    assert!(
        matches!(err, TransportError::Unreachable(_)),
        "a connection cut mid-body is a network failure, not a bad server: {err:?}"
    );

    let stalled = fake_server(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 150\r\n\r\n{\"max_push",
        );
        std::thread::sleep(Duration::from_secs(3));
    });
    let err = quick(&stalled)
        .limits()
        .expect_err("the body stops arriving");
    assert!(
        matches!(&err, TransportError::Unreachable(m) if m.contains("timed out")),
        "a body that makes no progress for the idle timeout is abandoned: {err:?}"
    );
}

#[test]
fn a_slow_answer_that_keeps_arriving_outlasts_the_idle_timeout() {
    let url = fake_server(|s| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            LIMITS_JSON.len()
        );
        let _ = s.write_all(head.as_bytes());
        // 8 pieces, 250 ms apart: 2 s in all, five times the 400 ms idle timeout.
        for piece in LIMITS_JSON.as_bytes().chunks(LIMITS_JSON.len().div_ceil(8)) {
            std::thread::sleep(Duration::from_millis(250));
            let _ = s.write_all(piece);
            let _ = s.flush();
        }
    });
    let limits = quick(&url).limits();
    assert!(
        limits.is_ok(),
        "a slow 2G link that keeps making progress must not time out: {limits:?}"
    );
}

#[test]
fn answers_larger_than_the_caps_are_refused() {
    let announced = fake_server(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1073741824\r\n\r\nTDL1",
        );
    });
    let err = quick(&announced)
        .pull("token", 1, 0, 1024)
        .expect_err("a 1 GiB page is refused");
    assert!(
        matches!(&err, TransportError::Unexpected(m) if m.contains("larger")),
        "refused before reading, from Content-Length: {err:?}"
    );

    // No Content-Length: 5 MiB of chunks for a JSON answer capped at 4 MiB.
    let streamed = fake_server(|s| {
        let _ = s.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        let chunk = vec![b' '; 64 * 1024];
        for _ in 0..80 {
            if s.write_all(b"10000\r\n").is_err()
                || s.write_all(&chunk).is_err()
                || s.write_all(b"\r\n").is_err()
            {
                return;
            }
        }
        let _ = s.write_all(b"0\r\n\r\n");
    });
    let err = quick(&streamed)
        .limits()
        .expect_err("an endless JSON answer is cut at the cap");
    assert!(
        matches!(&err, TransportError::Unexpected(m) if m.contains("larger")),
        "{err:?}"
    );
}

#[test]
fn a_malformed_organisation_ca_is_a_clear_build_error() {
    let not_pem = HttpTransport::builder("https://sync.example.org")
        .organisation_ca_pem(b"this is not a certificate")
        .build();
    assert!(
        matches!(not_pem, Err(BuildError::NoCertificate)),
        "{not_pem:?}"
    );
    let garbage = HttpTransport::builder("https://sync.example.org")
        .organisation_ca_pem(b"-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n")
        .build();
    let message = garbage
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    assert!(
        message.contains("organisation CA"),
        "the error names what to fix: {garbage:?}"
    );
}

/// Runs openssl (Debian package openssl) in `dir`.
fn openssl(dir: &Path, args: &[&str]) {
    let status = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("openssl runs (Debian package openssl)");
    assert!(status.success(), "openssl {args:?}");
}

/// A self-signed CA named `ca` (`ca.pem`, `ca.key`) in `dir`.
fn make_ca(dir: &Path, ca: &str) {
    let (pem, key) = (format!("{ca}.pem"), format!("{ca}.key"));
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "1",
            "-subj",
            &format!("/CN=Teduh test {ca}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            &key,
            "-out",
            &pem,
        ],
    );
}

/// A server certificate for 127.0.0.1 and localhost signed by the CA `ca`:
/// `server.pem` and `server.key` in `dir`.
fn make_server_cert(dir: &Path, ca: &str) {
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ],
    );
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=critical,CA:FALSE\n\
         keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n",
    )
    .expect("extensions file");
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            &format!("{ca}.pem"),
            "-CAkey",
            &format!("{ca}.key"),
            "-set_serial",
            "2",
            "-days",
            "1",
            "-extfile",
            "server.ext",
            "-out",
            "server.pem",
        ],
    );
}

#[test]
fn https_is_verified_against_the_organisation_ca_only_when_one_is_given() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    make_ca(dir, "org-ca");
    make_ca(dir, "other-ca");
    make_server_cert(dir, "org-ca");
    let server = Server::start_tls(&dir.join("server.pem"), &dir.join("server.key"));
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let org_ca = std::fs::read(dir.join("org-ca.pem")).expect("CA");
    let other_ca = std::fs::read(dir.join("other-ca.pem")).expect("CA");

    let mut trusting = HttpTransport::builder(&server.url)
        .organisation_ca_pem(&org_ca)
        .build()
        .expect("a well-formed CA builds");
    let limits = trusting.limits();
    assert!(
        limits.is_ok(),
        "the organisation's CA vouches for the server: {limits:?}"
    );
    let health = trusting.server_client().health();
    assert!(
        health.is_ok(),
        "the control client shares the transport's trust: {health:?}"
    );

    let mut public_roots = HttpTransport::builder(&server.url).build().expect("builds");
    let mut other = HttpTransport::builder(&server.url)
        .organisation_ca_pem(&other_ca)
        .build()
        .expect("builds");
    for (t, what) in [
        (&mut public_roots, "the public webpki roots"),
        (&mut other, "another organisation's CA"),
    ] {
        let err = t.limits().expect_err("an unknown issuer is refused");
        assert!(
            matches!(&err, TransportError::Unreachable(m) if m.contains("certificate")),
            "with {what}, the handshake fails on the certificate: {err:?}"
        );
    }
}
