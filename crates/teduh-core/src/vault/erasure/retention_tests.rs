//! The retention check and its approval on one device (issue 26); across devices and the
//! server in `tests/tests/erasure.rs`.

use chrono::{Duration, Utc};

use super::*;
use crate::contact::{Channel, ContactEntry};
use crate::domain::{CaseDetails, ClientProfile, NoteDraft};
use crate::team::processing::Retention;
use crate::vault::contacts::ContactInput;
use crate::vault::fixtures::vault;

fn client(v: &mut Vault, code: &str) -> ClientId {
    v.add_client(&ClientProfile {
        code: code.into(),
        name: format!("Klien Sintetis {code}"),
        ..ClientProfile::default()
    })
    .expect("client")
}

fn closed_case(v: &mut Vault, client: ClientId) {
    let case = v.open_case(client, &CaseDetails::default()).expect("case");
    v.update_case(
        case,
        &CaseDetails {
            closure_reason: Some("Tujuan tercapai (sintetis)".into()),
            ..CaseDetails::default()
        },
    )
    .expect("closed");
}

fn note(v: &mut Vault, client: ClientId, text: &str, finalised: bool) -> crate::ids::NoteId {
    let id = v
        .add_note(
            client,
            &NoteDraft {
                narrative: text.into(),
                ..NoteDraft::default()
            },
        )
        .expect("note");
    if finalised {
        v.finalise_note(id).expect("finalised");
    }
    id
}

fn contact(v: &mut Vault, days_ago: i64) -> crate::ids::ContactId {
    let start = Utc::now() - Duration::days(days_ago);
    v.add_contact(&ContactInput {
        entry: ContactEntry {
            channel: Channel::PhoneCall,
            started_at: Some(start),
            ended_at: Some(start + Duration::minutes(9)),
            summary: format!("kontak sintetis {days_ago} hari lalu"),
            ..ContactEntry::default()
        },
        caller_number: String::new(),
    })
    .expect("contact")
}

/// The sealed body of `entity`'s (one) record as this device stores it.
fn payload_of(v: &Vault, entity: EntityId) -> Vec<u8> {
    v.store
        .connection()
        .query_row(
            "SELECT payload FROM record_log WHERE entity_id = ?1",
            [&entity.0[..]],
            |r| r.get(0),
        )
        .expect("its record stays in the log")
}

fn due_ids(v: &mut Vault, at: DateTime<Utc>) -> Vec<(RecordClass, EntityId)> {
    v.retention_check_at(at)
        .expect("check")
        .due
        .iter()
        .map(|d| (d.class, d.id))
        .collect()
}

#[test]
fn the_check_lists_only_what_outlived_its_period() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let r = Retention::default();
    let closed = client(&mut v, "RT-TUTUP");
    closed_case(&mut v, closed);
    note(&mut v, closed, "Sesi penutupan (sintetis)", true);
    // One case closed and one still open: her record stays.
    let half = client(&mut v, "RT-SEBAGIAN");
    closed_case(&mut v, half);
    v.open_case(half, &CaseDetails::default()).expect("open");
    let active = client(&mut v, "RT-AKTIF");
    let draft = note(&mut v, active, "Draf yang terlupa (sintetis)", false);
    note(&mut v, active, "Catatan final (sintetis)", true);
    let old_call = contact(&mut v, i64::from(r.contact_days) + 3);
    contact(&mut v, 10);

    let now = Utc::now();
    assert_eq!(
        due_ids(&mut v, now),
        vec![(RecordClass::Contacts, old_call.into())],
        "today only the old contact"
    );
    let check = v.retention_check_at(now).expect("check");
    assert!(
        check.may_approve,
        "a device of its own is its whole service"
    );
    assert_eq!(check.retention, r);
    let item = &check.due[0];
    assert_eq!(item.subject.entity, None);
    assert_eq!(
        item.due_on,
        (item.since + Duration::days(i64::from(r.contact_days))).date_naive()
    );
    // The contact's day where it was taken (WIB by default), not in UTC: the two differ from
    // 17.00 UTC on.
    let local_day = item
        .since
        .with_timezone(&crate::team::settings::Zone::default().offset())
        .date_naive();
    assert_eq!(item.subject.code, local_day.to_string());

    // The draft's period ends first, then the closed case's; the open case never.
    let after_drafts = now + Duration::days(i64::from(r.draft_days) + 1);
    assert_eq!(
        due_ids(&mut v, after_drafts),
        vec![
            (RecordClass::Contacts, old_call.into()),
            (RecordClass::Drafts, draft.into()),
        ]
    );
    let after_cases = now + Duration::days(i64::from(r.closed_case_days) + 1);
    let due = due_ids(&mut v, after_cases);
    assert!(due.contains(&(RecordClass::ClosedCases, closed.into())));
    assert!(!due.iter().any(|(_, id)| *id == EntityId::from(half)));
    assert!(!due.iter().any(|(_, id)| *id == EntityId::from(active)));
}

