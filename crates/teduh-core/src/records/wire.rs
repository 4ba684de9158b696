//! A record on the wire: what the server stores and serves.
//!
//! The server sees only the routing fields of [`teduh_protocol::sync::Record`] (team, device,
//! sequence, epoch, timestamp) and the length of an opaque body. Since format 4 the body is
//!
//! ```text
//! 0x44 (format 4) | sealed header (132 B) | sealed payload | zero padding
//! sealed header  = AES-256-GCM-SIV(kind|op|parent flag u8, entity 16, client 16,
//!                                  parent 16 (zeros when none), payload length u24,
//!                                  signature 64) | tag 16
//! sealed payload = AES-256-GCM-SIV(flag | fields) | tag 16   (under the client's record key)
//! ```
//!
//! Both nonces are derived from the associated data (which binds the routing fields) and never
//! sent ([`DataKey::seal_siv`]). Format 3 (still read) sealed the header with AES-256-GCM and a
//! synthetic nonce sent in front of it (144 B), and the payload with AES-256-GCM and a random
//! nonce (28 B of overhead): 24 bytes more per record.
//!
//! The header is sealed under a key derived from the team key of the record's epoch
//! ([`HeaderKey`]), with the routing fields as associated data, so the server learns neither
//! what a record is (kind, create or change, whether it has a parent), nor which client or
//! entity it concerns. The header has one size for every record and the payload's length is
//! inside it, so the padding after the payload (bringing the record to a Padmé length,
//! [`padme`]: at most about 12 % more) cannot be told from the payload: the server sees one size
//! class, nothing finer. The header's nonce is synthetic (a PRF of the header and its associated
//! data under a second derived key), so the same record always has the same wire form: a record
//! re-sent after a lost answer or a server restore is byte-identical, which the server's fork
//! check and the receivers' equivocation check rely on. (The device is routing: the server knows
//! which device, and so which member, wrote a record; sealing the signature only withholds a
//! proof of it the server could show others.)
//!
//! The signature covers the header and a hash of the payload (see [`super::signing_bytes`]),
//! not the payload itself, and the header's associated data does not include the payload: a body
//! can later be erased while its header still opens and verifies.
//!
//! An erased record (UU PDP erasure) travels as its tombstone
//! ([`teduh_protocol::tombstone`]): `0x7F`, its first byte and sealed header as first sent, and
//! its payload's SHA-256. The header still opens and the signature still verifies; the server
//! checks that a tombstone was made from the record it stores before replacing it.
//!
//! Format 2 (before encrypted headers: the first byte is the kind code, the header in clear) is
//! still read, so devices keep reading what older versions wrote. A body of a format or a kind
//! this build does not know is [`RecordError::NeedsNewerVersion`]: a receiver holds it, never
//! drops it, and applies it once updated.

use hkdf::Hkdf;
use sha2::Sha256;
use teduh_protocol::tombstone::{self, Tombstone};
use zeroize::Zeroizing;

use super::{malformed, Op, RecordError, RecordKind, RecordRow};
use crate::crypto::DataKey;
use crate::hlc::Hlc;
use crate::ids::{ClientId, DeviceId, EntityId, TeamId};

/// The format of records written before headers were sealed (header in clear on the wire;
/// the signature covers the whole payload).
pub const FORMAT_CLEAR_HEADER: u8 = 2;
/// Sealed header (AES-256-GCM, synthetic nonce sent with it), signature over the payload's
/// hash; payload under AES-256-GCM with a random nonce.
pub const FORMAT_SEALED_HEADER: u8 = 3;
/// Format 3 with header and payload sealed under AES-256-GCM-SIV, nonces derived from the
/// routing fields and not sent: 24 bytes less per record.
pub const FORMAT_SIV: u8 = 4;
/// The newest format this build reads (and the one it writes).
pub const CURRENT_FORMAT: u8 = FORMAT_SIV;

