use super::*;
use crate::ids::ConsentId;

#[test]
fn a_referral_may_record_that_the_client_did_not_come_or_the_partner_was_unreachable() {
    use ReferralStatus::{Accepted, Completed, Declined, NoShow, PartnerUnreachable, Sent};
    let cases = [
        (Sent, NoShow, true, "the client never arrived"),
        (
            Accepted,
            NoShow,
            true,
            "accepted, then the client did not come",
        ),
        (
            Sent,
            PartnerUnreachable,
            true,
            "nobody answers at the partner",
        ),
        (PartnerUnreachable, Sent, true, "reached later: sent again"),
        (
            PartnerUnreachable,
            Accepted,
            true,
            "reached later and accepted",
        ),
        (NoShow, Accepted, true, "the client came after all"),
        (NoShow, Completed, true, "handled after all"),
        (Completed, NoShow, false, "a completed referral is closed"),
        (
            Declined,
            PartnerUnreachable,
            false,
            "a declined referral is closed",
        ),
        (
            Accepted,
            PartnerUnreachable,
            false,
            "an accepting partner was reached",
        ),
    ];
    for (from, to, want, why) in cases {
        assert_eq!(from.can_become(to), want, "{from:?} -> {to:?}: {why}");
    }
    assert!(
        !NoShow.is_closed() && !PartnerUnreachable.is_closed(),
        "both still need the counselor's follow-up"
    );
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid test date")
}

#[test]
fn a_client_is_a_child_until_the_eighteenth_birthday() {
    let p = ClientProfile {
        birth_date: Some(date(2008, 6, 15)),
        ..ClientProfile::default()
    };
    assert_eq!(
        p.is_child(date(2026, 6, 14)),
        Some(true),
        "one day before 18"
    );
    assert_eq!(
        p.is_child(date(2026, 6, 15)),
        Some(false),
        "on the 18th birthday"
    );
}

#[test]
fn an_estimated_age_decides_when_the_birth_date_is_unknown() {
    let p = ClientProfile {
        estimated_age: Some(12),
        ..ClientProfile::default()
    };
    assert_eq!(
        p.is_child(date(2026, 1, 1)),
        Some(true),
        "estimated 12 is a child"
    );
    assert_eq!(
        ClientProfile::default().is_child(date(2026, 1, 1)),
        None,
        "unknown age must be asked, not assumed adult"
    );
}

#[test]
fn an_estimated_age_grows_from_the_day_it_was_given() {
    let p = ClientProfile {
        estimated_age: Some(17),
        estimated_age_on: Some(date(2026, 1, 10)),
        ..ClientProfile::default()
    };
    assert_eq!(p.age_on(date(2026, 12, 31)), Some(17), "still 17 that year");
    assert_eq!(
        p.is_child(date(2027, 1, 9)),
        Some(true),
        "a day short of a year"
    );
    assert_eq!(
        p.is_child(date(2027, 1, 10)),
        Some(false),
        "a child estimated at 17 is an adult a year later"
    );
    assert_eq!(p.age_on(date(2031, 3, 1)), Some(22));
    assert_eq!(
        p.check_age(date(2026, 1, 9)),
        Err(AgeProblem::EstimateDateInFuture(date(2026, 1, 10))),
        "an estimate cannot be given on a day still to come"
    );
}

#[test]
fn impossible_birth_dates_and_ages_are_refused_with_their_reason() {
    let today = date(2026, 6, 1);
    let born = |d| ClientProfile {
        birth_date: Some(d),
        ..ClientProfile::default()
    };
    let aged = |a| ClientProfile {
        estimated_age: Some(a),
        ..ClientProfile::default()
    };
    let cases = [
        (
            born(date(2030, 8, 15)),
            Err(AgeProblem::BirthDateInFuture(date(2030, 8, 15))),
            "the issue's 15/08/2030",
        ),
        (
            born(date(2026, 6, 2)),
            Err(AgeProblem::BirthDateInFuture(date(2026, 6, 2))),
            "tomorrow",
        ),
        (born(date(2026, 6, 1)), Ok(()), "born today"),
        (
            born(date(1900, 1, 1)),
            Err(AgeProblem::BirthDateTooOld(date(1900, 1, 1))),
            "126 years old",
        ),
        (born(date(1906, 6, 1)), Ok(()), "exactly 120"),
        (
            aged(150),
            Err(AgeProblem::EstimatedAgeImpossible(150)),
            "150 for 15",
        ),
        (
            aged(121),
            Err(AgeProblem::EstimatedAgeImpossible(121)),
            "just above",
        ),
        (aged(120), Ok(()), "the limit itself"),
        (aged(0), Ok(()), "a baby"),
        (
            ClientProfile::default(),
            Ok(()),
            "unknown age is asked elsewhere",
        ),
    ];
    for (p, want, why) in cases {
        assert_eq!(p.check_age(today), want, "{why}");
    }
}

