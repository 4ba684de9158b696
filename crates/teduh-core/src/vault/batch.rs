//! Writing the counseling record: one [`Batch`] is one durable transaction that appends signed
//! records to the log and applies them to the tables.
use super::read::Reader;
use super::{
    check_zone, keys, to_fields, Identity, Unlocked, VaultError, AUTHOR, CREATOR_NONCE,
    FINALISED_AT, FINALISED_BY,
};
use crate::crypto::DataKey;
use crate::domain::{Addendum, ReferralStatus};
use crate::domain::{
    CaseDetails, ClientProfile, Consent, ConsentWithdrawal, NoteDraft, Referral, ReferralUpdate,
    RiskEntry, Task,
};
use crate::ids::{
    AddendumId, CaseId, ClientId, ConsentId, EntityId, MemberId, NoteId, ReferralId, ScreeningId,
    TaskId,
};
use crate::records::Op;
use crate::records::{RecordKind, RecordRow};
use crate::screening;
use crate::screening::{ScoringConfig, ScreeningAnswers};
use crate::{crypto, records};
use chrono::Utc;
use serde::Serialize;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// One write transaction (see [`Vault::batch`](super::Vault::batch)): every method appends a signed record to the
/// log and applies it to the tables; nothing is visible or durable until the batch commits.
pub struct Batch<'v> {
    pub(super) tx: rusqlite::Transaction<'v>,
    pub(super) u: &'v mut Unlocked,
    pub(super) ident: &'v Identity,
    pub(super) scoring: &'v ScoringConfig,
    pub(super) index_updates: Vec<(ClientId, String, String, String)>,
}

impl std::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch").finish_non_exhaustive()
    }
}

