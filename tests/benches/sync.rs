//! Sync benchmarks (issue 5), each figure next to its target and, where asked, the raw limit
//! measured in the same run.
//!
//! Run: `cargo bench -p teduh-tests --bench sync` (optimised build; about two minutes).
//!
//! 1. A fresh device (a counselor's second laptop) joins and pulls 10,000 notes of about 2 KB:
//!    download, verify, decrypt, apply. Limit: raw SQLite inserts of the same bytes in one
//!    transaction plus raw AES-256-GCM decryption of them. Targets (issue 27, item 4): the
//!    pull in at most 0.5 s, the first device's push of the same records in at most 0.4 s.
//!    Beside them, the floor of verifying every record (SHA-256 + Ed25519 on every core), which
//!    the limit leaves out.
//! 2. Wire cost: fixed overhead per record (everything but the compressed fields, padding
//!    included), averaged over notes of many lengths, and the size on the wire of a typical
//!    1 KB Indonesian session note.
//! 3. The 2G profile through the fault proxy (40 kbit/s down, 20 kbit/s up, 800 ms round trip;
//!    packet loss cannot be emulated here, see `tests/src/proxy.rs`): 50 notes of about 1.5 KB
//!    uploaded, largest request body, longest gap between progress reports, and a sync cut off
//!    midway that resumes without re-sending acknowledged records.

use std::time::{Duration, Instant};

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use teduh_core::sync::{sync_once, Progress};
use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile};
use teduh_tests::ledger::{counting, Ledger};
use teduh_tests::proxy::{FaultProxy, Faults};
use teduh_tests::TestServer;

/// The desktop app's allocator (`src-tauri/src/main.rs`), so the pull is measured as the app
/// runs it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// About 1 KB of Indonesian session-note prose written independently of the compression
/// dictionary (a home visit; synthetic), so the wire figure is not flattered by phrases the
/// dictionary happens to contain.
const NOTE_1K_UNSEEN: &str = "Kunjungan rumah hari Sabtu bersama pendamping desa. Anak perempuan berusia dua belas tahun itu menyambut kami di teras, sementara neneknya menyiapkan teh. Sejak pindah dari Kupang, ia jarang bermain dengan anak lain dan nilainya di kelas enam menurun. Ia bercerita suka menggambar kapal dan ingin menjadi nakhoda seperti almarhum bapaknya. Nenek menyampaikan bahwa cucunya sering mengurung diri di kamar sesudah pulang sekolah dan menolak makan siang. Kami mengajak anak menggambar peta rumah dan menandai tempat yang terasa aman; ia memilih dapur dan pohon mangga di belakang. Bersama nenek disepakati jadwal harian sederhana: pulang sekolah makan dulu, tidur siang, lalu menggambar atau membantu menyiram sayur. Wali kelas akan diajak bicara minggu ini tentang teman sebangku yang mengejek logat barunya. Pendamping desa menawarkan kelompok sanggar anak setiap Minggu sore di balai dusun. Kunjungan lanjutan direncanakan sepuluh hari lagi, sesudah pertemuan dengan wali kelas.";

/// About 1 KB of ordinary Indonesian session-note prose (synthetic).
const NOTE_1K: &str = "Klien datang tepat waktu dan tampak lebih tenang dibandingkan sesi \
sebelumnya. Ia menceritakan bahwa minggu ini ia sudah mulai tidur lebih teratur, walaupun masih \
sering terbangun pada dini hari karena memikirkan utang keluarga dan pekerjaan yang belum pasti. \
Kami membahas kembali teknik pernapasan yang diajarkan pada pertemuan lalu; klien mengatakan \
latihan itu membantu ketika ia merasa cemas di pasar. Hubungan dengan ibunya masih tegang, namun \
ia sudah berani membicarakan rencana untuk kembali bekerja sebagai penjahit. Tidak ada tanda \
risiko bunuh diri yang disampaikan; klien menyangkal pikiran untuk menyakiti diri. Rencana: \
melanjutkan latihan pernapasan setiap malam, mencatat suasana hati di buku kecil, dan menghubungi \
dinas sosial untuk informasi bantuan modal usaha. Sesi berikutnya dijadwalkan dua minggu lagi di \
rumah singgah. Konselor akan memeriksa kembali skor SRQ-20 pada pertemuan tersebut.";

