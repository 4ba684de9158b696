//! Supervision: reviews of finalised notes (approve, return with a comment, comment), the
//! review queue ordered by urgency, and the team dashboard, all from local data (offline).
//!
//! Reviews are append-only records (kind `review`, parent = the note), signed and synced like
//! every record. A note's review state follows from its reviews and addenda: finalised and not
//! decided -> waiting; the last decision "return" -> returned, until the counselor answers with
//! an addendum, which puts it back in the queue; "approve" -> approved. Comments never change
//! the state.
//!
//! - `state`: the review state machine (a leaf the counselor's side, `mine`, reads too).
//! - `summaries`: the sealed note and screening summaries, projections of the sealed store
//!   that the queue and the dashboard read instead of whole records.
//! - `queue`: the review queue. `dashboard`: the team at a glance. `monthly`: the facts of a
//!   month for the monthly statistics.

use crate::domain::purpose;
use crate::permissions::Action;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Map;

use super::batch::Batch;
use super::error::VaultError;
use super::read::Reader;
use super::sealed::{from_fields, FINALISED_AT};
use super::Vault;
use crate::ids::{MemberId, NoteId, ReviewId};
use crate::records::RecordKind;

mod dashboard;
mod monthly;
mod queue;
pub(super) mod state;
pub(super) mod summaries;

pub use dashboard::{Caseload, Dashboard, WeekCount};
pub use monthly::Trends;
pub use queue::{QueueFilter, QueueItem};
pub use state::{Review, ReviewAction, ReviewDraft, ReviewState};

#[derive(Deserialize)]
struct StoredReview {
    action: ReviewAction,
    #[serde(default)]
    comment: String,
    reviewer: Option<MemberId>,
    at: DateTime<Utc>,
}

impl Batch<'_> {
    /// Reviews a finalised note. Approving and returning are for supervisors and admins of a
    /// team; returning and commenting need a comment.
    ///
    /// Fails with [`VaultError::NotFound`], [`VaultError::NoteIsDraft`], or
    /// [`VaultError::InvalidInput`] (no comment, not a supervisor).
    pub fn review_note(
        &mut self,
        note: NoteId,
        draft: &ReviewDraft,
    ) -> Result<ReviewId, VaultError> {
        if draft.action != ReviewAction::Comment && !self.reader().may(Action::DecideReview)? {
            return Err(VaultError::NotPermitted(
                "only a team's supervisor or admin can approve or return a note".into(),
            ));
        }
        if draft.action != ReviewAction::Approve && draft.comment.trim().is_empty() {
            return Err(VaultError::InvalidInput("write a comment".into()));
        }
        let meta = self
            .reader()
            .expect(note.into(), RecordKind::Note, "note")?;
        if !self.reader().has_field(note.into(), FINALISED_AT)? {
            return Err(VaultError::NoteIsDraft(note));
        }
        if self
            .reader()
            .purpose_stopped(meta.client, purpose::SUPERVISION)?
        {
            return Err(VaultError::ConsentWithdrawn(
                "she withdrew her consent to supervision review: her notes are not reviewed".into(),
            ));
        }
        let mut fields = Map::new();
        fields.insert("action".into(), serde_json::json!(draft.action));
        fields.insert("comment".into(), serde_json::json!(draft.comment.trim()));
        fields.insert("reviewer".into(), serde_json::json!(self.ident.member));
        fields.insert("at".into(), serde_json::json!(Utc::now()));
        let id = self.append_to_parent(
            note.into(),
            RecordKind::Note,
            "note",
            RecordKind::Review,
            &fields,
        )?;
        Ok(ReviewId(id.0))
    }
}

impl Reader<'_> {
    pub(super) fn reviews(&mut self, note: NoteId) -> Result<Vec<Review>, VaultError> {
        let meta = self.expect(note.into(), RecordKind::Note, "note")?;
        let mut out = Vec::new();
        for r in self.children(meta.client, RecordKind::Review, Some(note.into()))? {
            let m = self.expect(r, RecordKind::Review, "review")?;
            let s: StoredReview = from_fields(self.fields(r, &m)?, "review")?;
            out.push(Review {
                id: ReviewId(r.0),
                note,
                action: s.action,
                comment: s.comment,
                reviewer: s.reviewer,
                at: s.at,
            });
        }
        Ok(out)
    }

    pub(super) fn review_state(&mut self, note: NoteId) -> Result<ReviewState, VaultError> {
        let meta = self.expect(note.into(), RecordKind::Note, "note")?;
        self.note_review_state(note, &meta)
    }
}

impl Vault {
    /// Reviews a finalised note (see [`Batch::review_note`]).
    ///
    /// Fails when locked, for an unknown or draft note, without a comment where one is needed,
    /// or when this member is not a supervisor or admin (approve, return).
    pub fn review_note(
        &mut self,
        note: NoteId,
        draft: &ReviewDraft,
    ) -> Result<ReviewId, VaultError> {
        self.batch(|b| b.review_note(note, draft))
    }

    /// The reviews of each of `notes` (a client's, for her case file or her access export),
    /// note by note, each note's oldest first.
    ///
    /// Fails when locked, for an unknown note, or with [`VaultError::Integrity`].
    pub fn reviews_of(&mut self, notes: &[crate::domain::Note]) -> Result<Vec<Review>, VaultError> {
        let mut out = Vec::new();
        for note in notes {
            out.extend(self.reviews(note.id)?);
        }
        Ok(out)
    }

    /// A note's reviews, oldest first.
    ///
    /// Fails when locked, for an unknown note, or with [`VaultError::Integrity`].
    pub fn reviews(&mut self, note: NoteId) -> Result<Vec<Review>, VaultError> {
        self.reader()?.reviews(note)
    }

    /// Where a note stands in supervision.
    ///
    /// Fails when locked or for an unknown note.
    pub fn review_state(&mut self, note: NoteId) -> Result<ReviewState, VaultError> {
        self.reader()?.review_state(note)
    }

    /// Finalised notes waiting for review, most urgent first (red flags and high risk, then
    /// the longest waiting).
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn review_queue(&mut self, filter: &QueueFilter) -> Result<Vec<QueueItem>, VaultError> {
        let now = self.corrected_now();
        self.reader()?.review_queue(filter, now)
    }

    /// The team dashboard as of `today`.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn dashboard(&mut self, today: NaiveDate) -> Result<Dashboard, VaultError> {
        self.reader()?.dashboard(today)
    }
}

#[cfg(test)]
mod tests;
