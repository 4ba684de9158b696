//! The breach register (issue 26, UU PDP Ps 46): a failure to protect personal data, from the
//! moment the organisation became aware of it, with the 3×24 h in which the people concerned
//! and the authority must be told in writing; and what the notices must say (Ps 46 (2): which
//! data was exposed, when and how, and what is done to handle it and recover).
//!
//! Pure: the vault stores an incident as a signed record (`vault/breaches/`), the report crate
//! writes the letters.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::request::FUTURE_TOLERANCE_MINUTES;

/// Hours to notify, from awareness, when the organisation settings set none (Ps 46 (1)).
pub const NOTICE_HOURS: u32 = 72;

/// Which kinds of personal data an incident exposed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// Names, codes, birth dates, addresses.
    Identity,
    /// Telephone numbers and other ways to reach someone.
    ContactDetails,
    /// Session notes, screenings, risk assessments: health data (specific personal data).
    MentalHealth,
    /// Data of children (specific personal data).
    Children,
    /// Hotline and chat contact records.
    HotlineContacts,
    /// Something else, said in the description.
    Other,
}

impl DataCategory {
    /// Every category, in the order forms list them.
    pub const ALL: [DataCategory; 6] = [
        Self::Identity,
        Self::ContactDetails,
        Self::MentalHealth,
        Self::Children,
        Self::HotlineContacts,
        Self::Other,
    ];
}

/// Who is notified of an incident.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    /// The people whose data it was (or their parents or guardians).
    Persons,
    /// The data protection authority (lembaga, Ps 58).
    Authority,
}

/// An incident as the person who registers it writes it down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Breach {
    /// When the organisation became aware of it: the notice deadline runs from here.
    pub aware_at: Option<DateTime<Utc>>,
    /// When it happened, if known.
    pub occurred_at: Option<DateTime<Utc>>,
    /// What happened and how the data was exposed (a laptop stolen, a message sent to the
    /// wrong group...).
    pub what_happened: String,
    /// Which kinds of data were exposed.
    pub categories: Vec<DataCategory>,
    /// The codes of the clients concerned, as far as known.
    pub clients: Vec<String>,
    /// How many people are concerned (at least the clients listed).
    pub people: u32,
    /// What was done and will be done to handle it and recover.
    pub measures: String,
    /// Whom people can ask about it (a name and a number).
    pub contact: String,
}

/// Why an incident or a notice cannot be recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BreachProblem {
    /// No awareness time.
    #[error("an incident needs the time the organisation became aware of it")]
    NoAwareTime,
    /// Awareness later than now.
    #[error("the organisation cannot become aware of an incident in the future")]
    AwareInFuture,
    /// It happened after the organisation became aware of it.
    #[error("an incident cannot happen after the organisation became aware of it")]
    OccurredAfterAware,
    /// No description.
    #[error("write what happened and how the data was exposed")]
    NoDescription,
    /// No category of data.
    #[error("choose which kinds of data were exposed")]
    NoCategory,
    /// Fewer people than clients listed.
    #[error("the number of people concerned is at least the number of clients listed")]
    TooFewPeople,
    /// A notice without a time, before awareness, or in the future.
    #[error("a notice needs its time: not before the incident was known, not in the future")]
    NoticeTime,
    /// A second notice to the same recipient.
    #[error("this notice has been recorded")]
    NotifiedAlready,
}

impl Breach {
    /// Checks an incident before it is recorded at `now` (this device's corrected clock).
    pub fn check(&self, now: DateTime<Utc>) -> Result<(), BreachProblem> {
        let aware = self.aware_at.ok_or(BreachProblem::NoAwareTime)?;
        if aware > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
            return Err(BreachProblem::AwareInFuture);
        }
        if self.occurred_at.is_some_and(|o| o > aware) {
            return Err(BreachProblem::OccurredAfterAware);
        }
        if self.what_happened.trim().is_empty() {
            return Err(BreachProblem::NoDescription);
        }
        if self.categories.is_empty() {
            return Err(BreachProblem::NoCategory);
        }
        if (self.people as usize) < self.clients.len() {
            return Err(BreachProblem::TooFewPeople);
        }
        Ok(())
    }

    /// When the notices are due: `hours` after awareness.
    pub fn deadline(&self, hours: u32) -> Option<DateTime<Utc>> {
        self.aware_at.map(|a| a + Duration::hours(i64::from(hours)))
    }

    /// Checks a notice given at `at`, recorded at `now`.
    pub fn check_notice(&self, at: DateTime<Utc>, now: DateTime<Utc>) -> Result<(), BreachProblem> {
        let too_early = self.aware_at.is_some_and(|a| at < a);
        let future = at > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES);
        if too_early || future {
            return Err(BreachProblem::NoticeTime);
        }
        Ok(())
    }
}

