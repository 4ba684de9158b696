//! Desktop benchmarks over the same code paths as the IPC commands:
//! `cargo bench -p teduh-desktop --bench desktop`.
//!
//! Targets (issue "The counselor's desktop"): the client list of 10,000 filtered as you type,
//! each keystroke answered <= 50 ms; opening a client with 200 sessions <= 200 ms. Both include
//! the JSON serialisation that IPC performs. (App start to unlock screen is measured by
//! `scripts/bench-app-start.sh` on the real window.)

use std::time::{Duration, Instant};

use teduh_core::domain::{ClientProfile, NoteDraft};
use teduh_core::paths::DataDir;
use teduh_desktop::ipc::ClientRow;
use teduh_desktop::state::AppState;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let state = AppState::open(DataDir::at(tmp.path()), None).expect("state");
    state
        .create_vault("bangku taman di bawah pohon beringin")
        .expect("vault");

    // 10,000 synthetic clients, in batches (one transaction each).
    let names = [
        "Sari", "Budi", "Wati", "Agus", "Dewi", "Rudi", "Nina", "Eko", "Tuti", "Joko",
    ];
    let t = Instant::now();
    for chunk in 0..20 {
        state
            .with_vault(|v| {
                v.batch(|b| {
                    for i in chunk * 500..(chunk + 1) * 500 {
                        let p = ClientProfile {
                            code: format!("K-{i:05}"),
                            name: format!("{} Sintetis {i}", names[i % names.len()]),
                            nickname: format!("{}{}", names[(i / 10) % names.len()], i % 97),
                            estimated_age: Some(20 + (i % 50) as u32),
                            ..ClientProfile::default()
                        };
                        b.add_client(&p)?;
                    }
                    Ok(())
                })
            })
            .expect("seed clients");
    }
    println!(
        "desktop: seeded 10,000 clients in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // Re-index as at unlock.
    state.lock().expect("lock");
    state
        .unlock("bangku taman di bawah pohon beringin")
        .expect("unlock");

    // Typing "sari 12" one keystroke at a time, several times over.
    let typed = "sari 12";
    let mut keystrokes = Vec::new();
    for _ in 0..10 {
        for end in 0..=typed.len() {
            let text = &typed[..end];
            let t = Instant::now();
            let rows: Vec<ClientRow> = state
                .with_vault(|v| {
                    let found = if text.trim().is_empty() {
                        v.list_clients()?
                    } else {
                        v.search_clients(text, 10_000)?
                    };
                    Ok(found.into_iter().map(ClientRow::from).collect())
                })
                .expect("search");
            let json = serde_json::to_vec(&rows).expect("json");
            std::hint::black_box(json);
            keystrokes.push(t.elapsed());
        }
    }
    keystrokes.sort();
    println!(
        "desktop: client list of 10,000, per keystroke (search + IPC JSON): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target <= 50 ms)",
        ms(percentile(&keystrokes, 0.5)),
        ms(percentile(&keystrokes, 0.99)),
        ms(*keystrokes.last().expect("samples"))
    );

    // One client with 200 sessions.
    let client = state
        .with_vault(|v| Ok(v.search_clients("K-00042", 1)?[0].id))
        .expect("client");
    let narrative =
        "Klien menceritakan kesulitan tidur dan kekhawatiran tentang keluarganya. ".repeat(12);
    state
        .with_vault(|v| {
            v.batch(|b| {
                for i in 0..200 {
                    let draft = NoteDraft {
                        zone: "Asia/Jakarta".into(),
                        duration_minutes: 45,
                        narrative: format!("Sesi {i}. {narrative}"),
                        plan: "Lanjutkan pendampingan mingguan.".into(),
                        ..NoteDraft::default()
                    };
                    b.add_note(client, &draft)?;
                }
                Ok(())
            })
        })
        .expect("seed notes");
    let mut opens = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let detail = state
            .with_vault(|v| v.export_client(client))
            .expect("detail");
        assert_eq!(detail.notes.len(), 200);
        std::hint::black_box(serde_json::to_vec(&detail).expect("json"));
        opens.push(t.elapsed());
    }
    opens.sort();
    println!(
        "desktop: open a client with 200 sessions (decrypt + IPC JSON): p50 {:.1} ms, max {:.1} ms (target <= 200 ms)",
        ms(percentile(&opens, 0.5)),
        ms(*opens.last().expect("samples"))
    );
}
