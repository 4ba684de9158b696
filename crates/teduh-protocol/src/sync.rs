//! The sync protocol between a device and the server: the binary record pages and the JSON
//! control bodies.
//!
//! Record pages travel as `application/octet-stream` in a compact length-prefixed encoding
//! (all integers big-endian), so an encrypted payload is never inflated by base64:
//!
//! ```text
//! Record     = device_id u64 | device_seq u64 | key_epoch u32 | hlc u64 | len u32 | payload[len]
//! PushPage   = "TDP1" | count u32 | Record * count
//! PullPage   = "TDL1" | next_cursor u64 | more u8 | count u32 | (team_seq u64 | Record) * count
//! ```
//!
//! Main types: [`Record`], [`PushPage`], [`PullPage`], the decoding error [`DecodeError`], the
//! control bodies ([`Limits`], [`RegisterRequest`], [`Session`], [`PushAck`], ...) and the
//! [`Role`] of a member. Small key blobs inside JSON bodies (public keys, wrapped keys, key
//! envelopes) are standard padded base64 ([`b64`]).

use serde::{Deserialize, Serialize};

/// Magic prefix of a push page.
pub const PUSH_MAGIC: &[u8; 4] = b"TDP1";
/// Magic prefix of a pull page.
pub const PULL_MAGIC: &[u8; 4] = b"TDL1";
/// Bytes of a record's fixed header (everything but the payload).
pub const RECORD_HEADER_LEN: usize = 8 + 8 + 4 + 8 + 4;
/// Content type of record pages.
pub const OCTET_STREAM: &str = "application/octet-stream";

/// One record of a device's append-only log, as the server sees it: routing fields in clear, the
/// content an opaque (encrypted, signed) payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The author device (server-assigned at login).
    pub device_id: u64,
    /// Position in the device's own log, starting at 1, gapless.
    pub device_seq: u64,
    /// Team-key epoch the payload is encrypted under.
    pub key_epoch: u32,
    /// Hybrid logical clock: milliseconds since the Unix epoch in the high 48 bits, a logical
    /// counter in the low 16 bits (see [`hlc_millis`]).
    pub hlc: u64,
    /// The encrypted record.
    pub payload: Vec<u8>,
}

impl Record {
    /// Bytes this record takes in a page.
    pub fn encoded_len(&self) -> usize {
        RECORD_HEADER_LEN + self.payload.len()
    }

    fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.device_id.to_be_bytes());
        out.extend_from_slice(&self.device_seq.to_be_bytes());
        out.extend_from_slice(&self.key_epoch.to_be_bytes());
        out.extend_from_slice(&self.hlc.to_be_bytes());
        // Payloads are bounded far below 4 GiB by the server's limits.
        out.extend_from_slice(&(self.payload.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.payload);
    }

    fn decode_from(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let device_id = r.u64()?;
        let device_seq = r.u64()?;
        let key_epoch = r.u32()?;
        let hlc = r.u64()?;
        let len = r.u32()? as usize;
        let payload = r.bytes(len)?.to_vec();
        Ok(Record {
            device_id,
            device_seq,
            key_epoch,
            hlc,
            payload,
        })
    }
}

/// The physical part of an HLC timestamp, in milliseconds since the Unix epoch.
pub fn hlc_millis(hlc: u64) -> u64 {
    hlc >> 16
}

/// An HLC timestamp from milliseconds and a logical counter.
pub fn hlc_from_millis(millis: u64, logical: u16) -> u64 {
    (millis << 16) | u64::from(logical)
}

/// Why a page could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The page does not start with the expected magic bytes.
    BadMagic,
    /// The page ends in the middle of a field.
    Truncated,
    /// Bytes follow the last record.
    TrailingBytes,
    /// The record count is larger than the page could possibly hold.
    BadCount,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DecodeError::BadMagic => "the page does not start with the expected magic bytes",
            DecodeError::Truncated => "the page ends in the middle of a record",
            DecodeError::TrailingBytes => "unexpected bytes after the last record",
            DecodeError::BadCount => "the record count does not fit the page",
        })
    }
}

