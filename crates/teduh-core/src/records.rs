//! The record log and the materialised state derived from it.
//!
//! This module is the format and the log: the row, its byte framing, its signature and its
//! storage in `record_log` must change together (a field added to the row changes the signed
//! bytes, the stored columns and the replay). The `record_log` table itself (append, read,
//! replay, the erased records) is `records/table.rs`, the wire form `records/wire.rs`, and the
//! last-writer-wins fold into the derived tables `records/fold.rs` (all re-exported here). The pieces that are not the format (keys,
//! sealing, the vault's use of it) live in `vault/`.
//!
//! Every change is a [`RecordRow`] appended to the author device's log (`record_log`), with a
//! gapless per-device sequence number (enforced by a trigger), an [`Hlc`] timestamp, and an
//! Ed25519 signature by the device's member over every column ([`signing_bytes`]).
//!
//! The payload is the record's fields (name -> plaintext bytes), framed ([`encode_fields`]),
//! compressed with raw DEFLATE when that makes them smaller, and sealed *as a whole* with
//! AES-256-GCM under the record key of its client and team-key epoch
//! ([`crate::crypto::record_key`]); the associated data is the record's header
//! ([`associated_data`]), so a payload cannot be moved to another record. The same payload is
//! stored locally and sent to the server; on the wire ([`RecordRow::to_wire`], `records/wire.rs`)
//! the header travels sealed under the epoch's team key and padded, so the server sees only
//! team, device, sequence, epoch, time and a padded size.
//!
//! [`apply`] folds one record into the materialised tables (`entities`, `entity_fields`,
//! `field_versions`, `client_keys`) given its fields re-sealed for this device: each field keeps
//! the value of the record with the greatest `(rank, hlc, device_id)` (last writer wins per field;
//! a finalising record outranks ordinary edits, so finalised text stays final), and every
//! version is kept in `field_versions`. Because the fold is commutative, [`rebuild`] (empty the
//! tables, replay the log) yields the same state, which [`dump_state`] makes checkable.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use zeroize::Zeroizing;

use crate::hlc::Hlc;
use crate::ids::{hex, ClientId, DeviceId, EntityId, TeamId};

mod fold;
mod table;
mod wire;

pub use fold::{apply, clear_state, dump_state};
pub use table::{
    erased_records, erased_records_where, for_each, get, insert, last_of, max_hlc, next_seq,
    own_records_after, own_records_page, rebuild, replace_unacknowledged, PageBudget,
};
#[cfg(feature = "forge")]
pub use wire::forge_future_kind;
pub use wire::{
    padme, HeaderKey, CURRENT_FORMAT, FORMAT_CLEAR_HEADER, FORMAT_SEALED_HEADER, FORMAT_SIV,
    SEALED_HEADER_LEN,
};

/// The field whose presence makes a record a finalisation (see [`apply`]).
pub const FINALISED_FIELD: &str = "finalised_at";

/// What a record is about. The kind is part of every envelope's associated data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// A client's data key: sealed under the team key for the whole team (before need-to-know,
    /// and for contacts), or wrapped to one reader's device ([`crate::vault`]'s key wraps).
    ClientKey,
    /// A client's profile.
    Client,
    /// A case.
    Case,
    /// An entry in a case's risk history.
    Risk,
    /// A consent record.
    Consent,
    /// Withdrawal of a consent.
    ConsentWithdrawal,
    /// A session note.
    Note,
    /// An addendum to a finalised note.
    Addendum,
    /// A follow-up task.
    Task,
    /// A screening.
    Screening,
    /// A referral to a directory partner.
    Referral,
    /// A status change of a referral (append-only).
    ReferralStatus,
    /// A supervisor's review of a finalised note or a red-flagged contact (append-only).
    Review,
    /// A hotline or chat contact: its own data key, or a client's once converted
    /// ([`crate::contact`]).
    Contact,
    /// A risk episode on a client or a contact ([`crate::episode`]).
    Episode,
    /// The team's on-call rota of supervisors and their numbers, under its own data key.
    OnCall,
    /// Who works on a client's case: each assignment, transfer or release is one (the case's
    /// assignment history), under the client's key.
    Assignment,
    /// What the writing device holds (roster, epoch, each log's running hash), under the
    /// epoch's team key: readers compare it with their own copies (`vault/checkpoints/`).
    Checkpoint,
    /// A data-subject request about a client, and its answer ([`crate::request`]), under the
    /// client's key.
    Request,
    /// Who opened, exported or printed a client's data (the audit trail, `vault/audit/`),
    /// under the client's key; never changed.
    Access,
    /// An incident of the breach register (`vault/breaches/`), under its own data key sealed
    /// for the whole team; changed only by its two notices.
    Breach,
    /// A key manager's approved erasure of a client (`vault/erasure/`), under its own data key
    /// sealed for the whole team: every device that receives it shreds the client.
    Erasure,
    /// A device's acknowledgement that it shredded the client of an erasure, under the
    /// erasure's key.
    ErasureAck,
}

