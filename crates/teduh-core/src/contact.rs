//! The hotline and chat contact log: what a volunteer records of one call, chat or visit, often
//! anonymous (nothing about the person is required), and the caller's number reduced to a form
//! that can be compared ([`normalise_number`]). Pure values and their rules; how a contact is
//! sealed, linked to earlier contacts and turned into a client is in `vault/contacts/`
//! (decision 0006).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{RiskLevel, Sex};
use crate::team::settings::{Category, Zone};

/// How the contact came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A phone call.
    #[default]
    PhoneCall,
    /// A WhatsApp chat (or call).
    WhatsApp,
    /// An SMS.
    Sms,
    /// Someone came in person.
    WalkIn,
    /// Through the e-counselling link.
    ECounselling,
}

impl Channel {
    /// Every channel, in the order forms show them.
    pub const ALL: [Channel; 5] = [
        Channel::PhoneCall,
        Channel::WhatsApp,
        Channel::Sms,
        Channel::WalkIn,
        Channel::ECounselling,
    ];
}

/// Who is calling, relative to the person the contact is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum CallerType {
    /// The caller gave nothing about herself (the default: a contact needs no identity).
    #[default]
    Anonymous,
    /// The person concerned herself.
    #[serde(rename = "self")]
    Myself,
    /// A family member.
    Family,
    /// A neighbour or friend.
    Neighbour,
    /// A professional (teacher, health worker, police, social worker...).
    Professional,
}

/// Age bands of the reports (0-5, 6-12, 13-17, 18-59, 60+).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum AgeBand {
    /// 0-5 years.
    #[serde(rename = "0-5")]
    Under6,
    /// 6-12 years.
    #[serde(rename = "6-12")]
    From6To12,
    /// 13-17 years.
    #[serde(rename = "13-17")]
    From13To17,
    /// 18-59 years.
    #[serde(rename = "18-59")]
    From18To59,
    /// 60 years and older.
    #[serde(rename = "60+")]
    From60,
}

impl AgeBand {
    /// Whether the band is a child's (under 18).
    pub fn is_child(self) -> bool {
        matches!(
            self,
            AgeBand::Under6 | AgeBand::From6To12 | AgeBand::From13To17
        )
    }
}

/// The self-harm question of the triage ("Apakah ada pikiran untuk menyakiti diri?").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum SelfHarm {
    /// Not asked (a silent call, an information request).
    #[default]
    NotAsked,
    /// Asked: no.
    No,
    /// Asked: yes. The contact is red-flagged.
    Yes,
}

/// What the volunteer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ContactAction {
    /// Listened (psychological first aid).
    Listened,
    /// Gave information.
    InformationGiven,
    /// Referred to a service.
    Referred,
    /// Called emergency services.
    EmergencyServicesCalled,
}

/// How the contact ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ContactOutcome {
    /// Nothing further needed.
    Resolved,
    /// A follow-up is needed (a callback, a visit).
    FollowUp,
    /// Referred on.
    Referred,
    /// The line dropped or the caller hung up.
    Disconnected,
}

/// The line a contact came in on: a directory entry and the number it was reached at (the
/// weekday's rota number for lines with a rota). Copied into the contact, so it reads the same
/// after the directory changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct ContactLine {
    /// The directory entry's id.
    pub entry: String,
    /// Its name when the contact was logged.
    pub name: String,
    /// The number the contact came in on.
    pub number: String,
}

/// What the volunteer learned about the person concerned; every field optional.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct ContactPerson {
    /// A name or nickname, if given.
    pub name: String,
    /// Age band, if known.
    pub age_band: Option<AgeBand>,
    /// Sex.
    pub sex: Sex,
    /// Regency or city (kabupaten/kota).
    pub city: String,
}

/// A callback the caller agreed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct Callback {
    /// When to call back.
    pub due: Option<DateTime<Utc>>,
    /// Whether the caller agreed that her number is written down for it.
    pub number_consented: bool,
    /// The number to call back; only with her consent.
    pub number: String,
    /// When the callback was made.
    pub done_at: Option<DateTime<Utc>>,
}

/// One call, chat or visit as the volunteer records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(default)]
pub struct ContactEntry {
    /// How it came in.
    pub channel: Channel,
    /// The line it came in on.
    pub line: Option<ContactLine>,
    /// When it started.
    pub started_at: Option<DateTime<Utc>>,
    /// When it ended (`None` while it is going on).
    pub ended_at: Option<DateTime<Utc>>,
    /// The zone its times are shown and counted in (the team's).
    pub zone: Option<Zone>,
    /// Who is calling.
    pub caller_type: CallerType,
    /// The person concerned.
    pub person: ContactPerson,
    /// Issue categories (codes of the organisation's contact taxonomy).
    pub categories: Vec<String>,
    /// Triage: the risk as the volunteer judges it (`None`: not assessed).
    pub risk: Option<RiskLevel>,
    /// Triage: the self-harm question.
    pub self_harm: SelfHarm,
    /// What the volunteer did.
    pub actions: Vec<ContactAction>,
    /// How it ended.
    pub outcome: Option<ContactOutcome>,
    /// A short summary in the volunteer's words.
    pub summary: String,
    /// A callback, if one was agreed.
    pub callback: Option<Callback>,
}

/// The longest a contact may last before its times are a typing mistake.
pub const MAX_CONTACT_HOURS: i64 = 24;

