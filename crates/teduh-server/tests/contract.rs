//! The storage contract: every test runs against both backends (`sqlite::*` and `postgres::*`).
//!
//! Long (about 1,200 lines) on purpose: the `contract!` list names every contract test once, so
//! they live beside it (erasure's have their own file under `contract/`).

mod common;
#[path = "contract/erasure.rs"]
mod erasure;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use teduh_protocol::sync::{hlc_from_millis, Record, Role};
use teduh_server::storage::{
    AuthedDevice, ClientWrap, DeviceFilter, DirectoryBundle, Lane, NewDevice, NewInvitation,
    NewTokens, OrgSettingsUpload, Registration, StorageError,
};
use teduh_server::Storage;

use self::erasure::*;

/// Instantiates each contract test once per backend.
macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (storage, _guard) = crate::common::sqlite().await;
                    super::$name(storage).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $name() {
                    let (storage, _guard) = crate::common::postgres().await;
                    super::$name(storage).await;
                }
            )*
        }
    };
}

contract!(
    schema_is_current_and_the_organisation_is_named_once,
    team_names_are_unique,
    an_invitation_registers_exactly_one_member,
    a_failed_registration_stores_nothing_and_leaves_the_invitation_usable,
    tokens_work_until_expired_revoked_or_the_member_is_removed,
    a_push_is_idempotent_and_reports_the_contiguous_high_water_mark,
    a_different_record_under_a_stored_sequence_is_a_fork_and_stores_nothing,
    stale_epochs_unknown_epochs_and_future_clocks_are_refused_distinctly,
    a_pull_follows_the_team_order_within_its_byte_budget,
    concurrent_writers_never_let_a_reader_skip_a_record,
    envelopes_are_only_served_to_their_device,
    a_new_epoch_must_follow_the_current_one_and_name_team_devices,
    a_new_epoch_gives_each_device_one_envelope,
    messages_reach_only_their_device_in_order_and_only_team_devices,
    rosters_only_move_forward,
    client_key_wraps_are_idempotent_and_conflicts_are_refused,
    teams_do_not_see_each_others_records,
    directory_bundles_only_move_forward,
    after_a_restore_new_records_land_above_every_old_cursor,
    a_revoked_invitation_can_no_longer_be_used,
    organisation_settings_only_move_forward_under_the_registered_key,
    the_mailbox_keeps_a_day_s_quota_per_sender_and_forgets_old_messages,
    after_a_restore_no_new_member_or_device_gets_a_lost_id_and_a_lost_one_can_be_asked_back,
    only_its_own_tombstone_replaces_a_record_all_or_nothing,
    an_author_pushing_a_tombstone_erases_and_a_full_re_send_never_restores,
);

const NOW: i64 = 1_800_000_000;

fn hlc(ms_offset: u64) -> u64 {
    hlc_from_millis(1_700_000_000_000 + ms_offset, 0)
}

/// A generous ceiling: "now" for these tests is far beyond the records' stamps.
const MAX_HLC: u64 = u64::MAX >> 2;

fn rec(device: u64, seq: u64, payload: &[u8]) -> Record {
    Record {
        device_id: device,
        device_seq: seq,
        key_epoch: 1,
        hlc: hlc(seq),
        payload: payload.to_vec(),
    }
}

/// A device's access token `access` until `expires_at` (its refresh chain may wait 90 days).
fn tokens(access: [u8; 32], expires_at: i64) -> NewTokens {
    NewTokens {
        access_hash: access,
        access_expires_at: expires_at,
        refresh_expires_at: expires_at + 90 * 24 * 3600,
    }
}

fn hash(tag: &str) -> [u8; 32] {
    let mut h = [0u8; 32];
    for (i, b) in tag.bytes().enumerate() {
        h[i % 32] ^= b.wrapping_add(i as u8);
    }
    h[31] ^= tag.len() as u8;
    h
}

fn registration(invite: &str, username: &str) -> Registration {
    Registration {
        invitation_hash: hash(invite),
        username: username.into(),
        device: NewDevice {
            id: None,
            name: format!("{username}'s phone"),
            join_proof: None,
            public_keys: vec![4, 5, 6, 0, 255],
            tokens: tokens(hash(&format!("token-{username}")), NOW + 3600),
            refresh_anchor: None,
            created_at: NOW,
        },
        member_id: None,
    }
}

struct TeamSetup {
    team: u64,
    /// (member id, device id) per member.
    members: Vec<(u64, u64)>,
}

/// An organisation, a team at key epoch 1, and `n` members with one device each.
async fn team_with_members(s: &dyn Storage, team_name: &str, n: usize) -> TeamSetup {
    let _ = s.init_org("Org".into(), NOW).await;
    let team = s
        .create_team(team_name.into(), NOW)
        .await
        .expect("team created");
    let mut members = Vec::new();
    for i in 0..n {
        let invite = format!("{team_name}-invite-{i}");
        s.create_invitation(NewInvitation {
            team_id: team.id,
            package: None,
            member_id: None,
            role: if i == 0 {
                Role::Supervisor
            } else {
                Role::Counselor
            },
            code_hash: hash(&invite),
            created_at: NOW,
            expires_at: NOW + 3600,
        })
        .await
        .expect("invitation stored");
        let (dev, _) = s
            .register(registration(&invite, &format!("{team_name}-m{i}")), NOW)
            .await
            .expect("registers");
        members.push((dev.member_id, dev.device_id));
    }
    let envelopes = members
        .iter()
        .map(|(_, d)| (*d, vec![0xE0, *d as u8]))
        .collect();
    s.add_epoch(team.id, 1, envelopes)
        .await
        .expect("first epoch");
    TeamSetup {
        team: team.id,
        members,
    }
}

