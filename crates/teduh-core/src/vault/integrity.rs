//! Integrity of the record: checking every signature against the team roster, replaying the
//! log into the tables (rebuild), and checking that log and tables agree. Separate from the
//! life cycle and the features because it touches the whole log at once and changes nothing
//! a feature reads except by replaying.

use super::error::VaultError;
use super::identity::Identity;
use super::sealed::{binding_aad, client_key, id16, record_name};
use super::{build_index, keys, Vault};
use crate::ids::{hex, ClientId, EntityId};
use crate::index::SearchIndex;
use crate::records::{self, RecordError, RecordKind, RecordRow};

impl Vault {
    /// Number of records in the log.
    ///
    /// Fails when the database cannot be read.
    pub fn log_len(&self) -> Result<u64, VaultError> {
        let n: i64 =
            self.store
                .connection()
                .query_row("SELECT COUNT(*) FROM record_log", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// How many records of the log are casework, not checkpoints (which each device adds to its
    /// own log as it syncs, so two devices' logs differ by the newest ones in flight).
    ///
    /// Fails when the database cannot be read.
    pub fn casework_log_len(&self) -> Result<u64, VaultError> {
        let n: i64 = self.store.connection().query_row(
            "SELECT COUNT(*) FROM record_log WHERE kind != 'checkpoint'",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The materialised tables as bytes (see [`records::dump_state`]).
    ///
    /// Fails when the database cannot be read.
    pub fn state_dump(&self) -> Result<Vec<u8>, VaultError> {
        Ok(records::dump_state(self.store.connection())?)
    }

    /// Checks a record's signature against its author: this device, or a device of the
    /// accepted team roster (whose revocation bounds which of its records count).
    ///
    /// A record written before client schema 17 (format 2) signs its body itself, so once this
    /// device erased that body (UU PDP erasure) nothing is left to check it against: it stands
    /// on this device's own check when it entered the log. No such record can come from outside
    /// erased: the wire carries tombstones of formats 3 and 4 only (`records/wire.rs`).
    pub(super) fn verifier(
        &self,
    ) -> Result<impl Fn(&RecordRow) -> Result<(), RecordError>, VaultError> {
        let team = self.ident.team;
        let authors = self.authors()?;
        Ok(move |r: &RecordRow| {
            let refuse = |why: &str| RecordError::Refused {
                device: hex(&r.device.0),
                seq: r.seq,
                why: why.to_owned(),
            };
            let (key, through) = authors
                .get(&r.device)
                .ok_or_else(|| refuse("its author is not in the team roster"))?;
            if through.is_some_and(|t| r.seq > t) {
                return Err(refuse("its author device was revoked before it"));
            }
            if r.format == records::FORMAT_CLEAR_HEADER && r.erased.is_some() {
                return Ok(());
            }
            records::verify(&team, key, r)
        })
    }

    /// Checks the signed header of every record whose body was erased (UU PDP erasure) against
    /// the digest kept in its place: the logs stay gapless and checkable. Returns how many.
    ///
    /// Fails with [`VaultError::Log`] naming the first that does not verify.
    pub fn verify_erased_records(&self) -> Result<u64, VaultError> {
        let check = self.verifier()?;
        let erased = records::erased_records(self.store.connection())?;
        for r in &erased {
            check(r).map_err(|e| VaultError::Log(format!("erased record: {e}")))?;
        }
        Ok(erased.len() as u64)
    }

    /// Replays the whole log into empty tables (checking every signature, opening every
    /// record) and commits; the search index is rebuilt. Returns the number of records
    /// replayed.
    ///
    /// Fails when locked, or (nothing changed) on a record with a bad signature, a damaged
    /// payload or a missing key.
    pub fn rebuild(&mut self) -> Result<u64, VaultError> {
        let n = self.replay(true)?.0;
        let Vault {
            store,
            ident,
            unlocked,
            ..
        } = self;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        u.index = SearchIndex::default();
        u.contacts.clear();
        u.damaged.clear();
        build_index(store.connection(), ident, u)?;
        Ok(n)
    }

    /// Checks that the log and the tables agree: every signature verifies, every record opens,
    /// and replaying the log gives the same state ([`records::dump_state`]). Changes nothing
    /// (the replay is rolled back).
    ///
    /// Fails when locked, or with [`VaultError::Log`] describing the first disagreement.
    pub fn check_consistency(&mut self) -> Result<u64, VaultError> {
        self.check_sealed_values()?;
        self.verify_erased_records()?;
        let (n, same) = self.replay(false)?;
        if !same {
            return Err(VaultError::Log(
                "the materialised tables differ from a replay of the log".into(),
            ));
        }
        Ok(n)
    }

    /// Folds `rows` in the given order into empty tables and returns the resulting
    /// [`records::dump_state`]; changes nothing (rolled back). For diagnostics and for testing
    /// that the merge does not depend on arrival order.
    ///
    /// Fails when locked or a record cannot be opened.
    pub fn state_after_folding(&mut self, rows: &[RecordRow]) -> Result<Vec<u8>, VaultError> {
        self.touch()?;
        let authors = self.authors()?;
        let Vault {
            store,
            ident,
            unlocked,
            projections,
            ..
        } = self;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let ident: &Identity = ident;
        let tx = store.connection_mut().transaction()?;
        records::clear_state(&tx)?;
        for r in rows {
            let key = author_key(&authors, r);
            keys::open_record(&tx, ident, u, r)
                .and_then(|plain| keys::apply_plain(&tx, ident, u, r, &plain, &key, projections))?;
        }
        let dump = records::dump_state(&tx)?;
        tx.rollback()?;
        Ok(dump)
    }

    /// Opens every sealed value of the materialised tables; fails naming the first that does
    /// not authenticate.
    fn check_sealed_values(&mut self) -> Result<(), VaultError> {
        let r = self.reader()?;
        let (conn, ident) = (r.conn, r.ident);
        type Row = (Vec<u8>, String, Vec<u8>, i64, Vec<u8>, String, Vec<u8>);
        let rows: Vec<Row> = conn
            .prepare(
                "SELECT f.entity_id, f.field, f.device_id, f.seq, f.value, e.kind, e.client_id
                 FROM entity_fields f JOIN entities e ON e.entity_id = f.entity_id",
            )?
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?
            .collect::<Result<_, _>>()?;
        for (entity, field, device, seq, value, kind, client) in rows {
            let kind = RecordKind::parse(&kind)
                .ok_or_else(|| VaultError::Log(format!("unknown entity kind {kind}")))?;
            let entity = EntityId(id16(&entity)?);
            let seq = u64::try_from(seq).unwrap_or(0);
            let key = client_key(conn, ident, r.u, ClientId(id16(&client)?))?;
            let aad = binding_aad(ident, &id16(&device)?, seq, kind, &entity, &field);
            if key.open(&aad, &value).is_err() {
                return Err(VaultError::Log(format!(
                    "the stored copy of {} does not authenticate",
                    record_name(kind, &entity, &field, &device, seq)
                )));
            }
        }
        Ok(())
    }

    /// Replays the log into emptied tables; commits when `commit`, else rolls back. Returns the
    /// record count and whether the state equals the one before.
    fn replay(&mut self, commit: bool) -> Result<(u64, bool), VaultError> {
        self.ensure_unlocked()?;
        let check = self.verifier()?;
        let authors = self.authors()?;
        let roster = self.roster()?;
        let me = self.assignment_self(roster.as_ref())?;
        let Vault {
            store,
            ident,
            unlocked,
            projections,
            scoring,
            ..
        } = self;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let ident: &Identity = ident;
        let tx = store.connection_mut().transaction()?;
        let before = records::dump_state(&tx)?;
        let refused = |r: &RecordRow, why: String| RecordError::Refused {
            device: hex(&r.device.0),
            seq: r.seq,
            why,
        };
        // Records this device keeps unopened stay so: those it could not open, and those it
        // refused when their key arrived (they entered the log unopened; replaying them would
        // apply what the receive rules refused).
        let unopened: std::collections::HashMap<(Vec<u8>, i64), String> = tx
            .prepare("SELECT device_id, seq, reason FROM unopened_record")?
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))?
            .collect::<Result<_, _>>()?;
        let n = records::rebuild(&tx, |r| {
            let key = (
                r.device.0.to_vec(),
                i64::try_from(r.seq).unwrap_or(i64::MAX),
            );
            if let Some(why) = unopened.get(&key) {
                return super::readers::keep_unopened(&tx, r, why)
                    .map_err(|e| refused(r, e.to_string()));
            }
            check(r)?;
            let key = author_key(&authors, r);
            let opened = keys::open_record(&tx, ident, u, r)
                .and_then(|plain| keys::apply_plain(&tx, ident, u, r, &plain, &key, projections));
            match opened {
                Ok(()) => Ok(()),
                // A client this device does not read: its records stay in the log, unopened.
                Err(keys::OpenError::NoClientKey(why)) => {
                    super::readers::keep_unopened(&tx, r, &why)
                        .map_err(|e| refused(r, e.to_string()))
                }
                Err(keys::OpenError::MissingKey(why)) => Err(refused(r, why)),
                Err(keys::OpenError::Vault(e)) => Err(refused(r, e.to_string())),
            }
        })?;
        // The log still holds the keys once wrapped to this device: a case it was taken off is
        // dropped again.
        let assigned: Vec<ClientId> = tx
            .prepare("SELECT DISTINCT client_id FROM entities WHERE kind = 'assignment'")?
            .query_map([], |r| r.get::<_, Vec<u8>>(0))?
            .filter_map(|b| b.ok().and_then(|b| id16(&b).ok()).map(ClientId))
            .collect();
        super::assignment::forget_unassigned(
            &tx,
            ident,
            u,
            scoring,
            me,
            roster.as_ref(),
            &assigned,
        )?;
        let same = records::dump_state(&tx)? == before;
        if commit {
            tx.commit()?;
        } else {
            tx.rollback()?;
        }
        Ok((n, same))
    }
}

/// The Ed25519 key that signed `r` (all zeroes, which proves nothing, for an unknown device).
fn author_key(authors: &crate::team::roster::Authors, r: &RecordRow) -> [u8; 32] {
    authors
        .get(&r.device)
        .map_or([0; 32], |(key, _)| key.to_bytes())
}
