//! The supervision state machine: what a review does, a review as stored, and where a note
//! stands after its reviews and addenda. A leaf that both the counselor's side (`mine`) and the
//! supervisor's side (`review`) read, so neither needs the other.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{DeviceId, MemberId, NoteId, ReviewId};

/// What a review does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ReviewAction {
    /// The note is accepted.
    Approve,
    /// The note goes back to its author with a comment; she answers with an addendum.
    Return,
    /// A remark that does not change the note's state.
    Comment,
}

/// A review as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ReviewDraft {
    /// Approve, return or comment.
    pub action: ReviewAction,
    /// The comment (required to return a note or to comment).
    pub comment: String,
}

/// A review as stored, with who wrote it and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Review {
    /// The review's id.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub id: ReviewId,
    /// The reviewed note.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub note: NoteId,
    /// What was done.
    pub action: ReviewAction,
    /// The comment.
    pub comment: String,
    /// Who reviewed.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub reviewer: Option<MemberId>,
    /// When.
    pub at: DateTime<Utc>,
}

/// Where a note stands in supervision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ReviewState {
    /// Still a draft: not reviewable.
    Draft,
    /// Finalised (or answered after a return) and waiting for the supervisor.
    Waiting,
    /// Returned with a comment; waiting for the counselor's addendum.
    Returned,
    /// Approved.
    Approved,
}

/// One step in a note's supervision history, in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::vault) enum ReviewStep {
    /// A review with this action.
    Review(ReviewAction),
    /// The author added an addendum.
    Addendum,
}

/// Where a finalised note stands after these steps (oldest first), and since when: the last
/// decision counts; an addendum answers a return and puts the note back in the queue; comments
/// change nothing. `finalised` is when it started waiting; each step carries its own time.
pub(in crate::vault) fn state_after<T: Copy>(
    finalised: T,
    steps: impl IntoIterator<Item = (ReviewStep, T)>,
) -> (ReviewState, T) {
    steps.into_iter().fold(
        (ReviewState::Waiting, finalised),
        |(state, since), (step, at)| match step {
            ReviewStep::Review(ReviewAction::Approve) => (ReviewState::Approved, at),
            ReviewStep::Review(ReviewAction::Return) => (ReviewState::Returned, at),
            ReviewStep::Addendum if state == ReviewState::Returned => (ReviewState::Waiting, at),
            ReviewStep::Review(ReviewAction::Comment) | ReviewStep::Addendum => (state, since),
        },
    )
}

/// The step a review makes, if it counts: comments from anyone (they change nothing), decisions
/// only from a reviewing device.
pub(in crate::vault) fn review_step(
    action: Option<ReviewAction>,
    reviewers: &HashSet<DeviceId>,
    device: DeviceId,
) -> Option<ReviewStep> {
    match action? {
        ReviewAction::Comment => Some(ReviewStep::Review(ReviewAction::Comment)),
        decision if reviewers.contains(&device) => Some(ReviewStep::Review(decision)),
        _ => None,
    }
}
