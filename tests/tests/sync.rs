//! Sync between devices and a real server: joining, keys, push and pull, supervisors, other
//! teams, revocation, the server seeing ciphertext only.

use teduh_core::sync::SyncError;
use teduh_core::vault::VaultError;
use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile, Device, PASSPHRASE};
use teduh_tests::TestServer;

#[test]
fn a_counselors_offline_work_reaches_her_supervisor_and_her_second_laptop() {
    let server = TestServer::start();
    let team = server.create_team("Tim Kupang");
    let mut sup = server.member(&team, Role::Supervisor, "sup.ani");

    // The counselor works offline before she even joins.
    let mut c1 = Device::offline(server.url());
    let client = c1
        .vault
        .add_client(&profile("K-001", "Klien Fiktif Satu"))
        .expect("client");
    let note = c1
        .vault
        .add_note(client, &draft("Catatan sesi pertama"))
        .expect("note");
    c1.join(&server.invite(&team, Role::Counselor), "konselor.budi")
        .expect("joins");
    assert_eq!(
        c1.vault.pending_count().expect("pending"),
        3,
        "offline work waits to be sent"
    );

    let first = c1.sync().expect("sync runs without keys");
    assert!(first.waiting_for_keys, "no team key yet: {first:?}");
    assert_eq!(
        first.pushed, 0,
        "nothing can be sent before the supervisor shares the key"
    );

    let s = sup.sync().expect("supervisor syncs");
    assert_eq!(
        s.epoch, 1,
        "the supervisor's device made the team's first key"
    );
    assert_eq!(
        sup.vault
            .pending_devices()
            .expect("pending")
            .iter()
            .map(|p| p.username.as_str())
            .collect::<Vec<_>>(),
        ["konselor.budi"],
        "the counselor waits to be admitted"
    );
    let c = c1.sync().expect("counselor syncs");
    assert!(
        c.waiting_for_keys,
        "the server listing her is not enough: {c:?}"
    );

    // She reads her safety number to the supervisor, who types it.
    let number = c1.safety_number_for("sup.ani");
    sup.vault
        .confirm_admission("konselor.budi", &number)
        .expect("admitted");
    let s = sup.sync().expect("supervisor syncs");
    assert_eq!(
        s.epoch, 2,
        "admitting her made a new key, sealed to her too"
    );

    let c = c1.sync().expect("counselor syncs");
    assert!(!c.waiting_for_keys, "{c:?}");
    assert_eq!(c.pushed, 3, "client key, client and note sent");
    assert_eq!(c1.vault.pending_count().expect("pending"), 0);

    let s = sup.sync().expect("supervisor pulls");
    assert_eq!(s.pulled, 3, "{s:?}");
    assert!(s.held.is_empty(), "{:?}", s.held);
    assert_eq!(
        sup.vault
            .note(note)
            .expect("the supervisor reads the note")
            .content
            .narrative,
        "Catatan sesi pertama"
    );
    assert_eq!(
        sup.vault
            .search_clients("fiktif satu", 5)
            .expect("search")
            .len(),
        1,
        "the client is searchable on the supervisor's laptop"
    );
    assert_eq!(sup.state(), c1.state(), "both devices hold the same state");

    // Her second laptop: a code from her first, its own keys; it waits until admitted.
    let mut c1b = c1.another_device().expect("joins with a device code");
    assert_ne!(
        c1b.vault.public_keys(),
        c1.vault.public_keys(),
        "each device has its own keys"
    );
    let s = sup.sync().expect("supervisor sees it waiting");
    assert!(s.held.is_empty(), "{:?}", s.held);
    let b = c1b.sync().expect("second laptop syncs");
    assert!(
        !c1b.vault.is_admitted().expect("roster"),
        "a further device waits to be admitted: {b:?}"
    );
    assert!(
        !b.held.is_empty(),
        "the team's records reach it sealed, and stay sealed: {b:?}"
    );
    assert!(
        c1b.vault.note(note).is_err(),
        "nothing of the team opens before a key manager admits it"
    );
    sup.admit(&mut c1b);
    let b = c1b.sync().expect("second laptop syncs");
    assert!(!b.waiting_for_keys, "{b:?}");
    assert_eq!(
        c1b.vault.note(note).expect("reads").content.narrative,
        "Catatan sesi pertama"
    );
    // A device code works once.
    let mut t = c1.transport();
    let code = teduh_core::sync::join::invite_device(&mut c1.vault, &mut t)
        .expect("code")
        .code;
    let mut third = Device::offline(server.url());
    third
        .join(&code, "konselor.budi")
        .expect("the code works once");
    let mut fourth = Device::offline(server.url());
    assert!(matches!(
        fourth.join(&code, "konselor.budi"),
        Err(SyncError::BadInvitation(_))
    ));
    // And only for the member it was made for.
    let code = teduh_core::sync::join::invite_device(&mut c1.vault, &mut t)
        .expect("code")
        .code;
    assert!(matches!(
        fourth.join(&code, "sup.ani"),
        Err(SyncError::BadInvitation(_))
    ));
}

