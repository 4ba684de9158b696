//! Erasure by crypto-shredding reaches every device (issue 26, UU PDP Ps 43-44), through the
//! public API of a team's vaults on one server: a supervisor approves a client's erasure
//! request; her counselor's laptop, a second laptop that was offline meanwhile and the
//! supervisor's own shred the client, acknowledge, and keep only signed headers; a revoked
//! laptop is marked unreachable. Every byte string of hers captured before (sealed bodies,
//! key wraps) is searched for in every file of every reachable device's data directory.
//! All names are made up.

#[path = "../../crates/teduh-server/tests/common/mod.rs"]
mod pg;

use chrono::{Duration, Utc};
use teduh_core::domain::Modality;
use teduh_core::ids::{ClientId, RequestId};
use teduh_core::request::{DataRequest, IdentityCheck, RequestKind};
use teduh_core::vault::{ErasureState, VaultError};
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::{hostile, leak, oracle, TestServer};

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

/// `client` asks `d`'s member, `hours_ago`, to erase all her data; her identity card was checked.
fn erasure_request(d: &mut Device, client: ClientId, hours_ago: i64) -> RequestId {
    d.vault
        .add_request(
            client,
            &DataRequest {
                kind: RequestKind::Erasure,
                received_at: Some(Utc::now() - Duration::hours(hours_ago)),
                identity: IdentityCheck::IdentityCard,
                details: "Semua data saya dihapus (sintetis)".into(),
                ..DataRequest::default()
            },
        )
        .expect("request")
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
    let data_dir = server.data_dir().to_path_buf();
    erasure_reaches_everyone(server, &|secrets| leak::scan_dir(&data_dir, secrets));
}

/// The same on a server on PostgreSQL: none of her bytes in any row of any table (read as
/// PostgreSQL's text form, bytea in hex).
#[test]
fn on_postgresql_an_approved_erasure_leaves_none_of_her_bytes_in_any_table() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (storage, guard) = rt.block_on(pg::postgres());
    let url = guard.postgres_url().expect("a PostgreSQL guard");
    let server = TestServer::start_on(storage, tempfile::tempdir().expect("tempdir"));
    erasure_reaches_everyone(server, &|secrets| {
        let dump = rt.block_on(pg::dump_all_tables(&url));
        assert!(dump.len() > 1000, "the dump holds the team's records");
        let hex: Vec<Vec<u8>> = secrets
            .iter()
            .map(|s| {
                s.iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>()
                    .into_bytes()
            })
            .collect();
        leak::scan_bytes("the PostgreSQL tables", &dump, &hex)
    });
}

/// Four devices, one revoked and one offline during the erasure (see the module
/// documentation); `server_holds` lists where the server still holds any of `secrets`.
fn erasure_reaches_everyone(server: TestServer, server_holds: &dyn Fn(&[Vec<u8>]) -> Vec<String>) {
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
    let request = erasure_request(&mut ana, client, 5);
    ana.sync().expect("ana pushes");
    sup.sync()
        .expect("sup pulls and wraps her key to every reader");
    for d in [&mut laptop, &mut lost] {
        d.sync().expect("pulls");
        d.vault
            .client(client)
            .expect("reads her before the erasure");
    }

    // Every key any of the four devices holds before the erasure, the client's included.
    let mut keys_before = Vec::new();
    for d in [&mut sup, &mut ana, &mut laptop, &mut lost] {
        keys_before.extend(d.vault.oracle_keys().expect("keys"));
    }
    let team_id = server.team_id(team);
    let opened_before = oracle::opened(
        team_id,
        &keys_before,
        &oracle::team_rows(&server, team, &keys_before),
    );
    assert!(
        oracle::clients_opened(&opened_before).contains(&client),
        "the oracle opens her records before the erasure"
    );
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
    assert_eq!(view.subjects[0].code, "K-HAPUS");
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

    // The server: none of her bytes in its database files (free pages and WAL included), and
    // every key the devices ever held opens nothing of hers.
    let hits = server_holds(&secrets);
    assert!(
        hits.is_empty(),
        "the server still holds her bytes: {hits:?}"
    );
    let rows = oracle::team_rows(&server, team, &keys_before);
    let hers: Vec<_> = rows.iter().filter(|r| r.client == client).collect();
    assert!(hers.len() >= 5, "her records stay as tombstones");
    assert!(
        hers.iter()
            .all(|r| r.erased.is_some() && r.payload.is_empty()),
        "every record of hers is served erased"
    );
    let opened = oracle::opened(team_id, &keys_before, &rows);
    assert!(!oracle::clients_opened(&opened).contains(&client));
    assert!(!oracle::reveals(&opened, "diminta dihapus"));
    assert!(oracle::clients_opened(&opened).contains(&keep));

    // A device that joins afterwards receives her records erased: its log verifies gaplessly
    // and nothing of hers ever reaches it.
    let mut newcomer = sup.another_device().expect("a new device");
    sup.admit(&mut newcomer);
    sup.sync().expect("its keys");
    newcomer.sync_until_done(4).expect("pulls the whole log");
    assert!(newcomer.vault.client(keep).is_ok());
    assert!(newcomer.vault.client(client).is_err());
    assert!(newcomer.vault.verify_erased_records().expect("verified") >= 5);
    newcomer.vault.check_consistency().expect("consistent");
    for chain in newcomer.vault.verify_logs(Utc::now()).expect("checked") {
        assert!(
            chain
                .breaks
                .iter()
                .all(|b| matches!(b, teduh_core::vault::ChainBreak::Silent { .. })),
            "{:?}",
            chain.breaks
        );
    }
    assert!(found_on(&newcomer, &secrets).is_empty());
}