#[test]
fn a_child_consents_through_a_guardian_with_assent_or_on_a_lawful_basis_with_a_reason() {
    use ConsentGiver::{Guardian, NoGuardian, Parent, SelfGiven};
    use ConsentProblem::*;
    let consent = |by, name: &str, assent, basis, reason: &str| Consent {
        given_by: by,
        giver_name: name.into(),
        child_assent: assent,
        lawful_basis: basis,
        basis_reason: reason.into(),
        ..Consent::default()
    };
    let vital = LawfulBasis::VitalInterest;
    let by_consent = LawfulBasis::Consent;
    let cases = [
        // A child.
        (
            Some(true),
            consent(SelfGiven, "Budi", Some(true), by_consent, ""),
            Err(ChildAlone),
            "the issue's 15-year-old alone",
        ),
        (
            Some(true),
            consent(Parent, "Ibu Sari", Some(true), by_consent, ""),
            Ok(()),
            "a parent, the child agrees",
        ),
        (
            Some(true),
            consent(Guardian, "Pak RT", Some(false), by_consent, ""),
            Ok(()),
            "the child's no is recorded, not a block",
        ),
        (
            Some(true),
            consent(Parent, " ", Some(true), by_consent, ""),
            Err(GiverNameMissing),
            "which parent",
        ),
        (
            Some(true),
            consent(Parent, "Ibu Sari", None, by_consent, ""),
            Err(AssentMissing),
            "assent beside it",
        ),
        (
            Some(true),
            consent(
                NoGuardian,
                "",
                Some(true),
                vital,
                "anak jalanan, orang tua tidak diketahui",
            ),
            Ok(()),
            "a street child is not blocked",
        ),
        (
            Some(true),
            consent(NoGuardian, "", Some(true), by_consent, "anak jalanan"),
            Err(BasisNeeded),
            "nobody consented",
        ),
        (
            Some(true),
            consent(NoGuardian, "", Some(true), vital, " "),
            Err(ReasonNeeded),
            "why no guardian",
        ),
        (
            Some(true),
            consent(NoGuardian, "", None, vital, "anak jalanan"),
            Err(AssentMissing),
            "assent still recorded",
        ),
        // An adult.
        (
            Some(false),
            consent(SelfGiven, "", None, by_consent, ""),
            Ok(()),
            "an adult herself",
        ),
        (
            Some(false),
            consent(Guardian, "Wali", None, by_consent, ""),
            Ok(()),
            "an adult under guardianship",
        ),
        (
            Some(false),
            consent(NoGuardian, "", None, vital, "x"),
            Err(NotAChild),
            "no guardian is for children",
        ),
        // Age not recorded: nobody may assume an adult.
        (
            None,
            consent(SelfGiven, "", None, by_consent, ""),
            Err(AgeUnknown),
            "ask the age",
        ),
        (
            None,
            consent(Parent, "Ibu Sari", Some(true), by_consent, ""),
            Ok(()),
            "a parent is fine either way",
        ),
    ];
    for (child, c, want, why) in cases {
        assert_eq!(c.check_for(child), want, "{why}");
    }
}

#[test]
fn a_withdrawal_says_when_and_why_and_happens_once() {
    let now = Utc::now();
    let w = |at, reason: &str| ConsentWithdrawal {
        withdrawn_at: at,
        reason: reason.into(),
    };
    let record = ConsentRecord {
        id: ConsentId([1; 16]),
        consent: Consent::default(),
        withdrawals: vec![],
    };
    assert_eq!(
        w(Some(now), "klien pindah kota").check_against(&record),
        Ok(())
    );
    assert_eq!(
        w(None, "klien pindah kota").check_against(&record),
        Err(WithdrawalProblem::WhenMissing),
        "when"
    );
    assert_eq!(
        w(Some(now), "  ").check_against(&record),
        Err(WithdrawalProblem::ReasonMissing),
        "why"
    );
    let withdrawn = ConsentRecord {
        withdrawals: vec![w(Some(now), "sudah")],
        ..record
    };
    assert_eq!(
        w(Some(now), "lagi").check_against(&withdrawn),
        Err(WithdrawalProblem::AlreadyWithdrawn),
        "given -> withdrawn, once"
    );
}

#[test]
fn zone_names_are_checked_for_the_iana_shape() {
    for ok in [
        "",
        "UTC",
        "Asia/Jakarta",
        "Asia/Makassar",
        "America/Argentina/Salta",
    ] {
        assert!(is_plausible_iana_zone(ok), "{ok:?} is a valid zone name");
    }
    for bad in ["WITA", "+8", "asia/jakarta", "Asia/", "Asia/Jak arta"] {
        assert!(!is_plausible_iana_zone(bad), "{bad:?} must be refused");
    }
}

#[test]
fn indonesian_zones_get_their_labels() {
    assert_eq!(zone_label("Asia/Jakarta"), Some("WIB"), "western zone");
    assert_eq!(zone_label("Asia/Makassar"), Some("WITA"), "central zone");
    assert_eq!(zone_label("Asia/Jayapura"), Some("WIT"), "eastern zone");
    assert_eq!(zone_label("Europe/Paris"), None, "others have no label");
}

#[test]
fn a_purpose_stops_only_when_every_record_naming_it_is_withdrawn() {
    let record = |purposes: &[&str], withdrawn: bool| ConsentRecord {
        id: crate::ids::ConsentId::random(),
        consent: Consent {
            purposes: purposes.iter().map(|p| p.to_string()).collect(),
            ..Consent::default()
        },
        withdrawals: if withdrawn {
            vec![ConsentWithdrawal::default()]
        } else {
            Vec::new()
        },
    };
    let given = record(&[purpose::SERVICE, purpose::STATISTICS], false);
    let withdrawn = record(&[purpose::SERVICE, purpose::STATISTICS], true);
    assert!(!purpose_stopped(&[], purpose::STATISTICS), "never asked");
    assert!(!purpose_stopped(
        std::slice::from_ref(&given),
        purpose::STATISTICS
    ));
    assert!(purpose_stopped(
        std::slice::from_ref(&withdrawn),
        purpose::STATISTICS
    ));
    assert!(
        !purpose_stopped(&[withdrawn.clone(), given], purpose::STATISTICS),
        "given again"
    );
    let other_basis = record(&[purpose::STATISTICS], false);
    assert!(!purpose_stopped(
        &[withdrawn.clone(), other_basis],
        purpose::STATISTICS
    ));
    assert!(
        !purpose_stopped(&[withdrawn], purpose::REFERRAL),
        "a purpose it never named"
    );
}
