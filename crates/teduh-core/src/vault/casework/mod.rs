//! Casework: the counselor's record of a client (profile, cases and risk, consent, session
//! notes and addenda, follow-up tasks, referrals, screenings) and the client's export. The
//! [`Vault`] methods here are the shells' entry points; they check what needs the whole record
//! (consent before a referral) and write through one [`Batch`](super::Batch).

use chrono::Utc;
use serde::Serialize;

mod read;
mod write;

use super::error::VaultError;
use super::Vault;
use crate::domain::{
    purpose, purpose_stopped, Case, CaseDetails, Client, ClientProfile, Consent, ConsentRecord,
    ConsentWithdrawal, Note, NoteDraft, Referral, ReferralRecord, ReferralUpdate, RiskEntry, Task,
    TaskRecord,
};
use crate::ids::{
    AddendumId, CaseId, ClientId, ConsentId, EntityId, NoteId, ReferralId, ScreeningId, TaskId,
};
use crate::index::ClientSummary;
use crate::screening::{Screening, ScreeningAnswers};

/// Everything about one client, decrypted: the data subject's access right (UU PDP).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ClientExport {
    /// Export format version.
    pub format: u32,
    /// When the export was made.
    pub exported_at: chrono::DateTime<Utc>,
    /// The client.
    pub client: Client,
    /// Cases with their risk history.
    pub cases: Vec<Case>,
    /// Consents with withdrawals.
    pub consents: Vec<ConsentRecord>,
    /// Session notes with addenda.
    pub notes: Vec<Note>,
    /// Follow-up tasks.
    pub tasks: Vec<TaskRecord>,
    /// Screenings with computed results.
    pub screenings: Vec<Screening>,
    /// Referrals with their status history.
    pub referrals: Vec<ReferralRecord>,
    /// The hotline and chat contacts she made before she became a client (issue 20).
    pub contacts: Vec<super::contacts::ContactView>,
}

impl Vault {
    /// Adds a client (and its data key); see [`Batch::add_client`](crate::vault::Batch::add_client).
    ///
    /// Fails when locked, on an empty or duplicate code, or when the write fails.
    pub fn add_client(&mut self, profile: &ClientProfile) -> Result<ClientId, VaultError> {
        let profile = self.with_estimate_day(None, profile)?;
        self.batch(|b| b.add_client(&profile))
    }

    /// `profile` with the day its estimated age was given: the day it carries, else the stored
    /// one when the estimate did not change, else the team's today.
    fn with_estimate_day(
        &mut self,
        id: Option<ClientId>,
        profile: &ClientProfile,
    ) -> Result<ClientProfile, VaultError> {
        let mut p = profile.clone();
        if p.estimated_age.is_none() {
            p.estimated_age_on = None;
        } else if p.estimated_age_on.is_none() {
            let stored = match id {
                Some(id) => Some(self.client(id)?.profile),
                None => None,
            };
            p.estimated_age_on = match stored {
                Some(old)
                    if old.estimated_age == p.estimated_age && old.estimated_age_on.is_some() =>
                {
                    old.estimated_age_on
                }
                _ => Some(self.today(chrono::Utc::now())?),
            };
        }
        Ok(p)
    }

    /// Replaces a client's profile; only changed fields are written.
    ///
    /// Fails when locked, for an unknown client, a duplicate code, or a failed write.
    pub fn update_client(
        &mut self,
        id: ClientId,
        profile: &ClientProfile,
    ) -> Result<(), VaultError> {
        let profile = self.with_estimate_day(Some(id), profile)?;
        self.batch(|b| b.update_client(id, &profile))
    }

    /// Reads a client.
    ///
    /// Fails when locked, for an unknown client, or with [`VaultError::Integrity`].
    pub fn client(&mut self, id: ClientId) -> Result<Client, VaultError> {
        let today = self.today(chrono::Utc::now())?;
        self.reader()?.client(id, today)
    }

    /// Every client (from the in-memory index), sorted by code, except the restricted ones
    /// another member handles.
    ///
    /// Fails when locked.
    pub fn list_clients(&mut self) -> Result<Vec<ClientSummary>, VaultError> {
        let hidden = self.hidden_clients()?;
        let mut all = self.reader()?.u.index.all();
        all.retain(|c| !hidden.contains(&c.id));
        Ok(all)
    }

    /// The restricted clients this member does not handle: no list shows them (`limits.rs`).
    fn hidden_clients(&mut self) -> Result<std::collections::HashSet<ClientId>, VaultError> {
        let now = self.corrected_now();
        self.reader()?.restricted_clients(now, true)
    }

