//! Sync over links that break: a fault-injecting proxy cuts connections at random byte
//! offsets (requests and responses) until 1,000 cuts have happened. Nothing acknowledged is
//! ever sent again, nothing is duplicated, and every device ends with the same state.

use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile};
use teduh_tests::ledger::{counting, Ledger};
use teduh_tests::proxy::{FaultProxy, Faults};
use teduh_tests::TestServer;

#[test]
fn a_thousand_cuts_lose_nothing_duplicate_nothing_and_resend_nothing_acknowledged() {
    let server = TestServer::start();
    let team = server.create_team("Tim Sinyal Lemah");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut c1 = server.member(&team, Role::Counselor, "kons.1");
    let mut c2 = server.member(&team, Role::Outreach, "lapangan.2");
    // Keys and roster first, over a clean link: the supervisor admits both.
    sup.admit(&mut c1);
    sup.admit(&mut c2);
    c1.sync().expect("clean sync");
    let mut devices = vec![sup, c1, c2];
    let proxy = FaultProxy::start(
        server.addr(),
        Faults {
            cut_probability: 0.6,
            cut_max_offset: 6 * 1024,
            seed: 20261123,
            ..Faults::default()
        },
    );
    for d in &mut devices {
        d.url = proxy.url().to_owned();
    }
    let mut ledgers: Vec<Ledger> = (0..devices.len()).map(|_| Ledger::default()).collect();
    let mut written = 0u64;
    let mut round = 0u64;
    while proxy.counters().cuts < 1000 {
        round += 1;
        assert!(
            round < 20_000,
            "the proxy stopped cutting: {:?}",
            proxy.counters()
        );
        for (i, d) in devices.iter_mut().enumerate() {
            // Keep writing between syncs: a client every so often, notes in between.
            if round.is_multiple_of(3) {
                let code = format!("F-{i}-{round}");
                let own_before = d.vault.outbox_after(0).expect("own").len() as u64;
                let c = d
                    .vault
                    .add_client(&profile(&code, "Klien Sinyal"))
                    .expect("client");
                d.vault
                    .add_note(c, &draft(&"Catatan panjang di jalan. ".repeat(40)))
                    .expect("note");
                // The client's key (one wrap per reader's device), the client, the note.
                written += d.vault.outbox_after(0).expect("own").len() as u64 - own_before;
            }
            let mut http = d.transport();
            let mut t = counting(&mut http, &mut ledgers[i]);
            // Cut or not, the round either finishes or leaves a resumable state.
            let _ = d.sync_through(&mut t);
        }
    }
    // Heal the link; everyone syncs until nothing is pending and nothing new arrives.
    proxy.set_faults(Faults::default());
    for _ in 0..3 {
        for (i, d) in devices.iter_mut().enumerate() {
            let mut http = d.transport();
            let mut t = counting(&mut http, &mut ledgers[i]);
            d.sync_through(&mut t).expect("sync on a healed link");
        }
    }
    for (i, d) in devices.iter().enumerate() {
        assert!(
            d.vault.security_alarms().expect("alarms").is_empty()
                && d.vault.reported_alarms().expect("reports").is_empty(),
            "device {i}: a thousand cuts are faults, not attacks: no alarm"
        );
    }
    let counters = proxy.counters();
    assert!(counters.cuts >= 1000, "{counters:?}");
    assert!(
        counters.cuts_in_response > 0 && counters.cuts_in_request > 0,
        "{counters:?}"
    );
    for (i, l) in ledgers.iter().enumerate() {
        assert_eq!(
            l.resent_after_ack, 0,
            "device {i} re-sent acknowledged records"
        );
    }
    let unanswered: u64 = ledgers.iter().map(|l| l.unanswered_records).sum();
    let duplicates = server.duplicates();
    assert!(
        duplicates <= unanswered,
        "the server saw {duplicates} re-sends but only {unanswered} records went unanswered"
    );
    let logs: Vec<u64> = devices
        .iter()
        .map(|d| d.vault.log_len().expect("log"))
        .collect();
    assert!(
        logs.iter().all(|n| *n == logs[0]),
        "same log everywhere: {logs:?}"
    );
    // Rounds add checkpoints (trust 3/3) to each device's log besides what was written.
    let (own, checkpoints) = devices.iter().fold((0u64, 0u64), |(own, cps), d| {
        let log = d.vault.outbox_after(0).expect("own");
        let cp = log
            .iter()
            .filter(|r| r.kind == teduh_core::records::RecordKind::Checkpoint)
            .count() as u64;
        (own + log.len() as u64 - cp, cps + cp)
    });
    assert_eq!(own, written, "every record written exists exactly once");
    assert_eq!(
        logs[0],
        written + checkpoints,
        "no duplicates, nothing lost"
    );
    // Only a case's workers read it (issue 23): the supervisor puts both workers on every
    // case, so every device must then hold the same state.
    let workers = [devices[1].member(), devices[2].member()];
    for c in devices[0].vault.list_clients().expect("list") {
        devices[0]
            .vault
            .assign_case(c.id, &workers, None)
            .expect("the supervisor assigns");
    }
    for _ in 0..2 {
        for d in devices.iter_mut() {
            d.sync().expect("sync on a healed link");
        }
    }
    let first = devices[0].state();
    for d in &devices[1..] {
        assert!(d.state() == first, "identical state on every device");
    }
    for d in &devices {
        assert_eq!(d.vault.pending_count().expect("pending"), 0);
        assert!(d.vault.held_records().expect("held").is_empty());
        assert!(
            d.vault.security_alarms().expect("alarms").is_empty(),
            "no security notice on a merely lossy link"
        );
    }
    eprintln!(
        "{} cuts ({} in requests, {} in responses) over {} connections; {} records; \
         {duplicates} re-sends of unanswered records (of {unanswered} unanswered); pushes {:?}",
        counters.cuts,
        counters.cuts_in_request,
        counters.cuts_in_response,
        counters.connections,
        written,
        ledgers.iter().map(|l| l.pushes).collect::<Vec<_>>()
    );
}