impl std::error::Error for DecodeError {}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if self.buf.len() < n {
            return Err(DecodeError::Truncated);
        }
        let (head, tail) = self.buf.split_at(n);
        self.buf = tail;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }
    fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.array::<1>()?[0])
    }
    fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }
    fn u64(&mut self) -> Result<u64, DecodeError> {
        Ok(u64::from_be_bytes(self.array()?))
    }
    fn finish(&self) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}

/// A page of records a device uploads (`POST /v1/teams/{team}/records`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PushPage {
    /// The records, in the device's log order.
    pub records: Vec<Record>,
}

impl PushPage {
    /// The binary encoding.
    pub fn encode(&self) -> Vec<u8> {
        let len = 8 + self.records.iter().map(Record::encoded_len).sum::<usize>();
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(PUSH_MAGIC);
        out.extend_from_slice(&(self.records.len() as u32).to_be_bytes());
        for r in &self.records {
            r.encode_into(&mut out);
        }
        out
    }

    /// Decodes a page. Fails on a wrong magic, a truncated page, a count that cannot fit, or
    /// trailing bytes.
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader { buf };
        if &r.array::<4>()? != PUSH_MAGIC {
            return Err(DecodeError::BadMagic);
        }
        let count = r.u32()? as usize;
        if count > r.buf.len() / RECORD_HEADER_LEN {
            return Err(DecodeError::BadCount);
        }
        let mut records = Vec::with_capacity(count);
        for _ in 0..count {
            records.push(Record::decode_from(&mut r)?);
        }
        r.finish()?;
        Ok(PushPage { records })
    }
}

/// A record as served to readers, with its position in the team's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRecord {
    /// The server-assigned team sequence (the pull cursor after this record).
    pub team_seq: u64,
    /// The record.
    pub record: Record,
}

/// A page of records a device downloads (`GET /v1/teams/{team}/records?after=...`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PullPage {
    /// The cursor to ask with next time (the last record's `team_seq`, or the request's cursor
    /// when the page is empty).
    pub next_cursor: u64,
    /// Whether more records were already available when this page was cut.
    pub more: bool,
    /// The records in team-sequence order.
    pub records: Vec<TeamRecord>,
}

impl PullPage {
    /// The binary encoding.
    pub fn encode(&self) -> Vec<u8> {
        let len = 17
            + self
                .records
                .iter()
                .map(|r| 8 + r.record.encoded_len())
                .sum::<usize>();
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(PULL_MAGIC);
        out.extend_from_slice(&self.next_cursor.to_be_bytes());
        out.push(u8::from(self.more));
        out.extend_from_slice(&(self.records.len() as u32).to_be_bytes());
        for r in &self.records {
            out.extend_from_slice(&r.team_seq.to_be_bytes());
            r.record.encode_into(&mut out);
        }
        out
    }

    /// Decodes a page. Fails like [`PushPage::decode`].
    pub fn decode(buf: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader { buf };
        if &r.array::<4>()? != PULL_MAGIC {
            return Err(DecodeError::BadMagic);
        }
        let next_cursor = r.u64()?;
        let more = r.u8()? != 0;
        let count = r.u32()? as usize;
        if count > r.buf.len() / (8 + RECORD_HEADER_LEN) {
            return Err(DecodeError::BadCount);
        }
        let mut records = Vec::with_capacity(count);
        for _ in 0..count {
            let team_seq = r.u64()?;
            let record = Record::decode_from(&mut r)?;
            records.push(TeamRecord { team_seq, record });
        }
        r.finish()?;
        Ok(PullPage {
            next_cursor,
            more,
            records,
        })
    }
}

/// A member's role in her team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A counselor (konselor).
    Counselor,
    /// An outreach worker (pendamping lapangan).
    Outreach,
    /// A supervisor: signs off reviews, manages the team's keys.
    Supervisor,
    /// A team administrator: signs the roster, manages the team's keys.
    Admin,
}

