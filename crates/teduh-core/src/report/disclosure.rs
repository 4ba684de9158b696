//! Small-count protection of published statistics: which counts a monthly report may print and
//! which it hides, so that nobody reading it can single out the few people behind a small count,
//! neither from the cell itself nor by subtracting the visible cells from a total.
//!
//! The rule (docs/decisions/0010-reports.md states it for readers of the report):
//!
//! 1. **Primary.** A count of 1 to 4 ([`SMALL`] − 1) is printed as "<5" ([`Shown::Small`]). Zero is
//!    printed: an empty category names nobody.
//! 2. **Lines.** A table whose rows split one population (each client, session or contact in
//!    exactly one row) publishes that population's total; the total and the rows are a line:
//!    the hidden cells add up to the total minus the visible ones. Tables that split the same
//!    population ([`CountTable::population`]) share one total, printed once or hidden in all of
//!    them. A table whose rows overlap (a client in two categories) publishes no total and is
//!    not a line.
//! 3. **A reader's bounds.** From the rule alone a reader knows a "<5" cell is 1 to 4 and a
//!    masked cell ([`Shown::Masked`], "s") is at least 5.
//! 4. **Secondary.** A table with a "<5" cell also masks its two smallest visible non-zero
//!    counts. The choice depends on what is printed only: masking "until nothing can be pinned"
//!    would let a reader who knows the rule run it backwards (that the masking went on is itself
//!    a fact about the hidden values).
//! 5. **Last resort, and small populations.** A table that still lets a reader pin a figure from
//!    the totals is not broken down (its rows are withheld); a population of 1 to 4 is not
//!    broken down at all and its total prints "<5". Otherwise totals are printed.
//! 6. **Order.** Rows are printed in a fixed order (the table's categories, then by key), never
//!    by count: an order by size would tell which hidden cell is larger.
//!
//! [`pinned_cells`] is the reader's side: from the published figures alone it lists every hidden
//! cell a reader can pin down. [`protect`] publishes nothing it lists (tests check it against a
//! brute-force reader that tries every value).
//!
//! Not covered, and said in the decision: differences between two reports over overlapping
//! periods, and knowledge from outside the report.

use std::collections::BTreeMap;

use serde::Serialize;

/// The smallest count printed as it is.
pub const SMALL: u64 = 5;

/// A population whose members a table counts; tables of one population share its total.
pub type Population = &'static str;

/// One table of counts before protection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTable {
    /// Stable id (the XLSX sheet, the CSV's table column).
    pub id: &'static str,
    /// Each row's key and count, in print order.
    pub rows: Vec<(String, u64)>,
    /// The population these rows split, each member in exactly one row; `None` when rows
    /// overlap (then no total is published and the table is no line).
    pub population: Option<Population>,
}

impl CountTable {
    fn total(&self) -> u64 {
        self.rows.iter().map(|(_, n)| n).sum()
    }
}

/// How a count is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "shown", content = "count", rename_all = "snake_case")]
pub enum Shown {
    /// The count itself.
    Count(#[cfg_attr(feature = "ts", ts(type = "number"))] u64),
    /// "<5": a count from 1 to 4.
    Small,
    /// "s": a count of 5 or more hidden so that a small count elsewhere cannot be worked out.
    Masked,
}

impl Shown {
    /// The count, when printed.
    pub fn count(self) -> Option<u64> {
        match self {
            Shown::Count(n) => Some(n),
            _ => None,
        }
    }

    /// The printed text: the number, "<5" or "s".
    pub fn text(self) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::Small => format!("<{SMALL}"),
            Shown::Masked => "s".into(),
        }
    }

    /// What a reader knows of a hidden cell from the rule alone: its lowest and highest value.
    fn bounds(self) -> (u64, u64) {
        match self {
            Shown::Count(n) => (n, n),
            Shown::Small => (1, SMALL - 1),
            Shown::Masked => (SMALL, u64::MAX),
        }
    }
}

/// A table as published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct PublishedTable {
    /// The table's id.
    pub id: String,
    /// The population its rows split, if they do.
    pub population: Option<String>,
    /// Each row's key and what is printed for it; empty when the breakdown is withheld.
    pub rows: Vec<(String, Shown)>,
    /// The population's total, for a table whose rows split one (else `None`).
    pub total: Option<Shown>,
    /// The breakdown is not printed (a population under 5, or the last resort of rule 4).
    pub withheld: bool,
}

/// The printed value of a count before secondary masking: the count, or "<5" for 1 to 4.
fn primary(n: u64) -> Shown {
    if n > 0 && n < SMALL {
        Shown::Small
    } else {
        Shown::Count(n)
    }
}

/// A figure a reader can pin to one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pinned {
    /// Row `row` of the group's table `table`.
    Cell { table: usize, row: usize },
    /// The population's hidden total.
    Total,
}

