//! Unit tests of the storage rules (`super`): pure functions, no database.

use super::*;

fn chain_row(head: [u8; 32]) -> RefreshRow {
    RefreshRow {
        device_id: 7,
        member_id: 3,
        team_id: 1,
        role: "counselor".into(),
        refresh_head: Some(head.to_vec()),
        refresh_expires_at: 1_000,
        refresh_bootstrap_hash: None,
        revoked_at: None,
        removed_at: None,
        revoked_reason: None,
    }
}

fn presented(token: [u8; 32]) -> PresentedRefresh {
    PresentedRefresh {
        token,
        text_hash: crate::auth::sha256(&token),
    }
}

#[test]
fn a_token_ahead_of_the_head_renews_and_a_used_one_revokes() {
    use teduh_protocol::sync::refresh::{anchor, token};
    let seed = [5u8; 32];
    let (t1, t3) = (token(&seed, 1).expect("t1"), token(&seed, 3).expect("t3"));
    let step = renewal(&presented(t1), None, Some(chain_row(anchor(&seed))), 999);
    assert_eq!(
        step.expect("renews"),
        RenewStep::Renew {
            device: AuthedDevice {
                device_id: 7,
                member_id: 3,
                team_id: 1,
                role: Role::Counselor
            },
            head: t1
        }
    );
    assert!(
        matches!(renewal(&presented(t3), None, Some(chain_row(t1)), 10), Ok(RenewStep::Renew { head, .. }) if head == t3),
        "a skipped token (a lost answer, a restored server) renews"
    );
    assert!(matches!(
        renewal(&presented(t1), None, Some(chain_row(t1)), 10),
        Ok(RenewStep::Revoke(_))
    ));
    assert!(matches!(
        renewal(&presented(t1), None, Some(chain_row(t3)), 10),
        Ok(RenewStep::Revoke(_))
    ));
    assert!(matches!(
        renewal(&presented([9; 32]), None, Some(chain_row(t3)), 10),
        Err(StorageError::TokenUnknown)
    ));
    assert!(matches!(
        renewal(&presented(t3), None, Some(chain_row(t1)), 1_000),
        Err(StorageError::RefreshExpired)
    ));
}

#[test]
fn a_single_old_token_starts_a_chain_once() {
    let old = presented([4; 32]);
    let mut row = chain_row([0; 32]);
    row.refresh_head = None;
    row.refresh_bootstrap_hash = Some(old.text_hash.to_vec());
    assert!(matches!(
        renewal(&old, Some([8; 32]), Some(row), 10),
        Ok(RenewStep::Renew { head, .. }) if head == [8; 32]
    ));
    let mut started = chain_row([8; 32]);
    started.refresh_bootstrap_hash = Some(old.text_hash.to_vec());
    assert!(
        matches!(
            renewal(
                &old,
                Some([8; 32]),
                Some(chain_row([8; 32])).map(|mut r| {
                    r.refresh_bootstrap_hash = Some(old.text_hash.to_vec());
                    r
                }),
                10
            ),
            Ok(RenewStep::Renew { .. })
        ),
        "again with the same anchor: the answer was lost"
    );
    assert!(
        matches!(
            renewal(&old, Some([6; 32]), Some(started), 10),
            Ok(RenewStep::Revoke(_))
        ),
        "presented again with another chain, it was copied"
    );
}

#[test]
fn a_revoked_device_renews_nothing() {
    let mut revoked = chain_row([1; 32]);
    revoked.revoked_at = Some(5);
    assert!(matches!(
        renewal(&presented([2; 32]), None, Some(revoked), 10),
        Err(StorageError::TokenRevoked)
    ));
    let mut reused = chain_row([1; 32]);
    reused.revoked_at = Some(5);
    reused.revoked_reason = Some(REVOKED_FOR_REUSE.into());
    assert!(matches!(
        renewal(&presented([2; 32]), None, Some(reused), 10),
        Err(StorageError::TokenReused)
    ));
    assert!(matches!(
        renewal(&presented([2; 32]), None, None, 10),
        Err(StorageError::TokenUnknown)
    ));
}

fn row(team_seq: u64, payload_len: usize) -> Result<TeamRecord, StorageError> {
    Ok(TeamRecord {
        team_seq,
        record: Record {
            device_id: 1,
            device_seq: team_seq,
            key_epoch: 1,
            hlc: 1,
            payload: vec![0; payload_len],
        },
    })
}

