//! The upgrade step that turns recent red flags into open episodes (issue 22).
//!
//! The rule: a red flag raised by this member in the last [`RECENT_RED_FLAG_DAYS`] days (a
//! screening's red-flag item, a note's risk "imminent", a contact's self-harm answer) on a
//! client or contact that has no episode yet, and whose cases are not all closed, opens one
//! now. Older red flags stay on the timeline: a deadline of hours for something weeks old would
//! bury today's. Only the member who raised a flag opens its episode, so a team's devices do
//! not open one each. It runs once per vault, at the first unlock after the upgrade.

use chrono::{DateTime, Duration, Utc};
use rusqlite::params;

use crate::contact::SelfHarm;
use crate::domain::{CaseStage, RiskLevel};
use crate::episode::{Subject, Trigger};
use crate::ids::{ContactId, ScreeningId};
use crate::vault::contacts::ContactFilter;
use crate::vault::error::VaultError;
use crate::vault::Vault;

/// How recent a red flag must be to become an open episode on upgrade.
pub const RECENT_RED_FLAG_DAYS: i64 = 14;

const STEP: &str = "issue-22-episodes-from-red-flags";

/// Records the step as done (a new vault has nothing to upgrade).
pub(in crate::vault) fn mark_upgraded(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO upgrade_steps (step, done_at) VALUES (?1, ?2)",
        params![STEP, Utc::now().timestamp_millis()],
    )?;
    Ok(())
}

impl Vault {
    /// Runs the step unless it ran before; returns how many episodes it opened.
    ///
    /// Fails when locked or a record cannot be read or written (the step then runs again at
    /// the next unlock).
    pub(in crate::vault) fn open_episodes_for_recent_red_flags(
        &mut self,
        now: DateTime<Utc>,
    ) -> Result<usize, VaultError> {
        let done: bool = self.store.connection().query_row(
            "SELECT EXISTS (SELECT 1 FROM upgrade_steps WHERE step = ?1)",
            [STEP],
            |r| r.get(0),
        )?;
        if done {
            return Ok(0);
        }
        let since = now - Duration::days(RECENT_RED_FLAG_DAYS);
        let me = self.member_id();
        let mut due: Vec<(Subject, Trigger)> = Vec::new();
        let clients = self.reader()?.u.index.all();
        for c in clients {
            // A restricted record is not written to (`limits.rs`).
            if self.restriction(c.id)?.is_some() {
                continue;
            }
            // A client that cannot be read is reported where it is opened; the rest go on.
            let Ok(all) = self.export_client(c.id) else {
                continue;
            };
            let all_closed = !all.cases.is_empty()
                && all
                    .cases
                    .iter()
                    .all(|k| k.details.stage == CaseStage::ClosureOrReferral);
            if all_closed || !self.episodes_of(Subject::Client(c.id), now)?.is_empty() {
                continue;
            }
            // Only what this member raised (a flag without its author is no device's to open).
            let mine = |by: Option<crate::ids::MemberId>| by == Some(me);
            let flagged = all.screenings.iter().rev().find(|s| {
                !s.result.red_flags.is_empty()
                    && mine(s.answers.administered_by)
                    && s.answers.administered_at.is_some_and(|t| t >= since)
            });
            let imminent = all.notes.iter().rev().find(|n| {
                n.content.risk == Some(RiskLevel::Imminent)
                    && mine(n.author)
                    && n.content.occurred_at.is_some_and(|t| t >= since)
            });
            if let Some(s) = flagged {
                due.push((
                    Subject::Client(c.id),
                    Trigger::Screening {
                        screening: ScreeningId(s.id.0),
                        items: s.result.red_flags.clone(),
                    },
                ));
            } else if let Some(n) = imminent {
                due.push((Subject::Client(c.id), Trigger::NoteRisk { note: n.id }));
            }
        }
        let contacts = self.contacts(&ContactFilter {
            red_flag_only: true,
            limit: u32::MAX,
            ..ContactFilter::default()
        })?;
        for c in contacts.contacts {
            let recent = c.logged_at >= since;
            let original = c.client.is_none() && c.converted_to.is_none();
            if recent
                && original
                && c.entry.self_harm == SelfHarm::Yes
                && c.volunteer == Some(me)
                && self.episodes_of(Subject::Contact(c.id), now)?.is_empty()
            {
                due.push((
                    Subject::Contact(c.id),
                    Trigger::ContactSelfHarm {
                        contact: ContactId(c.id.0),
                    },
                ));
            }
        }
        let opened = due.len();
        self.batch(|b| {
            for (subject, trigger) in &due {
                b.open_episode(*subject, trigger)?;
            }
            mark_upgraded(&b.tx)?;
            Ok(opened)
        })
    }
}
