//! A writer process killed (SIGKILL) at random points, 200 times: after each kill the database
//! opens, passes SQLite's integrity check, the log and the tables agree (replay is
//! byte-identical), and every write the child reported as committed is still there.
//!
//! The child is this test binary itself, re-run with `CRASH_CHILD_DIR` set so that only
//! [`crash_child_writer`] runs and writes until it is killed.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use rand_core::{OsRng, RngCore};
use teduh_core::crypto::KdfParams;
use teduh_core::domain::{ClientProfile, NoteDraft};
use teduh_core::screening::{answers_in_order, Instrument, ScreeningAnswers};
use teduh_core::store::LocalStore;
use teduh_core::vault::Vault;

const CHILD_ENV: &str = "CRASH_CHILD_DIR";
const PASS: &str = "uji crash berulang";
const KILLS: usize = 200;
const ROUNDS_PER_DATABASE: usize = 25;

fn db(dir: &Path) -> std::path::PathBuf {
    dir.join("teduh.sqlite3")
}

/// The child's work: open, unlock, then write forever, reporting each commit.
fn write_until_killed(dir: &Path) {
    let mut v = Vault::open_path(&db(dir)).expect("child opens the vault");
    v.unlock(PASS).expect("child unlocks");
    println!("ready");
    let mut i = 0u64;
    loop {
        i += 1;
        let code = format!("K-{}-{i}", std::process::id());
        // Mix single writes and multi-record transactions, with payloads of varying size.
        let narrative = "cerita ".repeat(usize::try_from(i % 7).unwrap_or(0) * 300 + 1);
        let res = v.batch(|b| {
            let c = b.add_client(&ClientProfile {
                code: code.clone(),
                name: "Nama Sintetis".into(),
                ..ClientProfile::default()
            })?;
            let n = b.add_note(
                c,
                &NoteDraft {
                    narrative: narrative.clone(),
                    ..NoteDraft::default()
                },
            )?;
            b.finalise_note(n)?;
            b.add_addendum(n, "tambahan")?;
            b.add_screening(
                c,
                &ScreeningAnswers {
                    instrument: Instrument::Gad7,
                    answers: answers_in_order(Instrument::Gad7, &[1, 2, 3, 0, 1, 2, 3])
                        .expect("seven answers"),
                    administered_at: None,
                    administered_by: None,
                    language: "id".into(),
                },
            )?;
            Ok(c)
        });
        let c = res.expect("child batch commits");
        v.add_note(
            c,
            &NoteDraft {
                narrative: "catatan tunggal".into(),
                ..NoteDraft::default()
            },
        )
        .expect("child single write commits");
        println!("committed {}", v.log_len().expect("log length"));
    }
}

#[test]
fn crash_child_writer() {
    // Only does something when spawned by the test below.
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        write_until_killed(Path::new(&dir));
    }
}

#[test]
fn a_writer_killed_at_random_points_leaves_a_consistent_database_every_time() {
    let exe = std::env::current_exe().expect("test binary path");
    let mut last_committed = 0u64;
    let mut kills_mid_write = 0; // rounds where the child had committed something
    let mut tmp = tempfile::tempdir().expect("tempdir");
    for round in 0..KILLS {
        if round % ROUNDS_PER_DATABASE == 0 {
            // A fresh database now and then keeps each replay check short (the check replays
            // the whole log), so 200 kills stay fast in a debug build.
            tmp = tempfile::tempdir().expect("tempdir");
            let store = LocalStore::open(&db(tmp.path())).expect("store");
            drop(
                Vault::create_with_params(store, PASS, KdfParams::insecure_fast_for_tests())
                    .expect("vault created"),
            );
            last_committed = 0;
        }
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "crash_child_writer",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, tmp.path())
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
            // libtest prints "test crash_child_writer ... " before the test's own output.
            if line.trim_end().ends_with("ready") {
                break;
            }
        }
        // Kill somewhere in the next 0-60 ms of writing (commits take ~1-5 ms each).
        let delay = u64::from(OsRng.next_u32() % 60_000);
        std::thread::sleep(Duration::from_micros(delay));
        child.kill().expect("SIGKILL");
        let status = child.wait().expect("reaped");
        {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(
                status.signal(),
                Some(9),
                "round {round}: the child must die by SIGKILL while writing, not exit ({status})"
            );
        }
        let mut wrote = false;
        for l in out.lines().map_while(Result::ok) {
            if let Some((_, n)) = l.split_once("committed ") {
                last_committed = n.trim().parse().expect("a count");
                wrote = true;
            }
        }
        kills_mid_write += usize::from(wrote);

        let mut v = Vault::open_path(&db(tmp.path()))
            .unwrap_or_else(|e| panic!("round {round}: database must open after a kill: {e}"));
        let ok: String = v
            .store()
            .connection()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity check runs");
        assert_eq!(ok, "ok", "round {round}: SQLite integrity");
        v.unlock(PASS).expect("unlocks after a kill");
        let n = v
            .check_consistency()
            .unwrap_or_else(|e| panic!("round {round}: log and tables must agree: {e}"));
        assert!(
            n >= last_committed,
            "round {round}: {n} records on disk but the child reported {last_committed} committed"
        );
        let max_seq: i64 = v
            .store()
            .connection()
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM record_log", [], |r| {
                r.get(0)
            })
            .expect("max seq");
        assert_eq!(
            u64::try_from(max_seq).expect("positive"),
            n,
            "round {round}: the device sequence is gapless"
        );
        last_committed = n;
        if round % ROUNDS_PER_DATABASE == ROUNDS_PER_DATABASE - 1 {
            // Every so often also decrypt everything: no half-written record anywhere.
            v.unlock(PASS).expect("unlocks");
            for c in v.list_clients().expect("list") {
                v.export_client(c.id)
                    .unwrap_or_else(|e| panic!("round {round}: client {} unreadable: {e}", c.code));
            }
        }
    }
    // Every kill landed after "ready" and before the child exited (checked above), i.e. inside
    // the write loop. Also require that reported commits were checked for durability often.
    assert!(
        kills_mid_write >= KILLS / 10,
        "too few rounds reached a commit before the kill ({kills_mid_write} of {KILLS})"
    );
}
