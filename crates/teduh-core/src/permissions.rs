//! Who may do what (issue 23, item 1): one table, read by the writers (which refuse with
//! `NotPermitted`), by every receiving device (which holds a record that breaks it) and by the
//! shells (which hide what a member may not do). `docs/permissions.md` prints it.
//!
//! A member's role comes from the team's signed roster. Volunteer levels (junior, intermediate,
//! senior) and case assignment narrow casework further; they arrive with the rest of issue 23,
//! and the table takes the level already so that its callers need not change then.

use serde::Serialize;
use teduh_protocol::sync::Role;

/// A volunteer's level in the corps (in the signed roster once issue 23 lands).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// New volunteers: log contacts, work on clients assigned to them.
    Junior,
    /// Keep their own caseload.
    Intermediate,
    /// May hold children's cases.
    Senior,
}

/// Something a member may or may not do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Approve or return a finalised note (a comment is anyone's).
    DecideReview,
    /// Mark a red-flagged contact seen.
    MarkContactSeen,
    /// Acknowledge a risk episode ("Saya sudah tahu").
    AcknowledgeEpisode,
    /// Close a risk episode, with a reason.
    CloseEpisode,
    /// Set the on-call rota and the supervisors' numbers.
    SetOnCallRota,
    /// Be named on the on-call rota.
    BeOnCall,
    /// Open a risk episode, fill in its assessment, safety plan and actions.
    WorkOnEpisode,
    /// Log a hotline or chat contact.
    LogContact,
}

impl Action {
    /// Every action, in the order `docs/permissions.md` lists them.
    pub const ALL: [Action; 8] = [
        Action::DecideReview,
        Action::MarkContactSeen,
        Action::AcknowledgeEpisode,
        Action::CloseEpisode,
        Action::SetOnCallRota,
        Action::BeOnCall,
        Action::WorkOnEpisode,
        Action::LogContact,
    ];
}

/// The table: whether a member of `role` (and, for volunteers, `level`) may do `action`.
pub fn allows(role: Role, _level: Option<Level>, action: Action) -> bool {
    let supervises = matches!(role, Role::Supervisor | Role::Admin);
    match action {
        // Supervision: a supervisor's or an admin's.
        Action::DecideReview
        | Action::MarkContactSeen
        | Action::AcknowledgeEpisode
        | Action::CloseEpisode
        | Action::SetOnCallRota
        | Action::BeOnCall => supervises,
        // Everyone's: whoever meets the red flag starts the work.
        Action::WorkOnEpisode | Action::LogContact => true,
    }
}

/// [`allows`] for a member whose role may be unknown (not joined, or not in the roster):
/// nothing that needs a role.
pub fn allows_maybe(role: Option<Role>, level: Option<Level>, action: Action) -> bool {
    role.is_some_and(|r| allows(r, level, action))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole matrix, written out: a change to the table must change this test too.
    #[test]
    fn the_table_is_this_matrix() {
        use Action::*;
        // (action, counselor, outreach, supervisor, admin)
        let expected = [
            (DecideReview, false, false, true, true),
            (MarkContactSeen, false, false, true, true),
            (AcknowledgeEpisode, false, false, true, true),
            (CloseEpisode, false, false, true, true),
            (SetOnCallRota, false, false, true, true),
            (BeOnCall, false, false, true, true),
            (WorkOnEpisode, true, true, true, true),
            (LogContact, true, true, true, true),
        ];
        assert_eq!(
            expected.len(),
            Action::ALL.len(),
            "every action is in the matrix"
        );
        for (action, counselor, outreach, supervisor, admin) in expected {
            for level in [
                None,
                Some(Level::Junior),
                Some(Level::Intermediate),
                Some(Level::Senior),
            ] {
                let got = [
                    Role::Counselor,
                    Role::Outreach,
                    Role::Supervisor,
                    Role::Admin,
                ]
                .map(|role| allows(role, level, action));
                assert_eq!(
                    got,
                    [counselor, outreach, supervisor, admin],
                    "{action:?} at level {level:?}"
                );
            }
            assert!(!allows_maybe(None, None, action), "no role, no {action:?}");
        }
    }
}
