//! The rules both storage backends enforce, as pure functions. A backend reads what a rule needs
//! inside its transaction, asks the rule, and writes only what the rule lets through; the rules
//! are written once here so that SQLite and PostgreSQL cannot drift apart. `tests/contract.rs`
//! runs every rule against both backends.

use std::collections::{HashMap, HashSet};

use teduh_protocol::sync::{PullPage, Record, Role, TeamRecord, RECORD_HEADER_LEN};
use teduh_protocol::tombstone;

use super::{role_of, to_i64, to_u64, AuthedDevice, StorageError};

/// A database may be behind this binary (its missing migrations then run) but never ahead: a
/// schema version `found` above the `known` migrations is refused. Returns how many migrations
/// the database already has.
pub(crate) fn applied_migrations(found: i64, known: usize) -> Result<usize, StorageError> {
    let supported = known as i64;
    if found > supported {
        return Err(StorageError::TooNew { found, supported });
    }
    Ok(usize::try_from(found).unwrap_or(0))
}

/// An invitation as stored, looked up by its code's hash.
pub(crate) struct InvitationRow {
    pub id: i64,
    pub team_id: i64,
    pub role: String,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub member_id: Option<i64>,
}

/// An invitation that a registration may consume.
pub(crate) struct UsableInvitation {
    pub id: i64,
    pub team_id: i64,
    pub role: Role,
    /// Made for a further device of this member.
    pub member_id: Option<i64>,
}

/// A registration needs an invitation that exists, was never used and has not expired by `now`.
pub(crate) fn usable_invitation(
    row: Option<InvitationRow>,
    now: i64,
) -> Result<UsableInvitation, StorageError> {
    let Some(inv) = row else {
        return Err(StorageError::InvitationUnknown);
    };
    if inv.used_at.is_some() {
        return Err(StorageError::InvitationUsed);
    }
    if inv.expires_at <= now {
        return Err(StorageError::InvitationExpired);
    }
    Ok(UsableInvitation {
        id: inv.id,
        team_id: inv.team_id,
        role: role_of(&inv.role)?,
        member_id: inv.member_id,
    })
}

/// A device invitation adds a device to the member it was made for: she must still be in the
/// team, and the joiner must give her username. `member` is her stored (username, role,
/// removed_at); returns her role.
pub(crate) fn device_invitation_member(
    member: Option<(String, String, Option<i64>)>,
    username: &str,
) -> Result<Role, StorageError> {
    match member {
        Some((name, role, None)) if name == username => role_of(&role),
        Some((_, _, None)) => Err(StorageError::InvitationForAnother),
        _ => Err(StorageError::NotFound("member")),
    }
}

/// A device and its member as stored, looked up by the access token's hash.
pub(crate) struct TokenRow {
    pub device_id: i64,
    pub member_id: i64,
    pub team_id: i64,
    pub role: String,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub removed_at: Option<i64>,
    /// `revoked_reason`: [`REVOKED_FOR_REUSE`] when the server revoked the device itself.
    pub revoked_reason: Option<String>,
}

/// The `revoked_reason` of a device the server revoked because a refresh token of it was
/// presented a second time.
pub(crate) use teduh_protocol::sync::refresh::REVOKED_FOR_REUSE;

/// Refuses a revoked device or removed member, saying so when the server revoked the device for
/// a reused refresh token.
fn still_admitted(
    revoked_at: Option<i64>,
    removed_at: Option<i64>,
    reason: Option<&str>,
) -> Result<(), StorageError> {
    if reason == Some(REVOKED_FOR_REUSE) {
        return Err(StorageError::TokenReused);
    }
    if revoked_at.is_some() || removed_at.is_some() {
        return Err(StorageError::TokenRevoked);
    }
    Ok(())
}

fn authed_device(
    device_id: i64,
    member_id: i64,
    team_id: i64,
    role: &str,
) -> Result<AuthedDevice, StorageError> {
    Ok(AuthedDevice {
        device_id: to_u64(device_id),
        member_id: to_u64(member_id),
        team_id: to_u64(team_id),
        role: role_of(role)?,
    })
}

/// An access token authenticates while its device is not revoked, its member not removed, and
/// it has not expired by `now`.
pub(crate) fn authenticated(row: Option<TokenRow>, now: i64) -> Result<AuthedDevice, StorageError> {
    let Some(t) = row else {
        return Err(StorageError::TokenUnknown);
    };
    still_admitted(t.revoked_at, t.removed_at, t.revoked_reason.as_deref())?;
    if t.expires_at <= now {
        return Err(StorageError::TokenExpired);
    }
    authed_device(t.device_id, t.member_id, t.team_id, &t.role)
}

