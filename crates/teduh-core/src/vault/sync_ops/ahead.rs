//! Work on a list done ahead on a helper thread while this thread consumes the results in order:
//! how receiving a page overlaps its pure work (signature checks, decrypting and re-sealing
//! records) with the database work that must run in order on this thread (issue 27, item 4).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// Lists shorter than this are computed on the consuming thread alone (a thread costs more
/// than it saves).
const HELPER_FROM: usize = 64;

/// How far the helper may run ahead of the consumer: results waiting to be taken stay few
/// (opened records are about twice a note's size; a client with 10,000 notes held them all).
const MAX_AHEAD: usize = 1024;

/// The results of `compute` for the items `0..len`: a helper thread computes them in order,
/// and the consuming thread computes the next unclaimed ones itself whenever it catches up
/// ([`Ahead::take`]), so the consumer never waits longer than one item; the helper waits while
/// it is [`MAX_AHEAD`] results ahead.
pub(super) struct Ahead<T, F> {
    compute: F,
    len: usize,
    /// The next item no thread has claimed yet.
    next: AtomicUsize,
    /// Each item's result, once computed (None again once taken).
    slots: Vec<Mutex<Option<T>>>,
    /// Whether each item's computation has ended.
    done: Vec<AtomicBool>,
    /// One past the last item taken: the helper stays within [`MAX_AHEAD`] of it.
    taken: AtomicUsize,
    /// Where the helper waits while it is that far ahead (true while it waits).
    waiting: Mutex<bool>,
    /// Wakes the waiting helper once the consumer has taken more, or is done.
    moved: Condvar,
}

impl<T: Send, F: Fn(usize) -> T + Sync> Ahead<T, F> {
    /// Runs `consume` on the results of `compute` for `0..len` while a helper thread computes
    /// them ahead; whatever `consume` did not take by the time it returns is not computed.
    pub(super) fn run<R>(len: usize, compute: F, consume: impl FnOnce(&Self) -> R) -> R {
        let ahead = Self {
            compute,
            len,
            next: AtomicUsize::new(0),
            slots: (0..len).map(|_| Mutex::new(None)).collect(),
            done: (0..len).map(|_| AtomicBool::new(false)).collect(),
            taken: AtomicUsize::new(0),
            waiting: Mutex::new(false),
            moved: Condvar::new(),
        };
        std::thread::scope(|helpers| {
            if len >= HELPER_FROM {
                helpers.spawn(|| while ahead.wait_for_room() && ahead.compute_next() {});
            }
            let consumed = consume(&ahead);
            ahead.next.store(len, Ordering::Relaxed);
            ahead.wake_helper();
            consumed
        })
    }

    /// Blocks the helper while it is [`MAX_AHEAD`] items ahead of the consumer; false once
    /// nothing is left to compute.
    fn wait_for_room(&self) -> bool {
        let Ok(mut waiting) = self.waiting.lock() else {
            return false;
        };
        loop {
            let next = self.next.load(Ordering::Relaxed);
            if next >= self.len {
                return false;
            }
            if next < self.taken.load(Ordering::Acquire) + MAX_AHEAD {
                *waiting = false;
                return true;
            }
            *waiting = true;
            waiting = match self.moved.wait(waiting) {
                Ok(w) => w,
                Err(_) => return false,
            };
        }
    }

    /// Wakes the helper if it waits for the consumer.
    fn wake_helper(&self) {
        if let Ok(waiting) = self.waiting.lock() {
            if *waiting {
                self.moved.notify_one();
            }
        }
    }

    /// Claims and computes the next item nobody has claimed; false when none is left.
    fn compute_next(&self) -> bool {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        if i >= self.len {
            return false;
        }
        // A computation that panics leaves no result (the consumer falls back), and no item
        // waits forever.
        if let Ok(result) = catch_unwind(AssertUnwindSafe(|| (self.compute)(i))) {
            if let Ok(mut slot) = self.slots[i].lock() {
                *slot = Some(result);
            }
        }
        self.done[i].store(true, Ordering::Release);
        true
    }

    /// The result for item `i` (None if its computation panicked, or if it was taken already),
    /// computing this one or later ones until it is there.
    pub(super) fn take(&self, i: usize) -> Option<T> {
        let done = self.done.get(i)?;
        while !done.load(Ordering::Acquire) {
            if !self.compute_next() {
                // The helper holds this one: its result comes within one item.
                std::thread::yield_now();
            }
        }
        let result = self.slots[i].lock().ok()?.take();
        if self.taken.fetch_max(i + 1, Ordering::Release) <= i {
            self.wake_helper();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_result_is_taken_once_in_order_whoever_computed_it() {
        let taken = Ahead::run(
            500,
            |i| {
                if i == 77 {
                    panic!("a computation that fails");
                }
                i * 2
            },
            |ahead| {
                (0..500)
                    .map(|i| {
                        // Slow now and then, so the helper runs ahead.
                        if i % 100 == 0 {
                            std::thread::sleep(std::time::Duration::from_millis(5));
                        }
                        let first = ahead.take(i);
                        assert_eq!(ahead.take(i), None, "taken once");
                        first
                    })
                    .collect::<Vec<_>>()
            },
        );
        let expected: Vec<Option<usize>> = (0..500).map(|i| (i != 77).then_some(i * 2)).collect();
        assert_eq!(taken, expected);
        assert_eq!(
            Ahead::run(3, |i| i, |ahead| ahead.take(5)),
            None,
            "past the end"
        );
    }

    #[test]
    fn the_helper_runs_at_most_a_bounded_distance_ahead() {
        let consumed = AtomicUsize::new(0);
        let furthest_lead = AtomicUsize::new(0);
        let len = 4 * MAX_AHEAD;
        let taken = Ahead::run(
            len,
            |i| {
                let lead = i.saturating_sub(consumed.load(Ordering::SeqCst));
                furthest_lead.fetch_max(lead, Ordering::SeqCst);
                i
            },
            |ahead| {
                // A slow consumer: unbounded, the helper would compute every item meanwhile.
                std::thread::sleep(std::time::Duration::from_millis(50));
                (0..len)
                    .map(|i| {
                        let r = ahead.take(i);
                        consumed.store(i + 1, Ordering::SeqCst);
                        if i % MAX_AHEAD == 0 {
                            std::thread::sleep(std::time::Duration::from_millis(20));
                        }
                        r
                    })
                    .collect::<Vec<_>>()
            },
        );
        assert_eq!(taken, (0..len).map(Some).collect::<Vec<_>>());
        let lead = furthest_lead.load(Ordering::SeqCst);
        assert!(lead <= MAX_AHEAD, "the helper ran {lead} items ahead");
    }
}