/// A server restored from a backup taken before the erasure holds her bodies again: the devices
/// that find it restored send their tombstones again, and the erased records they re-send go
/// as tombstones, so her bytes leave the server a second time and no device holds anything back.
#[test]
fn a_server_restored_from_an_older_backup_loses_her_bodies_again() {
    let server = TestServer::start();
    let team = "Tim Pulih";
    let (mut sup, mut ana) = server.supervised_team(team, "sup.pulih", "kons.pulih");
    let client = ana
        .vault
        .add_client(&profile("K-PULIH", "Klien Sintetis Pulih"))
        .expect("client");
    let n = ana
        .vault
        .add_note(client, &draft("Catatan yang akan dihapus (sintetis)"))
        .expect("note");
    ana.vault.finalise_note(n).expect("finalised");
    let request = erasure_request(&mut ana, client, 1);
    ana.sync().expect("ana pushes");
    sup.sync().expect("sup pulls");
    let secrets = bodies_of(&server, team, &mut sup, client);
    assert!(secrets.len() >= 3, "her records: {}", secrets.len());
    let backup = server.back_up();

    sup.vault.approve_erasure(request).expect("approved");
    for _ in 0..2 {
        sup.sync().expect("sup");
        ana.sync().expect("ana");
    }
    assert!(leak::scan_dir(server.data_dir(), &secrets).is_empty());

    let server = server.restored_from(&backup);
    server.admin(teduh_server::admin::AdminCommand::AfterRestore { by: 1_000_000 });
    assert!(
        !leak::scan_dir(server.data_dir(), &secrets).is_empty(),
        "the old backup holds her bodies"
    );
    for _ in 0..2 {
        for d in [&mut sup, &mut ana] {
            let report = d.sync().expect("syncs with the restored server");
            assert!(report.held.is_empty(), "{:?}", report.held);
            assert!(report.alarms.is_empty(), "{:?}", report.alarms);
        }
    }
    let hits = leak::scan_dir(server.data_dir(), &secrets);
    assert!(hits.is_empty(), "after the restore: {hits:?}");
    for d in [&mut sup, &mut ana] {
        assert!(d.vault.is_erased(client).expect("read"));
        d.vault.check_consistency().expect("consistent");
    }
}

/// The server holds the bytes it would need to make a record's tombstone itself. A newcomer
/// served such a made-up tombstone of a client nobody erased keeps its log gapless but raises an
/// alarm after its pull: the record was hidden, and the original is still on the other devices.
#[test]
fn a_tombstone_the_server_makes_up_raises_an_alarm() {
    use sha2::Digest as _;
    let server = TestServer::start();
    let team = "Tim Palsu";
    let (mut sup, mut ana) = server.supervised_team(team, "sup.palsu", "kons.palsu");
    let client = ana
        .vault
        .add_client(&profile("K-PALSU", "Klien Sintetis Palsu"))
        .expect("client");
    ana.vault
        .add_note(client, &draft("Catatan yang tidak dihapus (sintetis)"))
        .expect("note");
    ana.sync().expect("ana pushes");
    sup.sync().expect("sup pulls");
    let keys = sup.vault.oracle_keys().expect("keys");
    let note = oracle::team_rows(&server, team, &keys)
        .into_iter()
        .find(|r| r.client == client && r.kind == teduh_core::records::RecordKind::Note)
        .expect("her note on the server");
    let device = note.device.server_number().expect("numbered");
    let stored = server
        .block_on(
            server
                .storage()
                .pull(server.team_id(team), 0, usize::MAX, usize::MAX),
        )
        .expect("records")
        .records
        .into_iter()
        .find(|r| r.record.device_id == device && r.record.device_seq == note.seq)
        .expect("stored")
        .record
        .payload;
    // The operator's forgery: the stored header, and the hash of the stored payload without its
    // zero padding.
    let prefix = teduh_protocol::tombstone::sealed_prefix_len(stored[0]).expect("sealed");
    let end = stored.iter().rposition(|&b| b != 0).expect("non-zero") + 1;
    let forged = teduh_protocol::tombstone::Tombstone::encode(
        &stored[..prefix],
        &sha2::Sha256::digest(&stored[prefix..end]).into(),
    );
    assert!(teduh_protocol::tombstone::erases(&stored, &forged));
    hostile::operator_sql(
        &server,
        "UPDATE records SET payload = ?1 WHERE device_id = ?2 AND device_seq = ?3",
        rusqlite::params![forged, device as i64, note.seq as i64],
    );

    let mut newcomer = sup.another_device().expect("a new device");
    sup.admit(&mut newcomer);
    sup.sync().expect("its keys");
    newcomer.sync_until_done(4).expect("pulls");
    let alarms = newcomer.vault.security_alarms().expect("alarms");
    assert_eq!(
        alarms
            .iter()
            .filter(|a| a.kind == "erased-without-erasure")
            .map(|a| (a.device, a.seq))
            .collect::<Vec<_>>(),
        vec![(device, note.seq)],
        "{alarms:?}"
    );
    assert!(!newcomer.vault.is_erased(client).expect("read"));
    assert!(
        newcomer.vault.client(client).is_ok(),
        "her other records still apply"
    );
    // Once only, and the devices that hold the note keep it.
    newcomer.sync().expect("again");
    assert_eq!(
        newcomer.vault.security_alarms().expect("alarms").len(),
        alarms.len()
    );
    sup.sync().expect("sup");
    assert!(sup.vault.security_alarms().expect("alarms").is_empty());
    assert_eq!(
        sup.vault.notes(client).expect("notes").len(),
        1,
        "the supervisor still reads the note"
    );
}