#[test]
fn the_page_sizes_match_the_encoder() {
    assert_eq!(PullPage::default().encode().len(), PULL_PAGE_HEADER_LEN);
    let one = cut_page(0, [row(1, 100)], usize::MAX, usize::MAX).expect("page");
    assert_eq!(
        one.encode().len(),
        PULL_PAGE_HEADER_LEN + PULL_RECORD_OVERHEAD + 100
    );
}

#[test]
fn reading_one_row_past_the_bound_cuts_the_same_page_as_reading_them_all() {
    // Empty payloads are the worst case: the most records a budget can hold.
    for payload in [0, 1, 39, 40, 1000] {
        for budget in [0, 1, 56, 57, 96, 97, 4096, 65_536, 262_144] {
            for max in [0, 1, 2, 3, 100, 10_000] {
                let rows = || (1..=8_000).map(|s| row(s, payload));
                let all = cut_page(0, rows(), budget, max).expect("page");
                let bound = most_rows_in_page(budget, max);
                let read = cut_page(0, rows().take(bound + 1), budget, max).expect("page");
                assert_eq!(
                    (read.records.len(), read.more, read.next_cursor),
                    (all.records.len(), all.more, all.next_cursor),
                    "payload {payload}, budget {budget}, max {max}, bound {bound}"
                );
                assert!(all.records.len() <= bound);
            }
        }
    }
    // Tight: a 64 KB page of empty records holds exactly as many as the bound.
    let full = cut_page(0, (1..=8_000).map(|s| row(s, 0)), 65_536, 10_000).expect("page");
    assert_eq!(full.records.len(), most_rows_in_page(65_536, 10_000));
}

#[test]
fn a_page_fits_its_budget_but_always_carries_one_record() {
    let size = PULL_RECORD_OVERHEAD + 100;
    let rows = || (1..=5).map(|s| row(s, 100));
    let two = cut_page(0, rows(), PULL_PAGE_HEADER_LEN + 2 * size, 10).expect("page");
    assert_eq!((two.records.len(), two.more, two.next_cursor), (2, true, 2));
    assert!(two.encode().len() <= PULL_PAGE_HEADER_LEN + 2 * size);
    let first = cut_page(0, rows(), 1, 10).expect("page");
    assert_eq!((first.records.len(), first.more), (1, true));
    let capped = cut_page(0, rows(), usize::MAX, 3).expect("page");
    assert_eq!((capped.records.len(), capped.more), (3, true));
    let all = cut_page(0, rows(), usize::MAX, 5).expect("page");
    assert_eq!((all.records.len(), all.more), (5, false));
    let empty = cut_page(
        7,
        std::iter::empty::<Result<TeamRecord, StorageError>>(),
        1,
        1,
    )
    .expect("page");
    assert_eq!(
        (empty.records.len(), empty.more, empty.next_cursor),
        (0, false, 7)
    );
}

#[test]
fn an_older_epoch_is_stale_unless_the_record_was_written_before_a_restore() {
    use teduh_protocol::sync::hlc_from_millis;
    let at = |millis: u64, epoch: u32| Record {
        device_id: 1,
        device_seq: 1,
        key_epoch: epoch,
        hlc: hlc_from_millis(millis, 0),
        payload: vec![1],
    };
    let plan = |r: &Record, restored: Option<u64>| {
        plan_push(std::slice::from_ref(r), |_| Ok(None), 4, u64::MAX, restored)
            .map(|plan| plan.fresh.len())
    };
    let stale = |r| matches!(r, Err(StorageError::StaleKeyEpoch { .. }));
    // Never restored: an older epoch is stale, whenever the record was written.
    assert!(stale(plan(&at(1_000, 3), None)));
    // Restored at 5,000 ms: written before, it comes back as it was; written after, stale.
    assert_eq!(plan(&at(4_999, 3), Some(5_000)).expect("re-sent"), 1);
    assert!(stale(plan(&at(5_000, 3), Some(5_000))));
    // Epoch 0 is no epoch, before a restore or not.
    assert!(plan(&at(1, 0), Some(5_000)).is_err());
}

#[test]
fn envelopes_name_active_devices_once_each() {
    let active: HashSet<i64> = [1, 2].into_iter().collect();
    let env = |ids: &[u64]| ids.iter().map(|&m| (m, vec![m as u8])).collect::<Vec<_>>();
    assert_eq!(
        envelope_devices(&env(&[2, 1]), &active).expect("ok"),
        vec![2, 1]
    );
    assert!(matches!(
        envelope_devices(&env(&[1, 1]), &active),
        Err(StorageError::Invalid(_))
    ));
    assert!(matches!(
        envelope_devices(&env(&[1, 3, 3]), &active),
        Err(StorageError::NotTeamMember(3))
    ));
}