    /// Clients whose code, name or nickname contain every word of `query`, at most `limit`,
    /// except the restricted ones another member handles.
    ///
    /// Fails when locked.
    pub fn search_clients(
        &mut self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<ClientSummary>, VaultError> {
        let hidden = self.hidden_clients()?;
        let mut found = self
            .reader()?
            .u
            .index
            .search(query, limit.saturating_add(hidden.len()));
        found.retain(|c| !hidden.contains(&c.id));
        found.truncate(limit);
        Ok(found)
    }

    /// A client code no other device of the team can make offline (issue 22):
    /// `{PREFIX}-{this device's server number}-{NNNN}`, the next number after the highest this
    /// vault holds with that stem (`K-37-0004` after `K-37-0003`). Before joining a team (no
    /// device number yet), `{PREFIX}-{NNNN}`. Codes typed by hand stay allowed; two that meet
    /// after a sync show as duplicates ([`Vault::duplicate_codes`]).
    ///
    /// Fails when locked, or with [`VaultError::InvalidInput`] for a prefix that is not 1-6
    /// letters or digits.
    pub fn suggest_client_code(&mut self, prefix: &str) -> Result<String, VaultError> {
        let prefix = prefix.trim().to_uppercase();
        let plain =
            (1..=6).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_alphanumeric());
        if !plain {
            return Err(VaultError::InvalidInput(format!(
                "a code prefix is 1-6 letters or digits, not {prefix:?}"
            )));
        }
        let stem = match self.binding()? {
            Some(b) => format!("{prefix}-{}-", b.device),
            None => format!("{prefix}-"),
        };
        let highest = self
            .list_clients()?
            .into_iter()
            .filter_map(|c| {
                let code = c.code.to_uppercase();
                code.strip_prefix(&stem)?.parse::<u32>().ok()
            })
            .max()
            .unwrap_or(0);
        Ok(format!("{stem}{:04}", highest.saturating_add(1)))
    }

    /// Codes that two or more clients share (case-insensitive, as typed by the first): what two
    /// devices offline can make by hand; the list marks them until one is renamed.
    ///
    /// Fails when locked.
    pub fn duplicate_codes(&mut self) -> Result<Vec<String>, VaultError> {
        let mut seen: std::collections::HashMap<String, (String, usize)> = Default::default();
        for c in self.list_clients()? {
            seen.entry(c.code.to_lowercase())
                .or_insert_with(|| (c.code.clone(), 0))
                .1 += 1;
        }
        let mut dup: Vec<String> = seen
            .into_values()
            .filter(|(_, n)| *n > 1)
            .map(|(code, _)| code)
            .collect();
        dup.sort();
        Ok(dup)
    }

    /// The client with this code (case-insensitive).
    ///
    /// Fails when locked or with [`VaultError::NotFound`].
    pub fn client_by_code(&mut self, code: &str) -> Result<ClientId, VaultError> {
        self.reader()?
            .u
            .index
            .by_code(code)
            .ok_or_else(|| VaultError::NotFound {
                what: "client",
                id: code.to_owned(),
            })
    }

    /// Opens a case for a client.
    ///
    /// Fails when locked, for an unknown client, or when the write fails.
    pub fn open_case(
        &mut self,
        client: ClientId,
        details: &CaseDetails,
    ) -> Result<CaseId, VaultError> {
        self.batch(|b| b.open_case(client, details))
    }

    /// Changes a case's details (stage, worker, closure...).
    ///
    /// Fails when locked, for an unknown case, or when the write fails.
    pub fn update_case(&mut self, case: CaseId, details: &CaseDetails) -> Result<(), VaultError> {
        self.batch(|b| b.update_case(case, details))
    }

    /// Appends an entry to a case's risk history.
    ///
    /// Fails when locked, for an unknown case, or when the write fails.
    pub fn record_risk(&mut self, case: CaseId, entry: &RiskEntry) -> Result<EntityId, VaultError> {
        self.batch(|b| b.record_risk(case, entry))
    }

    /// Records a consent (append-only).
    ///
    /// Fails when locked, for an unknown client, or when the write fails.
    pub fn record_consent(
        &mut self,
        client: ClientId,
        consent: &Consent,
    ) -> Result<ConsentId, VaultError> {
        self.batch(|b| b.record_consent(client, consent))
    }

