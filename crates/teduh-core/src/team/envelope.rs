//! Signed team-key envelopes: the team's keys sealed to one device and signed by the key
//! manager's device that made them, so a device adopts only keys a key manager of its verified
//! roster handed out. The server stores and serves the bytes without being able to open, make
//! or re-address them.
//!
//! Wire form (`DeviceEnvelope::envelope`, opaque to the server):
//! `signature (64) || signer device id (u64 BE) || sealed box`; the Ed25519 signature covers
//! `"teduh/team-key-envelope/v1" || team || epoch || recipient device || sealed box`.

use ed25519_dalek::{Signature, Signer, SigningKey};

use super::roster::Roster;

const SIGNING_PREFIX: &[u8] = b"teduh/team-key-envelope/v1";

/// Why an envelope was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    /// Too short to hold a signature.
    #[error("the team-key envelope is malformed")]
    Malformed,
    /// Not signed by a key manager of the roster this device holds, or signed for another
    /// team, epoch or device.
    #[error("the team-key envelope is not signed by a supervisor of this team")]
    Forged,
}

fn message(team: u64, epoch: u32, recipient: u64, sealed: &[u8]) -> Vec<u8> {
    let mut m = SIGNING_PREFIX.to_vec();
    m.extend_from_slice(&team.to_be_bytes());
    m.extend_from_slice(&epoch.to_be_bytes());
    m.extend_from_slice(&recipient.to_be_bytes());
    m.extend_from_slice(sealed);
    m
}

/// Signs a sealed box for device `recipient` as key manager's device `signer`.
pub fn sign(
    team: u64,
    epoch: u32,
    recipient: u64,
    sealed: &[u8],
    signer: u64,
    key: &SigningKey,
) -> Vec<u8> {
    let sig = key.sign(&message(team, epoch, recipient, sealed));
    let mut out = sig.to_bytes().to_vec();
    out.extend_from_slice(&signer.to_be_bytes());
    out.extend_from_slice(sealed);
    out
}

/// The sealed box inside `bytes` and its signing device, when a key manager's device of
/// `roster` signed it for this team, epoch and recipient device.
///
/// Fails with [`EnvelopeError`].
pub fn verify<'a>(
    bytes: &'a [u8],
    roster: &Roster,
    epoch: u32,
    recipient: u64,
) -> Result<(u64, &'a [u8]), EnvelopeError> {
    if bytes.len() < 72 {
        return Err(EnvelopeError::Malformed);
    }
    let (sig, rest) = bytes.split_at(64);
    let (signer, sealed) = rest.split_at(8);
    let signer = u64::from_be_bytes(signer.try_into().map_err(|_| EnvelopeError::Malformed)?);
    let key = roster
        .key_manager_key(signer)
        .ok_or(EnvelopeError::Forged)?;
    let sig: [u8; 64] = sig.try_into().map_err(|_| EnvelopeError::Malformed)?;
    key.verify_strict(
        &message(roster.team, epoch, recipient, sealed),
        &Signature::from_bytes(&sig),
    )
    .map_err(|_| EnvelopeError::Forged)?;
    Ok((signer, sealed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::team::roster::test_roster;
    use teduh_protocol::sync::Role;

    fn roster(sup: &SigningKey, counselor: &SigningKey) -> Roster {
        test_roster(
            7,
            1,
            &[(1, Role::Supervisor, sup), (2, Role::Counselor, counselor)],
        )
    }

    #[test]
    fn only_a_key_manager_s_envelope_for_this_epoch_and_device_opens() {
        let sup = SigningKey::from_bytes(&[1; 32]);
        let counselor = SigningKey::from_bytes(&[2; 32]);
        let r = roster(&sup, &counselor);
        let signed = sign(7, 3, 2, b"kotak tersegel", 1, &sup);
        assert_eq!(verify(&signed, &r, 3, 2), Ok((1, &b"kotak tersegel"[..])));
        assert_eq!(
            verify(&signed, &r, 4, 2),
            Err(EnvelopeError::Forged),
            "replayed as another epoch"
        );
        assert_eq!(
            verify(&signed, &r, 3, 5),
            Err(EnvelopeError::Forged),
            "re-addressed to another device"
        );
        assert_eq!(
            verify(&sign(7, 3, 2, b"kotak", 2, &counselor), &r, 3, 2),
            Err(EnvelopeError::Forged),
            "a counselor cannot hand out team keys"
        );
        let mut tampered = signed.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert_eq!(verify(&tampered, &r, 3, 2), Err(EnvelopeError::Forged));
        assert_eq!(
            verify(&signed[..40], &r, 3, 2),
            Err(EnvelopeError::Malformed)
        );
    }
}
