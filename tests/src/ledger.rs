//! A transport wrapper that keeps a ledger of what a device sends: push sizes, records re-sent
//! after their acknowledgement arrived (never allowed), records in pushes that got no answer
//! (the server may have stored them; re-sending those is allowed).

use teduh_core::sync::{Answer, Intercepted, Interceptor, Request, Transport, TransportError};
use teduh_protocol::sync::PushPage;

/// Counts what a device sends: records in pushes that got no answer (the server may have
/// stored them; re-sending those is allowed) and any record re-sent although its
/// acknowledgement had arrived (never allowed).
#[derive(Debug, Default, Clone)]
pub struct Ledger {
    /// Highest sequence acknowledged by the server so far.
    pub acked_through: u64,
    /// Records in pushes that got no answer.
    pub unanswered_records: u64,
    /// Records sent although their acknowledgement had already arrived.
    pub resent_after_ack: u64,
    /// Push requests.
    pub pushes: u64,
    /// Largest request body sent (push pages and JSON bodies).
    pub largest_push_body: u64,
    /// Bytes of push bodies.
    pub push_bytes: u64,
    /// Time spent waiting for pull pages (network and server).
    pub pull_wait: std::time::Duration,
}

/// A transport that writes into a [`Ledger`]: `counting(&mut http, &mut ledger)`.
pub type Counting<'a> = Intercepted<'a, Count<'a>>;

/// Wraps `inner`, counting into `ledger`.
pub fn counting<'a>(inner: &'a mut dyn Transport, ledger: &'a mut Ledger) -> Counting<'a> {
    Intercepted::new(
        inner,
        Count {
            ledger,
            in_flight: 0,
            pull_started: None,
        },
    )
}

/// The [`Interceptor`] behind [`Counting`].
pub struct Count<'a> {
    ledger: &'a mut Ledger,
    /// Records in the push being made.
    in_flight: u64,
    pull_started: Option<std::time::Instant>,
}

impl Interceptor for Count<'_> {
    fn before(&mut self, request: Request<'_>) -> Result<(), TransportError> {
        match request {
            Request::Push { page } => {
                #[allow(clippy::expect_used)]
                let decoded = PushPage::decode(page).expect("the engine sends well-formed pages");
                let ledger = &mut *self.ledger;
                ledger.pushes += 1;
                ledger.largest_push_body = ledger.largest_push_body.max(page.len() as u64);
                ledger.push_bytes += page.len() as u64;
                ledger.resent_after_ack += decoded
                    .records
                    .iter()
                    .filter(|r| r.device_seq <= ledger.acked_through)
                    .count() as u64;
                self.in_flight = decoded.records.len() as u64;
            }
            Request::Pull { .. } => self.pull_started = Some(std::time::Instant::now()),
            _ => {}
        }
        Ok(())
    }

    fn after(&mut self, request: Request<'_>, answer: Answer<'_>) -> Result<(), TransportError> {
        match (request, answer) {
            (Request::Push { .. }, Ok(Some(ack))) => {
                self.ledger.acked_through = self.ledger.acked_through.max(ack.stored_through)
            }
            (Request::Push { .. }, Err(TransportError::Unreachable(_))) => {
                self.ledger.unanswered_records += self.in_flight;
            }
            (Request::Pull { .. }, _) => {
                if let Some(started) = self.pull_started.take() {
                    self.ledger.pull_wait += started.elapsed();
                }
            }
            _ => {}
        }
        Ok(())
    }
}
