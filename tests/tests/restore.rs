//! A server restored from an old backup loses nothing that a device still holds: the devices
//! are the source of truth for their own logs (issue: restore).

use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::TestServer;

/// A team on `server` with a supervisor and a counselor she admitted, and a client of the
/// counselor with `notes` notes not sent yet: (supervisor, counselor, client, team).
fn team_with_notes(
    server: &TestServer,
    team: &str,
    code: &str,
    notes: usize,
) -> (Device, Device, teduh_core::ids::ClientId, String) {
    let team = server.create_team(team);
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut c = server.member(&team, Role::Counselor, "kons");
    sup.admit(&mut c);
    let client = c
        .vault
        .add_client(&profile(code, "Klien Cadangan"))
        .expect("client");
    for i in 0..notes {
        c.vault
            .add_note(client, &draft(&format!("catatan {i}")))
            .expect("note");
    }
    (sup, c, client, team)
}

#[test]
fn a_server_restored_from_backup_gets_back_every_record_a_device_still_holds() {
    let server = TestServer::start();
    let (mut sup, mut c, client, team) = team_with_notes(&server, "Tim Cadangan", "B-1", 3);
    c.sync().expect("sync");
    sup.sync().expect("sync");

    // The nightly backup; then four more notes reach the server and the supervisor.
    let backup = server.back_up();
    let device = c.vault.device_id();
    let at_backup = c.vault.highest_seq_of(device).expect("seq");
    for i in 0..4 {
        c.vault
            .add_note(client, &draft(&format!("setelah cadangan {i}")))
            .expect("note");
    }
    c.sync().expect("sync");
    sup.sync().expect("the supervisor pulls past the backup");
    let lost = c.vault.highest_seq_of(device).expect("seq") - at_backup;
    assert!(lost >= 4, "the four notes are records the backup lacks");

    // The operator restores the backup and runs after-restore, as docs/operations.md says.
    let server = server.restored_from(&backup);
    server.admin(teduh_server::admin::AdminCommand::AfterRestore { by: 1_000_000 });

    let r = c.sync().expect("the counselor's next round");
    assert_eq!(
        r.resent, lost,
        "she re-sends exactly what the server lost: {r:?}"
    );
    // Counted by the server: what it lost, and the checkpoint that tells the team it was
    // restored (trust 3/3).
    assert_eq!(server.records_stored(), lost + 1, "counted by the server");
    assert_eq!(server.duplicates(), 0, "and nothing it still had");
    assert_eq!(c.vault.pending_count().expect("pending"), 0);
    assert!(c.sync().expect("again").resent == 0, "once");

    // The supervisor, who had pulled past the restore point, keeps a gapless, identical state;
    // a newly joined member receives all seven notes.
    let before = sup.state();
    sup.sync().expect("sync");
    assert_eq!(sup.state(), before, "nothing re-applied, nothing skipped");
    assert!(sup.vault.held_records().expect("held").is_empty());
    assert!(sup.vault.security_alarms().expect("alarms").is_empty());
    let mut fresh = server.member(&team, Role::Counselor, "kons.baru");
    sup.admit(&mut fresh);
    // Only a case's workers read it (issue 23): the supervisor puts her on it.
    teduh_tests::device::put_on_case(&mut sup, client, &["kons.baru"]);
    fresh.sync().expect("she receives the client's key");
    let notes = fresh
        .vault
        .export_client(client)
        .expect("the new member opens the client")
        .notes;
    assert_eq!(notes.len(), 7, "every note, once");
    assert_eq!(fresh.state(), sup.state(), "the same record everywhere");
}

#[test]
fn records_lost_in_a_restore_come_back_after_a_new_epoch_started_since() {
    let server = TestServer::start();
    let (mut sup, mut c, client, team) = team_with_notes(&server, "Tim Epoch Baru", "E-1", 1);
    c.sync().expect("sync");
    sup.sync().expect("sync");
    let backup = server.back_up();
    c.vault
        .add_note(client, &draft("sebelum pemulihan"))
        .expect("note");
    c.sync().expect("the note reaches the server");
    sup.sync().expect("the supervisor pulls it");
    let server = server.restored_from(&backup);
    server.admin(teduh_server::admin::AdminCommand::AfterRestore { by: 1_000_000 });

    // While the counselor is away the supervisor admits a newcomer: a new team-key epoch.
    let epoch_before = sup.sync().expect("the supervisor's round").epoch;
    let mut fresh = server.member(&team, Role::Counselor, "kons.baru");
    sup.admit(&mut fresh);
    let epoch_after = sup.sync().expect("round").epoch;
    assert!(
        epoch_after > epoch_before,
        "{epoch_before} -> {epoch_after}"
    );

    // Her lost records, sealed under the older epoch, come back exactly as first sent (a
    // re-sealed copy would be a different record from the one the supervisor holds).
    let r = c.sync().expect("the counselor's round is not refused");
    assert!(r.server_restored && r.resent > 0, "{r:?}");
    assert_eq!(server.duplicates(), 0);
    sup.sync().expect("sync");
    teduh_tests::device::put_on_case(&mut sup, client, &["kons.baru"]);
    fresh
        .sync()
        .expect("the newcomer receives the client's key");
    let notes = fresh.vault.export_client(client).expect("opens").notes;
    assert_eq!(notes.len(), 2, "both notes, once");
    assert_eq!(fresh.state(), sup.state(), "the same record everywhere");
    assert!(sup.vault.security_alarms().expect("alarms").is_empty());

    // A record written after the restore under the old epoch is still turned away (the device
    // re-seals it): checked by the storage rule's unit test; here the counselor's new note
    // simply leaves under the new epoch.
    c.vault
        .add_note(client, &draft("setelah pemulihan"))
        .expect("note");
    let r = c.sync().expect("round");
    assert_eq!(r.pending, 0, "{r:?}");
}

