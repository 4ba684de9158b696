//! The server's storage: one trait, two backends, one contract test suite.

pub mod postgres;
pub(crate) mod rules;

pub use rules::PresentedRefresh;
pub mod sqlite;

use std::future::Future;
use std::pin::Pin;

pub use teduh_protocol::sync::ErasedRecords;
use teduh_protocol::sync::{PullPage, Record, Role};

/// A boxed future, so that [`Storage`] can be used as a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Errors from a storage backend. Every variant but [`StorageError::Unavailable`] and
/// [`StorageError::TooNew`] is a refusal of the request that stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database cannot be reached or answered with an error.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// The database has a schema newer than this server understands.
    #[error("the database has schema version {found}, newer than this server understands ({supported}); upgrade teduh-server")]
    TooNew {
        /// Version found in the database.
        found: i64,
        /// Highest version this binary knows.
        supported: i64,
    },
    /// A named thing (team, member, device) does not exist.
    #[error("no such {0}")]
    NotFound(&'static str),
    /// A unique thing (organisation, team name) already exists.
    #[error("{0} already exists")]
    AlreadyExists(&'static str),
    /// No organisation key is registered, and this upload may not register one (only an
    /// administrator's device does).
    #[error("no organisation key is registered yet; an administrator's device registers it")]
    OrgKeyUnknown,
    /// The upload is signed by another organisation key than the registered one.
    #[error("signed by another organisation key than the one registered")]
    OrgKeyMismatch,
    /// A device left a recipient as many messages as a day allows.
    #[error("too many messages for this device today")]
    MailboxFull,
    /// A settings upload is not newer than the stored settings.
    #[error("the settings version must be greater than {current}")]
    SettingsNotNewer {
        /// The stored version.
        current: u64,
    },
    /// No invitation has this code.
    #[error("unknown invitation code")]
    InvitationUnknown,
    /// The invitation was already used.
    #[error("the invitation was already used")]
    InvitationUsed,
    /// The invitation expired.
    #[error("the invitation has expired")]
    InvitationExpired,
    /// The login name is taken.
    #[error("the username is taken")]
    UsernameTaken,
    /// A device invitation was made for another member than the username given.
    #[error("the invitation adds a device of another member")]
    InvitationForAnother,
    /// A member or device id asked back after a restore is held by someone else.
    #[error("the member or device id asked back is held by someone else")]
    IdTaken,
    /// No device has this token.
    #[error("unknown token")]
    TokenUnknown,
    /// The token expired.
    #[error("the token has expired")]
    TokenExpired,
    /// The device was revoked or its member removed.
    #[error("the device was revoked")]
    TokenRevoked,
    /// The device was revoked by the server because one of its refresh tokens was presented
    /// twice: its refresh chain was copied ([`Storage::renew_tokens`]).
    #[error("the device was revoked: a refresh token of it was presented twice")]
    TokenReused,
    /// The device's refresh chain went unused too long: it must join again with a device
    /// invitation.
    #[error("the refresh token has expired")]
    RefreshExpired,
    /// The same (device, sequence) was already stored with other content.
    #[error("record {device_seq} of this device was already stored with different content")]
    Fork {
        /// The offending sequence.
        device_seq: u64,
    },
    /// A tombstone sent to erase a record was not made from the record stored there.
    #[error(
        "the tombstone of record {device_id}/{device_seq} was not made from the stored record"
    )]
    NotItsTombstone {
        /// The record's device.
        device_id: u64,
        /// Its sequence.
        device_seq: u64,
    },
    /// A record is encrypted under an older team-key epoch than the team's current one.
    #[error(
        "record {device_seq} uses key epoch {record_epoch} but the team is at epoch {current}"
    )]
    StaleKeyEpoch {
        /// The offending sequence.
        device_seq: u64,
        /// Its epoch.
        record_epoch: u32,
        /// The team's current epoch.
        current: u32,
    },
    /// A record names an epoch the team does not have yet.
    #[error(
        "record {device_seq} uses key epoch {record_epoch} but the team is at epoch {current}"
    )]
    UnknownKeyEpoch {
        /// The offending sequence.
        device_seq: u64,
        /// Its epoch.
        record_epoch: u32,
        /// The team's current epoch.
        current: u32,
    },
    /// A record's HLC is too far in the server's future.
    #[error("record {device_seq} is stamped too far in the future")]
    ClockAhead {
        /// The offending sequence.
        device_seq: u64,
    },
    /// A value is out of the range the storage accepts (e.g. a sequence of 0).
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// A new epoch must be exactly the current one plus one.
    #[error("the next epoch must be {expected}")]
    EpochNotNext {
        /// The only acceptable epoch.
        expected: u32,
    },
    /// A roster upload is not newer than the stored roster.
    #[error("the roster version must be greater than {current}")]
    RosterNotNewer {
        /// The stored version.
        current: u64,
    },
    /// An envelope is addressed to a device that is not an active device of the team.
    #[error("device {0} is not an active device of this team")]
    NotTeamMember(u64),
    /// A directory bundle upload is not newer than the published one.
    #[error("the directory version must be greater than {current}")]
    DirectoryNotNewer {
        /// The published version.
        current: u64,
    },
    /// A client-key wrap for this (epoch, client) already exists with other content.
    #[error("a different wrap for this client and epoch already exists")]
    WrapConflict,
}