/// Bit of the kind byte that marks [`Op::Update`].
const UPDATE_BIT: u8 = 0x80;
/// Bit of the sealed header's kind byte that marks a parent (kind codes stay below 64).
const PARENT_BIT: u8 = 0x40;
/// A versioned body's first byte is `VERSIONED | format`: format-2 bodies start with a kind code
/// (1-63, or with the update bit 129-191), never in 64-127.
const VERSIONED: u8 = 0x40;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
const SIGNATURE_LEN: usize = 64;
/// The sealed header's plaintext: kind byte, entity, client, parent slot, payload length (u24),
/// signature.
const HEADER_PLAIN_LEN: usize = 1 + 16 + 16 + 16 + 3 + SIGNATURE_LEN;
/// The sealed header on the wire, in the current format.
pub const SEALED_HEADER_LEN: usize = HEADER_PLAIN_LEN + TAG_LEN;
/// The sealed header of a format-3 record (its nonce travels with it).
const SEALED_HEADER_LEN_V3: usize = NONCE_LEN + HEADER_PLAIN_LEN + TAG_LEN;

/// Seals a header's plaintext as `format` does (3: AES-256-GCM with the synthetic nonce in
/// front; 4: AES-256-GCM-SIV, nonce derived from the associated data). Callers pass a sealed
/// format (3 or 4): `to_wire` only seals those, `from_wire` refuses any other first.
fn seal_header(key: &HeaderKey, format: u8, aad: &[u8], plain: &[u8]) -> Vec<u8> {
    match format {
        FORMAT_SEALED_HEADER => key
            .seal
            .seal_raw_with_nonce(key.nonce_for(aad, plain), aad, plain),
        _ => key.seal.seal_siv(aad, plain),
    }
}

/// Opens [`seal_header`]; fails for a format that has no sealed header.
fn open_header(
    key: &HeaderKey,
    format: u8,
    aad: &[u8],
    sealed: &[u8],
) -> Result<Zeroizing<Vec<u8>>, teduh_protocol::envelope::EnvelopeError> {
    match format {
        FORMAT_SEALED_HEADER => key.seal.open_raw(aad, sealed),
        FORMAT_SIV => key.seal.open_siv(aad, sealed),
        _ => Err(teduh_protocol::envelope::EnvelopeError::Integrity),
    }
}

/// The sealed header's length on the wire in `format` (3 or later).
fn sealed_header_len(format: u8) -> usize {
    if format == FORMAT_SEALED_HEADER {
        SEALED_HEADER_LEN_V3
    } else {
        SEALED_HEADER_LEN
    }
}
/// Largest payload a format-3 record carries (the u24 length).
const MAX_PAYLOAD: usize = (1 << 24) - 1;

/// The keys that seal record headers of one team-key epoch, derived from that epoch's team
/// key (every member holding the epoch derives the same).
pub struct HeaderKey {
    seal: DataKey,
    nonce: Zeroizing<[u8; 32]>,
}

impl HeaderKey {
    /// The header keys of `team`'s epoch whose team key is `team_key`.
    pub fn derive(team: &TeamId, team_key: &DataKey) -> Self {
        let seal = crate::crypto::derive_key(team_key.bytes(), &team.0, b"teduh/record-header/v3");
        let prf =
            crate::crypto::derive_key(team_key.bytes(), &team.0, b"teduh/record-header-nonce/v3");
        Self {
            seal,
            nonce: Zeroizing::new(*prf.bytes()),
        }
    }

    /// The synthetic nonce of a header: HMAC-SHA256 (HKDF's extract step) of the associated
    /// data and the plaintext, keyed by the nonce key, cut to 12 bytes.
    fn nonce_for(&self, aad: &[u8], plain: &[u8]) -> [u8; NONCE_LEN] {
        let mut input = Zeroizing::new(Vec::with_capacity(aad.len() + plain.len() + 8));
        input.extend_from_slice(&(aad.len() as u64).to_be_bytes());
        input.extend_from_slice(aad);
        input.extend_from_slice(plain);
        let (prk, _) = Hkdf::<Sha256>::extract(Some(self.nonce.as_ref()), &input);
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&prk[..NONCE_LEN]);
        nonce
    }
}

/// Padmé padding (Nikitin et al., "Reducing metadata leakage from encrypted files and
/// communication with PURBs", 2019): rounds `len` up so that only its top
/// `floor(log2(floor(log2 len))) + 1` bits vary, at most about 12 % more.
pub fn padme(len: u64) -> u64 {
    if len < 2 {
        return len;
    }
    let e = u64::from(63 - len.leading_zeros());
    let s = u64::from(64 - e.leading_zeros());
    let zero_bits = e - s;
    let mask = (1u64 << zero_bits) - 1;
    (len + mask) & !mask
}