async fn schema_is_current_and_the_organisation_is_named_once(s: Arc<dyn Storage>) {
    assert_eq!(
        s.schema_version().await.expect("version"),
        6,
        "every migration applied"
    );
    assert_eq!(
        s.org_name().await.expect("org"),
        None,
        "a fresh database has no organisation"
    );
    s.init_org("Rumah Teduh".into(), NOW)
        .await
        .expect("first init");
    let again = s.init_org("Other".into(), NOW).await;
    assert!(
        matches!(again, Err(StorageError::AlreadyExists(_))),
        "a second organisation must be refused: {again:?}"
    );
    assert_eq!(
        s.org_name().await.expect("org").as_deref(),
        Some("Rumah Teduh")
    );
}

async fn team_names_are_unique(s: Arc<dyn Storage>) {
    let a = s.create_team("Kupang".into(), NOW).await.expect("team");
    let dup = s.create_team("Kupang".into(), NOW).await;
    assert!(
        matches!(dup, Err(StorageError::AlreadyExists(_))),
        "{dup:?}"
    );
    let b = s.create_team("Ende".into(), NOW).await.expect("team");
    assert_ne!(a.id, b.id);
    let names: Vec<String> = s
        .teams()
        .await
        .expect("teams")
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(names, ["Kupang", "Ende"], "teams are listed by id");
}

async fn an_invitation_registers_exactly_one_member(s: Arc<dyn Storage>) {
    let team = s.create_team("T".into(), NOW).await.expect("team");
    for (code, expires) in [("ok", NOW + 60), ("old", NOW - 1)] {
        s.create_invitation(NewInvitation {
            team_id: team.id,
            package: None,
            member_id: None,
            role: Role::Outreach,
            code_hash: hash(code),
            created_at: NOW - 100,
            expires_at: expires,
        })
        .await
        .expect("invitation");
    }
    let (dev, member) = s
        .register(registration("ok", "ana"), NOW)
        .await
        .expect("registers");
    assert_eq!(dev.team_id, team.id);
    assert_eq!(
        dev.role,
        Role::Outreach,
        "the role comes from the invitation"
    );
    assert_eq!(member.username, "ana");
    let devices = s
        .devices(DeviceFilter::Member(dev.member_id))
        .await
        .expect("devices");
    assert_eq!(
        devices[0].public_keys,
        vec![4, 5, 6, 0, 255],
        "the device's keys, opaque bytes kept exactly"
    );
    let reuse = s.register(registration("ok", "budi"), NOW).await;
    assert!(
        matches!(reuse, Err(StorageError::InvitationUsed)),
        "{reuse:?}"
    );
    let expired = s.register(registration("old", "citra"), NOW).await;
    assert!(
        matches!(expired, Err(StorageError::InvitationExpired)),
        "{expired:?}"
    );
    let unknown = s.register(registration("nope", "dewi"), NOW).await;
    assert!(
        matches!(unknown, Err(StorageError::InvitationUnknown)),
        "{unknown:?}"
    );
    let members = s.members(team.id).await.expect("members");
    assert_eq!(
        members.len(),
        1,
        "only the first registration created a member"
    );

    // A device invitation for ana adds a device of hers (her role, not the invitation's),
    // for her username only, and not once she is removed.
    let device_invitation = |code: &str| NewInvitation {
        team_id: team.id,
        package: None,
        role: Role::Admin,
        member_id: Some(dev.member_id),
        code_hash: hash(code),
        created_at: NOW,
        expires_at: NOW + 60,
    };
    for code in ["laptop", "later"] {
        s.create_invitation(device_invitation(code))
            .await
            .expect("device invitation");
    }
    let other = s.register(registration("laptop", "budi"), NOW).await;
    assert!(
        matches!(other, Err(StorageError::InvitationForAnother)),
        "{other:?}"
    );
    let mut laptop = registration("laptop", "ana");
    laptop.device.tokens = tokens(hash("token-ana-laptop"), NOW + 3600);
    let (second, same) = s.register(laptop, NOW).await.expect("a second device");
    assert_eq!(
        (second.member_id, second.role, same.username.as_str()),
        (dev.member_id, Role::Outreach, "ana"),
        "a further device of ana, with her role"
    );
    assert_ne!(second.device_id, dev.device_id);
    assert_eq!(s.members(team.id).await.expect("members").len(), 1);
    s.remove_member(dev.member_id, NOW).await.expect("remove");
    let mut late = registration("later", "ana");
    late.device.tokens = tokens(hash("token-ana-later"), NOW + 3600);
    let refused = s.register(late, NOW).await;
    assert!(
        matches!(refused, Err(StorageError::NotFound("member"))),
        "{refused:?}"
    );
    let outsider = s
        .create_invitation(NewInvitation {
            member_id: Some(999_999),
            ..device_invitation("nobody")
        })
        .await;
    assert!(
        matches!(outsider, Err(StorageError::NotFound("member"))),
        "a device invitation names a member of its team: {outsider:?}"
    );
}

