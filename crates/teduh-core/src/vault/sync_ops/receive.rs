//! Receiving the team's records: one page verified, opened and applied with the pull cursor in
//! one transaction, records held with their reason, and the security alarms raised (what to
//! check before applying is in `receive_rules`).

use rusqlite::{params, Connection};
use sha2::Digest;
use teduh_protocol::sync::{PushPage, Record};

use super::ahead::Ahead;
use crate::ids::TeamId;
use crate::records::{self, RecordKind, RecordRow};
use crate::store::Cached as _;
use crate::team::roster::Authors;
use crate::vault::erasure::shred;
use crate::vault::error::VaultError;
use crate::vault::identity::Identity;
use crate::vault::keys::{self, OpenError};
use crate::vault::projection::Projection;
use crate::vault::readers;
use crate::vault::{Unlocked, Vault};

/// What receiving one page did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiveReport {
    /// Records verified, opened and applied.
    pub applied: u64,
    /// Records of this device coming back (already here).
    pub own: u64,
    /// Records of clients this device does not read, stored unopened (they open if a key
    /// arrives: assigned to the case).
    pub unopened: u64,
    /// Records that arrived erased (their tombstones, issue 26): in the log, signed header and
    /// body digest verified, nothing to apply.
    pub erased: u64,
    /// Records already present (a page received twice).
    pub duplicates: u64,
    /// Records kept aside (unknown or revoked author, bad signature, missing key, damage),
    /// with the reason; retried when the roster or the keys change.
    pub held: Vec<String>,
    /// Copies that failed their check and were not kept, because
    /// [`MAX_FAILED_COPIES_HELD`] such copies are held already (a server flooding a device
    /// with junk fills no disk).
    pub discarded: u64,
    /// Security alarms raised by this page (e.g. a device signed two different records under
    /// one sequence); the records are kept in [`Vault::security_alarms`], never applied.
    pub alarms: Vec<String>,
}

/// At most this many received copies that failed their check (a bad signature from a device the
/// roster lists, a header that does not open) are kept aside, as evidence; copies still to be
/// checked (an author not listed yet, an epoch's key, an update) are never dropped.
pub const MAX_FAILED_COPIES_HELD: i64 = 256;

/// Something a device refused because it can only be an attack or a fault in another device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityAlarm {
    /// `"equivocation"`: a second, differently signed record under a sequence already applied.
    pub kind: String,
    /// The server's number of the device concerned.
    pub device: u64,
    /// The sequence concerned.
    pub seq: u64,
    /// What was seen, in English.
    pub detail: String,
    /// When it was first seen (Unix seconds).
    pub first_seen: i64,
}

