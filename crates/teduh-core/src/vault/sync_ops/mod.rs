//! The vault's side of sync: binding to a server identity, the outbox, re-sealing and
//! re-stamping unacknowledged records, the team's keys and roster, and receiving the team's
//! records (verified, opened, applied with the pull cursor in one transaction). The protocol and
//! the round that plans, then acts are in [`crate::sync`]; what to check before a received
//! record is applied is in `receive_rules`.
//!
//! - `binding`: the server identity, the device token and the sync status row.
//! - `outbox`: unacknowledged records, acknowledgements, resending, re-sealing, re-stamping.
//! - `team`: team keys by epoch, the roster and the authors it accepts.
//! - `receive`: applying a pulled page, held records and security alarms.
//! - `admission`: devices waiting to be admitted, safety numbers, a key manager's decisions.
//! - `invitations`: invitations made on a key manager's device, and a newcomer's anchor.
//! - `reports`: this device's alarms reported, and the reports a key manager's device received.
//! - `org`: the organisation root key on an administrator's device, her grants, and the
//!   organisation settings.
//! - `founding`: the teams an administrator's device founds with the organisation key.

mod admission;
mod ahead;
mod binding;
mod founding;
mod invitations;
mod org;
mod outbox;
mod receive;
mod reports;
mod team;

pub(crate) use admission::PendingListing;
pub use admission::{PendingDevice, SafetyNumber};
pub use binding::{RefreshChain, SyncCredentials};
pub use invitations::InvitationLabels;
pub(crate) use invitations::ProofCheck;
pub use org::OrgKeySheet;
pub use receive::{ReceiveReport, SecurityAlarm, MAX_FAILED_COPIES_HELD};
pub use reports::ReportedAlarm;
pub(in crate::vault) use team::insert_alarm;

#[cfg(test)]
mod tests {
    use crate::crypto::KdfParams;
    use crate::domain::ClientProfile;
    use crate::domain::NoteDraft;
    use crate::records;
    use crate::store::LocalStore;
    use crate::vault::keys::{self, OpenError};
    use crate::vault::{Vault, VaultError};
    use ed25519_dalek::VerifyingKey;

    fn vault(dir: &std::path::Path) -> Vault {
        let store = LocalStore::open(&dir.join("t.sqlite3")).expect("store");
        Vault::create_with_params(
            store,
            "uji segel rekaman",
            KdfParams::insecure_fast_for_tests(),
        )
        .expect("vault")
    }

