//! National holidays and cuti bersama, for entries that close on them.
//!
//! The list travels in the bundle ([`crate::bundle::Bundle::holidays`]) so an admin can add a
//! year or a date moved by the government without an app update; the seed carries the current
//! and the next year. Each date names its source.
//!
//! Cuti bersama (collective leave of civil servants, set with the holidays by the joint decree of
//! three ministers) counts as a day off for entries that close on holidays: government offices,
//! which are most entries with office hours, close on it. The UI says which kind of day it is,
//! so a counselor can still try a service that keeps a duty roster. See `docs/directory.md`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What kind of day off a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayKind {
    /// A national holiday (hari libur nasional).
    National,
    /// Cuti bersama: collective leave set with the national holidays.
    CutiBersama,
}

/// One day off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// The date (the same everywhere in Indonesia).
    pub date: NaiveDate,
    /// Its name in Bahasa Indonesia ("Idul Fitri 1447 Hijriah").
    pub name: String,
    /// National holiday or cuti bersama.
    pub kind: HolidayKind,
    /// The decree or publication that sets the date.
    pub source: String,
}

/// The day off on `date`, if any (a national holiday wins over cuti bersama on the same date).
pub fn holiday_on(holidays: &[Holiday], date: NaiveDate) -> Option<&Holiday> {
    holidays
        .iter()
        .filter(|h| h.date == date)
        .min_by_key(|h| match h.kind {
            HolidayKind::National => 0,
            HolidayKind::CutiBersama => 1,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

    fn seed_holidays() -> Vec<Holiday> {
        crate::seed::seed_bundle()
            .holidays
            .expect("the seed ships a holiday list")
    }

    #[test]
    fn the_seed_lists_2026_and_2027_and_every_date_names_its_source() {
        let holidays = seed_holidays();
        for year in [2026, 2027] {
            assert!(
                holidays.iter().any(|h| h.date.year() == year),
                "no holidays for {year}"
            );
        }
        for h in &holidays {
            assert!(
                h.source.len() > 20,
                "{} ({}) must name its source",
                h.name,
                h.date
            );
            assert!(!h.name.trim().is_empty(), "{} has no name", h.date);
        }
        let mut dates: Vec<_> = holidays.iter().map(|h| h.date).collect();
        dates.sort();
        let before = dates.len();
        dates.dedup();
        assert_eq!(dates.len(), before, "a date is listed twice");
    }

    /// The number of national holiday dates and days of cuti bersama the seed lists in `year`.
    fn counts(holidays: &[Holiday], year: i32) -> (usize, usize) {
        let count = |kind: HolidayKind| {
            holidays
                .iter()
                .filter(|h| h.date.year() == year && h.kind == kind)
                .count()
        };
        (
            count(HolidayKind::National),
            count(HolidayKind::CutiBersama),
        )
    }

    #[test]
    fn the_2026_list_matches_the_joint_decree() {
        let holidays = seed_holidays();
        assert_eq!(
            counts(&holidays, 2026),
            (17, 8),
            "17 national holiday dates and 8 days of cuti bersama in 2026"
        );
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).expect("date");
        let idul_fitri = holiday_on(&holidays, day(3, 21)).expect("Idul Fitri");
        assert_eq!(idul_fitri.kind, HolidayKind::National);
        assert_eq!(
            holiday_on(&holidays, day(3, 23)).map(|h| h.kind),
            Some(HolidayKind::CutiBersama)
        );
        assert_eq!(holiday_on(&holidays, day(3, 25)), None, "a working day");
    }

    #[test]
    fn the_2027_list_matches_the_joint_decree_and_says_islamic_dates_may_move() {
        let holidays = seed_holidays();
        assert_eq!(
            counts(&holidays, 2027),
            (18, 8),
            "18 national holiday dates (Isra Mikraj falls twice) and 8 days of cuti bersama in 2027"
        );
        let day = |m, d| NaiveDate::from_ymd_opt(2027, m, d).expect("date");
        for (m, d, name) in [
            (3, 10, "Idul Fitri 1448 Hijriah"),
            (5, 17, "Idul Adha 1448 Hijriah"),
            (3, 8, "Hari Suci Nyepi"),
            (5, 20, "Hari Raya Waisak"),
        ] {
            let h = holiday_on(&holidays, day(m, d)).unwrap_or_else(|| panic!("{name} listed"));
            assert!(h.name.starts_with(name), "{} on 2027-{m}-{d}", h.name);
            assert_eq!(h.kind, HolidayKind::National);
            assert!(
                h.source.contains("Tahun 2027"),
                "{name} names the 2027 decree"
            );
        }
        for (m, d) in [(3, 9), (3, 12), (3, 15)] {
            assert_eq!(
                holiday_on(&holidays, day(m, d)).map(|h| h.kind),
                Some(HolidayKind::CutiBersama),
                "cuti bersama around Idul Fitri on 2027-{m}-{d}"
            );
        }
        assert_eq!(holiday_on(&holidays, day(3, 16)), None, "a working day");
        let idul_fitri = holiday_on(&holidays, day(3, 10)).expect("Idul Fitri");
        assert!(
            idul_fitri.source.contains("sidang isbat"),
            "a date set by the moon says it may move"
        );
    }
}