#[path = "../../crates/teduh-server/tests/common/mod.rs"]
#[allow(clippy::expect_used, clippy::unwrap_used, unreachable_pub)]
mod pg;

/// How far `server` holds `d`'s log (what an empty push page answers).
fn held_by_server(d: &mut teduh_tests::device::Device) -> u64 {
    use teduh_core::sync::Transport as _;
    let b = d.vault.binding().expect("binding").expect("joined");
    let token = d.vault.sync_token().expect("token");
    d.transport()
        .push(
            &token,
            b.team,
            &teduh_protocol::sync::PushPage::default().encode(),
        )
        .expect("push")
        .stored_through
}

#[test]
fn a_postgresql_server_restored_from_a_dump_taken_while_devices_pushed_loses_nothing() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let (storage, guard) = rt.block_on(pg::postgres());
    let pg::Guard::Postgres(db) = &guard else {
        unreachable!("a PostgreSQL guard")
    };
    let server = TestServer::start_on(storage, tempfile::tempdir().expect("tempdir"));
    let (mut sup, mut c, client, team) = team_with_notes(&server, "Tim Cadangan PG", "P-1", 6);
    // pg_dump runs while the counselor pushes.
    let dump = tempfile::NamedTempFile::new().expect("dump file");
    let dump_path = dump.path().to_owned();
    let url = db.url.clone();
    let dumping = std::thread::spawn(move || {
        std::process::Command::new("pg_dump")
            .args(["--no-owner", "--file"])
            .arg(&dump_path)
            .arg(&url)
            .status()
            .expect("pg_dump runs")
    });
    c.sync().expect("sync");
    assert!(dumping.join().expect("dump thread").success(), "pg_dump");
    for i in 0..3 {
        c.vault
            .add_note(client, &draft(&format!("setelah dump {i}")))
            .expect("note");
    }
    c.sync().expect("sync");
    sup.sync().expect("the supervisor pulls past the dump");

    // Restore the dump into a new database and serve it at the same address.
    let restored = rt.block_on(pg::TestDatabase::create());
    let loaded = std::process::Command::new("psql")
        .args(["--quiet", "--set", "ON_ERROR_STOP=1", "--file"])
        .arg(dump.path())
        .arg(&restored.url)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("psql runs");
    assert!(loaded.success(), "the dump loads");
    let storage = rt
        .block_on(teduh_server::storage::postgres::PostgresStorage::connect_with(&restored.url, 4))
        .expect("restored storage connects");
    let server = server.replaced_by(
        std::sync::Arc::new(storage),
        tempfile::tempdir().expect("tempdir"),
    );
    server.admin(teduh_server::admin::AdminCommand::AfterRestore { by: 1_000_000 });

    let device = c.vault.device_id();
    let lost = c.vault.highest_seq_of(device).expect("seq") - held_by_server(&mut c);
    assert!(
        lost >= 3,
        "the server lost at least the three notes after the dump"
    );
    let r = c.sync().expect("the counselor's next round");
    assert_eq!(
        r.resent, lost,
        "she re-sends exactly what the server lost: {r:?}"
    );
    // Counted by the server: what it lost, and the checkpoint that tells the team it was
    // restored (trust 3/3).
    assert_eq!(server.records_stored(), lost + 1, "counted by the server");
    assert_eq!(server.duplicates(), 0);

    let before = sup.state();
    sup.sync().expect("sync");
    assert_eq!(sup.state(), before, "nothing re-applied, nothing skipped");
    assert!(sup.vault.security_alarms().expect("alarms").is_empty());
    let mut fresh = server.member(&team, Role::Counselor, "kons.baru");
    sup.admit(&mut fresh);
    // Only a case's workers read it (issue 23): the supervisor puts her on it.
    teduh_tests::device::put_on_case(&mut sup, client, &["kons.baru"]);
    fresh.sync().expect("she receives the client's key");
    assert_eq!(
        fresh
            .vault
            .export_client(client)
            .expect("client")
            .notes
            .len(),
        9,
        "every note, once"
    );
    assert_eq!(fresh.state(), sup.state(), "the same record everywhere");
    drop(server);
    drop(restored);
}