fn row(figure: &str, measured: String, target: &str, limit: String) {
    println!("{figure:<44} {measured:>16}   target {target:<14} {limit}");
}

fn note_text(bytes: usize) -> String {
    let mut s = String::new();
    while s.len() < bytes {
        s.push_str(NOTE_1K);
        s.push(' ');
    }
    s.truncate(bytes);
    s
}

/// Raw floor for applying `n` records of `size` bytes: AES-GCM decryption plus SQLite inserts
/// in one transaction.
fn raw_limit(n: usize, size: usize) -> Duration {
    let dir = tempfile::tempdir().expect("tempdir");
    let conn = rusqlite::Connection::open(dir.path().join("raw.sqlite3")).expect("db");
    conn.pragma_update(None, "journal_mode", "WAL")
        .expect("wal");
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)")
        .expect("table");
    let cipher = Aes256Gcm::new_from_slice(&[7u8; 32]).expect("key");
    let nonce = [1u8; 12];
    let mut sealed = vec![0u8; size];
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(&nonce), b"", &mut sealed)
        .expect("seal");
    let start = Instant::now();
    let tx = conn.unchecked_transaction().expect("tx");
    {
        let mut st = tx.prepare("INSERT INTO t (v) VALUES (?1)").expect("stmt");
        for _ in 0..n {
            let mut buf = sealed.clone();
            cipher
                .decrypt_in_place_detached(Nonce::from_slice(&nonce), b"", &mut buf, &tag)
                .expect("open");
            st.execute([&buf]).expect("insert");
        }
    }
    tx.commit().expect("commit");
    start.elapsed()
}

/// What checking `n` records' signatures costs by itself, on every core of the machine: for each,
/// the SHA-256 of a sealed body of `size` bytes and an Ed25519 `verify_strict` of a header of the
/// length records sign (`records::signing_bytes`). A floor under any pull that verifies each
/// record, beside the limit (which verifies nothing).
fn signature_floor(n: usize, size: usize) -> (Duration, usize) {
    use ed25519_dalek::{Signer, SigningKey};
    use sha2::Digest;
    let key = SigningKey::from_bytes(&[9u8; 32]);
    let public = key.verifying_key();
    let body = vec![5u8; size];
    let header = [7u8; 160];
    let signature = key.sign(&header);
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let start = Instant::now();
    std::thread::scope(|scope| {
        for core in 0..cores {
            let (body, header, public, signature) = (&body, &header, &public, &signature);
            scope.spawn(move || {
                for _ in (core..n).step_by(cores) {
                    let digest = sha2::Sha256::digest(std::hint::black_box(body));
                    std::hint::black_box(digest);
                    public
                        .verify_strict(std::hint::black_box(header), signature)
                        .expect("verifies");
                }
            });
        }
    });
    (start.elapsed(), cores)
}

