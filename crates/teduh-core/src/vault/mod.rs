//! The vault: a member's identity and keys, and every read and write of the counseling record.
//!
//! Still one large file: the vault's life cycle and the ~50 public reads and writes that
//! delegate to `Batch` and `Reader` sit together because they grew here, not because they are one
//! concept. Splitting it into a small kernel (life cycle, identity, keys) and feature rooms
//! (clients, notes, screenings, referrals, supervision) is issue #14 ("Architecture 2/2"),
//! measured there; until then, new features go in their own module beside this one.
//!
//! Life cycle: [`Vault::create`] (first run) or [`Vault::open`] (locked) -> [`Vault::unlock`]
//! -> reads and writes -> [`Vault::lock`] (or the idle timeout) -> secrets wiped.
//!
//! - The passphrase goes through Argon2id (parameters and salt stored in the `identity` table and
//!   always read back from it) to a key-encryption key that opens the member's X25519 and Ed25519
//!   secrets. A wrong passphrase is [`VaultError::WrongPassphrase`] and changes nothing.
//!   [`Vault::change_passphrase`] re-wraps those two secrets only.
//! - The team key is sealed to the member's X25519 key; each client has its own random data key
//!   wrapped under the team key: the basis for erasing one client by destroying its key (the
//!   erasure operation itself, which must also reach the log and other devices, is not built yet).
//! - Every write goes through [`Vault::batch`]: one SQLite transaction appends signed records to
//!   the log and applies them to the materialised tables (see [`crate::records`]), then commits
//!   durably (WAL, `synchronous=FULL`).
//! - Reads decrypt field by field; a field that fails authentication is reported as
//!   [`VaultError::Integrity`] naming its record, without affecting anything else.

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};
use teduh_protocol::envelope::{EnvelopeError, RecordBinding};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::crypto::{self, DataKey, KdfParams};
use crate::domain::{
    Case, CaseDetails, Client, ClientProfile, Consent, ConsentRecord, ConsentWithdrawal, Note,
    NoteDraft, Referral, ReferralRecord, ReferralUpdate, RiskEntry, Task, TaskRecord,
};
use crate::error::Code;
use crate::hlc::HlcClock;
use crate::ids::ReferralId;
use crate::ids::{
    hex, AddendumId, CaseId, ClientId, ConsentId, DeviceId, EntityId, KeyId, MemberId, NoteId,
    ScreeningId, TaskId, TeamId,
};
use crate::index::{ClientSummary, SearchIndex};
use crate::paths::DataDir;
use crate::records::{self, RecordError, RecordKind, RecordRow};
use crate::screening::{ScoringConfig, Screening, ScreeningAnswers};
use crate::store::{LocalStore, StoreError};

mod batch;
mod facets;
mod keys;
mod mine;
mod read;
mod receive_rules;
mod review;
mod review_state;
mod revisions;
mod sync_ops;

pub use batch::Batch;
pub use facets::ClientFacets;
pub use mine::ReviewNews;
use read::Reader;
pub use review::{
    Caseload, Dashboard, QueueFilter, QueueItem, Review, ReviewAction, ReviewDraft, ReviewState,
    WeekCount,
};
pub use revisions::ConflictRevision;
pub use sync_ops::{ReceiveReport, SecurityAlarm};

/// Default idle time after which the vault locks itself.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

const KDF_ALGORITHM: &str = "argon2id-v19";
const FINALISED_AT: &str = records::FINALISED_FIELD;
const FINALISED_BY: &str = "finalised_by";
const AUTHOR: &str = "author";
/// The field of a client's data-key record that proves which device created the client
/// ([`ClientId::derived`]).
const CREATOR_NONCE: &str = "creator_nonce";

/// Errors of vault operations. The UI branches on the variant.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// The passphrase does not open this vault. Nothing was changed.
    #[error("wrong passphrase")]
    WrongPassphrase,
    /// The vault is locked (or locked itself after the idle timeout): unlock first.
    #[error("the vault is locked; unlock it with your passphrase")]
    Locked,
    /// No vault exists in this database yet: run first-time setup (`teduh init`).
    #[error("no vault has been set up on this computer yet; run first-time setup")]
    NotInitialised,
    /// A vault already exists; creating another would lose access to it.
    #[error("a vault already exists here; it was not touched")]
    AlreadyInitialised,
    /// A ciphertext failed authentication: the named record was altered or damaged.
    #[error("integrity error in {record}: the data was altered or damaged and cannot be read")]
    Integrity {
        /// Which record and field (kind, entity id, field, log position).
        record: String,
    },
    /// The log itself is inconsistent (bad signature, malformed record, tables disagree).
    #[error("record log problem: {0}")]
    Log(String),
    /// No such client, note, case...
    #[error("no {what} with id or code {id}")]
    NotFound {
        /// What was looked for.
        what: &'static str,
        /// The id or code given.
        id: String,
    },
    /// A finalised note cannot be edited; add an addendum instead.
    #[error("note {0} is finalised; it cannot be changed, add an addendum instead")]
    NoteFinalised(NoteId),
    /// Only the note's author may edit or finalise it.
    #[error("note {0} was written by another member; it can be read and reviewed, not edited")]
    NotAuthor(NoteId),
    /// Addenda are for finalised notes; a draft is simply edited.
    #[error("note {0} is still a draft; edit it instead of adding an addendum")]
    NoteIsDraft(NoteId),
    /// Another client already has this code.
    #[error("another client already has the code {0}")]
    DuplicateCode(String),
    /// Input that cannot be stored (empty code, invalid screening...).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// The member's role does not allow this (e.g. a counselor approving a note).
    #[error("not permitted: {0}")]
    NotPermitted(String),
    /// The client's consent does not cover this (and no lawful basis was given).
    #[error("no consent: {0}")]
    NoConsent(String),
    /// A new passphrase shorter than [`MIN_PASSPHRASE_CHARS`]: nothing was created or changed.
    #[error("a passphrase needs at least {min} characters (a few words are easiest to remember)")]
    PassphraseTooShort {
        /// The minimum, in characters.
        min: usize,
    },
    /// A new passphrase that [`crate::passphrase::rate`] finds weak: nothing was created or
    /// changed.
    #[error(
        "this passphrase is easy to guess (a common word, name or year); use a few unrelated words"
    )]
    PassphraseTooWeak,
    /// This device has not joined a team.
    #[error("this device has not joined a team")]
    NotJoined,
    /// This device has already joined a team.
    #[error("this device has already joined a team")]
    AlreadyJoined,
    /// The disk is full: the change was not saved, earlier data is intact.
    #[error("the disk is full: the change was not saved (earlier data is intact); free some space and try again")]
    DiskFull,
    /// The database could not be opened (foreign, damaged or newer file).
    #[error(transparent)]
    Store(StoreError),
    /// Any other SQLite failure.
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl VaultError {
    /// The code a caller branches on.
    pub fn code(&self) -> Code {
        match self {
            VaultError::WrongPassphrase => Code::WrongPassphrase,
            VaultError::Locked => Code::Locked,
            VaultError::NotInitialised => Code::NotInitialised,
            VaultError::AlreadyInitialised => Code::AlreadyInitialised,
            VaultError::Integrity { .. } => Code::IntegrityError,
            VaultError::Log(_) => Code::LogError,
            VaultError::NotFound { .. } => Code::NotFound,
            VaultError::NoteFinalised(_) => Code::NoteFinalised,
            VaultError::NotAuthor(_) => Code::NotAuthor,
            VaultError::NoteIsDraft(_) => Code::NoteIsDraft,
            VaultError::DuplicateCode(_) => Code::DuplicateCode,
            VaultError::InvalidInput(_) => Code::InvalidInput,
            VaultError::NotPermitted(_) => Code::NotPermitted,
            VaultError::NoConsent(_) => Code::NoConsent,
            VaultError::PassphraseTooShort { .. } => Code::PassphraseTooShort,
            VaultError::PassphraseTooWeak => Code::PassphraseTooWeak,
            VaultError::NotJoined => Code::NotJoined,
            VaultError::AlreadyJoined => Code::AlreadyJoined,
            VaultError::DiskFull => Code::DiskFull,
            VaultError::Store(e) => e.code(),
            VaultError::Sqlite(_) => Code::StorageFailed,
        }
    }
}

