use crate::vault::fixtures::vault;
use chrono::Duration;

use super::*;
use crate::domain::{ClientProfile, NoteDraft};
use crate::request::{DataRequest, RequestAnswer};

fn client_with_note(v: &mut Vault, code: &str) -> (ClientId, Vec<Vec<u8>>) {
    let client = v
        .add_client(&ClientProfile {
            code: code.into(),
            name: "Klien Sintetis Hapus".into(),
            ..ClientProfile::default()
        })
        .expect("client");
    let note = v
        .add_note(
            client,
            &NoteDraft {
                narrative: "Cerita yang harus dihapus (sintetis)".into(),
                ..NoteDraft::default()
            },
        )
        .expect("note");
    v.finalise_note(note).expect("finalised");
    let bodies = v
        .store
        .connection()
        .prepare("SELECT payload FROM record_log WHERE client_id = ?1")
        .expect("query")
        .query_map([&client.0[..]], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("bodies");
    (client, bodies)
}

fn erasure_request(identity: IdentityCheck) -> DataRequest {
    DataRequest {
        kind: RequestKind::Erasure,
        received_at: Some(Utc::now() - Duration::hours(3)),
        identity,
        details: "Minta semua catatan dihapus (sintetis)".into(),
        ..DataRequest::default()
    }
}

/// Whether any file of `dir` (the database, its WAL) holds `needle`.
fn dir_holds(dir: &std::path::Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir)
        .expect("the data directory")
        .any(|f| {
            let bytes = std::fs::read(f.expect("an entry").path()).expect("readable");
            bytes.windows(needle.len()).any(|w| w == needle)
        })
}

#[test]
fn an_approved_erasure_shreds_the_client_and_leaves_signed_headers() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let (client, bodies) = client_with_note(&mut v, "HP-1");
    let (other, _) = client_with_note(&mut v, "HP-2");
    let request = v
        .add_request(client, &erasure_request(IdentityCheck::IdentityCard))
        .expect("request");
    let bodies: Vec<&[u8]> = bodies
        .iter()
        .filter(|b| b.len() >= 32)
        .map(|b| &b[..32])
        .collect();
    assert!(bodies.len() >= 3, "her client and note records");
    assert!(
        bodies.iter().all(|b| dir_holds(dir.path(), b)),
        "before: her sealed bodies are on disk"
    );
    let logged: i64 = v
        .store
        .connection()
        .query_row("SELECT COUNT(*) FROM record_log", [], |r| r.get(0))
        .expect("count");

    let id = v.approve_erasure(request).expect("approved");
    assert!(v.is_erased(client).expect("read"));
    assert!(v.client(client).is_err(), "nothing of hers opens");
    let listed: Vec<ClientId> = v
        .list_clients()
        .expect("list")
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(listed, vec![other], "the other client stays");
    assert!(v.search_clients("HP-1", 10).expect("search").is_empty());
    // Every record stays in the log, her bodies replaced by their digests.
    let (now_logged, kept): (i64, i64) = v
        .store
        .connection()
        .query_row(
            "SELECT COUNT(*), SUM(length(payload)) FROM record_log WHERE client_id = ?1",
            [&client.0[..]],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("count");
    assert!(
        now_logged > 0 && kept == 0,
        "{now_logged} records, {kept} bytes"
    );
    let total: i64 = v
        .store
        .connection()
        .query_row("SELECT COUNT(*) FROM record_log", [], |r| r.get(0))
        .expect("count");
    assert!(total > logged, "the erasure added records and removed none");
    assert!(
        v.verify_erased_records()
            .expect("every erased header verifies")
            >= 3,
        "her client, note and request records"
    );
    v.check_consistency()
        .expect("the log and the tables still agree");
    // No body is left anywhere in the database's files.
    for body in &bodies {
        assert!(
            !dir_holds(dir.path(), body),
            "a body of hers is still on disk"
        );
    }
    // On a device of its own, it is the whole service: confirmed at its next step.
    v.acknowledge_erasures().expect("acknowledged");
    let view = v.erasure(id).expect("view");
    assert_eq!(view.subjects.len(), 1);
    assert_eq!(
        (view.subjects[0].client, view.subjects[0].code.as_str()),
        (client, "HP-1")
    );
    assert_eq!(view.cause, ErasureCause::Request { request });
    assert_eq!((view.confirmed, view.expected), (1, 1));
    assert_eq!(v.acknowledge_erasures().expect("again"), 0, "once");
}

#[test]
fn only_an_open_erasure_request_with_a_checked_identity_is_approved() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let (client, _) = client_with_note(&mut v, "HP-3");
    let unchecked = v
        .add_request(client, &erasure_request(IdentityCheck::NotYet))
        .expect("request");
    assert!(matches!(
        v.approve_erasure(unchecked),
        Err(VaultError::NotPermitted(_))
    ));
    let correction = v
        .add_request(
            client,
            &DataRequest {
                kind: RequestKind::Correction,
                ..erasure_request(IdentityCheck::IdentityCard)
            },
        )
        .expect("request");
    assert!(matches!(
        v.approve_erasure(correction),
        Err(VaultError::InvalidInput(_))
    ));
    let answered = v
        .add_request(client, &erasure_request(IdentityCheck::IdentityCard))
        .expect("request");
    v.answer_request(
        answered,
        &RequestAnswer {
            answered_at: Some(Utc::now()),
            outcome: crate::request::Outcome::Refused,
            text: "Ditolak (sintetis)".into(),
            grounds: vec![crate::request::RefusalGround::EndangersSafetyOrHealth],
        },
    )
    .expect("answered");
    assert!(matches!(
        v.approve_erasure(answered),
        Err(VaultError::InvalidInput(_))
    ));
    assert!(!v.is_erased(client).expect("read"), "nothing was erased");
    assert!(v.client(client).is_ok());
    assert!(v.erasures().expect("list").is_empty());
}

#[test]
fn an_erasure_naming_an_erasure_or_its_acknowledgements_destroys_neither() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let (client, _) = client_with_note(&mut v, "HP-4");
    let request = v
        .add_request(client, &erasure_request(IdentityCheck::IdentityCard))
        .expect("request");
    let id = v.approve_erasure(request).expect("approved");
    v.acknowledge_erasures().expect("acknowledged");
    let erased_before = v.verify_erased_records().expect("verified");
    // A hostile approver names the erasure itself, whole and as a single record.
    let hostile = [
        ErasedSubject {
            client: ClientId(id.0),
            code: "X".into(),
            entity: None,
        },
        ErasedSubject {
            client,
            code: "X".into(),
            entity: Some(id.into()),
        },
    ];
    let erased = v
        .batch(|b| shred_subjects(&b.tx, b.ident, b.u, ErasureId([7; 16]), &hostile))
        .expect("applied");
    assert_eq!(erased, 0, "nothing of the erasure is erased");
    let view = v.erasure(id).expect("the erasure still reads");
    assert_eq!((view.confirmed, view.expected), (1, 1));
    assert_eq!(
        v.verify_erased_records().expect("verified"),
        erased_before,
        "no further record erased"
    );
    v.check_consistency().expect("consistent");
}
