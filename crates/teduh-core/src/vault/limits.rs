//! What a person's withdrawals and restrictions stop (issue 25, UU PDP Ps 40, 41), checked
//! where the processing happens rather than by the screens:
//!
//! - a purpose whose consent she withdrew ([`crate::domain::purpose_stopped`]) stops: a
//!   referral needs a lawful basis other than consent ([`Vault::add_referral`]), a supervisor's
//!   review is refused and her notes leave the review queue, and she is left out of the monthly
//!   statistics (`review/monthly.rs`);
//! - a granted restriction ([`RequestView::restricts`]) makes her record read-only: every write
//!   about her is refused ([`Batch`]'s append) except her requests (answering one, lifting the
//!   restriction), the audit trail's entries and key records; she leaves every list (clients,
//!   Home, the review queue) except her handler's, and the statistics.
//!
//! Both are found cheaply: only clients with a withdrawal or a request record are read.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::error::VaultError;
use super::read::Reader;
use super::requests::RequestView;
use super::{sealed::id16, Vault};
use crate::domain::purpose_stopped;
use crate::ids::ClientId;
use crate::records::RecordKind;

/// Record kinds still written about a restricted client: her requests (so a restriction can be
/// answered and lifted), the audit trail's entries (reading is still recorded), and keys.
pub(super) fn written_while_restricted(kind: RecordKind) -> bool {
    matches!(
        kind,
        RecordKind::Request | RecordKind::Access | RecordKind::ClientKey | RecordKind::Checkpoint
    )
}

impl Reader<'_> {
    /// Whether the client has any record of `kind` (an index lookup, nothing decrypted).
    fn has_any(&self, client: ClientId, kind: RecordKind) -> Result<bool, VaultError> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM entities WHERE client_id = ?1 AND kind = ?2 LIMIT 1")?
            .exists(params![&client.0[..], kind.as_str()])?)
    }

    /// The clients with any record of `kind`.
    fn clients_with(&self, kind: RecordKind) -> Result<Vec<ClientId>, VaultError> {
        let rows: Vec<Vec<u8>> = self
            .conn
            .prepare_cached("SELECT DISTINCT client_id FROM entities WHERE kind = ?1")?
            .query_map([kind.as_str()], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        rows.iter().map(|c| Ok(ClientId(id16(c)?))).collect()
    }

    /// The granted restriction in force on `client`, if any.
    pub(super) fn restriction(
        &mut self,
        client: ClientId,
        now: DateTime<Utc>,
    ) -> Result<Option<RequestView>, VaultError> {
        if !self.has_any(client, RecordKind::Request)? {
            return Ok(None);
        }
        Ok(self
            .requests_of(client, now)?
            .into_iter()
            .find(RequestView::restricts))
    }

    /// Whether she withdrew her consent to `purpose` with no other basis recorded for it.
    pub(super) fn purpose_stopped(
        &mut self,
        client: ClientId,
        purpose: &str,
    ) -> Result<bool, VaultError> {
        if !self.has_any(client, RecordKind::ConsentWithdrawal)? {
            return Ok(false);
        }
        Ok(purpose_stopped(&self.consents(client)?, purpose))
    }

    /// The clients this device reads that are restricted; with `except_handled`, not those this
    /// member handles.
    pub(super) fn restricted_clients(
        &mut self,
        now: DateTime<Utc>,
        except_handled: bool,
    ) -> Result<HashSet<ClientId>, VaultError> {
        let mut out = HashSet::new();
        for client in self.clients_with(RecordKind::Request)? {
            // A client this device does not read (need-to-know) has no key here.
            if self.u.index.code_of(client).is_none() {
                continue;
            }
            if let Some(r) = self.restriction(client, now)? {
                if !(except_handled && r.request.handler == Some(self.ident.member)) {
                    out.insert(client);
                }
            }
        }
        Ok(out)
    }

    /// The clients whose processing for `purpose` stopped, and every restricted client: those a
    /// supervisor's review or the statistics leave out.
    pub(super) fn paused_for(
        &mut self,
        purpose: &str,
        now: DateTime<Utc>,
    ) -> Result<HashSet<ClientId>, VaultError> {
        let mut out = self.restricted_clients(now, false)?;
        for client in self.clients_with(RecordKind::ConsentWithdrawal)? {
            if self.u.index.code_of(client).is_some() && self.purpose_stopped(client, purpose)? {
                out.insert(client);
            }
        }
        Ok(out)
    }
}

impl Vault {
    /// The restriction in force on `client` (a granted, unlifted restriction request), if any.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn restriction(&mut self, client: ClientId) -> Result<Option<RequestView>, VaultError> {
        let now = self.corrected_now();
        self.reader()?.restriction(client, now)
    }

    /// Whether she withdrew her consent to `purpose` (see [`crate::domain::purpose`]) with no
    /// other lawful basis recorded for it.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn purpose_stopped(&mut self, client: ClientId, purpose: &str) -> Result<bool, VaultError> {
        self.reader()?.purpose_stopped(client, purpose)
    }
}
