use crate::vault::fixtures::{client, vault, PASS};
use chrono::Utc;

use super::*;
use crate::domain::NoteDraft;

/// A vault whose log ends with six access entries (records 3..=8 after the client and its
/// key), all chained as a sync would chain them; returns the vault and the last sequence.
fn six_openings(dir: &std::path::Path) -> (Vault, ClientId, u64) {
    let mut v = vault(dir);
    let c = client(&mut v, "AU-1");
    for i in 0..6u8 {
        let note = v
            .add_note(
                c,
                &NoteDraft {
                    zone: "Asia/Jakarta".into(),
                    narrative: format!("sesi {i}"),
                    ..NoteDraft::default()
                },
            )
            .expect("note");
        assert!(v
            .record_access(c, AccessAction::OpenedNote, note.into())
            .expect("entry"));
    }
    let last = v.log_len().expect("len");
    super::super::checkpoints::extend_chains(
        v.store.connection(),
        &v.ident.team,
        &v.ident.device,
        u64::MAX,
    )
    .expect("chained");
    (v, c, last)
}

/// What an attacker with the database file does: triggers first.
fn tamper(v: &Vault, sql: &str) {
    let conn = v.store.connection();
    conn.execute_batch("DROP TRIGGER IF EXISTS record_log_no_update")
        .expect("drop");
    conn.execute_batch(sql).expect("tampered");
}

fn breaks_of_own(v: &mut Vault) -> Vec<ChainBreak> {
    let me = v.ident.device;
    let chains = v.verify_logs(Utc::now()).expect("verified");
    chains
        .into_iter()
        .find(|c| c.device == me)
        .expect("own log")
        .breaks
}

fn access_seqs(v: &Vault) -> Vec<u64> {
    v.store
        .connection()
        .prepare("SELECT seq FROM record_log WHERE kind = 'access' ORDER BY seq")
        .expect("q")
        .query_map([], |r| r.get::<_, i64>(0))
        .expect("rows")
        .map(|s| u64::try_from(s.expect("seq")).expect("u64"))
        .collect()
}

#[test]
fn an_opening_is_one_entry_in_the_clients_trail_however_often_it_is_reread() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let c = client(&mut v, "AU-2");
    assert!(v
        .record_access(c, AccessAction::OpenedProfile, c.into())
        .expect("first"));
    assert!(
        !v.record_access(c, AccessAction::OpenedProfile, c.into())
            .expect("reload"),
        "a reload is the same opening"
    );
    assert!(v
        .record_access(c, AccessAction::Printed, c.into())
        .expect("print"));
    let log = v.access_log(c).expect("log");
    assert_eq!(log.iter().map(|e| e.action).collect::<Vec<_>>().len(), 2);
    assert!(log
        .iter()
        .all(|e| e.by == Some(v.member_id()) && e.device == v.device_id()));
    assert!(log.iter().any(|e| e.action == AccessAction::Printed));
    assert!(log[0].at >= log[1].at, "newest first");
    // After a lock the next opening is a new one.
    v.lock();
    v.unlock(PASS).expect("unlock");
    assert!(v
        .record_access(c, AccessAction::OpenedProfile, c.into())
        .expect("again"));
    assert!(breaks_of_own(&mut v).is_empty(), "an untouched log holds");
}

#[test]
fn a_deleted_entry_in_the_middle_or_at_the_end_is_found() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut v, _, last) = six_openings(dir.path());
    let middle = access_seqs(&v)[2];
    tamper(&v, &format!("DELETE FROM record_log WHERE seq = {middle}"));
    assert_eq!(
        breaks_of_own(&mut v),
        vec![ChainBreak::Missing {
            from: middle,
            to: middle
        }]
    );

    let dir = tempfile::tempdir().expect("dir");
    let (mut v, _, last2) = six_openings(dir.path());
    assert_eq!(last, last2);
    tamper(&v, &format!("DELETE FROM record_log WHERE seq = {last}"));
    assert_eq!(
        breaks_of_own(&mut v),
        vec![ChainBreak::Missing {
            from: last,
            to: last
        }],
        "the newest, deleted"
    );
}

#[test]
fn an_altered_or_reordered_entry_no_longer_verifies() {
    let dir = tempfile::tempdir().expect("dir");
    let (mut v, _, _) = six_openings(dir.path());
    let seqs = access_seqs(&v);
    tamper(
        &v,
        &format!(
            "UPDATE record_log SET hlc = hlc + 3600000 WHERE seq = {}",
            seqs[1]
        ),
    );
    assert_eq!(
        breaks_of_own(&mut v),
        vec![ChainBreak::BadSignature { seq: seqs[1] }],
        "moved an hour later"
    );

    let dir = tempfile::tempdir().expect("dir");
    let (mut v, _, _) = six_openings(dir.path());
    let seqs = access_seqs(&v);
    let (a, b) = (seqs[3], seqs[4]);
    tamper(
        &v,
        &format!(
            "UPDATE record_log SET seq = 1000000 WHERE seq = {a};
             UPDATE record_log SET seq = {a} WHERE seq = {b};
             UPDATE record_log SET seq = {b} WHERE seq = 1000000;"
        ),
    );
    let breaks = breaks_of_own(&mut v);
    assert!(
        breaks.contains(&ChainBreak::BadSignature { seq: a })
            && breaks.contains(&ChainBreak::BadSignature { seq: b }),
        "{breaks:?}"
    );
}

#[test]
fn a_device_is_silent_once_the_team_wrote_on_for_a_week_without_it() {
    use chrono::Duration;
    let now = Utc::now();
    let week = Duration::days(SILENT_DAYS);
    assert!(verify::is_silent(
        now - week - Duration::hours(1),
        now,
        now,
        false
    ));
    assert!(
        !verify::is_silent(now - Duration::days(2), now, now, false),
        "two days is a weekend"
    );
    assert!(
        !verify::is_silent(now - week * 2, now - week * 2, now, false),
        "nobody wrote: a quiet team"
    );
    assert!(
        !verify::is_silent(now - week * 2, now, now, true),
        "a revoked device is expected to be silent"
    );
}

#[test]
fn received_access_records_of_the_wrong_shape_are_refused() {
    let me = MemberId::from_server(4);
    let mut fields = Map::new();
    fields.insert(AUTHOR.into(), json!(me));
    fields.insert(ACTION.into(), json!(AccessAction::OpenedProfile));
    fields.insert(ENTITY.into(), json!(EntityId::random()));
    fields.insert(AT.into(), json!(Utc::now()));
    assert_eq!(shape_refusal(Op::Create, &fields), None);
    assert!(
        shape_refusal(Op::Update, &fields).is_some(),
        "never changed"
    );
    let mut extra = fields.clone();
    extra.insert("narrative".into(), json!("disembunyikan di jejak audit"));
    assert!(
        shape_refusal(Op::Create, &extra).is_some(),
        "nothing else rides in an entry"
    );
    fields.remove(AT);
    assert!(shape_refusal(Op::Create, &fields).is_some());
}
