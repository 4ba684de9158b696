//! Hybrid logical clock: timestamps that follow the wall clock but never go backwards.
//!
//! A [`Hlc`] packs milliseconds since the Unix epoch (upper 48 bits) and a logical counter (lower
//! 16 bits) into one `u64`, so timestamps compare as integers and sort in SQLite. Ties between
//! devices are broken by the device id (see the record log). A clock that jumps backwards (a
//! badly set laptop) only makes the counter advance; it never makes a timestamp repeat.

use std::time::{SystemTime, UNIX_EPOCH};

/// A hybrid logical timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Hlc(pub u64);

const COUNTER_BITS: u32 = 16;
const COUNTER_MASK: u64 = (1 << COUNTER_BITS) - 1;

impl Hlc {
    /// Builds a timestamp from its parts.
    pub fn new(millis: u64, counter: u16) -> Self {
        Self((millis << COUNTER_BITS) | u64::from(counter))
    }

    /// Milliseconds since the Unix epoch.
    pub fn millis(self) -> u64 {
        self.0 >> COUNTER_BITS
    }

    /// The wall-clock moment (the counter dropped); `None` past chrono's range.
    pub fn to_datetime(self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::from_timestamp_millis(i64::try_from(self.millis()).ok()?)
    }

    /// Logical counter within the millisecond.
    pub fn counter(self) -> u16 {
        (self.0 & COUNTER_MASK) as u16
    }

    /// Stored form (SQLite integers are signed; 48-bit milliseconds never reach the sign bit).
    pub fn to_i64(self) -> i64 {
        i64::try_from(self.0).unwrap_or(i64::MAX)
    }

    /// From the stored form.
    pub fn from_i64(v: i64) -> Self {
        Self(u64::try_from(v).unwrap_or(0))
    }
}

/// The device's clock: issues strictly increasing timestamps.
#[derive(Debug, Clone)]
pub struct HlcClock {
    last: Hlc,
    /// Correction added to the wall clock (set when the server showed this device's clock to
    /// be far off; also lets tests skew a device's clock).
    offset_ms: i64,
}

impl HlcClock {
    /// A clock that will never issue a timestamp at or below `last` (the newest one in the log).
    pub fn starting_after(last: Hlc) -> Self {
        Self { last, offset_ms: 0 }
    }

    /// Sets the correction added to the wall clock, in milliseconds.
    pub fn set_offset_ms(&mut self, offset_ms: i64) {
        self.offset_ms = offset_ms;
    }

    /// The correction added to the wall clock.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms
    }

    /// Now by the wall clock with a correction of `offset_ms` (what a device's clock reads once
    /// corrected to the server's).
    pub fn corrected_now(offset_ms: i64) -> chrono::DateTime<chrono::Utc> {
        let wall = i64::try_from(Self::wall_millis()).unwrap_or(i64::MAX);
        chrono::DateTime::from_timestamp_millis(wall.saturating_add(offset_ms))
            .unwrap_or_else(chrono::Utc::now)
    }

    /// The current wall clock in milliseconds (0 if the system clock is before 1970).
    pub fn wall_millis() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX >> COUNTER_BITS))
            .unwrap_or(0)
    }

    /// Next timestamp for a local event, given the wall clock reading `now_millis`.
    pub fn tick_at(&mut self, now_millis: u64) -> Hlc {
        let next = if now_millis > self.last.millis() {
            Hlc::new(now_millis, 0)
        } else {
            // Same millisecond or the wall clock went backwards: keep counting.
            Hlc(self.last.0 + 1)
        };
        self.last = next;
        next
    }

    /// Next timestamp for a local event, now.
    pub fn tick(&mut self) -> Hlc {
        let now = Self::wall_millis().saturating_add_signed(self.offset_ms);
        self.tick_at(now)
    }

    /// Takes a remote timestamp into account so later local events sort after it.
    pub fn observe(&mut self, remote: Hlc) {
        if remote > self.last {
            self.last = remote;
        }
    }

    /// The newest timestamp issued or observed.
    pub fn last(&self) -> Hlc {
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_clock_going_backwards_still_gives_increasing_timestamps() {
        let mut c = HlcClock::starting_after(Hlc::default());
        let a = c.tick_at(1_000);
        let b = c.tick_at(500);
        let d = c.tick_at(1_000);
        assert!(
            a < b && b < d,
            "timestamps must increase: {a:?} {b:?} {d:?}"
        );
        assert_eq!(
            b.millis(),
            1_000,
            "a backwards clock keeps the newest millisecond"
        );
    }

    proptest! {
        #[test]
        fn timestamps_strictly_increase_whatever_the_wall_clock(
            readings in proptest::collection::vec(0u64..5_000, 1..200)
        ) {
            let mut c = HlcClock::starting_after(Hlc::new(10, 3));
            let mut prev = c.last();
            for r in readings {
                let t = c.tick_at(r);
                prop_assert!(t > prev, "{:?} must follow {:?}", t, prev);
                prev = t;
            }
        }
    }
}