impl Vault {
    /// Receives one pulled page: each record is checked (known, unrevoked author; valid
    /// signature; next in its device's sequence; opens with the team's keys) and applied, or
    /// held with the reason; then the pull cursor moves to `next_cursor`, all in one
    /// transaction. Earlier held records are retried first.
    ///
    /// Fails when locked or the write fails (then nothing changed, the cursor included).
    pub fn receive_page(
        &mut self,
        page: &[Record],
        next_cursor: u64,
    ) -> Result<ReceiveReport, VaultError> {
        self.ensure_unlocked()?;
        // One roster read (and signature check) for both: the keys and who signs for whom.
        let roster = self.roster()?;
        let authors = self.authors_in(roster.as_ref());
        // Who this member is in the roster: a member taken off a case drops it here, and an
        // assignment naming her is checked against her role like anyone's (her own records are
        // never checked: they come back as `Own`).
        let me = self.assignment_self(roster.as_ref())?;
        let signers = crate::vault::receive_rules::signers(
            roster.as_ref(),
            (self.ident.device, self.ident.member),
            me.map(|(_, role, _)| role),
        );
        #[cfg(feature = "forge")]
        let older_build_lacks = self.older_build_lacks;
        let Vault {
            store,
            ident,
            unlocked,
            projections,
            scoring,
            ..
        } = self;
        let ident: &Identity = ident;
        let u = unlocked.as_mut().ok_or(VaultError::Locked)?;
        let tx = store.connection_mut().transaction()?;
        let mut report = ReceiveReport::default();
        let mut touched_clients = Vec::new();
        let mut assigned = Vec::new();
        let mut erasures = Vec::new();
        // Held records first (in device order), then the page.
        let held: Vec<Vec<u8>> = tx
            .prepare("SELECT record FROM sync_held ORDER BY device, seq")?
            .query_map([], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        tx.execute("DELETE FROM sync_held", [])?;
        let mut queue: Vec<Record> = Vec::with_capacity(held.len() + page.len());
        for bytes in held {
            if let Ok(p) = PushPage::decode(&bytes) {
                queue.extend(p.records);
            }
        }
        queue.extend(page.iter().cloned());
        let header_keys = keys::header_keys(ident, u);
        let parsed: Vec<_> = queue
            .iter()
            .map(|w| RecordRow::from_wire(w, &ident.team, header_keys.get(&w.key_epoch)))
            .collect();
        #[cfg(feature = "forge")]
        let parsed: Vec<_> = parsed
            .into_iter()
            .map(|r| match r {
                Ok(row) if Some(row.kind) == older_build_lacks => {
                    Err(crate::records::RecordError::NeedsNewerVersion {
                        device: crate::ids::hex(&row.device.0),
                        seq: row.seq,
                        what: format!("record kind {}", row.kind.code()),
                    })
                }
                other => other,
            })
            .collect();
        // A colleague in the roster already writes under an epoch this device has never been
        // given: the clear epoch of her record says a newer one exists (the checkpoint that
        // would say so is sealed under it).
        let unknown_epochs: Vec<Option<u32>> = parsed
            .iter()
            .zip(&queue)
            .map(|(r, w)| match r {
                Err(crate::records::RecordError::MissingHeaderKey { epoch, .. })
                    if authors.contains_key(&crate::ids::DeviceId::from_server(w.device_id)) =>
                {
                    Some(*epoch)
                }
                _ => None,
            })
            .collect();
        // Signatures are verified on a second thread ahead of the records being applied here
        // (this thread helps when it catches up), so verification overlaps the database work.
        // This device's own records coming back are recognised as its own before anything
        // else (`receive_one`): checking their signatures was a third of a large push's round.
        let verify = |i: usize| {
            crate::ids::DeviceId::from_server(queue[i].device_id) != ident.device
                && signed_by_author(&ident.team, &authors, &parsed[i])
        };
        Ahead::run(parsed.len(), verify, |verdicts| {
            for (i, ((w, row), unknown_epoch)) in
                queue.iter().zip(&parsed).zip(unknown_epochs).enumerate()
            {
                // A verification that panicked counts as failed.
                let signature_ok = verdicts.take(i).unwrap_or(false);
                // Held below, a copy that failed its check is junk, not a record that waits.
                let checked = match row {
                    // An author the roster does not list yet cannot be checked yet (a colleague
                    // admitted during this round): kept whatever the count.
                    Ok(_) => {
                        signature_ok
                            || !authors
                                .contains_key(&crate::ids::DeviceId::from_server(w.device_id))
                    }
                    Err(e) => e.awaits_this_device(),
                };
                let checks = Checks {
                    authors: &authors,
                    signers: &signers,
                    projections,
                    scoring,
                };
                match receive_one(&tx, ident, u, &checks, w, row, signature_ok)? {
                    Ok(Received::Applied(rows, alarms)) => {
                        report.alarms.extend(alarms);
                        for row in rows {
                            report.applied += 1;
                            u.clock.observe(row.hlc);
                            if row.kind == RecordKind::Client {
                                touched_clients.push(row.client);
                            }
                            if row.kind == RecordKind::Assignment {
                                assigned.push(row.client);
                            }
                            if row.kind == RecordKind::Erasure {
                                erasures.push(crate::ids::ErasureId(row.entity.0));
                            }
                        }
                    }
                    Ok(Received::Unopened) => report.unopened += 1,
                    Ok(Received::Erased) => report.erased += 1,
                    Ok(Received::Own) => report.own += 1,
                    Ok(Received::Duplicate) => report.duplicates += 1,
                    Ok(Received::Equivocation(detail)) => {
                        super::team::insert_alarm(
                            &tx,
                            crate::team::AlarmKind::Equivocation,
                            w.device_id,
                            w.device_seq,
                            &detail,
                            &PushPage {
                                records: vec![w.clone()],
                            }
                            .encode(),
                        )?;
                        report
                            .alarms
                            .push(format!("record {}/{}: {detail}", w.device_id, w.device_seq));
                    }
                    Err(why) => hold(&tx, u, w, &why, unknown_epoch, checked, &mut report)?,
                }
            }
            Ok::<(), VaultError>(())
        })?;
        // A member taken off a case no longer reads it here (decision 0008).
        crate::vault::assignment::forget_unassigned(
            &tx,
            ident,
            u,
            scoring,
            me,
            roster.as_ref(),
            &assigned,
        )?;
        // An erasure a key manager approved shreds its subjects here too (issue 26), and a
        // record of a client or entity erased earlier is erased as it arrives.
        let shredding = !erasures.is_empty();
        for id in erasures {
            let subjects = crate::vault::erasure::erased_subjects_of(
                &mut crate::vault::read::Reader {
                    conn: &tx,
                    ident,
                    u,
                    scoring,
                },
                id,
            )?;
            crate::vault::erasure::shred_subjects(&tx, ident, u, id, &subjects)?;
        }
        let erased = shred::settle(&tx, ident)? > 0 || shredding;
        tx.execute(
            "UPDATE sync_binding SET pull_cursor = MAX(pull_cursor, ?1) WHERE id = 1",
            [i64::try_from(next_cursor).unwrap_or(i64::MAX)],
        )?;
        tx.commit()?;
        if report.applied > 0 {
            u.facets = None;
        }
        if erased {
            self.scrub_after_erasure()?;
        }
        for c in touched_clients {
            if let Ok(client) = self
                .quiet_reader()
                .and_then(|mut r| r.client(c, chrono::Utc::now().date_naive()))
            {
                if let Some(u) = self.unlocked.as_mut() {
                    u.index.upsert(
                        c,
                        &client.profile.code,
                        &client.profile.name,
                        &client.profile.nickname,
                    );
                }
            }
        }
        Ok(report)
    }

    /// How many security alarms this device has raised or, on a key manager's device, received
    /// as reports from the team's devices (what the sync status shows).
    ///
    /// Fails when the database cannot be read.
    pub fn security_alarm_count(&self) -> Result<u64, VaultError> {
        let n: i64 = self.store.connection().query_row(
            "SELECT (SELECT COUNT(*) FROM security_alarm)
                  + (SELECT COUNT(*) FROM alarm_report WHERE verified = 1)",
            [],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Security alarms raised on this device, oldest first.
    ///
    /// Fails when the database cannot be read.
    pub fn security_alarms(&self) -> Result<Vec<SecurityAlarm>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare(
                "SELECT kind, device, seq, detail, first_seen FROM security_alarm ORDER BY id",
            )?
            .query_map([], |r| {
                Ok(SecurityAlarm {
                    kind: r.get(0)?,
                    device: u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0),
                    seq: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                    detail: r.get(3)?,
                    first_seen: r.get(4)?,
                })
            })?
            .collect::<Result<_, _>>()?)
    }