/// With `PERF_CTL` set, tells `perf record --control fifo:$PERF_CTL --delay=-1` to start or stop
/// sampling, so that a profile holds the measured pull alone, not the setup's writes (recipe in
/// docs/benchmarks.md).
fn profiler(command: &str) {
    if let Ok(fifo) = std::env::var("PERF_CTL") {
        std::fs::write(&fifo, format!("{command}\n")).expect("perf's control fifo");
        // perf reads the fifo on its own time: the pull starts once sampling has.
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn fresh_device_pull() {
    const NOTES: usize = 10_000;
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Bench", "sup", "kons");
    let text = note_text(2000);
    let written = Instant::now();
    let mut clients = Vec::new();
    for batch in 0..(NOTES / 100) {
        c.vault
            .batch(|b| {
                let client = b.add_client(&profile(&format!("B-{batch}"), "Klien Bench"))?;
                clients.push(client);
                for _ in 0..100 {
                    b.add_note(client, &draft(&text))?;
                }
                Ok(())
            })
            .expect("batch");
    }
    let records = c.vault.pending_count().expect("pending");
    let setup_write = written.elapsed();
    let pushed = Instant::now();
    c.sync().expect("push");
    let push_time = pushed.elapsed();
    sup.sync().expect("roster");

    let joined = Instant::now();
    let mut fresh = c
        .another_device()
        .expect("a further device joins with a device code");
    let join_time = joined.elapsed();
    // Admitted the way people do, without the newcomer syncing first (so the measured round
    // below is its first): the supervisor's device sees it waiting, and she types the number
    // its screen would show.
    sup.sync().expect("sees the new device waiting");
    let team = sup.vault.binding().expect("binding").expect("joined").team;
    let sup_key: [u8; 32] = sup.vault.public_keys()[32..].try_into().expect("ed25519");
    let number = teduh_core::team::admission::safety_number(
        team,
        None,
        &sup_key,
        &fresh.vault.public_keys(),
    );
    sup.vault
        .confirm_admission("kons", &number)
        .expect("admits it");
    sup.sync().expect("adds the new device to the roster");
    profiler("enable");
    let pulled = Instant::now();
    let mut ledger = Ledger::default();
    let mut http = fresh.transport();
    let r = fresh
        .sync_through(&mut counting(&mut http, &mut ledger))
        .expect("pull");
    let pull_time = pulled.elapsed();
    profiler("disable");
    assert!(r.pulled >= records, "{r:?}");
    let rate = r.pulled as f64 / pull_time.as_secs_f64();
    let limit = raw_limit(r.pulled as usize, 2100);
    println!(
        "-- fresh device joins and pulls {} notes of 2 KB ({} records)",
        NOTES, r.pulled
    );
    row(
        "join (device code, own keys, registration)",
        format!("{:.0} ms", join_time.as_secs_f64() * 1e3),
        "-",
        String::new(),
    );
    row(
        "pull: download, verify, decrypt, apply",
        format!("{:.2} s", pull_time.as_secs_f64()),
        "<= 0.5 s",
        format!(
            "limit (same run): SQLite insert + AES-GCM of the same bytes {:.2} s",
            limit.as_secs_f64()
        ),
    );
    let (floor, cores) = signature_floor(r.pulled as usize, 2100);
    row(
        "  floor: signature checks alone",
        format!("{:.2} s", floor.as_secs_f64()),
        "-",
        format!("(same run, each record's SHA-256 + verify_strict, on {cores} cores)"),
    );
    row(
        "pull rate",
        format!("{rate:.0} rec/s"),
        ">= 20800/s",
        String::new(),
    );
    row(
        "  of which waiting for pages (server + HTTP)",
        format!("{:.2} s", ledger.pull_wait.as_secs_f64()),
        "-",
        String::new(),
    );
    row(
        "push of the same records (first device)",
        format!("{:.2} s", push_time.as_secs_f64()),
        "<= 0.4 s",
        String::new(),
    );
    println!(
        "   (setup: {records} records written in {:.1} s)",
        setup_write.as_secs_f64()
    );
    // Outside the measured pull: the counselor's first device wraps her clients' keys to her
    // new one (need-to-know), which then opens what it already holds.
    c.sync().expect("wraps the keys to the new device");
    fresh.sync().expect("opens what it holds");
    assert!(
        fresh.state() == c.state(),
        "the fresh device has the same state"
    );
}

fn wire_cost() {
    let server = TestServer::start();
    let team = server.create_team("Tim Kawat");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    sup.sync().expect("keys");
    let client = sup
        .vault
        .add_client(&profile("W-1", "Klien Kawat"))
        .expect("client");
    let mut d = draft(NOTE_1K);
    d.plan = "Latihan pernapasan; kontrol dua minggu lagi.".into();
    let note = sup.vault.add_note(client, &d).expect("note");
    let rows = sup.vault.outbox_after(0).expect("log");
    let note_row = rows
        .iter()
        .find(|r| r.entity == note.into())
        .expect("the note record");
    let on_wire = sup
        .vault
        .wire_records(std::slice::from_ref(note_row))
        .expect("wire")[0]
        .encoded_len();
    // The sealed payload (format 4) is flag (1) + compressed fields || tag (16).
    let compressed_fields = note_row.payload.len() - 16 - 1;
    // Fixed overhead (everything on the wire but the compressed fields, padding included),
    // averaged over notes of every length from a line to about 2 KB: Padmé padding depends on
    // the size, so one record does not tell the average.
    let mut varied = Vec::new();
    for i in 0..200 {
        let mut d = draft(&note_text(20 + i * 10));
        d.plan = String::new();
        varied.push(sup.vault.add_note(client, &d).expect("note"));
    }
    let rows = sup.vault.outbox_after(0).expect("log");
    let varied_rows: Vec<_> = rows
        .iter()
        .filter(|r| varied.iter().any(|n| r.entity == (*n).into()))
        .cloned()
        .collect();
    let varied_wire = sup.vault.wire_records(&varied_rows).expect("wire");
    let overheads: Vec<usize> = varied_rows
        .iter()
        .zip(&varied_wire)
        .map(|(r, w)| w.encoded_len() - (r.payload.len() - 16 - 1))
        .collect();
    let mean = overheads.iter().sum::<usize>() as f64 / overheads.len() as f64;
    let padding: Vec<usize> = varied_rows
        .iter()
        .zip(&varied_wire)
        .map(|(r, w)| w.encoded_len() - unpadded_len(r))
        .collect();
    let mut unseen = draft(NOTE_1K_UNSEEN);
    unseen.plan = "Temui wali kelas; kunjungan lanjutan sepuluh hari lagi.".into();
    let unseen_note = sup.vault.add_note(client, &unseen).expect("note");
    let unseen_row = sup
        .vault
        .outbox_after(0)
        .expect("log")
        .into_iter()
        .find(|r| r.entity == unseen_note.into())
        .expect("the note record");
    let unseen_wire = sup.vault.wire_records(&[unseen_row]).expect("wire")[0].encoded_len();
    println!("-- wire cost (format 4: AES-256-GCM-SIV header and payload, Padmé padding)");
    row(
        "fixed overhead per record, mean of 200",
        format!("{mean:.0} B"),
        "<= 200 B",
        format!(
            "(min {} B, max {} B; of which padding mean {:.1} B, max {} B; unpadded: 32 routing + \
             1 format + sealed header 132 (1 kind, 48 ids, 3 length, 64 signature, 16 tag) + \
             payload 17 (1 flag, 16 tag) = 182 B)",
            overheads.iter().min().copied().unwrap_or(0),
            overheads.iter().max().copied().unwrap_or(0),
            padding.iter().sum::<usize>() as f64 / padding.len() as f64,
            padding.iter().max().copied().unwrap_or(0),
        ),
    );
    row(
        "1 KB note, text unseen by the dictionary",
        format!("{unseen_wire} B"),
        "<= 900 B",
        format!("(narrative {} B + other fields)", NOTE_1K_UNSEEN.len()),
    );
    row(
        "1 KB note in common counseling phrasing",
        format!("{on_wire} B"),
        "<= 900 B",
        format!(
            "(narrative {} B + other fields; compressed fields {} B)",
            NOTE_1K.len(),
            compressed_fields
        ),
    );
}

/// A record's size on the wire before padding: routing fields, the format byte, the sealed
/// header (one size: kind, ids, parent slot, payload length, signature) and the sealed payload.
fn unpadded_len(r: &teduh_core::records::RecordRow) -> usize {
    teduh_protocol::sync::RECORD_HEADER_LEN
        + 1
        + teduh_core::records::SEALED_HEADER_LEN
        + r.payload.len()
}

fn two_g() {
    let server = TestServer::start();
    let team = server.create_team("Tim 2G");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut c = server.member(&team, Role::Outreach, "lapangan");
    // Admitted by her supervisor (since trust 1/3 a device that is not sends nothing: without
    // this the figures below measured an upload that never happened).
    sup.admit(&mut c);
    sup.sync().expect("keys");
    c.sync().expect("keys");
    let proxy = FaultProxy::start(server.addr(), Faults::two_g());
    c.url = proxy.url().to_owned();
    let client = c
        .vault
        .add_client(&profile("G-1", "Klien Desa"))
        .expect("client");
    let text = note_text(1500);
    for _ in 0..50 {
        c.vault.add_note(client, &draft(&text)).expect("note");
    }
    let pending = c.vault.pending_count().expect("pending");
    let mut ledger = Ledger::default();
    let mut gaps = Vec::new();
    let started = Instant::now();
    let mut last = Instant::now();
    {
        let mut http = c.transport();
        let mut t = counting(&mut http, &mut ledger);
        let mut on_progress = |_: &Progress| {
            gaps.push(last.elapsed());
            last = Instant::now();
        };
        sync_once(&mut c.vault, &mut t, &mut on_progress).expect("2G sync");
    }
    let took = started.elapsed();
    assert_eq!(
        c.vault.pending_count().expect("pending"),
        0,
        "the notes were really sent"
    );
    let longest_gap = gaps.iter().max().copied().unwrap_or_default();
    println!("-- 2G profile (5,000 B/s down, 2,500 B/s up, 800 ms RTT; no loss emulation)");
    row(
        &format!("upload 50 notes of 1.5 KB ({pending} records)"),
        format!("{:.1} s", took.as_secs_f64()),
        "<= 60 s",
        format!(
            "({} B of push bodies in {} pushes)",
            ledger.push_bytes, ledger.pushes
        ),
    );
    row(
        "largest request body",
        format!("{} B", ledger.largest_push_body),
        "<= 65,536 B",
        String::new(),
    );
    row(
        "longest gap between progress reports",
        format!("{:.1} s", longest_gap.as_secs_f64()),
        "<= 10 s",
        String::new(),
    );

    // Interrupted midway: the link drops after a few seconds, then comes back.
    for _ in 0..50 {
        c.vault.add_note(client, &draft(&text)).expect("note");
    }
    let mut ledger = Ledger::default();
    let cut_at = Duration::from_secs(20);
    let outcome = std::thread::scope(|s| {
        let p = &proxy;
        s.spawn(move || {
            std::thread::sleep(cut_at);
            p.set_faults(Faults {
                offline: true,
                ..Faults::two_g()
            });
        });
        let mut http = c.transport();
        let mut t = counting(&mut http, &mut ledger);
        sync_once(&mut c.vault, &mut t, &mut |_| {})
    });
    let acked_before_resume = ledger.acked_through;
    let left = c.vault.pending_count().expect("pending");
    proxy.set_faults(Faults::two_g());
    let resumed = Instant::now();
    {
        let mut http = c.transport();
        let mut t = counting(&mut http, &mut ledger);
        sync_once(&mut c.vault, &mut t, &mut |_| {}).expect("resumes");
    }
    row(
        "cut after 20 s, then resumed",
        format!("{:.1} s", resumed.elapsed().as_secs_f64()),
        "no re-send",
        format!(
            "first attempt: {}; {left} records left; acknowledged through {acked_before_resume}; \
             acknowledged records re-sent: {}",
            if outcome.is_err() {
                "cut off"
            } else {
                "finished before the cut"
            },
            ledger.resent_after_ack
        ),
    );
    assert_eq!(ledger.resent_after_ack, 0);
    assert_eq!(c.vault.pending_count().expect("pending"), 0);
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run only a smoke
    // test of the wire figures then.
    let full = std::env::args().any(|a| a == "--bench");
    // SYNC_BENCH=wire|2g|pull runs one part (e.g. under a profiler).
    let only = std::env::var("SYNC_BENCH").unwrap_or_default();
    let part = |name: &str| only.is_empty() || only == name;
    if part("wire") {
        wire_cost();
    }
    if full && part("2g") {
        two_g();
    }
    if full && part("pull") {
        fresh_device_pull();
    }
}