async fn a_failed_registration_stores_nothing_and_leaves_the_invitation_usable(
    s: Arc<dyn Storage>,
) {
    let t = team_with_members(s.as_ref(), "T", 1).await;
    s.create_invitation(NewInvitation {
        team_id: t.team,
        package: None,
        member_id: None,
        role: Role::Counselor,
        code_hash: hash("second"),
        created_at: NOW,
        expires_at: NOW + 60,
    })
    .await
    .expect("invitation");
    let taken = s.register(registration("second", "T-m0"), NOW).await;
    assert!(
        matches!(taken, Err(StorageError::UsernameTaken)),
        "{taken:?}"
    );
    assert_eq!(
        s.devices(DeviceFilter::Team(t.team))
            .await
            .expect("devices")
            .len(),
        1,
        "the failed registration must not leave a device behind"
    );
    s.register(registration("second", "eka"), NOW)
        .await
        .expect("the invitation is still usable after a failed attempt");
}

/// The token check on both lanes (a read's and a write's), which must answer alike.
async fn authenticate(
    s: &dyn Storage,
    token: &str,
    now: i64,
) -> Result<AuthedDevice, StorageError> {
    let read = s.authenticate(hash(token), now, Lane::Read).await;
    let write = s.authenticate(hash(token), now, Lane::Write).await;
    assert_eq!(
        format!("{read:?}"),
        format!("{write:?}"),
        "a read's and a write's token check answer alike"
    );
    write
}

async fn tokens_work_until_expired_revoked_or_the_member_is_removed(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 2).await;
    let (m0, d0) = t.members[0];
    let ok = authenticate(s.as_ref(), "token-T-m0", NOW)
        .await
        .expect("valid token");
    assert_eq!((ok.member_id, ok.device_id, ok.team_id), (m0, d0, t.team));
    assert_eq!(ok.role, Role::Supervisor);
    let unknown = authenticate(s.as_ref(), "nope", NOW).await;
    assert!(
        matches!(unknown, Err(StorageError::TokenUnknown)),
        "{unknown:?}"
    );
    let expired = authenticate(s.as_ref(), "token-T-m0", NOW + 3600).await;
    assert!(
        matches!(expired, Err(StorageError::TokenExpired)),
        "{expired:?}"
    );

    let second = s
        .create_device(
            m0,
            NewDevice {
                id: None,
                name: "laptop".into(),
                join_proof: None,
                public_keys: vec![9; 64],
                tokens: tokens(hash("laptop"), NOW + 60),
                refresh_anchor: None,
                created_at: NOW,
            },
        )
        .await
        .expect("a second device");
    s.revoke_device(second.device_id, NOW)
        .await
        .expect("revoke");
    let revoked = authenticate(s.as_ref(), "laptop", NOW).await;
    assert!(
        matches!(revoked, Err(StorageError::TokenRevoked)),
        "{revoked:?}"
    );
    authenticate(s.as_ref(), "token-T-m0", NOW)
        .await
        .expect("revoking one device leaves the others working");

    let (m1, _) = t.members[1];
    s.remove_member(m1, NOW).await.expect("remove");
    let removed = authenticate(s.as_ref(), "token-T-m1", NOW).await;
    assert!(
        matches!(removed, Err(StorageError::TokenRevoked)),
        "{removed:?}"
    );
    let relogin = s
        .create_device(
            m1,
            NewDevice {
                id: None,
                name: "x".into(),
                join_proof: None,
                public_keys: vec![9; 64],
                tokens: tokens(hash("x"), NOW + 60),
                refresh_anchor: None,
                created_at: NOW,
            },
        )
        .await;
    assert!(
        matches!(relogin, Err(StorageError::NotFound(_))),
        "a removed member cannot add devices: {relogin:?}"
    );
    let missing = s.revoke_device(999_999, NOW).await;
    assert!(
        matches!(missing, Err(StorageError::NotFound(_))),
        "{missing:?}"
    );
}

async fn a_push_is_idempotent_and_reports_the_contiguous_high_water_mark(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 1).await;
    let d = t.members[0].1;
    let page: Vec<Record> = (1..=3).map(|i| rec(d, i, &[i as u8; 10])).collect();
    let out = s
        .push(t.team, d, page.clone(), MAX_HLC)
        .await
        .expect("push");
    assert_eq!((out.stored, out.duplicates, out.contiguous_seq), (3, 0, 3));
    let again = s.push(t.team, d, page, MAX_HLC).await.expect("re-push");
    assert_eq!(
        (again.stored, again.duplicates, again.contiguous_seq),
        (0, 3, 3),
        "a re-sent page is a no-op"
    );
    let gap = s
        .push(t.team, d, vec![rec(d, 5, b"five")], MAX_HLC)
        .await
        .expect("push after a gap");
    assert_eq!(
        gap.contiguous_seq, 3,
        "seq 4 is missing, so the high-water mark stays at 3"
    );
    let fill = s
        .push(t.team, d, vec![rec(d, 4, b"four")], MAX_HLC)
        .await
        .expect("fill the gap");
    assert_eq!(
        fill.contiguous_seq, 5,
        "filling the gap jumps over the stored 5"
    );
    let page = s.pull(t.team, 0, 1 << 20, 1000).await.expect("pull");
    let seqs: Vec<u64> = page.records.iter().map(|r| r.record.device_seq).collect();
    assert_eq!(seqs, [1, 2, 3, 5, 4], "team order is arrival order");
    let team_seqs: Vec<u64> = page.records.iter().map(|r| r.team_seq).collect();
    assert_eq!(team_seqs, [1, 2, 3, 4, 5], "team sequences are gapless");
    let devices = s
        .devices(DeviceFilter::Member(t.members[0].0))
        .await
        .expect("devices");
    assert_eq!(
        devices[0].contiguous_seq, 5,
        "the device row remembers the mark"
    );
}