/// A device's refresh chain as stored (see `teduh_protocol::sync::refresh`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RefreshRow {
    pub device_id: i64,
    pub member_id: i64,
    pub team_id: i64,
    pub role: String,
    /// The last refresh token accepted, or the chain's anchor.
    pub refresh_head: Option<Vec<u8>>,
    pub refresh_expires_at: i64,
    /// SHA-256 of the single token of a device that joined before tokens rotated.
    pub refresh_bootstrap_hash: Option<Vec<u8>>,
    pub revoked_at: Option<i64>,
    pub removed_at: Option<i64>,
    pub revoked_reason: Option<String>,
}

/// A refresh token as presented: its 32 bytes and the SHA-256 of its text (what a device's
/// single token from before rotation is stored as).
#[derive(Debug, Clone, Copy)]
pub struct PresentedRefresh {
    /// The token's bytes (its 64 hex digits decoded).
    pub token: [u8; 32],
    /// SHA-256 of its text.
    pub text_hash: [u8; 32],
}

/// What to do with a presented refresh token.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RenewStep {
    /// Issue a new access token; the chain's head becomes `head`.
    Renew {
        device: AuthedDevice,
        head: [u8; 32],
    },
    /// Revoke the device: the token was used before, so someone else holds the chain.
    Revoke(AuthedDevice),
}

/// The renewal rule (decisions/0013). A token ahead of the head is new, and becomes the head; the
/// head itself or one behind it was used already: two parties hold the device's chain, so the
/// device is revoked. A device that joined before tokens rotated starts its chain once with its
/// single token and an anchor (again with the same anchor while the chain has not moved: the
/// answer was lost); that token presented otherwise is a copy too.
pub(crate) fn renewal(
    presented: &PresentedRefresh,
    anchor: Option<[u8; 32]>,
    row: Option<RefreshRow>,
    now: i64,
) -> Result<RenewStep, StorageError> {
    use teduh_protocol::sync::refresh::{position, Position};
    let Some(r) = row else {
        return Err(StorageError::TokenUnknown);
    };
    still_admitted(r.revoked_at, r.removed_at, r.revoked_reason.as_deref())?;
    let device = authed_device(r.device_id, r.member_id, r.team_id, &r.role)?;
    let bootstrap = r.refresh_bootstrap_hash.as_deref() == Some(&presented.text_hash[..]);
    let head = r
        .refresh_head
        .as_deref()
        .and_then(|h| <[u8; 32]>::try_from(h).ok());
    if (bootstrap || head.is_some()) && r.refresh_expires_at <= now {
        return Err(StorageError::RefreshExpired);
    }
    match (head, bootstrap) {
        // The single old token again with the anchor it started: its answer was lost.
        (Some(head), true) if anchor == Some(head) => Ok(RenewStep::Renew { device, head }),
        (Some(_), true) => Ok(RenewStep::Revoke(device)),
        (Some(head), false) => match position(&presented.token, &head) {
            Position::Ahead(_) => Ok(RenewStep::Renew {
                device,
                head: presented.token,
            }),
            Position::Used(_) => Ok(RenewStep::Revoke(device)),
            Position::Unrelated => Err(StorageError::TokenUnknown),
        },
        (None, true) => match anchor {
            Some(head) => Ok(RenewStep::Renew { device, head }),
            None => Err(StorageError::Invalid("anchor")),
        },
        (None, false) => Err(StorageError::TokenUnknown),
    }
}

/// A new team-key epoch must be exactly the team's `current` one plus one.
pub(crate) fn check_next_epoch(current: i64, epoch: u32) -> Result<(), StorageError> {
    let expected = u32::try_from(current + 1).map_err(|_| StorageError::Invalid("epoch"))?;
    if epoch != expected {
        return Err(StorageError::EpochNotNext { expected });
    }
    Ok(())
}