/// Where an incident's notices stand at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum BreachStanding {
    /// A notice is still to be given, within the deadline.
    Open,
    /// A notice is still to be given, past the deadline.
    Overdue,
    /// Both notices given within the deadline.
    NotifiedInTime,
    /// Both notices given, one or both late.
    NotifiedLate,
}

/// Where an incident stands at `now`: both notices (`persons`, `authority`: when each was
/// given) against `deadline`.
pub fn breach_standing(
    deadline: Option<DateTime<Utc>>,
    persons: Option<DateTime<Utc>>,
    authority: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> BreachStanding {
    let late = |at: DateTime<Utc>| deadline.is_some_and(|d| at > d);
    match (persons, authority) {
        (Some(p), Some(a)) if late(p) || late(a) => BreachStanding::NotifiedLate,
        (Some(_), Some(_)) => BreachStanding::NotifiedInTime,
        _ if late(now) => BreachStanding::Overdue,
        _ => BreachStanding::Open,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0)
            .single()
            .expect("a time")
    }

    fn incident(aware: DateTime<Utc>) -> Breach {
        Breach {
            aware_at: Some(aware),
            occurred_at: Some(aware - Duration::hours(5)),
            what_happened: "Laptop kantor dicuri dari mobil (sintetis)".into(),
            categories: vec![DataCategory::MentalHealth],
            clients: vec!["K-1".into(), "K-2".into()],
            people: 2,
            measures: "Perangkat dicabut dari tim".into(),
            contact: "Koordinator, 0800-000-000 (sintetis)".into(),
        }
    }

    #[test]
    fn an_incident_is_checked_and_its_notices_are_due_72_hours_after_awareness() {
        let now = at(7, 12);
        let b = incident(at(6, 9));
        assert_eq!(b.check(now), Ok(()));
        assert_eq!(b.deadline(NOTICE_HOURS), Some(at(9, 9)));
        assert_eq!(
            incident(at(7, 13)).check(now),
            Err(BreachProblem::AwareInFuture)
        );
        let mut later = incident(at(6, 9));
        later.occurred_at = Some(at(6, 10));
        assert_eq!(later.check(now), Err(BreachProblem::OccurredAfterAware));
        let mut few = incident(at(6, 9));
        few.people = 1;
        assert_eq!(few.check(now), Err(BreachProblem::TooFewPeople));
        let mut none = incident(at(6, 9));
        none.categories.clear();
        assert_eq!(none.check(now), Err(BreachProblem::NoCategory));
        assert_eq!(
            b.check_notice(at(6, 8), now),
            Err(BreachProblem::NoticeTime),
            "before the incident was known"
        );
        assert_eq!(b.check_notice(at(7, 11), now), Ok(()));
    }

    #[test]
    fn an_incident_is_notified_in_time_only_when_both_notices_are() {
        let deadline = Some(at(9, 9));
        assert_eq!(
            breach_standing(deadline, None, None, at(8, 9)),
            BreachStanding::Open
        );
        assert_eq!(
            breach_standing(deadline, Some(at(7, 9)), None, at(9, 10)),
            BreachStanding::Overdue,
            "the authority is still to be told"
        );
        assert_eq!(
            breach_standing(deadline, Some(at(7, 9)), Some(at(8, 9)), at(20, 0)),
            BreachStanding::NotifiedInTime
        );
        assert_eq!(
            breach_standing(deadline, Some(at(7, 9)), Some(at(9, 10)), at(20, 0)),
            BreachStanding::NotifiedLate
        );
    }
}
