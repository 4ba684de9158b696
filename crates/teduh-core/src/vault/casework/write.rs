//! Casework writes: the [`Batch`] methods that check and append a client's records (profile,
//! cases, consent, notes and addenda, tasks, referrals, screenings). Separate from the batch
//! itself, which only knows how to seal, sign, append and apply a record.

use chrono::Utc;

use crate::domain::{
    Addendum, CaseDetails, ClientProfile, Consent, ConsentWithdrawal, NoteDraft, Referral,
    ReferralStatus, ReferralUpdate, RiskEntry, RiskLevel, Task,
};
use crate::episode::{Subject, Trigger};
use crate::ids::{
    AddendumId, CaseId, ClientId, ConsentId, EntityId, MemberId, NoteId, ReferralId, ScreeningId,
    TaskId,
};
use crate::records::{Op, RecordKind};
use crate::screening::{self, ScreeningAnswers};
use crate::vault::batch::Batch;
use crate::vault::error::VaultError;
use crate::vault::sealed::{to_fields, AUTHOR, FINALISED_AT, FINALISED_BY};

impl Batch<'_> {
    fn check_code(&mut self, id: ClientId, code: &str) -> Result<(), VaultError> {
        let code = code.trim();
        if code.is_empty() {
            return Err(VaultError::InvalidInput("a client needs a code".into()));
        }
        let taken_index = self.u.index.by_code(code).is_some_and(|c| c != id);
        let taken_batch = self
            .index_updates
            .iter()
            .any(|(c, k, _, _)| *c != id && k.eq_ignore_ascii_case(code));
        if taken_index || taken_batch {
            return Err(VaultError::DuplicateCode(code.to_owned()));
        }
        Ok(())
    }

    /// A birth date after today (anywhere in Indonesia) or an age above
    /// [`crate::domain::MAX_AGE_YEARS`] is a typing mistake, not a client.
    fn check_age(profile: &ClientProfile) -> Result<(), VaultError> {
        let today = crate::domain::latest_day_in_indonesia(Utc::now());
        profile
            .check_age(today)
            .map_err(|e| VaultError::InvalidInput(e.to_string()))
    }

    /// A client under 18 must have a guardian with a name (child-protection practice; the
    /// guardian is who consents for a child), or the reason why none can be named or asked
    /// (an unaccompanied or street child is recorded, not turned away).
    fn check_guardian(profile: &ClientProfile) -> Result<(), VaultError> {
        let today = crate::domain::local_day(Utc::now(), "Asia/Jakarta");
        let named = profile
            .guardian
            .as_ref()
            .is_some_and(|g| !g.name.trim().is_empty());
        let explained = !profile.no_guardian_reason.trim().is_empty();
        if profile.is_child(today) == Some(true) && !named && !explained {
            return Err(VaultError::InvalidInput(
                "a client under 18 needs a guardian (name required), or the reason why none \
                 can be asked"
                    .into(),
            ));
        }
        Ok(())
    }

    /// Adds a client: a fresh data key (wrapped to its readers' devices, see
    /// `vault/assignment.rs`) and the profile. The code must be non-empty and unique.
    ///
    /// Fails with [`VaultError::InvalidInput`] or [`VaultError::DuplicateCode`].
    pub fn add_client(&mut self, profile: &ClientProfile) -> Result<ClientId, VaultError> {
        // In a team, juniors work on the clients a supervisor assigns them (before joining,
        // no one has a role yet).
        let r = self.reader();
        if r.my_role()?.is_some() && !r.may(crate::permissions::Action::RegisterClient)? {
            return Err(VaultError::NotPermitted(
                "a junior volunteer works on the clients a supervisor assigns her; ask your \
                 supervisor to register this one"
                    .into(),
            ));
        }
        // Nor is a child's case registered by someone who may not hold one alone (she becomes
        // its only worker until a supervisor assigns).
        let child = profile.is_child(chrono::Utc::now().date_naive()) == Some(true);
        if child && r.my_role()?.is_some() && !r.may(crate::permissions::Action::HoldChildCase)? {
            return Err(VaultError::NotPermitted(
                "a child's case is registered by a senior volunteer, a staff worker or a \
                 supervisor; ask your supervisor"
                    .into(),
            ));
        }
        // The code first: a fresh id is taken by no other client.
        self.check_code(ClientId([0; 16]), &profile.code)?;
        Self::check_age(profile)?;
        Self::check_guardian(profile)?;
        let id = self.new_client_key()?;
        self.append(
            RecordKind::Client,
            Op::Create,
            id.into(),
            id,
            None,
            &to_fields(profile)?,
        )?;
        self.index_updates.push((
            id,
            profile.code.clone(),
            profile.name.clone(),
            profile.nickname.clone(),
        ));
        Ok(id)
    }

    /// Replaces a client's profile (only changed fields are written).
    ///
    /// Fails for an unknown client or a duplicate code.
    pub fn update_client(
        &mut self,
        id: ClientId,
        profile: &ClientProfile,
    ) -> Result<(), VaultError> {
        self.check_code(id, &profile.code)?;
        Self::check_age(profile)?;
        Self::check_guardian(profile)?;
        self.update_changed(id.into(), RecordKind::Client, "client", profile, &[])?;
        self.index_updates.push((
            id,
            profile.code.clone(),
            profile.name.clone(),
            profile.nickname.clone(),
        ));
        Ok(())
    }

    /// Opens a case.
    ///
    /// Fails for an unknown client.
    pub fn open_case(
        &mut self,
        client: ClientId,
        details: &CaseDetails,
    ) -> Result<CaseId, VaultError> {
        let id = self.create_child(client, RecordKind::Case, None, &to_fields(details)?)?;
        Ok(CaseId(id.0))
    }

    /// Changes a case's details.
    ///
    /// Fails for an unknown case.
    pub fn update_case(&mut self, case: CaseId, details: &CaseDetails) -> Result<(), VaultError> {
        self.update_changed(case.into(), RecordKind::Case, "case", details, &[])?;
        Ok(())
    }

    /// Appends a risk entry to a case's history.
    ///
    /// Fails for an unknown case.
    pub fn record_risk(&mut self, case: CaseId, entry: &RiskEntry) -> Result<EntityId, VaultError> {
        self.append_to_parent(
            case.into(),
            RecordKind::Case,
            "case",
            RecordKind::Risk,
            &to_fields(entry)?,
        )
    }

    /// Records a consent, checked against the client's age ([`Consent::check_for`]): a child's
    /// comes from a parent or guardian with the child's assent beside it, or rests on a lawful
    /// basis with its reason when no guardian can be asked.
    ///
    /// Fails for an unknown client, and with [`VaultError::InvalidInput`] naming the
    /// [`crate::domain::ConsentProblem`].
    pub fn record_consent(
        &mut self,
        client: ClientId,
        consent: &Consent,
    ) -> Result<ConsentId, VaultError> {
        // The earliest day in Indonesia (WIB): a child is treated as one until it ends.
        let today = crate::domain::local_day(Utc::now(), "Asia/Jakarta");
        let child = self.reader().client(client, today)?.is_child;
        consent
            .check_for(child)
            .map_err(|e| VaultError::InvalidInput(e.to_string()))?;
        let id = self.create_child(client, RecordKind::Consent, None, &to_fields(consent)?)?;
        Ok(ConsentId(id.0))
    }

    /// Records a withdrawal of a consent in force, with when and why
    /// ([`ConsentWithdrawal::check_against`]).
    ///
    /// Fails for an unknown consent, and with [`VaultError::InvalidInput`] naming the
    /// [`crate::domain::WithdrawalProblem`].
    pub fn withdraw_consent(
        &mut self,
        consent: ConsentId,
        withdrawal: &ConsentWithdrawal,
    ) -> Result<(), VaultError> {
        let meta = self
            .reader()
            .expect(consent.into(), RecordKind::Consent, "consent")?;
        let consents = self.reader().consents(meta.client)?;
        let record =
            consents
                .iter()
                .find(|c| c.id == consent)
                .ok_or_else(|| VaultError::NotFound {
                    what: "consent",
                    id: consent.to_string(),
                })?;
        withdrawal
            .check_against(record)
            .map_err(|e| VaultError::InvalidInput(e.to_string()))?;
        self.append_to_parent(
            consent.into(),
            RecordKind::Consent,
            "consent",
            RecordKind::ConsentWithdrawal,
            &to_fields(withdrawal)?,
        )?;
        Ok(())
    }

    /// Adds a draft note written by this member.
    ///
    /// Fails for an unknown client.
    pub fn add_note(&mut self, client: ClientId, draft: &NoteDraft) -> Result<NoteId, VaultError> {
        check_zone(draft)?;
        let mut fields = to_fields(draft)?;
        fields.insert(AUTHOR.into(), serde_json::json!(self.ident.member));
        let id = NoteId(
            self.create_child(client, RecordKind::Note, None, &fields)?
                .0,
        );
        self.open_episode_if_imminent(client, id, draft)?;
        Ok(id)
    }

    /// A note whose risk is "imminent" opens an episode on its client (if none is open).
    fn open_episode_if_imminent(
        &mut self,
        client: ClientId,
        note: NoteId,
        draft: &NoteDraft,
    ) -> Result<(), VaultError> {
        if draft.risk == Some(RiskLevel::Imminent) {
            self.open_episode(Subject::Client(client), &Trigger::NoteRisk { note })?;
        }
        Ok(())
    }

    fn is_finalised(&mut self, note: NoteId) -> Result<bool, VaultError> {
        let r = self.reader();
        r.expect(note.into(), RecordKind::Note, "note")?;
        r.has_field(note.into(), FINALISED_AT)
    }

    /// Edits a draft note.
    ///
    /// Fails with [`VaultError::NoteFinalised`] once finalised.
    pub fn edit_note(&mut self, note: NoteId, draft: &NoteDraft) -> Result<(), VaultError> {
        if self.is_finalised(note)? {
            return Err(VaultError::NoteFinalised(note));
        }
        self.check_author(note)?;
        check_zone(draft)?;
        let client = self.update_changed(note.into(), RecordKind::Note, "note", draft, &[])?;
        self.open_episode_if_imminent(client, note, draft)?;
        Ok(())
    }

    /// Only a note's author edits or finalises it; supervisors and colleagues read it (and
    /// review or comment once it is finalised).
    fn check_author(&mut self, note: NoteId) -> Result<(), VaultError> {
        let mut r = self.reader();
        let meta = r.expect(note.into(), RecordKind::Note, "note")?;
        let author = r.fields(note.into(), &meta)?.remove(AUTHOR);
        match author.and_then(|a| serde_json::from_value::<MemberId>(a).ok()) {
            Some(a) if a != self.ident.member => Err(VaultError::NotAuthor(note)),
            _ => Ok(()),
        }
    }

    /// Finalises a note.
    ///
    /// Fails with [`VaultError::NoteFinalised`] if it already is.
    pub fn finalise_note(&mut self, note: NoteId) -> Result<(), VaultError> {
        if self.is_finalised(note)? {
            return Err(VaultError::NoteFinalised(note));
        }
        self.check_author(note)?;
        let mut r = self.reader();
        let meta = r.expect(note.into(), RecordKind::Note, "note")?;
        // The finalising record re-seals the whole content: with its higher rank it then wins
        // over any edit, earlier or later, that reaches another device (see records::apply).
        let mut f = r.fields(note.into(), &meta)?;
        let assessed = f.get("risk").is_some_and(|v| !v.is_null());
        if !assessed && r.open_episode_of(meta.client)?.is_some() {
            return Err(VaultError::RiskNotAssessed(note));
        }
        f.insert(FINALISED_AT.into(), serde_json::json!(Utc::now()));
        f.insert(FINALISED_BY.into(), serde_json::json!(self.ident.member));
        self.append(
            RecordKind::Note,
            Op::Update,
            note.into(),
            meta.client,
            None,
            &f,
        )
    }

    /// Adds an addendum to a finalised note.
    ///
    /// Fails with [`VaultError::NoteIsDraft`] for a draft.
    pub fn add_addendum(&mut self, note: NoteId, text: &str) -> Result<AddendumId, VaultError> {
        if !self.is_finalised(note)? {
            return Err(VaultError::NoteIsDraft(note));
        }
        let meta = self
            .reader()
            .expect(note.into(), RecordKind::Note, "note")?;
        let a = Addendum {
            text: text.to_owned(),
            written_at: Some(Utc::now()),
            author: Some(self.ident.member),
        };
        let id = self.create_child(
            meta.client,
            RecordKind::Addendum,
            Some(note.into()),
            &to_fields(&a)?,
        )?;
        Ok(AddendumId(id.0))
    }

    /// Adds a task.
    ///
    /// Fails for an unknown client, or with [`VaultError::InvalidInput`] for a task without a
    /// title.
    pub fn add_task(&mut self, client: ClientId, task: &Task) -> Result<TaskId, VaultError> {
        if task.title.trim().is_empty() {
            return Err(VaultError::InvalidInput("a task needs a title".into()));
        }
        let id = self.create_child(client, RecordKind::Task, None, &to_fields(task)?)?;
        Ok(TaskId(id.0))
    }

    /// Replaces a task.
    ///
    /// Fails for an unknown task.
    pub fn update_task(&mut self, id: TaskId, task: &Task) -> Result<(), VaultError> {
        self.update_changed(id.into(), RecordKind::Task, "task", task, &[])?;
        Ok(())
    }

    /// Creates a referral in status `sent` with its follow-up task (see [`Vault::add_referral`](super::Vault::add_referral),
    /// which checks consent first).
    pub fn add_referral(
        &mut self,
        client: ClientId,
        referral: &Referral,
    ) -> Result<ReferralId, VaultError> {
        let now = Utc::now();
        let due = referral
            .follow_up_due
            .unwrap_or_else(|| now.date_naive() + chrono::Days::new(7));
        let task = Task {
            title: format!("Rujukan: {}", referral.partner_name),
            due: Some(due),
            ..Task::default()
        };
        let task_id = self.add_task(client, &task)?;
        let stored = Referral {
            follow_up_due: Some(due),
            follow_up_task: Some(task_id),
            ..referral.clone()
        };
        let id = self.create_child(client, RecordKind::Referral, None, &to_fields(&stored)?)?;
        let sent = ReferralUpdate {
            status: ReferralStatus::Sent,
            at: Some(now),
            note: String::new(),
        };
        self.create_child(
            client,
            RecordKind::ReferralStatus,
            Some(id),
            &to_fields(&sent)?,
        )?;
        Ok(ReferralId(id.0))
    }

    /// Appends a referral status change (see [`Vault::update_referral`](super::Vault::update_referral) for the checks).
    pub fn add_referral_update(
        &mut self,
        id: ReferralId,
        update: &ReferralUpdate,
    ) -> Result<(), VaultError> {
        self.append_to_parent(
            id.into(),
            RecordKind::Referral,
            "referral",
            RecordKind::ReferralStatus,
            &to_fields(update)?,
        )?;
        Ok(())
    }

    /// Stores a screening after validating it.
    ///
    /// Fails with [`VaultError::InvalidInput`] when the answers do not score.
    pub fn add_screening(
        &mut self,
        client: ClientId,
        answers: &ScreeningAnswers,
    ) -> Result<ScreeningId, VaultError> {
        let result = screening::score(answers, self.scoring)
            .map_err(|e| VaultError::InvalidInput(e.to_string()))?;
        let id = self.create_child(client, RecordKind::Screening, None, &to_fields(answers)?)?;
        let id = ScreeningId(id.0);
        if !result.red_flags.is_empty() {
            self.open_episode(
                Subject::Client(client),
                &Trigger::Screening {
                    screening: id,
                    items: result.red_flags,
                },
            )?;
        }
        Ok(id)
    }
}

fn check_zone(draft: &NoteDraft) -> Result<(), VaultError> {
    if crate::domain::is_plausible_iana_zone(&draft.zone) {
        Ok(())
    } else {
        Err(VaultError::InvalidInput(format!(
            "{:?} is not a time-zone name such as Asia/Jakarta (WIB), Asia/Makassar (WITA) or \
             Asia/Jayapura (WIT)",
            draft.zone
        )))
    }
}
