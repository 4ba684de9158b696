//! Need-to-know benchmarks (issue 23, decision 0008), each figure next to its target and the
//! limit measured in the same run.
//!
//! Run: `cargo bench -p teduh-tests --bench need_to_know` (optimised build; about a minute).
//!
//! 1. Re-keying a client after a release: a supervisor takes one of eleven workers off a case
//!    (the assignment record, a new data key, its wraps to the ten remaining workers' devices
//!    and hers, one durable commit). Target <= 50 ms. Limit: the same number of X25519 sealed
//!    boxes and Ed25519 signatures alone.
//! 2. A supervisor's unlock with 5,000 clients whose keys were wrapped to her device, beside the
//!    unlock of a vault with 5,000 clients under team-wide keys (the shape every vault had
//!    before need-to-know), same key-derivation parameters, same run. Target: within 10 %.

use std::time::{Duration, Instant};

use teduh_core::crypto::{seal_to, DataKey, KdfParams};
use teduh_core::store::LocalStore;
use teduh_core::vault::Vault;
use teduh_protocol::sync::Role;
use teduh_tests::device::{profile, Device, PASSPHRASE};
use teduh_tests::TestServer;

const CLIENTS: usize = 5_000;
const WORKERS: usize = 11;
const RELEASES: usize = 15;

fn row(figure: &str, measured: String, target: &str, limit: String) {
    println!("{figure:<52} {measured:>12}   target {target:<16} {limit}");
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[allow(clippy::expect_used)]
fn rekey() {
    let server = TestServer::start();
    let team = server.create_team("Tim Ukur");
    let mut sup = server.member(&team, Role::Supervisor, "sup.ukur");
    let mut workers: Vec<Device> = (0..WORKERS)
        .map(|i| server.member(&team, Role::Counselor, &format!("kons.{i}")))
        .collect();
    for w in &mut workers {
        sup.admit(w);
    }
    sup.sync().expect("roster");
    let client = sup
        .vault
        .add_client(&profile("UK-001", "Klien Ukur"))
        .expect("client");
    let all: Vec<u64> = workers.iter().map(Device::member).collect();
    let mut times = Vec::new();
    for i in 0..RELEASES {
        sup.vault
            .assign_case(client, &all, None)
            .expect("everyone on the case");
        let leaving = &workers[i % WORKERS].username();
        let t = Instant::now();
        let done = sup
            .vault
            .unassign_member(client, leaving, "dialihkan")
            .expect("release");
        times.push(t.elapsed());
        assert!(done.rekeyed && done.wraps as usize == WORKERS, "{done:?}");
    }
    // The limit: the cryptography alone (a sealed box and a signature per wrap, one more
    // signature for the assignment).
    let key = DataKey::generate();
    let recipient = x25519_dalek::PublicKey::from(&x25519_dalek::StaticSecret::from([9u8; 32]));
    let signer = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let t = Instant::now();
    for _ in 0..WORKERS {
        let boxed = seal_to(&recipient, b"teduh/bench", &key);
        let _ = ed25519_dalek::Signer::sign(&signer, &boxed);
    }
    let _ = ed25519_dalek::Signer::sign(&signer, b"assignment");
    let limit = t.elapsed();
    row(
        "re-key a client after a release (11 devices), median",
        ms(median(times)),
        "<= 50 ms",
        format!("limit (crypto alone) {}", ms(limit)),
    );
}

#[allow(clippy::expect_used)]
fn unlock() {
    // 5,000 clients registered by a counselor: each key wrapped to her device and the
    // supervisor's; the supervisor pulls them all.
    let server = TestServer::start();
    let team = server.create_team("Tim Buka");
    let mut sup = server.member(&team, Role::Supervisor, "sup.buka");
    let mut c = server.member(&team, Role::Counselor, "kons.buka");
    sup.admit(&mut c);
    c.sync().expect("roster");
    c.vault
        .batch(|b| {
            for i in 0..CLIENTS {
                b.add_client(&profile(&format!("B-{i:05}"), "Klien Contoh"))?;
            }
            Ok(())
        })
        .expect("clients");
    c.sync_until_done(50).expect("push");
    sup.sync_until_done(50).expect("pull");
    assert_eq!(sup.vault.list_clients().expect("list").len(), CLIENTS);
    let wrapped = measure_unlock(&mut sup.vault);

    // The same number of clients under team-wide keys (a vault that never joined a team).
    let dir = tempfile::tempdir().expect("tempdir");
    let store = LocalStore::open(&dir.path().join("t.sqlite3")).expect("store");
    let mut before =
        Vault::create_with_params(store, PASSPHRASE, KdfParams::insecure_fast_for_tests())
            .expect("vault");
    before
        .batch(|b| {
            for i in 0..CLIENTS {
                b.add_client(&profile(&format!("B-{i:05}"), "Klien Contoh"))?;
            }
            Ok(())
        })
        .expect("clients");
    let team_wide = measure_unlock(&mut before);
    let change = (wrapped.as_secs_f64() / team_wide.as_secs_f64() - 1.0) * 100.0;
    row(
        "supervisor unlock, 5,000 clients, keys per reader",
        ms(wrapped),
        "within 10 %",
        format!("team-wide keys (before) {} ({change:+.1} %)", ms(team_wide)),
    );
}

/// Median of five unlocks (the test key-derivation parameters: what remains is opening the
/// client keys and building the index, where the two shapes could differ).
fn measure_unlock(v: &mut Vault) -> Duration {
    let mut times = Vec::new();
    for _ in 0..5 {
        v.lock();
        let t = Instant::now();
        let report = v.unlock(PASSPHRASE).expect("unlock");
        times.push(t.elapsed());
        assert_eq!(report.clients_indexed, CLIENTS);
        assert!(report.damaged.is_empty());
    }
    median(times)
}

fn main() {
    println!("need-to-know (issue 23); figure, measured, target, limit in the same run");
    rekey();
    unlock();
}
