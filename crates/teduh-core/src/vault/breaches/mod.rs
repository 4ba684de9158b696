//! The breach register (issue 26, UU PDP Ps 46): each incident is a signed record under its own
//! data key, sealed for the whole team (like a hotline contact's), so every member's device
//! holds it and the server reads none of it. Anyone in the team registers an incident (the
//! volunteer whose phone was stolen); the team's supervisors and admins record the two notices,
//! each once, as the fields `<recipient>_notified_at` and `<recipient>_notified_by`.
//!
//! The deadline runs from the awareness time entered ([`crate::breach`]), for the hours the
//! organisation settings give (3×24 h unless shorter; [`NOTICE_HOURS`] without settings); "now"
//! is this device's corrected clock.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::error::VaultError;
use super::read::Reader;
use super::sealed::{from_fields, id16, to_fields, AUTHOR};
use super::{Batch, Vault};
use crate::breach::{
    breach_standing, Breach, BreachProblem, BreachStanding, Recipient, NOTICE_HOURS,
};
use crate::ids::{BreachId, MemberId};
use crate::permissions::Action;
use crate::records::{Op, RecordKind};

#[cfg(test)]
mod tests;

/// When the incident was entered (this device's corrected clock).
const ENTERED_AT: &str = "entered_at";
const PERSONS_AT: &str = "persons_notified_at";
pub(super) const PERSONS_BY: &str = "persons_notified_by";
const AUTHORITY_AT: &str = "authority_notified_at";
pub(super) const AUTHORITY_BY: &str = "authority_notified_by";

/// The two fields a notice to `to` writes: when, and who.
fn notice_fields(to: Recipient) -> (&'static str, &'static str) {
    match to {
        Recipient::Persons => (PERSONS_AT, PERSONS_BY),
        Recipient::Authority => (AUTHORITY_AT, AUTHORITY_BY),
    }
}

/// An incident as the register shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct BreachView {
    /// The incident's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: BreachId,
    /// The incident as registered.
    pub breach: Breach,
    /// Who entered it.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub entered_by: Option<MemberId>,
    /// When it was entered (later than awareness when entered late).
    pub entered_at: Option<DateTime<Utc>>,
    /// When the people concerned were notified.
    pub persons_notified_at: Option<DateTime<Utc>>,
    /// Who recorded it.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub persons_notified_by: Option<MemberId>,
    /// When the authority was notified.
    pub authority_notified_at: Option<DateTime<Utc>>,
    /// Who recorded it.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub authority_notified_by: Option<MemberId>,
    /// When both notices are due.
    pub deadline: DateTime<Utc>,
    /// Where it stands now.
    pub standing: BreachStanding,
    /// Minutes until the deadline (negative once past it), as of the moment it was read.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub minutes_left: i64,
}

impl BreachView {
    /// A notice is still to be given.
    pub fn is_open(&self) -> bool {
        self.persons_notified_at.is_none() || self.authority_notified_at.is_none()
    }

    /// When the notice to `to` was given.
    pub fn notified_at(&self, to: Recipient) -> Option<DateTime<Utc>> {
        match to {
            Recipient::Persons => self.persons_notified_at,
            Recipient::Authority => self.authority_notified_at,
        }
    }
}

fn invalid(p: BreachProblem) -> VaultError {
    VaultError::InvalidInput(p.to_string())
}

impl Batch<'_> {
    /// Registers an incident, checked at this device's corrected clock.
    ///
    /// Fails with [`VaultError::InvalidInput`] naming the [`BreachProblem`].
    pub fn add_breach(&mut self, breach: &Breach) -> Result<BreachId, VaultError> {
        let now = self.corrected_now();
        breach.check(now).map_err(invalid)?;
        let mut fields = to_fields(breach)?;
        fields.insert(AUTHOR.into(), json!(self.ident.member));
        fields.insert(ENTERED_AT.into(), json!(now));
        let key = self.new_data_key()?;
        self.append(
            RecordKind::Breach,
            Op::Create,
            key.into(),
            key,
            None,
            &fields,
        )?;
        Ok(BreachId(key.0))
    }

    /// Records that `to` was notified at `at`, once: a team's supervisor or admin does.
    ///
    /// Fails for an unknown incident, with [`VaultError::NotPermitted`] for another member, and
    /// with [`VaultError::InvalidInput`] for a second notice or a time that does not hold.
    pub fn record_breach_notice(
        &mut self,
        id: BreachId,
        to: Recipient,
        at: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        // On a device of its own (no team), its member is the whole service.
        let (roster, joined_as) = self.reader().team()?;
        let in_team = roster.is_some() || joined_as.is_some();
        if in_team && !self.reader().may(Action::DecideReview)? {
            return Err(VaultError::NotPermitted(
                "a breach notice is recorded by the team's supervisor or admin".into(),
            ));
        }
        let now = self.corrected_now();
        // The deadline plays no part in recording a notice.
        let view = self.reader().breach(id, now, NOTICE_HOURS)?;
        if view.notified_at(to).is_some() {
            return Err(invalid(BreachProblem::NotifiedAlready));
        }
        view.breach.check_notice(at, now).map_err(invalid)?;
        let (at_field, by_field) = notice_fields(to);
        let mut fields = Map::new();
        fields.insert(at_field.into(), json!(at));
        fields.insert(by_field.into(), json!(self.ident.member));
        let key = crate::ids::ClientId(id.0);
        self.append(
            RecordKind::Breach,
            Op::Update,
            id.into(),
            key,
            None,
            &fields,
        )
    }
}

