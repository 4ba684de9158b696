//! What concerns this member in particular: her caseload (clients she registered or wrote
//! notes for) and what supervisors said about her notes (the counselor's side of supervision).
//!
//! Both are answered from plaintext metadata (which device created an entity, which entities
//! hang under a note) plus a few decrypted fields, so they stay cheap on a team's whole record.

use std::collections::HashSet;

use teduh_protocol::sync::Role;

use super::error::VaultError;
use super::read::EntityMeta;
use super::read::Reader;
use super::review::state::{
    review_step, state_after, Review, ReviewAction, ReviewState, ReviewStep,
};
use super::sealed::{id16, AUTHOR, FINALISED_AT};
use super::Vault;
use crate::ids::{ClientId, DeviceId, EntityId, MemberId, NoteId};
use crate::records::RecordKind;
use crate::team::roster::Roster;
use chrono::Utc;
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

/// How long an approval or a comment stays among her notices.
const NEWS_KEPT: chrono::Duration = chrono::Duration::days(30);

/// A note of this member that a supervisor reviewed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ReviewNews {
    /// The note.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub note: NoteId,
    /// Its client.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub client: ClientId,
    /// The client's pseudonymous code (never the name: this feeds Home's notices).
    pub client_code: String,
    /// Where the note stands now.
    pub state: ReviewState,
    /// The most recent review (approval, return or comment).
    pub latest: Review,
}

