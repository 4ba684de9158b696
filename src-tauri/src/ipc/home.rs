//! Home ("Hari ini"): what needs the counselor's attention today.

use serde::Serialize;
use ts_rs::TS;

use super::casework::{ClientRow, ScreeningView};

/// A draft waiting to be finalised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DraftRow {
    /// Note id.
    pub note: String,
    /// Client id.
    pub client: String,
    /// Client's pseudonymous code.
    pub client_code: String,
    /// When the session happened (RFC 3339).
    pub occurred_at: Option<String>,
}

/// A screening with red flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RedFlagRow {
    /// Client id.
    pub client: String,
    /// Client's pseudonymous code.
    pub client_code: String,
    /// The screening.
    pub screening: ScreeningView,
}

/// A follow-up due today or overdue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FollowUpRow {
    /// Client id.
    pub client: String,
    /// Client's pseudonymous code.
    pub client_code: String,
    /// What to do.
    pub title: String,
    /// Due date (`YYYY-MM-DD`).
    pub due: String,
    /// Past due.
    pub overdue: bool,
    /// The task to mark done, when the follow-up is a task (a note's next follow-up is done by
    /// the next session instead).
    pub task: Option<String>,
}

/// Home ("Hari ini").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, Default)]
#[ts(export)]
pub struct HomeToday {
    /// Follow-ups due today or overdue (task due dates and notes' next follow-up).
    pub follow_ups: Vec<FollowUpRow>,
    /// Drafts not yet finalised.
    pub drafts: Vec<DraftRow>,
    /// Screenings with red flags in the last 30 days.
    pub red_flags: Vec<RedFlagRow>,
    /// Clients seen most recently (latest session first), at most 8.
    pub recent_clients: Vec<ClientRow>,
    /// Referrals not yet completed or declined.
    pub open_referrals: Vec<ReferralRow>,
}

/// An open referral on Home.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ReferralRow {
    /// Client id.
    pub client: String,
    /// Client's pseudonymous code.
    pub client_code: String,
    /// Partner's name.
    pub partner_name: String,
    /// `sent` or `accepted`.
    pub status: String,
    /// Follow-up date (`YYYY-MM-DD`).
    pub follow_up_due: Option<String>,
    /// The follow-up date has passed.
    pub overdue: bool,
}

impl From<teduh_core::home::HomeDay> for HomeToday {
    fn from(h: teduh_core::home::HomeDay) -> Self {
        Self {
            follow_ups: h
                .follow_ups
                .into_iter()
                .map(|f| FollowUpRow {
                    client: f.client.to_string(),
                    client_code: f.client_code,
                    title: f.title,
                    due: f.due.to_string(),
                    overdue: f.overdue,
                    task: f.task.map(|t| t.to_string()),
                })
                .collect(),
            drafts: h
                .drafts
                .into_iter()
                .map(|d| DraftRow {
                    note: d.note.to_string(),
                    client: d.client.to_string(),
                    client_code: d.client_code,
                    occurred_at: d.occurred_at.map(|t| t.to_rfc3339()),
                })
                .collect(),
            red_flags: h
                .red_flags
                .into_iter()
                .map(|r| RedFlagRow {
                    client: r.client.to_string(),
                    client_code: r.client_code,
                    screening: ScreeningView::from(r.screening),
                })
                .collect(),
            recent_clients: h.recent_clients.into_iter().map(ClientRow::from).collect(),
            open_referrals: h
                .open_referrals
                .into_iter()
                .map(|r| ReferralRow {
                    client: r.client.to_string(),
                    client_code: r.client_code,
                    partner_name: r.partner_name,
                    status: serde_json::to_value(r.status)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    follow_up_due: r.follow_up_due.map(|d| d.to_string()),
                    overdue: r.overdue,
                })
                .collect(),
        }
    }
}