pub use crate::passphrase::MIN_PASSPHRASE_CHARS;

/// A new passphrase must be long enough and not weak ([`crate::passphrase::rate`]).
fn check_new_passphrase(passphrase: &str) -> Result<(), VaultError> {
    use crate::passphrase::PassphraseStrength;
    match crate::passphrase::rate(passphrase, &[]) {
        PassphraseStrength::TooShort => Err(VaultError::PassphraseTooShort {
            min: MIN_PASSPHRASE_CHARS,
        }),
        PassphraseStrength::Weak => Err(VaultError::PassphraseTooWeak),
        PassphraseStrength::Fair | PassphraseStrength::Strong => Ok(()),
    }
}

fn is_disk_full(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::DiskFull)
}

impl From<rusqlite::Error> for VaultError {
    fn from(e: rusqlite::Error) -> Self {
        if is_disk_full(&e) {
            Self::DiskFull
        } else {
            Self::Sqlite(e)
        }
    }
}

impl From<StoreError> for VaultError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Sqlite(e) => e.into(),
            other => Self::Store(other),
        }
    }
}

impl From<RecordError> for VaultError {
    fn from(e: RecordError) -> Self {
        match e {
            RecordError::Sqlite(e) => e.into(),
            other => Self::Log(other.to_string()),
        }
    }
}

/// The public, stored part of the identity.
#[derive(Debug, Clone)]
struct Identity {
    member: MemberId,
    device: DeviceId,
    team: TeamId,
    kdf: KdfParams,
    salt: Vec<u8>,
    kek_id: KeyId,
    wrapped_secrets: Vec<u8>,
    x25519_public: [u8; 32],
    ed25519_public: [u8; 32],
}

impl Identity {
    fn secrets_context(&self) -> Vec<u8> {
        let mut c = b"identity".to_vec();
        c.extend_from_slice(&self.member.0);
        c.extend_from_slice(&self.device.0);
        c.extend_from_slice(&self.team.0);
        c
    }

    fn load(conn: &Connection) -> Result<Option<Self>, VaultError> {
        conn.query_row(
            "SELECT member_id, device_id, team_id, kdf_algorithm, kdf_m_cost_kib, kdf_t_cost,
                    kdf_p_cost, kdf_salt, kek_id, wrapped_secrets, x25519_public, ed25519_public
             FROM identity WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u32>(4)?,
                    r.get::<_, u32>(5)?,
                    r.get::<_, u32>(6)?,
                    r.get::<_, Vec<u8>>(7)?,
                    r.get::<_, Vec<u8>>(8)?,
                    r.get::<_, Vec<u8>>(9)?,
                    r.get::<_, Vec<u8>>(10)?,
                    r.get::<_, Vec<u8>>(11)?,
                ))
            },
        )
        .optional()?
        .map(|(m, d, t, alg, mc, tc, pc, salt, kek, wrapped, xp, ep)| {
            let damaged = || VaultError::Integrity {
                record: "the identity header".into(),
            };
            if alg != KDF_ALGORITHM {
                return Err(damaged());
            }
            Ok(Identity {
                member: MemberId::from_slice(&m).ok_or_else(damaged)?,
                device: DeviceId::from_slice(&d).ok_or_else(damaged)?,
                team: TeamId::from_slice(&t).ok_or_else(damaged)?,
                kdf: KdfParams {
                    m_cost_kib: mc,
                    t_cost: tc,
                    p_cost: pc,
                },
                salt,
                kek_id: KeyId::from_slice(&kek).ok_or_else(damaged)?,
                wrapped_secrets: wrapped,
                x25519_public: xp.as_slice().try_into().map_err(|_| damaged())?,
                ed25519_public: ep.as_slice().try_into().map_err(|_| damaged())?,
            })
        })
        .transpose()
    }
}

/// Secrets and caches that exist only while unlocked; all wiped on drop.
struct Unlocked {
    /// Opens team-key envelopes of later epochs (sync).
    x25519: StaticSecret,
    signing: SigningKey,
    /// Team keys by epoch (0: the provisional key of a device that has not joined a team).
    team_keys: std::collections::BTreeMap<u32, DataKey>,
    /// Seals this device's copies of client data keys.
    local_key: DataKey,
    client_keys: HashMap<ClientId, DataKey>,
    record_keys: HashMap<(ClientId, u32), DataKey>,
    /// The client list's filter facts, until the next change (see `Vault::client_facets`).
    facets: Option<HashMap<ClientId, facets::ClientFacets>>,
    index: SearchIndex,
    clock: HlcClock,
    damaged: Vec<String>,
}

/// What [`Vault::unlock`] found besides success.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnlockReport {
    /// Clients in the search index.
    pub clients_indexed: usize,
    /// Records that failed authentication while building the index (named); the rest of the
    /// vault is usable.
    pub damaged: Vec<String>,
    /// Time spent deriving the key-encryption key (Argon2id) and opening the keys.
    pub kdf_time: Duration,
    /// Time spent building the search index.
    pub index_time: Duration,
}