async fn a_different_record_under_a_stored_sequence_is_a_fork_and_stores_nothing(
    s: Arc<dyn Storage>,
) {
    let t = team_with_members(s.as_ref(), "T", 1).await;
    let d = t.members[0].1;
    s.push(t.team, d, vec![rec(d, 1, b"original")], MAX_HLC)
        .await
        .expect("push");
    let forked = s
        .push(
            t.team,
            d,
            vec![rec(d, 2, b"new"), rec(d, 1, b"tampered")],
            MAX_HLC,
        )
        .await;
    assert!(
        matches!(forked, Err(StorageError::Fork { device_seq: 1 })),
        "same (device, seq), other content: {forked:?}"
    );
    let in_page = s
        .push(t.team, d, vec![rec(d, 2, b"a"), rec(d, 2, b"b")], MAX_HLC)
        .await;
    assert!(
        matches!(in_page, Err(StorageError::Fork { device_seq: 2 })),
        "a fork inside one page too: {in_page:?}"
    );
    let page = s.pull(t.team, 0, 1 << 20, 1000).await.expect("pull");
    assert_eq!(
        page.records.len(),
        1,
        "a refused page stores none of its records"
    );
    assert_eq!(page.records[0].record.payload, b"original");
}

async fn stale_epochs_unknown_epochs_and_future_clocks_are_refused_distinctly(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 1).await;
    let (m, d) = t.members[0];
    s.push(t.team, d, vec![rec(d, 1, b"epoch 1")], MAX_HLC)
        .await
        .expect("push at epoch 1");
    s.add_epoch(t.team, 2, vec![(m, vec![2])])
        .await
        .expect("epoch 2");
    let stale = s
        .push(t.team, d, vec![rec(d, 2, b"old key")], MAX_HLC)
        .await;
    assert!(
        matches!(
            stale,
            Err(StorageError::StaleKeyEpoch {
                device_seq: 2,
                record_epoch: 1,
                current: 2
            })
        ),
        "{stale:?}"
    );
    let replay = s
        .push(t.team, d, vec![rec(d, 1, b"epoch 1")], MAX_HLC)
        .await
        .expect("an already stored record is still a no-op after the epoch moved");
    assert_eq!(replay.duplicates, 1);
    let mut future = rec(d, 2, b"next");
    future.key_epoch = 3;
    let unknown = s.push(t.team, d, vec![future], MAX_HLC).await;
    assert!(
        matches!(unknown, Err(StorageError::UnknownKeyEpoch { .. })),
        "{unknown:?}"
    );
    let mut ahead = rec(d, 2, b"from the future");
    ahead.key_epoch = 2;
    ahead.hlc = hlc(10_000);
    let clock = s.push(t.team, d, vec![ahead.clone()], hlc(9_999)).await;
    assert!(
        matches!(clock, Err(StorageError::ClockAhead { device_seq: 2 })),
        "{clock:?}"
    );
    let zero = s.push(t.team, d, vec![rec(d, 0, b"zero")], MAX_HLC).await;
    assert!(
        matches!(zero, Err(StorageError::Invalid(_))),
        "sequences start at 1: {zero:?}"
    );
    let ok = s
        .push(t.team, d, vec![ahead], hlc(10_000))
        .await
        .expect("within the limit");
    assert_eq!(ok.contiguous_seq, 2);
    // After a restore (at 1,700,000,020,000 ms), a record written before it comes back under
    // the older epoch it was sealed with; one written after it is still stale.
    s.advance_team_sequences(0, 1_700_000_020_000)
        .await
        .expect("after-restore");
    let mut lost = rec(d, 3, b"lost in the restore");
    lost.hlc = hlc(19_999);
    let back = s
        .push(t.team, d, vec![lost], MAX_HLC)
        .await
        .expect("written before the restore: accepted under epoch 1");
    assert_eq!(back.contiguous_seq, 3);
    let mut late = rec(d, 4, b"written after the restore");
    late.hlc = hlc(20_000);
    let refused = s.push(t.team, d, vec![late], MAX_HLC).await;
    assert!(
        matches!(
            refused,
            Err(StorageError::StaleKeyEpoch { device_seq: 4, .. })
        ),
        "{refused:?}"
    );
}