/// What the server holds of the organisation's own signed documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgDocuments {
    /// The registered organisation key.
    pub org_key: Option<[u8; 32]>,
    /// The newest signed settings record.
    pub settings: Option<Vec<u8>>,
}

/// A signed settings record to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgSettingsUpload {
    /// The organisation key that signed it.
    pub key: [u8; 32],
    /// Its version.
    pub version: u64,
    /// The signed record.
    pub signed: Vec<u8>,
    /// Whether the uploader may register `key` when none is (an administrator's device).
    pub may_register: bool,
}

/// An organisation's team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// Team id.
    pub id: u64,
    /// Unique name.
    pub name: String,
    /// Current team-key epoch (0 before the first).
    pub key_epoch: u32,
    /// Last assigned team sequence.
    pub last_seq: u64,
}

/// A single-use invitation to join a team (only the code's hash is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitation {
    /// The team to join.
    pub team_id: u64,
    /// The role the new member gets.
    pub role: Role,
    /// For a further device of an existing member: her id (the role and team are hers).
    pub member_id: Option<u64>,
    /// For an invitation a key manager's device made: its encrypted package (opaque).
    pub package: Option<Vec<u8>>,
    /// SHA-256 of the code.
    pub code_hash: [u8; 32],
    /// Unix seconds of creation.
    pub created_at: i64,
    /// Unix seconds after which it is refused.
    pub expires_at: i64,
}

/// An invitation as listed by the admin CLI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    /// Invitation id.
    pub id: u64,
    /// The team it joins.
    pub team_id: u64,
    /// The role it grants.
    pub role: Role,
    /// For a further device of an existing member: her id.
    pub member_id: Option<u64>,
    /// Unix seconds of creation.
    pub created_at: i64,
    /// Unix seconds of expiry.
    pub expires_at: i64,
    /// Unix seconds of use, if used.
    pub used_at: Option<i64>,
}

/// A message as stored for its recipient: (id, sender device, body).
pub type StoredMessage = (u64, u64, Vec<u8>);

/// An invitation's package, as a joiner fetches it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagedInvitation {
    /// The team it joins.
    pub team_id: u64,
    /// The role it grants at the server.
    pub role: Role,
    /// The encrypted package.
    pub package: Vec<u8>,
    /// Unix seconds of expiry.
    pub expires_at: i64,
}

/// A device's next access token and how long its refresh chain may wait for the next renewal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewTokens {
    /// SHA-256 of the access (bearer) token.
    pub access_hash: [u8; 32],
    /// Unix seconds after which the access token is refused.
    pub access_expires_at: i64,
    /// Unix seconds after which no refresh token of the device is accepted.
    pub refresh_expires_at: i64,
}

/// What presenting a refresh token did ([`Storage::renew_tokens`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// The new access token is stored; the presented refresh token is spent.
    Renewed(AuthedDevice),
    /// The token had been used before: someone else holds the device's refresh chain. The
    /// device is revoked now (its tokens stop working) and its team's key managers should be
    /// told.
    Reused(AuthedDevice),
}