fn header_aad(team: &TeamId, r: &RecordRow) -> Vec<u8> {
    let mut m = Vec::with_capacity(80);
    m.extend_from_slice(b"teduh/record-header/v3");
    m.extend_from_slice(&team.0);
    m.extend_from_slice(&r.device.0);
    m.extend_from_slice(&r.seq.to_be_bytes());
    m.extend_from_slice(&r.epoch.to_be_bytes());
    m.extend_from_slice(&r.hlc.0.to_be_bytes());
    // From format 4 the format is bound too (format 3 predates it and keeps its bytes).
    if r.format >= FORMAT_SIV {
        m.push(r.format);
    }
    m
}

fn kind_op_byte(r: &RecordRow) -> u8 {
    r.kind.code() | if r.op == Op::Update { UPDATE_BIT } else { 0 }
}

fn push_ids(out: &mut Vec<u8>, r: &RecordRow) {
    out.extend_from_slice(&r.entity.0);
    out.extend_from_slice(&r.client.0);
    match r.parent {
        Some(p) => {
            out.push(1);
            out.extend_from_slice(&p.0);
        }
        None => out.push(0),
    }
}

impl RecordRow {
    /// The record as the server stores it (see the module documentation), its header sealed
    /// under `key` (the header key of the record's epoch). A format-2 record keeps its clear
    /// header: its signature covers the bytes it was first sent as. `None` when the device has
    /// no server number (it has not joined a team).
    pub fn to_wire(&self, team: &TeamId, key: &HeaderKey) -> Option<teduh_protocol::sync::Record> {
        let device_id = self.device.server_number()?;
        let payload = if self.format == FORMAT_CLEAR_HEADER {
            self.clear_header_body()
        } else {
            self.sealed_header_body(team, key)
        };
        Some(teduh_protocol::sync::Record {
            device_id,
            device_seq: self.seq,
            key_epoch: self.epoch,
            hlc: self.hlc.0,
            payload,
        })
    }

    /// The bytes [`RecordRow::to_wire`] takes in a page, known without sealing anything (so a
    /// page is cut before its records are sealed).
    pub fn wire_len(&self) -> usize {
        let routing = teduh_protocol::sync::RECORD_HEADER_LEN;
        if self.format == FORMAT_CLEAR_HEADER {
            let parent = if self.parent.is_some() { 16 } else { 0 };
            return routing + 1 + 32 + 1 + parent + self.signature.len() + self.payload.len();
        }
        if self.erased.is_some() {
            return routing + 2 + sealed_header_len(self.format) + tombstone::DIGEST_LEN;
        }
        let unpadded = routing + 1 + sealed_header_len(self.format) + self.payload.len();
        usize::try_from(padme(unpadded as u64)).unwrap_or(unpadded)
    }

    fn clear_header_body(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(98 + 16 + self.payload.len());
        body.push(kind_op_byte(self));
        push_ids(&mut body, self);
        body.extend_from_slice(&self.signature);
        body.extend_from_slice(&self.payload);
        body
    }

    /// The record's sealed header, holding the length of its body (the erased body's, once
    /// erased: the same bytes as before, so its tombstone carries the header it was sent with).
    fn sealed_header(&self, team: &TeamId, key: &HeaderKey) -> Vec<u8> {
        let mut plain = Zeroizing::new(Vec::with_capacity(HEADER_PLAIN_LEN));
        plain.push(kind_op_byte(self) | if self.parent.is_some() { PARENT_BIT } else { 0 });
        plain.extend_from_slice(&self.entity.0);
        plain.extend_from_slice(&self.client.0);
        plain.extend_from_slice(&self.parent.map_or([0; 16], |p| p.0));
        // Payloads are bounded far below 16 MiB (the fields' limit is 4 MiB).
        let body_len = self.erased.map_or(self.payload.len() as u64, |d| d.len);
        let len = u32::try_from(body_len.min(MAX_PAYLOAD as u64)).unwrap_or(0);
        plain.extend_from_slice(&len.to_be_bytes()[1..]);
        plain.extend_from_slice(&self.signature);
        let aad = header_aad(team, self);
        seal_header(key, self.format, &aad, &plain)
    }