impl Role {
    /// The stable lowercase name (`"counselor"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Counselor => "counselor",
            Role::Outreach => "outreach",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// Parses the lowercase name. Fails (None) on anything else.
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "counselor" => Some(Role::Counselor),
            "outreach" => Some(Role::Outreach),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Whether this role may publish the roster and new team-key epochs.
    pub fn manages_keys(self) -> bool {
        matches!(self, Role::Supervisor | Role::Admin)
    }
}

/// Body of `GET /v1/limits`: what the server accepts, so clients size their pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest push page body, in bytes.
    pub max_push_bytes: u64,
    /// Largest single record payload, in bytes.
    pub max_record_bytes: u64,
    /// Most records in one push page.
    pub max_push_records: u64,
    /// Largest pull page the server will cut (the `budget` query parameter is clamped to it).
    pub max_pull_bytes: u64,
    /// Largest JSON control body, in bytes.
    pub max_json_bytes: u64,
    /// How far ahead of the server's clock a record's HLC may be, in milliseconds.
    pub max_clock_skew_ms: u64,
}

/// Body of `POST /v1/register`: joins a team with a single-use invitation, as a new member or,
/// with an invitation made for an existing member, as a further device of hers. Nothing in it
/// derives from the passphrase: the passphrase never leaves the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// The invitation code.
    pub invitation: String,
    /// Login name, unique on this server (1-64 characters); for a device invitation, the name
    /// of the member it was made for.
    pub username: String,
    /// This device's own public keys (X25519 + Ed25519, 64 bytes), opaque to the server,
    /// base64. Each device has its own; a key manager admits them into the signed roster.
    #[serde(with = "b64")]
    pub public_keys: Vec<u8>,
    /// A name for this device, shown in device lists (1-100 characters).
    pub device_name: String,
    /// A device coming back to a server restored from a backup that lost it: the member and
    /// device ids it had (its records and the team's signed roster carry them). Taken only
    /// when no one holds them; absent for a new device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reclaim: Option<Reclaim>,
    /// With an invitation a key manager's device made: the joiner's proof that she holds its
    /// secret, bound to her username, role, team and this device's keys, opaque to the server
    /// (base64, at most 512 bytes). The key manager's device checks it and admits the device.
    #[serde(default, with = "b64_opt", skip_serializing_if = "Option::is_none")]
    pub proof: Option<Vec<u8>>,
    /// The anchor of this device's refresh chain ([`refresh`]), 64 hex digits: with it the
    /// device renews its access token (`POST /v1/token`). Absent from an app older than
    /// rotating tokens, whose access token then simply expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_anchor: Option<String>,
}

/// Body of `POST /v1/teams/{team}/invitations` (key managers only): an invitation made on the
/// key manager's device. The server sees an id derived from the invitation's secret and a
/// package encrypted under another key derived from it; it cannot read the package or make a
/// proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TeamInvitation {
    /// The invitation id (32 hex digits): what the joiner registers with.
    pub id: String,
    /// The role the account gets at the server (the signed roster decides).
    pub role: Role,
    /// The encrypted package, base64, 1-8192 bytes.
    #[serde(with = "b64")]
    pub package: Vec<u8>,
    /// Unix seconds after which it is refused: at most 72 hours ahead.
    pub expires_at: i64,
}

/// Reply of `GET /v1/invitations/{id}`: what a joiner fetches with her code before she sets her
/// passphrase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPackage {
    /// The team it joins.
    pub team_id: u64,
    /// The role the server gives the account.
    pub role: Role,
    /// The encrypted package, base64.
    #[serde(with = "b64")]
    pub package: Vec<u8>,
    /// Unix seconds of expiry.
    pub expires_at: i64,
}

/// Reply of `GET /v1/teams/{team}/info`: the names a key manager's device puts in an
/// invitation (labels the server chose; nothing is trusted by them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamInfo {
    /// The team's id.
    pub team_id: u64,
    /// The team's name.
    pub name: String,
    /// The organisation's name.
    pub organisation: String,
}