impl Batch<'_> {
    pub(super) fn reader(&mut self) -> Reader<'_> {
        Reader {
            conn: &self.tx,
            ident: self.ident,
            u: &mut *self.u,
            scoring: self.scoring,
        }
    }

    /// Appends one record sealing `fields` (plaintext JSON values) and applies it.
    #[allow(clippy::too_many_arguments)]
    /// Writes a record exactly as given (fields as their stored bytes), with none of the checks
    /// of the other writers: what a modified app could sign and send. Exists only for tests of
    /// what receiving devices enforce (feature `forge`, enabled by `teduh-tests`' test builds).
    ///
    /// Fails when locked or the write fails.
    #[cfg(feature = "forge")]
    pub fn forge(
        &mut self,
        kind: RecordKind,
        op: Op,
        entity: EntityId,
        client: ClientId,
        parent: Option<EntityId>,
        fields: Vec<(String, Vec<u8>)>,
    ) -> Result<(), VaultError> {
        let plain = fields
            .into_iter()
            .map(|(n, v)| (n, Zeroizing::new(v)))
            .collect();
        self.append_plain(kind, op, entity, client, parent, plain)
    }

    /// Sets this device's clock back to just after `to`: what a modified app does to stamp its
    /// next record with an earlier time (feature `forge`, for tests only).
    #[cfg(feature = "forge")]
    pub fn forge_clock(&mut self, to: crate::hlc::Hlc) {
        self.u.clock = crate::hlc::HlcClock::starting_after(to);
        let behind = crate::hlc::HlcClock::wall_millis().saturating_sub(to.millis());
        self.u
            .clock
            .set_offset_ms(-i64::try_from(behind).unwrap_or(i64::MAX));
    }

    fn append(
        &mut self,
        kind: RecordKind,
        op: Op,
        entity: EntityId,
        client: ClientId,
        parent: Option<EntityId>,
        fields: &Map<String, Value>,
    ) -> Result<(), VaultError> {
        let mut plain = Vec::with_capacity(fields.len());
        for (name, value) in fields {
            let bytes =
                serde_json::to_vec(value).map_err(|e| VaultError::InvalidInput(e.to_string()))?;
            plain.push((name.clone(), Zeroizing::new(bytes)));
        }
        self.append_plain(kind, op, entity, client, parent, plain)
    }

    fn append_plain(
        &mut self,
        kind: RecordKind,
        op: Op,
        entity: EntityId,
        client: ClientId,
        parent: Option<EntityId>,
        plain: Vec<(String, Zeroizing<Vec<u8>>)>,
    ) -> Result<(), VaultError> {
        let device = self.ident.device;
        let seq = records::next_seq(&self.tx, &device)?;
        let hlc = self.u.clock.tick();
        let epoch = self.u.team_keys.keys().next_back().copied().unwrap_or(0);
        let mut row = RecordRow {
            device,
            seq,
            hlc,
            kind,
            op,
            entity,
            client,
            parent,
            epoch,
            payload: Vec::new(),
            signature: Vec::new(),
        };
        let (conn, ident) = (&*self.tx, self.ident);
        keys::seal_and_sign(conn, ident, self.u, &mut row, &plain)?;
        records::insert(conn, &row)?;
        keys::apply_plain(conn, ident, self.u, &row, &plain, &ident.ed25519_public)?;
        Ok(())
    }

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
        let today = chrono::Utc::now().date_naive();
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

    /// Adds a client: a fresh data key (wrapped under the team key, its own record) and the
    /// profile. The code must be non-empty and unique.
    ///
    /// Fails with [`VaultError::InvalidInput`] or [`VaultError::DuplicateCode`].
    pub fn add_client(&mut self, profile: &ClientProfile) -> Result<ClientId, VaultError> {
        let nonce = crypto::random_bytes::<16>();
        let id = ClientId::derived(&self.ident.ed25519_public, &nonce);
        self.check_code(id, &profile.code)?;
        Self::check_age(profile)?;
        Self::check_guardian(profile)?;
        let key = DataKey::generate();
        let mut wrapped = Zeroizing::new(Vec::with_capacity(48));
        wrapped.extend_from_slice(&key.id.0);
        wrapped.extend_from_slice(key.sealing().key);
        self.append_plain(
            RecordKind::ClientKey,
            Op::Update,
            id.into(),
            id,
            None,
            vec![
                ("data_key".into(), wrapped),
                (CREATOR_NONCE.into(), Zeroizing::new(nonce.to_vec())),
            ],
        )?;
        self.u.client_keys.insert(id, key);
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

    /// Writes the fields of `new` that differ from the stored entity.
    fn update_changed<T: Serialize>(
        &mut self,
        id: EntityId,
        kind: RecordKind,
        what: &'static str,
        new: &T,
        keep: &[&str],
    ) -> Result<ClientId, VaultError> {
        let mut r = self.reader();
        let meta = r.expect(id, kind, what)?;
        let current = r.fields(id, &meta)?;
        let mut changed = to_fields(new)?;
        changed.retain(|k, v| !keep.contains(&k.as_str()) && current.get(k) != Some(v));
        if !changed.is_empty() {
            self.append(kind, Op::Update, id, meta.client, meta.parent, &changed)?;
        }
        Ok(meta.client)
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

    fn create_child(
        &mut self,
        client: ClientId,
        kind: RecordKind,
        parent: Option<EntityId>,
        fields: &Map<String, Value>,
    ) -> Result<EntityId, VaultError> {
        self.reader()
            .expect(client.into(), RecordKind::Client, "client")?;
        let id = EntityId::random();
        self.append(kind, Op::Create, id, client, parent, fields)?;
        Ok(id)
    }

    /// Appends a record that belongs to an existing parent (a risk entry to its case, a
    /// withdrawal to its consent, a status to its referral); the client is the parent's.
    pub(super) fn append_to_parent(
        &mut self,
        parent: EntityId,
        parent_kind: RecordKind,
        what: &'static str,
        kind: RecordKind,
        fields: &Map<String, Value>,
    ) -> Result<EntityId, VaultError> {
        let meta = self.reader().expect(parent, parent_kind, what)?;
        self.create_child(meta.client, kind, Some(parent), fields)
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
        let child = self.reader().client(client)?.is_child;
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
        let id = self.create_child(client, RecordKind::Note, None, &fields)?;
        Ok(NoteId(id.0))
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
        self.update_changed(note.into(), RecordKind::Note, "note", draft, &[])?;
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
        screening::score(answers, self.scoring)
            .map_err(|e| VaultError::InvalidInput(e.to_string()))?;
        let id = self.create_child(client, RecordKind::Screening, None, &to_fields(answers)?)?;
        Ok(ScreeningId(id.0))
    }
}