#[test]
fn an_approved_draft_goes_alone_and_its_client_stays() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let active = client(&mut v, "RT-DRAF");
    let draft = note(
        &mut v,
        active,
        "Draf lama yang harus hilang (sintetis)",
        false,
    );
    let kept = note(&mut v, active, "Catatan final yang tetap (sintetis)", true);
    let body = payload_of(&v, draft.into());
    let later = Utc::now() + Duration::days(400);
    let erasures = v
        .approve_retention_at(RecordClass::Drafts, &[draft.into()], later)
        .expect("approved");
    assert_eq!(erasures.len(), 1);
    assert!(v.note(draft).is_err(), "the draft is gone");
    assert!(v.note(kept).is_ok(), "her finalised note stays");
    assert!(v.client(active).is_ok(), "she stays");
    let stored = payload_of(&v, draft.into());
    assert!(stored.is_empty() && !body.is_empty(), "its body is erased");
    v.verify_erased_records()
        .expect("its header still verifies");
    v.check_consistency().expect("the log and the tables agree");
    assert!(due_ids(&mut v, later).is_empty(), "nothing is due any more");
    let view = v.erasure(erasures[0]).expect("view");
    assert_eq!(
        view.cause,
        ErasureCause::Retention {
            class: RecordClass::Drafts
        }
    );
    assert_eq!(view.subjects[0].entity, Some(draft.into()));
    assert_eq!(view.subjects[0].code, "RT-DRAF");
    // A rebuild from the log brings nothing of it back.
    v.rebuild().expect("rebuilt");
    assert!(v.note(draft).is_err());
    assert!(v.note(kept).is_ok());
}

#[test]
fn a_closed_case_and_an_old_contact_are_destroyed_whole() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let closed = client(&mut v, "RT-SELESAI");
    closed_case(&mut v, closed);
    note(&mut v, closed, "Sesi terakhir (sintetis)", true);
    let other = client(&mut v, "RT-LAIN");
    let old_call = contact(&mut v, 800);
    let recent = contact(&mut v, 2);
    let later = Utc::now() + Duration::days(5 * 365 + 2);
    v.approve_retention_at(RecordClass::ClosedCases, &[closed.into()], later)
        .expect("closed cases");
    v.approve_retention_at(RecordClass::Contacts, &[old_call.into()], Utc::now())
        .expect("contacts");
    assert!(v.is_erased(closed).expect("read"));
    assert!(v.client(closed).is_err());
    assert!(v.client(other).is_ok());
    assert!(v.contact(old_call).is_err(), "the old contact is gone");
    assert!(v.contact(recent).is_ok(), "the recent one stays");
    let listed = v.contacts(&Default::default()).expect("list");
    assert_eq!(listed.total, 1, "the list shows only the recent contact");
    assert_eq!(v.erasures().expect("register").len(), 2);
    v.check_consistency().expect("the log and the tables agree");
}

#[test]
fn only_what_is_due_is_destroyed_and_nothing_without_a_choice() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let closed = client(&mut v, "RT-BELUM");
    closed_case(&mut v, closed);
    let recent = contact(&mut v, 2);
    let now = Utc::now();
    for (class, chosen) in [
        (RecordClass::ClosedCases, vec![EntityId::from(closed)]),
        (RecordClass::Contacts, vec![recent.into()]),
        // Due under another class is not due under this one.
        (RecordClass::Drafts, vec![closed.into()]),
        (RecordClass::Contacts, vec![]),
    ] {
        assert!(
            matches!(
                v.approve_retention_at(class, &chosen, now),
                Err(VaultError::InvalidInput(_))
            ),
            "{class:?} {chosen:?}"
        );
    }
    assert!(v.client(closed).is_ok() && v.contact(recent).is_ok());
    assert!(v.erasures().expect("register").is_empty());
}