/// The ids a device had on a server that lost them (restored from a backup), asked back so that
/// its records, signed under them, stay its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reclaim {
    /// The member's id.
    pub member_id: u64,
    /// The device's id.
    pub device_id: u64,
}

/// Reply of `POST /v1/devices/invitations`: a single-use code with which the caller's member
/// adds a further device of her own (it joins with fresh keys and waits to be admitted).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInvitation {
    /// The code (shown once; the server keeps only its hash).
    pub code: String,
    /// Unix seconds after which it no longer works.
    pub expires_at: i64,
}

/// Reply of `POST /v1/register`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The access token of this device (`Authorization: Bearer <token>`), good for
    /// `expires_in` seconds. Shown once; the server keeps only its hash.
    pub token: String,
    /// Seconds the access token is good for, from this answer (0: a server older than
    /// rotating tokens, whose one token lives long).
    #[serde(default)]
    pub expires_in: u64,
    /// This device's id: the `device_id` of every record it writes.
    pub device_id: u64,
    /// The member's id.
    pub member_id: u64,
    /// The member's team.
    pub team_id: u64,
    /// The member's role (as the invitation gave it; the signed roster decides).
    pub role: Role,
    /// This device's public keys, as stored, base64.
    #[serde(with = "b64")]
    pub public_keys: Vec<u8>,
    /// The device with the highest contiguous sequence stored (0 for a new device).
    pub stored_through: u64,
}

/// Body of `POST /v1/token`: a device renews its access token without its passphrase, with the
/// next token of its refresh chain ([`refresh`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewRequest {
    /// The device's id.
    pub device_id: u64,
    /// Its next refresh token, 64 hex digits (or, once, the single token of a device that joined
    /// before tokens rotated, with `anchor`).
    pub refresh_token: String,
    /// A refresh chain to start (64 hex digits): sent with the single token of a device that
    /// joined before tokens rotated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
}

/// Reply of `POST /v1/token`: a new access token. The refresh token presented is spent:
/// presenting it again revokes the device (it was copied).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    /// The new access token (`Authorization: Bearer <token>`).
    pub token: String,
    /// Seconds it is good for, from this answer.
    pub expires_in: u64,
    /// Seconds left to present the next refresh token, from this answer (at most 90 days).
    pub refresh_expires_in: u64,
}

/// Reply of a successful push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushAck {
    /// Highest `device_seq` such that every record 1..=it of this device is stored. The client
    /// never re-sends records at or below it.
    pub stored_through: u64,
    /// Records of the page newly stored.
    pub stored: u64,
    /// Records of the page that were already stored (identical re-sends).
    pub duplicates: u64,
}

/// One member as other members of her team see her (`GET /v1/teams/{team}/members`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    /// Member id.
    pub member_id: u64,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Whether the member was removed (her devices no longer sync).
    pub removed: bool,
}

/// One device (`GET /v1/devices`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceView {
    /// Device id.
    pub device_id: u64,
    /// Owner.
    pub member_id: u64,
    /// Name given when it joined.
    pub name: String,
    /// The device's own public keys (X25519 + Ed25519), base64: what the server says; only
    /// the signed roster is trusted.
    #[serde(with = "b64")]
    pub public_keys: Vec<u8>,
    /// The proof it joined with, when it joined with a key manager's invitation (base64).
    #[serde(default, with = "b64_opt", skip_serializing_if = "Option::is_none")]
    pub join_proof: Option<Vec<u8>>,
    /// Unix seconds of the login.
    pub created_at: i64,
    /// Unix seconds of the revocation, if revoked.
    pub revoked_at: Option<i64>,
    /// Why the server revoked it itself: `refresh_reused` when one of its refresh tokens was
    /// presented twice (its tokens were copied). Absent otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_reason: Option<String>,
}

/// A signed team roster (`GET`/`PUT /v1/teams/{team}/roster`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterBody {
    /// Monotonic version; an upload must be newer than the stored one.
    pub version: u64,
    /// The signed roster, opaque to the server, base64.
    #[serde(with = "b64")]
    pub roster: Vec<u8>,
}