    /// How many received records wait for a newer version of Teduh (of a format or kind this
    /// build does not know): kept, and applied after the update; the app asks for it
    /// ("Perbarui Teduh").
    ///
    /// Fails when the database cannot be read.
    pub fn update_needed(&self) -> Result<u64, VaultError> {
        let n: i64 = self.store.connection().query_row(
            "SELECT COUNT(*) FROM sync_held WHERE instr(reason, ?1) > 0",
            [records::NEEDS_NEWER_VERSION],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// Treats records of `kind` as an older build would, one that does not know the kind
    /// (`None`: this build again, as after an update).
    #[cfg(feature = "forge")]
    pub fn forge_older_build(&mut self, lacks: Option<RecordKind>) {
        self.older_build_lacks = lacks;
    }

    /// `row` of this device's log as a newer build would send a record of kind `code`, one this
    /// build does not know (signed and sealed like any record of this device).
    ///
    /// Fails when locked or the row's epoch key is missing.
    #[cfg(feature = "forge")]
    pub fn forge_future_kind(&self, row: &RecordRow, code: u8) -> Result<Record, VaultError> {
        let u = self.unlocked.as_ref().ok_or(VaultError::Locked)?;
        let keys = keys::header_keys(&self.ident, u);
        let key = keys
            .get(&row.epoch)
            .ok_or_else(|| VaultError::Log(format!("no team key of epoch {}", row.epoch)))?;
        records::forge_future_kind(&self.ident.team, key, &u.signing, row, code)
            .ok_or_else(|| VaultError::Log("this device has not joined a team".into()))
    }

    /// Records received but not applied, with the reason.
    ///
    /// Fails when the database cannot be read.
    pub fn held_records(&self) -> Result<Vec<String>, VaultError> {
        Ok(self
            .store
            .connection()
            .prepare("SELECT device, seq, reason FROM sync_held ORDER BY device, seq")?
            .query_map([], |r| {
                Ok(format!(
                    "record {}/{}: {}",
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?
                ))
            })?
            .collect::<Result<_, _>>()?)
    }
}

enum Received {
    /// The record and, when it gave this device a client's key, that client's records it had
    /// stored unopened; with the alarms a checkpoint raised (a fork it showed).
    Applied(Vec<RecordRow>, Vec<String>),
    /// Stored in the log, unopened: of a client this device does not read.
    Unopened,
    /// Stored in the log as it came: erased, its header verified.
    Erased,
    Own,
    Duplicate,
    /// A validly signed record that differs from the one already applied under its sequence.
    Equivocation(String),
}

/// Keeps a record that could not be applied, as it came and with the reason: a record this build
/// cannot read yet is read after an update or when its epoch's key arrives. Of the copies that
/// failed their check (`checked` false), at most [`MAX_FAILED_COPIES_HELD`] are kept.
fn hold(
    tx: &Connection,
    u: &mut Unlocked,
    w: &Record,
    why: &str,
    unknown_epoch: Option<u32>,
    checked: bool,
    report: &mut ReceiveReport,
) -> Result<(), VaultError> {
    if let Some(epoch) = unknown_epoch {
        crate::vault::checkpoints::expect_newer_epoch(tx, u, epoch, w.device_id)?;
    }
    let bytes = PushPage {
        records: vec![w.clone()],
    }
    .encode();
    // Every distinct copy is kept: a junk copy planted first must not push out the genuine one.
    let digest: [u8; 32] = sha2::Sha256::digest(&bytes).into();
    // Counted only for a failed copy: a device holding thousands of records that wait for a key
    // must not count them for each one it holds.
    if !checked {
        let failed_held: i64 = tx.query_row(
            "SELECT COUNT(*) FROM sync_held WHERE checked = 0",
            [],
            |r| r.get(0),
        )?;
        if failed_held >= MAX_FAILED_COPIES_HELD {
            report.discarded += 1;
            return Ok(());
        }
    }
    tx.execute(
        "INSERT INTO sync_held (device, seq, digest, reason, record, checked)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
        params![
            w.device_id,
            i64::try_from(w.device_seq).unwrap_or(i64::MAX),
            &digest[..],
            why,
            bytes,
            checked
        ],
    )?;
    report
        .held
        .push(format!("record {}/{}: {why}", w.device_id, w.device_seq));
    Ok(())
}

/// Whether `row` carries its author's valid signature.
fn signed_by_author(
    team: &TeamId,
    authors: &Authors,
    row: &Result<RecordRow, crate::records::RecordError>,
) -> bool {
    row.as_ref().is_ok_and(|r| {
        authors
            .get(&r.device)
            .is_some_and(|(key, _)| records::verify(team, key, r).is_ok())
    })
}

/// What a received record is checked against: the roster's keys and who signs for whom.
struct Checks<'a> {
    authors: &'a Authors,
    signers: &'a crate::vault::receive_rules::Signers,
    /// The derived tables to refresh after applying (see `vault/projection.rs`).
    projections: &'a [Projection],
    /// Screening options (a client read while checking a record).
    scoring: &'a crate::screening::ScoringConfig,
}

/// Checks and applies one received record. The outer error is a database failure (fails
/// the page); the inner one the reason to hold the record, and then nothing of the record was
/// written.
fn receive_one(
    tx: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    checks: &Checks<'_>,
    w: &Record,
    row: &Result<RecordRow, crate::records::RecordError>,
    signature_ok: bool,
) -> Result<Result<Received, String>, VaultError> {
    let device = crate::ids::DeviceId::from_server(w.device_id);
    if device == ident.device {
        return Ok(Ok(Received::Own));
    }
    let Some((key, through)) = checks.authors.get(&device) else {
        return Ok(Err(
            "the author device is not in the team roster (yet)".into()
        ));
    };
    if through.is_some_and(|t| w.device_seq > t) {
        return Ok(Err(
            "the author device was revoked before this record".into()
        ));
    }
    let last = records::last_of(tx, &device)?;
    let next = last.map_or(1, |(seq, _)| seq + 1);
    // A copy of a record already applied that does not parse or verify is nothing to keep (the
    // genuine one is in the log); kept, it would only sit among the held records.
    if w.device_seq < next && (row.is_err() || !signature_ok) {
        return Ok(Ok(Received::Duplicate));
    }
    // Only held records this device still waits for hold the later ones back.
    let blocked: bool = tx.query_row_cached(
        "SELECT EXISTS (SELECT 1 FROM sync_held WHERE device = ?1 AND seq < ?2 AND seq >= ?3)",
        params![
            w.device_id,
            i64::try_from(w.device_seq).unwrap_or(i64::MAX),
            i64::try_from(next).unwrap_or(i64::MAX)
        ],
        |r| r.get(0),
    )?;
    if blocked {
        return Ok(Err("an earlier record of this device is held".into()));
    }
    // Before what the record says of itself: a record that cannot be read yet (a newer
    // format, a missing epoch key) past a gap waits for the gap like any other.
    if w.device_seq > next {
        return Ok(Err(format!(
            "a gap: record {next} of this device has not arrived"
        )));
    }
    let row = match row {
        Ok(r) => r,
        Err(e) => return Ok(Err(e.to_string())),
    };
    if !signature_ok {
        return Ok(Err(records::verify(&ident.team, key, row)
            .map_or_else(|e| e.to_string(), |()| "signature".into())));
    }
    if row.seq < next {
        // Judged by content, not by sequence alone: the author signed something else under a
        // sequence this device already applied. The first one stays; the other is evidence.
        // Equal signatures are the common case (a page received twice): no need to compare more.
        let stored = records::get(tx, &row.device, row.seq).map_err(VaultError::from)?;
        if stored.is_some_and(|s| {
            s.signature != row.signature
                && records::signing_bytes(&ident.team, &s)
                    != records::signing_bytes(&ident.team, row)
        }) {
            return Ok(Ok(Received::Equivocation(
                "the author device signed a different record under a sequence already applied \
                 (equivocation); the first one stays"
                    .into(),
            )));
        }
        return Ok(Ok(Received::Duplicate));
    }
    // A device's clock only moves forward along its log (it restarts after the newest record
    // it holds), so a record stamped before its predecessor is backdated on purpose, e.g. to
    // win over an earlier finalisation.
    if last.is_some_and(|(_, hlc)| row.hlc <= hlc) {
        return Ok(Err(
            "refused: it is stamped before the previous record of its device (backdated)".into(),
        ));
    }
    // An erased record (its tombstone): its header and body digest verified above, it keeps
    // the author's log gapless; there is nothing to open or apply.
    // The records erasure itself stands on (and the checkpoints that keep the server honest)
    // are never erased: such a tombstone is forged.
    if row.erased.is_some() {
        if matches!(
            row.kind,
            RecordKind::Checkpoint | RecordKind::Erasure | RecordKind::ErasureAck
        ) {
            return Ok(Err(format!(
                "refused: a {} record is never erased",
                row.kind.as_str()
            )));
        }
        // It enters the log as it came (the author's log stays gapless; its erasure comes later
        // in the team's order). The server could make a tombstone up (it holds the bytes to
        // hash): after a complete pull, one whose client no erasure names raises an alarm
        // (`vault/erasure/server.rs`).
        records::insert(tx, row)?;
        return Ok(Ok(Received::Erased));
    }
    // A record of a client or entity erased here (one written offline before the erasure
    // reached its author) enters the log unopened, and its body is erased with the page.
    if erased_here(tx, row)? {
        records::insert(tx, row)?;
        return Ok(Ok(Received::Erased));
    }
    let plain = match keys::open_record(tx, ident, u, row) {
        Ok(p) => p,
        Err(OpenError::MissingKey(why)) => return Ok(Err(why)),
        Err(OpenError::NoClientKey(why)) => {
            // Verified, in sequence and not backdated: it enters the log (later records of its
            // device follow it), and opens when this device is given the client's key.
            records::insert(tx, row)?;
            readers::keep_unopened(tx, row, &why)?;
            return Ok(Ok(Received::Unopened));
        }
        Err(OpenError::Vault(VaultError::Integrity { record })) => {
            return Ok(Err(format!("damaged or forged ({record})")))
        }
        Err(OpenError::Vault(e)) => return Err(e),
    };
    let author_key = key.to_bytes();
    if let Some(why) = refusal(tx, ident, u, checks, row, &plain, &author_key)? {
        return Ok(Err(format!("refused: {why}")));
    }
    // Everything above only reads, and every other way out either succeeds or fails the page:
    // applying is the one step that can refuse a record after writing, so only it runs inside
    // a savepoint. (A savepoint copies each page it touches first: around every record, and
    // around opening a client's records when its key arrives, that was a twentieth of a fresh
    // device's pull.) Prepared once per page: parsing these statements for every record took a
    // twelfth of that pull (issue 27, item 4).
    tx.prepare_cached("SAVEPOINT apply_one")?.execute([])?;
    records::insert(tx, row)?;
    let applied = keys::apply_plain(tx, ident, u, row, &plain, &author_key, checks.projections);
    if applied.is_err() {
        tx.prepare_cached("ROLLBACK TO apply_one")?.execute([])?;
    }
    tx.prepare_cached("RELEASE apply_one")?.execute([])?;
    match applied {
        Ok(()) => {
            // A forged or damaged copy of this record held earlier is obsolete now.
            tx.execute_cached(
                "DELETE FROM sync_held WHERE device = ?1 AND seq = ?2",
                params![w.device_id, i64::try_from(w.device_seq).unwrap_or(i64::MAX)],
            )?;
            let mut applied = vec![];
            if row.kind == RecordKind::ClientKey && readers::holds_key(tx, row.client)? {
                applied = open_unopened(tx, ident, u, checks, row.client)?;
            }
            let alarms = if row.kind == RecordKind::Checkpoint {
                let held_epochs: Vec<u32> = u.team_keys.keys().copied().collect();
                let now_ms =
                    crate::hlc::HlcClock::corrected_now(u.clock.offset_ms()).timestamp_millis();
                crate::vault::checkpoints::compare(
                    tx,
                    ident,
                    &held_epochs,
                    u64::try_from(now_ms).unwrap_or(0),
                    row,
                    &plain,
                )?
            } else {
                Vec::new()
            };
            applied.insert(0, row.clone());
            Ok(Ok(Received::Applied(applied, alarms)))
        }
        Err(OpenError::MissingKey(why) | OpenError::NoClientKey(why)) => Ok(Err(why)),
        // A key wrapped to this device that does not open (rolled back with the record).
        Err(OpenError::Vault(VaultError::Integrity { record })) => {
            Ok(Err(format!("damaged or forged ({record})")))
        }
        Err(OpenError::Vault(e)) => Err(e),
    }
}

/// Whether an erasure applied here names the record's client or the record's entity.
fn erased_here(tx: &Connection, row: &RecordRow) -> rusqlite::Result<bool> {
    tx.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM erased_client WHERE client_id = ?1)
             OR EXISTS (SELECT 1 FROM erased_entity WHERE entity_id = ?2)",
    )?
    .query_row(params![&row.client.0[..], &row.entity.0[..]], |r| r.get(0))
}

