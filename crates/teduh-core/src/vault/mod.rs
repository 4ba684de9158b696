//! The vault: a member's identity and keys, and every read and write of the counseling record.
//!
//! This module is the kernel's life cycle: [`Vault::create`] (first run) or [`Vault::open`]
//! (locked) -> [`Vault::unlock`] -> reads and writes -> [`Vault::lock`] (or the idle timeout)
//! -> secrets wiped. Everything else is a room of its own:
//!
//! - `identity`: the identity header and the passphrase. The passphrase goes through Argon2id
//!   (parameters and salt stored in the `identity` table and always read back from it) to a
//!   key-encryption key that opens the member's X25519 and Ed25519 secrets. A wrong passphrase
//!   is [`VaultError::WrongPassphrase`] and changes nothing. [`Vault::change_passphrase`]
//!   re-wraps those two secrets only.
//! - `keys`: the team key is sealed to the member's X25519 key; each client has its own random
//!   data key wrapped under the team key: the basis for erasing one client by destroying its key
//!   (the erasure operation itself, which must also reach the log and other devices, is not
//!   built yet).
//! - `sealed`, `batch`, `read`: the sealed store. Every write goes through [`Vault::batch`]: one
//!   SQLite transaction appends signed records to the log and applies them to the materialised
//!   tables (see [`crate::records`]), then commits durably (WAL, `synchronous=FULL`). Reads
//!   decrypt field by field; a field that fails authentication is reported as
//!   [`VaultError::Integrity`] naming its record, without affecting anything else.
//!   `projection`: derived sealed rows (the supervision summaries) that the store refreshes
//!   whenever it applies a record of their kind; features register theirs in `PROJECTIONS`.
//! - Features over that store: `casework`, `review` (supervision), `mine` (the counselor's side
//!   of supervision), `facets` (the client list's filters), `revisions` (conflict revisions),
//!   `sync_ops` (the vault's side of sync, with `receive_rules`), `integrity` (rebuild and
//!   consistency checks). `error` holds [`VaultError`].

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, OptionalExtension};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::crypto::{self, DataKey, KdfParams};
use crate::hlc::HlcClock;
use crate::ids::{ClientId, DeviceId, EntityId, KeyId, MemberId, TeamId};
use crate::index::SearchIndex;
use crate::paths::DataDir;
use crate::records::{self, RecordKind};
use crate::screening::ScoringConfig;
use crate::store::LocalStore;

mod assignment;
mod audit;
mod batch;
mod casework;
mod checkpoints;
pub use checkpoints::{RosterConfirmation, ROSTER_CONFIRMATION_WARNING_DAYS};
mod breaches;
mod contacts;
mod episodes;
mod erasure;
mod error;
mod facets;
#[cfg(test)]
mod fixtures;
mod identity;
mod integrity;
mod keys;
mod limits;
mod mine;
mod open_error;
mod projection;
mod read;
mod readers;
mod receive_rules;
mod requests;
mod review;
mod revisions;
mod sealed;
mod sync_ops;

pub use assignment::{AssignOutcome, AssignmentChange, CaseAssignment, CaseWorker};
pub use audit::{
    AccessAction, AccessEntry, AccessExport, ChainBreak, DeviceChain, TrailAction, TrailEvent,
    ACCESS_EXPORT_FORMAT, ACCESS_REPEAT_MINUTES, SILENT_DAYS,
};
pub use batch::Batch;
pub use breaches::BreachView;
pub use casework::ClientExport;
pub use contacts::{
    ContactCount, ContactFilter, ContactInput, ContactList, ContactStats, ContactView,
};
pub use episodes::{EpisodeDecision, EpisodeView, OnCallNow, UrgentDue, RECENT_RED_FLAG_DAYS};
pub use erasure::{
    ErasedSubject, ErasureCause, ErasureDevice, ErasureState, ErasureView, RetentionCheck,
    RetentionDue, MAX_SUBJECTS,
};
pub use error::VaultError;
pub use facets::ClientFacets;
use identity::{
    check_new_passphrase, derive_kek, open_secrets, wrap_secrets, Identity, KDF_ALGORITHM,
};
pub use mine::ReviewNews;
use projection::Projection;
pub use read::FieldVersion;
use read::Reader;
pub use requests::RequestView;
pub use review::{
    Caseload, Dashboard, QueueFilter, QueueItem, Review, ReviewAction, ReviewDraft, ReviewState,
    Trends, WeekCount,
};
pub use revisions::ConflictRevision;
use sealed::{binding_aad, id16, record_name, unwrap_client_key};
pub use sync_ops::{InvitationLabels, OrgKeySheet, RefreshChain, SyncCredentials};
pub use sync_ops::{
    PendingDevice, ReceiveReport, ReportedAlarm, SafetyNumber, SecurityAlarm,
    MAX_FAILED_COPIES_HELD,
};
pub(crate) use sync_ops::{PendingListing, ProofCheck};