    fn sealed_header_body(&self, team: &TeamId, key: &HeaderKey) -> Vec<u8> {
        let sealed = self.sealed_header(team, key);
        if let Some(erased) = &self.erased {
            let mut prefix = Vec::with_capacity(1 + sealed.len());
            prefix.push(VERSIONED | self.format);
            prefix.extend_from_slice(&sealed);
            return Tombstone::encode(&prefix, &erased.sha256);
        }
        let unpadded =
            teduh_protocol::sync::RECORD_HEADER_LEN + 1 + sealed.len() + self.payload.len();
        let target = usize::try_from(padme(unpadded as u64)).unwrap_or(unpadded);
        let mut body = Vec::with_capacity(target - teduh_protocol::sync::RECORD_HEADER_LEN);
        body.push(VERSIONED | self.format);
        body.extend_from_slice(&sealed);
        body.extend_from_slice(&self.payload);
        body.resize(target - teduh_protocol::sync::RECORD_HEADER_LEN, 0);
        body
    }

    /// Parses [`RecordRow::to_wire`] (signature not checked here); `key` is the header key of
    /// the record's epoch, if this device holds that epoch.
    ///
    /// Fails with [`RecordError::Malformed`] when the body is cut short, its header does not
    /// open or its padding is not zeros, [`RecordError::MissingHeaderKey`] when the header is
    /// sealed and `key` is `None`, and [`RecordError::NeedsNewerVersion`] for a format or kind
    /// this build does not know.
    pub fn from_wire(
        w: &teduh_protocol::sync::Record,
        team: &TeamId,
        key: Option<&HeaderKey>,
    ) -> Result<Self, RecordError> {
        let device = DeviceId::from_server(w.device_id);
        let mut row = RecordRow {
            device,
            seq: w.device_seq,
            hlc: Hlc(w.hlc),
            kind: RecordKind::Client,
            op: Op::Create,
            entity: EntityId([0; 16]),
            client: ClientId([0; 16]),
            parent: None,
            epoch: w.key_epoch,
            format: FORMAT_CLEAR_HEADER,
            payload: Vec::new(),
            signature: Vec::new(),
            erased: None,
        };
        let body = w.payload.as_slice();
        let Some((&first, rest)) = body.split_first() else {
            return Err(malformed(&device.0, w.device_seq, "empty body"));
        };
        if first & 0xc0 != VERSIONED {
            // Format 2: the header in clear.
            let at = row.read_header(body)?;
            row.payload = body[at..].to_vec();
            return Ok(row);
        }
        let bad = |why: &str| malformed(&device.0, w.device_seq, why);
        // An erased record: its first byte and sealed header as sent, and its payload's digest.
        let (first, rest, erased) = if first == tombstone::TOMBSTONE {
            let t = Tombstone::parse(body).ok_or_else(|| bad("tombstone"))?;
            let (&first, header) = t.prefix.split_first().ok_or_else(|| bad("tombstone"))?;
            (first, header, Some(t.sha256))
        } else {
            (first, rest, None)
        };
        let format = first & !VERSIONED;
        if format != FORMAT_SEALED_HEADER && format != FORMAT_SIV {
            return Err(RecordError::NeedsNewerVersion {
                device: crate::ids::hex(&device.0),
                seq: w.device_seq,
                what: format!("record format {format}"),
            });
        }
        row.format = format;
        let header_len = sealed_header_len(format);
        let sealed = rest.get(..header_len).ok_or_else(|| bad("truncated"))?;
        let key = key.ok_or(RecordError::MissingHeaderKey {
            device: crate::ids::hex(&device.0),
            seq: w.device_seq,
            epoch: w.key_epoch,
        })?;
        let len = row.open_sealed_header(team, key, sealed)?;
        if let Some(sha256) = erased {
            row.erased = Some(super::BodyDigest {
                len: len as u64,
                sha256,
            });
            return Ok(row);
        }
        let after = &rest[header_len..];
        let payload = after.get(..len).ok_or_else(|| bad("truncated"))?;
        if after[len..].iter().any(|&b| b != 0) {
            return Err(bad("padding"));
        }
        row.payload = payload.to_vec();
        Ok(row)
    }

