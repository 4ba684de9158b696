//! What the contact form needs besides the contact itself.

use serde::Serialize;
use ts_rs::TS;

/// A line a contact can come in on: a directory entry that can be reached now, with the number
/// it has today (the weekday's rota number for lines with a rota).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ContactLineChoice {
    /// The directory entry's id.
    pub entry: String,
    /// Its name.
    pub name: String,
    /// Today's number.
    pub number: String,
    /// Whether the line has a different number per weekday.
    pub rota: bool,
}

/// The choices of the contact form: the team's zone, the organisation's categories, the lines
/// and the one this member's newest contact came in on (the form's default).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ContactFormChoices {
    /// The team's zone (`WIB`, `WITA` or `WIT`).
    pub zone: teduh_core::team::settings::Zone,
    /// The organisation's contact categories.
    pub categories: Vec<teduh_core::team::settings::Category>,
    /// Lines, those with a rota first, then by name.
    pub lines: Vec<ContactLineChoice>,
    /// The line of this member's newest contact.
    pub last_line: Option<teduh_core::contact::ContactLine>,
}
