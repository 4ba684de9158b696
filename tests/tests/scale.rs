//! Several server instances on one PostgreSQL database, behind a load balancer (issue: install,
//! scale and speed, item 2): the instances share nothing but the database, so any of them may
//! serve any request, and concurrent writers pushing and pulling through alternating instances
//! lose, skip or duplicate nothing.

use std::sync::Arc;

use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::proxy::{FaultProxy, Faults};
use teduh_tests::TestServer;

#[path = "../../crates/teduh-server/tests/common/mod.rs"]
#[allow(clippy::expect_used, clippy::unwrap_used, unreachable_pub)]
mod pg;

const WRITERS: usize = 4;
const ROUNDS: usize = 5;
const NOTES_PER_ROUND: usize = 100;

#[test]
fn two_instances_on_one_postgresql_serve_four_concurrent_writers_with_no_gap_or_duplicate() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (first, guard) = rt.block_on(pg::postgres());
    let pg::Guard::Postgres(db) = &guard else {
        unreachable!("a PostgreSQL guard")
    };
    // A second process's view of the same database: its own pool, nothing else shared.
    let second: Arc<dyn teduh_server::Storage> = Arc::new(
        rt.block_on(teduh_server::storage::postgres::PostgresStorage::connect_with(&db.url, 4))
            .expect("the second instance connects"),
    );
    let a = TestServer::start_on(first, tempfile::tempdir().expect("tempdir"));
    let b = TestServer::start_on(second, tempfile::tempdir().expect("tempdir"));
    // The load balancer: each new connection to the next instance in turn.
    let balancer = FaultProxy::balancing(&[a.addr(), b.addr()], Faults::default());

    let team = a.create_team("Tim Dua Server");
    let join = |role: Role, name: &str| {
        let invitation = a.invite(&team, role);
        Device::register(balancer.url(), &invitation, name)
    };
    let mut sup = join(Role::Supervisor, "sup");
    let mut writers: Vec<Device> = (0..WRITERS)
        .map(|i| join(Role::Counselor, &format!("kons.{i}")))
        .collect();
    for w in &mut writers {
        sup.admit(w);
    }
    for w in &mut writers {
        w.sync().expect("the newest key");
    }

    // Four writers at once, each writing and syncing (push, then pull what the others sent)
    // round after round; every round is a new connection, so rounds alternate instances.
    let clients: Vec<_> = std::thread::scope(|s| {
        let running: Vec<_> = writers
            .iter_mut()
            .enumerate()
            .map(|(i, w)| {
                s.spawn(move || {
                    let client = w
                        .vault
                        .add_client(&profile(&format!("S-{i}"), "Klien Skala"))
                        .expect("client");
                    for round in 0..ROUNDS {
                        for n in 0..NOTES_PER_ROUND {
                            w.vault
                                .add_note(
                                    client,
                                    &draft(&format!("penulis {i} putaran {round} catatan {n}")),
                                )
                                .expect("note");
                        }
                        w.sync_until_done(5).expect("sync through the balancer");
                    }
                    client
                })
            })
            .collect();
        running
            .into_iter()
            .map(|t| t.join().expect("writer thread"))
            .collect()
    });
    for w in &mut writers {
        w.sync_until_done(5).expect("final round");
        assert_eq!(w.vault.pending_count().expect("pending"), 0);
    }
    let balanced = balancer.counters().connections;
    assert!(
        balanced >= (WRITERS * ROUNDS) as u64,
        "rounds went through the balancer ({balanced} connections)"
    );
    assert!(
        a.records_stored() > 0 && b.records_stored() > 0,
        "both instances stored records: {} and {}",
        a.records_stored(),
        b.records_stored()
    );
    assert_eq!(a.duplicates() + b.duplicates(), 0, "nothing was sent twice");

    // A newcomer pulls everything through the balancer: every note once, the same state as
    // every writer's.
    // A supervisor: she reads every client of the team (issue 23).
    let mut fresh = join(Role::Supervisor, "sup.baru");
    sup.confirm(&mut fresh);
    sup.sync().expect("keys for the newcomer");
    fresh.sync_until_done(10).expect("pulls everything");
    for (i, client) in clients.iter().enumerate() {
        let notes = fresh
            .vault
            .export_client(*client)
            .expect("the newcomer opens every writer's client")
            .notes;
        assert_eq!(
            notes.len(),
            ROUNDS * NOTES_PER_ROUND,
            "writer {i}: no gap, no duplicate"
        );
    }
    assert!(fresh.vault.held_records().expect("held").is_empty());
    // Each writer reads only her own clients, but holds every record of the team (the others'
    // unopened): the same log as the newcomer's.
    let expected = fresh.vault.casework_log_len().expect("log");
    for (i, w) in writers.iter_mut().enumerate() {
        w.sync_until_done(5).expect("catch up");
        assert_eq!(
            w.vault.casework_log_len().expect("log"),
            expected,
            "writer {i} holds every record the newcomer holds"
        );
        assert!(w.vault.held_records().expect("held").is_empty());
    }
    drop((a, b, balancer));
    drop(guard);
}
