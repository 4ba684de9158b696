use crate::vault::fixtures::{client, vault};
use chrono::{Duration, DurationRound, Utc};

use super::*;
use crate::request::{IdentityCheck, Outcome, RefusalGround, RequestKind, Requester};
use crate::vault::VaultError;

fn access(received: DateTime<Utc>) -> DataRequest {
    DataRequest {
        kind: RequestKind::Access,
        received_at: Some(received),
        identity: IdentityCheck::IdentityCard,
        details: "Meminta salinan catatan sesi.".into(),
        ..DataRequest::default()
    }
}

fn hour() -> DateTime<Utc> {
    Utc::now().duration_trunc(Duration::hours(1)).expect("hour")
}

#[test]
fn a_request_is_registered_with_its_deadline_and_answered_once() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let c = client(&mut v, "R-1");
    let received = hour() - Duration::hours(5);
    let id = v.add_request(c, &access(received)).expect("registered");

    let view = v.request(id).expect("read");
    assert_eq!(view.client_code, "R-1");
    assert_eq!(view.deadline, received + Duration::hours(72));
    assert_eq!(view.standing, Standing::Open);
    assert!(
        (66 * 60 - 1..=67 * 60).contains(&view.minutes_left),
        "{}",
        view.minutes_left
    );
    assert_eq!(view.entered_by, Some(v.member_id()));
    assert_eq!(
        view.request.handler,
        Some(v.member_id()),
        "the one who registers handles it"
    );
    assert_eq!(v.open_requests().expect("open").len(), 1);

    let answer = RequestAnswer {
        answered_at: Some(Utc::now()),
        outcome: Outcome::PartlyGranted,
        text: "Salinan diberikan; catatan tentang pihak ketiga disamarkan.".into(),
        grounds: vec![RefusalGround::RevealsOthersData],
    };
    v.answer_request(id, &answer).expect("answered");
    let view = v.request(id).expect("read");
    assert_eq!(view.answer.as_ref(), Some(&answer));
    assert_eq!(view.answered_by, Some(v.member_id()));
    assert_eq!(view.standing, Standing::AnsweredInTime);
    assert!(
        v.open_requests().expect("open").is_empty(),
        "an answered request is closed"
    );

    let again = v.answer_request(id, &answer).expect_err("one answer");
    assert!(
        matches!(again, VaultError::InvalidInput(ref m) if m.contains("answered")),
        "{again:?}"
    );
    assert_eq!(
        v.request(id).expect("read").answer,
        Some(answer),
        "the first answer stays"
    );
}

#[test]
fn a_request_entered_late_counts_from_its_receipt_and_can_be_overdue_at_once() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let c = client(&mut v, "R-2");
    // A letter read four days ago and entered today: overdue the moment it is entered.
    let late = v
        .add_request(c, &access(hour() - Duration::days(4)))
        .expect("late");
    // One received two days ago: about a day left, not three.
    let recent = v
        .add_request(c, &access(hour() - Duration::days(2)))
        .expect("recent");
    let open = v.open_requests().expect("open");
    assert_eq!(
        open.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![late, recent],
        "nearest deadline first"
    );
    assert_eq!(open[0].standing, Standing::Overdue);
    assert!(open[0].minutes_left < 0);
    assert!(open[0].entered_at.expect("entered") > open[0].request.received_at.expect("received"));
    assert!(
        (23 * 60..=24 * 60).contains(&open[1].minutes_left),
        "{}",
        open[1].minutes_left
    );
}

#[test]
fn a_device_clock_hours_off_still_shows_the_true_time_left() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let c = client(&mut v, "R-3");
    let received = hour() - Duration::hours(10);
    let id = v.add_request(c, &access(received)).expect("registered");
    let true_left = v.request(id).expect("read").minutes_left;
    // The server's clock is three hours behind this laptop's, then three hours ahead (the
    // correction a sync keeps): the time left is the true time left, by the server's clock.
    for offset_hours in [-3i64, 3] {
        v.set_clock_offset_ms(offset_hours * 3_600_000)
            .expect("offset");
        let left = v.request(id).expect("read").minutes_left;
        assert!(
            (left - (true_left - offset_hours * 60)).abs() <= 1,
            "offset {offset_hours} h: {left} vs {true_left}"
        );
    }
    // A receipt time "in the future" by the laptop's own clock but not by the corrected one is
    // taken; one in the future by the corrected clock is refused, and nothing is written.
    v.set_clock_offset_ms(2 * 3_600_000).expect("offset");
    let ahead = Utc::now() + Duration::hours(1);
    v.add_request(c, &access(ahead))
        .expect("within the corrected now");
    v.set_clock_offset_ms(0).expect("offset");
    let err = v
        .add_request(c, &access(Utc::now() + Duration::hours(1)))
        .expect_err("future");
    assert!(
        matches!(err, VaultError::InvalidInput(ref m) if m.contains("future")),
        "{err:?}"
    );
    assert_eq!(v.requests_of(c).expect("list").len(), 2);
}

#[test]
fn bad_requests_and_answers_are_refused_and_write_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let c = client(&mut v, "R-4");
    let by_guardian = DataRequest {
        requester: Requester::Guardian,
        ..access(hour())
    };
    assert!(matches!(
        v.add_request(c, &by_guardian),
        Err(VaultError::InvalidInput(_))
    ));
    assert!(v.requests_of(c).expect("list").is_empty());
    let unchecked = v
        .add_request(
            c,
            &DataRequest {
                identity: IdentityCheck::NotYet,
                ..access(hour())
            },
        )
        .expect("registered before the identity is checked");
    let grant = RequestAnswer {
        answered_at: Some(Utc::now()),
        outcome: Outcome::Granted,
        text: "Salinan diberikan.".into(),
        grounds: vec![],
    };
    let err = v
        .answer_request(unchecked, &grant)
        .expect_err("identity first");
    assert!(
        matches!(err, VaultError::InvalidInput(ref m) if m.contains("identity")),
        "{err:?}"
    );
    assert!(v.request(unchecked).expect("read").answer.is_none());
    let unknown = RequestId::random();
    assert!(matches!(
        v.answer_request(unknown, &grant),
        Err(VaultError::NotFound { .. })
    ));
}

#[test]
fn received_request_records_of_the_wrong_shape_are_refused() {
    let now = json!(Utc::now());
    let mut create = to_fields(&access(Utc::now())).expect("fields");
    create.insert(ENTERED_AT.into(), now.clone());
    assert_eq!(shape_refusal(Op::Create, &create), None);
    let mut answered = create.clone();
    answered.insert(ANSWER.into(), json!({"answered_at": now, "text": "x"}));
    assert!(
        shape_refusal(Op::Create, &answered).is_some(),
        "registered already answered"
    );
    let mut no_receipt = create.clone();
    no_receipt.insert("received_at".into(), Value::Null);
    assert!(shape_refusal(Op::Create, &no_receipt).is_some());
    let mut moved = Map::new();
    moved.insert("received_at".into(), now.clone());
    assert!(
        shape_refusal(Op::Update, &moved).is_some(),
        "the receipt time is never moved later"
    );
    let mut answer = Map::new();
    answer.insert(
        ANSWER.into(),
        json!({"answered_at": now, "outcome": "granted", "text": "x"}),
    );
    assert_eq!(shape_refusal(Op::Update, &answer), None);
}
