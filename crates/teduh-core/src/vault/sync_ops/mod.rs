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

    #[test]
    fn a_backlog_written_by_an_older_version_goes_out_with_sealed_headers() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let mut v = vault(tmp.path());
        let c = v
            .add_client(&ClientProfile {
                code: "F-2".into(),
                name: "Klien Lama".into(),
                ..ClientProfile::default()
            })
            .expect("client");
        // As an older version left it: unsent, in format 2, sealed and signed as format 2.
        let before = v.outbox_after(0).expect("log");
        {
            let u = v.unlocked.as_mut().expect("unlocked");
            let conn = v.store.connection();
            for r in &before {
                let plain = crate::vault::keys::open_record(conn, &v.ident, u, r).expect("opens");
                let mut old = r.clone();
                old.format = records::FORMAT_CLEAR_HEADER;
                crate::vault::keys::seal_and_sign(conn, &v.ident, u, &mut old, &plain)
                    .expect("sealed as format 2");
                conn.execute(
                    "UPDATE record_log SET format = 2, payload = ?3, signature = ?4
                     WHERE device_id = ?1 AND seq = ?2",
                    rusqlite::params![
                        &old.device.0[..],
                        old.seq as i64,
                        &old.payload,
                        &old.signature
                    ],
                )
                .expect("an older version's record");
            }
        }
        assert!(v
            .outbox_after(0)
            .expect("log")
            .iter()
            .all(|r| r.format == records::FORMAT_CLEAR_HEADER));
        assert_eq!(
            v.upgrade_outbox_format().expect("upgrade"),
            before.len() as u64
        );
        let after = v.outbox_after(0).expect("log");
        let key = VerifyingKey::from_bytes(&v.ident.ed25519_public).expect("key");
        for r in &after {
            assert_eq!(r.format, records::CURRENT_FORMAT);
            records::verify(&v.ident.team, &key, r).expect("signed in the new format");
        }
        assert_eq!(v.client(c).expect("still reads").profile.code, "F-2");
        assert_eq!(v.upgrade_outbox_format().expect("nothing left"), 0);
    }
}
