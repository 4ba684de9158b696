//! Risk episodes and the on-call rota in the vault (issue 22, decision 0007).
//!
//! - An episode is sealed under its subject's key (the client's, or the contact's own), so
//!   whoever may read the client reads her episode; the on-call rota is sealed under a data
//!   key of its own, wrapped under the team key like a contact's, so every member reads the
//!   supervisors' numbers and the server none.
//! - Who must answer is worked out when it is read: the first supervisor on the rota for the
//!   weekday the episode opened (in the team's zone), within the organisation's deadline
//!   (`Deadlines::episode_ack_hours`, 24 h by default); unanswered past it, every supervisor
//!   and admin of the team is asked. A rota or deadline changed later applies at once.
//! - Opening times come from the opener's clock as corrected to the server's at her last sync
//!   (the sync round keeps the correction), so a laptop whose clock is hours off does not
//!   shift the deadline the supervisor sees.
//!
//! `write.rs` holds the [`Batch`](super::Batch) writers, `read.rs` the readers, `stored.rs` the
//! field names the receive rules share.

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;

mod read;
mod signals;
pub(super) mod stored;
mod upgrade;

pub use signals::UrgentDue;
pub(super) use upgrade::mark_upgraded;
pub use upgrade::RECENT_RED_FLAG_DAYS;
mod write;

pub use write::EpisodeDecision;

use super::error::VaultError;
use super::Vault;
use crate::episode::{Episode, EpisodeWork, OnCallRota, Subject, Trigger, DEFAULT_ACK_HOURS};
use crate::ids::{EpisodeId, MemberId};
use crate::team::settings::Zone;

/// An episode as lists and the queue show it, with who must answer and by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct EpisodeView {
    /// The episode.
    pub episode: Episode,
    /// The client's code (empty for a contact).
    pub subject_code: String,
    /// The supervisor it goes to: the first on the rota on the weekday it opened (`None`: no
    /// rota that day, so every supervisor and admin).
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub on_call: Option<MemberId>,
    /// When the acknowledgement is due.
    pub deadline: DateTime<Utc>,
    /// Open and not acknowledged past the deadline: every supervisor and admin is asked.
    pub overdue: bool,
    /// Waits for this member's answer: she is a supervisor or admin, it is not acknowledged,
    /// and it goes to her (on call that day, no rota, or overdue).
    pub for_me: bool,
}

/// A supervisor on call now, with her numbers (for the emergency panel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct OnCallNow {
    /// The supervisor.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub member: MemberId,
    /// Her login name as the roster lists it.
    pub username: String,
    /// Phone (empty if not given).
    pub phone: String,
    /// WhatsApp (empty if not given).
    pub whatsapp: String,
}

/// What a view of an episode needs besides the episode.
struct Context {
    rota: OnCallRota,
    zone: Zone,
    ack_hours: u32,
    me: MemberId,
    supervises: bool,
    now: DateTime<Utc>,
}

impl Context {
    fn view(&self, episode: Episode, subject_code: String) -> EpisodeView {
        let opened_day = episode
            .opened_at
            .with_timezone(&self.zone.offset())
            .weekday();
        let on_call = self.rota.on(opened_day).first().copied();
        let deadline = episode.opened_at + chrono::Duration::hours(i64::from(self.ack_hours));
        let waiting = episode.is_open() && episode.acknowledged.is_none();
        let overdue = waiting && self.now > deadline;
        let for_me =
            waiting && self.supervises && (overdue || on_call.is_none_or(|m| m == self.me));
        EpisodeView {
            episode,
            subject_code,
            on_call,
            deadline,
            overdue,
            for_me,
        }
    }
}

impl Vault {
    /// Now by this device's clock as corrected to the server's at its last sync.
    pub fn corrected_now(&self) -> DateTime<Utc> {
        crate::hlc::HlcClock::corrected_now(self.clock_offset_ms)
    }

