//! A transport wrapper that keeps a ledger of what a device sends: push sizes, records re-sent
//! after their acknowledgement arrived (never allowed), records in pushes that got no answer
//! (the server may have stored them; re-sending those is allowed).

use teduh_core::sync::{Transport, TransportError};
use teduh_protocol::sync::{
    DeviceView, EnvelopeList, Limits, LoginParams, LoginRequest, MemberView, NewEpoch, PushAck,
    PushPage, RegisterRequest, RosterBody, Session,
};

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

/// Wraps a transport, writing into a [`Ledger`].
pub struct Counting<'a> {
    /// The real transport.
    pub inner: &'a mut dyn Transport,
    /// Where to count.
    pub ledger: &'a mut Ledger,
}

impl Transport for Counting<'_> {
    fn limits(&mut self) -> Result<Limits, TransportError> {
        self.inner.limits()
    }
    fn register(&mut self, req: &RegisterRequest) -> Result<Session, TransportError> {
        self.inner.register(req)
    }
    fn login_params(&mut self, username: &str) -> Result<LoginParams, TransportError> {
        self.inner.login_params(username)
    }
    fn login(&mut self, req: &LoginRequest) -> Result<Session, TransportError> {
        self.inner.login(req)
    }
    fn members(&mut self, token: &str, team: u64) -> Result<Vec<MemberView>, TransportError> {
        self.inner.members(token, team)
    }
    fn devices(&mut self, token: &str) -> Result<Vec<DeviceView>, TransportError> {
        self.inner.devices(token)
    }
    fn roster(&mut self, token: &str, team: u64) -> Result<Option<RosterBody>, TransportError> {
        self.inner.roster(token, team)
    }
    fn put_roster(
        &mut self,
        token: &str,
        team: u64,
        body: &RosterBody,
    ) -> Result<(), TransportError> {
        self.inner.put_roster(token, team, body)
    }
    fn add_epoch(
        &mut self,
        token: &str,
        team: u64,
        epoch: &NewEpoch,
    ) -> Result<(), TransportError> {
        self.inner.add_epoch(token, team, epoch)
    }
    fn envelopes(&mut self, token: &str, team: u64) -> Result<EnvelopeList, TransportError> {
        self.inner.envelopes(token, team)
    }
    fn push(&mut self, token: &str, team: u64, page: &[u8]) -> Result<PushAck, TransportError> {
        #[allow(clippy::expect_used)]
        let decoded = PushPage::decode(page).expect("the engine sends well-formed pages");
        self.ledger.pushes += 1;
        self.ledger.largest_push_body = self.ledger.largest_push_body.max(page.len() as u64);
        self.ledger.push_bytes += page.len() as u64;
        self.ledger.resent_after_ack += decoded
            .records
            .iter()
            .filter(|r| r.device_seq <= self.ledger.acked_through)
            .count() as u64;
        let out = self.inner.push(token, team, page);
        match &out {
            Ok(ack) => {
                self.ledger.acked_through = self.ledger.acked_through.max(ack.stored_through)
            }
            Err(TransportError::Unreachable(_)) => {
                self.ledger.unanswered_records += decoded.records.len() as u64;
            }
            Err(_) => {}
        }
        out
    }
    fn pull(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
        budget: u64,
    ) -> Result<Vec<u8>, TransportError> {
        let started = std::time::Instant::now();
        let out = self.inner.pull(token, team, after, budget);
        self.ledger.pull_wait += started.elapsed();
        out
    }
}