/// The projections every applied record refreshes: the supervision feature's sealed note and
/// screening summaries, the contact log's contact summaries.
const PROJECTIONS: &[Projection] = &[
    review::summaries::PROJECTIONS[0],
    review::summaries::PROJECTIONS[1],
    contacts::PROJECTION,
];

/// Least time between two checkpoints when only records moved on: a withheld record is noticed
/// within this and two rounds, and a busy team's logs do not fill with checkpoints.
pub const DEFAULT_CHECKPOINT_INTERVAL: Duration = Duration::from_secs(10 * 60);

/// Default idle time after which the vault locks itself.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

pub use crate::passphrase::MIN_PASSPHRASE_CHARS;

/// Secrets and caches that exist only while unlocked; all wiped on drop.
struct Unlocked {
    /// Opens team-key envelopes of later epochs (sync).
    x25519: StaticSecret,
    signing: SigningKey,
    /// Team keys by epoch (0: the provisional key of a device that has not joined a team).
    team_keys: std::collections::BTreeMap<u32, DataKey>,
    /// Seals this device's copies of client data keys.
    local_key: DataKey,
    /// The key sealing this device's copies of each client's fields.
    client_keys: HashMap<ClientId, DataKey>,
    /// Every key of each client this device holds, newest first (`sealed::client_key_versions`).
    client_versions: HashMap<ClientId, Vec<DataKey>>,
    /// Record keys of (client, epoch), one per client key version, newest first.
    record_keys: HashMap<(ClientId, u32), Vec<DataKey>>,
    /// The client list's filter facts, until the next change (see `Vault::client_facets`).
    facets: Option<HashMap<ClientId, facets::ClientFacets>>,
    index: SearchIndex,
    /// The contact list, read at the first use after unlock (see `contacts/read.rs`).
    contacts: contacts::ContactCache,
    /// Caller-number hashes computed while unlocked (normalised number, stored hash).
    caller_hashes: Vec<(Zeroizing<String>, String)>,
    clock: HlcClock,
    damaged: Vec<String>,
    /// When this member last opened each (action, record) here (`audit/`): one entry per
    /// opening, not one per reload.
    recent_access: HashMap<(audit::AccessAction, EntityId), Instant>,
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

/// A member's vault over the device's local store.
pub struct Vault {
    store: LocalStore,
    ident: Identity,
    unlocked: Option<Unlocked>,
    idle_timeout: Option<Duration>,
    /// Least time between two checkpoints of this device when only records moved on
    /// (`vault/checkpoints/`).
    checkpoint_interval: Duration,
    last_activity: Instant,
    scoring: ScoringConfig,
    /// The derived tables kept current with the records (see [`projection`]).
    projections: &'static [Projection],
    clock_offset_ms: i64,
    /// Held while this vault's tokens are renewed (`sync::credentials`): two renewals with the
    /// same refresh token would look like a copied token to the server, which revokes the
    /// device.
    token_renewal: std::sync::Arc<std::sync::Mutex<()>>,
    /// A record kind this vault reads as an older build would: not at all (tests of what a
    /// device does with a record a newer version of Teduh wrote).
    #[cfg(feature = "forge")]
    older_build_lacks: Option<RecordKind>,
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
        Self::create_with_secrets(store, passphrase, kdf, x25519, signing)
    }