    /// A push page read from the outbox holds what fits in its bytes (the first record always),
    /// and pages read one after another cover the outbox without a gap.
    #[test]
    fn the_outbox_is_read_one_push_page_at_a_time() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut v = crate::vault::fixtures::vault(tmp.path());
        let c = crate::vault::fixtures::client(&mut v, "P-1");
        for i in 0..40 {
            let narrative = format!("catatan {i} ").repeat(60 + i);
            v.add_note(
                c,
                &NoteDraft {
                    narrative,
                    ..NoteDraft::default()
                },
            )
            .expect("note");
        }
        let all = v.outbox(usize::MAX).expect("outbox");
        let page_len = |rows: &[records::RecordRow]| -> u64 {
            8 + rows.iter().map(|r| r.wire_len() as u64).sum::<u64>()
        };
        let max = 6_000;
        let page = v.outbox_page(usize::MAX, max).expect("page");
        assert!(page.len() > 1 && page.len() < all.len(), "{}", page.len());
        assert!(page_len(&page) <= max);
        assert!(
            page_len(&all[..=page.len()]) > max,
            "the next record would not fit"
        );
        assert_eq!(page, all[..page.len()], "the oldest records first");
        assert_eq!(
            v.outbox_page(3, max).expect("page").len(),
            3,
            "the row limit holds"
        );
        assert_eq!(
            v.outbox_page(100, 1).expect("page"),
            all[..1],
            "one always fits"
        );
    }

    #[test]
    fn a_payload_moved_into_another_validly_signed_record_does_not_open() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut v = vault(tmp.path());
        let c = v
            .add_client(&ClientProfile {
                code: "M-1".into(),
                name: "Klien Pindah".into(),
                ..ClientProfile::default()
            })
            .expect("client");
        let draft = |t: &str| NoteDraft {
            narrative: t.into(),
            ..NoteDraft::default()
        };
        v.add_note(c, &draft("catatan A")).expect("note a");
        v.add_note(c, &draft("catatan B")).expect("note b");
        let rows = v.outbox_after(0).expect("log");
        let (a, b) = (&rows[2], &rows[3]);
        // A member with a valid signing key builds a record for note B carrying note A's
        // sealed payload: the signature verifies, but the payload is bound to A's header.
        let mut forged = b.clone();
        forged.payload = a.payload.clone();
        let u = v.unlocked.as_mut().expect("unlocked");
        records::sign(&v.ident.team, &u.signing, &mut forged);
        let key = VerifyingKey::from_bytes(&v.ident.ed25519_public).expect("key");
        records::verify(&v.ident.team, &key, &forged).expect("the forger's signature is valid");
        let opened = keys::open_record(v.store.connection(), &v.ident, u, &forged);
        assert!(
            matches!(opened, Err(OpenError::Vault(VaultError::Integrity { .. }))),
            "a moved payload must fail authentication"
        );
        assert!(keys::open_record(v.store.connection(), &v.ident, u, b).is_ok());
    }

    /// A vault with one client's records left unsent in `format`, sealed and signed as an
    /// older version did; returns the vault, the client and the rows' plaintext fields.
    fn backlog_in(
        dir: &std::path::Path,
        format: u8,
    ) -> (Vault, crate::ids::ClientId, Vec<records::PlainFields>) {
        let mut v = vault(dir);
        let c = v
            .add_client(&ClientProfile {
                code: "F-2".into(),
                name: "Klien Lama".into(),
                ..ClientProfile::default()
            })
            .expect("client");
        let before = v.outbox_after(0).expect("log");
        let mut plains = Vec::new();
        {
            let u = v.unlocked.as_mut().expect("unlocked");
            let conn = v.store.connection();
            for r in &before {
                let plain = keys::open_record(conn, &v.ident, u, r).expect("opens");
                let mut old = r.clone();
                old.format = format;
                keys::seal_and_sign(conn, &v.ident, u, &mut old, &plain).expect("sealed");
                conn.execute(
                    "UPDATE record_log SET format = ?3, payload = ?4, signature = ?5
                     WHERE device_id = ?1 AND seq = ?2",
                    rusqlite::params![
                        &old.device.0[..],
                        old.seq as i64,
                        format,
                        &old.payload,
                        &old.signature
                    ],
                )
                .expect("an older version's record");
                plains.push(plain);
            }
        }
        (v, c, plains)
    }

    #[test]
    fn a_backlog_written_by_an_older_version_goes_out_in_the_current_format_and_still_opens() {
        for format in [records::FORMAT_CLEAR_HEADER, records::FORMAT_SEALED_HEADER] {
            let tmp = tempfile::tempdir().expect("tempdir");
            let (mut v, c, plains) = backlog_in(tmp.path(), format);
            assert!(v
                .outbox_after(0)
                .expect("log")
                .iter()
                .all(|r| r.format == format));
            assert_eq!(
                v.upgrade_outbox_format().expect("upgrade"),
                plains.len() as u64
            );
            let after = v.outbox_after(0).expect("log");
            let key = VerifyingKey::from_bytes(&v.ident.ed25519_public).expect("key");
            let u = v.unlocked.as_mut().expect("unlocked");
            for (r, plain) in after.iter().zip(&plains) {
                assert_eq!(r.format, records::CURRENT_FORMAT);
                records::verify(&v.ident.team, &key, r).expect("signed in the new format");
                let opened = keys::open_record(v.store.connection(), &v.ident, u, r)
                    .expect("the re-sealed payload opens");
                assert_eq!(&opened, plain, "from format {format}: the same fields");
            }
            assert_eq!(v.client(c).expect("still reads").profile.code, "F-2");
            assert_eq!(v.upgrade_outbox_format().expect("nothing left"), 0);
        }
    }

    #[test]
    fn a_client_written_by_an_older_version_is_erased_and_every_log_still_verifies() {
        // Format 2 signs the body itself: once erased, only this device's word (it verified the
        // record before erasing its body) stands for it. Nothing of her stays either way.
        let tmp = tempfile::tempdir().expect("tempdir");
        let (mut v, c, _) = backlog_in(tmp.path(), records::FORMAT_CLEAR_HEADER);
        let request = v
            .add_request(
                c,
                &crate::request::DataRequest {
                    kind: crate::request::RequestKind::Erasure,
                    received_at: Some(chrono::Utc::now() - chrono::Duration::hours(1)),
                    identity: crate::request::IdentityCheck::IdentityCard,
                    ..Default::default()
                },
            )
            .expect("request");
        v.approve_erasure(request).expect("erased");
        let old: i64 = v
            .store
            .connection()
            .query_row(
                "SELECT COUNT(*) FROM record_log WHERE format = ?1 AND erased_sha256 IS NOT NULL
                 AND payload = x''",
                [records::FORMAT_CLEAR_HEADER],
                |r| r.get(0),
            )
            .expect("count");
        assert!(old >= 2, "her older records are erased too: {old}");
        assert!(v.verify_erased_records().expect("verified") >= 2);
        v.check_consistency().expect("consistent");
        for chain in v.verify_logs(chrono::Utc::now()).expect("checked") {
            assert!(chain.breaks.is_empty(), "{:?}", chain.breaks);
        }
    }

    #[test]
    fn a_record_once_sent_keeps_its_format_whatever_the_server_answered() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let (mut v, _, plains) = backlog_in(tmp.path(), records::FORMAT_SEALED_HEADER);
        // Joined (as far as this test needs: pushes are noted in the binding).
        v.store
            .connection()
            .execute(
                "INSERT INTO sync_binding (id, server_url, username, team, member, device, role,
                     token_sealed) VALUES (1, 'http://127.0.0.1:9', 'kons', 1, 1, 1, 'counselor',
                     x'00')",
                [],
            )
            .expect("binding");
        // The first record went out in a push whose answer never came back (or a lying server
        // denies it): the server may hold it, so it keeps the bytes it was sent as.
        let first = v.outbox_after(0).expect("log")[0].clone();
        v.note_sent_through(first.seq).expect("noted");
        assert_eq!(
            v.upgrade_outbox_format().expect("upgrade"),
            plains.len() as u64 - 1
        );
        let after = v.outbox_after(0).expect("log");
        assert_eq!(after[0], first, "unchanged, byte for byte");
        assert!(after[1..]
            .iter()
            .all(|r| r.format == records::CURRENT_FORMAT));
    }
}
