use crate::vault::fixtures::vault;
use chrono::Duration;

use super::*;
use crate::breach::DataCategory;

fn incident(aware: DateTime<Utc>) -> Breach {
    Breach {
        aware_at: Some(aware),
        occurred_at: None,
        what_happened: "Ponsel relawan hilang di angkot (sintetis)".into(),
        categories: vec![DataCategory::HotlineContacts, DataCategory::Children],
        clients: vec!["K-7".into()],
        people: 3,
        measures: "Perangkat dicabut dari tim, kata sandi diganti".into(),
        contact: "Koordinator (sintetis), 0800-000-000".into(),
    }
}

#[test]
fn an_incident_entered_late_counts_from_awareness_and_each_notice_is_recorded_once() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    // Known 60 hours ago, entered now: 12 hours left, not 72.
    let aware = Utc::now() - Duration::hours(60);
    let id = v.add_breach(&incident(aware)).expect("registered");
    let view = v.breach(id).expect("read");
    assert_eq!(view.deadline, aware + Duration::hours(72));
    assert!(
        (11 * 60..=12 * 60).contains(&view.minutes_left),
        "{}",
        view.minutes_left
    );
    assert_eq!(view.standing, BreachStanding::Open);
    assert!(view.entered_at.is_some_and(|e| e > aware));

    v.record_breach_notice(id, Recipient::Persons, Utc::now())
        .expect("the people are told");
    assert_eq!(v.breach(id).expect("read").standing, BreachStanding::Open);
    let again = v.record_breach_notice(id, Recipient::Persons, Utc::now());
    assert!(matches!(again, Err(VaultError::InvalidInput(m)) if m.contains("recorded")));
    let early = v.record_breach_notice(id, Recipient::Authority, aware - Duration::hours(1));
    assert!(
        matches!(early, Err(VaultError::InvalidInput(_))),
        "{early:?}"
    );
    v.record_breach_notice(id, Recipient::Authority, Utc::now())
        .expect("the authority is told");
    let view = v.breach(id).expect("read");
    assert_eq!(view.standing, BreachStanding::NotifiedInTime);
    assert!(!view.is_open());
    assert_eq!(v.breaches().expect("all").len(), 1);
}

#[test]
fn an_incident_without_what_happened_or_in_the_future_is_refused_and_nothing_is_stored() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let mut blank = incident(Utc::now());
    blank.what_happened = "  ".into();
    let future = incident(Utc::now() + Duration::hours(2));
    for b in [blank, future] {
        assert!(matches!(v.add_breach(&b), Err(VaultError::InvalidInput(_))));
    }
    assert!(v.breaches().expect("none").is_empty());
}

#[test]
fn receivers_refuse_a_registration_with_a_notice_and_any_other_change() {
    let fields = |pairs: &[(&str, Value)]| -> Map<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    };
    let mut created = to_fields(&incident(Utc::now())).expect("fields");
    created.insert(AUTHOR.into(), json!(MemberId::from_server(1)));
    created.insert(ENTERED_AT.into(), json!(Utc::now()));
    assert_eq!(shape_refusal(Op::Create, &created), None);
    let mut noticed = created.clone();
    noticed.insert(PERSONS_AT.into(), json!(Utc::now()));
    assert!(shape_refusal(Op::Create, &noticed).is_some());

    let notice = fields(&[
        (AUTHORITY_AT, json!(Utc::now())),
        (AUTHORITY_BY, json!(MemberId::from_server(1))),
    ]);
    assert_eq!(shape_refusal(Op::Update, &notice), None);
    // Moving the awareness time later to buy a day.
    let moved = fields(&[("aware_at", json!(Utc::now()))]);
    assert!(shape_refusal(Op::Update, &moved).is_some());
    let both = fields(&[
        (AUTHORITY_AT, json!(Utc::now())),
        (AUTHORITY_BY, json!(MemberId::from_server(1))),
        ("people", json!(1)),
    ]);
    assert!(shape_refusal(Op::Update, &both).is_some());
}