impl RecordKind {
    const ALL: [RecordKind; 23] = [
        Self::ClientKey,
        Self::Client,
        Self::Case,
        Self::Risk,
        Self::Consent,
        Self::ConsentWithdrawal,
        Self::Note,
        Self::Addendum,
        Self::Task,
        Self::Screening,
        Self::Referral,
        Self::ReferralStatus,
        Self::Review,
        Self::Contact,
        Self::Episode,
        Self::OnCall,
        Self::Assignment,
        Self::Checkpoint,
        Self::Request,
        Self::Access,
        Self::Breach,
        Self::Erasure,
        Self::ErasureAck,
    ];

    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientKey => "client_key",
            Self::Client => "client",
            Self::Case => "case",
            Self::Risk => "risk",
            Self::Consent => "consent",
            Self::ConsentWithdrawal => "consent_withdrawal",
            Self::Note => "note",
            Self::Addendum => "addendum",
            Self::Task => "task",
            Self::Screening => "screening",
            Self::Referral => "referral",
            Self::ReferralStatus => "referral_status",
            Self::Review => "review",
            Self::Contact => "contact",
            Self::Episode => "episode",
            Self::OnCall => "on_call",
            Self::Assignment => "assignment",
            Self::Checkpoint => "checkpoint",
            Self::Request => "request",
            Self::Access => "access",
            Self::Breach => "breach",
            Self::Erasure => "erasure",
            Self::ErasureAck => "erasure_ack",
        }
    }

    /// Whether records of this kind are sealed under the epoch's team key itself (they name no
    /// client whose key could seal them).
    pub fn sealed_under_team_key(self) -> bool {
        matches!(self, Self::ClientKey | Self::Checkpoint)
    }

    /// Parses [`RecordKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The stable one-byte code on the wire (1-127).
    pub fn code(self) -> u8 {
        Self::ALL
            .iter()
            .position(|k| *k == self)
            .and_then(|i| u8::try_from(i + 1).ok())
            .unwrap_or(0)
    }

    /// Parses [`RecordKind::code`].
    pub fn from_code(code: u8) -> Option<Self> {
        Self::ALL.get(usize::from(code).checked_sub(1)?).copied()
    }
}

/// Whether a record creates its entity or changes fields of an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// First record of an entity: creates its row.
    Create,
    /// Later changes.
    Update,
}

impl Op {
    fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
        }
    }

    fn code(self) -> u8 {
        match self {
            Self::Create => 0,
            Self::Update => 1,
        }
    }
}

/// One record of the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    /// Author device.
    pub device: DeviceId,
    /// Position in that device's log (1, 2, 3... without gaps).
    pub seq: u64,
    /// Timestamp.
    pub hlc: Hlc,
    /// Kind.
    pub kind: RecordKind,
    /// Create or update.
    pub op: Op,
    /// The entity changed.
    pub entity: EntityId,
    /// The client the entity belongs to (its data key sealed the payload).
    pub client: ClientId,
    /// Parent entity (a note for an addendum, a case for a risk entry...).
    pub parent: Option<EntityId>,
    /// Team-key epoch of the record key that sealed the payload (0: the device's provisional
    /// key, before it joined a team).
    pub epoch: u32,
    /// The record's format ([`CURRENT_FORMAT`] for records written now; what it was written
    /// in for records received): it decides the wire form and what the signature covers.
    pub format: u8,
    /// `nonce || AES-256-GCM(flag || fields)`, see the module documentation.
    pub payload: Vec<u8>,
    /// Ed25519 signature over [`signing_bytes`].
    pub signature: Vec<u8>,
    /// Set when its body was erased (UU PDP erasure, `vault/erasure/`): the body's length and
    /// SHA-256, which the signature covers; `payload` is then empty.
    pub erased: Option<BodyDigest>,
}