    /// Opens a sealed header into this row (its routing fields and format already set);
    /// returns the payload length it holds.
    fn open_sealed_header(
        &mut self,
        team: &TeamId,
        key: &HeaderKey,
        sealed: &[u8],
    ) -> Result<usize, RecordError> {
        let (device, seq) = (self.device, self.seq);
        let bad = |why: &str| malformed(&device.0, seq, why);
        let aad = header_aad(team, self);
        let plain = open_header(key, self.format, &aad, sealed)
            .map_err(|_| bad("the header does not open (damaged or forged)"))?;
        let flags = plain[0];
        let mut kind_op = plain[..1].to_vec();
        kind_op[0] &= !PARENT_BIT;
        let mut clear = Zeroizing::new(Vec::with_capacity(HEADER_PLAIN_LEN));
        clear.extend_from_slice(&kind_op);
        clear.extend_from_slice(&plain[1..33]);
        if flags & PARENT_BIT != 0 {
            clear.push(1);
            clear.extend_from_slice(&plain[33..49]);
        } else {
            if plain[33..49].iter().any(|&b| b != 0) {
                return Err(bad("parent slot"));
            }
            clear.push(0);
        }
        clear.extend_from_slice(&plain[52..]);
        let at = self.read_header(&clear)?;
        if at != clear.len() {
            return Err(bad("header length"));
        }
        let mut len = [0u8; 4];
        len[1..].copy_from_slice(&plain[49..52]);
        usize::try_from(u32::from_be_bytes(len)).map_err(|_| bad("payload length"))
    }

    /// Reads `kind|op, entity, client, parent, signature` from the start of `bytes` into this
    /// row; returns where they end.
    fn read_header(&mut self, bytes: &[u8]) -> Result<usize, RecordError> {
        let bad = |why: &str| malformed(&self.device.0, self.seq, why);
        let mut at = 0usize;
        let mut take = |n: usize| -> Result<&[u8], RecordError> {
            let part = bytes.get(at..at + n).ok_or_else(|| bad("truncated"))?;
            at += n;
            Ok(part)
        };
        let kind_op = take(1)?[0];
        let code = kind_op & !UPDATE_BIT;
        let kind = RecordKind::from_code(code).ok_or_else(|| RecordError::NeedsNewerVersion {
            device: crate::ids::hex(&self.device.0),
            seq: self.seq,
            what: format!("record kind {code}"),
        })?;
        let id = |s: &[u8]| -> [u8; 16] {
            let mut a = [0u8; 16];
            a.copy_from_slice(s);
            a
        };
        let entity = EntityId(id(take(16)?));
        let client = ClientId(id(take(16)?));
        let parent = match take(1)?[0] {
            0 => None,
            1 => Some(EntityId(id(take(16)?))),
            _ => return Err(bad("parent flag")),
        };
        let signature = take(SIGNATURE_LEN)?.to_vec();
        self.kind = kind;
        self.op = if kind_op & UPDATE_BIT != 0 {
            Op::Update
        } else {
            Op::Create
        };
        self.entity = entity;
        self.client = client;
        self.parent = parent;
        self.signature = signature;
        Ok(at)
    }
}

