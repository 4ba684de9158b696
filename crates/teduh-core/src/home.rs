//! [`HomeDay`]: what a member's Home ("Hari ini") shows for one calendar day, from her own
//! caseload: open risk episodes, data-subject requests waiting for an answer, drafts to finalise, follow-ups due, open referrals and the
//! clients seen most recently. The desktop and any other shell show it; the rules live here.

use chrono::{DateTime, NaiveDate, Utc};

use crate::domain::{NoteStatus, ReferralStatus};
use crate::episode::Subject;
use crate::ids::{ClientId, NoteId, TaskId};
use crate::index::ClientSummary;
use crate::vault::{EpisodeView, RequestView, Vault, VaultError};

/// How many recently seen clients Home lists.
pub const RECENT_CLIENTS: usize = 8;

/// A draft waiting to be finalised.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// The note.
    pub note: NoteId,
    /// Its client.
    pub client: ClientId,
    /// The client's pseudonymous code.
    pub client_code: String,
    /// When the session happened.
    pub occurred_at: Option<DateTime<Utc>>,
}

/// A follow-up due on the day or overdue.
#[derive(Debug, Clone, PartialEq)]
pub struct FollowUp {
    /// Its client.
    pub client: ClientId,
    /// The client's pseudonymous code.
    pub client_code: String,
    /// What to do: a task's title, or [`NEXT_FOLLOW_UP`] for a note's next follow-up.
    pub title: String,
    /// Due day.
    pub due: NaiveDate,
    /// Due before the day.
    pub overdue: bool,
    /// The task to mark done; `None` for a note's next follow-up (the next session does it).
    pub task: Option<TaskId>,
}

/// The title of a follow-up that comes from a note's "next follow-up" date.
pub const NEXT_FOLLOW_UP: &str = "next_follow_up";

/// A referral not yet completed or declined.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenReferral {
    /// Its client.
    pub client: ClientId,
    /// The client's pseudonymous code.
    pub client_code: String,
    /// The partner's name.
    pub partner_name: String,
    /// `Sent` or `Accepted`.
    pub status: ReferralStatus,
    /// When to follow it up.
    pub follow_up_due: Option<NaiveDate>,
    /// The follow-up day has passed.
    pub overdue: bool,
}

/// Home for one day.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HomeDay {
    /// Follow-ups due on the day or overdue, earliest first.
    pub follow_ups: Vec<FollowUp>,
    /// Drafts not yet finalised.
    pub drafts: Vec<Draft>,
    /// Open risk episodes of her caseload, those she opened, and (a supervisor's) those
    /// waiting for her answer, the most urgent first: what a red flag means everywhere.
    pub episodes: Vec<EpisodeView>,
    /// Clients seen most recently (latest session first), at most [`RECENT_CLIENTS`].
    pub recent_clients: Vec<ClientSummary>,
    /// Referrals not yet completed or declined.
    pub open_referrals: Vec<OpenReferral>,
    /// Data-subject requests not yet answered (UU PDP, 3×24 h) of her caseload or handled by
    /// her, the nearest deadline first.
    pub requests: Vec<RequestView>,
    /// On a key manager's device, how many things outlived their retention period and wait
    /// for her approval to be destroyed (the retention check, run with every Home: at least
    /// daily); 0 on other devices.
    pub retention_due: usize,
}

impl HomeDay {
    /// Collects Home for `today` (the member's own calendar day) from her caseload.
    ///
    /// Fails when the vault is locked or a record cannot be read.
    pub fn collect(v: &mut Vault, today: NaiveDate) -> Result<Self, VaultError> {
        let mut home = HomeDay::default();
        let mut recent = Vec::new();
        // Her own caseload: a team's whole record (a supervisor's 5,000 clients) would be read
        // in full on every Home; the team's view is the review queue and the dashboard.
        let mine = v.my_clients()?;
        let me = v.member_id();
        home.episodes = v
            .open_episodes(v.corrected_now())?
            .into_iter()
            .filter(|e| {
                let her_client =
                    matches!(e.episode.subject, Subject::Client(c) if mine.contains(&c));
                her_client || e.episode.opened_by == Some(me) || e.for_me
            })
            .collect();
        home.requests = v
            .open_requests()?
            .into_iter()
            .filter(|r| mine.contains(&r.client) || r.request.handler == Some(me))
            .collect();
        for c in v
            .list_clients()?
            .into_iter()
            .filter(|c| mine.contains(&c.id))
        {
            let all = v.export_client(c.id)?;
            let (client, code) = (c.id, c.code.clone());
            if let Some(last) = all.notes.iter().filter_map(|n| n.content.occurred_at).max() {
                recent.push((last, c));
            }
            for n in &all.notes {
                if matches!(n.status, NoteStatus::Draft) {
                    home.drafts.push(Draft {
                        note: n.id,
                        client,
                        client_code: code.clone(),
                        occurred_at: n.content.occurred_at,
                    });
                }
                // A note's next follow-up is done once a later session has been written.
                let followed_up = all
                    .notes
                    .iter()
                    .any(|later| later.content.occurred_at > n.content.occurred_at);
                if let (Some(due), false) = (n.content.next_follow_up, followed_up) {
                    if due <= today {
                        home.follow_ups.push(FollowUp {
                            client,
                            client_code: code.clone(),
                            title: NEXT_FOLLOW_UP.into(),
                            due,
                            overdue: due < today,
                            task: None,
                        });
                    }
                }
            }
            for t in &all.tasks {
                if let (Some(due), None) = (t.task.due, t.task.done_at) {
                    if due <= today {
                        home.follow_ups.push(FollowUp {
                            client,
                            client_code: code.clone(),
                            title: t.task.title.clone(),
                            due,
                            overdue: due < today,
                            task: Some(t.id),
                        });
                    }
                }
            }
            for r in &all.referrals {
                if !r.status.is_closed() {
                    let due = r.referral.follow_up_due;
                    home.open_referrals.push(OpenReferral {
                        client,
                        client_code: code.clone(),
                        partner_name: r.referral.partner_name.clone(),
                        status: r.status,
                        follow_up_due: due,
                        overdue: due.is_some_and(|d| d < today),
                    });
                }
            }
        }
        // The team's whole record is read here, but only its closed cases' closing times,
        // drafts' last changes and the in-memory contact list (`vault/erasure/retention.rs`).
        if v.my_role()?.is_none_or(|r| r.manages_keys()) {
            home.retention_due = v.retention_check()?.due.len();
        }
        home.follow_ups.sort_by_key(|f| f.due);
        recent.sort_by_key(|(last, _)| std::cmp::Reverse(*last));
        home.recent_clients = recent
            .into_iter()
            .take(RECENT_CLIENTS)
            .map(|(_, c)| c)
            .collect();
        Ok(home)
    }
}
