//! "Open now", computed in the service's own zone.
//!
//! A counselor in Jayapura (WIT) at 21.00 calling a Jakarta service (WIB) needs to know whether
//! anyone answers there, at 19.00 WIB. Spans that run past midnight belong to the day they start;
//! an entry that closes on holidays is closed on a holiday of its own zone's date, except for a
//! span that started the evening before.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use serde::Serialize;

use crate::holidays::{holiday_on, Holiday, HolidayKind};
use crate::model::{Entry, Hours, Span};

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
        /// Next opening, if there is one in the next two weeks.
        next: Option<NextOpening>,
    },
    /// Closed for a national holiday or cuti bersama (the entry closes on them).
    Holiday {
        /// The holiday's name.
        name: String,
        /// National holiday or cuti bersama.
        kind: HolidayKind,
        /// Next opening, if known.
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

    /// True when the service is known not to answer now (closed hours or a holiday). Unknown
    /// hours are neither open nor closed: "open now" keeps them, labelled as unknown.
    pub fn is_known_closed(&self) -> bool {
        matches!(self, OpenState::Closed { .. } | OpenState::Holiday { .. })
    }
}

/// Local date, weekday (0 = Monday) and minute of `now` in the entry's zone.
fn local(entry: &Entry, now: DateTime<Utc>) -> (NaiveDate, usize, u16) {
    let t = now.with_timezone(&entry.zone.offset());
    (
        t.date_naive(),
        t.weekday().num_days_from_monday() as usize,
        (t.hour() * 60 + t.minute()) as u16,
    )
}

/// Whether `entry` is open at `now`, given the national holidays (used only for entries that
/// close on them).
pub fn open_state(entry: &Entry, now: DateTime<Utc>, holidays: &[Holiday]) -> OpenState {
    let (date, day, minute) = local(entry, now);
    let day_off = |d: NaiveDate| {
        if entry.closed_on_holidays {
            holiday_on(holidays, d)
        } else {
            None
        }
    };
    let today_off = day_off(date);
    let days = match &entry.hours {
        Hours::Weekly { days } => days,
        Hours::AlwaysOpen | Hours::Unknown => {
            return match (today_off, &entry.hours) {
                (Some(h), _) => OpenState::Holiday {
                    name: h.name.clone(),
                    kind: h.kind,
                    next: None,
                },
                (None, Hours::AlwaysOpen) => OpenState::AlwaysOpen,
                (None, _) => OpenState::Unknown,
            }
        }
    };
    if today_off.is_none() {
        for span in &days[day] {
            let overnight = span.close <= span.open;
            if minute >= span.open && (overnight || minute < span.close) {
                return OpenState::Open { closes: span.close };
            }
        }
    }
    // Yesterday's spans that run past midnight.
    if day_off(date - Duration::days(1)).is_none() {
        let yesterday = (day + 6) % 7;
        for span in &days[yesterday] {
            if span.close <= span.open && minute < span.close {
                return OpenState::Open { closes: span.close };
            }
        }
    }
    let next = next_opening(days, date, day, minute, &day_off);
    match today_off {
        Some(h) => OpenState::Holiday {
            name: h.name.clone(),
            kind: h.kind,
            next,
        },
        None => OpenState::Closed { next },
    }
}

fn next_opening<'h>(
    days: &[Vec<Span>; 7],
    date: NaiveDate,
    day: usize,
    minute: u16,
    day_off: &dyn Fn(NaiveDate) -> Option<&'h Holiday>,
) -> Option<NextOpening> {
    // Two weeks: Idul Fitri with its cuti bersama can close an office for a whole week.
    for offset in 0..15 {
        if day_off(date + Duration::days(offset as i64)).is_some() {
            continue;
        }
        let d = (day + offset) % 7;
        let first = days[d]
            .iter()
            .map(|s| s.open)
            .filter(|&o| offset > 0 || o > minute)
            .min();
        if let Some(o) = first {
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
    let (_, day, _) = local(entry, now);
    entry
        .rota
        .as_ref()
        .and_then(|r| r[day].clone())
        .or_else(|| entry.phones.first().map(|p| p.number.clone()))
}

/// From this local time on, the card also shows tomorrow's rota number: a call that starts late
/// in the evening may need the number that answers after midnight.
pub const TOMORROW_FROM_MINUTE: u16 = 20 * 60;

/// A rota as the card shows it: the whole week starting today (in the service's zone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RotaWeek {
    /// Seven days, today first.
    pub days: Vec<RotaDay>,
    /// True from [`TOMORROW_FROM_MINUTE`] local time: tomorrow's number is shown beside today's.
    pub show_tomorrow: bool,
}

/// One day of a rota.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RotaDay {
    /// 0 = Monday.
    pub weekday: u8,
    /// The number for that day, if the rota names one.
    pub number: Option<String>,
}

