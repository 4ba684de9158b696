//! The rules every receiving device enforces on another device's record before applying it,
//! whatever the writer's app or the server claims: authorship, the role that decides reviews,
//! the author's sole right to change her note, who may publish a client's data key, and the
//! shape of data-subject requests and access entries (issue 25, `requests/`, `audit/`). A
//! record that breaks one is held with the reason ("refused: ..."), reported in the sync status,
//! and never applied. The writer's own checks (`casework/write.rs`, `review/mod.rs`) stay: they give the user a clear
//! error before anything is written; these make a modified app gain nothing.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use teduh_protocol::sync::Role;
use zeroize::Zeroizing;

use super::contacts::stored::{StoredContact, CONVERTED_TO, FROM_CONTACT, VOLUNTEER};
use super::readers;
use super::review::state::ReviewAction;
use super::sealed::{AUTHOR, CREATOR_NONCE, FINALISED_AT, FINALISED_BY};
use crate::ids::ClientId;
use crate::ids::{DeviceId, MemberId};
use crate::permissions::{allows_maybe, Action, Level};
use crate::records::{Op, RecordKind, RecordRow};
use crate::store::Cached as _;
use crate::team::roster::Roster;

/// Who a device belongs to, from the verified roster (and this device's own identity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Signer {
    /// The member whose key signs the device's records.
    pub member: MemberId,
    /// Her role in the roster (`None`: not in a roster yet, e.g. this device before joining).
    pub role: Option<Role>,
    /// Her level, when the roster grades her.
    pub level: Option<Level>,
}

/// The signer of each device's records.
pub(super) type Signers = HashMap<DeviceId, Signer>;

/// Signers from the roster, plus this device as `me` with `my_role`.
pub(super) fn signers(
    roster: Option<&Roster>,
    me: (DeviceId, MemberId),
    my_role: Option<Role>,
) -> Signers {
    let mut out = HashMap::new();
    if let Some(r) = roster {
        for d in &r.devices {
            let listed = r.member(d.member).filter(|m| !m.removed);
            out.insert(
                DeviceId::from_server(d.device),
                Signer {
                    member: MemberId::from_server(d.member),
                    role: listed.map(|m| m.role),
                    level: listed.and_then(|m| m.level),
                },
            );
        }
    }
    let my_level = roster
        .zip(me.1.server_number())
        .and_then(|(r, m)| r.level_of(m));
    out.insert(
        me.0,
        Signer {
            member: me.1,
            role: my_role,
            level: my_level,
        },
    );
    out
}

fn member_field(plain: &[(String, Zeroizing<Vec<u8>>)], name: &str) -> Option<Option<MemberId>> {
    plain
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| serde_json::from_slice::<MemberId>(v).ok())
}

/// The device that created `entity` (a note, a client...), once its create record is applied.
fn creator_device(tx: &Connection, entity: &[u8; 16]) -> rusqlite::Result<Option<DeviceId>> {
    Ok(creating_record(tx, entity)?.map(|(device, _)| DeviceId(device)))
}

/// Whether a client's data-key record, signed with `author_key`, proves that its author
/// created the client.
pub(super) fn proves_creator(
    row: &RecordRow,
    plain: &[(String, Zeroizing<Vec<u8>>)],
    author_key: &[u8; 32],
) -> bool {
    row.kind == RecordKind::ClientKey
        && plain
            .iter()
            .find(|(n, _)| n == CREATOR_NONCE)
            .is_some_and(|(_, nonce)| row.client.created_by(author_key, nonce))
}

