//! The decisions of a sync round, as pure functions of what the vault and the server said: the
//! round ([`super::engine`]) gathers the facts in one local step, asks here what comes next, and
//! acts (a local step or a request). Kept apart so every branch is unit-tested without a vault
//! or a server.

/// What the push loop knows before its next step.
#[derive(Debug, Clone, Copy)]
pub(super) struct PushFacts<'a> {
    /// The team's current key epoch, as the server's envelope list says (0: none yet).
    pub epoch: u32,
    /// The team-key epochs this device holds.
    pub held_epochs: &'a [u32],
    /// Records in this device's outbox.
    pub pending: u64,
}

/// What the push loop has done so far in this round.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct PushState {
    /// It asked the server how far it holds this device's log and re-sent what a restored
    /// server lost (once per round, and again after the team's keys moved on).
    pub resumed: bool,
    /// The epoch the outbox was last re-sealed under.
    pub sealed_for: Option<u32>,
}

/// The push loop's next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PushStep {
    /// Nothing can be sent until a key manager shares the team's current key; the flag says
    /// whether to tell the user the device waits for keys.
    WaitForKeys(bool),
    /// Ask the server how far it holds this device's log, and re-send what it lost.
    Resume,
    /// Re-seal the outbox under this epoch before sending.
    Reseal(u32),
    /// Send the next page of the outbox.
    Send,
    /// The outbox is empty.
    Done,
}

/// The push loop's next step, from what it knows and what it did.
pub(super) fn next_push_step(facts: &PushFacts<'_>, state: &PushState) -> PushStep {
    let newest_held = facts.held_epochs.iter().copied().max().unwrap_or(0);
    if facts.epoch < newest_held {
        // A restored server lacks the newest epochs until a key manager's device publishes
        // them again; what was sealed under them waits for that.
        return PushStep::WaitForKeys(true);
    }
    if facts.epoch == 0 || !facts.held_epochs.contains(&facts.epoch) {
        return PushStep::WaitForKeys(facts.pending > 0 || facts.epoch == 0);
    }
    if !state.resumed {
        return PushStep::Resume;
    }
    if facts.pending == 0 {
        return PushStep::Done;
    }
    if state.sealed_for != Some(facts.epoch) {
        return PushStep::Reseal(facts.epoch);
    }
    PushStep::Send
}

/// What to do when the server refuses a push page (a few times per round at most).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Recovery {
    /// The team's key epoch moved on: refresh the keys, then resume and re-seal.
    RefreshKeys,
    /// This device's clock is ahead of the server's: correct it and re-stamp the outbox.
    CorrectClock,
    /// The server holds other content under one of this device's sequences: take the
    /// server's point and go on from there.
    ResumeFromServer,
    /// The page was too large for the server: halve it.
    HalvePage,
    /// Nothing this device can do: end the round with the refusal.
    GiveUp,
}

/// The recovery from a refusal with the server's error `code`.
pub(super) fn recovery_for(code: &str) -> Recovery {
    match code {
        "StaleKeyEpoch" | "UnknownKeyEpoch" => Recovery::RefreshKeys,
        "ClockAhead" => Recovery::CorrectClock,
        "Fork" => Recovery::ResumeFromServer,
        "BodyTooLarge" | "TooManyRecords" => Recovery::HalvePage,
        _ => Recovery::GiveUp,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(epoch: u32, held: &[u32], pending: u64, state: PushState) -> PushStep {
        next_push_step(
            &PushFacts {
                epoch,
                held_epochs: held,
                pending,
            },
            &state,
        )
    }

    const FRESH: PushState = PushState {
        resumed: false,
        sealed_for: None,
    };

    #[test]
    fn without_the_team_key_nothing_is_sent_and_she_is_told_only_when_something_waits() {
        assert_eq!(step(0, &[], 0, FRESH), PushStep::WaitForKeys(true));
        assert_eq!(step(2, &[1], 3, FRESH), PushStep::WaitForKeys(true));
        assert_eq!(
            step(2, &[1], 0, FRESH),
            PushStep::WaitForKeys(false),
            "nothing to send: no 'waiting for keys' notice"
        );
    }

    #[test]
    fn a_server_behind_the_newest_epoch_held_makes_the_device_wait_not_reseal_under_an_older_one() {
        assert_eq!(step(1, &[1, 2], 5, FRESH), PushStep::WaitForKeys(true));
    }

    #[test]
    fn each_round_first_asks_the_server_how_far_it_holds_the_log_even_with_nothing_pending() {
        assert_eq!(step(1, &[1], 0, FRESH), PushStep::Resume);
        let resumed = PushState {
            resumed: true,
            sealed_for: None,
        };
        assert_eq!(step(1, &[1], 0, resumed), PushStep::Done);
    }

    #[test]
    fn the_outbox_is_resealed_once_per_epoch_then_sent() {
        let resumed = PushState {
            resumed: true,
            sealed_for: None,
        };
        assert_eq!(step(2, &[1, 2], 4, resumed), PushStep::Reseal(2));
        let sealed = PushState {
            resumed: true,
            sealed_for: Some(2),
        };
        assert_eq!(step(2, &[1, 2], 4, sealed), PushStep::Send);
        let sealed_before = PushState {
            resumed: true,
            sealed_for: Some(1),
        };
        assert_eq!(step(2, &[1, 2], 4, sealed_before), PushStep::Reseal(2));
    }

    #[test]
    fn each_refusal_has_its_recovery_and_anything_else_ends_the_round() {
        assert_eq!(recovery_for("StaleKeyEpoch"), Recovery::RefreshKeys);
        assert_eq!(recovery_for("UnknownKeyEpoch"), Recovery::RefreshKeys);
        assert_eq!(recovery_for("ClockAhead"), Recovery::CorrectClock);
        assert_eq!(recovery_for("Fork"), Recovery::ResumeFromServer);
        assert_eq!(recovery_for("BodyTooLarge"), Recovery::HalvePage);
        assert_eq!(recovery_for("TooManyRecords"), Recovery::HalvePage);
        assert_eq!(recovery_for("NotATeamMember"), Recovery::GiveUp);
    }
}
