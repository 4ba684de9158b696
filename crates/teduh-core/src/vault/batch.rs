//! The sealed store's write handle: one [`Batch`] is one durable transaction that appends signed
//! records to the log and applies them to the tables (and their projections). It knows how to
//! append, seal and apply a record, not what a record means: the features add their writers to
//! `Batch` in their own modules (`casework/write.rs`, `review/mod.rs`).

use super::error::VaultError;
use super::identity::Identity;
use super::keys;
use super::projection::Projection;
use super::read::Reader;
use super::sealed::{to_fields, CREATOR_NONCE};
use super::Unlocked;
use crate::ids::{ClientId, EntityId};
use crate::records;
use crate::records::Op;
use crate::records::{RecordKind, RecordRow};
use crate::screening::ScoringConfig;
use serde::Serialize;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

/// One write transaction (see [`Vault::batch`](super::Vault::batch)): every method appends a signed record to the
/// log and applies it to the tables; nothing is visible or durable until the batch commits.
pub struct Batch<'v> {
    pub(super) tx: rusqlite::Transaction<'v>,
    pub(super) u: &'v mut Unlocked,
    pub(super) ident: &'v Identity,
    pub(super) scoring: &'v ScoringConfig,
    pub(super) projections: &'v [Projection],
    pub(super) index_updates: Vec<(ClientId, String, String, String)>,
}

impl std::fmt::Debug for Batch<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batch").finish_non_exhaustive()
    }
}