    /// Records the withdrawal of a consent (the consent itself stays as it was).
    ///
    /// Fails when locked, for an unknown consent, or when the write fails.
    pub fn withdraw_consent(
        &mut self,
        consent: ConsentId,
        withdrawal: &ConsentWithdrawal,
    ) -> Result<(), VaultError> {
        self.batch(|b| b.withdraw_consent(consent, withdrawal))
    }

    /// Adds a draft session note.
    ///
    /// Fails when locked, for an unknown client, or when the write fails.
    pub fn add_note(&mut self, client: ClientId, draft: &NoteDraft) -> Result<NoteId, VaultError> {
        self.batch(|b| b.add_note(client, draft))
    }

    /// Edits a draft note.
    ///
    /// Fails with [`VaultError::NoteFinalised`] once the note is finalised.
    pub fn edit_note(&mut self, note: NoteId, draft: &NoteDraft) -> Result<(), VaultError> {
        self.batch(|b| b.edit_note(note, draft))
    }

    /// Finalises a note: its content becomes immutable.
    ///
    /// Fails with [`VaultError::NoteFinalised`] if it already is.
    pub fn finalise_note(&mut self, note: NoteId) -> Result<(), VaultError> {
        self.batch(|b| b.finalise_note(note))
    }

    /// Adds an addendum to a finalised note.
    ///
    /// Fails with [`VaultError::NoteIsDraft`] for a draft.
    pub fn add_addendum(&mut self, note: NoteId, text: &str) -> Result<AddendumId, VaultError> {
        self.batch(|b| b.add_addendum(note, text))
    }

    /// Reads a note with its addenda.
    ///
    /// Fails when locked, for an unknown note, or with [`VaultError::Integrity`].
    pub fn note(&mut self, note: NoteId) -> Result<Note, VaultError> {
        self.reader()?.note(note)
    }