#[test]
fn a_supervisor_of_another_team_gets_nothing() {
    let server = TestServer::start();
    let a = server.create_team("Tim A");
    let b = server.create_team("Tim B");
    let mut sup_a = server.member(&a, Role::Supervisor, "sup.a");
    let mut c = server.member(&a, Role::Counselor, "kons.a");
    let mut sup_b = server.member(&b, Role::Supervisor, "sup.b");
    sup_a.admit(&mut c);
    let client = c
        .vault
        .add_client(&profile("A-1", "Rahasia Tim A"))
        .expect("client");
    c.vault
        .add_note(client, &draft("hanya untuk tim A"))
        .expect("note");
    c.sync().expect("sync");
    let r = sup_b.sync().expect("sync");
    assert_eq!(r.pulled, 0, "{r:?}");
    assert!(sup_b.vault.list_clients().expect("list").is_empty());
    assert!(sup_b
        .vault
        .search_clients("rahasia", 5)
        .expect("search")
        .is_empty());
}

#[test]
fn a_removed_member_can_neither_pull_nor_push_nor_read_what_comes_after() {
    use teduh_core::sync::Transport;
    let server = TestServer::start();
    let team = server.create_team("Tim Revokasi");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut c1 = server.member(&team, Role::Counselor, "kons.1");
    let mut c2 = server.member(&team, Role::Counselor, "kons.2");
    sup.admit(&mut c1);
    sup.admit(&mut c2);
    let client = c1
        .vault
        .add_client(&profile("R-1", "Klien Bersama"))
        .expect("client");
    c1.vault
        .add_note(client, &draft("sebelum pencabutan"))
        .expect("note");
    c1.sync().expect("sync");
    teduh_tests::device::put_on_case(&mut sup, client, &["kons.2"]);
    c2.sync().expect("c2 receives the shared client");
    let epoch_before = sup.sync().expect("sync").epoch;
    assert_eq!(
        c2.vault.list_clients().expect("list").len(),
        1,
        "c2 saw the client before"
    );

    // c2 writes offline, then is removed from the team.
    c2.vault
        .add_note(client, &draft("ditulis sebelum dikeluarkan"))
        .expect("note");
    let c2_member = c2.vault.binding().expect("binding").expect("joined").member;
    server.remove_member(c2_member);
    let pending_before = c2.vault.pending_count().expect("pending");
    assert!(
        matches!(c2.sync(), Err(SyncError::Revoked)),
        "her device is refused at once"
    );
    assert_eq!(
        c2.vault.pending_count().expect("pending"),
        pending_before,
        "her local work is not lost, only not sent"
    );
    // Directly at the API: neither pull nor push.
    let token = c2.vault.sync_token().expect("token");
    let team_id = c2.vault.binding().expect("b").expect("b").team;
    let mut t = teduh_client::HttpTransport::builder(server.url())
        .build()
        .expect("transport");
    let pull = t.pull(&token, team_id, 0, 64 * 1024);
    assert_eq!(
        pull.err()
            .and_then(|e| e.code().map(str::to_owned))
            .as_deref(),
        Some("TokenRevoked")
    );
    let push = t.push(
        &token,
        team_id,
        &teduh_protocol::sync::PushPage::default().encode(),
    );
    assert_eq!(
        push.err()
            .and_then(|e| e.code().map(str::to_owned))
            .as_deref(),
        Some("TokenRevoked")
    );

    // The supervisor's next sync rotates the team key; c1 writes under the new epoch.
    let s = sup.sync().expect("sync");
    assert_eq!(
        s.epoch,
        epoch_before + 1,
        "removing a member makes a new epoch: {s:?}"
    );
    let c = c1.sync().expect("sync");
    assert_eq!(c.epoch, epoch_before + 1);
    let after = c1
        .vault
        .add_note(client, &draft("setelah pencabutan"))
        .expect("note");
    c1.sync().expect("sync");
    let s = sup.sync().expect("sync");
    assert!(s.held.is_empty(), "{:?}", s.held);
    assert_eq!(
        sup.vault
            .note(after)
            .expect("the team reads it")
            .content
            .narrative,
        "setelah pencabutan"
    );

    // Even given the ciphertext, the removed device cannot open it: it lacks the new epoch's
    // key (though it kept the client's data key).
    let mut rows = c1.vault.outbox_after(0).expect("c1's log");
    rows.retain(|r| r.epoch == epoch_before + 1);
    let wire = c1.vault.wire_records(&rows).expect("wire form");
    assert!(!wire.is_empty(), "records under the new epoch exist");
    let got = c2.vault.receive_page(&wire, 0).expect("receives");
    assert_eq!(got.applied, 0, "{got:?}");
    let new_epoch = format!("epoch {}", epoch_before + 1);
    assert!(
        got.held
            .iter()
            .all(|h| h.contains(&new_epoch) || h.contains("held")),
        "held for want of the new key: {:?}",
        got.held
    );
    assert!(
        c2.vault.note(after).is_err(),
        "the new note is unreadable on the removed device"
    );
}

