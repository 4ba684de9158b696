//! The monthly statistics a service sends to its Dinas Sosial or to Kemensos: who was served
//! (by sex, age band, regency, PPKS and AMPK category), the sessions (by modality and worker),
//! the hotline's contacts (by line, channel and category), screenings, red flags, referrals (by
//! the partner's category and outcome) and each worker's hours.
//!
//! The vault gathers one plain fact per record of the month ([`MonthFacts`], in
//! `vault/monthly.rs`); [`MonthlyStatistics::count`] counts them and protects small counts
//! ([`super::disclosure`]). Keys are stable codes (`"female"`, `"whats_app"`, a category code,
//! a member id); the documents and screens put words on them.

use std::collections::BTreeMap;

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use super::disclosure::{protect, CountTable, PublishedTable};
use crate::contact::AgeBand;
use crate::domain::{Modality, ReferralStatus, Sex};

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Month {
    /// The year.
    pub year: i32,
    /// 1 to 12.
    pub month: u32,
}

/// Why a month cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a month: write it as YYYY-MM, e.g. 2026-11")]
pub struct BadMonth(pub String);

impl Month {
    /// Reads `YYYY-MM` (a month that does not exist, such as 2026-13, is refused).
    ///
    /// Fails with [`BadMonth`].
    pub fn parse(text: &str) -> Result<Month, BadMonth> {
        let bad = || BadMonth(text.to_string());
        let (y, m) = text.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let month = Month {
            year: y.parse().map_err(|_| bad())?,
            month: m.parse().map_err(|_| bad())?,
        };
        month.first_day().ok_or_else(bad)?;
        Ok(month)
    }

    /// The month holding `day`.
    pub fn of(day: NaiveDate) -> Month {
        Month {
            year: day.year(),
            month: day.month(),
        }
    }

    /// Its first day (`None` for a month that does not exist).
    pub fn first_day(self) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, self.month, 1)
    }

    /// Its last day.
    pub fn last_day(self) -> Option<NaiveDate> {
        self.first_day()?
            .checked_add_months(Months::new(1))?
            .pred_opt()
    }

    /// Whether `day` falls in it.
    pub fn contains(self, day: NaiveDate) -> bool {
        Month::of(day) == self
    }

    /// The month before.
    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// A client served in the month (a session with her in it).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientFact {
    /// Sex.
    pub sex: Sex,
    /// Age on the month's last day, if known.
    pub age: Option<u32>,
    /// Regency or city, as typed (empty: not recorded).
    pub regency: String,
    /// PPKS category codes.
    pub ppks: Vec<String>,
    /// AMPK category codes.
    pub ampk: Vec<String>,
}

/// A session held in the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionFact {
    /// How it was held.
    pub modality: Modality,
    /// Who wrote it (a member id in hex; empty when unknown).
    pub worker: String,
    /// Its length.
    pub minutes: u32,
}

/// A hotline or chat contact taken in the month.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactFact {
    /// The line's name (empty: none recorded).
    pub line: String,
    /// The channel's code (`phone_call`, `whats_app`...).
    pub channel: String,
    /// Issue category codes.
    pub categories: Vec<String>,
    /// Who took it (a member id in hex; empty when unknown).
    pub worker: String,
    /// From start to end, when both were recorded.
    pub minutes: u32,
}

/// A screening given in the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningFact {
    /// The instrument's code (`srq20`, `phq9`...).
    pub instrument: String,
    /// Whether the result needs attention: a red-flag item answered, or a score above the
    /// instrument's threshold.
    pub flagged: bool,
}

/// A referral made in the month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFact {
    /// The partner's directory entry id (empty for a partner outside the directory).
    pub partner: String,
    /// Where it stands now.
    pub status: ReferralStatus,
}

/// What the month's records hold, one fact per record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthFacts {
    /// The month.
    pub month: Month,
    /// The organisation's name.
    pub organisation: String,
    /// Clients served.
    pub clients: Vec<ClientFact>,
    /// Sessions held.
    pub sessions: Vec<SessionFact>,
    /// Contacts taken.
    pub contacts: Vec<ContactFact>,
    /// Screenings given.
    pub screenings: Vec<ScreeningFact>,
    /// Red flags raised (risk episodes opened), by what raised them (`screening`, `note_risk`,
    /// `contact_self_harm`, `worker`); the report prints their number only.
    pub red_flags: Vec<String>,
    /// Referrals made.
    pub referrals: Vec<ReferralFact>,
    /// Member id (hex) to the name the roster gives.
    pub workers: BTreeMap<String, String>,
}

/// One worker's hours in the month (not protected: they describe the team's work, not the
/// people served).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct WorkerHours {
    /// Member id (hex), or empty.
    pub worker: String,
    /// Her name from the roster (or the id when the roster does not list her).
    pub name: String,
    /// Sessions' minutes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub session_minutes: u64,
    /// Contacts' minutes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub contact_minutes: u64,
}