/// Errors reading or replaying the log.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// A stored record cannot be decoded (bad kind, bad payload framing).
    #[error("record {device}/{seq} is malformed: {why}")]
    Malformed {
        /// Device id (hex).
        device: String,
        /// Sequence number.
        seq: u64,
        /// What is wrong.
        why: String,
    },
    /// A record's signature does not verify against its device's key.
    #[error("record {device}/{seq} has an invalid signature")]
    BadSignature {
        /// Device id (hex).
        device: String,
        /// Sequence number.
        seq: u64,
    },
    /// A record was refused by the caller's check (unknown author, missing key...).
    #[error("record {device}/{seq} was refused: {why}")]
    Refused {
        /// Device id (hex).
        device: String,
        /// Sequence number.
        seq: u64,
        /// Why.
        why: String,
    },
    /// A record's header is sealed under the team key of an epoch this device does not hold
    /// (yet): it cannot even tell what the record is.
    #[error("record {device}/{seq}: no team key of epoch {epoch} on this device")]
    MissingHeaderKey {
        /// Device id (hex).
        device: String,
        /// Sequence number.
        seq: u64,
        /// The record's epoch.
        epoch: u32,
    },
    /// A record of a format or kind a newer version of Teduh writes: kept until this device
    /// is updated, never dropped ([`NEEDS_NEWER_VERSION`] starts the reason).
    #[error("record {device}/{seq}: {NEEDS_NEWER_VERSION} ({what})")]
    NeedsNewerVersion {
        /// Device id (hex).
        device: String,
        /// Sequence number.
        seq: u64,
        /// What this build does not know (`record kind 42`, `record format 4`).
        what: String,
    },
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

impl RecordError {
    /// Whether the record may well be genuine and only waits for something this device lacks
    /// (its epoch's key, a newer Teduh): kept whatever the count, never taken for junk.
    pub fn awaits_this_device(&self) -> bool {
        matches!(
            self,
            Self::MissingHeaderKey { .. } | Self::NeedsNewerVersion { .. }
        )
    }
}

/// The words a held record's reason carries when a newer version of Teduh wrote it (the app
/// then asks to be updated: "Perbarui Teduh").
pub const NEEDS_NEWER_VERSION: &str = "needs a newer version of Teduh";

/// A record's fields in plaintext: (name, bytes), wiped on drop.
pub type PlainFields = Vec<(String, Zeroizing<Vec<u8>>)>;

/// Largest decompressed payload accepted (a decompression bomb is a malformed record).
pub const MAX_FIELDS_BYTES: usize = 4 * 1024 * 1024;

/// Frames fields ([`encode_payload`]) and compresses them when that is smaller: `0x00 ||
/// framed`, or `0x02 || DEFLATE(framed)` primed with the frozen dictionary of
/// [`crate::compress`]. (`0x01`, plain DEFLATE, is read but no longer written.) Compression
/// happens before encryption (ciphertext does not compress).
pub fn encode_fields(fields: &[(String, Zeroizing<Vec<u8>>)]) -> Zeroizing<Vec<u8>> {
    let framed = Zeroizing::new(encode_payload(
        &fields
            .iter()
            .map(|(n, v)| (n.clone(), v.to_vec()))
            .collect::<Vec<_>>(),
    ));
    let packed = Zeroizing::new(crate::compress::deflate_v1(&framed));
    let mut out = Zeroizing::new(Vec::with_capacity(1 + framed.len().min(packed.len())));
    if packed.len() < framed.len() {
        out.push(2);
        out.extend_from_slice(&packed);
    } else {
        out.push(0);
        out.extend_from_slice(&framed);
    }
    out
}

/// Reverses [`encode_fields`]; `None` when the flag, compression or framing is broken.
pub fn decode_fields(bytes: &[u8]) -> Option<PlainFields> {
    let (flag, body) = bytes.split_first()?;
    let framed = match flag {
        0 => Zeroizing::new(body.to_vec()),
        1 => Zeroizing::new(
            miniz_oxide::inflate::decompress_to_vec_with_limit(body, MAX_FIELDS_BYTES).ok()?,
        ),
        2 => Zeroizing::new(crate::compress::inflate_v1(body, MAX_FIELDS_BYTES)?),
        _ => return None,
    };
    decode_payload(&framed).map(|v| {
        v.into_iter()
            .map(|(n, e)| (n.to_owned(), Zeroizing::new(e.to_vec())))
            .collect()
    })
}