#[test]
fn laptops_whose_clocks_are_a_year_off_still_sync_and_agree() {
    const YEAR_MS: i64 = 365 * 24 * 3600 * 1000;
    let server = TestServer::start();
    let team = server.create_team("Tim Jam Salah");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut ahead = server.member(&team, Role::Counselor, "maju");
    let mut behind = server.member(&team, Role::Counselor, "mundur");
    sup.admit(&mut ahead);
    sup.admit(&mut behind);
    ahead.vault.set_clock_offset_ms(YEAR_MS).expect("skew");
    behind.vault.set_clock_offset_ms(-YEAR_MS).expect("skew");
    let c = ahead
        .vault
        .add_client(&profile("J-1", "Klien Jam"))
        .expect("client");
    let n = ahead
        .vault
        .add_note(c, &draft("dari masa depan"))
        .expect("note");
    let r = ahead
        .sync()
        .expect("a clock a year ahead does not stop sync");
    // The client's key wrapped to her device and the supervisor's, the client, the note.
    assert_eq!(r.pushed, 4, "{r:?}");
    teduh_tests::device::put_on_case(&mut sup, c, &["mundur"]);
    let offset = ahead
        .vault
        .binding()
        .expect("b")
        .expect("b")
        .clock_offset_ms;
    // The simulated error was the offset itself; the server's time replaced it.
    assert!(
        offset.abs() < 60_000,
        "the device corrected its clock to the server's (offset now {offset} ms)"
    );
    let m = behind.vault.add_note(c, &draft("dari masa lalu")).err();
    assert!(m.is_some(), "the client has not reached this laptop yet");
    behind.sync().expect("sync");
    let m = behind
        .vault
        .add_note(c, &draft("dari masa lalu"))
        .expect("note");
    behind
        .sync()
        .expect("a clock a year behind does not stop sync");
    sup.sync().expect("sync");
    ahead.sync().expect("sync");
    assert_eq!(
        sup.vault.note(n).expect("note").content.narrative,
        "dari masa depan"
    );
    assert_eq!(
        sup.vault.note(m).expect("note").content.narrative,
        "dari masa lalu"
    );
    assert!(
        sup.state() == ahead.state() && sup.state() == behind.state(),
        "all agree"
    );
}