/// Reply of `GET /v1/teams/{team}/rosters?after=N`: the rosters above version `N`, oldest
/// first (at most [`ROSTER_CHAIN_PAGE`]; ask again after the last for more).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RosterChain {
    /// The rosters, oldest first.
    pub rosters: Vec<RosterBody>,
}

/// Most rosters in one [`RosterChain`].
pub const ROSTER_CHAIN_PAGE: u32 = 16;

/// The team keys sealed to one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceEnvelope {
    /// The recipient device.
    pub device_id: u64,
    /// The sealed team key, base64.
    #[serde(with = "b64")]
    pub envelope: Vec<u8>,
}

/// Body of `POST /v1/teams/{team}/epochs`: a new team-key epoch with one envelope per device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEpoch {
    /// Must be the team's current epoch + 1.
    pub epoch: u32,
    /// The envelopes, at least one.
    pub envelopes: Vec<DeviceEnvelope>,
}

/// A team-key envelope addressed to the asking device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochEnvelope {
    /// The epoch.
    pub epoch: u32,
    /// The sealed team key, base64.
    #[serde(with = "b64")]
    pub envelope: Vec<u8>,
}

/// Reply of `GET /v1/teams/{team}/envelopes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvelopeList {
    /// The team's current epoch (records under an older one are refused).
    pub current_epoch: u32,
    /// Envelopes addressed to the asking device, oldest epoch first.
    pub envelopes: Vec<EpochEnvelope>,
}

/// A message to one device of the team (`POST /v1/teams/{team}/messages`): sealed to the
/// recipient's key and signed by the sender, opaque to the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceMessage {
    /// The recipient device.
    pub device_id: u64,
    /// The sealed message, base64, 1-4096 bytes.
    #[serde(with = "b64")]
    pub body: Vec<u8>,
}

/// Body of `POST /v1/teams/{team}/messages`: 1-100 messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewMessages {
    /// The messages.
    pub messages: Vec<DeviceMessage>,
}

/// Body of `POST /v1/teams/{team}/urgent`: "this team has something urgent" (issue 22). It
/// names no client and carries no content: only whom to tell and whether a deadline passed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UrgentSignal {
    /// The on-call supervisors' member ids to tell (empty: every recipient of the team).
    pub on_call: Vec<u64>,
    /// A risk episode went unacknowledged past its deadline (tell every recipient).
    pub overdue: bool,
}

/// Answer to an [`UrgentSignal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct UrgentAck {
    /// How many messages the server sent (0 when no alert channel is configured, or the same
    /// signal came moments ago).
    pub sent: u32,
}

/// A message addressed to the asking device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxMessage {
    /// Its id: the cursor to ask after next time.
    pub id: u64,
    /// The device that sent it (as the server says; the sealed message is signed).
    pub sender_device: u64,
    /// The sealed message, base64.
    #[serde(with = "b64")]
    pub body: Vec<u8>,
}

/// Reply of `GET /v1/teams/{team}/messages?after=N`: the asking device's messages above `N`,
/// oldest first (at most [`INBOX_PAGE`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inbox {
    /// The messages.
    pub messages: Vec<InboxMessage>,
}

/// Most messages in one [`Inbox`].
pub const INBOX_PAGE: u32 = 100;

/// A client's data key wrapped under a team key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientKeyWrap {
    /// Team-key epoch of the wrap.
    pub epoch: u32,
    /// The client's opaque id, base64 (1-64 bytes).
    #[serde(with = "b64")]
    pub client_id: Vec<u8>,
    /// The wrapped key, base64.
    #[serde(with = "b64")]
    pub wrap: Vec<u8>,
}

/// Body of `POST /v1/teams/{team}/client-keys` and reply of its `GET`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientKeyWraps {
    /// The wraps.
    pub wraps: Vec<ClientKeyWrap>,
}

/// Body of `POST /v1/teams/{team}/client-keys/erase`: forget every wrap of one client's key
/// (crypto-shredding for erasure requests; the client's records become unreadable once devices
/// drop their copies too).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EraseClient {
    /// The client's opaque id, base64.
    #[serde(with = "b64")]
    pub client_id: Vec<u8>,
}

