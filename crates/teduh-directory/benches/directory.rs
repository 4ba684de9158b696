//! Directory benchmarks: `cargo bench -p teduh-directory --bench directory`.
//! Prints each figure next to its target (issue: search over 5,000 entries <= 10 ms per query;
//! applying a 5,000-entry bundle <= 500 ms).

use std::time::{Duration, Instant};

use chrono::Utc;
use teduh_directory::bundle::Bundle;
use teduh_directory::index::{DirectoryIndex, Query};

fn synthetic_bundle(n: usize) -> Bundle {
    let mut b = teduh_directory::seed::seed_bundle();
    let base = b.entries.clone();
    b.entries = (0..n)
        .map(|i| {
            let mut e = base[i % base.len()].clone();
            e.id = format!("synthetic-{i}");
            e.name = format!("{} cabang {i}", e.name);
            e.coverage.area = format!("Kabupaten Contoh {}", i % 400);
            e
        })
        .collect();
    b.version = 2;
    b
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let bundle = synthetic_bundle(5_000);
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut idx = DirectoryIndex::open(&tmp.path().join("d.sqlite3")).expect("opens");

    let mut applies = Vec::new();
    for v in 0..5 {
        let mut b = bundle.clone();
        b.version = 2 + v;
        let t = Instant::now();
        idx.apply(&b).expect("applies");
        applies.push(t.elapsed());
    }
    applies.sort();
    println!(
        "directory: apply 5,000-entry bundle: median {:.1} ms (target <= 500 ms)",
        percentile(&applies, 0.5).as_secs_f64() * 1e3
    );

    let queries = [
        "anak",
        "kekerasan perempuan",
        "padang",
        "darurat",
        "jiwa",
        "dinas sosial contoh 12",
        "ambulans",
    ];
    let now = Utc::now();
    let mut times = Vec::new();
    let mut results = 0;
    for _ in 0..30 {
        for q in queries {
            let t = Instant::now();
            results += idx
                .search(
                    &Query {
                        text: q.into(),
                        ..Query::default()
                    },
                    now,
                )
                .expect("search")
                .len();
            times.push(t.elapsed());
        }
    }
    times.sort();
    println!(
        "directory: search over 5,000 entries: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target <= 10 ms per query; {} results)",
        percentile(&times, 0.5).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
        results
    );
}