/// Why `row` (signed with `author_key`, its payload opened into `plain`) must not be applied,
/// or `None` when it may.
///
/// Fails only when the database cannot be read.
pub(super) fn refusal(
    tx: &Connection,
    signers: &Signers,
    row: &RecordRow,
    plain: &[(String, Zeroizing<Vec<u8>>)],
    author_key: &[u8; 32],
    is_child: &mut dyn FnMut(ClientId) -> Option<bool>,
) -> rusqlite::Result<Option<String>> {
    let Some(signer) = signers.get(&row.device) else {
        return Ok(Some("the author device is not in the team roster".into()));
    };
    // One value per field: a payload naming a field twice is read one way by these rules and
    // applied the other way (the first value wins in the fold).
    let mut names = std::collections::HashSet::new();
    if let Some((name, _)) = plain.iter().find(|(n, _)| !names.insert(n.as_str())) {
        return Ok(Some(format!("it names its field {name} twice")));
    }
    // An entity is created once: a second creation would rewrite, as its newest version, what
    // only the first sets (who wrote a note, when an episode opened). The same record again
    // (re-sealed before it was acknowledged) keeps its device and sequence.
    if row.op == Op::Create {
        if let Some((device, seq)) = creating_record(tx, &row.entity.0)? {
            if device != row.device.0 || seq != row.seq {
                return Ok(Some("it creates a record that exists already".into()));
            }
        }
    }
    // Authorship: a record speaks only for the member whose key signed it.
    for field in [
        AUTHOR,
        FINALISED_BY,
        "reviewer",
        super::requests::ANSWERED_BY,
        super::requests::LIFTED_BY,
        super::breaches::PERSONS_BY,
        super::breaches::AUTHORITY_BY,
    ] {
        match member_field(plain, field) {
            Some(Some(named)) if named != signer.member => {
                return Ok(Some(format!(
                    "it names another member as its {field} than the one who signed it"
                )))
            }
            Some(None) => return Ok(Some(format!("its {field} is not a member id"))),
            _ => {}
        }
    }
    // A record changes an entity of its own kind and client only: fields sealed as another
    // kind's, or under another client's key, would make every later reading of that entity
    // fail (a client's data-key record names the client itself, and is kept apart).
    if row.kind != RecordKind::ClientKey {
        if let Some((kind, client)) = entity_kind_and_client(tx, &row.entity.0)? {
            if kind != row.kind.as_str() || client != row.client.0 {
                return Ok(Some(
                    "it changes a record of another kind or another client".into(),
                ));
            }
        }
    }
    // Finalising is a note's: a finalised version outranks later edits (records::apply), which
    // on any other record would pin its values against every later change.
    if row.kind != RecordKind::Note
        && plain
            .iter()
            .any(|(n, _)| n == FINALISED_AT || n == FINALISED_BY)
    {
        return Ok(Some("only a note is finalised".into()));
    }
    // A checkpoint states what its device holds; one nobody can read would hide a fork.
    if row.kind == RecordKind::Checkpoint && super::checkpoints::Checkpoint::parse(plain).is_none()
    {
        return Ok(Some("a checkpoint whose statements cannot be read".into()));
    }
    match row.kind {
        // Only the author changes her note (drafts, finalisation); others add reviews.
        RecordKind::Note if row.op == Op::Update => {
            let author = creator_device(tx, &row.entity.0)?.and_then(|d| signers.get(&d).copied());
            if author.is_some_and(|a| a.member != signer.member) {
                return Ok(Some(
                    "only the note's author changes it (others review it or add nothing)".into(),
                ));
            }
        }
        // Approving or returning a note is a supervisor's or an admin's decision.
        RecordKind::Review => {
            let action = plain
                .iter()
                .find(|(n, _)| n == "action")
                .and_then(|(_, v)| serde_json::from_slice::<ReviewAction>(v).ok());
            let Some(action) = action else {
                return Ok(Some("a review without a valid action".into()));
            };
            let decides = action != ReviewAction::Comment;
            // A contact's "seen" is a review record too: the same supervisors decide it.
            if decides && !allows_maybe(signer.role, None, Action::DecideReview) {
                return Ok(Some(
                    "only a supervisor or admin in the team roster approves or returns a note"
                        .into(),
                ));
            }
        }
        // A client's data key: the first one from the device that creates the client, a later
        // one only from a key manager (a replacement from anyone else would make the genuine
        // records stop opening).
        RecordKind::ClientKey => {
            if let Err(why) = readers::key_record_shape(plain) {
                return Ok(Some(why));
            }
            if let Some(reader) = readers::wrap_reader(plain) {
                return wrap_refusal(tx, signers, signer, row, plain, author_key, reader);
            }
            // A client whose key goes to its readers gets no team-wide key, from anyone: it
            // would open the client to the whole team (or hide its real key).
            let wrapped: bool = tx.query_row_cached(
                "SELECT EXISTS (SELECT 1 FROM client_key_wraps WHERE client_id = ?1
                     AND reader != 0)",
                params![&row.client.0[..]],
                |r| r.get(0),
            )?;
            if wrapped {
                return Ok(Some(
                    "a client's data key goes to its readers only: no team-wide key for it".into(),
                ));
            }
            if proves_creator(row, plain, author_key) {
                return Ok(None);
            }
            let has_key: bool = tx.query_row_cached(
                "SELECT EXISTS (SELECT 1 FROM client_keys WHERE client_id = ?1)",
                params![&row.client.0[..]],
                |r| r.get(0),
            )?;
            let by_creator = creator_device(tx, &row.client.0)?.is_none_or(|c| c == row.device);
            let by_key_manager = signer.role.is_some_and(Role::manages_keys);
            if (has_key || !by_creator) && !by_key_manager {
                return Ok(Some(
                    "a client's data key is published by the device that created the client; \
                     a replacement only by a key manager"
                        .into(),
                ));
            }
        }
        RecordKind::Assignment => {
            return Ok(assignment_refusal(
                signers, signer, row.client, plain, is_child,
            ))
        }
        RecordKind::Contact => return contact_refusal(tx, row, plain),
        RecordKind::Episode => return episode_refusal(tx, signer, row, plain),
        RecordKind::Access => {
            return Ok(match json_fields(plain) {
                Ok(fields) => super::audit::shape_refusal(row.op, &fields).map(String::from),
                Err(why) => Some(why),
            })
        }
        RecordKind::Request => {
            return Ok(match json_fields(plain) {
                Ok(fields) => super::requests::shape_refusal(row.op, &fields).map(String::from),
                Err(why) => Some(why),
            })
        }
        // Erasing a client destroys her data on every device: a key manager's decision.
        RecordKind::Erasure | RecordKind::ErasureAck => {
            if row.kind == RecordKind::Erasure && !signer.role.is_some_and(Role::manages_keys) {
                return Ok(Some(
                    "only a key manager in the team roster approves an erasure".into(),
                ));
            }
            return Ok(match json_fields(plain) {
                Ok(fields) => {
                    super::erasure::shape_refusal(row.kind, row.op, row.parent.is_some(), &fields)
                        .map(String::from)
                }
                Err(why) => Some(why),
            });
        }
        RecordKind::Breach => {
            let fields = match json_fields(plain) {
                Ok(f) => f,
                Err(why) => return Ok(Some(why)),
            };
            // A notice speaks for the team: only its supervisors and admins record one.
            if row.op == Op::Update && !allows_maybe(signer.role, None, Action::DecideReview) {
                return Ok(Some(
                    "only a supervisor or admin in the team roster records a breach notice".into(),
                ));
            }
            return Ok(super::breaches::shape_refusal(row.op, &fields).map(String::from));
        }
        // The rota names who is called at night: a supervisor's or an admin's to set.
        RecordKind::OnCall => {
            if !allows_maybe(signer.role, None, Action::SetOnCallRota) {
                return Ok(Some(
                    "only a supervisor or admin in the team roster sets the on-call rota".into(),
                ));
            }
            let fields = match json_fields(plain) {
                Ok(f) => f,
                Err(why) => return Ok(Some(why)),
            };
            if serde_json::from_value::<crate::episode::OnCallRota>(serde_json::Value::Object(
                fields,
            ))
            .is_err()
            {
                return Ok(Some("its fields do not form an on-call rota".into()));
            }
        }
        // A client whose key its creator proved is created by that device only.
        RecordKind::Client if row.op == Op::Create => {
            // Juniors work on the clients a supervisor assigns them.
            if signer.role.is_some()
                && !allows_maybe(signer.role, signer.level, Action::RegisterClient)
            {
                return Ok(Some(
                    "a junior volunteer does not register clients (the permissions table)".into(),
                ));
            }
            let proven_by: Option<Vec<u8>> = tx
                .query_row_cached(
                    "SELECT device_id FROM client_keys WHERE client_id = ?1 AND proven = 1",
                    [&row.client.0[..]],
                    |r| r.get(0),
                )
                .optional()?;
            if proven_by.is_some_and(|d| d != row.device.0) {
                return Ok(Some(
                    "a client is created by the device that created its data key".into(),
                ));
            }
        }
        _ => {}
    }
    Ok(None)
}

