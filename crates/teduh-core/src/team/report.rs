//! Alarm reports: a device tells the team's key managers' devices about a security alarm it
//! raised, through the server's mailbox (`/v1/teams/{team}/messages`). Each report is signed by
//! the reporting device and sealed to one recipient device, bound to the team and both devices,
//! so the server can withhold a report but not read, forge or redirect one.
//!
//! Wire form (`DeviceMessage::body`): a sealed box (to the recipient's X25519 key) of
//! `Ed25519 signature (64) || JSON of` [`AlarmReport`]; the signature covers
//! `"teduh/alarm-report/v1" || team || sender device || recipient device || JSON`.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use x25519_dalek::{PublicKey, StaticSecret};

use crate::crypto;

const PREFIX: &[u8] = b"teduh/alarm-report/v1";

/// One alarm as the device that raised it reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlarmReport {
    /// The alarm's code (`AlarmKind::code`, e.g. `"forged-roster"`).
    pub kind: String,
    /// The device or member it concerns (0: the server).
    pub subject: u64,
    /// The sequence, epoch or version it concerns.
    pub seq: u64,
    /// What was seen, in English.
    pub detail: String,
    /// When the reporting device raised it (Unix seconds).
    pub raised_at: i64,
}

fn message(team: u64, sender: u64, recipient: u64, json: &[u8]) -> Vec<u8> {
    let mut m = PREFIX.to_vec();
    m.extend_from_slice(&team.to_be_bytes());
    m.extend_from_slice(&sender.to_be_bytes());
    m.extend_from_slice(&recipient.to_be_bytes());
    m.extend_from_slice(json);
    m
}

fn context(team: u64, recipient: u64) -> Vec<u8> {
    let mut c = PREFIX.to_vec();
    c.extend_from_slice(&team.to_be_bytes());
    c.extend_from_slice(&recipient.to_be_bytes());
    c
}

/// The report signed by device `sender` and sealed to device `recipient`'s X25519 key.
pub fn seal(
    report: &AlarmReport,
    (team, sender, recipient): (u64, u64, u64),
    recipient_key: &PublicKey,
    signing: &SigningKey,
) -> Vec<u8> {
    // Serialising a plain struct of strings and integers cannot fail.
    let json = serde_json::to_vec(report).unwrap_or_default();
    let mut plain = signing
        .sign(&message(team, sender, recipient, &json))
        .to_bytes()
        .to_vec();
    plain.extend_from_slice(&json);
    crypto::seal_bytes_to(recipient_key, &context(team, recipient), &plain)
}

/// The report inside `body`, when it opens with this device's X25519 secret; `verified` when
/// `sender_key` (the sender's key as this device's roster lists it) signed it for this team and
/// these two devices. A report from a device the roster does not list is kept unverified.
pub fn open(
    body: &[u8],
    (team, sender, recipient): (u64, u64, u64),
    secret: &StaticSecret,
    sender_key: Option<&VerifyingKey>,
) -> Option<(AlarmReport, bool)> {
    let plain = crypto::open_sealed_bytes(secret, &context(team, recipient), body).ok()?;
    if plain.len() < 64 {
        return None;
    }
    let (sig, json) = plain.split_at(64);
    let report: AlarmReport = serde_json::from_slice(json).ok()?;
    let sig = Signature::from_bytes(sig.try_into().ok()?);
    let verified = sender_key.is_some_and(|k| {
        k.verify_strict(&message(team, sender, recipient, json), &sig)
            .is_ok()
    });
    Some((report, verified))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_opens_for_its_recipient_and_verifies_against_its_sender_only() {
        let signing = SigningKey::from_bytes(&[4; 32]);
        let other = SigningKey::from_bytes(&[5; 32]);
        let secret = StaticSecret::from([6; 32]);
        let report = AlarmReport {
            kind: "forged-roster".into(),
            subject: 0,
            seq: 3,
            detail: "team roster 3: not signed".into(),
            raised_at: 1_800_000_000,
        };
        let sealed = seal(&report, (7, 2, 1), &PublicKey::from(&secret), &signing);
        assert_eq!(
            open(&sealed, (7, 2, 1), &secret, Some(&signing.verifying_key())),
            Some((report.clone(), true))
        );
        assert_eq!(
            open(&sealed, (7, 2, 1), &secret, Some(&other.verifying_key())),
            Some((report.clone(), false)),
            "another device's key does not verify it"
        );
        assert_eq!(
            open(&sealed, (7, 3, 1), &secret, Some(&signing.verifying_key())).map(|r| r.1),
            Some(false),
            "re-attributed to another sender"
        );
        assert_eq!(
            open(&sealed, (7, 2, 9), &secret, None),
            None,
            "redirected to another recipient"
        );
        assert_eq!(
            open(&sealed, (7, 2, 1), &StaticSecret::from([8; 32]), None),
            None,
            "only the recipient opens it"
        );
    }
}