/// The envelopes of a new epoch go to active devices of the team (`active`: their ids: not
/// revoked, member not removed), one envelope per device. Duplicates are refused by comparing
/// the request with itself, before anything is written, not left to the database's primary key
/// (where they would surface as a database error). Checked in order, so the first offending
/// envelope names the error. Returns the device ids as database integers, in envelope order.
pub(crate) fn envelope_devices(
    envelopes: &[(u64, Vec<u8>)],
    active: &HashSet<i64>,
) -> Result<Vec<i64>, StorageError> {
    let mut seen = HashSet::with_capacity(envelopes.len());
    envelopes
        .iter()
        .map(|(device, _)| {
            let id = to_i64(*device, "device id")?;
            if !seen.insert(id) {
                return Err(StorageError::Invalid("two envelopes for the same device"));
            }
            if !active.contains(&id) {
                return Err(StorageError::NotTeamMember(*device));
            }
            Ok(id)
        })
        .collect()
}

/// A roster upload must have a version above the stored one (`current`, 0 when none).
pub(crate) fn check_roster_newer(version: i64, current: i64) -> Result<(), StorageError> {
    if version <= current {
        return Err(StorageError::RosterNotNewer {
            current: to_u64(current),
        });
    }
    Ok(())
}

/// A mailbox message older than this is deleted: a key manager's device fetches its reports
/// every round, and one offline for a month still finds the alarms on the devices that raised
/// them.
pub(crate) const MESSAGE_TTL_SECS: i64 = 30 * 24 * 3600;

/// The most messages one device may leave for one recipient within a day (a device reports
/// each alarm once; a flood from a waiting or compromised device stops here).
pub(crate) const MAX_MESSAGES_PER_DAY: i64 = 200;

/// `adding` more messages from one sender to one recipient that already has `sent_today` from
/// it keep within [`MAX_MESSAGES_PER_DAY`].
pub(crate) fn check_mailbox_quota(sent_today: i64, adding: usize) -> Result<(), StorageError> {
    if sent_today.saturating_add(i64::try_from(adding).unwrap_or(i64::MAX)) > MAX_MESSAGES_PER_DAY {
        return Err(StorageError::MailboxFull);
    }
    Ok(())
}

/// How many of `messages` go to each recipient.
pub(crate) fn per_recipient(messages: &[(u64, Vec<u8>)]) -> HashMap<u64, usize> {
    let mut out = HashMap::new();
    for (r, _) in messages {
        *out.entry(*r).or_insert(0) += 1;
    }
    out
}

/// A settings upload: signed by the registered organisation key (`registered`), or registering
/// it when none is and the uploader may, with a version above the stored one (`current`).
pub(crate) fn check_org_settings(
    upload: &super::OrgSettingsUpload,
    registered: Option<&[u8]>,
    current: i64,
) -> Result<(), StorageError> {
    match registered {
        Some(k) if k != upload.key => return Err(StorageError::OrgKeyMismatch),
        None if !upload.may_register => return Err(StorageError::OrgKeyUnknown),
        _ => {}
    }
    if to_i64(upload.version, "settings version")? <= current {
        return Err(StorageError::SettingsNotNewer {
            current: to_u64(current),
        });
    }
    Ok(())
}

/// The 32-byte organisation key stored in a column, if one is (and well-formed).
pub(crate) fn org_key_column(stored: Option<Vec<u8>>) -> Option<[u8; 32]> {
    stored.and_then(|k| k.try_into().ok())
}

/// A directory bundle must have a version above every published one (`current`, 0 when none).
pub(crate) fn check_directory_newer(version: i64, current: i64) -> Result<(), StorageError> {
    if version <= current {
        return Err(StorageError::DirectoryNotNewer {
            current: to_u64(current),
        });
    }
    Ok(())
}

/// A client-key wrap names an epoch the team has: 1 up to the `current` one.
pub(crate) fn check_wrap_epoch(epoch: u32, current: i64) -> Result<(), StorageError> {
    if epoch == 0 || i64::from(epoch) > current {
        return Err(StorageError::UnknownKeyEpoch {
            device_seq: 0,
            record_epoch: epoch,
            current: u32::try_from(current).unwrap_or(0),
        });
    }
    Ok(())
}

/// A wrap already stored under the same (epoch, client) must be the same bytes: re-uploads are
/// no-ops, anything else is a conflict.
pub(crate) fn check_same_wrap(stored: &[u8], wrap: &[u8]) -> Result<(), StorageError> {
    if stored != wrap {
        return Err(StorageError::WrapConflict);
    }
    Ok(())
}

/// A stored record's content, for the duplicate/fork decision.
pub(crate) struct StoredContent {
    pub key_epoch: u32,
    pub hlc: u64,
    pub payload: Vec<u8>,
}

