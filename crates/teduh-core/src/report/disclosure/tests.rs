use super::*;
use std::collections::BTreeSet;

fn table(id: &'static str, population: Option<Population>, rows: &[(&str, u64)]) -> CountTable {
    CountTable {
        id,
        rows: rows.iter().map(|(k, n)| (k.to_string(), *n)).collect(),
        population,
    }
}

fn printed(t: &PublishedTable) -> Vec<(String, String)> {
    t.rows.iter().map(|(k, s)| (k.clone(), s.text())).collect()
}

fn pairs(rows: &[(&str, &str)]) -> Vec<(String, String)> {
    rows.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_count_under_five_is_printed_as_less_than_five_and_zero_as_zero() {
    let out = protect(&[table(
        "kategori",
        None,
        &[("a", 0), ("b", 1), ("c", 4), ("d", 5), ("e", 31)],
    )]);
    assert_eq!(
        printed(&out[0]),
        pairs(&[
            ("a", "0"),
            ("b", "<5"),
            ("c", "<5"),
            ("d", "5"),
            ("e", "31")
        ]),
        "1 to 4 hide the few people behind them; 0 and 5 or more are printed"
    );
    assert_eq!(out[0].total, None, "overlapping rows publish no total");
}

#[test]
fn a_small_count_masks_the_two_smallest_visible_counts_so_the_total_does_not_give_it_away() {
    let out = protect(&[table(
        "sex",
        Some("clients"),
        &[
            ("female", 3),
            ("male", 12),
            ("unspecified", 0),
            ("other", 40),
        ],
    )]);
    assert_eq!(
        printed(&out[0]),
        pairs(&[
            ("female", "<5"),
            ("male", "s"),
            ("unspecified", "0"),
            ("other", "s")
        ]),
        "55 - 40 - 12 would give the 3 away"
    );
    assert_eq!(out[0].total, Some(Shown::Count(55)));
    assert!(pinned_cells(&out).is_empty());
}

#[test]
fn two_small_counts_that_must_both_be_one_are_protected_too() {
    // Printing 30 would leave 2 for two cells of at least 1 each: both 1.
    let out = protect(&[table(
        "t",
        Some("clients"),
        &[("a", 1), ("b", 1), ("c", 30)],
    )]);
    assert_eq!(
        printed(&out[0]),
        pairs(&[("a", "<5"), ("b", "<5"), ("c", "s")])
    );
    assert!(pinned_cells(&out).is_empty());
}

#[test]
fn the_reader_side_check_finds_what_primary_suppression_alone_leaves_open() {
    // Published naively, with "<5" only: the check must catch it, or it proves nothing.
    let naive = PublishedTable {
        id: "sex".into(),
        population: Some("clients".into()),
        rows: vec![
            ("female".into(), Shown::Small),
            ("male".into(), Shown::Count(12)),
        ],
        total: Some(Shown::Count(15)),
        withheld: false,
    };
    assert_eq!(
        pinned_cells(&[naive]),
        vec![("sex".to_string(), "female".to_string())],
        "15 - 12 = 3"
    );
}

#[test]
fn a_population_under_five_is_not_broken_down() {
    let out = protect(&[
        table("sex", Some("clients"), &[("female", 3), ("male", 0)]),
        table("age", Some("clients"), &[("0-5", 1), ("18-59", 2)]),
    ]);
    for t in &out {
        assert!(
            t.withheld && t.rows.is_empty(),
            "{}: no breakdown of 3 people",
            t.id
        );
        assert_eq!(t.total, Some(Shown::Small));
    }
}

#[test]
fn a_table_that_would_still_give_a_small_count_away_is_not_broken_down() {
    // Sex: 4 + 4 of 8 pins both cells (8 - 4), and there is nothing visible to mask.
    let out = protect(&[
        table("sex", Some("clients"), &[("female", 4), ("male", 4)]),
        table("age", Some("clients"), &[("6-12", 0), ("18-59", 8)]),
    ]);
    assert!(out[0].withheld && out[0].rows.is_empty());
    assert_eq!(
        out[0].total,
        Some(Shown::Count(8)),
        "the total still prints"
    );
    assert_eq!(printed(&out[1]), pairs(&[("6-12", "0"), ("18-59", "8")]));
    assert!(pinned_cells(&out).is_empty());
}

#[test]
fn a_table_that_does_not_add_up_to_its_population_is_no_line() {
    let out = protect(&[
        table("sex", Some("clients"), &[("female", 6), ("male", 9)]),
        table("odd", Some("clients"), &[("x", 2), ("y", 20)]),
    ]);
    assert_eq!(out[0].total, Some(Shown::Count(15)));
    assert_eq!(
        out[1].total, None,
        "22 is not the 15 clients: no shared total"
    );
    assert_eq!(printed(&out[1]), pairs(&[("x", "<5"), ("y", "20")]));
}

/// A brute-force reader: every value each hidden cell can take, given the printed figures, the
/// rule's bounds and the totals equal across a population's tables, up to `cap`.
fn values_a_reader_allows(
    tables: &[&PublishedTable],
    cap: u64,
) -> (Vec<Vec<BTreeSet<u64>>>, BTreeSet<u64>) {
    fn fill(
        hidden: &[(u64, u64)],
        rest: u64,
        at: usize,
        chosen: &mut Vec<u64>,
        out: &mut Vec<Vec<u64>>,
    ) {
        if at == hidden.len() {
            if rest == 0 {
                out.push(chosen.clone());
            }
            return;
        }
        let (lo, hi) = hidden[at];
        for v in lo..=hi.min(rest) {
            chosen.push(v);
            fill(hidden, rest - v, at + 1, chosen, out);
            chosen.pop();
        }
    }
    let mut seen: Vec<Vec<BTreeSet<u64>>> = tables
        .iter()
        .map(|t| vec![BTreeSet::new(); t.rows.len()])
        .collect();
    let mut totals = BTreeSet::new();
    let (t_lo, t_hi) = tables[0].total.map_or((0, cap), |s| s.bounds());
    for total in t_lo..=t_hi.min(cap) {
        let mut per_table = Vec::new();
        for t in tables {
            let visible: u64 = t.rows.iter().filter_map(|(_, s)| s.count()).sum();
            let hidden: Vec<(u64, u64)> = t
                .rows
                .iter()
                .filter(|(_, s)| s.count().is_none())
                .map(|(_, s)| s.bounds())
                .collect();
            let mut out = Vec::new();
            if total >= visible {
                fill(&hidden, total - visible, 0, &mut Vec::new(), &mut out);
            }
            per_table.push(out);
        }
        if per_table.iter().any(Vec::is_empty) {
            continue; // this total is impossible
        }
        totals.insert(total);
        for (ti, (t, assignments)) in tables.iter().zip(&per_table).enumerate() {
            for a in assignments {
                let mut k = 0;
                for (ri, (_, s)) in t.rows.iter().enumerate() {
                    if s.count().is_none() {
                        seen[ti][ri].insert(a[k]);
                        k += 1;
                    }
                }
            }
        }
    }
    (seen, totals)
}

#[test]
fn no_hidden_count_can_be_worked_out_from_the_published_totals_by_trying_every_value() {
    // A small deterministic generator: many tables with small counts, shared populations.
    let mut state = 0x5eed_u64;
    let mut next = |n: u64| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) % n
    };
    let mut masked = 0;
    for case in 0..400 {
        let rows = 2 + next(3) as usize;
        let first: Vec<u64> = (0..rows)
            .map(|_| if next(3) == 0 { next(16) } else { next(5) })
            .collect();
        let total: u64 = first.iter().sum();
        // A second split of the same population: cut the total at random points.
        let mut cuts: Vec<u64> = (0..rows - 1).map(|_| next(total + 1)).collect();
        cuts.sort_unstable();
        let mut second = Vec::new();
        let mut last = 0;
        for c in cuts.iter().chain(std::iter::once(&total)) {
            second.push(c - last);
            last = *c;
        }
        let keys = ["a", "b", "c", "d", "e"];
        let mk = |id, counts: &[u64]| CountTable {
            id,
            rows: counts
                .iter()
                .zip(keys)
                .map(|(n, k)| (k.to_string(), *n))
                .collect(),
            population: Some("p"),
        };
        let published = protect(&[mk("one", &first), mk("two", &second)]);
        assert!(
            pinned_cells(&published).is_empty(),
            "case {case}: {published:?}"
        );
        let open: Vec<&PublishedTable> = published.iter().filter(|t| !t.withheld).collect();
        if open.is_empty() {
            continue;
        }
        let (allowed, totals) = values_a_reader_allows(&open, 60);
        for (t, cells) in open.iter().zip(&allowed) {
            for ((key, s), values) in t.rows.iter().zip(cells) {
                if s.count().is_none() {
                    masked += usize::from(*s == Shown::Masked);
                    assert!(
                        values.len() >= 2,
                        "case {case}: {}.{key} can only be {values:?} in {published:?}",
                        t.id
                    );
                }
            }
        }
        if open[0].total.is_some_and(|s| s.count().is_none()) {
            assert!(
                totals.len() >= 2,
                "case {case}: the hidden total can only be {totals:?}"
            );
        }
    }
    assert!(
        masked > 20,
        "the cases must exercise secondary masking, got {masked}"
    );
}

