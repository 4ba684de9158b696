//! The server stores ciphertext only: notes and client names with a marker are synced through
//! it, and the marker (raw, hex, base64) appears nowhere in its SQLite files, its PostgreSQL
//! tables, or its logs. Nor does any id of what the records are about (trust 3/3: headers are
//! sealed): the client, case, note, screening and referral ids the devices know, and the parent
//! ids linking them, are absent in every form.

#[path = "../../crates/teduh-server/tests/common/mod.rs"]
#[allow(clippy::expect_used, clippy::unwrap_used, unreachable_pub)]
mod pg;

use std::io::Write;
use std::sync::{Arc, Mutex};

use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile};
use teduh_tests::leak::{byte_forms, marker_forms, scan_bytes, scan_dir};
use teduh_tests::TestServer;

const MARKER: &str = "ZQXJ-PENANDA-RAHASIA-4417";

/// Collects everything the server logs (JSON lines, all levels).
#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture_logs() -> LogBuffer {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .json()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    // One subscriber for the whole test binary.
    let _ = tracing::subscriber::set_global_default(subscriber);
    logs
}

/// A team writes and syncs notes full of the marker; returns after everyone has synced, with
/// every entity, client and parent id of the records the devices wrote.
fn exchange_secrets(server: &TestServer) -> Vec<[u8; 16]> {
    let team = server.create_team("Tim Rahasia");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut c = server.member(&team, Role::Counselor, "kons");
    sup.admit(&mut c);
    let client = c
        .vault
        .add_client(&profile(&format!("K-{MARKER}"), &format!("Nama {MARKER}")))
        .expect("client");
    let mut d = draft(&format!("Narasi sesi {MARKER} {MARKER}"));
    d.plan = format!("Rencana {MARKER}");
    let note = c.vault.add_note(client, &d).expect("note");
    c.vault.finalise_note(note).expect("finalise");
    c.sync().expect("push");
    let s = sup.sync().expect("pull");
    assert!(s.pulled >= 4, "the supervisor received the records: {s:?}");
    assert!(
        sup.vault
            .note(note)
            .expect("reads")
            .content
            .narrative
            .contains(MARKER),
        "the marker really travelled (else the test proves nothing)"
    );
    // The supervisor's review: a record whose parent is the note.
    sup.vault
        .review_note(
            note,
            &teduh_core::vault::ReviewDraft {
                action: teduh_core::vault::ReviewAction::Approve,
                comment: String::new(),
            },
        )
        .expect("review");
    sup.sync().expect("push the review");
    c.sync().expect("pull the review");
    let mut ids = std::collections::BTreeSet::new();
    for d in [&c, &sup] {
        for r in d.vault.outbox_after(0).expect("log") {
            ids.insert(r.entity.0);
            ids.insert(r.client.0);
            ids.extend(r.parent.map(|p| p.0));
        }
    }
    ids.remove(&[0u8; 16]);
    assert!(ids.len() >= 3, "client, note and review ids: {ids:?}");
    ids.into_iter().collect()
}

/// Every form of every id in `ids` (raw, hex, base64).
fn id_forms(ids: &[[u8; 16]]) -> Vec<Vec<u8>> {
    ids.iter().flat_map(|id| byte_forms(id)).collect()
}

#[test]
fn the_sqlite_server_and_its_logs_never_see_the_plaintext() {
    let logs = capture_logs();
    let server = TestServer::start();
    let ids = exchange_secrets(&server);
    let forms = marker_forms(MARKER);
    let hits = scan_dir(server.data_dir(), &forms);
    assert!(hits.is_empty(), "plaintext on the server's disk: {hits:?}");
    let hits = scan_dir(server.data_dir(), &id_forms(&ids));
    assert!(
        hits.is_empty(),
        "an id of what the records are about on the server's disk: {hits:?}"
    );
    let logged = logs.0.lock().expect("log lock").clone();
    assert!(
        !logged.is_empty(),
        "the server logged something (else the check is empty)"
    );
    let hits = scan_bytes("the server log", &logged, &forms);
    assert!(hits.is_empty(), "plaintext in the server's logs: {hits:?}");
    let hits = scan_bytes("the server log", &logged, &id_forms(&ids));
    assert!(hits.is_empty(), "an id in the server's logs: {hits:?}");
}

#[test]
fn the_postgresql_server_never_sees_the_plaintext() {
    // The storage's connections live on this runtime for the whole test.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (storage, guard) = rt.block_on(pg::postgres());
    let url = guard.postgres_url().expect("a PostgreSQL guard");
    let server = TestServer::start_on(storage, tempfile::tempdir().expect("tempdir"));
    let ids = exchange_secrets(&server);
    let forms = marker_forms(MARKER);
    let dump = rt.block_on(pg::dump_all_tables(&url));
    assert!(dump.len() > 1000, "the dump holds the synced records");
    let hits = scan_bytes("the PostgreSQL tables", &dump, &forms);
    assert!(hits.is_empty(), "plaintext in PostgreSQL: {hits:?}");
    let hits = scan_bytes("the PostgreSQL tables", &dump, &id_forms(&ids));
    assert!(hits.is_empty(), "an id in PostgreSQL: {hits:?}");
}
