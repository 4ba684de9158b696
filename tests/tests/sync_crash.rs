//! A device killed (SIGKILL) at random points while it writes and syncs, 50 times: after each
//! kill its database opens, passes SQLite's integrity check and the log/tables consistency
//! check; afterwards sync completes, nothing is lost and nothing is stored twice.
//!
//! The child is this test binary itself, re-run with `SYNC_CRASH_CHILD` set so that only
//! [`sync_crash_child`] runs: it writes and syncs against the parent's server until killed.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use teduh_core::vault::Vault;
use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile, PASSPHRASE};
use teduh_tests::TestServer;

const CHILD_ENV: &str = "SYNC_CRASH_CHILD";
const KILLS: u64 = 50;

fn db(dir: &Path) -> std::path::PathBuf {
    dir.join("teduh.sqlite3")
}

fn write_and_sync_until_killed(dir: &Path) {
    let mut v = Vault::open_path(&db(dir)).expect("child opens the vault");
    v.unlock(PASSPHRASE).expect("child unlocks");
    let url = v.binding().expect("binding").expect("joined").server_url;
    println!("ready");
    let mut i = 0u64;
    loop {
        i += 1;
        let code = format!("C-{}-{i}", std::process::id());
        let c = v
            .add_client(&profile(&code, "Klien Kilat"))
            .expect("client");
        v.add_note(c, &draft(&"Catatan sesi. ".repeat(50)))
            .expect("note");
        let mut t = teduh_client::HttpTransport::builder(&url)
            .build()
            .expect("transport");
        let _ = teduh_core::sync::sync_once(&mut v, &mut t, &mut |_| {});
    }
}

#[test]
fn sync_crash_child() {
    // Only does something when spawned by the test below.
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        write_and_sync_until_killed(Path::new(&dir));
    }
}

/// A pseudo-random number from the clock's nanoseconds (no RNG crate needed).
fn jitter(max: u64) -> u64 {
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    u64::from(n.wrapping_mul(2_654_435_761)) % max.max(1)
}

#[test]
fn a_device_killed_mid_sync_fifty_times_loses_and_duplicates_nothing() {
    let exe = std::env::current_exe().expect("test binary path");
    let server = TestServer::start();
    let team = server.create_team("Tim Mati Listrik");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    sup.sync().expect("keys");
    let mut counselor = server.member(&team, Role::Counselor, "kons");
    sup.admit(&mut counselor);
    // From now on the counselor's laptop is the child process.
    let dir = counselor.close();
    let sup_client = sup
        .vault
        .add_client(&profile("S-1", "Klien Supervisor"))
        .expect("client");
    // The counselor works on the supervisor's client too, so both read the same (issue 23).
    sup.vault
        .assign_member(sup_client, "kons")
        .expect("the supervisor assigns");
    let mut kills_after_ready = 0;
    for round in 0..KILLS {
        // The supervisor keeps writing, so the child also has pages to pull and apply.
        for _ in 0..5 {
            sup.vault
                .add_note(sup_client, &draft(&"Catatan supervisi. ".repeat(30)))
                .expect("note");
        }
        sup.sync().expect("supervisor sync");
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "sync_crash_child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("child spawns");
        let mut out = BufReader::new(child.stdout.take().expect("child stdout"));
        let mut line = String::new();
        loop {
            line.clear();
            let n = out.read_line(&mut line).expect("read child output");
            assert!(n > 0, "round {round}: the child died before unlocking");
            if line.trim_end().ends_with("ready") {
                break;
            }
        }
        kills_after_ready += 1;
        std::thread::sleep(Duration::from_millis(jitter(250)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");

        let mut v = Vault::open_path(&db(dir.path()))
            .unwrap_or_else(|e| panic!("round {round}: the database must open after a kill: {e}"));
        let ok: String = v
            .store()
            .connection()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity check runs");
        assert_eq!(ok, "ok", "round {round}: SQLite integrity");
        v.unlock(PASSPHRASE).expect("unlocks");
        v.check_consistency()
            .unwrap_or_else(|e| panic!("round {round}: log and tables must agree: {e}"));
    }
    assert_eq!(kills_after_ready, KILLS);
    // Afterwards: sync completes and everyone agrees.
    let mut v = Vault::open_path(&db(dir.path())).expect("opens");
    v.unlock(PASSPHRASE).expect("unlocks");
    let url = server.url().to_owned();
    for _ in 0..2 {
        let mut t = teduh_client::HttpTransport::builder(&url)
            .build()
            .expect("transport");
        teduh_core::sync::sync_once(&mut v, &mut t, &mut |_| {}).expect("sync completes");
    }
    sup.sync().expect("supervisor sync");
    assert_eq!(v.pending_count().expect("pending"), 0);
    assert!(v.held_records().expect("held").is_empty());
    assert!(v.security_alarms().expect("alarms").is_empty());
    assert!(
        sup.vault.security_alarms().expect("alarms").is_empty()
            && sup.vault.reported_alarms().expect("reports").is_empty(),
        "fifty kills are faults, not attacks: the supervisor was told of none"
    );
    let counselor_own = v.outbox_after(0).expect("own").len() as u64;
    let sup_own = sup.vault.outbox_after(0).expect("own").len() as u64;
    assert!(
        counselor_own > 2 * KILLS,
        "the child wrote between kills ({counselor_own})"
    );
    // The server's team log (its sequence counts each stored record once; a re-sent record
    // is recognised as identical and not stored again).
    let stored = server.team_record_count(&team);
    assert_eq!(
        stored,
        counselor_own + sup_own,
        "the server stored every record exactly once"
    );
    eprintln!(
        "{KILLS} kills; {counselor_own} + {sup_own} records stored once each; {} identical \
         re-sends recognised",
        server.duplicates()
    );
    assert_eq!(
        v.log_len().expect("log"),
        sup.vault.log_len().expect("log"),
        "same logs"
    );
    assert!(v.state_dump().expect("dump") == sup.state(), "same state");
}
