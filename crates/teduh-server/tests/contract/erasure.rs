//! The storage contract of erasure (issue 26): a record is replaced only by its own tombstone,
//! all or nothing, and never comes back.

use std::sync::Arc;

use sha2::{Digest as _, Sha256};
use teduh_protocol::sync::Record;
use teduh_protocol::tombstone::Tombstone;
use teduh_server::storage::StorageError;
use teduh_server::Storage;

use super::{rec, team_with_members, MAX_HLC};

/// A format-4 body: its first byte, a stand-in sealed header, `payload` and zero padding.
fn sealed(tag: u8, payload: &[u8]) -> Vec<u8> {
    let mut b = vec![0x44];
    b.extend((0..132u8).map(|i| i ^ tag));
    b.extend_from_slice(payload);
    b.extend([0u8; 11]);
    b
}

fn tombstone(tag: u8, payload: &[u8]) -> Vec<u8> {
    Tombstone::encode(
        &sealed(tag, payload)[..133],
        &Sha256::digest(payload).into(),
    )
}

fn stored_payloads(page: &teduh_protocol::sync::PullPage) -> Vec<(u64, Vec<u8>)> {
    page.records
        .iter()
        .map(|r| (r.record.device_seq, r.record.payload.clone()))
        .collect()
}

pub(crate) async fn only_its_own_tombstone_replaces_a_record_all_or_nothing(s: Arc<dyn Storage>) {
    let t = team_with_members(s.as_ref(), "T", 2).await;
    let (d, other) = (t.members[0].1, t.members[1].1);
    let bodies: Vec<Vec<u8>> = (1..=3u8)
        .map(|i| [b"catatan sintetis ".as_slice(), &[i; 40]].concat())
        .collect();
    let page: Vec<Record> = (1..=3u8)
        .map(|i| rec(d, u64::from(i), &sealed(i, &bodies[usize::from(i) - 1])))
        .collect();
    s.push(t.team, d, page.clone(), MAX_HLC)
        .await
        .expect("push");
    let tomb = |i: u8| rec(d, u64::from(i), &tombstone(i, &bodies[usize::from(i) - 1]));

    // A forged tombstone (another digest) in the same page: nothing changes.
    let mut forged = tomb(2);
    *forged.payload.last_mut().expect("digest") ^= 1;
    let refused = s.erase_records(t.team, vec![tomb(1), forged]).await;
    assert!(
        matches!(
            refused,
            Err(StorageError::NotItsTombstone { device_seq: 2, .. })
        ),
        "{refused:?}"
    );
    // Nor does another record's tombstone, or one named under another team.
    let swapped = rec(d, 3, &tombstone(1, &bodies[0]));
    assert!(s.erase_records(t.team, vec![swapped]).await.is_err());
    // (Unbounded, as a test's oracle asks: no maximum wraps to a negative SQL limit.)
    let pulled = s
        .pull(t.team, 0, usize::MAX, usize::MAX)
        .await
        .expect("pull");
    assert_eq!(
        stored_payloads(&pulled),
        page.iter()
            .map(|r| (r.device_seq, r.payload.clone()))
            .collect::<Vec<_>>(),
        "a refused request changes nothing"
    );
    let elsewhere = team_with_members(s.as_ref(), "U", 1).await;
    let absent = s
        .erase_records(elsewhere.team, vec![tomb(1)])
        .await
        .expect("another team");
    assert_eq!((absent.erased, absent.absent), (0, 1));

    // The genuine ones replace their records; again, they are already there.
    let done = s
        .erase_records(
            t.team,
            vec![tomb(1), tomb(2), rec(other, 9, &tombstone(9, b"x"))],
        )
        .await
        .expect("erased");
    assert_eq!((done.erased, done.already, done.absent), (2, 0, 1));
    let again = s.erase_records(t.team, vec![tomb(1)]).await.expect("again");
    assert_eq!((again.erased, again.already), (0, 1));
    let pulled = stored_payloads(&s.pull(t.team, 0, 1 << 20, 100).await.expect("pull"));
    assert_eq!(pulled[0], (1, tomb(1).payload));
    assert_eq!(pulled[1], (2, tomb(2).payload));
    assert_eq!(pulled[2], (3, page[2].payload.clone()), "the others stay");
    for (seq, payload) in &pulled[..2] {
        assert!(
            !payload.windows(17).any(|w| w == b"catatan sintetis "),
            "record {seq}: nothing of the body is served"
        );
    }
}

pub(crate) async fn an_author_pushing_a_tombstone_erases_and_a_full_re_send_never_restores(
    s: Arc<dyn Storage>,
) {
    let t = team_with_members(s.as_ref(), "T", 1).await;
    let d = t.members[0].1;
    let body = b"badan catatan sintetis".to_vec();
    let full = rec(d, 1, &sealed(1, &body));
    s.push(t.team, d, vec![full.clone()], MAX_HLC)
        .await
        .expect("push");
    // Its author erased it after sending it: the tombstone replaces it.
    let tomb = rec(d, 1, &tombstone(1, &body));
    let out = s
        .push(t.team, d, vec![tomb.clone()], MAX_HLC)
        .await
        .expect("a tombstone of the stored record");
    assert_eq!((out.stored, out.contiguous_seq), (0, 1));
    // The full record sent again (a lost answer) is a re-send, and the body stays gone.
    s.push(t.team, d, vec![full], MAX_HLC)
        .await
        .expect("a re-send");
    // A record first sent as its tombstone (erased before it was pushed) is stored so.
    let later = rec(d, 2, &tombstone(2, b"never sent in full"));
    let out = s
        .push(t.team, d, vec![later.clone()], MAX_HLC)
        .await
        .expect("new");
    assert_eq!((out.stored, out.contiguous_seq), (1, 2));
    let pulled = stored_payloads(&s.pull(t.team, 0, 1 << 20, 100).await.expect("pull"));
    assert_eq!(pulled, vec![(1, tomb.payload), (2, later.payload)]);
    // Anything else under the place is still a fork.
    let other = rec(d, 1, &tombstone(7, b"another body"));
    assert!(matches!(
        s.push(t.team, d, vec![other], MAX_HLC).await,
        Err(StorageError::Fork { device_seq: 1 })
    ));
}