/// The entry's rota as a week starting today in its own zone; `None` without a rota.
pub fn rota_week(entry: &Entry, now: DateTime<Utc>) -> Option<RotaWeek> {
    let rota = entry.rota.as_ref()?;
    let (_, day, minute) = local(entry, now);
    Some(RotaWeek {
        days: (0..7)
            .map(|offset| {
                let d = (day + offset) % 7;
                RotaDay {
                    weekday: d as u8,
                    number: rota[d].clone(),
                }
            })
            .collect(),
        show_tomorrow: minute >= TOMORROW_FROM_MINUTE,
    })
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
                other_provinces: Vec::new(),
            },
            zone,
            hours,
            rota: None,
            closed_on_holidays: false,
            situations: Vec::new(),
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
            assert_eq!(open_state(&e, now, &[]).is_open(), want, "{why}");
        }
    }

    #[test]
    fn overnight_spans_stay_open_past_midnight() {
        let e = entry(Zone::Wib, weekdays("20:00-02:00"));
        // Friday 23.00 WIB = Friday 16.00 UTC.
        assert!(
            open_state(&e, utc(2026, 11, 27, 16, 0), &[]).is_open(),
            "Friday 23.00"
        );
        // Saturday 01.30 WIB belongs to Friday's span.
        assert!(
            open_state(&e, utc(2026, 11, 27, 18, 30), &[]).is_open(),
            "Saturday 01.30 continues Friday"
        );
        // Sunday 01.30 WIB: Saturday has no span.
        assert!(
            !open_state(&e, utc(2026, 11, 28, 18, 30), &[]).is_open(),
            "Sunday 01.30: Saturday was closed"
        );
        // Monday 01.30 WIB: Sunday closed, so closed.
        assert!(
            !open_state(&e, utc(2026, 11, 29, 18, 30), &[]).is_open(),
            "Monday 01.30"
        );
        // Tuesday 01.30 WIB continues Monday's span.
        assert!(
            open_state(&e, utc(2026, 11, 30, 18, 30), &[]).is_open(),
            "Tuesday 01.30"
        );
    }

    #[test]
    fn twenty_four_hour_services_are_always_open_and_unknown_hours_never_claim_open() {
        let e = entry(Zone::Wib, Hours::AlwaysOpen);
        assert_eq!(
            open_state(&e, utc(2026, 11, 29, 20, 0), &[]),
            OpenState::AlwaysOpen
        );
        let e = entry(Zone::Wib, Hours::Unknown);
        assert!(
            !open_state(&e, utc(2026, 11, 23, 3, 0), &[]).is_open(),
            "unknown hours must not look open"
        );
    }

    #[test]
    fn closed_services_say_when_they_open_next() {
        let e = entry(Zone::Wib, weekdays("08:00-16:00"));
        // Saturday 10.00 WIB: next is Monday 08.00.
        let got = open_state(&e, utc(2026, 11, 28, 3, 0), &[]);
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

    fn holiday(y: i32, m: u32, d: u32, kind: HolidayKind) -> Holiday {
        Holiday {
            date: NaiveDate::from_ymd_opt(y, m, d).expect("date"),
            name: "Hari libur uji".into(),
            kind,
            source: "synthetic holiday for a test".into(),
        }
    }

    #[test]
    fn an_office_that_closes_on_holidays_is_closed_on_one_and_says_when_it_opens() {
        // 2026-03-19 (Thursday) is Nyepi; 2026-03-20 (Friday) is cuti bersama. Synthetic list.
        let holidays = [
            holiday(2026, 3, 19, HolidayKind::National),
            holiday(2026, 3, 20, HolidayKind::CutiBersama),
        ];
        let mut e = entry(Zone::Wib, weekdays("08:00-16:00"));
        e.closed_on_holidays = true;
        // Thursday 10.00 WIB.
        let got = open_state(&e, utc(2026, 3, 19, 3, 0), &holidays);
        assert_eq!(
            got,
            OpenState::Holiday {
                name: "Hari libur uji".into(),
                kind: HolidayKind::National,
                next: Some(NextOpening {
                    weekday: 0,
                    opens: 480
                }),
            },
            "closed for the holiday; Friday is cuti bersama, so it opens on Monday"
        );
        assert!(got.is_known_closed() && !got.is_open());
        let cuti = open_state(&e, utc(2026, 3, 20, 3, 0), &holidays);
        assert!(
            matches!(
                cuti,
                OpenState::Holiday {
                    kind: HolidayKind::CutiBersama,
                    ..
                }
            ),
            "cuti bersama counts as a day off: {cuti:?}"
        );
        // Wednesday 15.00 WIB: a working day; it opens next on Monday, not on the holiday.
        let before = open_state(&e, utc(2026, 3, 18, 9, 30), &holidays);
        assert_eq!(
            before,
            OpenState::Closed {
                next: Some(NextOpening {
                    weekday: 0,
                    opens: 480
                })
            },
            "16.30 on Wednesday: the next two days are off"
        );
        // The same entry without the flag ignores holidays.
        e.closed_on_holidays = false;
        assert!(open_state(&e, utc(2026, 3, 19, 3, 0), &holidays).is_open());
        // A 24-hour line that does not close on holidays stays open.
        let line = entry(Zone::Wib, Hours::AlwaysOpen);
        assert_eq!(
            open_state(&line, utc(2026, 3, 19, 3, 0), &holidays),
            OpenState::AlwaysOpen
        );
    }

    #[test]
    fn holidays_are_taken_on_the_services_own_date() {
        let holidays = [holiday(2026, 3, 19, HolidayKind::National)];
        let mut e = entry(Zone::Wit, weekdays("08:00-16:00"));
        e.closed_on_holidays = true;
        // 2026-03-18 23.30 UTC is Wednesday in UTC but Thursday 08.30 WIT: the holiday.
        assert!(matches!(
            open_state(&e, utc(2026, 3, 18, 23, 30), &holidays),
            OpenState::Holiday { .. }
        ));
        // An evening span that starts before the holiday runs on into it.
        let mut night = entry(Zone::Wib, weekdays("20:00-02:00"));
        night.closed_on_holidays = true;
        // Thursday 01.00 WIB belongs to Wednesday's span.
        assert!(open_state(&night, utc(2026, 3, 18, 18, 0), &holidays).is_open());
        // Thursday 21.00 WIB: Thursday's own span does not open.
        assert!(!open_state(&night, utc(2026, 3, 19, 14, 0), &holidays).is_open());
    }

    fn rota_entry(zone: Zone) -> Entry {
        let mut e = entry(zone, Hours::AlwaysOpen);
        e.phones.clear();
        // Synthetic numbers, one per weekday.
        e.rota = Some(std::array::from_fn(|d| {
            Some(format!("0811-0000-000{}", d + 1))
        }));
        e
    }

    #[test]
    fn from_20_00_in_the_services_zone_the_card_also_shows_tomorrows_number() {
        // 2026-11-23 (Monday) 11.30 UTC = 18.30 WIB = 20.30 WIT.
        let at = utc(2026, 11, 23, 11, 30);
        let wit = rota_week(&rota_entry(Zone::Wit), at).expect("rota");
        assert!(
            wit.show_tomorrow,
            "20.30 WIT: tomorrow's number is due soon"
        );
        assert_eq!(wit.days[0].weekday, 0, "today (Monday) first");
        assert_eq!(wit.days[1].number.as_deref(), Some("0811-0000-0002"));
        let wib = rota_week(&rota_entry(Zone::Wib), at).expect("rota");
        assert!(!wib.show_tomorrow, "18.30 WIB: not yet");

        // 13.00 UTC = 20.00 WIB exactly; Sunday 2026-11-29 wraps to Monday.
        let wib = rota_week(&rota_entry(Zone::Wib), utc(2026, 11, 23, 13, 0)).expect("rota");
        assert!(wib.show_tomorrow, "20.00 WIB: from 20.00 on");
        let sunday = rota_week(&rota_entry(Zone::Wib), utc(2026, 11, 29, 13, 30)).expect("rota");
        let order: Vec<u8> = sunday.days.iter().map(|d| d.weekday).collect();
        assert_eq!(
            order,
            vec![6, 0, 1, 2, 3, 4, 5],
            "the whole week, today first"
        );
        assert!(sunday.show_tomorrow);
        // 17.00 UTC Monday = 00.00 WIB Tuesday: a new day, tomorrow is not yet due.
        let midnight = rota_week(&rota_entry(Zone::Wib), utc(2026, 11, 23, 17, 0)).expect("rota");
        assert_eq!(midnight.days[0].weekday, 1);
        assert!(!midnight.show_tomorrow);

        assert_eq!(rota_week(&entry(Zone::Wib, Hours::AlwaysOpen), at), None);
    }
}