async fn a_pull_follows_the_team_order_within_its_byte_budget(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 2).await;
    let (d0, d1) = (t.members[0].1, t.members[1].1);
    for i in 1..=10u64 {
        let d = if i % 2 == 0 { d0 } else { d1 };
        s.push(
            t.team,
            d,
            vec![rec(d, i.div_ceil(2), &[i as u8; 100])],
            MAX_HLC,
        )
        .await
        .expect("push");
    }
    let empty = s
        .pull(t.team, 10, 1 << 20, 100)
        .await
        .expect("pull at the end");
    assert!(
        empty.records.is_empty() && !empty.more,
        "nothing after the last record"
    );
    assert_eq!(empty.next_cursor, 10, "an empty page keeps the cursor");
    // Each record takes 8 + 32 + 100 = 140 bytes; the page header 17.
    let mut cursor = 0;
    let mut pages = 0;
    let mut seen = Vec::new();
    loop {
        let page = s
            .pull(t.team, cursor, 17 + 3 * 140, 100)
            .await
            .expect("pull");
        assert!(page.records.len() <= 3, "the byte budget bounds the page");
        seen.extend(page.records.iter().map(|r| r.team_seq));
        cursor = page.next_cursor;
        pages += 1;
        if !page.more {
            break;
        }
    }
    assert_eq!(
        seen,
        (1..=10).collect::<Vec<_>>(),
        "every record once, in order"
    );
    assert_eq!(pages, 4, "10 records at 3 per page");
    let tiny = s.pull(t.team, 0, 1, 100).await.expect("pull");
    assert_eq!(
        tiny.records.len(),
        1,
        "a page always holds at least one record"
    );
    let capped = s.pull(t.team, 0, 1 << 20, 4).await.expect("pull");
    assert_eq!(capped.records.len(), 4, "max_records caps the page");
    assert!(capped.more);
}

async fn concurrent_writers_never_let_a_reader_skip_a_record(s: Arc<dyn Storage>) {
    const WRITERS: usize = 6;
    const PAGES: u64 = 25;
    const PER_PAGE: u64 = 4;
    let t = team_with_members(s.as_ref(), "T", WRITERS).await;
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut readers = Vec::new();
    for _ in 0..3 {
        let s = Arc::clone(&s);
        let done = Arc::clone(&done);
        let team = t.team;
        readers.push(tokio::spawn(async move {
            let mut cursor = 0;
            let mut seen: Vec<(u64, u64, u64)> = Vec::new();
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let page = s.pull(team, cursor, 2000, 50).await.expect("pull");
                for r in &page.records {
                    seen.push((r.team_seq, r.record.device_id, r.record.device_seq));
                }
                cursor = page.next_cursor;
                if finished && !page.more && page.records.is_empty() {
                    break;
                }
                if page.records.is_empty() {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            seen
        }));
    }
    let mut writers = Vec::new();
    for &(_, d) in &t.members {
        let s = Arc::clone(&s);
        let team = t.team;
        writers.push(tokio::spawn(async move {
            for p in 0..PAGES {
                let page = (1..=PER_PAGE)
                    .map(|i| rec(d, p * PER_PAGE + i, &[d as u8; 64]))
                    .collect();
                s.push(team, d, page, MAX_HLC).await.expect("push");
            }
        }));
    }
    for w in writers {
        w.await.expect("writer");
    }
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    let total = WRITERS as u64 * PAGES * PER_PAGE;
    for r in readers {
        let seen = r.await.expect("reader");
        let seqs: Vec<u64> = seen.iter().map(|x| x.0).collect();
        assert_eq!(
            seqs,
            (1..=total).collect::<Vec<_>>(),
            "a reader that polled during the writes must still see every record exactly once, in order"
        );
        let distinct: BTreeSet<(u64, u64)> = seen.iter().map(|x| (x.1, x.2)).collect();
        assert_eq!(
            distinct.len() as u64,
            total,
            "no record is served twice or lost"
        );
    }
}

async fn envelopes_are_only_served_to_their_device(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 2).await;
    let (d0, d1) = (t.members[0].1, t.members[1].1);
    let (current, mine) = s.envelopes(t.team, d0).await.expect("envelopes");
    assert_eq!(current, 1);
    assert_eq!(mine, vec![(1, vec![0xE0, d0 as u8])], "only d0's envelope");
    let (_, theirs) = s.envelopes(t.team, d1).await.expect("envelopes");
    assert_eq!(theirs, vec![(1, vec![0xE0, d1 as u8])]);
    s.add_epoch(t.team, 2, vec![(d0, vec![9])])
        .await
        .expect("epoch 2 for d0 only");
    let (current, theirs) = s.envelopes(t.team, d1).await.expect("envelopes");
    assert_eq!(current, 2);
    assert_eq!(
        theirs.len(),
        1,
        "d1 was left out of epoch 2 and gets no envelope for it"
    );
}

async fn a_new_epoch_must_follow_the_current_one_and_name_team_devices(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 3).await;
    let other = team_with_members(s.as_ref(), "U", 1).await;
    let ((_, d0), (m1, d1), (_, d2)) = (t.members[0], t.members[1], t.members[2]);
    let skip = s.add_epoch(t.team, 3, vec![(d0, vec![1])]).await;
    assert!(
        matches!(skip, Err(StorageError::EpochNotNext { expected: 2 })),
        "{skip:?}"
    );
    let outsider = s
        .add_epoch(
            t.team,
            2,
            vec![(d0, vec![1]), (other.members[0].1, vec![2])],
        )
        .await;
    assert!(
        matches!(outsider, Err(StorageError::NotTeamMember(_))),
        "{outsider:?}"
    );
    s.remove_member(m1, NOW).await.expect("remove");
    let removed = s
        .add_epoch(t.team, 2, vec![(d0, vec![1]), (d1, vec![2])])
        .await;
    assert!(
        matches!(removed, Err(StorageError::NotTeamMember(id)) if id == d1),
        "a removed member's device gets no new key: {removed:?}"
    );
    s.revoke_device(d2, NOW).await.expect("revoke");
    let revoked = s
        .add_epoch(t.team, 2, vec![(d0, vec![1]), (d2, vec![2])])
        .await;
    assert!(
        matches!(revoked, Err(StorageError::NotTeamMember(id)) if id == d2),
        "a revoked device gets no new key: {revoked:?}"
    );
    let (current, _) = s.envelopes(t.team, d0).await.expect("envelopes");
    assert_eq!(current, 1, "refused epochs change nothing");
    s.add_epoch(t.team, 2, vec![(d0, vec![1])])
        .await
        .expect("epoch 2");
}

