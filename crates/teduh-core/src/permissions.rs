//! Who may do what (issue 23, item 1): one table, read by the writers (which refuse with
//! `NotPermitted`), by every receiving device (which holds a record that breaks it) and by the
//! shells (which hide what a member may not do). `docs/permissions.md` prints it.
//!
//! A member's role and, for volunteers, her level come from the team's signed roster. Who may
//! read which client follows from the case assignment (`vault/assignment`): the workers
//! assigned and the team's supervisors hold its key; this table says who may assign, hold a
//! child's case and take on clients.

use serde::{Deserialize, Serialize};
use teduh_protocol::sync::Role;

/// A volunteer's level in the corps, as the team's signed roster lists it (none: staff, e.g. a
/// healing house's counselors, who are not graded).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// New volunteers: log contacts, work on clients assigned to them.
    Junior,
    /// Keep their own caseload.
    Intermediate,
    /// May hold children's cases.
    Senior,
}

impl Level {
    /// The stable lowercase name (`"junior"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Junior => "junior",
            Level::Intermediate => "intermediate",
            Level::Senior => "senior",
        }
    }

    /// Parses the lowercase name. Fails (None) on anything else.
    pub fn parse(s: &str) -> Option<Level> {
        match s {
            "junior" => Some(Level::Junior),
            "intermediate" => Some(Level::Intermediate),
            "senior" => Some(Level::Senior),
            _ => None,
        }
    }
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
    /// Register a client (she becomes the client's first assigned worker).
    RegisterClient,
    /// Assign a client's case to workers, transfer it or take a worker off it.
    AssignCase,
    /// Be among a child's case's workers that make it safe (a child's case needs one).
    HoldChildCase,
    /// Read every client of the team without being assigned.
    ReadTeamClients,
}

impl Action {
    /// Every action, in the order `docs/permissions.md` lists them.
    pub const ALL: [Action; 12] = [
        Action::DecideReview,
        Action::MarkContactSeen,
        Action::AcknowledgeEpisode,
        Action::CloseEpisode,
        Action::SetOnCallRota,
        Action::BeOnCall,
        Action::WorkOnEpisode,
        Action::LogContact,
        Action::RegisterClient,
        Action::AssignCase,
        Action::HoldChildCase,
        Action::ReadTeamClients,
    ];
}

/// The table: whether a member of `role` (and, for volunteers, `level`) may do `action`.
pub fn allows(role: Role, level: Option<Level>, action: Action) -> bool {
    let supervises = matches!(role, Role::Supervisor | Role::Admin);
    // Levels grade volunteers (counselors and outreach workers); staff carry none.
    let worker = matches!(role, Role::Counselor | Role::Outreach);
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
        // Juniors work on the clients a supervisor assigns them; everyone else takes clients
        // on (an admin who registers one is assigned to it, and reads only that).
        Action::RegisterClient => !(worker && level == Some(Level::Junior)),
        // Cases are the supervisors': admins manage members and keys, not casework.
        Action::AssignCase | Action::ReadTeamClients => role == Role::Supervisor,
        // Children's cases are for trained workers: seniors, staff and supervisors.
        Action::HoldChildCase => {
            role == Role::Supervisor || (worker && matches!(level, None | Some(Level::Senior)))
        }
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
    /// Columns: counselor and outreach worker at each level (staff: none; junior,
    /// intermediate, senior), then supervisor and admin (levels do not grade them).
    #[test]
    fn the_table_is_this_matrix() {
        use Action::*;
        const Y: bool = true;
        const N: bool = false;
        //                    worker: staff junior inter senior   supervisor admin
        let expected: [(Action, [bool; 4], bool, bool); 12] = [
            (DecideReview, [N, N, N, N], Y, Y),
            (MarkContactSeen, [N, N, N, N], Y, Y),
            (AcknowledgeEpisode, [N, N, N, N], Y, Y),
            (CloseEpisode, [N, N, N, N], Y, Y),
            (SetOnCallRota, [N, N, N, N], Y, Y),
            (BeOnCall, [N, N, N, N], Y, Y),
            (WorkOnEpisode, [Y, Y, Y, Y], Y, Y),
            (LogContact, [Y, Y, Y, Y], Y, Y),
            (RegisterClient, [Y, N, Y, Y], Y, Y),
            (AssignCase, [N, N, N, N], Y, N),
            (HoldChildCase, [Y, N, N, Y], Y, N),
            (ReadTeamClients, [N, N, N, N], Y, N),
        ];
        assert_eq!(
            expected.map(|row| row.0),
            Action::ALL,
            "every action is in the matrix, in order"
        );
        let levels = [
            None,
            Some(Level::Junior),
            Some(Level::Intermediate),
            Some(Level::Senior),
        ];
        for (action, workers, supervisor, admin) in expected {
            for (level, worker) in levels.into_iter().zip(workers) {
                for role in [Role::Counselor, Role::Outreach] {
                    assert_eq!(
                        allows(role, level, action),
                        worker,
                        "{action:?} for a {role:?} at level {level:?}"
                    );
                }
                assert_eq!(
                    allows(Role::Supervisor, level, action),
                    supervisor,
                    "{action:?} for a supervisor"
                );
                assert_eq!(
                    allows(Role::Admin, level, action),
                    admin,
                    "{action:?} for an admin"
                );
            }
            assert!(!allows_maybe(None, None, action), "no role, no {action:?}");
        }
    }

    #[test]
    fn levels_round_trip_through_their_names() {
        for level in [Level::Junior, Level::Intermediate, Level::Senior] {
            assert_eq!(Level::parse(level.as_str()), Some(level));
        }
        assert_eq!(Level::parse("master"), None, "an unknown level is refused");
    }
}