    /// A reader that counts as the user's activity, or (`quiet`, for the sync round's own
    /// work) one that does not: a background sync must never keep a vault unlocked.
    fn episode_reader(&mut self, quiet: bool) -> Result<super::read::Reader<'_>, VaultError> {
        if quiet {
            self.quiet_reader()
        } else {
            self.reader()
        }
    }

    fn episode_context(&mut self, now: DateTime<Utc>, quiet: bool) -> Result<Context, VaultError> {
        let settings = self.org_settings()?;
        let ack_hours = settings
            .as_ref()
            .map_or(DEFAULT_ACK_HOURS, |s| s.deadlines.episode_ack_hours);
        let zone = self.team_zone_in(settings.as_ref())?;
        let mut r = self.episode_reader(quiet)?;
        let supervises = crate::permissions::allows_maybe(
            r.my_role()?,
            None,
            crate::permissions::Action::AcknowledgeEpisode,
        );
        let rota = r.on_call_rota()?;
        Ok(Context {
            rota,
            zone,
            ack_hours,
            me: self.member_id(),
            supervises,
            now,
        })
    }

    fn subject_code(&mut self, subject: Subject, quiet: bool) -> Result<String, VaultError> {
        Ok(match subject {
            Subject::Client(c) => self
                .episode_reader(quiet)?
                .u
                .index
                .code_of(c)
                .unwrap_or_default(),
            Subject::Contact(_) => String::new(),
        })
    }

    /// A worker opens an episode herself (red flags open one on their own); returns the open
    /// one if the client or contact has one already.
    ///
    /// Fails when locked or for an unknown client or contact.
    pub fn open_episode(&mut self, subject: Subject) -> Result<EpisodeId, VaultError> {
        self.batch(|b| b.open_episode(subject, &Trigger::Worker))
    }

    /// Saves the assessment, safety plan and actions of an episode.
    ///
    /// Fails when locked or for an unknown episode.
    pub fn update_episode(&mut self, id: EpisodeId, work: &EpisodeWork) -> Result<(), VaultError> {
        self.batch(|b| b.update_episode(id, work))
    }

    /// A supervisor or admin acknowledges or closes an episode (see
    /// [`Batch::decide_episode`](super::Batch::decide_episode)).
    ///
    /// Fails when locked, with [`VaultError::NotPermitted`] for anyone else, or with
    /// [`VaultError::InvalidInput`] (no reason for a closure, closed already).
    pub fn decide_episode(
        &mut self,
        id: EpisodeId,
        decision: &EpisodeDecision,
    ) -> Result<(), VaultError> {
        self.batch(|b| b.decide_episode(id, decision))
    }

    /// One episode with who must answer and by when, at `now`.
    ///
    /// Fails when locked, for an unknown episode, or with [`VaultError::Integrity`].
    pub fn episode(
        &mut self,
        id: EpisodeId,
        now: DateTime<Utc>,
    ) -> Result<EpisodeView, VaultError> {
        let ctx = self.episode_context(now, false)?;
        let episode = self.reader()?.episode(id)?;
        let code = self.subject_code(episode.subject, false)?;
        Ok(ctx.view(episode, code))
    }

    /// A client's or a contact's episodes, newest first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn episodes_of(
        &mut self,
        subject: Subject,
        now: DateTime<Utc>,
    ) -> Result<Vec<EpisodeView>, VaultError> {
        let ctx = self.episode_context(now, false)?;
        let episodes = self.reader()?.episodes_under(subject.key())?;
        let code = self.subject_code(subject, false)?;
        Ok(episodes
            .into_iter()
            .rev()
            .map(|e| ctx.view(e, code.clone()))
            .collect())
    }

    /// Every open episode of the team, the most urgent first (see [`crate::urgent`]).
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn open_episodes(&mut self, now: DateTime<Utc>) -> Result<Vec<EpisodeView>, VaultError> {
        self.open_episodes_read(now, false)
    }

    /// [`Vault::open_episodes`], `quiet` for the sync round (see `episode_reader`).
    pub(super) fn open_episodes_read(
        &mut self,
        now: DateTime<Utc>,
        quiet: bool,
    ) -> Result<Vec<EpisodeView>, VaultError> {
        let ctx = self.episode_context(now, quiet)?;
        let episodes = self.episode_reader(quiet)?.all_episodes()?;
        let mut out = Vec::new();
        for e in episodes.into_iter().filter(Episode::is_open) {
            let code = self.subject_code(e.subject, quiet)?;
            out.push(ctx.view(e, code));
        }
        out.sort_by_key(|v| {
            let acknowledged = v.episode.acknowledged.is_some();
            (
                crate::urgent::of_episode(v.overdue, acknowledged),
                v.deadline,
            )
        });
        Ok(out)
    }

    /// The on-call rota (empty before a supervisor sets one).
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn on_call_rota(&mut self) -> Result<OnCallRota, VaultError> {
        self.reader()?.on_call_rota()
    }

    /// A supervisor or admin saves the on-call rota.
    ///
    /// Fails when locked, with [`VaultError::NotPermitted`] for anyone else, or with
    /// [`VaultError::InvalidInput`] when it names someone who is not a supervisor or admin.
    pub fn save_on_call_rota(&mut self, rota: &OnCallRota) -> Result<(), VaultError> {
        self.batch(|b| b.save_on_call(rota))
    }

    /// The supervisors on call at `now` (the team's weekday), first the one episodes go to,
    /// with their numbers: what the emergency panel shows beside the emergency lines, offline
    /// too.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn on_call_now(&mut self, now: DateTime<Utc>) -> Result<Vec<OnCallNow>, VaultError> {
        let day = now.with_timezone(&self.team_zone()?.offset()).weekday();
        let rota = self.on_call_rota()?;
        let roster = self.roster()?;
        Ok(rota
            .on(day)
            .iter()
            .map(|m| {
                let numbers = rota.numbers_of(*m);
                OnCallNow {
                    member: *m,
                    username: roster
                        .as_ref()
                        .zip(m.server_number())
                        .and_then(|(r, n)| r.member(n))
                        .map(|x| x.username.clone())
                        .unwrap_or_default(),
                    phone: numbers.map(|n| n.phone.clone()).unwrap_or_default(),
                    whatsapp: numbers.map(|n| n.whatsapp.clone()).unwrap_or_default(),
                }
            })
            .collect())
    }
}

#[cfg(test)]
mod tests;
