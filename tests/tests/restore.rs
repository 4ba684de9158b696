//! A server restored from an old backup loses nothing that a device still holds: the devices
//! are the source of truth for their own logs (issue: restore).

use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile};
use teduh_tests::TestServer;

#[test]
fn a_server_restored_from_backup_gets_back_every_record_a_device_still_holds() {
    let server = TestServer::start();
    let team = server.create_team("Tim Cadangan");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut c = server.member(&team, Role::Counselor, "kons");
    sup.sync().expect("keys");
    c.sync().expect("keys");
    let client = c
        .vault
        .add_client(&profile("B-1", "Klien Cadangan"))
        .expect("client");
    for i in 0..3 {
        c.vault
            .add_note(client, &draft(&format!("sebelum cadangan {i}")))
            .expect("note");
    }
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
    assert_eq!(server.records_stored(), lost, "counted by the server");
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
    fresh.sync().expect("joins");
    sup.sync().expect("seals the team key to the newcomer");
    fresh.sync().expect("receives");
    let notes = fresh
        .vault
        .export_client(client)
        .expect("the new member opens the client")
        .notes;
    assert_eq!(notes.len(), 7, "every note, once");
    assert_eq!(fresh.state(), sup.state(), "the same record everywhere");
}
