//! Supervision: a note's review state and its reviews.

use serde::Serialize;
use ts_rs::TS;

/// A note's place in supervision and its reviews.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct NoteReviews {
    /// Draft, waiting, returned or approved.
    pub state: teduh_core::vault::ReviewState,
    /// Reviews, oldest first.
    pub reviews: Vec<teduh_core::vault::Review>,
}

/// A report saved in the export folder, with the figures it holds (for the screen).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SavedReport {
    /// Where it was saved.
    pub path: String,
    /// The protected statistics it prints.
    pub statistics: teduh_core::report::monthly::MonthlyStatistics,
}

/// A PDF and its JSON copy saved in the export folder (an access export, the record of
/// processing activities).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SavedPdfJson {
    /// Where the PDF was saved.
    pub pdf: String,
    /// Where the JSON was saved.
    pub json: String,
}

/// A referral letter saved in the export folder, and the same letter as text for a chat.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SavedLetter {
    /// Where the PDF was saved.
    pub path: String,
    /// The letter as plain text (WhatsApp).
    pub text: String,
}