async fn a_new_epoch_gives_each_device_one_envelope(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 2).await;
    let (d0, d1) = (t.members[0].1, t.members[1].1);
    let twice = s
        .add_epoch(t.team, 2, vec![(d0, vec![1]), (d1, vec![2]), (d0, vec![3])])
        .await;
    assert!(
        matches!(twice, Err(StorageError::Invalid(_))),
        "two envelopes for one device are refused before anything is stored: {twice:?}"
    );
    for d in [d0, d1] {
        let (current, mine) = s.envelopes(t.team, d).await.expect("envelopes");
        assert_eq!(current, 1, "a refused epoch changes nothing");
        assert_eq!(mine.len(), 1, "and stores none of its envelopes");
    }
    s.add_epoch(t.team, 2, vec![(d0, vec![1]), (d1, vec![2])])
        .await
        .expect("epoch 2 with one envelope each");
}

async fn messages_reach_only_their_device_in_order_and_only_team_devices(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 2).await;
    let other = team_with_members(s.as_ref(), "U", 1).await;
    let (d0, d1) = (t.members[0].1, t.members[1].1);
    let outsider = s
        .post_messages(
            t.team,
            d1,
            vec![(d0, vec![1]), (other.members[0].1, vec![2])],
            NOW,
        )
        .await;
    assert!(
        matches!(outsider, Err(StorageError::NotTeamMember(_))),
        "{outsider:?}"
    );
    assert!(
        s.messages(t.team, d0, 0, 10)
            .await
            .expect("inbox")
            .is_empty(),
        "a refused batch stores nothing"
    );
    s.post_messages(
        t.team,
        d1,
        vec![(d0, vec![1]), (d0, vec![2]), (d1, vec![3])],
        NOW,
    )
    .await
    .expect("posted");
    let inbox = s.messages(t.team, d0, 0, 10).await.expect("inbox");
    assert_eq!(
        inbox.iter().map(|m| (m.1, m.2.clone())).collect::<Vec<_>>(),
        vec![(d1, vec![1]), (d1, vec![2])],
        "d0's messages only, oldest first, with their sender"
    );
    let after = s.messages(t.team, d0, inbox[0].0, 10).await.expect("inbox");
    assert_eq!(after.len(), 1, "after a cursor");
    assert_eq!(
        s.messages(t.team, d0, 0, 1).await.expect("inbox").len(),
        1,
        "at most the limit"
    );
    assert!(
        s.messages(other.team, d0, 0, 10)
            .await
            .expect("inbox")
            .is_empty(),
        "not under another team"
    );
}

async fn rosters_only_move_forward(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 1).await;
    assert_eq!(s.roster(t.team).await.expect("roster"), None);
    s.put_roster(t.team, 1, vec![1, 1], NOW).await.expect("v1");
    s.put_roster(t.team, 3, vec![3, 3], NOW).await.expect("v3");
    let old = s.put_roster(t.team, 2, vec![2], NOW).await;
    assert!(
        matches!(old, Err(StorageError::RosterNotNewer { current: 3 })),
        "{old:?}"
    );
    let same = s.put_roster(t.team, 3, vec![9], NOW).await;
    assert!(
        matches!(same, Err(StorageError::RosterNotNewer { .. })),
        "{same:?}"
    );
    assert_eq!(
        s.roster(t.team).await.expect("roster"),
        Some((3, vec![3, 3]))
    );
    // The chain a device walks: every version above the one it holds, oldest first, paged.
    assert_eq!(
        s.rosters_after(t.team, 0, 16).await.expect("chain"),
        vec![(1, vec![1, 1]), (3, vec![3, 3])]
    );
    assert_eq!(
        s.rosters_after(t.team, 1, 16).await.expect("chain"),
        vec![(3, vec![3, 3])]
    );
    assert_eq!(
        s.rosters_after(t.team, 0, 1).await.expect("one page"),
        vec![(1, vec![1, 1])]
    );
    assert!(s
        .rosters_after(t.team, 3, 16)
        .await
        .expect("none")
        .is_empty());
}

async fn client_key_wraps_are_idempotent_and_conflicts_are_refused(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 1).await;
    let w = |epoch, id: &[u8], wrap: &[u8]| ClientWrap {
        epoch,
        client_id: id.to_vec(),
        wrap: wrap.to_vec(),
    };
    s.put_client_keys(t.team, vec![w(1, b"c1", b"k1"), w(1, b"c2", b"k2")])
        .await
        .expect("store");
    s.put_client_keys(t.team, vec![w(1, b"c1", b"k1")])
        .await
        .expect("an identical re-upload is a no-op");
    let conflict = s
        .put_client_keys(t.team, vec![w(1, b"c3", b"k3"), w(1, b"c1", b"other")])
        .await;
    assert!(
        matches!(conflict, Err(StorageError::WrapConflict)),
        "{conflict:?}"
    );
    let future = s.put_client_keys(t.team, vec![w(2, b"c1", b"k")]).await;
    assert!(
        matches!(future, Err(StorageError::UnknownKeyEpoch { .. })),
        "{future:?}"
    );
    let all = s.client_keys(t.team, None).await.expect("wraps");
    assert_eq!(
        all,
        vec![w(1, b"c1", b"k1"), w(1, b"c2", b"k2")],
        "the refused batch stored nothing (no c3)"
    );
    assert!(s
        .client_keys(t.team, Some(2))
        .await
        .expect("wraps")
        .is_empty());
    let erased = s
        .erase_client_keys(t.team, b"c1".to_vec())
        .await
        .expect("erase");
    assert_eq!(erased, 1, "the one wrap of c1 is shredded");
    assert_eq!(
        s.client_keys(t.team, None).await.expect("wraps"),
        vec![w(1, b"c2", b"k2")],
        "other clients keep their keys"
    );
}