/// A device to create, with the hashes of its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDevice {
    /// Display name.
    pub name: String,
    /// The device's own public keys (opaque).
    pub public_keys: Vec<u8>,
    /// The proof it joined with a key manager's invitation (opaque).
    pub join_proof: Option<Vec<u8>>,
    /// Its first access token.
    pub tokens: NewTokens,
    /// The anchor of its refresh chain (`teduh_protocol::sync::refresh`); `None` from an app
    /// older than rotating tokens.
    pub refresh_anchor: Option<[u8; 32]>,
    /// Unix seconds of creation.
    pub created_at: i64,
    /// The id to give it (a device coming back to a restored server); `None`: the next free.
    pub id: Option<u64>,
}

/// Everything a registration stores, in one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// SHA-256 of the invitation code.
    pub invitation_hash: [u8; 32],
    /// Login name (for a device invitation: must be the member's own).
    pub username: String,
    /// The device, with its public keys.
    pub device: NewDevice,
    /// The member id to give her (a member coming back to a restored server); `None`: the next
    /// free. Ignored for a device invitation (the member exists).
    pub member_id: Option<u64>,
}

impl Registration {
    /// What a stored registration answers with: the new device and the new member (shared by both
    /// backends, so they cannot drift).
    pub(crate) fn into_registered(
        self,
        device_id: i64,
        member_id: i64,
        team_id: i64,
        role: Role,
    ) -> (AuthedDevice, Member) {
        (
            AuthedDevice {
                device_id: to_u64(device_id),
                member_id: to_u64(member_id),
                team_id: to_u64(team_id),
                role,
            },
            Member {
                id: to_u64(member_id),
                team_id: to_u64(team_id),
                username: self.username,
                role,
                removed_at: None,
            },
        )
    }
}

/// A member, as the server knows her.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Member id.
    pub id: u64,
    /// Team.
    pub team_id: u64,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Unix seconds of removal, if removed.
    pub removed_at: Option<i64>,
}

/// A device and its owner, as listed by the admin CLI and `GET /v1/devices`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    /// Device id.
    pub id: u64,
    /// Owner.
    pub member_id: u64,
    /// Owner's login name.
    pub username: String,
    /// Owner's team.
    pub team_id: u64,
    /// Display name.
    pub name: String,
    /// Its own public keys (opaque).
    pub public_keys: Vec<u8>,
    /// The proof it joined with a key manager's invitation (opaque).
    pub join_proof: Option<Vec<u8>>,
    /// Unix seconds of creation.
    pub created_at: i64,
    /// Unix seconds of revocation.
    pub revoked_at: Option<i64>,
    /// Why the server revoked it itself (`refresh_reused`), if it did.
    pub revoked_reason: Option<String>,
    /// Highest contiguous sequence stored.
    pub contiguous_seq: u64,
}

/// The device behind a valid token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuthedDevice {
    /// Device id.
    pub device_id: u64,
    /// Owner.
    pub member_id: u64,
    /// Owner's team.
    pub team_id: u64,
    /// Owner's role.
    pub role: Role,
}

/// What a push stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushOutcome {
    /// Records newly stored.
    pub stored: u64,
    /// Identical re-sends skipped.
    pub duplicates: u64,
    /// Highest contiguous sequence of the device now stored.
    pub contiguous_seq: u64,
}

/// A client-key wrap as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientWrap {
    /// Team-key epoch.
    pub epoch: u32,
    /// Opaque client id.
    pub client_id: Vec<u8>,
    /// Wrapped key.
    pub wrap: Vec<u8>,
}

