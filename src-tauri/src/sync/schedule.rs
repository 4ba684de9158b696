//! When the background worker runs the next round or health probe. Pure: the worker feeds in
//! what it knows and the clock; tests feed in made-up instants.
//!
//! - Joined and unlocked, server reachable: a round every [`PERIOD`], and [`DEBOUNCE`] after the
//!   last local change (at most [`MAX_DEBOUNCE`] after the first unsent one, so continuous
//!   typing cannot hold the work back for ever); between rounds a cheap health check every
//!   [`CHECK_PERIOD`], so a server that stops shows as offline within seconds, not at the next
//!   round a minute later.
//! - Offline (the last round could not reach the server): no rounds, only a cheap health
//!   probe, first after [`FIRST_BACKOFF`], doubling up to [`MAX_BACKOFF`], each with jitter so
//!   a team's laptops coming back together do not knock in step. A probe that answers leads
//!   to a round at once.
//! - Locked, not joined, or revoked: nothing until something changes.

use std::time::{Duration, Instant};

/// Regular rounds while online.
pub const PERIOD: Duration = Duration::from_secs(60);
/// Health checks between rounds while online (a request without the vault, a few bytes).
pub const CHECK_PERIOD: Duration = Duration::from_secs(10);
/// Quiet time after a local change before its round.
pub const DEBOUNCE: Duration = Duration::from_secs(3);
/// Longest a local change waits while changes keep coming.
pub const MAX_DEBOUNCE: Duration = Duration::from_secs(30);
/// First probe after the server was found unreachable.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(5);
/// Longest pause between probes.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5 * 60);
/// How long the worker sleeps when there is nothing to do (it is woken earlier by any change).
pub const IDLE_RECHECK: Duration = Duration::from_secs(60);

/// What the worker knows when it decides.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Inputs {
    /// The vault has joined a team.
    pub joined: bool,
    /// The vault is unlocked (sync needs its keys).
    pub unlocked: bool,
    /// The server refused this device for good.
    pub revoked: bool,
    /// The last round or probe could not reach the server.
    pub offline: bool,
    /// Someone asked for a round as soon as possible (unlock, join).
    pub urgent: bool,
    /// First local change not yet covered by a round.
    pub first_change: Option<Instant>,
    /// Latest local change not yet covered by a round.
    pub last_change: Option<Instant>,
}

/// What to do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Run a sync round.
    Round,
    /// Ask the server's health endpoint whether it is back.
    Probe,
    /// Ask the server's health endpoint whether it is still there (online, between rounds).
    Check,
    /// Sleep this long (or until woken).
    Wait(Duration),
}

/// The worker's memory between decisions.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    last_round: Option<Instant>,
    /// When the server last answered (a round or a check).
    last_contact: Option<Instant>,
    backoff: Option<Duration>,
    next_probe: Option<Instant>,
}

impl Plan {
    /// The next action at `now`.
    pub fn next(&self, now: Instant, i: &Inputs) -> Action {
        if !i.joined || !i.unlocked || i.revoked {
            return Action::Wait(IDLE_RECHECK);
        }
        if i.offline {
            return match self.next_probe {
                Some(at) if at > now && !i.urgent => Action::Wait(at - now),
                _ => Action::Probe,
            };
        }
        let Some(last) = self.last_round.filter(|_| !i.urgent) else {
            return Action::Round;
        };
        let mut due = last + PERIOD;
        if let (Some(first), Some(latest)) = (i.first_change, i.last_change) {
            due = due.min((latest + DEBOUNCE).min(first + MAX_DEBOUNCE));
        }
        if due <= now {
            return Action::Round;
        }
        let check = self.last_contact.unwrap_or(last) + CHECK_PERIOD;
        if check <= now {
            Action::Check
        } else {
            Action::Wait(due.min(check) - now)
        }
    }

    /// A health check between rounds answered (`reachable`), or not: then the server counts as
    /// unreachable, as after a round that could not reach it.
    pub fn after_check(&mut self, now: Instant, reachable: bool, jitter: f64) {
        if reachable {
            self.last_contact = Some(now);
        } else {
            self.backoff = Some(FIRST_BACKOFF);
            self.next_probe = Some(now + FIRST_BACKOFF.mul_f64(jitter));
        }
    }

    /// A round ended; `offline` when it could not reach the server. `jitter` scales the first
    /// backoff (0.8-1.2 in the app).
    pub fn after_round(&mut self, now: Instant, offline: bool, jitter: f64) {
        self.last_round = Some(now);
        self.last_contact = (!offline).then_some(now);
        if offline {
            self.backoff = Some(FIRST_BACKOFF);
            self.next_probe = Some(now + FIRST_BACKOFF.mul_f64(jitter));
        } else {
            self.backoff = None;
            self.next_probe = None;
        }
    }

    /// A probe found the server still unreachable: wait twice as long (at most
    /// [`MAX_BACKOFF`]), scaled by `jitter`.
    pub fn after_failed_probe(&mut self, now: Instant, jitter: f64) {
        let next = self
            .backoff
            .map_or(FIRST_BACKOFF, |b| (b * 2).min(MAX_BACKOFF));
        self.backoff = Some(next);
        self.next_probe = Some(now + next.mul_f64(jitter));
    }

    /// The pause before the next probe, if offline (for tests and logs).
    pub fn backoff(&self) -> Option<Duration> {
        self.backoff
    }
}

