//! Home ("Hari ini"): what needs the counselor's attention today.

use serde::Serialize;
use ts_rs::TS;

use teduh_core::vault::{EpisodeView, RequestView};

use super::casework::ClientRow;

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
    /// Open risk episodes of her caseload and those waiting for her answer, most urgent first.
    pub episodes: Vec<EpisodeView>,
    /// Clients seen most recently (latest session first), at most 8.
    pub recent_clients: Vec<ClientRow>,
    /// Referrals not yet completed or declined.
    pub open_referrals: Vec<ReferralRow>,
    /// Data-subject requests not yet answered, the nearest deadline first.
    pub requests: Vec<RequestView>,
    /// On a supervisor's or admin's device: how many things outlived their retention period
    /// and wait for her approval to be destroyed (0 elsewhere).
    #[ts(type = "number")]
    pub retention_due: usize,
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
            episodes: h.episodes,
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
            requests: h.requests,
            retention_due: h.retention_due,
        }
    }
}