impl Batch<'_> {
    pub(super) fn reader(&mut self) -> Reader<'_> {
        Reader {
            conn: &self.tx,
            ident: self.ident,
            u: &mut *self.u,
            scoring: self.scoring,
        }
    }

    /// Appends one record sealing `fields` (plaintext JSON values) and applies it.
    #[allow(clippy::too_many_arguments)]
    /// Writes a record exactly as given (fields as their stored bytes), with none of the checks
    /// of the other writers: what a modified app could sign and send. Exists only for tests of
    /// what receiving devices enforce (feature `forge`, enabled by `teduh-tests`' test builds).
    ///
    /// Fails when locked or the write fails.
    #[cfg(feature = "forge")]
    pub fn forge(
        &mut self,
        kind: RecordKind,
        op: Op,
        entity: EntityId,
        client: ClientId,
        parent: Option<EntityId>,
        fields: Vec<(String, Vec<u8>)>,
    ) -> Result<(), VaultError> {
        let plain = fields
            .into_iter()
            .map(|(n, v)| (n, Zeroizing::new(v)))
            .collect();
        self.append_plain(kind, op, entity, client, parent, plain)
    }

    /// Sets this device's clock back to just after `to`: what a modified app does to stamp its
    /// next record with an earlier time (feature `forge`, for tests only).
    #[cfg(feature = "forge")]
    pub fn forge_clock(&mut self, to: crate::hlc::Hlc) {
        self.u.clock = crate::hlc::HlcClock::starting_after(to);
        let behind = crate::hlc::HlcClock::wall_millis().saturating_sub(to.millis());
        self.u
            .clock
            .set_offset_ms(-i64::try_from(behind).unwrap_or(i64::MAX));
    }

    pub(super) fn append(
        &mut self,
        kind: RecordKind,
        op: Op,
        entity: EntityId,
        client: ClientId,
        parent: Option<EntityId>,
        fields: &Map<String, Value>,
    ) -> Result<(), VaultError> {
        let mut plain = Vec::with_capacity(fields.len());
        for (name, value) in fields {
            let bytes =
                serde_json::to_vec(value).map_err(|e| VaultError::InvalidInput(e.to_string()))?;
            plain.push((name.clone(), Zeroizing::new(bytes)));
        }
        self.append_plain(kind, op, entity, client, parent, plain)
    }

    pub(super) fn append_plain(
        &mut self,
        kind: RecordKind,
        op: Op,
        entity: EntityId,
        client: ClientId,
        parent: Option<EntityId>,
        plain: Vec<(String, Zeroizing<Vec<u8>>)>,
    ) -> Result<(), VaultError> {
        // A restricted client's record is read-only (UU PDP Ps 41; `limits.rs`).
        if !super::limits::written_while_restricted(kind) {
            let now = self.corrected_now();
            if self.reader().restriction(client, now)?.is_some() {
                return Err(VaultError::Restricted(client));
            }
        }
        let device = self.ident.device;
        let seq = records::next_seq(&self.tx, &device)?;
        let hlc = self.u.clock.tick();
        let epoch = self.u.team_keys.keys().next_back().copied().unwrap_or(0);
        let mut row = RecordRow {
            device,
            seq,
            hlc,
            kind,
            op,
            entity,
            client,
            parent,
            epoch,
            format: records::CURRENT_FORMAT,
            payload: Vec::new(),
            signature: Vec::new(),
            erased: None,
        };
        let (conn, ident) = (&*self.tx, self.ident);
        keys::seal_and_sign(conn, ident, self.u, &mut row, &plain)?;
        records::insert(conn, &row)?;
        keys::apply_plain(
            conn,
            ident,
            self.u,
            &row,
            &plain,
            &ident.ed25519_public,
            self.projections,
        )?;
        Ok(())
    }

    /// Writes the fields of `new` that differ from the stored entity.
    /// A fresh data key for a new client or contact: its id derived from this device's signing
    /// key and a nonce ([`ClientId::derived`]), the key wrapped in a `client_key` record that
    /// carries the nonce, so every receiver can check which device made it.
    pub(super) fn new_data_key(&mut self) -> Result<ClientId, VaultError> {
        let nonce = crate::crypto::random_bytes::<16>();
        let id = ClientId::derived(&self.ident.ed25519_public, &nonce);
        let key = crate::crypto::DataKey::generate();
        let mut wrapped = Zeroizing::new(Vec::with_capacity(48));
        wrapped.extend_from_slice(&key.id.0);
        wrapped.extend_from_slice(key.sealing().key);
        self.append_plain(
            RecordKind::ClientKey,
            Op::Update,
            id.into(),
            id,
            None,
            vec![
                ("data_key".into(), wrapped),
                (CREATOR_NONCE.into(), Zeroizing::new(nonce.to_vec())),
            ],
        )?;
        self.u.client_keys.insert(id, key);
        Ok(id)
    }

    pub(super) fn update_changed<T: Serialize>(
        &mut self,
        id: EntityId,
        kind: RecordKind,
        what: &'static str,
        new: &T,
        keep: &[&str],
    ) -> Result<ClientId, VaultError> {
        let mut r = self.reader();
        let meta = r.expect(id, kind, what)?;
        let current = r.fields(id, &meta)?;
        let mut changed = to_fields(new)?;
        changed.retain(|k, v| !keep.contains(&k.as_str()) && current.get(k) != Some(v));
        if !changed.is_empty() {
            self.append(kind, Op::Update, id, meta.client, meta.parent, &changed)?;
        }
        Ok(meta.client)
    }

    pub(super) fn create_child(
        &mut self,
        client: ClientId,
        kind: RecordKind,
        parent: Option<EntityId>,
        fields: &Map<String, Value>,
    ) -> Result<EntityId, VaultError> {
        self.reader()
            .expect(client.into(), RecordKind::Client, "client")?;
        let id = EntityId::random();
        self.append(kind, Op::Create, id, client, parent, fields)?;
        Ok(id)
    }

    /// Appends a record that belongs to an existing parent (a risk entry to its case, a
    /// withdrawal to its consent, a status to its referral); the client is the parent's.
    pub(super) fn append_to_parent(
        &mut self,
        parent: EntityId,
        parent_kind: RecordKind,
        what: &'static str,
        kind: RecordKind,
        fields: &Map<String, Value>,
    ) -> Result<EntityId, VaultError> {
        let meta = self.reader().expect(parent, parent_kind, what)?;
        self.create_child(meta.client, kind, Some(parent), fields)
    }
}