/// [`crate::vault::receive_rules::refusal`], reading a client's age from this device's copy.
fn refusal(
    tx: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    checks: &Checks<'_>,
    row: &RecordRow,
    plain: &[(String, zeroize::Zeroizing<Vec<u8>>)],
    author_key: &[u8; 32],
) -> rusqlite::Result<Option<String>> {
    let today = chrono::Utc::now().date_naive();
    let mut is_child = |c: crate::ids::ClientId| {
        crate::vault::read::Reader {
            conn: tx,
            ident,
            u: &mut *u,
            scoring: checks.scoring,
        }
        .client(c, today)
        .ok()
        .and_then(|c| c.is_child)
    };
    crate::vault::receive_rules::refusal(tx, checks.signers, row, plain, author_key, &mut is_child)
}

/// Opens and applies the records of `client` this device stored unopened, now that it holds a
/// key of the client; returns those applied. A record still sealed under a key it lacks stays;
/// one that is damaged or breaks the rules stays too, with its reason (it blocks nothing).
fn open_unopened(
    tx: &Connection,
    ident: &Identity,
    u: &mut Unlocked,
    checks: &Checks<'_>,
    client: crate::ids::ClientId,
) -> Result<Vec<RecordRow>, VaultError> {
    let (mut seqs, mut records) = (Vec::new(), Vec::new());
    for (device, seq) in readers::unopened_of(tx, client)? {
        let device = crate::ids::DeviceId(crate::vault::sealed::id16(&device)?);
        if let Some(row) = records::get(tx, &device, u64::try_from(seq).unwrap_or(0))? {
            seqs.push(seq);
            records.push(row);
        }
    }
    let opener = keys::ClientOpener::new(tx, ident, u, client, &records)?;
    // Decrypted, inflated and re-sealed for this device on a second thread ahead of being
    // applied here, in order.
    let open = |i: usize| opener.as_ref().and_then(|o| o.open(ident, &records[i]));
    Ahead::run(records.len(), open, |opened| {
        let mut applied = Vec::new();
        for (i, (seq, row)) in seqs.iter().zip(&records).enumerate() {
            let (plain, sealed) = match opened.take(i).flatten() {
                Some(keys::Opened { plain, sealed }) => (plain, Some(sealed)),
                None => match keys::open_record(tx, ident, u, row) {
                    Ok(p) => (p, None),
                    Err(OpenError::MissingKey(_) | OpenError::NoClientKey(_)) => continue,
                    Err(OpenError::Vault(VaultError::Integrity { record })) => {
                        readers::keep_unopened(tx, row, &format!("damaged or forged ({record})"))?;
                        continue;
                    }
                    Err(OpenError::Vault(e)) => return Err(e),
                },
            };
            let author_key = checks
                .authors
                .get(&row.device)
                .map_or([0; 32], |(k, _)| k.to_bytes());
            if let Some(why) = refusal(tx, ident, u, checks, row, &plain, &author_key)? {
                readers::keep_unopened(tx, row, &format!("refused: {why}"))?;
                continue;
            }
            let result = match &sealed {
                Some(sealed) => {
                    keys::apply_sealed(tx, ident, u, row, &plain, sealed, checks.projections)
                }
                None => {
                    keys::apply_plain(tx, ident, u, row, &plain, &author_key, checks.projections)
                }
            };
            match result {
                Ok(()) => {}
                Err(OpenError::MissingKey(_) | OpenError::NoClientKey(_)) => continue,
                Err(OpenError::Vault(e)) => return Err(e),
            }
            tx.prepare_cached("DELETE FROM unopened_record WHERE device_id = ?1 AND seq = ?2")?
                .execute(params![&row.device.0[..], seq])?;
            applied.push(row.clone());
        }
        Ok(applied)
    })
}
