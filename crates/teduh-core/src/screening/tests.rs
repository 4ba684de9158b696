use super::*;

fn answers(inst: Instrument, values: &[u8]) -> ScreeningAnswers {
    ScreeningAnswers {
        instrument: inst,
        answers: answers_in_order(inst, values).expect("right number of answers"),
        administered_at: None,
        administered_by: None,
        language: "id".into(),
    }
}

#[test]
fn item_ids_are_unique_and_counts_match_the_instruments() {
    for (inst, n) in [
        (Instrument::Srq20, 20),
        (Instrument::Phq9, 9),
        (Instrument::Gad7, 7),
        (Instrument::K10, 10),
    ] {
        let items = inst.items();
        assert_eq!(items.len(), n, "{inst:?} has {n} items");
        let mut ids: Vec<_> = items.iter().map(|i| i.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), n, "{inst:?} item ids must be unique");
        assert!(
            items
                .iter()
                .all(|i| !i.text_id.is_empty() && !i.text_en.is_empty()),
            "{inst:?} items need both languages"
        );
    }
}

#[test]
fn phq9_bands_follow_the_published_cut_points() {
    let cases = [
        (0, Band::Minimal),
        (4, Band::Minimal),
        (5, Band::Mild),
        (9, Band::Mild),
        (10, Band::Moderate),
        (14, Band::Moderate),
        (15, Band::ModeratelySevere),
        (19, Band::ModeratelySevere),
        (20, Band::Severe),
        (24, Band::Severe),
    ];
    for (total, band) in cases {
        // Spread the total over items 1-8 only, so item 9 (a red flag) stays 0.
        let mut v = [0u8; 9];
        let mut left = total;
        for x in v.iter_mut().take(8) {
            *x = left.min(3);
            left -= *x;
        }
        let r = score(&answers(Instrument::Phq9, &v), &ScoringConfig::default())
            .expect("valid answers");
        assert_eq!(
            (r.total, r.band),
            (u32::from(total), band),
            "PHQ-9 total {total}"
        );
        assert!(r.red_flags.is_empty(), "no red flag without item 9");
    }
}

#[test]
fn phq9_item_nine_is_a_red_flag_even_with_a_low_total() {
    let r = score(
        &answers(Instrument::Phq9, &[0, 0, 0, 0, 0, 0, 0, 0, 1]),
        &ScoringConfig::default(),
    )
    .expect("valid answers");
    assert_eq!(r.band, Band::Minimal, "total 1 is minimal");
    assert_eq!(
        r.red_flags,
        vec![PHQ9_SELF_HARM.to_owned()],
        "item 9 > 0 flags"
    );
    assert!(r.flagged, "a red flag always flags the result");
}

#[test]
fn gad7_bands_change_at_five_ten_and_fifteen() {
    for (v, band) in [
        ([0u8, 0, 0, 0, 0, 0, 4 - 4], Band::Minimal),
        ([3, 2, 0, 0, 0, 0, 0], Band::Mild),
        ([3, 3, 3, 1, 0, 0, 0], Band::Moderate),
        ([3, 3, 3, 3, 3, 0, 0], Band::Severe),
    ] {
        let r = score(&answers(Instrument::Gad7, &v), &ScoringConfig::default())
            .expect("valid answers");
        assert_eq!(r.band, band, "GAD-7 answers {v:?}");
    }
}

#[test]
fn k10_scores_one_to_five_and_bands_change_at_sixteen_twenty_two_and_thirty() {
    for (total, band, flagged) in [
        (10u8, Band::Low, false),
        (15, Band::Low, false),
        (16, Band::Moderate, false),
        (21, Band::Moderate, false),
        (22, Band::High, true),
        (29, Band::High, true),
        (30, Band::VeryHigh, true),
        (50, Band::VeryHigh, true),
    ] {
        // Every item at least 1 ("none of the time"), the rest spread from the first item.
        let mut v = [1u8; 10];
        let mut left = total - 10;
        for x in &mut v {
            let more = left.min(4);
            *x += more;
            left -= more;
        }
        let r =
            score(&answers(Instrument::K10, &v), &ScoringConfig::default()).expect("valid answers");
        assert_eq!(
            (r.total, r.band, r.flagged),
            (u32::from(total), band, flagged),
            "K10 total {total}"
        );
        assert!(r.red_flags.is_empty(), "K10 has no red-flag item");
    }
    assert!(
        !Instrument::K10.attribution().is_empty()
            && Instrument::K10.attribution().contains("Kessler"),
        "K10 is credited to its author"
    );
}

#[test]
fn a_k10_answer_of_zero_is_not_an_option() {
    let r = score(
        &answers(Instrument::K10, &[0, 1, 1, 1, 1, 1, 1, 1, 1, 1]),
        &ScoringConfig::default(),
    );
    assert_eq!(
        r,
        Err(ScreeningError::OutOfRange {
            item: "k10.01".into(),
            value: 0
        }),
        "K10 answers run from 1 (none of the time) to 5"
    );
}

#[test]
fn srq20_flags_at_the_configurable_cutoff_and_on_suicidal_thoughts() {
    let mut v = [0u8; 20];
    v[..6].fill(1);
    let six = answers(Instrument::Srq20, &v);
    assert!(
        score(&six, &ScoringConfig::default())
            .expect("valid")
            .flagged,
        "6 yes answers reach the default cut-off"
    );
    assert!(
        !score(&six, &ScoringConfig { srq20_cutoff: 8 })
            .expect("valid")
            .flagged,
        "with a cut-off of 8, six answers do not flag"
    );
    let mut only17 = [0u8; 20];
    only17[16] = 1;
    let r = score(
        &answers(Instrument::Srq20, &only17),
        &ScoringConfig::default(),
    )
    .expect("valid");
    assert_eq!(r.total, 1, "one yes");
    assert_eq!(
        r.red_flags,
        vec![SRQ20_SUICIDAL_THOUGHTS.to_owned()],
        "item 17 is a red flag"
    );
    assert!(
        r.flagged,
        "thoughts of ending one's life flag whatever the total"
    );
}

#[test]
fn incomplete_or_out_of_range_answers_are_refused() {
    assert!(
        answers_in_order(Instrument::Gad7, &[0; 6]).is_err(),
        "six answers for seven items"
    );
    let bad = answers(Instrument::Srq20, &[2; 20]);
    assert!(
        matches!(
            score(&bad, &ScoringConfig::default()),
            Err(ScreeningError::OutOfRange { .. })
        ),
        "SRQ-20 is yes/no only"
    );
    let mut unknown = answers(Instrument::Gad7, &[0; 7]);
    unknown.answers.insert("gad7.99".into(), 0);
    assert!(
        matches!(
            score(&unknown, &ScoringConfig::default()),
            Err(ScreeningError::UnknownItem(_))
        ),
        "unknown item ids are refused"
    );
}