impl WorkerHours {
    /// Session and contact time together, in hours.
    pub fn hours(&self) -> f64 {
        // Minutes in a month fit an f64 exactly.
        #[allow(clippy::cast_precision_loss)]
        let minutes = (self.session_minutes + self.contact_minutes) as f64;
        minutes / 60.0
    }
}

/// The month's statistics, protected, ready to print.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct MonthlyStatistics {
    /// The month.
    pub month: Month,
    /// The organisation's name.
    pub organisation: String,
    /// Every count table, in print order (ids in [`TABLES`]).
    pub tables: Vec<PublishedTable>,
    /// Each worker's hours, most first.
    pub hours: Vec<WorkerHours>,
    /// Member id (hex) to name, for the rows keyed by worker.
    pub workers: BTreeMap<String, String>,
}

/// The count tables, in print order.
pub const TABLES: [&str; 15] = [
    "clients_by_sex",
    "clients_by_age",
    "clients_by_regency",
    "clients_by_ppks",
    "clients_by_ampk",
    "sessions_by_modality",
    "sessions_by_worker",
    "contacts_by_line",
    "contacts_by_channel",
    "contacts_by_category",
    "screenings_by_instrument",
    "screenings_by_result",
    "red_flags",
    "referrals_by_partner_category",
    "referrals_by_outcome",
];

/// The key of a client whose age is not recorded.
pub const AGE_UNKNOWN: &str = "unknown";
/// The key of an empty text (no regency, no line, partner outside the directory).
pub const NOT_RECORDED: &str = "";

/// The band of an age (0-5, 6-12, 13-17, 18-59, 60+).
pub fn age_band(age: u32) -> AgeBand {
    match age {
        0..=5 => AgeBand::Under6,
        6..=12 => AgeBand::From6To12,
        13..=17 => AgeBand::From13To17,
        18..=59 => AgeBand::From18To59,
        _ => AgeBand::From60,
    }
}

/// A band's key ("0-5"...).
pub fn age_band_key(band: AgeBand) -> &'static str {
    match band {
        AgeBand::Under6 => "0-5",
        AgeBand::From6To12 => "6-12",
        AgeBand::From13To17 => "13-17",
        AgeBand::From18To59 => "18-59",
        AgeBand::From60 => "60+",
    }
}

/// The serde code of a unit enum value (`Sex::Female` is `"female"`).
pub fn code_of<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Counts keys: the given rows first (in their order, zeros kept, so a table always shows its
/// categories), then the others by key.
fn tally<I: IntoIterator<Item = String>>(fixed: &[&str], keys: I) -> Vec<(String, u64)> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for k in keys {
        *counts.entry(k).or_default() += 1;
    }
    let mut rows: Vec<(String, u64)> = fixed
        .iter()
        .map(|k| (k.to_string(), counts.remove(*k).unwrap_or(0)))
        .collect();
    // Then by key: an order by count would tell which of two hidden cells is larger.
    rows.extend(counts);
    rows
}

/// A worker's line of hours, added when first needed.
fn hours_of<'a>(
    hours: &'a mut BTreeMap<String, WorkerHours>,
    names: &BTreeMap<String, String>,
    id: &str,
) -> &'a mut WorkerHours {
    hours.entry(id.to_string()).or_insert_with(|| WorkerHours {
        worker: id.to_string(),
        name: names.get(id).cloned().unwrap_or_else(|| id.to_string()),
        session_minutes: 0,
        contact_minutes: 0,
    })
}