impl Reader<'_> {
    /// The accepted team roster and this member's role as stored at joining (None: not joined).
    pub(super) fn team(&self) -> Result<(Option<Roster>, Option<Role>), VaultError> {
        let row: Option<(Option<Vec<u8>>, String)> = self
            .conn
            .query_row(
                "SELECT roster, role FROM sync_binding WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((roster, role)) = row else {
            return Ok((None, None));
        };
        let roster = roster
            .map(|bytes| serde_json::from_slice::<Roster>(&bytes))
            .transpose()
            .map_err(|_| VaultError::Integrity {
                record: "the stored team roster".into(),
            })?;
        Ok((roster, Role::parse(&role)))
    }

    /// This member's role: as the signed roster lists it now, else as given at joining.
    pub(super) fn my_role(&self) -> Result<Option<Role>, VaultError> {
        let (roster, joined_as) = self.team()?;
        let listed = roster.zip(self.ident.member.server_number());
        Ok(listed.and_then(|(r, me)| r.role_of(me)).or(joined_as))
    }

    /// Whether this member may do `action` (the permissions table), by her role and, for a
    /// volunteer, her level in the stored roster.
    pub(super) fn may(&self, action: crate::permissions::Action) -> Result<bool, VaultError> {
        let (roster, joined_as) = self.team()?;
        let me = self.ident.member.server_number();
        let listed = roster.as_ref().zip(me).and_then(|(r, m)| r.member(m));
        let role = listed.map(|m| m.role).or(joined_as);
        let level = listed.and_then(|m| m.level);
        Ok(crate::permissions::allows_maybe(role, level, action))
    }

    /// The devices whose approvals and returns count: the roster's supervisors' and admins'
    /// devices, and this one while this member is one. A decision from any other device (a
    /// modified app, a demoted supervisor) is ignored when the state is worked out.
    pub(super) fn reviewing_devices(&self) -> Result<HashSet<DeviceId>, VaultError> {
        let (roster, _) = self.team()?;
        let mut devices = roster.map(|r| r.reviewing_devices()).unwrap_or_default();
        if crate::permissions::allows_maybe(
            self.my_role()?,
            None,
            crate::permissions::Action::DecideReview,
        ) {
            devices.insert(self.ident.device);
        }
        Ok(devices)
    }

    /// The devices whose entities are this member's: this one, and every device the team
    /// roster lists for her.
    fn my_devices(&self) -> Result<Vec<DeviceId>, VaultError> {
        let mut devices = vec![self.ident.device];
        if let (Some(roster), Some(me)) = (self.team()?.0, self.ident.member.server_number()) {
            devices.extend(
                roster
                    .devices
                    .iter()
                    .filter(|d| d.member == me)
                    .map(|d| DeviceId::from_server(d.device)),
            );
        }
        devices.sort();
        devices.dedup();
        Ok(devices)
    }

    /// The clients this member works on: those a supervisor assigned her, and those she
    /// registered or wrote a note for (on any of her devices).
    pub(super) fn my_clients(&mut self) -> Result<HashSet<ClientId>, VaultError> {
        let mut st = self.conn.prepare_cached(
            "SELECT DISTINCT client_id FROM entities
             WHERE kind IN ('client', 'note') AND created_device = ?1",
        )?;
        let mut out = HashSet::new();
        for device in self.my_devices()? {
            let rows: Vec<Vec<u8>> = st
                .query_map([&device.0[..]], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for c in rows {
                out.insert(ClientId(id16(&c)?));
            }
        }
        if let Some(me) = self.ident.member.server_number() {
            let assigned: Vec<Vec<u8>> = self
                .conn
                .prepare_cached(
                    "SELECT DISTINCT client_id FROM entities WHERE kind = 'assignment'",
                )?
                .query_map([], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            for c in assigned {
                let client = ClientId(id16(&c)?);
                if self.case_workers(client, None)?.contains(&me) {
                    out.insert(client);
                }
            }
        }
        Ok(out)
    }

    /// A finalised note's supervision state from its reviews and addenda (Draft when not
    /// finalised).
    pub(super) fn note_review_state(
        &mut self,
        note: NoteId,
        meta: &EntityMeta,
    ) -> Result<ReviewState, VaultError> {
        if !self.has_field(note.into(), FINALISED_AT)? {
            return Ok(ReviewState::Draft);
        }
        let rows: Vec<(String, Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare_cached(
                "SELECT kind, entity_id, created_device FROM entities
                 WHERE client_id = ?1 AND kind IN ('review', 'addendum') AND parent_id = ?2
                 ORDER BY created_hlc, created_device",
            )?
            .query_map(params![&meta.client.0[..], &note.0[..]], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<Result<_, _>>()?;
        let reviewers = self.reviewing_devices()?;
        let mut steps = Vec::with_capacity(rows.len());
        for (kind, id, device) in rows {
            if kind == "addendum" {
                steps.push(ReviewStep::Addendum);
                continue;
            }
            let review_meta = EntityMeta {
                kind: RecordKind::Review,
                client: meta.client,
                parent: Some(note.into()),
            };
            let action =
                self.field::<ReviewAction>(EntityId(id16(&id)?), &review_meta, "action")?;
            if let Some(step) = review_step(action, &reviewers, DeviceId(id16(&device)?)) {
                steps.push(step);
            }
        }
        Ok(state_after((), steps.into_iter().map(|s| (s, ()))).0)
    }

    fn review_news(&mut self) -> Result<Vec<ReviewNews>, VaultError> {
        let reviewed: Vec<(Vec<u8>, Vec<u8>)> = self
            .conn
            .prepare(
                // Reviews of notes only (a supervisor also marks contacts seen).
                "SELECT DISTINCT r.parent_id, r.client_id FROM entities r
                 JOIN entities n ON n.entity_id = r.parent_id AND n.kind = 'note'
                 WHERE r.kind = 'review'",
            )?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let me = self.ident.member;
        let mut out = Vec::new();
        for (note, client) in reviewed {
            let note = NoteId(id16(&note)?);
            let client = ClientId(id16(&client)?);
            let meta = EntityMeta {
                kind: RecordKind::Note,
                client,
                parent: None,
            };
            if self.field::<MemberId>(note.into(), &meta, AUTHOR)? != Some(me) {
                continue;
            }
            let Some(latest) = self.reviews(note)?.into_iter().max_by_key(|r| r.at) else {
                continue;
            };
            let state = self.note_review_state(note, &meta)?;
            // Returned notes stay until answered; other reviews for a month.
            if state != ReviewState::Returned && latest.at < Utc::now() - NEWS_KEPT {
                continue;
            }
            let client_code = self.u.index.code_of(client).unwrap_or_default();
            out.push(ReviewNews {
                note,
                client,
                client_code,
                state,
                latest,
            });
        }
        // What needs her first (returned notes), then the newest.
        out.sort_by(|a, b| {
            (b.state == ReviewState::Returned)
                .cmp(&(a.state == ReviewState::Returned))
                .then(b.latest.at.cmp(&a.latest.at))
        });
        Ok(out)
    }
}

impl Vault {
    /// This member's role: as the team's signed roster lists it now (a role changed by the
    /// administrator arrives with the next roster), else as given at joining; None when this
    /// computer has not joined a team.
    ///
    /// Fails when locked or when the stored roster is damaged.
    pub fn my_role(&mut self) -> Result<Option<Role>, VaultError> {
        self.reader()?.my_role()
    }

    /// This member's caseload: the clients she registered or wrote a note for, on any of her
    /// devices.
    ///
    /// Fails when locked, or when the stored roster is damaged.
    pub fn my_clients(&mut self) -> Result<HashSet<ClientId>, VaultError> {
        self.reader()?.my_clients()
    }

    /// Notes of this member that a supervisor reviewed, each with its latest review: returned
    /// notes first (they wait for her addendum, however old), then the others reviewed in the
    /// last 30 days, most recent first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn review_news(&mut self) -> Result<Vec<ReviewNews>, VaultError> {
        self.reader()?.review_news()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_decision_counts_and_an_addendum_answers_a_return() {
        use ReviewAction::{Approve, Comment, Return};
        use ReviewStep::{Addendum, Review as R};
        let state = |steps: &[ReviewStep]| {
            // Step i happens at time i + 1; finalisation at 0.
            state_after(0, steps.iter().copied().zip(1..))
        };
        assert_eq!(state(&[]), (ReviewState::Waiting, 0));
        assert_eq!(
            state(&[R(Comment)]),
            (ReviewState::Waiting, 0),
            "a comment keeps the wait"
        );
        assert_eq!(state(&[R(Return)]), (ReviewState::Returned, 1));
        assert_eq!(state(&[R(Return), R(Comment)]), (ReviewState::Returned, 1));
        assert_eq!(
            state(&[R(Return), Addendum]),
            (ReviewState::Waiting, 2),
            "waiting since the answer"
        );
        assert_eq!(
            state(&[R(Return), Addendum, R(Approve)]),
            (ReviewState::Approved, 3)
        );
        // An addendum to an approved (or merely waiting) note changes nothing.
        assert_eq!(state(&[R(Approve), Addendum]), (ReviewState::Approved, 1));
        assert_eq!(state(&[Addendum]), (ReviewState::Waiting, 0));
    }
}