/// Encodes a payload: `count (u16 BE)`, then per field `name length (u16 BE) || name ||
/// envelope length (u32 BE) || envelope`.
pub fn encode_payload(fields: &[(String, Vec<u8>)]) -> Vec<u8> {
    let size: usize = fields.iter().map(|(n, e)| 6 + n.len() + e.len()).sum();
    let mut out = Vec::with_capacity(2 + size);
    let count = u16::try_from(fields.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&count.to_be_bytes());
    for (name, env) in fields.iter().take(usize::from(count)) {
        let n = u16::try_from(name.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&n.to_be_bytes());
        out.extend_from_slice(&name.as_bytes()[..usize::from(n)]);
        let e = u32::try_from(env.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&e.to_be_bytes());
        out.extend_from_slice(env);
    }
    out
}

/// Decodes [`encode_payload`]; `None` when the framing is broken.
pub fn decode_payload(bytes: &[u8]) -> Option<Vec<(&str, &[u8])>> {
    fn take<'a>(b: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
        if b.len() < n {
            return None;
        }
        let (h, t) = b.split_at(n);
        *b = t;
        Some(h)
    }
    let mut b = bytes;
    let count = u16::from_be_bytes(take(&mut b, 2)?.try_into().ok()?);
    let mut out = Vec::with_capacity(usize::from(count));
    for _ in 0..count {
        let n = u16::from_be_bytes(take(&mut b, 2)?.try_into().ok()?);
        let name = std::str::from_utf8(take(&mut b, usize::from(n))?).ok()?;
        let e = u32::from_be_bytes(take(&mut b, 4)?.try_into().ok()?);
        let env = take(&mut b, usize::try_from(e).ok()?)?;
        out.push((name, env));
    }
    b.is_empty().then_some(out)
}

fn header_bytes(prefix: &[u8], team: &TeamId, r: &RecordRow) -> Vec<u8> {
    let mut m = Vec::with_capacity(128 + r.payload.len());
    m.extend_from_slice(prefix);
    m.extend_from_slice(&team.0);
    m.extend_from_slice(&r.device.0);
    m.extend_from_slice(&r.seq.to_be_bytes());
    m.extend_from_slice(&r.hlc.0.to_be_bytes());
    m.push(r.kind.code());
    m.push(r.op.code());
    m.extend_from_slice(&r.entity.0);
    m.extend_from_slice(&r.client.0);
    match r.parent {
        Some(p) => {
            m.push(1);
            m.extend_from_slice(&p.0);
        }
        None => m.push(0),
    }
    m.extend_from_slice(&r.epoch.to_be_bytes());
    m
}

/// The associated data of a record's payload: its whole header (team, device, sequence,
/// timestamp, kind, op, entity, client, parent, epoch) and, from format 4, its format.
pub fn associated_data(team: &TeamId, r: &RecordRow) -> Vec<u8> {
    let mut m = header_bytes(b"teduh/record-aad/v2", team, r);
    if r.format >= FORMAT_SIV {
        m.push(r.format);
    }
    m
}

/// Seals `r`'s payload fields (`encoded`) under `key` as its format does: from format 4
/// AES-256-GCM-SIV with a nonce derived from the associated data
/// ([`crate::crypto::DataKey::seal_siv`], 16 B of overhead), before it AES-256-GCM with a random
/// nonce ([`crate::crypto::DataKey::seal_raw`], 28 B).
pub fn seal_payload(
    key: &crate::crypto::DataKey,
    team: &TeamId,
    r: &RecordRow,
    encoded: &[u8],
) -> Vec<u8> {
    let aad = associated_data(team, r);
    if r.format >= FORMAT_SIV {
        key.seal_siv(&aad, encoded)
    } else {
        key.seal_raw(&aad, encoded)
    }
}

/// Opens `r`'s sealed payload under `key` as its format seals it ([`seal_payload`]).
///
/// Fails when it was sealed under another key, altered, or bound to another header.
pub fn open_payload(
    key: &crate::crypto::DataKey,
    team: &TeamId,
    r: &RecordRow,
) -> Result<zeroize::Zeroizing<Vec<u8>>, teduh_protocol::envelope::EnvelopeError> {
    let aad = associated_data(team, r);
    if r.format >= FORMAT_SIV {
        key.open_siv(&aad, &r.payload)
    } else {
        key.open_raw(&aad, &r.payload)
    }
}