impl MonthlyStatistics {
    /// Counts `facts` into the report's tables and protects them. `partner_category` gives a
    /// directory entry's category (none for an entry the directory does not hold).
    pub fn count(facts: &MonthFacts, partner_category: &dyn Fn(&str) -> Option<String>) -> Self {
        let c = &facts.clients;
        let sexes = [Sex::Female, Sex::Male, Sex::Unspecified].map(|s| code_of(&s));
        let sex_keys: Vec<&str> = sexes.iter().map(String::as_str).collect();
        let bands = [
            AgeBand::Under6,
            AgeBand::From6To12,
            AgeBand::From13To17,
            AgeBand::From18To59,
            AgeBand::From60,
        ]
        .map(age_band_key);
        let mut age_keys: Vec<&str> = bands.to_vec();
        age_keys.push(AGE_UNKNOWN);
        let modalities = [
            Modality::InPerson,
            Modality::Phone,
            Modality::WhatsApp,
            Modality::Video,
            Modality::HomeVisit,
            Modality::Outreach,
        ]
        .map(|m| code_of(&m));
        let modality_keys: Vec<&str> = modalities.iter().map(String::as_str).collect();
        let channels = crate::contact::Channel::ALL.map(|ch| code_of(&ch));
        let channel_keys: Vec<&str> = channels.iter().map(String::as_str).collect();
        let outcomes = [
            ReferralStatus::Sent,
            ReferralStatus::Accepted,
            ReferralStatus::Completed,
            ReferralStatus::Declined,
            ReferralStatus::NoShow,
            ReferralStatus::PartnerUnreachable,
        ]
        .map(|s| code_of(&s));
        let outcome_keys: Vec<&str> = outcomes.iter().map(String::as_str).collect();
        let table = |id, population, rows| CountTable {
            id,
            rows,
            population,
        };
        let tables = vec![
            table(
                "clients_by_sex",
                Some("clients"),
                tally(&sex_keys, c.iter().map(|x| code_of(&x.sex))),
            ),
            table(
                "clients_by_age",
                Some("clients"),
                tally(
                    &age_keys,
                    c.iter().map(|x| {
                        x.age.map_or(AGE_UNKNOWN.to_string(), |a| {
                            age_band_key(age_band(a)).to_string()
                        })
                    }),
                ),
            ),
            table(
                "clients_by_regency",
                Some("clients"),
                tally(&[], c.iter().map(|x| x.regency.trim().to_string())),
            ),
            table(
                "clients_by_ppks",
                None,
                tally(&[], c.iter().flat_map(|x| x.ppks.iter().cloned())),
            ),
            table(
                "clients_by_ampk",
                None,
                tally(&[], c.iter().flat_map(|x| x.ampk.iter().cloned())),
            ),
            table(
                "sessions_by_modality",
                Some("sessions"),
                tally(
                    &modality_keys,
                    facts.sessions.iter().map(|s| code_of(&s.modality)),
                ),
            ),
            table(
                "sessions_by_worker",
                Some("sessions"),
                tally(&[], facts.sessions.iter().map(|s| s.worker.clone())),
            ),
            table(
                "contacts_by_line",
                Some("contacts"),
                tally(
                    &[],
                    facts.contacts.iter().map(|x| x.line.trim().to_string()),
                ),
            ),
            table(
                "contacts_by_channel",
                Some("contacts"),
                tally(
                    &channel_keys,
                    facts.contacts.iter().map(|x| x.channel.clone()),
                ),
            ),
            table(
                "contacts_by_category",
                None,
                tally(
                    &[],
                    facts
                        .contacts
                        .iter()
                        .flat_map(|x| x.categories.iter().cloned()),
                ),
            ),
            table(
                "screenings_by_instrument",
                Some("screenings"),
                tally(&[], facts.screenings.iter().map(|s| s.instrument.clone())),
            ),
            // Flagged or not, as a second split of the screenings: a table of the flagged ones
            // alone would bound the cells of the one by instrument from outside its line.
            table(
                "screenings_by_result",
                Some("screenings"),
                tally(
                    &["flagged", "not_flagged"],
                    facts
                        .screenings
                        .iter()
                        .map(|s| if s.flagged { "flagged" } else { "not_flagged" }.to_string()),
                ),
            ),
            // Red flags as one figure: by source, its screening row would be bounded by the
            // flagged screenings of another table.
            table(
                "red_flags",
                Some("red_flags"),
                tally(&["all"], facts.red_flags.iter().map(|_| "all".to_string())),
            ),
            table(
                "referrals_by_partner_category",
                Some("referrals"),
                tally(
                    &[],
                    facts.referrals.iter().map(|r| {
                        if r.partner.is_empty() {
                            NOT_RECORDED.to_string()
                        } else {
                            partner_category(&r.partner).unwrap_or_default()
                        }
                    }),
                ),
            ),
            table(
                "referrals_by_outcome",
                Some("referrals"),
                tally(
                    &outcome_keys,
                    facts.referrals.iter().map(|r| code_of(&r.status)),
                ),
            ),
        ];
        debug_assert_eq!(tables.iter().map(|t| t.id).collect::<Vec<_>>(), TABLES);
        let mut hours: BTreeMap<String, WorkerHours> = BTreeMap::new();
        for s in &facts.sessions {
            hours_of(&mut hours, &facts.workers, &s.worker).session_minutes += u64::from(s.minutes);
        }
        for x in &facts.contacts {
            hours_of(&mut hours, &facts.workers, &x.worker).contact_minutes += u64::from(x.minutes);
        }
        let mut hours: Vec<WorkerHours> = hours.into_values().collect();
        hours.sort_by(|a, b| {
            (b.session_minutes + b.contact_minutes)
                .cmp(&(a.session_minutes + a.contact_minutes))
                .then_with(|| a.name.cmp(&b.name))
        });
        MonthlyStatistics {
            month: facts.month,
            organisation: facts.organisation.clone(),
            tables: protect(&tables),
            hours,
            workers: facts.workers.clone(),
        }
    }

    /// The table with `id`.
    pub fn table(&self, id: &str) -> Option<&PublishedTable> {
        self.tables.iter().find(|t| t.id == id)
    }
}

#[cfg(test)]
mod tests;