    /// A client's notes, oldest first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn notes(&mut self, client: ClientId) -> Result<Vec<Note>, VaultError> {
        self.reader()?.notes(client)
    }

    /// Adds a follow-up task.
    ///
    /// Fails when locked, for an unknown client, or when the write fails.
    pub fn add_task(&mut self, client: ClientId, task: &Task) -> Result<TaskId, VaultError> {
        self.batch(|b| b.add_task(client, task))
    }

    /// Replaces a task (e.g. to mark it done).
    ///
    /// Fails when locked, for an unknown task, or when the write fails.
    pub fn update_task(&mut self, id: TaskId, task: &Task) -> Result<(), VaultError> {
        self.batch(|b| b.update_task(id, task))
    }

    /// Marks a client's task done now.
    ///
    /// Fails with [`VaultError::NotFound`] for a task the client does not have, and when locked.
    pub fn complete_task(&mut self, client: ClientId, task: TaskId) -> Result<(), VaultError> {
        let record = self
            .tasks(client)?
            .into_iter()
            .find(|t| t.id == task)
            .ok_or_else(|| VaultError::NotFound {
                what: "task",
                id: task.to_string(),
            })?;
        let mut done = record.task;
        done.done_at = Some(Utc::now());
        self.update_task(task, &done)
    }

    /// Records a screening this member administers now, in `language`, and returns it as stored,
    /// scored (what every shell shows after saving one).
    ///
    /// Fails with [`VaultError::InvalidInput`] for incomplete or out-of-range answers.
    pub fn record_screening(
        &mut self,
        client: ClientId,
        instrument: crate::screening::Instrument,
        answers: std::collections::BTreeMap<String, u8>,
        language: &str,
    ) -> Result<Screening, VaultError> {
        let answers = ScreeningAnswers {
            instrument,
            answers,
            administered_at: Some(Utc::now()),
            administered_by: Some(self.member_id()),
            language: language.to_owned(),
        };
        let id = self.add_screening(client, &answers)?;
        self.screenings(client)?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| VaultError::NotFound {
                what: "screening",
                id: id.to_string(),
            })
    }

    /// Stores a screening after checking and scoring it.
    ///
    /// Fails with [`VaultError::InvalidInput`] for incomplete or out-of-range answers.
    pub fn add_screening(
        &mut self,
        client: ClientId,
        answers: &ScreeningAnswers,
    ) -> Result<ScreeningId, VaultError> {
        self.batch(|b| b.add_screening(client, answers))
    }

    /// Refers a client to a directory partner, or to a partner outside the directory (named,
    /// with its contact, and flagged for an admin to add). Creates the referral (status `sent`)
    /// and a follow-up task due on `follow_up_due` (a week from today when not given),
    /// atomically.
    ///
    /// Fails with [`VaultError::InvalidInput`] when the partner (a directory id, or the name and
    /// contact of an outside partner) or the reason is missing, and with [`VaultError::NoConsent`]
    /// when no consent in force covers referral and no other lawful basis is recorded.
    pub fn add_referral(
        &mut self,
        client: ClientId,
        referral: &Referral,
    ) -> Result<ReferralId, VaultError> {
        if referral.reason.trim().is_empty() {
            return Err(VaultError::InvalidInput(
                "a referral needs a partner and a reason".into(),
            ));
        }
        if referral.partner_outside_directory {
            if referral.partner_name.trim().is_empty() || referral.partner_contact.trim().is_empty()
            {
                return Err(VaultError::InvalidInput(
                    "a partner outside the directory needs its name and how to reach it".into(),
                ));
            }
        } else if referral.partner_id.trim().is_empty() {
            return Err(VaultError::InvalidInput(
                "a referral needs a partner and a reason".into(),
            ));
        }
        let consents = self.reader()?.consents(client)?;
        let covered = consents.iter().any(|c| {
            c.withdrawals.is_empty() && c.consent.purposes.iter().any(|p| p == purpose::REFERRAL)
        });
        // She withdrew her consent to referral: only another lawful basis refers her now.
        let other_basis = referral
            .lawful_basis
            .is_some_and(|b| b != crate::domain::LawfulBasis::Consent);
        if purpose_stopped(&consents, purpose::REFERRAL) && !other_basis {
            return Err(VaultError::ConsentWithdrawn(
                "she withdrew her consent to referral: refer her only on another lawful basis \
                 (a vital interest, a legal obligation), recorded with the referral"
                    .into(),
            ));
        }
        if !covered && referral.lawful_basis.is_none() {
            return Err(VaultError::NoConsent(
                "the client's consent does not cover referral: record consent for referral, or \
                 the lawful basis for referring without it"
                    .into(),
            ));
        }
        self.batch(|b| b.add_referral(client, referral))
    }

    /// Records a referral's next status (sent -> accepted -> completed, or declined). Closing a
    /// referral also closes its follow-up task.
    ///
    /// Fails with [`VaultError::NotFound`] for an unknown referral and with
    /// [`VaultError::InvalidInput`] for a transition that is not allowed.
    pub fn update_referral(
        &mut self,
        client: ClientId,
        id: ReferralId,
        update: &ReferralUpdate,
    ) -> Result<(), VaultError> {
        let referrals = self.reader()?.referrals(client)?;
        let current =
            referrals
                .iter()
                .find(|r| r.id == id)
                .ok_or_else(|| VaultError::NotFound {
                    what: "referral",
                    id: id.to_string(),
                })?;
        if !current.status.can_become(update.status) {
            return Err(VaultError::InvalidInput(format!(
                "a referral that is {:?} cannot become {:?}",
                current.status, update.status
            )));
        }
        let task = match current.referral.follow_up_task {
            Some(t) => self
                .reader()?
                .tasks(client)?
                .into_iter()
                .find(|r| r.id == t),
            None => None,
        };
        self.batch(|b| {
            b.add_referral_update(id, update)?;
            if let (true, Some(t)) = (update.status.is_closed(), task) {
                let mut done = t.task;
                done.done_at = update.at.or(Some(Utc::now()));
                b.update_task(t.id, &done)?;
            }
            Ok(())
        })
    }

    /// A client's follow-up tasks, oldest first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn tasks(&mut self, client: ClientId) -> Result<Vec<TaskRecord>, VaultError> {
        self.reader()?.tasks(client)
    }

    /// A client's referrals with their history, oldest first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn referrals(&mut self, client: ClientId) -> Result<Vec<ReferralRecord>, VaultError> {
        self.reader()?.referrals(client)
    }

    /// A client's screenings with computed results, oldest first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn screenings(&mut self, client: ClientId) -> Result<Vec<Screening>, VaultError> {
        self.reader()?.screenings(client)
    }

    /// Everything about one client, decrypted (for the data subject's access request).
    ///
    /// Fails when locked, for an unknown client, or with [`VaultError::Integrity`].
    pub fn export_client(&mut self, id: ClientId) -> Result<ClientExport, VaultError> {
        let today = self.today(chrono::Utc::now())?;
        let mut export = self.reader()?.export(id, today)?;
        export.contacts = self.client_contacts(id)?;
        Ok(export)
    }
}