impl Reader<'_> {
    /// One incident as of `now`, its notices due `hours` after awareness.
    pub(in crate::vault) fn breach(
        &mut self,
        id: BreachId,
        now: DateTime<Utc>,
        hours: u32,
    ) -> Result<BreachView, VaultError> {
        let meta = self.expect(id.into(), RecordKind::Breach, "breach")?;
        let mut fields = self.fields(id.into(), &meta)?;
        let mut take = |name: &str| fields.remove(name).unwrap_or(Value::Null);
        let member = |v: Value| serde_json::from_value::<MemberId>(v).ok();
        let time = |v: Value| serde_json::from_value::<DateTime<Utc>>(v).ok();
        let entered_by = member(take(AUTHOR));
        let entered_at = time(take(ENTERED_AT));
        let persons_notified_at = time(take(PERSONS_AT));
        let persons_notified_by = member(take(PERSONS_BY));
        let authority_notified_at = time(take(AUTHORITY_AT));
        let authority_notified_by = member(take(AUTHORITY_BY));
        let breach: Breach = from_fields(fields, "breach")?;
        let deadline = breach
            .deadline(hours)
            .ok_or_else(|| VaultError::Integrity {
                record: format!("breach {id}: no awareness time"),
            })?;
        Ok(BreachView {
            id,
            standing: breach_standing(
                Some(deadline),
                persons_notified_at,
                authority_notified_at,
                now,
            ),
            minutes_left: (deadline - now).num_minutes(),
            breach,
            entered_by,
            entered_at,
            persons_notified_at,
            persons_notified_by,
            authority_notified_at,
            authority_notified_by,
            deadline,
        })
    }

    /// Every incident, the most recently known first.
    pub(in crate::vault) fn breaches(
        &mut self,
        now: DateTime<Utc>,
        hours: u32,
    ) -> Result<Vec<BreachView>, VaultError> {
        let ids: Vec<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT entity_id FROM entities WHERE kind = 'breach'")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = ids
            .iter()
            .map(|id| self.breach(BreachId(id16(id)?), now, hours))
            .collect::<Result<Vec<_>, _>>()?;
        out.sort_by_key(|b| std::cmp::Reverse(b.breach.aware_at));
        Ok(out)
    }
}

/// Why a breach record received from another device cannot be applied: a registration forms
/// an incident with its awareness and entry times and no notice; a later record gives one
/// notice, its time and who recorded it (the authorship rule checks who).
pub(super) fn shape_refusal(op: Op, fields: &Map<String, Value>) -> Option<&'static str> {
    let mut fields = fields.clone();
    match op {
        Op::Create => {
            let notices = [PERSONS_AT, PERSONS_BY, AUTHORITY_AT, AUTHORITY_BY];
            if notices.iter().any(|n| fields.contains_key(*n)) {
                return Some("an incident is registered before its notices");
            }
            fields.remove(AUTHOR);
            let entered = fields
                .remove(ENTERED_AT)
                .and_then(|e| serde_json::from_value::<DateTime<Utc>>(e).ok());
            match (
                serde_json::from_value::<Breach>(Value::Object(fields)),
                entered,
            ) {
                (Ok(b), Some(_)) if b.aware_at.is_some() => None,
                _ => Some("its fields do not form an incident with its awareness and entry times"),
            }
        }
        Op::Update => {
            let one_notice = [(PERSONS_AT, PERSONS_BY), (AUTHORITY_AT, AUTHORITY_BY)]
                .iter()
                .any(|(at, by)| {
                    fields.len() == 2
                        && fields.contains_key(*by)
                        && fields.get(*at).is_some_and(|v| {
                            serde_json::from_value::<DateTime<Utc>>(v.clone()).is_ok()
                        })
                });
            (!one_notice).then_some("an incident is changed only by one notice, its time and who")
        }
    }
}

impl Vault {
    /// Registers an incident (see [`Batch::add_breach`]).
    ///
    /// Fails when locked, or with [`VaultError::InvalidInput`].
    pub fn add_breach(&mut self, breach: &Breach) -> Result<BreachId, VaultError> {
        self.batch(|b| b.add_breach(breach))
    }

    /// Records a notice (see [`Batch::record_breach_notice`]).
    ///
    /// Fails when locked, for an unknown incident, with [`VaultError::NotPermitted`] or
    /// [`VaultError::InvalidInput`].
    pub fn record_breach_notice(
        &mut self,
        id: BreachId,
        to: Recipient,
        at: DateTime<Utc>,
    ) -> Result<(), VaultError> {
        self.batch(|b| b.record_breach_notice(id, to, at))
    }

    /// One incident, as of now (this device's corrected clock).
    ///
    /// Fails when locked, for an unknown incident, or with [`VaultError::Integrity`].
    pub fn breach(&mut self, id: BreachId) -> Result<BreachView, VaultError> {
        let (now, hours) = (self.corrected_now(), self.notice_hours()?);
        self.reader()?.breach(id, now, hours)
    }

    /// The hours to notify: the organisation's setting, else [`NOTICE_HOURS`].
    fn notice_hours(&self) -> Result<u32, VaultError> {
        Ok(self
            .org_settings()?
            .map_or(NOTICE_HOURS, |s| s.deadlines.breach_notice_hours))
    }

    /// Every incident, the most recently known first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn breaches(&mut self) -> Result<Vec<BreachView>, VaultError> {
        let (now, hours) = (self.corrected_now(), self.notice_hours()?);
        self.reader()?.breaches(now, hours)
    }
}