/// The device and sequence of the record that created `entity`, once applied.
fn creating_record(
    tx: &Connection,
    entity: &[u8; 16],
) -> rusqlite::Result<Option<([u8; 16], u64)>> {
    let row: Option<(Vec<u8>, i64)> = tx
        .query_row_cached(
            "SELECT created_device, created_seq FROM entities WHERE entity_id = ?1",
            [&entity[..]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.and_then(|(d, seq)| {
        Some((
            <[u8; 16]>::try_from(d.as_slice()).ok()?,
            u64::try_from(seq).ok()?,
        ))
    }))
}

/// The kind and client of an entity this device holds.
fn entity_kind_and_client(
    tx: &Connection,
    entity: &[u8; 16],
) -> rusqlite::Result<Option<(String, Vec<u8>)>> {
    tx.query_row_cached(
        "SELECT kind, client_id FROM entities WHERE entity_id = ?1",
        [&entity[..]],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// A record's fields as JSON, or why they are not.
fn json_fields(
    plain: &[(String, Zeroizing<Vec<u8>>)],
) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let mut fields = serde_json::Map::new();
    for (name, value) in plain {
        let v = serde_json::from_slice(value).map_err(|_| format!("its {name} is not JSON"))?;
        fields.insert(name.clone(), v);
    }
    Ok(fields)
}

/// A risk episode's rules (decision 0007): its subject is the client or contact whose key
/// seals it, set once with its trigger and opening time; its fields have their types; an
/// acknowledgement or a closure names the supervisor or admin who signed it, and nobody else
/// makes one.
fn episode_refusal(
    tx: &Connection,
    signer: &Signer,
    row: &RecordRow,
    plain: &[(String, Zeroizing<Vec<u8>>)],
) -> rusqlite::Result<Option<String>> {
    use super::episodes::stored::{StoredEpisode, CLOSED, CLOSE_REASON, DECISIONS, SET_AT_OPENING};
    use crate::episode::{Decision, Subject};
    let fields = match json_fields(plain) {
        Ok(f) => f,
        Err(why) => return Ok(Some(why)),
    };
    for name in DECISIONS {
        let Some(value) = fields.get(name) else {
            continue;
        };
        let Ok(decision) = serde_json::from_value::<Decision>(value.clone()) else {
            return Ok(Some(format!("its {name} is not a decision")));
        };
        if decision.by != signer.member {
            return Ok(Some(format!(
                "its {name} names another member than the one who signed it"
            )));
        }
        let action = if name == CLOSED {
            Action::CloseEpisode
        } else {
            Action::AcknowledgeEpisode
        };
        if !allows_maybe(signer.role, None, action) {
            return Ok(Some(
                "only a supervisor or admin in the team roster acknowledges or closes a risk \
                 episode"
                    .into(),
            ));
        }
    }
    if fields.contains_key(CLOSE_REASON) != fields.contains_key(CLOSED) {
        return Ok(Some(
            "a closure and its reason are written together, by the supervisor who closes".into(),
        ));
    }
    if fields
        .get(CLOSE_REASON)
        .is_some_and(|r| r.as_str().is_none_or(|r| r.trim().is_empty()))
    {
        return Ok(Some("a closure needs a reason".into()));
    }
    match row.op {
        Op::Update => {
            if let Some(name) = SET_AT_OPENING
                .iter()
                .chain([&AUTHOR])
                .find(|n| fields.contains_key(**n))
            {
                return Ok(Some(format!(
                    "its {name} is set when it opens, never changed"
                )));
            }
            if serde_json::from_value::<StoredEpisode>(serde_json::Value::Object(fields)).is_err() {
                return Ok(Some("its fields do not form a risk episode".into()));
            }
        }
        Op::Create => {
            if DECISIONS.iter().any(|n| fields.contains_key(*n)) {
                return Ok(Some(
                    "a new risk episode is not acknowledged or closed yet".into(),
                ));
            }
            let parsed = serde_json::from_value::<StoredEpisode>(serde_json::Value::Object(fields));
            let Ok(StoredEpisode {
                subject: Some(subject),
                trigger: Some(_),
                opened_at: Some(opened_at),
                ..
            }) = parsed
            else {
                return Ok(Some("its fields do not form a risk episode".into()));
            };
            // An opening stamped after the record itself would push the deadline out of reach.
            let stamped = i64::try_from(row.hlc.millis()).unwrap_or(i64::MAX);
            if opened_at.timestamp_millis() > stamped.saturating_add(60_000) {
                return Ok(Some("it opens later than it was written".into()));
            }
            let expected_kind = match subject {
                Subject::Client(_) => "client",
                Subject::Contact(_) => "contact",
            };
            let key = subject.key();
            let held = entity_kind_and_client(tx, &key.0)?;
            if key != row.client || held.is_none_or(|(kind, _)| kind != expected_kind) {
                return Ok(Some(
                    "its subject is not the client or contact whose key seals it".into(),
                ));
            }
        }
    }
    Ok(None)
}

/// The contact log's rules (decision 0006): its fields have their types (a value no reader can
/// parse would make the contact unreadable everywhere); the volunteer is the author of the
/// original, named once, at its creation; only a copy in a client's timeline (its own id, the
/// client's key) names the original and the volunteer who took it; `converted_to` names a
/// client this device holds.
fn contact_refusal(
    tx: &Connection,
    row: &RecordRow,
    plain: &[(String, Zeroizing<Vec<u8>>)],
) -> rusqlite::Result<Option<String>> {
    let fields = match json_fields(plain) {
        Ok(f) => f,
        Err(why) => return Ok(Some(why)),
    };
    let has = |name: &str| fields.contains_key(name);
    let is_copy = row.entity.0 != row.client.0;
    let refusal = match row.op {
        Op::Update if has(AUTHOR) || has(VOLUNTEER) || has(FROM_CONTACT) => {
            Some("a change to a contact cannot rename who took it or where it came from")
        }
        Op::Create if !is_copy && (has(VOLUNTEER) || has(FROM_CONTACT)) => {
            Some("a contact names its volunteer by signing it")
        }
        Op::Create if is_copy && !has(FROM_CONTACT) => {
            Some("a contact in a client's timeline names the contact it copies")
        }
        Op::Create if has(CONVERTED_TO) => Some("a new contact is not converted yet"),
        _ => None,
    };
    if let Some(r) = refusal {
        return Ok(Some(r.into()));
    }
    if serde_json::from_value::<StoredContact>(serde_json::Value::Object(fields.clone())).is_err() {
        return Ok(Some("its fields do not form a contact".into()));
    }
    if let Some(client) = fields.get(CONVERTED_TO).and_then(|v| v.as_str()) {
        let client = crate::ids::parse_hex16(client).unwrap_or_default();
        let is_client = entity_kind_and_client(tx, &client)?.is_some_and(|(k, _)| k == "client");
        // A device that does not read the client (not on its case) knows it exists from the
        // wraps of its key, which every member sees.
        let keys_known: bool = tx.query_row_cached(
            "SELECT EXISTS (SELECT 1 FROM client_key_wraps WHERE client_id = ?1 AND reader != 0)",
            [&client[..]],
            |r| r.get(0),
        )?;
        if !is_client && !keys_known {
            return Ok(Some(
                "it names as its client one this device does not hold".into(),
            ));
        }
    }
    Ok(None)
}

/// Why a client's key wrapped to the device `reader` must not be applied: a key is wrapped by a
/// supervisor's device (she reads every client of the team), by the device that registered the
/// client (its proof), or by a member to her own other devices; and only to a device the roster
/// lists.
fn wrap_refusal(
    tx: &Connection,
    signers: &Signers,
    signer: &Signer,
    row: &RecordRow,
    plain: &[(String, Zeroizing<Vec<u8>>)],
    author_key: &[u8; 32],
    reader: u64,
) -> rusqlite::Result<Option<String>> {
    let Some(addressee) = signers.get(&DeviceId::from_server(reader)) else {
        return Ok(Some(
            "it wraps a client's key to a device the team roster does not list".into(),
        ));
    };
    let by_supervisor = allows_maybe(signer.role, signer.level, Action::ReadTeamClients);
    let to_own_device = addressee.member == signer.member;
    // The registering device wraps the client's first key, when it registers the client: once
    // another key of the client exists (a release made one), only a supervisor's device wraps.
    // Otherwise a worker taken off the case could hand the remaining readers a key of her own
    // choosing. Wraps of the same key by others do not count: after a server restore the
    // creator's wraps can arrive after a supervisor's assignment re-wrapped that key.
    let by_creator = proves_creator(row, plain, author_key) && {
        let key_id = plain
            .iter()
            .find(|(n, _)| n == readers::KEY_ID)
            .map(|(_, v)| v.to_vec())
            .unwrap_or_default();
        let other_keys: bool = tx.query_row_cached(
            "SELECT EXISTS (SELECT 1 FROM client_key_wraps WHERE client_id = ?1
                 AND reader != 0 AND key_id != ?2)",
            params![&row.client.0[..], key_id],
            |r| r.get(0),
        )?;
        !other_keys
    };
    Ok((!(by_supervisor || by_creator || to_own_device)).then(|| {
        "a client's key is wrapped by a supervisor, by the device that registered the client \
         (its first key only), or by a member to her own devices"
            .into()
    }))
}

/// Why an assignment must not be applied: only a supervisor assigns; every worker it names is
/// in the roster; a child's case has a worker who may hold one (the permissions table) when it
/// has any.
fn assignment_refusal(
    signers: &Signers,
    signer: &Signer,
    client: ClientId,
    plain: &[(String, Zeroizing<Vec<u8>>)],
    is_child: &mut dyn FnMut(ClientId) -> Option<bool>,
) -> Option<String> {
    if !allows_maybe(signer.role, signer.level, Action::AssignCase) {
        return Some("only a supervisor in the team roster assigns a case".into());
    }
    let fields = match json_fields(plain) {
        Ok(f) => f,
        Err(why) => return Some(why),
    };
    let Ok(stored) = serde_json::from_value::<super::assignment::StoredAssignment>(
        serde_json::Value::Object(fields),
    ) else {
        return Some("its fields do not form an assignment".into());
    };
    let member = |m: &MemberId| {
        signers
            .values()
            .find(|s| s.member == *m && s.role.is_some())
    };
    if stored.workers.iter().any(|w| member(w).is_none()) {
        return Some("it assigns a member the team roster does not list".into());
    }
    let holds_child = |m: &MemberId| {
        member(m).is_some_and(|s| allows_maybe(s.role, s.level, Action::HoldChildCase))
    };
    if !stored.workers.is_empty()
        && !stored.workers.iter().any(holds_child)
        && is_child(client) == Some(true)
    {
        return Some(
            "a child's case needs a senior volunteer, a staff worker or a supervisor among its \
             workers"
                .into(),
        );
    }
    None
}