/// Why a contact cannot be saved as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactProblem {
    /// No start time.
    #[error("a contact needs the time it started")]
    NoStart,
    /// A start in the future.
    #[error("the contact cannot start in the future")]
    StartsInFuture,
    /// An end before the start.
    #[error("the contact cannot end before it started")]
    EndsBeforeStart,
    /// Longer than [`MAX_CONTACT_HOURS`].
    #[error("a contact lasting more than {MAX_CONTACT_HOURS} hours is a typing mistake; check the times")]
    TooLong,
    /// A category the organisation's taxonomy does not have.
    #[error("unknown contact category {0}")]
    UnknownCategory(String),
    /// A callback number written without the caller's consent.
    #[error("write the callback number only when the caller agrees to it")]
    NumberWithoutConsent,
    /// A callback that is agreed but has no time.
    #[error("a callback needs the time to call back")]
    CallbackWithoutTime,
    /// A text field far longer than a contact needs.
    #[error("the {0} is too long")]
    TooLongText(&'static str),
}

/// The most characters of the summary (a contact's summary is short; the full story belongs in
/// a client's session notes).
pub const MAX_SUMMARY_CHARS: usize = 4_000;

/// How far in the future a start may be (clocks differ a little between computers).
const FUTURE_SLACK_MINUTES: i64 = 5;

impl ContactEntry {
    /// Whether the contact raises a red flag: the self-harm question answered yes, or a risk
    /// judged high or imminent. A red-flagged contact enters the supervisor's queue.
    pub fn red_flag(&self) -> bool {
        self.self_harm == SelfHarm::Yes || self.risk.is_some_and(|r| r >= RiskLevel::High)
    }

    /// How long the contact lasted, once it ended.
    pub fn duration(&self) -> Option<Duration> {
        Some(self.ended_at? - self.started_at?)
    }

    /// Checks the contact against the rules and the organisation's `categories`.
    ///
    /// Fails with the first [`ContactProblem`].
    pub fn check(&self, now: DateTime<Utc>, categories: &[Category]) -> Result<(), ContactProblem> {
        let start = self.started_at.ok_or(ContactProblem::NoStart)?;
        if start > now + Duration::minutes(FUTURE_SLACK_MINUTES) {
            return Err(ContactProblem::StartsInFuture);
        }
        if let Some(end) = self.ended_at {
            if end < start {
                return Err(ContactProblem::EndsBeforeStart);
            }
            if end - start > Duration::hours(MAX_CONTACT_HOURS) {
                return Err(ContactProblem::TooLong);
            }
        }
        if let Some(unknown) = self
            .categories
            .iter()
            .find(|c| !categories.iter().any(|k| &k.code == *c))
        {
            return Err(ContactProblem::UnknownCategory(unknown.clone()));
        }
        if let Some(cb) = &self.callback {
            if !cb.number.trim().is_empty() && !cb.number_consented {
                return Err(ContactProblem::NumberWithoutConsent);
            }
            if cb.due.is_none() {
                return Err(ContactProblem::CallbackWithoutTime);
            }
        }
        if self.summary.chars().count() > MAX_SUMMARY_CHARS {
            return Err(ContactProblem::TooLongText("summary"));
        }
        for (what, text) in [("name", &self.person.name), ("city", &self.person.city)] {
            if text.chars().count() > 200 {
                return Err(ContactProblem::TooLongText(what));
            }
        }
        Ok(())
    }

    /// Whether its callback is due and not made at `now`.
    pub fn callback_overdue(&self, now: DateTime<Utc>) -> bool {
        self.callback
            .as_ref()
            .is_some_and(|cb| cb.done_at.is_none() && cb.due.is_some_and(|d| d < now))
    }
}

/// Why a phone number cannot be compared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NumberProblem {
    /// Letters or other characters a number does not have.
    #[error("a phone number has only digits, spaces, dashes, dots, brackets and a leading +")]
    NotANumber,
    /// Too short or too long for a subscriber's number.
    #[error("a caller's phone number has 8 to 15 digits")]
    WrongLength,
}

/// The international form of a phone number, digits only, for comparing numbers written
/// differently: `0812-3456-7890`, `+62 812 3456 7890`, `6281234567890` and `812 3456 7890` all
/// become `6281234567890`. A number with another country code (`+65…`, `0065…`) keeps it.
///
/// Fails with [`NumberProblem`] for something that is not a subscriber's number.
pub fn normalise_number(raw: &str) -> Result<String, NumberProblem> {
    let trimmed = raw.trim();
    let (international, rest) = match trimmed.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, trimmed),
    };
    let mut digits = String::with_capacity(rest.len());
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            ' ' | '-' | '.' | '(' | ')' | '\u{a0}' => {}
            _ => return Err(NumberProblem::NotANumber),
        }
    }
    let full = if international {
        digits
    } else if let Some(r) = digits.strip_prefix("00") {
        r.to_owned()
    } else if let Some(r) = digits.strip_prefix('0') {
        format!("62{r}")
    } else if digits.starts_with("62") {
        digits
    } else if digits.starts_with('8') {
        // A mobile number written without its leading 0.
        format!("62{digits}")
    } else {
        digits
    };
    if !(8..=15).contains(&full.len()) {
        return Err(NumberProblem::WrongLength);
    }
    Ok(full)
}

#[cfg(test)]
mod tests;