/// What the server needs from its database. Implementations: SQLite and PostgreSQL; both pass
/// the same contract suite (`tests/contract.rs`).
///
/// Ids are positive and below 2^63; times are Unix seconds passed in by the caller, so tests
/// control the clock.
pub trait Storage: Send + Sync + 'static {
    /// Short backend name for `/healthz` and logs: `"sqlite"` or `"postgres"`.
    fn backend(&self) -> &'static str;

    /// Checks that the database answers. Fails when it does not.
    fn ping(&self) -> BoxFuture<'_, Result<(), StorageError>>;

    /// The schema version the database is at.
    fn schema_version(&self) -> BoxFuture<'_, Result<i64, StorageError>>;

    /// Names the organisation. Fails with `AlreadyExists("organisation")` the second time.
    fn init_org(&self, name: String, now: i64) -> BoxFuture<'_, Result<(), StorageError>>;

    /// The organisation's name, if initialised.
    fn org_name(&self) -> BoxFuture<'_, Result<Option<String>, StorageError>>;

    /// The organisation key registered and the newest signed settings record. Fails with
    /// `NotFound("organisation")` before `init_org`.
    fn org_documents(&self) -> BoxFuture<'_, Result<OrgDocuments, StorageError>>;

    /// Stores a signed settings record (its signature already checked against `upload.key`).
    /// Registers `upload.key` when none is and `upload.may_register`. Fails with
    /// `NotFound("organisation")`, `OrgKeyUnknown` (none registered and this upload may not
    /// register one), `OrgKeyMismatch` (another key is registered), or `SettingsNotNewer`.
    fn put_org_settings(
        &self,
        upload: OrgSettingsUpload,
    ) -> BoxFuture<'_, Result<(), StorageError>>;

    /// The operator's reset: registers `key` (or none) as the organisation key and forgets the
    /// settings signed by the one before. Fails with `NotFound("organisation")`.
    fn replace_org_key(&self, key: Option<[u8; 32]>) -> BoxFuture<'_, Result<(), StorageError>>;

    /// Creates a team. Fails with `AlreadyExists("team")` on a duplicate name.
    fn create_team(&self, name: String, now: i64) -> BoxFuture<'_, Result<Team, StorageError>>;

    /// All teams, by id.
    fn teams(&self) -> BoxFuture<'_, Result<Vec<Team>, StorageError>>;

    /// Stores an invitation. Fails with `NotFound("team")`.
    fn create_invitation(&self, inv: NewInvitation) -> BoxFuture<'_, Result<u64, StorageError>>;

    /// Invitations, of one team or all, by id (codes are never stored, only their hashes).
    fn invitations(
        &self,
        team_id: Option<u64>,
    ) -> BoxFuture<'_, Result<Vec<Invitation>, StorageError>>;

    /// The package of an unused, unexpired invitation a key manager's device made, by the hash
    /// of its id. Fails with `InvitationUnknown` (also for an invitation without a package),
    /// `InvitationUsed` or `InvitationExpired`.
    fn invitation_package(
        &self,
        code_hash: [u8; 32],
        now: i64,
    ) -> BoxFuture<'_, Result<PackagedInvitation, StorageError>>;

    /// Makes an unused invitation expire now (idempotent). Fails with `NotFound("invitation")`.
    fn revoke_invitation(&self, id: u64, now: i64) -> BoxFuture<'_, Result<(), StorageError>>;

    /// Consumes the invitation and creates the member and her first device, or, for an
    /// invitation made for an existing member, a further device of hers, atomically. Fails with
    /// the `Invitation*` variants (`InvitationForAnother`: the username is not the member's),
    /// `UsernameTaken`, `NotFound("member")` (the member was removed) or `IdTaken`, storing
    /// nothing.
    fn register(
        &self,
        reg: Registration,
        now: i64,
    ) -> BoxFuture<'_, Result<(AuthedDevice, Member), StorageError>>;

    /// Adds a device to an active member. Fails with `NotFound("member")` when she does not
    /// exist or was removed.
    fn create_device(
        &self,
        member_id: u64,
        device: NewDevice,
    ) -> BoxFuture<'_, Result<AuthedDevice, StorageError>>;

    /// The device holding an access token. Fails with `TokenUnknown`, `TokenExpired`,
    /// `TokenRevoked` (also when its member was removed) or `TokenReused`. `lane` says what the
    /// request goes on to do, so that a backend with separate pools checks a read's token where
    /// the read runs (see [`Lane`]).
    fn authenticate(
        &self,
        token_hash: [u8; 32],
        now: i64,
        lane: Lane,
    ) -> BoxFuture<'_, Result<AuthedDevice, StorageError>>;

    /// Presents `device`'s next refresh token for a new access token (`next`), in one
    /// transaction that locks the device, as the shared rule decides (`renewal` in `rules.rs`):
    /// a token ahead of the chain's head renews and becomes the head; one used before revokes
    /// the device; the single token of a device from before rotation starts its chain at
    /// `anchor`. Fails with `TokenUnknown`, `RefreshExpired`, `TokenRevoked`, `TokenReused` (a
    /// device the server already revoked for a reused token) or `Invalid("anchor")`, storing
    /// nothing.
    fn renew_tokens(
        &self,
        device: u64,
        presented: PresentedRefresh,
        anchor: Option<[u8; 32]>,
        next: NewTokens,
        now: i64,
    ) -> BoxFuture<'_, Result<Renewal, StorageError>>;

    /// A team's members, removed ones included, by id.
    fn members(&self, team_id: u64) -> BoxFuture<'_, Result<Vec<Member>, StorageError>>;

    /// Devices, of one member, of one team, or all (by id).
    fn devices(&self, filter: DeviceFilter) -> BoxFuture<'_, Result<Vec<Device>, StorageError>>;

    /// Revokes a device (idempotent). Fails with `NotFound("device")`.
    fn revoke_device(&self, device_id: u64, now: i64) -> BoxFuture<'_, Result<(), StorageError>>;

    /// Removes a member and revokes all her devices (idempotent). Fails with
    /// `NotFound("member")`.
    fn remove_member(&self, member_id: u64, now: i64) -> BoxFuture<'_, Result<(), StorageError>>;

    /// Stores a newer signed roster. Fails with `RosterNotNewer`.
    fn put_roster(
        &self,
        team_id: u64,
        version: u64,
        roster: Vec<u8>,
        now: i64,
    ) -> BoxFuture<'_, Result<(), StorageError>>;

    /// The newest roster and its version.
    fn roster(&self, team_id: u64) -> BoxFuture<'_, Result<Option<Roster>, StorageError>>;

    /// The rosters of versions above `after`, oldest first, at most `limit` (a device walks the
    /// chain from the version it holds, verifying each against the one before).
    fn rosters_after(
        &self,
        team_id: u64,
        after: u64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<Roster>, StorageError>>;

    /// Starts a new team-key epoch with its envelopes (device id, envelope), atomically. Fails
    /// with `EpochNotNext` or `NotTeamMember` (a device not active in the team).
    fn add_epoch(
        &self,
        team_id: u64,
        epoch: u32,
        envelopes: Vec<(u64, Vec<u8>)>,
    ) -> BoxFuture<'_, Result<(), StorageError>>;

    /// The team's current epoch and the envelopes addressed to one device, oldest first.
    fn envelopes(
        &self,
        team_id: u64,
        device_id: u64,
    ) -> BoxFuture<'_, Result<Envelopes, StorageError>>;

    /// Stores messages from device `sender` to devices of its team (recipient, opaque body),
    /// atomically. Fails with `NotTeamMember` (a recipient that is not an active device of the
    /// team), storing nothing.
    fn post_messages(
        &self,
        team_id: u64,
        sender: u64,
        messages: Vec<(u64, Vec<u8>)>,
        now: i64,
    ) -> BoxFuture<'_, Result<(), StorageError>>;

    /// The messages addressed to `recipient` with an id above `after`, oldest first, at most
    /// `limit`, as (id, sender, body).
    fn messages(
        &self,
        team_id: u64,
        recipient: u64,
        after: u64,
        limit: u32,
    ) -> BoxFuture<'_, Result<Vec<StoredMessage>, StorageError>>;

    /// Stores client-key wraps (identical re-uploads are no-ops). Fails with `WrapConflict`
    /// or `UnknownKeyEpoch` (epoch 0 or above the current one), storing nothing.
    fn put_client_keys(
        &self,
        team_id: u64,
        wraps: Vec<ClientWrap>,
    ) -> BoxFuture<'_, Result<(), StorageError>>;

    /// Deletes every wrap of one client's key in a team (crypto-shredding); returns how many.
    fn erase_client_keys(
        &self,
        team_id: u64,
        client_id: Vec<u8>,
    ) -> BoxFuture<'_, Result<u64, StorageError>>;

    /// Replaces stored records of a team by their tombstones (UU PDP erasure), all or nothing:
    /// each must be the tombstone of the record stored under its place
    /// (`rules::plan_erase`), else `NotItsTombstone` and nothing changes. Afterwards the freed
    /// bytes are overwritten where the backend allows (SQLite's `secure_delete` and a
    /// truncating checkpoint; PostgreSQL's `VACUUM` of the table).
    fn erase_records(
        &self,
        team_id: u64,
        tombstones: Vec<Record>,
    ) -> BoxFuture<'_, Result<ErasedRecords, StorageError>>;

    /// The team's client-key wraps, of one epoch or all.
    fn client_keys(
        &self,
        team_id: u64,
        epoch: Option<u32>,
    ) -> BoxFuture<'_, Result<Vec<ClientWrap>, StorageError>>;

    /// Publishes a directory bundle. Fails with `DirectoryNotNewer` unless `version` is above
    /// every published one.
    fn publish_directory(
        &self,
        bundle: DirectoryBundle,
        now: i64,
    ) -> BoxFuture<'_, Result<(), StorageError>>;

    /// The newest directory bundle, if any.
    fn latest_directory(&self) -> BoxFuture<'_, Result<Option<DirectoryBundle>, StorageError>>;

    /// Moves every team's sequence, and the next member and device ids, forward by `by` (after
    /// restoring a backup: new records then get sequences above any cursor a device already
    /// holds, so none is skipped, and a new member or device never gets an id a lost one had,
    /// which its device may still come back to ask for), and remembers `now_ms` as the restore's
    /// time: records written before it may come back under an epoch older than the team's
    /// current one (see `rules::plan_push`).
    fn advance_team_sequences(
        &self,
        by: u64,
        now_ms: u64,
    ) -> BoxFuture<'_, Result<(), StorageError>>;

    /// Appends a page of one device's records to its team's log, all or nothing.
    ///
    /// Identical re-sends are skipped; a different record under a stored (device, seq) fails
    /// with `Fork`; new records under an older epoch with `StaleKeyEpoch`, a missing one with
    /// `UnknownKeyEpoch`, an HLC above `max_hlc` with `ClockAhead`. Team sequences are assigned
    /// in commit order, so a reader never skips a record that commits later.
    fn push(
        &self,
        team_id: u64,
        device_id: u64,
        records: Vec<Record>,
        max_hlc: u64,
    ) -> BoxFuture<'_, Result<PushOutcome, StorageError>>;

    /// Records of a team after `after`, in team order: at least one if any, then as many as
    /// fit `budget_bytes` (encoded size) and `max_records`.
    fn pull(
        &self,
        team_id: u64,
        after: u64,
        budget_bytes: usize,
        max_records: usize,
    ) -> BoxFuture<'_, Result<PullPage, StorageError>>;
}