/// The `server_meta` key under which `after-restore` keeps the restore's time (Unix
/// milliseconds, 8 bytes big-endian).
pub(crate) const RESTORED_AT_KEY: &str = "restored_at_ms";

/// Reads the restore time stored under [`RESTORED_AT_KEY`]; `None` when never restored.
pub(crate) fn restored_at(value: Option<&[u8]>) -> Option<u64> {
    value
        .and_then(|v| <[u8; 8]>::try_from(v).ok())
        .map(u64::from_be_bytes)
}

/// Decides which records of a page are new, checking every rule, before anything is written.
/// `existing` answers with what is stored under a device sequence. Returns the new records (in
/// page order), the stored ones the page erases and the number of identical re-sends.
///
/// An erased record comes back as its tombstone (`teduh_protocol::tombstone`): one made from
/// the stored record replaces it (its author erased it after sending it), and a record the
/// server holds only as its tombstone is a re-send of what was erased, never a fork, and never
/// brings the body back.
///
/// A new record under an epoch older than `current_epoch` is stale (its device re-seals it under
/// the new one), except one written before `restored_at_ms`, the last restore from a backup: the
/// restore may have lost it after it was stored and seen by other devices, which hold it exactly
/// so; its author re-sends it as it was, even when a key manager started a new epoch since.
pub(crate) fn plan_push(
    records: &[Record],
    mut existing: impl FnMut(u64) -> Result<Option<StoredContent>, StorageError>,
    current_epoch: u32,
    max_hlc: u64,
    restored_at_ms: Option<u64>,
) -> Result<PushPlan<'_>, StorageError> {
    let mut fresh: Vec<&Record> = Vec::with_capacity(records.len());
    let mut erased: Vec<&Record> = Vec::new();
    let mut in_page: HashMap<u64, &Record> = HashMap::new();
    let mut duplicates = 0;
    for r in records {
        let seq = r.device_seq;
        if seq == 0 || seq > i64::MAX as u64 {
            return Err(StorageError::Invalid(
                "device_seq must be between 1 and 2^63-1",
            ));
        }
        if let Some(prev) = in_page.get(&seq) {
            if *prev == r {
                duplicates += 1;
                continue;
            }
            return Err(StorageError::Fork { device_seq: seq });
        }
        if let Some(stored) = existing(seq)? {
            let same_place = stored.key_epoch == r.key_epoch && stored.hlc == r.hlc;
            if same_place
                && (stored.payload == r.payload || tombstone::erases(&r.payload, &stored.payload))
            {
                duplicates += 1;
                continue;
            }
            if same_place && tombstone::erases(&stored.payload, &r.payload) {
                in_page.insert(seq, r);
                erased.push(r);
                continue;
            }
            return Err(StorageError::Fork { device_seq: seq });
        }
        let written_before_restore =
            restored_at_ms.is_some_and(|at| teduh_protocol::sync::hlc_millis(r.hlc) < at);
        if r.key_epoch < current_epoch && !(written_before_restore && r.key_epoch > 0) {
            return Err(StorageError::StaleKeyEpoch {
                device_seq: seq,
                record_epoch: r.key_epoch,
                current: current_epoch,
            });
        }
        if r.key_epoch > current_epoch || r.key_epoch == 0 {
            return Err(StorageError::UnknownKeyEpoch {
                device_seq: seq,
                record_epoch: r.key_epoch,
                current: current_epoch,
            });
        }
        if r.hlc > max_hlc || r.hlc > i64::MAX as u64 {
            return Err(StorageError::ClockAhead { device_seq: seq });
        }
        in_page.insert(seq, r);
        fresh.push(r);
    }
    Ok(PushPlan {
        fresh,
        erased,
        duplicates,
    })
}

/// What a push page does ([`plan_push`]).
pub(crate) struct PushPlan<'a> {
    /// Records to append, in page order.
    pub fresh: Vec<&'a Record>,
    /// Tombstones that replace the stored records they were made from.
    pub erased: Vec<&'a Record>,
    /// Identical re-sends (a record already stored, or already erased).
    pub duplicates: u64,
}

/// What a tombstone sent to the erase endpoint does to the record stored under its place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EraseStep {
    /// Replace the stored record by the tombstone.
    Replace,
    /// The stored record already is that tombstone.
    Already,
    /// Nothing is stored there (yet): its author sends the tombstone when it pushes.
    Absent,
}

