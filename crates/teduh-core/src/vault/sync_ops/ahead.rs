//! Work on a list done ahead on a helper thread while this thread consumes the results in order:
//! how receiving a page overlaps its pure work (signature checks, decrypting and re-sealing
//! records) with the database work that must run in order on this thread (issue 27, item 4).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Lists shorter than this are computed on the consuming thread alone (a thread costs more
/// than it saves).
const HELPER_FROM: usize = 64;

/// The results of `compute` for the items `0..len`: a helper thread computes them in order,
/// and the consuming thread computes the next unclaimed ones itself whenever it catches up
/// ([`Ahead::take`]), so neither waits for the other longer than one item.
pub(super) struct Ahead<T, F> {
    compute: F,
    len: usize,
    /// The next item no thread has claimed yet.
    next: AtomicUsize,
    /// Each item's result, once computed (None again once taken).
    slots: Vec<Mutex<Option<T>>>,
    /// Whether each item's computation has ended.
    done: Vec<AtomicBool>,
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
        };
        std::thread::scope(|helpers| {
            if len >= HELPER_FROM {
                helpers.spawn(|| while ahead.compute_next() {});
            }
            let consumed = consume(&ahead);
            ahead.next.store(len, Ordering::Relaxed);
            consumed
        })
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
        self.slots[i].lock().ok()?.take()
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
}