/// What a reader can work out of one population's tables from the printed figures and the
/// rule's bounds. Exact: for a fixed total the tables are independent lines, and each hidden
/// cell's range moves monotonically with the total, so the total's range is the intersection
/// of what each table allows, and a cell's range follows from the total's ends.
fn first_pinned(tables: &[&[Shown]], total: Shown) -> Option<Pinned> {
    let sums = |cells: &[Shown]| {
        let visible: u64 = cells.iter().filter_map(|c| c.count()).sum();
        let hidden: Vec<(usize, (u64, u64))> = cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.count().is_none())
            .map(|(i, c)| (i, c.bounds()))
            .collect();
        (visible, hidden)
    };
    let add = |a: u64, b: u64| a.saturating_add(b);
    let (mut lo, mut hi) = total.bounds();
    for cells in tables {
        let (visible, hidden) = sums(cells);
        lo = lo.max(hidden.iter().fold(visible, |s, (_, b)| add(s, b.0)));
        hi = hi.min(hidden.iter().fold(visible, |s, (_, b)| add(s, b.1)));
    }
    if total.count().is_none() && lo >= hi {
        return Some(Pinned::Total);
    }
    for (table, cells) in tables.iter().enumerate() {
        let (visible, hidden) = sums(cells);
        for (row, (cell_lo, cell_hi)) in &hidden {
            let others = hidden.iter().filter(|(j, _)| j != row).map(|(_, b)| *b);
            let (others_lo, others_hi) =
                others.fold((0, 0), |(l, h), b| (add(l, b.0), add(h, b.1)));
            let can_lo = (*cell_lo).max(lo.saturating_sub(add(visible, others_hi)));
            let can_hi = (*cell_hi).min(hi.saturating_sub(add(visible, others_lo)));
            if can_lo >= can_hi {
                return Some(Pinned::Cell { table, row: *row });
            }
        }
    }
    None
}

/// Publishes `tables` under the rule in this module's documentation.
///
/// Tables sharing a population must agree on its total (each member in exactly one row); a
/// table that disagrees is published as if its rows overlapped (no total, no line), which only
/// hides more.
pub fn protect(tables: &[CountTable]) -> Vec<PublishedTable> {
    let mut groups: BTreeMap<Population, (u64, Vec<usize>)> = BTreeMap::new();
    for (i, t) in tables.iter().enumerate() {
        if let Some(p) = t.population {
            let (total, members) = groups.entry(p).or_insert((t.total(), Vec::new()));
            if *total == t.total() {
                members.push(i);
            }
        }
    }
    let mut cells: Vec<Vec<Shown>> = tables
        .iter()
        .map(|t| t.rows.iter().map(|(_, n)| primary(*n)).collect())
        .collect();
    let mut withheld = vec![false; tables.len()];
    let mut totals: BTreeMap<Population, Shown> = BTreeMap::new();
    for (population, (total, members)) in &groups {
        let mut shown = Shown::Count(*total);
        if (1..SMALL).contains(total) {
            // Rule 5: a population under 5 is not broken down at all.
            shown = primary(*total);
            members.iter().for_each(|m| withheld[*m] = true);
        }
        // Rule 4, decided by what is printed only: a table with a "<5" masks its two smallest
        // visible counts, whatever they are. Masking "until nothing is pinned" would tell the
        // reader that something was pinned before, which is itself a fact about the values.
        for m in members {
            if withheld[*m] || !cells[*m].contains(&Shown::Small) {
                continue;
            }
            let mut visible: Vec<(u64, usize)> = tables[*m]
                .rows
                .iter()
                .enumerate()
                .filter(|(i, (_, n))| *n > 0 && cells[*m][*i].count().is_some())
                .map(|(i, (_, n))| (*n, i))
                .collect();
            visible.sort_unstable();
            for (_, i) in visible.into_iter().take(2) {
                cells[*m][i] = Shown::Masked;
            }
        }
        // Rule 5: a table that still lets a reader pin a figure is not broken down.
        loop {
            let open: Vec<usize> = members.iter().copied().filter(|m| !withheld[*m]).collect();
            let view: Vec<&[Shown]> = open.iter().map(|m| cells[*m].as_slice()).collect();
            match first_pinned(&view, shown) {
                None => break,
                Some(Pinned::Cell { table, .. }) => withheld[open[table]] = true,
                // The total is printed unless it is under 5 (and then nothing is broken down).
                Some(Pinned::Total) => open.iter().for_each(|m| withheld[*m] = true),
            }
        }
        totals.insert(population, shown);
    }
    tables
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let population = t
                .population
                .filter(|p| groups.get(p).is_some_and(|(_, m)| m.contains(&i)));
            PublishedTable {
                id: t.id.to_string(),
                population: population.map(str::to_string),
                rows: if withheld[i] {
                    Vec::new()
                } else {
                    t.rows
                        .iter()
                        .map(|(k, _)| k.clone())
                        .zip(cells[i].iter().copied())
                        .collect()
                },
                total: population.map(|p| totals[p]),
                withheld: withheld[i],
            }
        })
        .collect()
}

/// A figure a reader of `published` can pin to one value in each population where there is
/// one, as (table id, row key), or
/// (population, "total") for a hidden total: the check of [`protect`] from the reader's side,
/// from what is printed only.
pub fn pinned_cells(published: &[PublishedTable]) -> Vec<(String, String)> {
    let mut groups: BTreeMap<&str, Vec<&PublishedTable>> = BTreeMap::new();
    for t in published {
        if let (Some(p), false) = (&t.population, t.withheld) {
            groups.entry(p.as_str()).or_default().push(t);
        }
    }
    let mut out = Vec::new();
    for (population, members) in groups {
        let Some(total) = members[0].total else {
            continue;
        };
        let cells: Vec<Vec<Shown>> = members
            .iter()
            .map(|t| t.rows.iter().map(|(_, s)| *s).collect())
            .collect();
        let view: Vec<&[Shown]> = cells.iter().map(Vec::as_slice).collect();
        match first_pinned(&view, total) {
            None => {}
            Some(Pinned::Total) => out.push((population.to_string(), "total".to_string())),
            Some(Pinned::Cell { table, row }) => {
                out.push((
                    members[table].id.clone(),
                    members[table].rows[row].0.clone(),
                ));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