#[test]
fn a_device_that_joined_after_the_backup_is_told_the_server_does_not_know_it_and_keeps_its_work() {
    let server = TestServer::start();
    let team = server.create_team("Tim Token Baru");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    sup.sync().expect("keys");
    let backup = server.back_up();
    let mut late = server.member(&team, Role::Counselor, "kons.terlambat");
    sup.admit(&mut late);
    let client = late
        .vault
        .add_client(&profile("T-1", "Klien Token"))
        .expect("client");
    late.vault
        .add_note(client, &draft("belum terkirim"))
        .expect("note");
    let pending = late.vault.pending_count().expect("pending");

    let server = server.restored_from(&backup);
    server.admin(teduh_server::admin::AdminCommand::AfterRestore { by: 1_000_000 });
    // The supervisor's device syncs first: it publishes the lost epoch again, but cannot seal
    // it to a member the restored server does not know.
    sup.sync()
        .expect("the supervisor's round after the restore");
    let err = late
        .sync()
        .expect_err("the restored server never issued its token");
    assert!(
        matches!(err, teduh_core::sync::SyncError::UnknownDevice),
        "told in words, not 'revoked': {err}"
    );
    assert_eq!(err.code(), teduh_core::error::Code::DeviceUnknown);
    assert_eq!(
        late.vault.pending_count().expect("pending"),
        pending,
        "its unsent work stays"
    );
    assert!(
        late.vault.export_client(client).is_ok(),
        "and stays readable here"
    );

    // The server lost her membership too: a device invitation for her cannot even be made.
    let mut t = late.transport();
    let refused = server.try_admin(teduh_server::admin::AdminCommand::Invite {
        team: team.clone(),
        role: Role::Counselor,
        device_of: Some("kons.terlambat".into()),
        expires_in_hours: 1,
    });
    assert!(refused.is_err(), "the restored server does not know her");
    // The administrator invites her again; she comes back under the ids she had, and nothing
    // she wrote is lost or written twice.
    let invitation = server.invite(&team, Role::Counselor);
    let before = late.vault.binding().expect("b").expect("j");
    teduh_core::sync::join::reconnect(
        &mut late.vault,
        &mut t,
        teduh_tests::device::PASSPHRASE,
        &invitation,
        "laptop uji",
    )
    .expect("she signs in again with the invitation");
    let after = late.vault.binding().expect("b").expect("j");
    assert_eq!(
        (after.member, after.device),
        (before.member, before.device),
        "the same member and device ids"
    );
    sup.sync()
        .expect("the supervisor's device seals the team key to her again");
    late.sync().expect("she re-sends what the server lost");
    assert_eq!(late.vault.pending_count().expect("pending"), 0);
    let mut fresh = server.member(&team, Role::Counselor, "kons.baru");
    sup.admit(&mut fresh);
    // Only a case's workers read it (issue 23): the supervisor puts her on it.
    teduh_tests::device::put_on_case(&mut sup, client, &["kons.baru"]);
    fresh.sync().expect("she receives the client's key");
    assert_eq!(
        fresh
            .vault
            .export_client(client)
            .expect("a newcomer opens her client")
            .notes
            .len(),
        1,
        "her note, once"
    );
    assert_eq!(server.duplicates(), 0);
}