/// A roster's version and signed bytes.
pub type Roster = (u64, Vec<u8>);

/// A team's current epoch and the (epoch, envelope) pairs addressed to one member.
pub type Envelopes = (u32, Vec<(u32, Vec<u8>)>);

/// A published directory bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryBundle {
    /// Monotonic version.
    pub version: u64,
    /// SHA-256 of `bundle` (the ETag is derived from it).
    pub sha256: [u8; 32],
    /// The signed bundle, exactly as published.
    pub bundle: Vec<u8>,
}

/// What a request does after its token check: a backend that keeps reads and writes on separate
/// connection pools runs the check on the pool of the work that follows, so that a pull never
/// queues behind the token checks of hundreds of pushing devices (docs/benchmarks.md, server
/// figures).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// The request only reads (GET, HEAD).
    Read,
    /// The request writes, or may.
    Write,
}

/// Which devices [`Storage::devices`] lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceFilter {
    /// Every device.
    All,
    /// One team's.
    Team(u64),
    /// One member's.
    Member(u64),
}

/// Converts an id or sequence to the databases' signed 64-bit integers.
pub(crate) fn to_i64(v: u64, what: &'static str) -> Result<i64, StorageError> {
    i64::try_from(v).map_err(|_| StorageError::Invalid(what))
}

/// Reads back a non-negative database integer.
pub(crate) fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Reads back a role column. An unknown name means the database was written by something else.
pub(crate) fn role_of(s: &str) -> Result<Role, StorageError> {
    Role::parse(s)
        .ok_or_else(|| StorageError::Unavailable(format!("unknown role {s:?} in the database")))
}

/// Reads back a key-epoch column.
pub(crate) fn epoch_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(0)
}

/// The columns a [`Member`] is read from, in order (the same in both backends).
pub(crate) const MEMBER_COLS: &str = "id, team_id, username, role, removed_at";

/// Hides the password of a database URL (`postgres://user:secret@host/db` ->
/// `postgres://user:***@host/db`) so it never reaches logs or error messages.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((userinfo, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match userinfo.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_leave_redact_url() {
        assert_eq!(
            redact_url("postgres://teduh:hunter2@db.example:5432/teduh"),
            "postgres://teduh:***@db.example:5432/teduh"
        );
        assert_eq!(redact_url("postgres://db/teduh"), "postgres://db/teduh");
    }
}