    /// Creates the identity (this device's own key pairs) and the provisional team key.
    fn create_with_secrets(
        mut store: LocalStore,
        passphrase: &str,
        kdf: KdfParams,
        x25519: StaticSecret,
        signing: SigningKey,
    ) -> Result<Self, VaultError> {
        if passphrase.is_empty() {
            return Err(VaultError::InvalidInput("the passphrase is empty".into()));
        }
        if Identity::load(store.connection())?.is_some() {
            return Err(VaultError::AlreadyInitialised);
        }
        let mut ident = Identity {
            member: MemberId::random(),
            device: DeviceId::random(),
            team: TeamId::random(),
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
        // A new vault holds nothing an upgrade step would change.
        episodes::mark_upgraded(&tx)?;
        tx.commit()?;
        let unlocked = Unlocked {
            local_key: keys::local_key(&x25519),
            x25519,
            signing,
            team_keys: [(keys::PROVISIONAL_EPOCH, team_key)].into(),
            client_keys: HashMap::new(),
            client_versions: HashMap::new(),
            record_keys: HashMap::new(),
            facets: None,
            index: SearchIndex::default(),
            contacts: contacts::ContactCache::default(),
            caller_hashes: Vec::new(),
            clock: HlcClock::starting_after(records::max_hlc(store.connection())?),
            damaged: Vec::new(),
            recent_access: HashMap::new(),
        };
        Ok(Self {
            store,
            ident,
            unlocked: Some(unlocked),
            idle_timeout: Some(DEFAULT_IDLE_TIMEOUT),
            checkpoint_interval: DEFAULT_CHECKPOINT_INTERVAL,
            token_renewal: std::sync::Arc::default(),
            last_activity: Instant::now(),
            scoring: ScoringConfig::default(),
            projections: PROJECTIONS,
            clock_offset_ms: 0,
            #[cfg(feature = "forge")]
            older_build_lacks: None,
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
            checkpoint_interval: DEFAULT_CHECKPOINT_INTERVAL,
            token_renewal: std::sync::Arc::default(),
            last_activity: Instant::now(),
            scoring: ScoringConfig::default(),
            projections: PROJECTIONS,
            clock_offset_ms,
            #[cfg(feature = "forge")]
            older_build_lacks: None,
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
            client_versions: HashMap::new(),
            record_keys: HashMap::new(),
            facets: None,
            index: SearchIndex::default(),
            contacts: contacts::ContactCache::default(),
            caller_hashes: Vec::new(),
            clock: HlcClock::starting_after(records::max_hlc(conn)?),
            damaged: Vec::new(),
            recent_access: HashMap::new(),
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
        let _ = projection::fill_missing_rows(
            self.projections,
            self.store.connection_mut(),
            &self.ident,
            &mut u,
        );
        self.unlocked = Some(u);
        self.last_activity = Instant::now();
        // Also best effort, and tried again at the next unlock until it has run once.
        let _ = self.open_episodes_for_recent_red_flags(chrono::Utc::now());
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

    /// Sets the least time between two checkpoints of this device when only records moved on
    /// (a new roster or epoch is stated at once).
    pub fn set_checkpoint_interval(&mut self, interval: Duration) {
        self.checkpoint_interval = interval;
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
        self.batch_unchecked(f)
    }

    /// [`Vault::batch`] for background work (see [`Vault::ensure_unlocked`]).
    fn quiet_batch<R>(
        &mut self,
        f: impl FnOnce(&mut Batch<'_>) -> Result<R, VaultError>,
    ) -> Result<R, VaultError> {
        self.ensure_unlocked()?;
        self.batch_unchecked(f)
    }

    fn batch_unchecked<R>(
        &mut self,
        f: impl FnOnce(&mut Batch<'_>) -> Result<R, VaultError>,
    ) -> Result<R, VaultError> {
        let Vault {
            store,
            ident,
            unlocked,
            scoring,
            projections,
            ..
        } = self;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let tx = store.connection_mut().transaction()?;
        let mut b = Batch {
            tx,
            u,
            ident,
            scoring,
            projections,
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

    /// Records named in [`UnlockReport::damaged`] at the last unlock.
    pub fn damaged_records(&self) -> &[String] {
        self.unlocked.as_ref().map_or(&[], |u| &u.damaged)
    }
}
/// Decrypts the index fields of every client into `u.index`.
fn build_index(conn: &Connection, ident: &Identity, u: &mut Unlocked) -> Result<(), VaultError> {
    {
        // Clients' keys only: a contact's key is opened when the contact list is first read.
        let mut st = conn.prepare(
            "SELECT k.client_id, k.device_id, k.seq, k.wrapped FROM client_keys k
             WHERE k.local = 1 AND EXISTS (SELECT 1 FROM entities e WHERE e.entity_id = k.client_id
                           AND e.kind = 'client')",
        )?;
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
