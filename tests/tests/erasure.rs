//! Erasure by crypto-shredding reaches every device (issue 26, UU PDP Ps 43-44), through the
//! public API of a team's vaults on one server: a supervisor approves a client's erasure
//! request; her counselor's laptop, a second laptop that was offline meanwhile and the
//! supervisor's own shred the client, acknowledge, and keep only signed headers; a revoked
//! laptop is marked unreachable. Every byte string of hers captured before (sealed bodies,
//! key wraps) is searched for in every file of every reachable device's data directory.
//! All names are made up.

use chrono::{Duration, Utc};
use teduh_core::domain::Modality;
use teduh_core::ids::ClientId;
use teduh_core::request::{DataRequest, IdentityCheck, RequestKind};
use teduh_core::vault::{ErasureState, VaultError};
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::{leak, oracle, TestServer};

/// The client's sealed bodies as the server holds them (first 32 bytes of each, enough to be
/// unique), read with every key the supervisor's device holds.
fn bodies_of(server: &TestServer, team: &str, sup: &mut Device, client: ClientId) -> Vec<Vec<u8>> {
    let keys = sup.vault.oracle_keys().expect("keys");
    oracle::team_rows(server, team, &keys)
        .into_iter()
        .filter(|r| r.client == client && r.payload.len() >= 32)
        .map(|r| r.payload[..32].to_vec())
        .collect()
}

/// The key wraps of `client` a device keeps at rest.
fn wraps_on(device: &Device, client: ClientId) -> Vec<Vec<u8>> {
    let db = rusqlite::Connection::open(device.data_dir().join("teduh.sqlite3")).expect("db");
    let mut st = db
        .prepare("SELECT wrapped FROM client_keys WHERE client_id = ?1")
        .expect("query");
    let wraps = st
        .query_map([&client.0[..]], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("wraps");
    wraps
}

fn found_on(device: &Device, secrets: &[Vec<u8>]) -> Vec<String> {
    leak::scan_dir(device.data_dir(), secrets)
}

#[test]
fn an_approved_erasure_reaches_every_device_and_leaves_none_of_her_bytes() {
    let server = TestServer::start();
    let team = "Tim Hapus";
    let (mut sup, mut ana) = server.supervised_team(team, "sup.hapus", "kons.hapus");
    let mut laptop = ana.another_device().expect("her second laptop");
    sup.admit(&mut laptop);
    let mut lost = ana.another_device().expect("a third laptop, to be lost");
    sup.admit(&mut lost);

    let client = ana
        .vault
        .add_client(&profile("K-HAPUS", "Klien Sintetis Dihapus"))
        .expect("client");
    let mut note = draft("Cerita klien yang diminta dihapus (sintetis)");
    note.modality = Modality::Phone;
    let n = ana.vault.add_note(client, &note).expect("note");
    ana.vault.finalise_note(n).expect("finalised");
    let keep = ana
        .vault
        .add_client(&profile("K-TETAP", "Klien Sintetis Tetap"))
        .expect("another client");
    let request = ana
        .vault
        .add_request(
            client,
            &DataRequest {
                kind: RequestKind::Erasure,
                received_at: Some(Utc::now() - Duration::hours(5)),
                identity: IdentityCheck::IdentityCard,
                details: "Semua data saya dihapus (sintetis)".into(),
                ..DataRequest::default()
            },
        )
        .expect("request");
    ana.sync().expect("ana pushes");
    sup.sync()
        .expect("sup pulls and wraps her key to every reader");
    for d in [&mut laptop, &mut lost] {
        d.sync().expect("pulls");
        d.vault
            .client(client)
            .expect("reads her before the erasure");
    }

    let mut secrets = bodies_of(&server, team, &mut sup, client);
    assert!(secrets.len() >= 5, "her records: {}", secrets.len());
    for d in [&sup, &ana, &laptop, &lost] {
        let wraps = wraps_on(d, client);
        assert!(!wraps.is_empty(), "every reader holds a wrap of her key");
        secrets.extend(wraps);
    }
    for d in [&sup, &ana, &laptop] {
        assert!(
            !found_on(d, &secrets).is_empty(),
            "before the erasure her bytes are on every device"
        );
    }

    // One laptop is lost and revoked; the other goes offline.
    sup.vault
        .revoke_device(lost.device())
        .expect("a key manager revokes");
    sup.sync().expect("the revocation goes out");

    // Only a key manager approves.
    assert!(matches!(
        ana.vault.approve_erasure(request),
        Err(VaultError::NotPermitted(_))
    ));
    let erasure = sup.vault.approve_erasure(request).expect("approved");
    assert!(
        sup.vault.client(client).is_err(),
        "gone on her device at once"
    );
    for _ in 0..2 {
        sup.sync().expect("the erasure goes out");
        ana.sync().expect("ana shreds and confirms");
    }
    sup.sync().expect("the confirmations come in");
    let view = sup.vault.erasure(erasure).expect("followed");
    assert_eq!(view.client_code, "K-HAPUS");
    assert_eq!((view.confirmed, view.expected), (2, 3), "{view:?}");
    let state_of = |view: &teduh_core::vault::ErasureView, device: u64| {
        view.devices
            .iter()
            .find(|d| d.device == device)
            .map(|d| d.state)
    };
    assert_eq!(
        state_of(&view, lost.device()),
        Some(ErasureState::Unreachable)
    );
    assert_eq!(
        state_of(&view, laptop.device()),
        Some(ErasureState::Waiting)
    );
    assert!(
        laptop.vault.client(client).is_ok(),
        "offline, her laptop has not heard yet"
    );

    // The offline laptop comes back.
    for _ in 0..2 {
        laptop.sync().expect("shreds and confirms");
    }
    sup.sync().expect("its confirmation");
    let view = sup.vault.erasure(erasure).expect("followed");
    assert_eq!((view.confirmed, view.expected), (3, 3), "{view:?}");
    assert_eq!(
        state_of(&view, laptop.device()),
        Some(ErasureState::Confirmed)
    );

    for d in [&mut sup, &mut ana, &mut laptop] {
        d.sync()
            .expect("a last round: own bodies go once the server has them");
        let who = d.username();
        assert!(d.vault.is_erased(client).expect("read"), "{who}");
        assert!(
            d.vault.client(client).is_err(),
            "{who}: nothing of hers opens"
        );
        assert!(
            d.vault
                .list_clients()
                .expect("list")
                .iter()
                .all(|c| c.id != client),
            "{who}"
        );
        assert!(
            d.vault.client(keep).is_ok(),
            "{who}: the other client stays"
        );
        assert!(
            d.vault.verify_erased_records().expect("verified") >= 5,
            "{who}: her signed headers stay and verify"
        );
        d.vault
            .check_consistency()
            .expect("the log and the tables still agree");
        // `teduh audit verify`: erased bodies break no device's log.
        for chain in d.vault.verify_logs(Utc::now()).expect("checked") {
            assert!(
                chain
                    .breaks
                    .iter()
                    .all(|b| matches!(b, teduh_core::vault::ChainBreak::Silent { .. })),
                "{who}: {:?}",
                chain.breaks
            );
        }
        let hits = found_on(d, &secrets);
        assert!(hits.is_empty(), "{who} still holds her bytes: {hits:?}");
    }
}