/// A reader who knows the rule runs it backwards: every input that prints the same as this one
/// is possible, nothing else. No hidden cell may have one value across all of them.
#[test]
fn a_reader_who_runs_the_rule_backwards_pins_no_hidden_count() {
    use std::collections::BTreeMap;
    for rows in [3usize, 4] {
        let max = if rows == 3 { 14 } else { 9 };
        let mut by_print: BTreeMap<String, Vec<Vec<u64>>> = BTreeMap::new();
        let mut raw = vec![0u64; rows];
        loop {
            let keys = ["a", "b", "c", "d"];
            let t = CountTable {
                id: "t",
                rows: raw
                    .iter()
                    .zip(keys)
                    .map(|(n, k)| (k.to_string(), *n))
                    .collect(),
                population: Some("p"),
            };
            let out = protect(&[t]);
            by_print
                .entry(format!("{out:?}"))
                .or_default()
                .push(raw.clone());
            // Next input, like an odometer.
            let mut i = 0;
            while i < rows && raw[i] == max {
                raw[i] = 0;
                i += 1;
            }
            if i == rows {
                break;
            }
            raw[i] += 1;
        }
        let mut checked = 0;
        for (print, inputs) in &by_print {
            let first = &inputs[0];
            let out = protect(&[CountTable {
                id: "t",
                rows: first
                    .iter()
                    .zip(["a", "b", "c", "d"])
                    .map(|(n, k)| (k.to_string(), *n))
                    .collect(),
                population: Some("p"),
            }]);
            let t = &out[0];
            // Only prints whose every input was tried: a total above the inputs' range could
            // also come from inputs this loop never made.
            if t.withheld || t.total.and_then(Shown::count).is_none_or(|n| n > max) {
                continue;
            }
            for (i, (_, s)) in t.rows.iter().enumerate() {
                if s.count().is_some() {
                    continue;
                }
                checked += 1;
                let values: std::collections::BTreeSet<u64> = inputs.iter().map(|x| x[i]).collect();
                assert!(
                    values.len() >= 2,
                    "{rows} rows: cell {i} of {print} can only be {values:?} (inputs {inputs:?})"
                );
            }
        }
        assert!(
            checked > 100,
            "{rows} rows: hidden cells were checked ({checked})"
        );
    }
}