/// Everything about one client, decrypted: the data subject's access right (UU PDP).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ClientExport {
    /// Export format version.
    pub format: u32,
    /// When the export was made.
    pub exported_at: chrono::DateTime<Utc>,
    /// The client.
    pub client: Client,
    /// Cases with their risk history.
    pub cases: Vec<Case>,
    /// Consents with withdrawals.
    pub consents: Vec<ConsentRecord>,
    /// Session notes with addenda.
    pub notes: Vec<Note>,
    /// Follow-up tasks.
    pub tasks: Vec<TaskRecord>,
    /// Screenings with computed results.
    pub screenings: Vec<Screening>,
    /// Referrals with their status history.
    pub referrals: Vec<ReferralRecord>,
}

/// One version of one field of an entity, decrypted: the current value or one it replaced.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct FieldVersion {
    /// The field's name.
    pub field: String,
    /// Its value in this version.
    #[cfg_attr(feature = "ts", ts(type = "unknown"))]
    pub value: Value,
    /// When it was written (the record's timestamp).
    pub written_at: chrono::DateTime<Utc>,
    /// Which device wrote it (hex).
    pub device: String,
    /// The record's sequence number in that device's log: with `device`, names the version.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seq: u64,
    /// Whether this version is the field's current value.
    pub current: bool,
    /// Whether it lost to a version written on another device (a conflict revision the user
    /// should be able to see and restore), rather than being replaced by a later edit on the
    /// same device.
    pub conflict: bool,
}

/// A member's vault over the device's local store.
pub struct Vault {
    store: LocalStore,
    ident: Identity,
    unlocked: Option<Unlocked>,
    idle_timeout: Option<Duration>,
    last_activity: Instant,
    scoring: ScoringConfig,
    clock_offset_ms: i64,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("member", &self.ident.member)
            .field("device", &self.ident.device)
            .field("unlocked", &self.unlocked.is_some())
            .finish_non_exhaustive()
    }
}

/// Whether a database already holds a vault.
///
/// Fails when the store cannot be read.
pub fn is_initialised(store: &LocalStore) -> Result<bool, VaultError> {
    Ok(Identity::load(store.connection())?.is_some())
}

impl Vault {
    /// First run: creates the member identity and team key with [`KdfParams::interactive`],
    /// and returns the vault unlocked.
    ///
    /// Fails with [`VaultError::AlreadyInitialised`] if the store already holds a vault, with
    /// [`VaultError::PassphraseTooShort`] under [`MIN_PASSPHRASE_CHARS`] or
    /// [`VaultError::PassphraseTooWeak`], or when the database cannot be written.
    pub fn create(store: LocalStore, passphrase: &str) -> Result<Self, VaultError> {
        Self::create_with_params(store, passphrase, KdfParams::interactive())
    }

    /// Like [`Vault::create`] with explicit Argon2id parameters. They are stored with the salt
    /// and read back on every unlock. Meant for tests and benchmarks, which use
    /// [`KdfParams::insecure_fast_for_tests`]; real vaults use [`Vault::create`].
    ///
    /// Fails like [`Vault::create`], or when Argon2 refuses the parameters.
    pub fn create_with_params(
        store: LocalStore,
        passphrase: &str,
        kdf: KdfParams,
    ) -> Result<Self, VaultError> {
        if Identity::load(store.connection())?.is_some() {
            return Err(VaultError::AlreadyInitialised);
        }
        check_new_passphrase(passphrase)?;
        let x25519 = StaticSecret::random_from_rng(rand_core::OsRng);
        let signing = SigningKey::generate(&mut rand_core::OsRng);
        Self::create_with_secrets(store, passphrase, kdf, x25519, signing, None)
    }

    /// Creates a vault on a further device of an existing member from her private keys
    /// (`X25519 (32) || Ed25519 (32)`, downloaded wrapped from the server and opened with her
    /// passphrase; see [`crate::sync::join::login`]).
    ///
    /// Fails like [`Vault::create`], or with [`VaultError::InvalidInput`] for a wrong length.
    pub(crate) fn create_from_member_secrets(
        store: LocalStore,
        passphrase: &str,
        kdf: KdfParams,
        secrets: &[u8],
        joined: (&crate::team::Binding, &str),
    ) -> Result<Self, VaultError> {
        if secrets.len() != 64 {
            return Err(VaultError::InvalidInput(
                "member keys must be 64 bytes".into(),
            ));
        }
        let mut x = Zeroizing::new([0u8; 32]);
        x.copy_from_slice(&secrets[..32]);
        let mut e = Zeroizing::new([0u8; 32]);
        e.copy_from_slice(&secrets[32..]);
        Self::create_with_secrets(
            store,
            passphrase,
            kdf,
            StaticSecret::from(*x),
            SigningKey::from_bytes(&e),
            Some(joined),
        )
    }

