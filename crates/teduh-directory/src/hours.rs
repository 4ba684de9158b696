//! "Open now", computed in the service's own zone.
//!
//! A counselor in Jayapura (WIT) at 21.00 calling a Jakarta service (WIB) needs to know whether
//! anyone answers there, at 19.00 WIB. Spans that run past midnight belong to the day they start.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::Serialize;

use crate::model::{Entry, Hours};

/// Whether a service answers at a given instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OpenState {
    /// A 24-hour service.
    AlwaysOpen,
    /// Open now, until `closes` (minute of the local day, 1440 = midnight).
    Open {
        /// Local closing minute.
        closes: u16,
    },
    /// Closed now; opens next on `weekday` (0 = Monday) at `opens`, or never (no hours at all).
    Closed {
        /// Next opening, if there is one in the week.
        next: Option<NextOpening>,
    },
    /// Hours not known: the counselor must not assume anyone answers.
    Unknown,
}

/// When a closed service opens again (in its own zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct NextOpening {
    /// 0 = Monday.
    pub weekday: u8,
    /// Local minute.
    pub opens: u16,
}

impl OpenState {
    /// True when someone should answer now.
    pub fn is_open(&self) -> bool {
        matches!(self, OpenState::AlwaysOpen | OpenState::Open { .. })
    }
}

/// Local weekday (0 = Monday) and minute of `now` in the entry's zone.
fn local(entry: &Entry, now: DateTime<Utc>) -> (usize, u16) {
    let t = now.with_timezone(&entry.zone.offset());
    (
        t.weekday().num_days_from_monday() as usize,
        (t.hour() * 60 + t.minute()) as u16,
    )
}

/// Whether `entry` is open at `now`.
pub fn open_state(entry: &Entry, now: DateTime<Utc>) -> OpenState {
    let days = match &entry.hours {
        Hours::AlwaysOpen => return OpenState::AlwaysOpen,
        Hours::Unknown => return OpenState::Unknown,
        Hours::Weekly { days } => days,
    };
    let (day, minute) = local(entry, now);
    for span in &days[day] {
        let overnight = span.close <= span.open;
        if minute >= span.open && (overnight || minute < span.close) {
            return OpenState::Open { closes: span.close };
        }
    }
    // Yesterday's spans that run past midnight.
    let yesterday = (day + 6) % 7;
    for span in &days[yesterday] {
        if span.close <= span.open && minute < span.close {
            return OpenState::Open { closes: span.close };
        }
    }
    OpenState::Closed {
        next: next_opening(days, day, minute),
    }
}

fn next_opening(
    days: &[Vec<crate::model::Span>; 7],
    day: usize,
    minute: u16,
) -> Option<NextOpening> {
    for offset in 0..8 {
        let d = (day + offset) % 7;
        let mut opens: Vec<u16> = days[d]
            .iter()
            .map(|s| s.open)
            .filter(|&o| offset > 0 || o > minute)
            .collect();
        opens.sort_unstable();
        if let Some(&o) = opens.first() {
            return Some(NextOpening {
                weekday: d as u8,
                opens: o,
            });
        }
    }
    None
}