#[test]
fn background_sync_never_keeps_an_unattended_vault_unlocked() {
    let server = TestServer::start();
    let team = server.create_team("Tim Kunci");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    sup.sync().expect("sync");
    sup.vault
        .set_idle_timeout(Some(std::time::Duration::from_millis(600)));
    let started = std::time::Instant::now();
    let mut locked = false;
    while started.elapsed() < std::time::Duration::from_secs(5) {
        match sup.sync() {
            Ok(_) => std::thread::sleep(std::time::Duration::from_millis(50)),
            Err(SyncError::Vault(teduh_core::vault::VaultError::Locked)) => {
                locked = true;
                break;
            }
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert!(
        locked,
        "syncing every 50 ms must not count as the user's activity"
    );
    assert!(!sup.vault.is_unlocked(), "the vault locked itself");
}

#[test]
fn tampered_records_and_unknown_devices_are_held_and_reported_never_applied() {
    let server = TestServer::start();
    let team = server.create_team("Tim Curiga");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut c = server.member(&team, Role::Counselor, "kons");
    sup.admit(&mut c);
    let client = c
        .vault
        .add_client(&profile("T-1", "Klien Asli"))
        .expect("client");
    c.vault.add_note(client, &draft("teks asli")).expect("note");
    let rows = c.vault.outbox_after(0).expect("log");
    let wire = c.vault.wire_records(&rows).expect("wire");

    // A server (or anyone on the path) flips one byte of the note's ciphertext (the last
    // record: the client's key wrapped to each reader's device, the client, the note).
    let mut tampered = wire.clone();
    let note = tampered.len() - 1;
    // A byte of the sealed payload (after the format byte and the sealed header).
    let inside = 1 + teduh_core::records::SEALED_HEADER_LEN + 5;
    tampered[note].payload[inside] ^= 1;
    let got = sup.vault.receive_page(&tampered, 0).expect("receives");
    assert_eq!(
        got.applied as usize, note,
        "the untouched client key wraps and client apply: {got:?}"
    );
    assert_eq!(got.held.len(), 1, "{got:?}");
    assert!(
        got.held[0].contains("signature"),
        "reported: {:?}",
        got.held
    );
    assert_eq!(
        sup.vault.held_records().expect("held").len(),
        1,
        "kept aside, listed for the user"
    );

    // A record claiming to come from a device the roster does not know.
    let mut stranger = wire[0].clone();
    stranger.device_id = 999_999;
    stranger.device_seq = 1;
    let got = sup.vault.receive_page(&[stranger], 0).expect("receives");
    assert_eq!(got.applied, 0);
    assert!(
        got.held
            .iter()
            .any(|h| h.contains("999999") && h.contains("roster")),
        "{got:?}"
    );

    // The genuine records still arrive through sync; the forged ones never apply.
    c.sync().expect("sync");
    let s = sup.sync().expect("sync");
    let notes = sup.vault.notes(client).expect("notes");
    assert_eq!(
        notes.len(),
        1,
        "the genuine note arrived despite the forged copy"
    );
    assert_eq!(notes[0].content.narrative, "teks asli");
    assert!(
        !sup.vault
            .held_records()
            .expect("held")
            .iter()
            .any(|h| h.contains("signature")),
        "the forged copy is gone once the genuine record applied"
    );
    assert!(
        s.held.iter().any(|h| h.contains("999999")),
        "still reported: {:?}",
        s.held
    );
}

#[test]
fn a_revoked_laptop_is_refused_and_cannot_open_the_next_epoch_while_its_owner_goes_on() {
    let server = TestServer::start();
    let team = server.create_team("Tim Laptop Hilang");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut c = server.member(&team, Role::Counselor, "kons");
    let mut lost = c.another_device().expect("second laptop");
    sup.admit(&mut c);
    sup.admit(&mut lost);
    let client = lost
        .vault
        .add_client(&profile("L-1", "Klien Laptop"))
        .expect("client");
    lost.sync()
        .expect("the laptop's work before it was lost is sent");
    let epoch_before = sup.sync().expect("sync").epoch;

    // The laptop is stolen: the counselor's supervisor revokes that device only.
    let device = lost.vault.binding().expect("b").expect("b").device;
    server.admin(teduh_server::admin::AdminCommand::RevokeDevice { device });
    assert!(
        matches!(lost.sync(), Err(SyncError::Revoked)),
        "refused at once"
    );
    let s = sup.sync().expect("sync");
    assert_eq!(
        s.epoch,
        epoch_before + 1,
        "revoking a device makes a new epoch"
    );
    assert!(
        s.held.is_empty(),
        "records from before the revocation stay valid: {:?}",
        s.held
    );
    assert_eq!(sup.vault.list_clients().expect("list").len(), 1);

    // The counselor's other laptop goes on under the new epoch.
    c.sync().expect("sync");
    let note = c
        .vault
        .add_note(client, &draft("setelah laptop hilang"))
        .expect("note");
    c.sync().expect("sync");
    sup.sync().expect("sync");
    assert_eq!(
        sup.vault.note(note).expect("read").content.narrative,
        "setelah laptop hilang"
    );
    let mut rows = c.vault.outbox_after(0).expect("log");
    rows.retain(|r| r.epoch == epoch_before + 1);
    let wire = c.vault.wire_records(&rows).expect("wire");
    let got = lost.vault.receive_page(&wire, 0).expect("receives");
    assert_eq!(
        got.applied, 0,
        "the stolen laptop cannot open the new epoch: {got:?}"
    );
}

/// Lets every request through but loses the answer of the first push that carries records:
/// the server stored them, the device never hears so.
/// Whether `request` is a push page with records in it (not the empty page that asks how far
/// the server holds this device's log).
fn pushes_records(request: &teduh_core::sync::Request<'_>) -> bool {
    matches!(
        request,
        teduh_core::sync::Request::Push { page }
            if teduh_protocol::sync::PushPage::decode(page).is_ok_and(|p| !p.records.is_empty())
    )
}

#[derive(Default)]
struct LoseFirstPushAnswer {
    lost: bool,
}

impl teduh_core::sync::Interceptor for LoseFirstPushAnswer {
    fn after(
        &mut self,
        request: teduh_core::sync::Request<'_>,
        _answer: teduh_core::sync::Answer<'_>,
    ) -> Result<(), teduh_core::sync::TransportError> {
        let carries_records = pushes_records(&request);
        if carries_records && !self.lost {
            self.lost = true;
            return Err(teduh_core::sync::TransportError::Unreachable(
                "connection cut before the answer".into(),
            ));
        }
        Ok(())
    }
}

#[test]
fn a_lost_acknowledgement_followed_by_a_new_key_epoch_is_no_fork() {
    let server = TestServer::start();
    let team = server.create_team("Tim Jawaban Hilang");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut c = server.member(&team, Role::Counselor, "kons");
    let mut leaver = server.member(&team, Role::Counselor, "kons.pindah");
    sup.admit(&mut c);
    sup.admit(&mut leaver);
    c.sync().expect("keys");
    let client = c
        .vault
        .add_client(&profile("J-1", "Klien Jawaban"))
        .expect("client");
    c.vault.add_note(client, &draft("sesi")).expect("note");
    let written = c.vault.pending_count().expect("pending");

    // The push arrives; its answer is lost.
    let mut http = c.transport();
    let mut lossy = teduh_core::sync::Intercepted::new(&mut http, LoseFirstPushAnswer::default());
    assert!(
        matches!(c.sync_through(&mut lossy), Err(SyncError::Offline(_))),
        "the round ends as if the link dropped"
    );
    assert!(lossy.hooks.lost, "the answer was lost");
    assert_eq!(
        c.vault.pending_count().expect("pending"),
        written,
        "the device still believes them unsent"
    );
    // A member leaves: a new key epoch, so the device re-seals what it believes unsent. Before
    // the fix that rewrote records the server already held, and every later push was a Fork.
    let leaver_member = leaver
        .vault
        .binding()
        .expect("binding")
        .expect("joined")
        .member;
    server.remove_member(leaver_member);
    sup.sync().expect("the supervisor makes the next epoch");

    let r = c.sync().expect("the next round goes through");
    assert_eq!(
        r.recovered_acks, written,
        "the server's own point says they arrived: {r:?}"
    );
    assert_eq!(c.vault.pending_count().expect("pending"), 0);
    assert_eq!(server.duplicates(), 0, "nothing was sent twice");
    c.vault
        .add_note(client, &draft("sesi berikutnya"))
        .expect("note");
    c.sync().expect("and later pushes are accepted");
    sup.sync().expect("sync");
    assert_eq!(
        sup.vault.export_client(client).expect("client").notes.len(),
        2,
        "the supervisor has both notes, once each"
    );
}

/// Answers the first push that carries records with `Fork` after the server stored it: what a
/// device sees when the server holds other bytes under its sequences (an earlier version of
/// records whose acknowledgement was lost before they were re-sealed).
#[derive(Default)]
struct ForkAnswerToFirstPush {
    answered: bool,
}

impl teduh_core::sync::Interceptor for ForkAnswerToFirstPush {
    fn after(
        &mut self,
        request: teduh_core::sync::Request<'_>,
        _answer: teduh_core::sync::Answer<'_>,
    ) -> Result<(), teduh_core::sync::TransportError> {
        let carries_records = pushes_records(&request);
        if carries_records && !self.answered {
            self.answered = true;
            return Err(teduh_core::sync::TransportError::Refused {
                status: 409,
                code: "Fork".into(),
                message: "another record is stored under this sequence".into(),
                server_time_ms: None,
            });
        }
        Ok(())
    }
}

#[test]
fn a_fork_answer_is_recovered_from_at_the_server_s_stored_point() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Garpu", "sup", "kons");
    let client = c
        .vault
        .add_client(&profile("G-1", "Klien Garpu"))
        .expect("client");
    c.vault.add_note(client, &draft("sesi")).expect("note");

    let mut http = c.transport();
    let mut forking =
        teduh_core::sync::Intercepted::new(&mut http, ForkAnswerToFirstPush::default());
    let r = c
        .sync_through(&mut forking)
        .expect("the round recovers from the Fork answer instead of failing");
    assert!(forking.hooks.answered, "the Fork answer was given");
    assert!(
        r.recovered_acks > 0,
        "taken from the server's stored point: {r:?}"
    );
    assert_eq!(c.vault.pending_count().expect("pending"), 0);
    assert_eq!(server.duplicates(), 0, "nothing was sent twice");
    sup.sync().expect("sync");
    assert_eq!(
        sup.vault.export_client(client).expect("client").notes.len(),
        1,
        "the supervisor has the note, once"
    );
}

#[test]
fn a_first_run_join_that_fails_leaves_nothing_behind_and_one_that_works_leaves_one_unlocked_vault()
{
    use teduh_core::crypto::KdfParams;
    use teduh_core::sync::join::{self, JoinRequest};
    let server = TestServer::start();
    let team = server.create_team("Tim Kupang");
    let dir = tempfile::tempdir().expect("tempdir");
    let database = dir.path().join("teduh.sqlite3");
    let req = JoinRequest {
        server_url: server.url(),
        username: "konselor.budi",
        passphrase: PASSPHRASE,
        device_name: "laptop uji",
    };
    let mut t = teduh_client::HttpTransport::builder(server.url())
        .build()
        .expect("transport");
    let fast = KdfParams::insecure_fast_for_tests();
    let files = || {
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };

    let refused = join::first_run(&database, &mut t, &req, "TIDAK-ADA-1234", fast);
    assert!(
        matches!(refused, Err(SyncError::BadInvitation(_))),
        "{refused:?}"
    );
    assert_eq!(files(), Vec::<String>::new(), "no half-made vault is left");

    let code = server.invite(&team, Role::Counselor);
    let vault = join::first_run(&database, &mut t, &req, &code, fast).expect("joins");
    assert!(vault.is_unlocked(), "she goes straight to work");
    let binding = vault.binding().expect("binding").expect("joined");
    assert_eq!(binding.username, "konselor.budi");
    drop(vault);
    assert!(
        files().iter().all(|f| !f.contains(".joining")),
        "the staging file is gone: {:?}",
        files()
    );

    let again = join::first_run(&database, &mut t, &req, &code, fast);
    assert!(
        matches!(
            again,
            Err(SyncError::Vault(
                teduh_core::vault::VaultError::AlreadyInitialised
            ))
        ),
        "{again:?}"
    );
    let store = teduh_core::store::LocalStore::open(&database).expect("store");
    let mut kept = teduh_core::vault::Vault::open(store).expect("the vault is still there");
    kept.unlock(PASSPHRASE).expect("and opens");
    assert!(kept.binding().expect("binding").is_some(), "still joined");
}

#[test]
fn codes_suggested_offline_never_collide_and_typed_duplicates_show_until_renamed() {
    let server = TestServer::start();
    let team = server.create_team("Tim Kode");
    let mut sup = server.member(&team, Role::Supervisor, "sup.kode");
    let mut a = server.member(&team, Role::Counselor, "kons.a");
    let mut b = server.member(&team, Role::Outreach, "lap.b");
    sup.admit(&mut a);
    sup.admit(&mut b);
    a.sync().expect("the newest key");
    b.sync().expect("the newest key");
    // Both offline: each device's suggestion carries its own number.
    let code_a = a.vault.suggest_client_code("k").expect("suggest");
    let code_b = b.vault.suggest_client_code("K").expect("suggest");
    assert_eq!(code_a, format!("K-{}-0001", a.device()));
    assert_ne!(code_a, code_b, "two devices never suggest the same code");
    a.vault
        .add_client(&profile(&code_a, "Klien Sintetis A"))
        .expect("client");
    b.vault
        .add_client(&profile(&code_b, "Klien Sintetis B"))
        .expect("client");
    assert_eq!(
        a.vault.suggest_client_code("K").expect("suggest"),
        format!("K-{}-0002", a.device()),
        "the next number"
    );
    // Typed by hand, the same code on both laptops: after sync it shows as a duplicate.
    let typed_a = a
        .vault
        .add_client(&profile("K-0101", "Klien Ketik A"))
        .expect("client");
    b.vault
        .add_client(&profile("K-0101", "Klien Ketik B"))
        .expect("client");
    for d in [&mut a, &mut b, &mut sup] {
        d.sync().expect("sync");
    }
    a.sync().expect("sync");
    assert_eq!(sup.vault.duplicate_codes().expect("dups"), ["K-0101"]);
    let err = a
        .vault
        .add_client(&profile("k-0101", "Klien Ketik C"))
        .expect_err("a third is refused where both are known");
    assert!(matches!(err, VaultError::DuplicateCode(_)), "{err}");
    let mut renamed = a.vault.client(typed_a).expect("client").profile;
    renamed.code = a.vault.suggest_client_code("K").expect("suggest");
    a.vault.update_client(typed_a, &renamed).expect("renamed");
    a.sync().expect("sync");
    sup.sync().expect("sync");
    assert!(
        sup.vault.duplicate_codes().expect("dups").is_empty(),
        "resolved"
    );
}
