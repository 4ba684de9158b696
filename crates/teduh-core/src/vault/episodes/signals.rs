//! The content-free alerts outside the app (issue 22, item 4): which episodes this device
//! should have the server announce ("team T has something urgent"), and which it already did.
//!
//! An episode opened on this device is announced once, to the on-call supervisor; an episode
//! this device sees past its deadline unacknowledged is announced once more, to every recipient
//! of the team (each device that sees it may ask; the server sends one message for a burst).

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;

use crate::ids::EpisodeId;
use crate::vault::error::VaultError;
use crate::vault::Vault;

/// One alert to ask the server for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrgentDue {
    /// The episode (never sent: the server learns no id).
    pub episode: EpisodeId,
    /// Past its deadline unacknowledged (else: just opened).
    pub overdue: bool,
    /// The on-call supervisor's server member number, when the rota names one.
    pub on_call: Option<u64>,
}

impl Vault {
    /// The alerts this device should ask for at `now`.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn urgent_signals_due(&mut self, now: DateTime<Utc>) -> Result<Vec<UrgentDue>, VaultError> {
        let me = self.member_id();
        let mut due = Vec::new();
        // Quietly: the sync round's own work is not the user's activity.
        for v in self.open_episodes_read(now, true)? {
            if v.episode.acknowledged.is_some() {
                continue;
            }
            let (overdue, wanted) = if v.overdue {
                (true, true)
            } else {
                // Opened here, lately (an episode synced from a colleague is hers to announce).
                let recent = now - v.episode.opened_at < Duration::hours(24);
                (false, v.episode.opened_by == Some(me) && recent)
            };
            if wanted && !self.urgent_signal_sent(v.episode.id, overdue)? {
                due.push(UrgentDue {
                    episode: v.episode.id,
                    overdue,
                    on_call: v.on_call.and_then(|m| m.server_number()),
                });
            }
        }
        Ok(due)
    }

    fn urgent_signal_sent(&self, episode: EpisodeId, overdue: bool) -> Result<bool, VaultError> {
        Ok(self.store.connection().query_row(
            "SELECT EXISTS (SELECT 1 FROM urgent_signals WHERE episode_id = ?1 AND overdue = ?2)",
            params![&episode.0[..], overdue],
            |r| r.get(0),
        )?)
    }

    /// Records that the server took the alert for `episode`.
    ///
    /// Fails when the database cannot be written.
    pub fn mark_urgent_signal_sent(
        &mut self,
        episode: EpisodeId,
        overdue: bool,
        at: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        self.store.connection().execute(
            "INSERT OR IGNORE INTO urgent_signals (episode_id, overdue, sent_at) VALUES (?1, ?2, ?3)",
            params![&episode.0[..], overdue, at.timestamp_millis()],
        )?;
        Ok(())
    }
}