/// The number to call today: the rota's number for the local weekday, else the first phone.
pub fn number_for_today(entry: &Entry, now: DateTime<Utc>) -> Option<String> {
    let (day, _) = local(entry, now);
    entry
        .rota
        .as_ref()
        .and_then(|r| r[day].clone())
        .or_else(|| entry.phones.first().map(|p| p.number.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::*;
    use chrono::TimeZone;

    fn entry(zone: Zone, hours: Hours) -> Entry {
        Entry {
            id: "test".into(),
            name: "Layanan Uji".into(),
            category: Category::MentalHealth,
            services: "uji".into(),
            phones: vec![Phone {
                number: "100".into(),
                extension: None,
            }],
            whatsapp: None,
            web: None,
            address: None,
            coverage: Coverage {
                level: CoverageLevel::National,
                area: String::new(),
                province: String::new(),
            },
            zone,
            hours,
            rota: None,
            languages: vec!["id".into()],
            notes: String::new(),
            source: "synthetic".into(),
            verified_at: None,
            contact_status: ContactStatus::Verified,
        }
    }

    fn weekdays(span: &str) -> Hours {
        let s = Span::parse(span).expect("valid span");
        Hours::Weekly {
            days: [vec![s], vec![s], vec![s], vec![s], vec![s], vec![], vec![]],
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid time")
    }

    // 2026-11-23 is a Monday.
    #[test]
    fn open_now_is_computed_in_the_services_own_zone() {
        let cases = [
            // (zone, UTC time, open?, why)
            (
                Zone::Wib,
                utc(2026, 11, 23, 1, 0),
                true,
                "08.00 WIB Monday: opening minute",
            ),
            (
                Zone::Wib,
                utc(2026, 11, 23, 0, 59),
                false,
                "07.59 WIB: not yet",
            ),
            (
                Zone::Wib,
                utc(2026, 11, 23, 8, 59),
                true,
                "15.59 WIB: last minute",
            ),
            (
                Zone::Wib,
                utc(2026, 11, 23, 9, 0),
                false,
                "16.00 WIB: closed at closing time",
            ),
            (Zone::Wita, utc(2026, 11, 23, 0, 30), true, "08.30 WITA"),
            (
                Zone::Wit,
                utc(2026, 11, 23, 7, 30),
                false,
                "16.30 WIT: closed",
            ),
            (
                Zone::Wit,
                utc(2026, 11, 22, 23, 30),
                true,
                "08.30 WIT Monday while it is still Sunday in UTC",
            ),
            (Zone::Wib, utc(2026, 11, 28, 3, 0), false, "Saturday"),
        ];
        for (zone, now, want, why) in cases {
            let e = entry(zone, weekdays("08:00-16:00"));
            assert_eq!(open_state(&e, now).is_open(), want, "{why}");
        }
    }

    #[test]
    fn overnight_spans_stay_open_past_midnight() {
        let e = entry(Zone::Wib, weekdays("20:00-02:00"));
        // Friday 23.00 WIB = Friday 16.00 UTC.
        assert!(
            open_state(&e, utc(2026, 11, 27, 16, 0)).is_open(),
            "Friday 23.00"
        );
        // Saturday 01.30 WIB belongs to Friday's span.
        assert!(
            open_state(&e, utc(2026, 11, 27, 18, 30)).is_open(),
            "Saturday 01.30 continues Friday"
        );
        // Sunday 01.30 WIB: Saturday has no span.
        assert!(
            !open_state(&e, utc(2026, 11, 28, 18, 30)).is_open(),
            "Sunday 01.30: Saturday was closed"
        );
        // Monday 01.30 WIB: Sunday closed, so closed.
        assert!(
            !open_state(&e, utc(2026, 11, 29, 18, 30)).is_open(),
            "Monday 01.30"
        );
        // Tuesday 01.30 WIB continues Monday's span.
        assert!(
            open_state(&e, utc(2026, 11, 30, 18, 30)).is_open(),
            "Tuesday 01.30"
        );
    }

    #[test]
    fn twenty_four_hour_services_are_always_open_and_unknown_hours_never_claim_open() {
        let e = entry(Zone::Wib, Hours::AlwaysOpen);
        assert_eq!(
            open_state(&e, utc(2026, 11, 29, 20, 0)),
            OpenState::AlwaysOpen
        );
        let e = entry(Zone::Wib, Hours::Unknown);
        assert!(
            !open_state(&e, utc(2026, 11, 23, 3, 0)).is_open(),
            "unknown hours must not look open"
        );
    }

    #[test]
    fn closed_services_say_when_they_open_next() {
        let e = entry(Zone::Wib, weekdays("08:00-16:00"));
        // Saturday 10.00 WIB: next is Monday 08.00.
        let got = open_state(&e, utc(2026, 11, 28, 3, 0));
        assert_eq!(
            got,
            OpenState::Closed {
                next: Some(NextOpening {
                    weekday: 0,
                    opens: 480
                })
            }
        );
    }

    #[test]
    fn the_rota_number_for_today_is_chosen_in_the_services_zone() {
        let mut e = entry(Zone::Wit, Hours::AlwaysOpen);
        let mut rota: [Option<String>; 7] = Default::default();
        rota[0] = Some("0811-0000-0001".into()); // Monday (synthetic numbers)
        rota[6] = Some("0811-0000-0007".into()); // Sunday
        e.rota = Some(rota);
        // 2026-11-22 23:30 UTC is Sunday in UTC but Monday 08.30 in WIT.
        assert_eq!(
            number_for_today(&e, utc(2026, 11, 22, 23, 30)).as_deref(),
            Some("0811-0000-0001")
        );
        assert_eq!(
            number_for_today(&e, utc(2026, 11, 22, 10, 0)).as_deref(),
            Some("0811-0000-0007")
        );
        // A day without a rota entry falls back to the main number.
        assert_eq!(
            number_for_today(&e, utc(2026, 11, 24, 3, 0)).as_deref(),
            Some("100")
        );
    }
}