/// The bytes a device signs: the header and the sealed payload's SHA-256 (format 3, so a body
/// can be erased while its header still verifies), or the whole sealed payload (format 2).
pub fn signing_bytes(team: &TeamId, r: &RecordRow) -> Vec<u8> {
    if let Some(erased) = &r.erased {
        return signing_bytes_over(team, r, erased);
    }
    if r.format == FORMAT_CLEAR_HEADER {
        let mut m = header_bytes(b"teduh/record/v2", team, r);
        m.extend_from_slice(&(r.payload.len() as u64).to_be_bytes());
        m.extend_from_slice(&r.payload);
        return m;
    }
    signing_bytes_over(team, r, &body_digest(r))
}

/// What a record's signature covers of its body (format 3 and later): its length and SHA-256.
/// Kept in place of a body that is erased (UU PDP erasure), it still lets the record's header
/// verify, so the author's log stays gapless and checkable ([`verify_erased`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyDigest {
    /// The sealed body's length in bytes.
    pub len: u64,
    /// SHA-256 of the sealed body.
    pub sha256: [u8; 32],
}

/// The digest of `r`'s sealed body (the one kept in its place once erased).
pub fn body_digest(r: &RecordRow) -> BodyDigest {
    if let Some(erased) = r.erased {
        return erased;
    }
    BodyDigest {
        len: r.payload.len() as u64,
        sha256: <sha2::Sha256 as sha2::Digest>::digest(&r.payload).into(),
    }
}

fn signing_bytes_over(team: &TeamId, r: &RecordRow, body: &BodyDigest) -> Vec<u8> {
    let mut m = header_bytes(b"teduh/record/v3", team, r);
    m.push(r.format);
    m.extend_from_slice(&body.len.to_be_bytes());
    m.extend_from_slice(&body.sha256);
    m
}

/// Checks the signature of a record whose body was erased: `header` is the record with any
/// payload (ignored), `body` the digest kept in its place.
///
/// Fails with [`RecordError::BadSignature`] when it does not verify, and for a format-2
/// record, whose signature covers the body itself (it cannot be erased and still verify).
pub fn verify_erased(
    team: &TeamId,
    key: &VerifyingKey,
    header: &RecordRow,
    body: &BodyDigest,
) -> Result<(), RecordError> {
    let bad = || RecordError::BadSignature {
        device: hex(&header.device.0),
        seq: header.seq,
    };
    if header.format == FORMAT_CLEAR_HEADER {
        return Err(bad());
    }
    let sig: [u8; 64] = header.signature.as_slice().try_into().map_err(|_| bad())?;
    key.verify_strict(
        &signing_bytes_over(team, header, body),
        &Signature::from_bytes(&sig),
    )
    .map_err(|_| bad())
}

/// Signs a record in place.
pub fn sign(team: &TeamId, key: &SigningKey, r: &mut RecordRow) {
    r.signature = key.sign(&signing_bytes(team, r)).to_bytes().to_vec();
}

/// Checks a record's signature.
///
/// Fails with [`RecordError::BadSignature`] when it does not verify.
pub fn verify(team: &TeamId, key: &VerifyingKey, r: &RecordRow) -> Result<(), RecordError> {
    let bad = || RecordError::BadSignature {
        device: hex(&r.device.0),
        seq: r.seq,
    };
    let sig: [u8; 64] = r.signature.as_slice().try_into().map_err(|_| bad())?;
    key.verify_strict(&signing_bytes(team, r), &Signature::from_bytes(&sig))
        .map_err(|_| bad())
}

/// A record's malformation, named by its device and sequence.
pub(crate) fn malformed(device: &[u8], seq: u64, why: &str) -> RecordError {
    RecordError::Malformed {
        device: hex(device),
        seq,
        why: why.to_owned(),
    }
}

/// A sequence number as SQLite stores it.
pub(crate) fn seq_i64(seq: u64) -> i64 {
    i64::try_from(seq).unwrap_or(i64::MAX)
}

/// The pseudo-field [`apply`] receives with a client's data key when the record proved that its
/// device created the client (it is never stored as a field).
pub const CREATOR_PROVEN: &str = "\u{0}creator_proven";

#[cfg(test)]
mod tests;

#[cfg(test)]
mod signature_tests;