/// A jitter factor in 0.8..1.2 from the operating system's random source.
pub fn jitter() -> f64 {
    let r = u16::from_le_bytes(teduh_core::crypto::random_bytes::<2>());
    0.8 + 0.4 * f64::from(r) / f64::from(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn online() -> Inputs {
        Inputs {
            joined: true,
            unlocked: true,
            ..Inputs::default()
        }
    }

    #[test]
    fn a_fresh_worker_syncs_at_once_and_then_every_minute() {
        let t0 = Instant::now();
        let mut plan = Plan::default();
        assert_eq!(
            plan.next(t0, &online()),
            Action::Round,
            "first round at once"
        );
        plan.after_round(t0, false, 1.0);
        assert_eq!(
            plan.next(t0 + Duration::from_secs(4), &online()),
            Action::Wait(CHECK_PERIOD - Duration::from_secs(4)),
            "the next thing is a health check"
        );
        // Checks that answer keep it online until the minute's round.
        for s in (10..60).step_by(10) {
            let at = t0 + Duration::from_secs(s);
            assert_eq!(plan.next(at, &online()), Action::Check, "check at {s} s");
            plan.after_check(at, true, 1.0);
        }
        assert_eq!(plan.next(t0 + PERIOD, &online()), Action::Round);
    }

    #[test]
    fn a_server_that_stops_is_offline_at_the_next_check_not_the_next_round() {
        let t0 = Instant::now();
        let mut plan = Plan::default();
        plan.after_round(t0, false, 1.0);
        let check = t0 + CHECK_PERIOD;
        assert_eq!(plan.next(check, &online()), Action::Check);
        plan.after_check(check, false, 1.0);
        // The worker marks the session offline; from then on it probes with backoff.
        let offline = Inputs {
            offline: true,
            ..online()
        };
        assert_eq!(plan.backoff(), Some(FIRST_BACKOFF));
        assert_eq!(
            plan.next(check + Duration::from_secs(1), &offline),
            Action::Wait(FIRST_BACKOFF - Duration::from_secs(1))
        );
        assert_eq!(plan.next(check + FIRST_BACKOFF, &offline), Action::Probe);
    }

    #[test]
    fn a_local_change_is_sent_after_a_quiet_pause_but_never_held_back_for_long() {
        let t0 = Instant::now();
        let mut plan = Plan::default();
        plan.after_round(t0, false, 1.0);
        let change = t0 + Duration::from_secs(1);
        let mut i = online();
        i.first_change = Some(change);
        i.last_change = Some(change);
        assert_eq!(plan.next(change, &i), Action::Wait(DEBOUNCE));
        assert_eq!(plan.next(change + DEBOUNCE, &i), Action::Round);
        // Typing that never pauses: the first change still goes out within MAX_DEBOUNCE.
        i.last_change = Some(change + Duration::from_secs(29));
        assert_eq!(plan.next(change + MAX_DEBOUNCE, &i), Action::Round);
    }

    #[test]
    fn offline_probes_back_off_from_five_seconds_doubling_to_five_minutes() {
        let t0 = Instant::now();
        let mut plan = Plan::default();
        plan.after_round(t0, true, 1.0);
        let mut i = online();
        i.offline = true;
        assert_eq!(plan.next(t0, &i), Action::Wait(FIRST_BACKOFF));
        assert_eq!(plan.next(t0 + FIRST_BACKOFF, &i), Action::Probe);
        let mut seen = Vec::new();
        let mut now = t0;
        for _ in 0..8 {
            plan.after_failed_probe(now, 1.0);
            seen.push(plan.backoff().map(|b| b.as_secs()));
            now += Duration::from_secs(1);
        }
        assert_eq!(
            seen,
            [10, 20, 40, 80, 160, 300, 300, 300].map(Some),
            "doubling, capped at five minutes"
        );
        // Local changes while offline do not cause rounds, only probes.
        i.first_change = Some(now);
        i.last_change = Some(now);
        assert!(matches!(plan.next(now, &i), Action::Wait(_)));
        plan.after_round(now, false, 1.0);
        assert_eq!(plan.backoff(), None, "back online: no more backoff");
    }

    #[test]
    fn locked_or_not_joined_or_revoked_devices_do_nothing() {
        let plan = Plan::default();
        let now = Instant::now();
        for i in [
            Inputs {
                unlocked: false,
                ..online()
            },
            Inputs {
                joined: false,
                ..online()
            },
            Inputs {
                revoked: true,
                ..online()
            },
        ] {
            assert_eq!(plan.next(now, &i), Action::Wait(IDLE_RECHECK), "{i:?}");
        }
    }

    #[test]
    fn an_urgent_request_skips_the_wait_and_probes_when_offline() {
        let t0 = Instant::now();
        let mut plan = Plan::default();
        plan.after_round(t0, false, 1.0);
        let urgent = Inputs {
            urgent: true,
            ..online()
        };
        assert_eq!(plan.next(t0, &urgent), Action::Round);
        plan.after_round(t0, true, 1.0);
        let offline = Inputs {
            offline: true,
            ..urgent
        };
        assert_eq!(plan.next(t0, &offline), Action::Probe);
    }

    #[test]
    fn jitter_stays_within_twenty_percent() {
        for _ in 0..200 {
            let j = jitter();
            assert!((0.8..=1.2).contains(&j), "{j}");
        }
    }
}