async fn teams_do_not_see_each_others_records(s: Arc<dyn Storage>) {
    let a = team_with_members(s.as_ref(), "A", 1).await;
    let b = team_with_members(s.as_ref(), "B", 1).await;
    let (da, db) = (a.members[0].1, b.members[0].1);
    s.push(a.team, da, vec![rec(da, 1, b"a")], MAX_HLC)
        .await
        .expect("push a");
    s.push(b.team, db, vec![rec(db, 1, b"b")], MAX_HLC)
        .await
        .expect("push b");
    let pa = s.pull(a.team, 0, 1 << 20, 100).await.expect("pull a");
    assert_eq!(pa.records.len(), 1);
    assert_eq!(pa.records[0].record.payload, b"a");
    assert_eq!(pa.records[0].team_seq, 1, "each team has its own sequence");
    let pb = s.pull(b.team, 0, 1 << 20, 100).await.expect("pull b");
    assert_eq!(pb.records[0].record.payload, b"b");
}

async fn directory_bundles_only_move_forward(s: Arc<dyn Storage>) {
    assert_eq!(s.latest_directory().await.expect("latest"), None);
    let b = |version, bytes: &[u8]| DirectoryBundle {
        version,
        sha256: [version as u8; 32],
        bundle: bytes.to_vec(),
    };
    s.publish_directory(b(1, b"v1"), NOW).await.expect("v1");
    s.publish_directory(b(2, b"v2"), NOW).await.expect("v2");
    let old = s.publish_directory(b(2, b"again"), NOW).await;
    assert!(
        matches!(old, Err(StorageError::DirectoryNotNewer { current: 2 })),
        "a replayed or older bundle never replaces the newest: {old:?}"
    );
    assert_eq!(
        s.latest_directory().await.expect("latest"),
        Some(b(2, b"v2"))
    );
}

async fn after_a_restore_new_records_land_above_every_old_cursor(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 1).await;
    let d = t.members[0].1;
    s.push(t.team, d, vec![rec(d, 1, b"one")], MAX_HLC)
        .await
        .expect("push");
    s.advance_team_sequences(1000, 0).await.expect("advance");
    s.push(t.team, d, vec![rec(d, 2, b"two")], MAX_HLC)
        .await
        .expect("push");
    let page = s.pull(t.team, 500, 1 << 20, 100).await.expect("pull");
    assert_eq!(
        page.records.len(),
        1,
        "a cursor from before the restore still sees the new record"
    );
    assert_eq!(page.records[0].team_seq, 1002);
    let all = s.pull(t.team, 0, 1 << 20, 100).await.expect("pull");
    assert_eq!(all.records.len(), 2, "a gap in team sequences is harmless");
}

async fn after_a_restore_no_new_member_or_device_gets_a_lost_id_and_a_lost_one_can_be_asked_back(
    s: Arc<dyn Storage>,
) {
    let t = team_with_members(s.as_ref(), "R", 2).await;
    let (member, device) = t.members[1];
    let invite = |code: &'static str| {
        let s = s.clone();
        async move {
            s.create_invitation(NewInvitation {
                team_id: t.team,
                package: None,
                member_id: None,
                role: Role::Counselor,
                code_hash: hash(code),
                created_at: NOW,
                expires_at: NOW + 3600,
            })
            .await
            .expect("invitation");
        }
    };
    s.advance_team_sequences(1000, 0)
        .await
        .expect("after-restore");
    // A newcomer after the restore gets ids above every id the lost registrations could have had.
    invite("newcomer").await;
    let (fresh, _) = s
        .register(registration("newcomer", "R-new"), NOW)
        .await
        .expect("registers");
    assert!(fresh.member_id > member + 999, "{fresh:?}");
    assert!(fresh.device_id > device + 999, "{fresh:?}");
    // A device coming back asks for the ids it had: free ones are given, held ones refused.
    invite("came-back").await;
    let mut back = registration("came-back", "R-back");
    back.member_id = Some(member + 500);
    back.device.id = Some(device + 500);
    back.device.tokens = tokens(hash("token-back"), NOW + 3600);
    let (again, _) = s
        .register(back, NOW)
        .await
        .expect("registers with its old ids");
    assert_eq!(
        (again.member_id, again.device_id),
        (member + 500, device + 500)
    );
    invite("clash").await;
    let mut clash = registration("clash", "R-clash");
    clash.member_id = Some(member);
    clash.device.tokens = tokens(hash("token-clash"), NOW + 3600);
    assert!(matches!(
        s.register(clash, NOW).await,
        Err(StorageError::IdTaken)
    ));
    let taken = s
        .create_device(
            member,
            NewDevice {
                id: Some(device),
                name: "second".into(),
                join_proof: None,
                public_keys: vec![9; 64],
                tokens: tokens(hash("token-second"), NOW + 3600),
                refresh_anchor: None,
                created_at: NOW,
            },
        )
        .await;
    assert!(matches!(taken, Err(StorageError::IdTaken)), "{taken:?}");
}

