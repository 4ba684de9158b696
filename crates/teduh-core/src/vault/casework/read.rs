//! Casework reads: assembling a client, her cases, notes, consents, tasks, referrals and
//! screenings (and her export) from decrypted fields. Separate from the [`Reader`] itself,
//! which only knows how to find and open an entity's fields.

use chrono::{NaiveDate, Utc};

use super::ClientExport;
use crate::domain::{
    AddendumRecord, Case, CaseDetails, Client, ClientProfile, Consent, ConsentRecord, Note,
    NoteDraft, NoteStatus, Referral, ReferralRecord, ReferralUpdate, RiskEntry, TaskRecord,
};
use crate::ids::{
    AddendumId, CaseId, ClientId, ConsentId, NoteId, ReferralId, ScreeningId, TaskId,
};
use crate::records::RecordKind;
use crate::screening::{self, Screening, ScreeningAnswers};
use crate::vault::error::VaultError;
use crate::vault::read::Reader;
use crate::vault::sealed::{from_fields, AUTHOR, FINALISED_AT, FINALISED_BY};

impl Reader<'_> {
    /// The day a client's estimated age was given: as stored, else (an estimate written before
    /// estimates carried their day) the day its field was written; none without an estimate.
    pub(in crate::vault) fn estimate_day(
        &self,
        client: ClientId,
        estimate: Option<u32>,
        stored: Option<NaiveDate>,
    ) -> Result<Option<NaiveDate>, VaultError> {
        match (estimate, stored) {
            (None, _) => Ok(None),
            (Some(_), Some(day)) => Ok(Some(day)),
            (Some(_), None) => self.written_on(client.into(), "estimated_age"),
        }
    }

    /// A client, with whether she is a child on `today` (the team's day).
    pub(in crate::vault) fn client(
        &mut self,
        id: ClientId,
        today: NaiveDate,
    ) -> Result<Client, VaultError> {
        let meta = self.expect(id.into(), RecordKind::Client, "client")?;
        let fields = self.fields(id.into(), &meta)?;
        let mut profile: ClientProfile = from_fields(fields, "client")?;
        profile.estimated_age_on =
            self.estimate_day(id, profile.estimated_age, profile.estimated_age_on)?;
        Ok(Client {
            id,
            is_child: profile.is_child(today),
            profile,
        })
    }

    pub(in crate::vault) fn case(&mut self, id: CaseId) -> Result<Case, VaultError> {
        let meta = self.expect(id.into(), RecordKind::Case, "case")?;
        let details: CaseDetails = from_fields(self.fields(id.into(), &meta)?, "case")?;
        let mut risk_history = Vec::new();
        for r in self.children(meta.client, RecordKind::Risk, Some(id.into()))? {
            let m = self.expect(r, RecordKind::Risk, "risk entry")?;
            risk_history.push(from_fields::<RiskEntry>(self.fields(r, &m)?, "risk entry")?);
        }
        Ok(Case {
            id,
            details,
            current_risk: risk_history.last().map(|r| r.level),
            risk_history,
        })
    }

    pub(in crate::vault) fn note(&mut self, id: NoteId) -> Result<Note, VaultError> {
        let meta = self.expect(id.into(), RecordKind::Note, "note")?;
        let mut fields = self.fields(id.into(), &meta)?;
        let author = fields
            .remove(AUTHOR)
            .and_then(|v| serde_json::from_value(v).ok());
        let at = fields.remove(FINALISED_AT);
        let by = fields.remove(FINALISED_BY);
        let status = match (at, by) {
            (Some(at), Some(by)) => NoteStatus::Finalised {
                at: serde_json::from_value(at).map_err(|_| VaultError::Integrity {
                    record: format!("note {id} field `{FINALISED_AT}`"),
                })?,
                by: serde_json::from_value(by).map_err(|_| VaultError::Integrity {
                    record: format!("note {id} field `{FINALISED_BY}`"),
                })?,
            },
            _ => NoteStatus::Draft,
        };
        let content: NoteDraft = from_fields(fields, "note")?;
        let mut addenda = Vec::new();
        for a in self.children(meta.client, RecordKind::Addendum, Some(id.into()))? {
            let m = self.expect(a, RecordKind::Addendum, "addendum")?;
            addenda.push(AddendumRecord {
                id: AddendumId(a.0),
                addendum: from_fields(self.fields(a, &m)?, "addendum")?,
            });
        }
        Ok(Note {
            id,
            client: meta.client,
            author,
            content,
            status,
            addenda,
        })
    }

    pub(in crate::vault) fn notes(&mut self, client: ClientId) -> Result<Vec<Note>, VaultError> {
        self.expect(client.into(), RecordKind::Client, "client")?;
        self.children(client, RecordKind::Note, None)?
            .into_iter()
            .map(|n| self.note(NoteId(n.0)))
            .collect()
    }

    pub(in crate::vault) fn screenings(
        &mut self,
        client: ClientId,
    ) -> Result<Vec<Screening>, VaultError> {
        let mut out = Vec::new();
        for s in self.children(client, RecordKind::Screening, None)? {
            let m = self.expect(s, RecordKind::Screening, "screening")?;
            let answers: ScreeningAnswers = from_fields(self.fields(s, &m)?, "screening")?;
            let result =
                screening::score(&answers, self.scoring).map_err(|e| VaultError::Integrity {
                    record: format!("screening {s}: stored answers do not score ({e})"),
                })?;
            out.push(Screening {
                id: ScreeningId(s.0),
                answers,
                result,
            });
        }
        Ok(out)
    }

    pub(in crate::vault) fn consents(
        &mut self,
        id: ClientId,
    ) -> Result<Vec<ConsentRecord>, VaultError> {
        let mut consents = Vec::new();
        for c in self.children(id, RecordKind::Consent, None)? {
            let m = self.expect(c, RecordKind::Consent, "consent")?;
            let consent: Consent = from_fields(self.fields(c, &m)?, "consent")?;
            let mut withdrawals = Vec::new();
            for w in self.children(id, RecordKind::ConsentWithdrawal, Some(c))? {
                let m = self.expect(w, RecordKind::ConsentWithdrawal, "withdrawal")?;
                withdrawals.push(from_fields(self.fields(w, &m)?, "withdrawal")?);
            }
            consents.push(ConsentRecord {
                id: ConsentId(c.0),
                consent,
                withdrawals,
            });
        }
        Ok(consents)
    }

    pub(in crate::vault) fn tasks(&mut self, id: ClientId) -> Result<Vec<TaskRecord>, VaultError> {
        let mut tasks = Vec::new();
        for t in self.children(id, RecordKind::Task, None)? {
            let m = self.expect(t, RecordKind::Task, "task")?;
            tasks.push(TaskRecord {
                id: TaskId(t.0),
                task: from_fields(self.fields(t, &m)?, "task")?,
            });
        }
        Ok(tasks)
    }

    pub(in crate::vault) fn referrals(
        &mut self,
        id: ClientId,
    ) -> Result<Vec<ReferralRecord>, VaultError> {
        let mut out = Vec::new();
        for r in self.children(id, RecordKind::Referral, None)? {
            let m = self.expect(r, RecordKind::Referral, "referral")?;
            let referral: Referral = from_fields(self.fields(r, &m)?, "referral")?;
            let mut updates: Vec<ReferralUpdate> = Vec::new();
            for u in self.children(id, RecordKind::ReferralStatus, Some(r))? {
                let m = self.expect(u, RecordKind::ReferralStatus, "referral status")?;
                updates.push(from_fields(self.fields(u, &m)?, "referral status")?);
            }
            let status = updates.last().map(|u| u.status).unwrap_or_default();
            out.push(ReferralRecord {
                id: ReferralId(r.0),
                referral,
                updates,
                status,
            });
        }
        Ok(out)
    }

    pub(in crate::vault) fn export(
        &mut self,
        id: ClientId,
        today: NaiveDate,
    ) -> Result<ClientExport, VaultError> {
        let client = self.client(id, today)?;
        let mut cases = Vec::new();
        for c in self.children(id, RecordKind::Case, None)? {
            cases.push(self.case(CaseId(c.0))?);
        }
        let consents = self.consents(id)?;
        let referrals = self.referrals(id)?;
        let notes = self.notes(id)?;
        let tasks = self.tasks(id)?;
        let screenings = self.screenings(id)?;
        Ok(ClientExport {
            format: 1,
            exported_at: Utc::now(),
            client,
            cases,
            consents,
            notes,
            tasks,
            screenings,
            referrals,
            contacts: Vec::new(),
        })
    }
}
