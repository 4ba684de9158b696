//! A key oracle (issue 23): every record the server holds for a team, opened with every key a
//! vault can reach (`Vault::oracle_keys`), directly and as every record key two of them derive.
//! What it opens is what a thief holding that unlocked laptop can read, whatever the app shows.

use teduh_core::crypto::{record_key, DataKey};
use teduh_core::ids::{ClientId, TeamId};
use teduh_core::records::{self, HeaderKey, PlainFields, RecordKind, RecordRow};

/// Every record the server stores for `team` whose header opens under one of `keys` taken as
/// a team key (headers travel sealed under the epoch's team key), in team order.
#[allow(clippy::expect_used)]
pub fn team_rows(server: &crate::TestServer, team: &str, keys: &[DataKey]) -> Vec<RecordRow> {
    let id = server.team_id(team);
    let team_id = TeamId::from_server(id);
    let header_keys: Vec<HeaderKey> = keys
        .iter()
        .map(|k| HeaderKey::derive(&team_id, k))
        .collect();
    let page = server
        .block_on(server.storage().pull(id, 0, usize::MAX, usize::MAX))
        .expect("the server's records");
    page.records
        .iter()
        .filter_map(|r| {
            header_keys
                .iter()
                .find_map(|k| RecordRow::from_wire(&r.record, &team_id, Some(k)).ok())
        })
        .collect()
}

/// The records of `rows` that open under `keys` (or a record key two of them derive), with
/// their fields.
pub fn opened(team: u64, keys: &[DataKey], rows: &[RecordRow]) -> Vec<(RecordRow, PlainFields)> {
    let team = TeamId::from_server(team);
    let mut out = Vec::new();
    let mut derived: std::collections::HashMap<ClientId, Vec<DataKey>> = Default::default();
    for row in rows {
        let candidates = derived.entry(row.client).or_insert_with(|| {
            let mut v: Vec<DataKey> = keys.to_vec();
            for a in keys {
                for b in keys {
                    v.push(record_key(a, b, &row.client.0));
                }
            }
            v
        });
        if let Some(plain) = candidates.iter().find_map(|k| {
            records::open_payload(k, &team, row)
                .ok()
                .and_then(|pt| records::decode_fields(&pt))
        }) {
            out.push((row.clone(), plain));
        }
    }
    out
}

/// The clients some record of which (other than a key record, which every member opens and
/// which carries no client data) opens.
pub fn clients_opened(opened: &[(RecordRow, PlainFields)]) -> std::collections::HashSet<ClientId> {
    opened
        .iter()
        .filter(|(r, _)| r.kind != RecordKind::ClientKey)
        .map(|(r, _)| r.client)
        .collect()
}

/// Whether `marker` (in any of its stored forms) appears in any opened field.
pub fn reveals(opened: &[(RecordRow, PlainFields)], marker: &str) -> bool {
    let forms = crate::leak::marker_forms(marker);
    opened.iter().any(|(_, fields)| {
        fields.iter().any(|(_, v)| {
            forms
                .iter()
                .any(|f| !f.is_empty() && v.windows(f.len()).any(|w| w == f.as_slice()))
        })
    })
}