#[test]
fn a_second_device_added_after_the_backup_signs_in_again_with_a_device_invitation() {
    let server = TestServer::start();
    let team = server.create_team("Tim Perangkat Kedua");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut ani = server.member(&team, Role::Counselor, "kons.ani");
    sup.admit(&mut ani);
    let backup = server.back_up();
    // Ani adds her office computer after the backup and writes on it.
    let mut office = ani.another_device().expect("a second device");
    sup.admit(&mut office);
    let client = office
        .vault
        .add_client(&profile("D-2", "Klien Kantor"))
        .expect("client");
    office
        .vault
        .add_note(client, &draft("ditulis di kantor"))
        .expect("note");
    office.sync().expect("sync");

    let server = server.restored_from(&backup);
    server.admin(teduh_server::admin::AdminCommand::AfterRestore { by: 1_000_000 });
    let err = office
        .sync()
        .expect_err("the restored server never saw the office computer");
    assert!(
        matches!(err, teduh_core::sync::SyncError::UnknownDevice),
        "{err}"
    );
    let device = office.vault.device_id();
    let mut t = office.transport();
    let invitation = server.invite_device_of(&team, "kons.ani");
    teduh_core::sync::join::reconnect(
        &mut office.vault,
        &mut t,
        teduh_tests::device::PASSPHRASE,
        &invitation,
        "kantor",
    )
    .expect("a device invitation signs the same device in again, with its own keys");
    assert_eq!(office.vault.device_id(), device);
    // Admitting it made an epoch the restored server lost: her supervisor's device publishes it
    // again, sealed to the devices the server knows now, before the office can send under it.
    sup.sync()
        .expect("the supervisor republishes the lost epoch");
    let r = office.sync().expect("it re-sends what the server lost");
    assert!(r.resent > 0, "{r:?}");
    sup.sync().expect("sync");
    assert_eq!(
        sup.vault
            .export_client(client)
            .expect("the supervisor opens it")
            .notes
            .len(),
        1
    );
    assert!(sup.vault.held_records().expect("held").is_empty());
    assert!(sup.vault.security_alarms().expect("alarms").is_empty());
}

#[test]
fn a_restored_server_gets_back_the_roster_and_key_epochs_and_a_removal_stays() {
    let server = TestServer::start();
    let team = server.create_team("Tim Kunci Cadangan");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut ani = server.member(&team, Role::Counselor, "kons.ani");
    let mut budi = server.member(&team, Role::Counselor, "kons.budi");
    sup.admit(&mut ani);
    sup.admit(&mut budi);
    ani.sync().expect("the newest key");
    let backup = server.back_up();
    let roster_at_backup = sup.vault.roster().expect("roster").expect("held").version;
    let epoch_at_backup = sup.vault.binding().expect("b").expect("j").current_epoch;

    // After the backup Budi leaves the team: a new roster and a new epoch he cannot open.
    // Ani writes a note under the new epoch.
    let budi_member = budi.vault.binding().expect("b").expect("j").member;
    server.remove_member(budi_member);
    sup.sync().expect("a new roster and epoch without Budi");
    ani.sync().expect("Ani opens the new epoch");
    let client = ani
        .vault
        .add_client(&profile("K-9", "Klien Setelah Keluar"))
        .expect("client");
    ani.vault
        .add_note(client, &draft("ditulis setelah Budi keluar"))
        .expect("note");
    ani.sync().expect("sync");
    let roster_now = sup.vault.roster().expect("roster").expect("held").version;
    assert!(roster_now > roster_at_backup);
    assert!(sup.vault.binding().expect("b").expect("j").current_epoch > epoch_at_backup);

    // The server is restored: it lists Budi as a member again, and has the old roster and epoch.
    let server = server.restored_from(&backup);
    server.admin(teduh_server::admin::AdminCommand::AfterRestore { by: 1_000_000 });

    // Ani syncs first: her record under the lost epoch waits, nothing is refused or alarmed.
    let r = ani.sync().expect("Ani's round after the restore");
    assert!(
        r.server_restored,
        "she is told the server was restored: {r:?}"
    );
    assert!(
        r.waiting_for_keys,
        "her records wait for the epoch to come back: {r:?}"
    );
    // The supervisor's device publishes the roster and the epoch again, as it holds them.
    let r = sup.sync().expect("the supervisor's round");
    assert!(r.server_restored, "{r:?}");
    assert_eq!(
        sup.vault.roster().expect("roster").expect("held").version,
        roster_now,
        "the same roster, not a new one that would re-admit Budi"
    );
    let r = ani.sync().expect("Ani re-sends what the server lost");
    assert!(r.resent > 0, "{r:?}");
    assert_eq!(ani.vault.pending_count().expect("pending"), 0);
    sup.sync().expect("sync");
    assert_eq!(
        sup.vault
            .export_client(client)
            .expect("the supervisor opens Ani's client")
            .notes
            .len(),
        1
    );
    for (who, d) in [("supervisor", &sup), ("Ani", &ani)] {
        assert!(
            d.vault.security_alarms().expect("alarms").is_empty()
                && d.vault.reported_alarms().expect("reports").is_empty(),
            "a restore is not an attack on the {who}'s device, nor reported as one"
        );
        assert!(d.vault.held_records().expect("held").is_empty(), "{who}");
        assert!(
            d.vault
                .binding()
                .expect("b")
                .expect("j")
                .server_restored_at
                .is_some(),
            "the {who}'s device keeps the notice"
        );
    }
    // Budi, whom the restored server lists again, still gets no key to what came after.
    let _ = budi.sync();
    assert!(
        budi.vault.export_client(client).is_err(),
        "the removal stays: Budi cannot open Ani's new client"
    );
}
