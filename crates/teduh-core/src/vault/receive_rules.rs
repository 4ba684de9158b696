//! The rules every receiving device enforces on another device's record before applying it,
//! whatever the writer's app or the server claims: authorship, the role that decides reviews,
//! the author's sole right to change her note, and who may publish a client's data key. A
//! record that breaks one is held with the reason ("refused: ..."), reported in the sync status,
//! and never applied. The writer's own checks (`casework/write.rs`, `review/mod.rs`) stay: they give the user a clear
//! error before anything is written; these make a modified app gain nothing.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};
use teduh_protocol::sync::Role;
use zeroize::Zeroizing;

use super::sealed::{AUTHOR, CREATOR_NONCE, FINALISED_BY};
use crate::ids::{DeviceId, MemberId};
use crate::records::{Op, RecordKind, RecordRow};
use crate::team::roster::Roster;

/// Who a device belongs to, from the verified roster (and this device's own identity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Signer {
    /// The member whose key signs the device's records.
    pub member: MemberId,
    /// Her role in the roster (`None`: not in a roster yet, e.g. this device before joining).
    pub role: Option<Role>,
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
            let role = r.member(d.member).filter(|m| !m.removed).map(|m| m.role);
            out.insert(
                DeviceId::from_server(d.device),
                Signer {
                    member: MemberId::from_server(d.member),
                    role,
                },
            );
        }
    }
    out.insert(
        me.0,
        Signer {
            member: me.1,
            role: my_role,
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
    tx.query_row(
        "SELECT created_device FROM entities WHERE entity_id = ?1",
        [&entity[..]],
        |r| r.get::<_, Vec<u8>>(0),
    )
    .optional()
    .map(|d| d.and_then(|d| <[u8; 16]>::try_from(d.as_slice()).ok().map(DeviceId)))
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
) -> rusqlite::Result<Option<String>> {
    let Some(signer) = signers.get(&row.device) else {
        return Ok(Some("the author device is not in the team roster".into()));
    };
    // Authorship: a record speaks only for the member whose key signed it.
    for field in [AUTHOR, FINALISED_BY, "reviewer"] {
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
            let decides = plain
                .iter()
                .find(|(n, _)| n == "action")
                .and_then(|(_, v)| serde_json::from_slice::<String>(v).ok())
                .is_some_and(|a| a != "comment");
            if decides && !signer.role.is_some_and(Role::manages_keys) {
                return Ok(Some(
                    "only a supervisor or admin in the team roster approves or returns a note"
                        .into(),
                ));
            }
        }
        // A client's data key: the first one from the device that creates the client, a later
        // one only from a key manager (a replacement from anyone else would make the genuine
        // records stop opening).
        RecordKind::ClientKey if proves_creator(row, plain, author_key) => {}
        RecordKind::ClientKey => {
            let has_key: bool = tx.query_row(
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
        // A client whose key its creator proved is created by that device only.
        RecordKind::Client if row.op == Op::Create => {
            let proven_by: Option<Vec<u8>> = tx
                .query_row(
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