    /// Creates the identity and the provisional team key; with `joined` (a device created by
    /// logging in), the identity takes the server's numbers and the binding is stored in the
    /// same transaction, so a failure leaves no half-joined vault.
    fn create_with_secrets(
        mut store: LocalStore,
        passphrase: &str,
        kdf: KdfParams,
        x25519: StaticSecret,
        signing: SigningKey,
        joined: Option<(&crate::team::Binding, &str)>,
    ) -> Result<Self, VaultError> {
        if passphrase.is_empty() {
            return Err(VaultError::InvalidInput("the passphrase is empty".into()));
        }
        if Identity::load(store.connection())?.is_some() {
            return Err(VaultError::AlreadyInitialised);
        }
        let mut ident = Identity {
            member: joined.map_or_else(MemberId::random, |(b, _)| MemberId::from_server(b.member)),
            device: joined.map_or_else(DeviceId::random, |(b, _)| DeviceId::from_server(b.device)),
            team: joined.map_or_else(TeamId::random, |(b, _)| TeamId::from_server(b.team)),
            kdf,
            salt: crypto::random_bytes::<16>().to_vec(),
            kek_id: KeyId::random(),
            wrapped_secrets: Vec::new(),
            x25519_public: *PublicKey::from(&x25519).as_bytes(),
            ed25519_public: signing.verifying_key().to_bytes(),
        };
        let kek = derive_kek(&ident, passphrase)?;
        ident.wrapped_secrets = wrap_secrets(&ident, &kek, &x25519, &signing);
        let team_key = DataKey::generate();
        let tx = store.connection_mut().transaction()?;
        tx.execute(
            "INSERT INTO identity (id, member_id, device_id, team_id, kdf_algorithm,
                 kdf_m_cost_kib, kdf_t_cost, kdf_p_cost, kdf_salt, kek_id, wrapped_secrets,
                 x25519_public, ed25519_public)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                &ident.member.0[..],
                &ident.device.0[..],
                &ident.team.0[..],
                KDF_ALGORITHM,
                kdf.m_cost_kib,
                kdf.t_cost,
                kdf.p_cost,
                &ident.salt,
                &ident.kek_id.0[..],
                &ident.wrapped_secrets,
                &ident.x25519_public[..],
                &ident.ed25519_public[..],
            ],
        )?;
        keys::store_team_key(&tx, &ident, keys::PROVISIONAL_EPOCH, &team_key)?;
        if let Some((binding, token)) = joined {
            sync_ops::insert_binding(&tx, &ident, &x25519, binding, token)?;
        }
        tx.commit()?;
        let unlocked = Unlocked {
            local_key: keys::local_key(&x25519),
            x25519,
            signing,
            team_keys: [(keys::PROVISIONAL_EPOCH, team_key)].into(),
            client_keys: HashMap::new(),
            record_keys: HashMap::new(),
            facets: None,
            index: SearchIndex::default(),
            clock: HlcClock::starting_after(records::max_hlc(store.connection())?),
            damaged: Vec::new(),
        };
        Ok(Self {
            store,
            ident,
            unlocked: Some(unlocked),
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            last_activity: Instant::now(),
            scoring: ScoringConfig::default(),
            clock_offset_ms: 0,
        })
    }

    /// Opens an existing vault, locked.
    ///
    /// Fails with [`VaultError::NotInitialised`] when the store has no vault yet.
    pub fn open(store: LocalStore) -> Result<Self, VaultError> {
        let ident = Identity::load(store.connection())?.ok_or(VaultError::NotInitialised)?;
        let clock_offset_ms: i64 = store
            .connection()
            .query_row(
                "SELECT clock_offset_ms FROM sync_binding WHERE id = 1",
                [],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0);
        Ok(Self {
            store,
            ident,
            unlocked: None,
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            last_activity: Instant::now(),
            scoring: ScoringConfig::default(),
            clock_offset_ms,
        })
    }

    /// Opens the vault in a data directory's database (see [`Vault::open`]).
    ///
    /// Fails when the database cannot be opened (foreign, damaged or newer file: it is then left
    /// untouched) or holds no vault.
    pub fn open_dir(data: &DataDir) -> Result<Self, VaultError> {
        Self::open_path(&data.database())
    }

    /// Opens the vault in the database at `path` (see [`Vault::open`]).
    ///
    /// Fails like [`Vault::open_dir`].
    pub fn open_path(path: &Path) -> Result<Self, VaultError> {
        Self::open(LocalStore::open(path)?)
    }

    /// Derives the key-encryption key with the stored parameters and opens the member's secrets,
    /// then the team key, then builds the search index.
    ///
    /// Fails with [`VaultError::WrongPassphrase`] (nothing changed) when the passphrase does not
    /// open the vault. Damaged client records do not fail the unlock: they are listed in the
    /// report and reading them gives [`VaultError::Integrity`].
    pub fn unlock(&mut self, passphrase: &str) -> Result<UnlockReport, VaultError> {
        // Nothing changes until everything succeeded: a wrong passphrase typed into an already
        // unlocked vault leaves it as it was.
        let started = Instant::now();
        let (x25519, signing) = open_secrets(&self.ident, passphrase)?;
        let kdf_time = started.elapsed();
        let conn = self.store.connection();
        let team_keys = keys::load_team_keys(conn, &self.ident, &x25519)?;
        let mut u = Unlocked {
            local_key: keys::local_key(&x25519),
            x25519,
            signing,
            team_keys,
            client_keys: HashMap::new(),
            record_keys: HashMap::new(),
            facets: None,
            index: SearchIndex::default(),
            clock: HlcClock::starting_after(records::max_hlc(conn)?),
            damaged: Vec::new(),
        };
        u.clock.set_offset_ms(self.clock_offset_ms);
        let index_started = Instant::now();
        build_index(conn, &self.ident, &mut u)?;
        let report = UnlockReport {
            clients_indexed: u.index.len(),
            damaged: u.damaged.clone(),
            kdf_time,
            index_time: index_started.elapsed(),
        };
        // Best effort: a failure here (a busy or full disk) must not keep the counselor out of
        // her vault; the next unlock tries again.
        let _ = review::fill_missing_summaries(self.store.connection_mut(), &self.ident, &mut u);
        self.unlocked = Some(u);
        self.last_activity = Instant::now();
        Ok(report)
    }

    /// Locks: drops (and so zeroizes) the private keys, the team and client keys and the
    /// search index.
    pub fn lock(&mut self) {
        self.unlocked = None;
    }

    /// Whether the vault is unlocked (and not yet past its idle timeout).
    pub fn is_unlocked(&self) -> bool {
        self.unlocked.is_some() && !self.idle_expired()
    }

    /// Sets the idle time after which the vault locks itself (`None`: never). Counts as
    /// activity, so a shorter timeout never locks the vault at the moment it is chosen.
    pub fn set_idle_timeout(&mut self, timeout: Option<Duration>) {
        self.idle_timeout = timeout;
        self.last_activity = Instant::now();
    }

    /// Locks the vault if it has been idle longer than the timeout; returns whether it is now
    /// locked. The app calls this from a timer; every operation also checks it.
    pub fn lock_if_idle(&mut self) -> bool {
        if self.idle_expired() {
            self.lock();
        }
        self.unlocked.is_none()
    }

    fn idle_expired(&self) -> bool {
        self.idle_timeout
            .is_some_and(|t| self.last_activity.elapsed() > t)
    }

    /// Fails with [`VaultError::Locked`] when locked (or past the idle timeout) without
    /// counting as activity: background work such as sync must not keep an unattended vault
    /// unlocked.
    fn ensure_unlocked(&mut self) -> Result<(), VaultError> {
        if self.lock_if_idle() {
            return Err(VaultError::Locked);
        }
        Ok(())
    }

    /// A reader for background work (see [`Vault::ensure_unlocked`]).
    fn quiet_reader(&mut self) -> Result<Reader<'_>, VaultError> {
        self.ensure_unlocked()?;
        let u = self.unlocked.as_mut().ok_or(VaultError::Locked)?;
        Ok(Reader {
            conn: self.store.connection(),
            ident: &self.ident,
            u,
            scoring: &self.scoring,
        })
    }

    /// Records activity, or locks and fails when the idle timeout passed.
    fn touch(&mut self) -> Result<(), VaultError> {
        if self.lock_if_idle() {
            return Err(VaultError::Locked);
        }
        self.last_activity = Instant::now();
        Ok(())
    }

    /// Replaces the passphrase: re-wraps the two private keys under a new salt; cost does not
    /// depend on the amount of data. Works locked or unlocked.
    ///
    /// Fails with [`VaultError::WrongPassphrase`] (nothing changed) when `old` is wrong, and with
    /// [`VaultError::PassphraseTooShort`] for a `new` one under [`MIN_PASSPHRASE_CHARS`] or
    /// [`VaultError::PassphraseTooWeak`].
    pub fn change_passphrase(&mut self, old: &str, new: &str) -> Result<(), VaultError> {
        let (x25519, signing) = open_secrets(&self.ident, old)?;
        check_new_passphrase(new)?;
        let mut next = self.ident.clone();
        next.salt = crypto::random_bytes::<16>().to_vec();
        next.kek_id = KeyId::random();
        let kek = derive_kek(&next, new)?;
        next.wrapped_secrets = wrap_secrets(&next, &kek, &x25519, &signing);
        self.store.connection().execute(
            "UPDATE identity SET kdf_salt = ?1, kek_id = ?2, wrapped_secrets = ?3,
                 kdf_m_cost_kib = ?4, kdf_t_cost = ?5, kdf_p_cost = ?6 WHERE id = 1",
            params![
                &next.salt,
                &next.kek_id.0[..],
                &next.wrapped_secrets,
                next.kdf.m_cost_kib,
                next.kdf.t_cost,
                next.kdf.p_cost
            ],
        )?;
        self.ident = next;
        Ok(())
    }

    /// Checks the passphrase without changing anything (one Argon2id derivation).
    ///
    /// Fails with [`VaultError::WrongPassphrase`].
    pub fn verify_passphrase(&self, passphrase: &str) -> Result<(), VaultError> {
        open_secrets(&self.ident, passphrase).map(|_| ())
    }

    /// The Argon2id parameters stored in this vault.
    pub fn kdf_params(&self) -> KdfParams {
        self.ident.kdf
    }

    /// This member's id.
    pub fn member_id(&self) -> MemberId {
        self.ident.member
    }

    /// This device's id.
    pub fn device_id(&self) -> DeviceId {
        self.ident.device
    }

    /// The team's id.
    pub fn team_id(&self) -> TeamId {
        self.ident.team
    }

    /// Sets screening scoring options (e.g. the SRQ-20 cut-off).
    pub fn set_scoring_config(&mut self, config: ScoringConfig) {
        self.scoring = config;
    }

    /// The underlying store (schema version, diagnostics).
    pub fn store(&self) -> &LocalStore {
        &self.store
    }

    /// Runs `f` as one durable transaction: every change it makes is appended to the log and
    /// applied to the tables, all or nothing.
    ///
    /// Fails with [`VaultError::Locked`] when locked, [`VaultError::DiskFull`] when the disk is
    /// full (nothing of the batch is saved), or whatever `f` returns (also nothing saved).
    pub fn batch<R>(
        &mut self,
        f: impl FnOnce(&mut Batch<'_>) -> Result<R, VaultError>,
    ) -> Result<R, VaultError> {
        self.touch()?;
        let Vault {
            store,
            ident,
            unlocked,
            scoring,
            ..
        } = self;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let tx = store.connection_mut().transaction()?;
        let mut b = Batch {
            tx,
            u,
            ident,
            scoring,
            index_updates: Vec::new(),
        };
        let out = f(&mut b)?;
        let Batch {
            tx,
            u,
            index_updates,
            ..
        } = b;
        tx.commit()?;
        u.facets = None;
        for (id, code, name, nickname) in index_updates {
            u.index.upsert(id, &code, &name, &nickname);
        }
        Ok(out)
    }

    fn reader(&mut self) -> Result<Reader<'_>, VaultError> {
        self.touch()?;
        let u = self.unlocked.as_mut().ok_or(VaultError::Locked)?;
        Ok(Reader {
            conn: self.store.connection(),
            ident: &self.ident,
            u,
            scoring: &self.scoring,
        })
    }

    /// Adds a client (and its data key); see [`Batch::add_client`].
    ///
    /// Fails when locked, on an empty or duplicate code, or when the write fails.
    pub fn add_client(&mut self, profile: &ClientProfile) -> Result<ClientId, VaultError> {
        self.batch(|b| b.add_client(profile))
    }

    /// Replaces a client's profile; only changed fields are written.
    ///
    /// Fails when locked, for an unknown client, a duplicate code, or a failed write.
    pub fn update_client(
        &mut self,
        id: ClientId,
        profile: &ClientProfile,
    ) -> Result<(), VaultError> {
        self.batch(|b| b.update_client(id, profile))
    }

    /// Reads a client.
    ///
    /// Fails when locked, for an unknown client, or with [`VaultError::Integrity`].
    pub fn client(&mut self, id: ClientId) -> Result<Client, VaultError> {
        self.reader()?.client(id)
    }

    /// Every client (from the in-memory index), sorted by code.
    ///
    /// Fails when locked.
    pub fn list_clients(&mut self) -> Result<Vec<ClientSummary>, VaultError> {
        Ok(self.reader()?.u.index.all())
    }

    /// Clients whose code, name or nickname contain every word of `query`, at most `limit`.
    ///
    /// Fails when locked.
    pub fn search_clients(
        &mut self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<ClientSummary>, VaultError> {
        Ok(self.reader()?.u.index.search(query, limit))
    }

    /// The client with this code (case-insensitive).
    ///
    /// Fails when locked or with [`VaultError::NotFound`].
    pub fn client_by_code(&mut self, code: &str) -> Result<ClientId, VaultError> {
        self.reader()?
            .u
            .index
            .by_code(code)
            .ok_or_else(|| VaultError::NotFound {
                what: "client",
                id: code.to_owned(),
            })
    }

    /// Opens a case for a client.
    ///
    /// Fails when locked, for an unknown client, or when the write fails.
    pub fn open_case(
        &mut self,
        client: ClientId,
        details: &CaseDetails,
    ) -> Result<CaseId, VaultError> {
        self.batch(|b| b.open_case(client, details))
    }

    /// Changes a case's details (stage, worker, closure...).
    ///
    /// Fails when locked, for an unknown case, or when the write fails.
    pub fn update_case(&mut self, case: CaseId, details: &CaseDetails) -> Result<(), VaultError> {
        self.batch(|b| b.update_case(case, details))
    }

    /// Appends an entry to a case's risk history.
    ///
    /// Fails when locked, for an unknown case, or when the write fails.
    pub fn record_risk(&mut self, case: CaseId, entry: &RiskEntry) -> Result<EntityId, VaultError> {
        self.batch(|b| b.record_risk(case, entry))
    }

    /// Records a consent (append-only).
    ///
    /// Fails when locked, for an unknown client, or when the write fails.
    pub fn record_consent(
        &mut self,
        client: ClientId,
        consent: &Consent,
    ) -> Result<ConsentId, VaultError> {
        self.batch(|b| b.record_consent(client, consent))
    }

    /// Records the withdrawal of a consent (the consent itself stays as it was).
    ///
    /// Fails when locked, for an unknown consent, or when the write fails.
    pub fn withdraw_consent(
        &mut self,
        consent: ConsentId,
        withdrawal: &ConsentWithdrawal,
    ) -> Result<(), VaultError> {
        self.batch(|b| b.withdraw_consent(consent, withdrawal))
    }

    /// Adds a draft session note.
    ///
    /// Fails when locked, for an unknown client, or when the write fails.
    pub fn add_note(&mut self, client: ClientId, draft: &NoteDraft) -> Result<NoteId, VaultError> {
        self.batch(|b| b.add_note(client, draft))
    }

    /// Edits a draft note.
    ///
    /// Fails with [`VaultError::NoteFinalised`] once the note is finalised.
    pub fn edit_note(&mut self, note: NoteId, draft: &NoteDraft) -> Result<(), VaultError> {
        self.batch(|b| b.edit_note(note, draft))
    }

    /// Finalises a note: its content becomes immutable.
    ///
    /// Fails with [`VaultError::NoteFinalised`] if it already is.
    pub fn finalise_note(&mut self, note: NoteId) -> Result<(), VaultError> {
        self.batch(|b| b.finalise_note(note))
    }

    /// Adds an addendum to a finalised note.
    ///
    /// Fails with [`VaultError::NoteIsDraft`] for a draft.
    pub fn add_addendum(&mut self, note: NoteId, text: &str) -> Result<AddendumId, VaultError> {
        self.batch(|b| b.add_addendum(note, text))
    }

    /// Reads a note with its addenda.
    ///
    /// Fails when locked, for an unknown note, or with [`VaultError::Integrity`].
    pub fn note(&mut self, note: NoteId) -> Result<Note, VaultError> {
        self.reader()?.note(note)
    }

    /// A client's notes, oldest first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn notes(&mut self, client: ClientId) -> Result<Vec<Note>, VaultError> {
        self.reader()?.notes(client)
    }

    /// Adds a follow-up task.
    ///
    /// Fails when locked, for an unknown client, or when the write fails.
    pub fn add_task(&mut self, client: ClientId, task: &Task) -> Result<TaskId, VaultError> {
        self.batch(|b| b.add_task(client, task))
    }

    /// Replaces a task (e.g. to mark it done).
    ///
    /// Fails when locked, for an unknown task, or when the write fails.
    pub fn update_task(&mut self, id: TaskId, task: &Task) -> Result<(), VaultError> {
        self.batch(|b| b.update_task(id, task))
    }

    /// Marks a client's task done now.
    ///
    /// Fails with [`VaultError::NotFound`] for a task the client does not have, and when locked.
    pub fn complete_task(&mut self, client: ClientId, task: TaskId) -> Result<(), VaultError> {
        let record = self
            .tasks(client)?
            .into_iter()
            .find(|t| t.id == task)
            .ok_or_else(|| VaultError::NotFound {
                what: "task",
                id: task.to_string(),
            })?;
        let mut done = record.task;
        done.done_at = Some(Utc::now());
        self.update_task(task, &done)
    }

    /// Records a screening this member administers now, in `language`, and returns it as stored,
    /// scored (what every shell shows after saving one).
    ///
    /// Fails with [`VaultError::InvalidInput`] for incomplete or out-of-range answers.
    pub fn record_screening(
        &mut self,
        client: ClientId,
        instrument: crate::screening::Instrument,
        answers: std::collections::BTreeMap<String, u8>,
        language: &str,
    ) -> Result<Screening, VaultError> {
        let answers = ScreeningAnswers {
            instrument,
            answers,
            administered_at: Some(Utc::now()),
            administered_by: Some(self.member_id()),
            language: language.to_owned(),
        };
        let id = self.add_screening(client, &answers)?;
        self.screenings(client)?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or_else(|| VaultError::NotFound {
                what: "screening",
                id: id.to_string(),
            })
    }

    /// Stores a screening after checking and scoring it.
    ///
    /// Fails with [`VaultError::InvalidInput`] for incomplete or out-of-range answers.
    pub fn add_screening(
        &mut self,
        client: ClientId,
        answers: &ScreeningAnswers,
    ) -> Result<ScreeningId, VaultError> {
        self.batch(|b| b.add_screening(client, answers))
    }

    /// Refers a client to a directory partner, or to a partner outside the directory (named,
    /// with its contact, and flagged for an admin to add). Creates the referral (status `sent`)
    /// and a follow-up task due on `follow_up_due` (a week from today when not given),
    /// atomically.
    ///
    /// Fails with [`VaultError::InvalidInput`] when the partner (a directory id, or the name and
    /// contact of an outside partner) or the reason is missing, and with [`VaultError::NoConsent`]
    /// when no consent in force covers referral and no other lawful basis is recorded.
    pub fn add_referral(
        &mut self,
        client: ClientId,
        referral: &Referral,
    ) -> Result<ReferralId, VaultError> {
        if referral.reason.trim().is_empty() {
            return Err(VaultError::InvalidInput(
                "a referral needs a partner and a reason".into(),
            ));
        }
        if referral.partner_outside_directory {
            if referral.partner_name.trim().is_empty() || referral.partner_contact.trim().is_empty()
            {
                return Err(VaultError::InvalidInput(
                    "a partner outside the directory needs its name and how to reach it".into(),
                ));
            }
        } else if referral.partner_id.trim().is_empty() {
            return Err(VaultError::InvalidInput(
                "a referral needs a partner and a reason".into(),
            ));
        }
        let consents = self.reader()?.consents(client)?;
        let covered = consents.iter().any(|c| {
            c.withdrawals.is_empty() && c.consent.purposes.iter().any(|p| p == "referral")
        });
        if !covered && referral.lawful_basis.is_none() {
            return Err(VaultError::NoConsent(
                "the client's consent does not cover referral: record consent for referral, or \
                 the lawful basis for referring without it"
                    .into(),
            ));
        }
        self.batch(|b| b.add_referral(client, referral))
    }

    /// Records a referral's next status (sent -> accepted -> completed, or declined). Closing a
    /// referral also closes its follow-up task.
    ///
    /// Fails with [`VaultError::NotFound`] for an unknown referral and with
    /// [`VaultError::InvalidInput`] for a transition that is not allowed.
    pub fn update_referral(
        &mut self,
        client: ClientId,
        id: ReferralId,
        update: &ReferralUpdate,
    ) -> Result<(), VaultError> {
        let referrals = self.reader()?.referrals(client)?;
        let current =
            referrals
                .iter()
                .find(|r| r.id == id)
                .ok_or_else(|| VaultError::NotFound {
                    what: "referral",
                    id: id.to_string(),
                })?;
        if !current.status.can_become(update.status) {
            return Err(VaultError::InvalidInput(format!(
                "a referral that is {:?} cannot become {:?}",
                current.status, update.status
            )));
        }
        let task = match current.referral.follow_up_task {
            Some(t) => self
                .reader()?
                .tasks(client)?
                .into_iter()
                .find(|r| r.id == t),
            None => None,
        };
        self.batch(|b| {
            b.add_referral_update(id, update)?;
            if let (true, Some(t)) = (update.status.is_closed(), task) {
                let mut done = t.task;
                done.done_at = update.at.or(Some(Utc::now()));
                b.update_task(t.id, &done)?;
            }
            Ok(())
        })
    }

    /// A client's follow-up tasks, oldest first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn tasks(&mut self, client: ClientId) -> Result<Vec<TaskRecord>, VaultError> {
        self.reader()?.tasks(client)
    }

    /// A client's referrals with their history, oldest first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn referrals(&mut self, client: ClientId) -> Result<Vec<ReferralRecord>, VaultError> {
        self.reader()?.referrals(client)
    }

    /// A client's screenings with computed results, oldest first.
    ///
    /// Fails when locked or with [`VaultError::Integrity`].
    pub fn screenings(&mut self, client: ClientId) -> Result<Vec<Screening>, VaultError> {
        self.reader()?.screenings(client)
    }

    /// Everything about one client, decrypted (for the data subject's access request).
    ///
    /// Fails when locked, for an unknown client, or with [`VaultError::Integrity`].
    pub fn export_client(&mut self, id: ClientId) -> Result<ClientExport, VaultError> {
        self.reader()?.export(id)
    }

    /// Every version ever written of every field of an entity (current ones and the ones they
    /// replaced, including concurrent edits that lost), oldest first per field.
    ///
    /// Fails when locked, for an unknown entity, or with [`VaultError::Integrity`].
    pub fn field_history(&mut self, entity: EntityId) -> Result<Vec<FieldVersion>, VaultError> {
        self.reader()?.field_history(entity)
    }

    /// Records named in [`UnlockReport::damaged`] at the last unlock.
    pub fn damaged_records(&self) -> &[String] {
        self.unlocked.as_ref().map_or(&[], |u| &u.damaged)
    }

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

    /// The materialised tables as bytes (see [`records::dump_state`]).
    ///
    /// Fails when the database cannot be read.
    pub fn state_dump(&self) -> Result<Vec<u8>, VaultError> {
        Ok(records::dump_state(self.store.connection())?)
    }

    /// Checks a record's signature against its author: this device, or a device of the
    /// accepted team roster (whose revocation bounds which of its records count).
    fn verifier(&self) -> Result<impl Fn(&RecordRow) -> Result<(), RecordError>, VaultError> {
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
            records::verify(&team, key, r)
        })
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
            ..
        } = self;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let ident: &Identity = ident;
        let tx = store.connection_mut().transaction()?;
        records::clear_state(&tx)?;
        for r in rows {
            let key = author_key(&authors, r);
            keys::open_record(&tx, ident, u, r)
                .and_then(|plain| keys::apply_plain(&tx, ident, u, r, &plain, &key))?;
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
        let Vault {
            store,
            ident,
            unlocked,
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
        let n = records::rebuild(&tx, |r| {
            check(r)?;
            let key = author_key(&authors, r);
            let opened = keys::open_record(&tx, ident, u, r)
                .and_then(|plain| keys::apply_plain(&tx, ident, u, r, &plain, &key));
            match opened {
                Ok(()) => Ok(()),
                Err(keys::OpenError::MissingKey(why)) => Err(refused(r, why)),
                Err(keys::OpenError::Vault(e)) => Err(refused(r, e.to_string())),
            }
        })?;
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

fn derive_kek(ident: &Identity, passphrase: &str) -> Result<DataKey, VaultError> {
    let k = crypto::derive_kek(passphrase.as_bytes(), &ident.salt, ident.kdf)
        .map_err(|e| VaultError::InvalidInput(e.to_string()))?;
    Ok(DataKey::from_parts(ident.kek_id, k))
}

fn wrap_secrets(
    ident: &Identity,
    kek: &DataKey,
    x25519: &StaticSecret,
    signing: &SigningKey,
) -> Vec<u8> {
    let mut pt = Zeroizing::new([0u8; 64]);
    pt[..32].copy_from_slice(x25519.as_bytes());
    pt[32..].copy_from_slice(signing.as_bytes());
    kek.seal(&ident.secrets_context(), pt.as_ref())
}

fn open_secrets(
    ident: &Identity,
    passphrase: &str,
) -> Result<(StaticSecret, SigningKey), VaultError> {
    let kek = derive_kek(ident, passphrase)?;
    let pt = kek
        .open(&ident.secrets_context(), &ident.wrapped_secrets)
        .map_err(|e| match e {
            EnvelopeError::Integrity => VaultError::WrongPassphrase,
            _ => VaultError::Integrity {
                record: "the identity header (wrapped keys)".into(),
            },
        })?;
    if pt.len() != 64 {
        return Err(VaultError::Integrity {
            record: "the identity header (wrapped keys)".into(),
        });
    }
    let mut x = Zeroizing::new([0u8; 32]);
    x.copy_from_slice(&pt[..32]);
    let mut e = Zeroizing::new([0u8; 32]);
    e.copy_from_slice(&pt[32..]);
    let x25519 = StaticSecret::from(*x);
    let signing = SigningKey::from_bytes(&e);
    if PublicKey::from(&x25519).as_bytes() != &ident.x25519_public
        || signing.verifying_key().to_bytes() != ident.ed25519_public
    {
        return Err(VaultError::Integrity {
            record: "the identity header (public keys do not match)".into(),
        });
    }
    Ok((x25519, signing))
}

fn binding_aad(
    ident: &Identity,
    device: &[u8; 16],
    seq: u64,
    kind: RecordKind,
    entity: &EntityId,
    field: &str,
) -> Vec<u8> {
    RecordBinding {
        team: ident.team.0,
        device: *device,
        device_seq: seq,
        kind: kind.as_str(),
        entity: entity.0,
        field,
    }
    .to_aad()
}

fn record_name(
    kind: RecordKind,
    entity: &EntityId,
    field: &str,
    device: &[u8],
    seq: u64,
) -> String {
    format!(
        "{} {} field `{field}` (record {}/{seq})",
        kind.as_str(),
        entity,
        hex(device)
    )
}

fn id16(v: &[u8]) -> Result<[u8; 16], VaultError> {
    v.try_into()
        .map_err(|_| VaultError::Log("an id column is not 16 bytes".into()))
}

/// Opens a client's data key from `client_keys` (cached in `u`).
fn client_key<'u>(
    conn: &Connection,
    ident: &Identity,
    u: &'u mut Unlocked,
    client: ClientId,
) -> Result<&'u DataKey, VaultError> {
    if !u.client_keys.contains_key(&client) {
        let row: Option<(Vec<u8>, i64, Vec<u8>)> = conn
            .prepare_cached("SELECT device_id, seq, wrapped FROM client_keys WHERE client_id = ?1")?
            .query_row([&client.0[..]], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let (device, seq, wrapped) = row.ok_or_else(|| VaultError::NotFound {
            what: "client",
            id: client.to_string(),
        })?;
        let key = unwrap_client_key(ident, u, client, &device, seq, &wrapped)?;
        u.client_keys.insert(client, key);
    }
    // Lazily built: this runs once per envelope opened, and formatting the id eagerly was a
    // measurable share of the review queue.
    u.client_keys
        .get(&client)
        .ok_or_else(|| VaultError::NotFound {
            what: "client key",
            id: client.to_string(),
        })
}

fn unwrap_client_key(
    ident: &Identity,
    u: &Unlocked,
    client: ClientId,
    device: &[u8],
    seq: i64,
    wrapped: &[u8],
) -> Result<DataKey, VaultError> {
    let seq = u64::try_from(seq).unwrap_or(0);
    let entity = EntityId(client.0);
    let aad = binding_aad(
        ident,
        &id16(device)?,
        seq,
        RecordKind::ClientKey,
        &entity,
        "data_key",
    );
    u.local_key
        .open(&aad, wrapped)
        .and_then(|pt| {
            if pt.len() == 48 {
                let mut k = Zeroizing::new([0u8; 32]);
                k.copy_from_slice(&pt[16..]);
                KeyId::from_slice(&pt[..16])
                    .map(|id| DataKey::from_parts(id, k))
                    .ok_or(EnvelopeError::Integrity)
            } else {
                Err(EnvelopeError::Integrity)
            }
        })
        .map_err(|_| VaultError::Integrity {
            record: record_name(RecordKind::ClientKey, &entity, "data_key", device, seq),
        })
}

/// Decrypts the index fields of every client into `u.index`.
fn build_index(conn: &Connection, ident: &Identity, u: &mut Unlocked) -> Result<(), VaultError> {
    {
        let mut st = conn.prepare("SELECT client_id, device_id, seq, wrapped FROM client_keys")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let client = ClientId(id16(&r.get::<_, Vec<u8>>(0)?)?);
            let device: Vec<u8> = r.get(1)?;
            match unwrap_client_key(
                ident,
                u,
                client,
                &device,
                r.get(2)?,
                &r.get::<_, Vec<u8>>(3)?,
            ) {
                Ok(k) => {
                    u.client_keys.insert(client, k);
                }
                Err(VaultError::Integrity { record }) => u.damaged.push(record),
                Err(e) => return Err(e),
            }
        }
    }
    let mut st = conn.prepare(
        "SELECT f.entity_id, f.field, f.device_id, f.seq, f.value
         FROM entities e JOIN entity_fields f ON f.entity_id = e.entity_id
         WHERE e.kind = 'client' AND f.field IN ('code', 'name', 'nickname')
         ORDER BY f.entity_id",
    )?;
    let mut rows = st.query([])?;
    u.index.reserve(u.client_keys.len());
    let mut current: Option<(ClientId, [Zeroizing<String>; 3], bool)> = None;
    let flush = |c: Option<(ClientId, [Zeroizing<String>; 3], bool)>, ix: &mut SearchIndex| {
        if let Some((id, [code, name, nick], ok)) = c {
            if ok {
                ix.push_new(id, &code, &name, &nick);
            }
        }
    };
    while let Some(r) = rows.next()? {
        let client = ClientId(id16(&r.get::<_, Vec<u8>>(0)?)?);
        if current.as_ref().map(|c| c.0) != Some(client) {
            flush(current.take(), &mut u.index);
            current = Some((client, Default::default(), true));
        }
        let Some(cur) = current.as_mut() else {
            continue;
        };
        if !cur.2 {
            continue;
        }
        let field: String = r.get(1)?;
        let device: Vec<u8> = r.get(2)?;
        let seq = u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0);
        let entity = EntityId(client.0);
        let Some(key) = u.client_keys.get(&client) else {
            cur.2 = false;
            continue;
        };
        let aad = binding_aad(
            ident,
            &id16(&device)?,
            seq,
            RecordKind::Client,
            &entity,
            &field,
        );
        let value: Vec<u8> = r.get(4)?;
        let text = key
            .open(&aad, &value)
            .ok()
            .and_then(|pt| serde_json::from_slice::<String>(&pt).ok());
        let Some(text) = text else {
            u.damaged.push(record_name(
                RecordKind::Client,
                &entity,
                &field,
                &device,
                seq,
            ));
            cur.2 = false;
            continue;
        };
        let slot = match field.as_str() {
            "code" => 0,
            "name" => 1,
            _ => 2,
        };
        cur.1[slot] = Zeroizing::new(text);
    }
    flush(current.take(), &mut u.index);
    Ok(())
}

fn check_zone(draft: &NoteDraft) -> Result<(), VaultError> {
    if crate::domain::is_plausible_iana_zone(&draft.zone) {
        Ok(())
    } else {
        Err(VaultError::InvalidInput(format!(
            "{:?} is not a time-zone name such as Asia/Jakarta (WIB), Asia/Makassar (WITA) or \
             Asia/Jayapura (WIT)",
            draft.zone
        )))
    }
}

/// Serialises a value into its top-level fields (JSON bytes each).
fn to_fields<T: Serialize>(v: &T) -> Result<Map<String, Value>, VaultError> {
    match serde_json::to_value(v) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(VaultError::InvalidInput("not a record".into())),
        Err(e) => Err(VaultError::InvalidInput(e.to_string())),
    }
}

fn from_fields<T: DeserializeOwned>(m: Map<String, Value>, what: &str) -> Result<T, VaultError> {
    // serde's message may quote the offending (decrypted) value; errors end up in logs and
    // UI, so report only which record and the kind of mismatch.
    serde_json::from_value(Value::Object(m)).map_err(|e| VaultError::Integrity {
        record: format!(
            "{what}: decrypted fields do not form a valid record ({:?} error)",
            e.classify()
        ),
    })
}
