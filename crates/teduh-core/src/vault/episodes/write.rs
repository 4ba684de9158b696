//! The episode writers: open (at most one open episode per client or contact), the workers'
//! assessment, plan and actions, a supervisor's acknowledgement and closure, and the on-call
//! rota.

use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};

use super::stored::{
    ACKNOWLEDGED, ACTIONS, ASSESSMENT, CLOSED, CLOSE_REASON, OPENED_AT, SAFETY_PLAN, SUBJECT,
    TRIGGER,
};
use crate::episode::{Decision, EpisodeWork, OnCallRota, Subject, Trigger};
use crate::ids::{ClientId, EntityId, EpisodeId, MemberId};
use crate::permissions::{allows, Action};
use crate::records::{Op, RecordKind};
use crate::vault::batch::Batch;
use crate::vault::error::VaultError;
use crate::vault::sealed::{to_fields, AUTHOR};

/// A supervisor's decision on an episode.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(tag = "kind", content = "reason", rename_all = "snake_case")]
pub enum EpisodeDecision {
    /// "Saya sudah tahu": she has seen it and takes it on.
    Acknowledge,
    /// Closed, with the reason.
    Close(String),
}

impl Batch<'_> {
    /// This device's clock as corrected to the server's at its last sync.
    pub(in crate::vault) fn corrected_now(&self) -> DateTime<Utc> {
        crate::hlc::HlcClock::corrected_now(self.u.clock.offset_ms())
    }

    /// Opens an episode on `subject` unless one is open already (then returns that one): a
    /// second red flag on the same client belongs to the episode being handled.
    ///
    /// Fails for an unknown client or contact.
    pub fn open_episode(
        &mut self,
        subject: Subject,
        trigger: &Trigger,
    ) -> Result<EpisodeId, VaultError> {
        let (kind, what) = match subject {
            Subject::Client(_) => (RecordKind::Client, "client"),
            Subject::Contact(_) => (RecordKind::Contact, "contact"),
        };
        let key = subject.key();
        self.reader().expect(key.into(), kind, what)?;
        if let Some(open) = self.reader().open_episode_of(key)? {
            return Ok(open);
        }
        let mut fields = Map::new();
        fields.insert(AUTHOR.into(), json!(self.ident.member));
        fields.insert(SUBJECT.into(), json!(subject));
        fields.insert(TRIGGER.into(), json!(trigger));
        fields.insert(OPENED_AT.into(), json!(self.corrected_now()));
        let id = EntityId::random();
        self.append(RecordKind::Episode, Op::Create, id, key, None, &fields)?;
        Ok(EpisodeId(id.0))
    }

    /// Saves what changed of the assessment, the safety plan and the actions.
    ///
    /// Fails for an unknown episode.
    pub fn update_episode(&mut self, id: EpisodeId, work: &EpisodeWork) -> Result<(), VaultError> {
        let mut r = self.reader();
        let meta = r.expect(id.into(), RecordKind::Episode, "episode")?;
        let current = r.fields(id.into(), &meta)?;
        let mut changed = Map::new();
        for (field, value) in [
            (ASSESSMENT, json!(work.assessment)),
            (SAFETY_PLAN, json!(work.safety_plan)),
            (ACTIONS, json!(work.actions)),
        ] {
            if current.get(field) != Some(&value) {
                changed.insert(field.into(), value);
            }
        }
        if !changed.is_empty() {
            self.append(
                RecordKind::Episode,
                Op::Update,
                id.into(),
                meta.client,
                None,
                &changed,
            )?;
        }
        Ok(())
    }

    /// A supervisor acknowledges or closes an episode.
    ///
    /// Fails with [`VaultError::NotPermitted`] unless this member is a supervisor or admin of
    /// the team, with [`VaultError::InvalidInput`] for a closure without a reason or a decision
    /// on a closed episode.
    pub fn decide_episode(
        &mut self,
        id: EpisodeId,
        decision: &EpisodeDecision,
    ) -> Result<(), VaultError> {
        let action = match decision {
            EpisodeDecision::Acknowledge => Action::AcknowledgeEpisode,
            EpisodeDecision::Close(_) => Action::CloseEpisode,
        };
        if !self.reader().may(action)? {
            return Err(VaultError::NotPermitted(
                "only a team's supervisor or admin acknowledges or closes a risk episode".into(),
            ));
        }
        let mut r = self.reader();
        let meta = r.expect(id.into(), RecordKind::Episode, "episode")?;
        let current = r.fields(id.into(), &meta)?;
        if current.get(CLOSED).is_some_and(|v| !v.is_null()) {
            return Err(VaultError::InvalidInput(
                "this episode is closed already".into(),
            ));
        }
        let decided = json!(Decision {
            by: self.ident.member,
            at: self.corrected_now(),
        });
        let mut fields = Map::new();
        match decision {
            EpisodeDecision::Acknowledge => {
                fields.insert(ACKNOWLEDGED.into(), decided);
            }
            EpisodeDecision::Close(reason) => {
                let reason = reason.trim();
                if reason.is_empty() {
                    return Err(VaultError::InvalidInput(
                        "say why the episode is closed".into(),
                    ));
                }
                // Closing answers it too, if nobody had acknowledged it.
                if current.get(ACKNOWLEDGED).is_none_or(Value::is_null) {
                    fields.insert(ACKNOWLEDGED.into(), decided.clone());
                }
                fields.insert(CLOSED.into(), decided);
                fields.insert(CLOSE_REASON.into(), json!(reason));
            }
        }
        self.append(
            RecordKind::Episode,
            Op::Update,
            id.into(),
            meta.client,
            None,
            &fields,
        )
    }

    /// Saves the on-call rota (its own data key, made by the first key manager who saves one).
    ///
    /// Fails with [`VaultError::NotPermitted`] unless this member is a supervisor or admin, and
    /// with [`VaultError::InvalidInput`] when it names someone who is not a supervisor or admin
    /// of the team.
    pub fn save_on_call(&mut self, rota: &OnCallRota) -> Result<(), VaultError> {
        let r = self.reader();
        if !r.may(Action::SetOnCallRota)? {
            return Err(VaultError::NotPermitted(
                "only a team's supervisor or admin sets the on-call rota".into(),
            ));
        }
        let (roster, _) = r.team()?;
        let supervises = |m: MemberId| {
            m == self.ident.member
                || roster
                    .as_ref()
                    .zip(m.server_number())
                    .is_some_and(|(r, n)| {
                        r.member(n).is_some_and(|x| {
                            !x.removed && allows(x.role, x.level, Action::BeOnCall)
                        })
                    })
        };
        let named = rota
            .days
            .iter()
            .flatten()
            .chain(rota.numbers.iter().map(|n| &n.member));
        if let Some(m) = named.copied().find(|m| !supervises(*m)) {
            return Err(VaultError::NotPermitted(format!(
                "member {m} is not a supervisor or admin of this team: only they are on call"
            )));
        }
        let fields = to_fields(rota)?;
        match self.reader().on_call_entity()? {
            Some(id) => {
                self.update_changed(id, RecordKind::OnCall, "on-call rota", rota, &[])?;
            }
            None => {
                let key: ClientId = self.new_data_key()?;
                self.append(
                    RecordKind::OnCall,
                    Op::Create,
                    key.into(),
                    key,
                    None,
                    &fields,
                )?;
            }
        }
        Ok(())
    }
}