async fn a_revoked_invitation_can_no_longer_be_used(s: Arc<dyn Storage>) {
    let team = s.create_team("T".into(), NOW).await.expect("team");
    let id = s
        .create_invitation(NewInvitation {
            team_id: team.id,
            package: None,
            member_id: None,
            role: Role::Counselor,
            code_hash: hash("sent-to-the-wrong-number"),
            created_at: NOW,
            expires_at: NOW + 3600,
        })
        .await
        .expect("invitation");
    let listed = s.invitations(Some(team.id)).await.expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(
        (listed[0].id, listed[0].role, listed[0].used_at),
        (id, Role::Counselor, None)
    );
    s.revoke_invitation(id, NOW).await.expect("revoke");
    let late = s
        .register(registration("sent-to-the-wrong-number", "x"), NOW)
        .await;
    assert!(
        matches!(late, Err(StorageError::InvitationExpired)),
        "a revoked code is refused: {late:?}"
    );
    let missing = s.revoke_invitation(id + 100, NOW).await;
    assert!(
        matches!(missing, Err(StorageError::NotFound(_))),
        "{missing:?}"
    );
    assert!(s
        .invitations(Some(team.id + 1))
        .await
        .expect("list")
        .is_empty());
}

async fn organisation_settings_only_move_forward_under_the_registered_key(s: Arc<dyn Storage>) {
    let upload = |key: u8, version, may_register| OrgSettingsUpload {
        key: [key; 32],
        version,
        signed: format!("signed v{version} by {key}").into_bytes(),
        may_register,
    };
    let early = s.put_org_settings(upload(1, 1, true)).await;
    assert!(matches!(early, Err(StorageError::NotFound(_))), "{early:?}");
    s.init_org("Rumah Teduh".into(), NOW).await.expect("org");
    assert_eq!(
        s.org_documents().await.expect("docs"),
        Default::default(),
        "nothing registered yet"
    );
    let member = s.put_org_settings(upload(1, 1, false)).await;
    assert!(
        matches!(member, Err(StorageError::OrgKeyUnknown)),
        "only an administrator's device registers the key: {member:?}"
    );
    s.put_org_settings(upload(1, 1, true))
        .await
        .expect("registers and stores");
    let other = s.put_org_settings(upload(2, 5, true)).await;
    assert!(
        matches!(other, Err(StorageError::OrgKeyMismatch)),
        "another key cannot take over: {other:?}"
    );
    let replay = s.put_org_settings(upload(1, 1, false)).await;
    assert!(
        matches!(replay, Err(StorageError::SettingsNotNewer { current: 1 })),
        "{replay:?}"
    );
    s.put_org_settings(upload(1, 2, false))
        .await
        .expect("a member's device gives back a newer one");
    let docs = s.org_documents().await.expect("docs");
    assert_eq!(docs.org_key, Some([1; 32]));
    assert_eq!(docs.settings.as_deref(), Some(&b"signed v2 by 1"[..]));
    s.replace_org_key(Some([2; 32])).await.expect("operator");
    let docs = s.org_documents().await.expect("docs");
    assert_eq!(
        (docs.org_key, docs.settings),
        (Some([2; 32]), None),
        "the operator's reset forgets what the old key signed"
    );
    s.put_org_settings(upload(2, 1, false))
        .await
        .expect("the new key's first version");
}

async fn the_mailbox_keeps_a_day_s_quota_per_sender_and_forgets_old_messages(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 3).await;
    let (d0, d1, d2) = (t.members[0].1, t.members[1].1, t.members[2].1);
    let month_ago = NOW - 31 * 24 * 3600;
    s.post_messages(t.team, d1, vec![(d0, b"lama".to_vec())], month_ago)
        .await
        .expect("an old message");
    let hundred = |r: u64| (0..100).map(|i| (r, vec![i as u8])).collect::<Vec<_>>();
    s.post_messages(t.team, d1, hundred(d0), NOW)
        .await
        .expect("100");
    s.post_messages(t.team, d1, hundred(d0), NOW)
        .await
        .expect("200");
    let full = s.post_messages(t.team, d1, vec![(d0, vec![1])], NOW).await;
    assert!(
        matches!(full, Err(StorageError::MailboxFull)),
        "a day's quota from one sender to one recipient: {full:?}"
    );
    s.post_messages(t.team, d2, vec![(d0, vec![2])], NOW)
        .await
        .expect("another sender still reaches her");
    s.post_messages(t.team, d1, vec![(d2, vec![3])], NOW)
        .await
        .expect("and the same sender another recipient");
    s.post_messages(t.team, d1, vec![(d0, vec![4])], NOW + 86_401)
        .await
        .expect("the next day");
    let inbox = s.messages(t.team, d0, 0, 1000).await.expect("inbox");
    assert!(
        inbox.iter().all(|m| m.2 != b"lama".to_vec()),
        "a month-old message is gone"
    );
    assert_eq!(inbox.len(), 202);
}