/// Reply of `POST /v1/teams/{team}/client-keys/erase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erased {
    /// How many wraps (one per epoch) were deleted.
    pub erased: u64,
}

/// Reply of `POST /v1/teams/{team}/records/erase`, whose body is a `PushPage` of tombstones
/// ([`crate::tombstone`]): each replaces the stored record it was made from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasedRecords {
    /// Records replaced by their tombstones.
    pub erased: u64,
    /// Records the server already held as those tombstones.
    pub already: u64,
    /// Tombstones of records the server does not hold (yet): their authors send them when
    /// they push.
    pub absent: u64,
}

pub mod b64;
pub mod b64_opt;
pub mod org;
pub mod refresh;

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: u64, payload: &[u8]) -> Record {
        Record {
            device_id: 7,
            device_seq: seq,
            key_epoch: 1,
            hlc: hlc_from_millis(1_700_000_000_000, 3),
            payload: payload.to_vec(),
        }
    }

    #[test]
    fn push_page_round_trips_and_has_the_documented_layout() {
        let page = PushPage {
            records: vec![rec(1, b"abc"), rec(2, b"")],
        };
        let bytes = page.encode();
        assert_eq!(&bytes[..4], b"TDP1", "magic first");
        assert_eq!(&bytes[4..8], &2u32.to_be_bytes(), "then the count");
        assert_eq!(
            bytes.len(),
            8 + 2 * RECORD_HEADER_LEN + 3,
            "header + fixed fields + payloads"
        );
        assert_eq!(PushPage::decode(&bytes), Ok(page), "decode inverts encode");
    }

    #[test]
    fn pull_page_round_trips() {
        let page = PullPage {
            next_cursor: 42,
            more: true,
            records: vec![TeamRecord {
                team_seq: 42,
                record: rec(9, b"xyz"),
            }],
        };
        assert_eq!(PullPage::decode(&page.encode()), Ok(page));
    }

    #[test]
    fn every_truncation_of_a_page_is_an_error_not_a_panic() {
        let bytes = PushPage {
            records: vec![rec(1, b"hello"), rec(2, b"world")],
        }
        .encode();
        for cut in 0..bytes.len() {
            assert!(
                PushPage::decode(&bytes[..cut]).is_err(),
                "a page cut at {cut} must not decode"
            );
        }
        let mut long = bytes.clone();
        long.push(0);
        assert_eq!(PushPage::decode(&long), Err(DecodeError::TrailingBytes));
        let mut wrong = bytes;
        wrong[0] = b'X';
        assert_eq!(PushPage::decode(&wrong), Err(DecodeError::BadMagic));
    }

    #[test]
    fn a_huge_record_count_is_refused_before_allocating() {
        let mut bytes = b"TDP1".to_vec();
        bytes.extend_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(PushPage::decode(&bytes), Err(DecodeError::BadCount));
    }

    #[test]
    fn base64_round_trips_and_refuses_garbage() {
        for len in 0..20 {
            let data: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let s = b64::encode(&data);
            assert_eq!(b64::decode(&s), Some(data), "round trip of {len} bytes");
        }
        assert_eq!(b64::encode(b"foobar"), "Zm9vYmFy", "RFC 4648 test vector");
        assert_eq!(b64::encode(b"fo"), "Zm8=", "RFC 4648 test vector");
        for bad in ["Zm8", "Zm8==", "Z===", "Zm9=Zm9v", "Zm!v", "Zm9="] {
            assert_eq!(b64::decode(bad), None, "{bad:?} is not canonical base64");
        }
    }

    #[test]
    fn roles_serialise_lowercase() {
        assert_eq!(
            serde_json::to_string(&Role::Outreach).expect("serialises"),
            "\"outreach\""
        );
        assert_eq!(Role::parse("supervisor"), Some(Role::Supervisor));
        assert_eq!(Role::parse("boss"), None);
    }
}