/// Checks a tombstone against the record stored under its device sequence (`stored`, in the
/// team the request names). Fails with `NotItsTombstone` when it was not made from that record:
/// nobody replaces a record with anything else.
pub(crate) fn plan_erase(stored: Option<&[u8]>, tomb: &Record) -> Result<EraseStep, StorageError> {
    let not_its = || StorageError::NotItsTombstone {
        device_id: tomb.device_id,
        device_seq: tomb.device_seq,
    };
    if tombstone::Tombstone::parse(&tomb.payload).is_none() {
        return Err(not_its());
    }
    match stored {
        None => Ok(EraseStep::Absent),
        Some(s) if s == tomb.payload.as_slice() => Ok(EraseStep::Already),
        Some(s) if tombstone::erases(s, &tomb.payload) => Ok(EraseStep::Replace),
        Some(_) => Err(not_its()),
    }
}

/// Advances a contiguous high-water mark over the sorted sequences stored above it.
pub(crate) fn advance_contiguous(mut contiguous: u64, above: impl IntoIterator<Item = u64>) -> u64 {
    for seq in above {
        if seq == contiguous + 1 {
            contiguous = seq;
        } else if seq > contiguous + 1 {
            break;
        }
    }
    contiguous
}

/// Bytes of an encoded pull page before its first record: magic (4), next cursor (8), `more`
/// flag (1) and record count (4), as [`PullPage::encode`] writes them (a test below checks
/// this against the encoder). A page's budget counts them, so a page never encodes larger than
/// the budget (but for its first record, which is always sent).
pub(crate) const PULL_PAGE_HEADER_LEN: usize = 4 + 8 + 1 + 4;

/// Bytes a record takes in an encoded pull page besides its payload: its team sequence (8) and
/// the record header.
pub(crate) const PULL_RECORD_OVERHEAD: usize = 8 + RECORD_HEADER_LEN;

/// The most rows a pull page of `budget_bytes` and `max_records` can take (see [`cut`]): the
/// first always, then each next one costs at least its overhead, whatever its payload. A backend
/// that cannot stop reading lazily (PostgreSQL's sizes query) reads one row more than this to
/// learn the page's `more`; without the bound it read up to `max_records` sizes (10,000) for a
/// page that holds some sixty records of 1 KB.
pub(crate) fn most_rows_in_page(budget_bytes: usize, max_records: usize) -> usize {
    let after_first = budget_bytes.saturating_sub(PULL_PAGE_HEADER_LEN + PULL_RECORD_OVERHEAD)
        / PULL_RECORD_OVERHEAD;
    max_records.clamp(1, 1 + after_first)
}

/// Cuts a pull page out of `rows` (in team order), reading no further than it must: the first
/// row always, then each next one while the encoded page stays within `budget_bytes` and
/// `max_records`. `payload_len` gives a row's payload size, so the rows may be full records or
/// just their sizes. Returns the rows taken and whether a row was left over (the page's `more`).
pub(crate) fn cut<T, E>(
    rows: impl IntoIterator<Item = Result<T, E>>,
    payload_len: impl Fn(&T) -> usize,
    budget_bytes: usize,
    max_records: usize,
) -> Result<(Vec<T>, bool), E> {
    let mut used = PULL_PAGE_HEADER_LEN;
    let mut taken = Vec::new();
    for row in rows {
        let row = row?;
        let size = PULL_RECORD_OVERHEAD + payload_len(&row);
        if !taken.is_empty() && (used + size > budget_bytes || taken.len() >= max_records) {
            return Ok((taken, true));
        }
        used += size;
        taken.push(row);
    }
    Ok((taken, false))
}

/// Cuts a pull page of records out of `rows` (see [`cut`]).
pub(crate) fn cut_page<E>(
    after: u64,
    rows: impl IntoIterator<Item = Result<TeamRecord, E>>,
    budget_bytes: usize,
    max_records: usize,
) -> Result<PullPage, E> {
    let (records, more) = cut(rows, |r| r.record.payload.len(), budget_bytes, max_records)?;
    Ok(page(after, records, more))
}

/// A pull page: its cursor is the last record's team sequence, or `after` when it is empty.
pub(crate) fn page(after: u64, records: Vec<TeamRecord>, more: bool) -> PullPage {
    PullPage {
        next_cursor: records.last().map_or(after, |r| r.team_seq),
        more,
        records,
    }
}

#[cfg(test)]
mod tests;