/// A record of a kind this build does not know, as a newer build would write it (for the tests
/// of [`RecordError::NeedsNewerVersion`]): `row`'s wire form with its kind code replaced by
/// `code` (below 64), re-signed by `signing`.
#[cfg(feature = "forge")]
pub fn forge_future_kind(
    team: &TeamId,
    key: &HeaderKey,
    signing: &ed25519_dalek::SigningKey,
    row: &RecordRow,
    code: u8,
) -> Option<teduh_protocol::sync::Record> {
    use ed25519_dalek::Signer;
    let mut header = super::signing_bytes(team, row);
    // The kind byte sits after prefix, team, device, seq and hlc (see `header_bytes`).
    let at = b"teduh/record/v3".len() + 16 + 16 + 8 + 8;
    header[at] = code;
    let mut forged = row.clone();
    forged.signature = signing.sign(&header).to_bytes().to_vec();
    let mut w = forged.to_wire(team, key)?;
    // Re-seal the header with the future code in its kind byte.
    let aad = header_aad(team, row);
    let header = 1..=sealed_header_len(row.format);
    let mut plain = open_header(key, row.format, &aad, &w.payload[header.clone()]).ok()?;
    plain[0] = (plain[0] & (UPDATE_BIT | PARENT_BIT)) | code;
    let sealed = seal_header(key, row.format, &aad, &plain);
    w.payload[header].copy_from_slice(&sealed);
    Some(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padme_adds_at_most_twelve_percent_and_leaves_few_sizes() {
        for len in [2u64, 100, 190, 255, 256, 700, 1000, 4096, 70_000, 4_000_000] {
            let p = padme(len);
            assert!(p >= len, "{len}");
            assert!((p - len) * 100 <= len * 12, "{len} -> {p}");
        }
        assert_eq!(padme(700), 704);
        assert_eq!(padme(1000), 1024);
        let sizes: std::collections::BTreeSet<u64> = (1024..2048).map(padme).collect();
        assert!(sizes.len() <= 17, "{} size classes", sizes.len());
    }

    fn row(payload_len: usize, parent: bool) -> RecordRow {
        RecordRow {
            device: DeviceId::from_server(7),
            seq: 3,
            hlc: Hlc(1 << 20),
            kind: if parent {
                RecordKind::Addendum
            } else {
                RecordKind::Note
            },
            op: Op::Create,
            entity: EntityId([1; 16]),
            client: ClientId([2; 16]),
            parent: parent.then_some(EntityId([3; 16])),
            epoch: 1,
            format: CURRENT_FORMAT,
            payload: vec![0xa5; payload_len],
            signature: vec![9; 64],
            erased: None,
        }
    }

    #[test]
    fn the_server_sees_one_size_per_padme_class_whatever_the_payload_or_parent() {
        let team = TeamId([4; 16]);
        let key = HeaderKey::derive(&team, &DataKey::generate());
        let mut by_size: std::collections::BTreeMap<usize, Vec<(usize, bool)>> = Default::default();
        for len in 0..1200 {
            for parent in [false, true] {
                let r = row(len, parent);
                let w = r.to_wire(&team, &key).expect("joined");
                assert_eq!(
                    RecordRow::from_wire(&w, &team, Some(&key)).expect("reads back"),
                    r,
                    "{len} {parent}"
                );
                assert_eq!(w.payload[0], 0x44, "only the format byte is in clear");
                assert_eq!(r.wire_len(), w.encoded_len());
                assert_eq!(w.encoded_len() as u64, padme(w.encoded_len() as u64));
                by_size
                    .entry(w.payload.len())
                    .or_default()
                    .push((len, parent));
            }
        }
        // Payloads of the same Padmé class, with or without a parent, look the same.
        assert!(
            by_size.len() < 60,
            "{} sizes for 2,400 records",
            by_size.len()
        );
        assert!(by_size
            .values()
            .any(|v| v.iter().any(|x| x.1) && v.iter().any(|x| !x.1)));
    }

    #[test]
    fn format_3_records_still_read_and_format_4_is_24_bytes_shorter_before_padding() {
        let team = TeamId([4; 16]);
        let key = HeaderKey::derive(&team, &DataKey::generate());
        let mut v3 = row(100, true);
        v3.format = FORMAT_SEALED_HEADER;
        let w3 = v3.to_wire(&team, &key).expect("joined");
        assert_eq!(w3.payload[0], 0x43);
        assert_eq!(
            RecordRow::from_wire(&w3, &team, Some(&key)).expect("reads"),
            v3
        );
        assert_eq!(
            SEALED_HEADER_LEN_V3 - SEALED_HEADER_LEN,
            12,
            "the header's nonce"
        );
        // The same record always has the same wire form, in either format.
        assert_eq!(v3.to_wire(&team, &key), Some(w3));
        let v4 = row(100, true);
        assert_eq!(v4.to_wire(&team, &key), v4.to_wire(&team, &key));
        // A format-4 header does not open as format 3, nor the other way round.
        let mut relabelled = v4.to_wire(&team, &key).expect("joined");
        relabelled.payload[0] = 0x43;
        assert!(RecordRow::from_wire(&relabelled, &team, Some(&key)).is_err());
    }

    /// Stored records must open under every later build: the exact bytes of each sealed
    /// format under fixed keys are pinned here, so a changed label, nonce or associated data
    /// fails this test instead of every device's history.
    #[test]
    fn the_bytes_of_formats_3_and_4_are_pinned() {
        use sha2::Digest;
        let team = TeamId([4; 16]);
        let team_key = DataKey::from_parts(crate::ids::KeyId([5; 16]), Zeroizing::new([6; 32]));
        let key = HeaderKey::derive(&team, &team_key);
        let mut r = row(100, true);
        for (format, golden) in [
            (FORMAT_SEALED_HEADER, GOLDEN_WIRE_V3),
            (FORMAT_SIV, GOLDEN_WIRE_V4),
        ] {
            r.format = format;
            let w = r.to_wire(&team, &key).expect("joined");
            assert_eq!(
                crate::ids::hex(&sha2::Sha256::digest(&w.payload)),
                golden,
                "format {format}"
            );
        }
        let record_key = DataKey::from_parts(crate::ids::KeyId([7; 16]), Zeroizing::new([8; 32]));
        r.format = FORMAT_SIV;
        let sealed = super::super::seal_payload(&record_key, &team, &r, b"fields");
        assert_eq!(crate::ids::hex(&sealed), GOLDEN_PAYLOAD_V4);
        // Format 3 payloads had a random nonce: one sealed by that build must still open.
        r.format = FORMAT_SEALED_HEADER;
        r.payload = (0..GOLDEN_PAYLOAD_V3.len() / 2)
            .map(|i| u8::from_str_radix(&GOLDEN_PAYLOAD_V3[2 * i..2 * i + 2], 16).expect("hex"))
            .collect();
        assert_eq!(
            super::super::open_payload(&record_key, &team, &r)
                .expect("a format-3 payload opens")
                .as_slice(),
            b"fields"
        );
    }

    const GOLDEN_WIRE_V3: &str = "aacc72745acc4ce3905d052ead2b509f3b2fa8cb6cf2a857f4eea4f519b182b5";
    const GOLDEN_WIRE_V4: &str = "441d24455553eb59541412eb780965349246b0c6d019fd665f285413d4ac6d34";
    const GOLDEN_PAYLOAD_V4: &str = "cc3550e03bf7c51156f4c2fac9d498aa3f4dfebc22c7";
    const GOLDEN_PAYLOAD_V3: &str =
        "0d8d223f8028f5e184b893082758cc0f07adfb7f070b307c0033baeb6c975032de95";

    #[test]
    fn a_body_with_a_cut_payload_or_stray_padding_is_malformed_not_misread() {
        let team = TeamId([4; 16]);
        let key = HeaderKey::derive(&team, &DataKey::generate());
        let w = row(300, false).to_wire(&team, &key).expect("joined");
        let mut cut = w.clone();
        cut.payload.truncate(1 + SEALED_HEADER_LEN + 299);
        assert!(matches!(
            RecordRow::from_wire(&cut, &team, Some(&key)),
            Err(RecordError::Malformed { .. })
        ));
        let mut stray = w.clone();
        *stray.payload.last_mut().expect("padded") = 1;
        assert!(matches!(
            RecordRow::from_wire(&stray, &team, Some(&key)),
            Err(RecordError::Malformed { .. })
        ));
        assert!(matches!(
            RecordRow::from_wire(&w, &team, None),
            Err(RecordError::MissingHeaderKey { epoch: 1, .. })
        ));
    }

    #[test]
    fn an_erased_record_travels_as_its_tombstone_which_the_server_can_match() {
        let team = TeamId([4; 16]);
        let key = HeaderKey::derive(&team, &DataKey::generate());
        for format in [FORMAT_SEALED_HEADER, FORMAT_SIV] {
            let mut full = row(300, true);
            full.format = format;
            let sent = full.to_wire(&team, &key).expect("joined");
            let mut erased = full.clone();
            erased.erased = Some(super::super::body_digest(&full));
            erased.payload.clear();
            let tomb = erased.to_wire(&team, &key).expect("joined");
            assert_eq!(erased.wire_len(), tomb.encoded_len());
            assert_eq!(
                tomb.payload.len(),
                1 + tombstone::sealed_prefix_len(0x40 | format).expect("sealed") + 32,
                "the protocol's header lengths are the core's (format {format})"
            );
            // Nothing of the payload is in it; the header is the one first sent.
            assert!(!tomb.payload.windows(16).any(|w| w == [0xa5; 16]));
            assert!(teduh_protocol::tombstone::erases(
                &sent.payload,
                &tomb.payload
            ));
            // Read back, it is the erased record, whose signature covers the same bytes.
            let back = RecordRow::from_wire(&tomb, &team, Some(&key)).expect("reads");
            assert_eq!(back, erased);
            assert_eq!(
                super::super::signing_bytes(&team, &back),
                super::super::signing_bytes(&team, &full)
            );
            // A damaged tombstone is malformed, not a record with another digest.
            let mut cut = tomb.clone();
            cut.payload.pop();
            assert!(matches!(
                RecordRow::from_wire(&cut, &team, Some(&key)),
                Err(RecordError::Malformed { .. })
            ));
        }
    }
}
