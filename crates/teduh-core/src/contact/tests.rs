use super::*;
use crate::team::settings::OrgSettings;

fn categories() -> Vec<Category> {
    OrgSettings::initial("Org").taxonomies.contact_categories
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().expect("a time")
}

fn anonymous_call() -> ContactEntry {
    ContactEntry {
        started_at: Some(at("2026-12-05T14:00:00Z")),
        ended_at: Some(at("2026-12-05T14:12:00Z")),
        categories: vec!["psychosocial-distress".into()],
        ..ContactEntry::default()
    }
}

#[test]
fn every_way_of_writing_an_indonesian_mobile_number_becomes_one() {
    for written in [
        "0812-3456-7890",
        "+62 812 3456 7890",
        "6281234567890",
        "812 3456 7890",
        "(0812) 3456.7890",
        "0062 812 3456 7890",
    ] {
        assert_eq!(
            normalise_number(written).as_deref(),
            Ok("6281234567890"),
            "{written}"
        );
    }
    assert_eq!(
        normalise_number("021 500 454").as_deref(),
        Ok("6221500454"),
        "a Jakarta landline keeps its area code"
    );
    assert_eq!(
        normalise_number("+65 6123 4567").as_deref(),
        Ok("6561234567"),
        "a foreign number keeps its country code"
    );
}

#[test]
fn what_is_not_a_callers_number_is_refused_with_the_reason() {
    assert_eq!(normalise_number("0812-ABC"), Err(NumberProblem::NotANumber));
    assert_eq!(normalise_number("119"), Err(NumberProblem::WrongLength));
    assert_eq!(
        normalise_number("0812345678901234567"),
        Err(NumberProblem::WrongLength)
    );
    assert_eq!(normalise_number(""), Err(NumberProblem::WrongLength));
}

#[test]
fn an_anonymous_contact_needs_only_its_start() {
    let now = at("2026-12-05T15:00:00Z");
    assert_eq!(anonymous_call().check(now, &categories()), Ok(()));
    let bare = ContactEntry {
        started_at: Some(at("2026-12-05T14:00:00Z")),
        ..ContactEntry::default()
    };
    assert_eq!(bare.check(now, &categories()), Ok(()), "still going on");
    assert_eq!(
        ContactEntry::default().check(now, &categories()),
        Err(ContactProblem::NoStart)
    );
}

#[test]
fn impossible_times_are_refused() {
    let now = at("2026-12-05T15:00:00Z");
    let future = ContactEntry {
        started_at: Some(at("2026-12-05T15:30:00Z")),
        ..anonymous_call()
    };
    assert_eq!(
        future.check(now, &categories()),
        Err(ContactProblem::StartsInFuture)
    );
    let backwards = ContactEntry {
        ended_at: Some(at("2026-12-05T13:00:00Z")),
        ..anonymous_call()
    };
    assert_eq!(
        backwards.check(now, &categories()),
        Err(ContactProblem::EndsBeforeStart)
    );
    let marathon = ContactEntry {
        started_at: Some(at("2026-12-03T10:00:00Z")),
        ..anonymous_call()
    };
    assert_eq!(
        marathon.check(now, &categories()),
        Err(ContactProblem::TooLong)
    );
}

#[test]
fn categories_come_from_the_organisations_taxonomy() {
    let now = at("2026-12-05T15:00:00Z");
    let odd = ContactEntry {
        categories: vec!["made-up".into()],
        ..anonymous_call()
    };
    assert_eq!(
        odd.check(now, &categories()),
        Err(ContactProblem::UnknownCategory("made-up".into()))
    );
}

#[test]
fn a_callback_number_needs_the_callers_consent() {
    let now = at("2026-12-05T15:00:00Z");
    let mut c = anonymous_call();
    c.callback = Some(Callback {
        due: Some(at("2026-12-06T02:00:00Z")),
        number: "0812 0000 0001".into(),
        ..Callback::default()
    });
    assert_eq!(
        c.check(now, &categories()),
        Err(ContactProblem::NumberWithoutConsent)
    );
    if let Some(cb) = c.callback.as_mut() {
        cb.number_consented = true;
    }
    assert_eq!(c.check(now, &categories()), Ok(()));
    assert!(!c.callback_overdue(now));
    assert!(c.callback_overdue(at("2026-12-06T03:00:00Z")));
}

#[test]
fn a_yes_to_the_self_harm_question_or_a_high_risk_raises_a_red_flag() {
    let mut c = anonymous_call();
    assert!(!c.red_flag());
    c.self_harm = SelfHarm::Yes;
    assert!(c.red_flag());
    c.self_harm = SelfHarm::No;
    c.risk = Some(RiskLevel::Medium);
    assert!(!c.red_flag());
    c.risk = Some(RiskLevel::High);
    assert!(c.red_flag());
}
