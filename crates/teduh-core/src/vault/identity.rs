//! The member's identity and key derivation: the stored identity header, the passphrase that
//! (through Argon2id) opens her X25519 and Ed25519 secrets, and changing that passphrase.
//! Separate from the life cycle because it is the only code that sees the passphrase and the
//! raw secrets.

use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, OptionalExtension};
use teduh_protocol::envelope::EnvelopeError;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use super::error::VaultError;
use super::Vault;
use crate::crypto::{self, DataKey, KdfParams};
use crate::ids::{DeviceId, KeyId, MemberId, TeamId};
use crate::passphrase::MIN_PASSPHRASE_CHARS;

pub(super) const KDF_ALGORITHM: &str = "argon2id-v19";

/// A new passphrase must be long enough and not weak ([`crate::passphrase::rate`]).
pub(super) fn check_new_passphrase(passphrase: &str) -> Result<(), VaultError> {
    use crate::passphrase::PassphraseStrength;
    match crate::passphrase::rate(passphrase, &[]) {
        PassphraseStrength::TooShort => Err(VaultError::PassphraseTooShort {
            min: MIN_PASSPHRASE_CHARS,
        }),
        PassphraseStrength::Weak => Err(VaultError::PassphraseTooWeak),
        PassphraseStrength::Fair | PassphraseStrength::Strong => Ok(()),
    }
}

/// The public, stored part of the identity.
#[derive(Debug, Clone)]
pub(super) struct Identity {
    pub(super) member: MemberId,
    pub(super) device: DeviceId,
    pub(super) team: TeamId,
    pub(super) kdf: KdfParams,
    pub(super) salt: Vec<u8>,
    pub(super) kek_id: KeyId,
    pub(super) wrapped_secrets: Vec<u8>,
    pub(super) x25519_public: [u8; 32],
    pub(super) ed25519_public: [u8; 32],
}

impl Identity {
    pub(super) fn secrets_context(&self) -> Vec<u8> {
        let mut c = b"identity".to_vec();
        c.extend_from_slice(&self.member.0);
        c.extend_from_slice(&self.device.0);
        c.extend_from_slice(&self.team.0);
        c
    }

    pub(super) fn load(conn: &Connection) -> Result<Option<Self>, VaultError> {
        conn.query_row(
            "SELECT member_id, device_id, team_id, kdf_algorithm, kdf_m_cost_kib, kdf_t_cost,
                    kdf_p_cost, kdf_salt, kek_id, wrapped_secrets, x25519_public, ed25519_public
             FROM identity WHERE id = 1",
            [],
            |r| {
                Ok((
                    r.get::<_, Vec<u8>>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, Vec<u8>>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, u32>(4)?,
                    r.get::<_, u32>(5)?,
                    r.get::<_, u32>(6)?,
                    r.get::<_, Vec<u8>>(7)?,
                    r.get::<_, Vec<u8>>(8)?,
                    r.get::<_, Vec<u8>>(9)?,
                    r.get::<_, Vec<u8>>(10)?,
                    r.get::<_, Vec<u8>>(11)?,
                ))
            },
        )
        .optional()?
        .map(|(m, d, t, alg, mc, tc, pc, salt, kek, wrapped, xp, ep)| {
            let damaged = || VaultError::Integrity {
                record: "the identity header".into(),
            };
            if alg != KDF_ALGORITHM {
                return Err(damaged());
            }
            Ok(Identity {
                member: MemberId::from_slice(&m).ok_or_else(damaged)?,
                device: DeviceId::from_slice(&d).ok_or_else(damaged)?,
                team: TeamId::from_slice(&t).ok_or_else(damaged)?,
                kdf: KdfParams {
                    m_cost_kib: mc,
                    t_cost: tc,
                    p_cost: pc,
                },
                salt,
                kek_id: KeyId::from_slice(&kek).ok_or_else(damaged)?,
                wrapped_secrets: wrapped,
                x25519_public: xp.as_slice().try_into().map_err(|_| damaged())?,
                ed25519_public: ep.as_slice().try_into().map_err(|_| damaged())?,
            })
        })
        .transpose()
    }
}

pub(super) fn derive_kek(ident: &Identity, passphrase: &str) -> Result<DataKey, VaultError> {
    let k = crypto::derive_kek(passphrase.as_bytes(), &ident.salt, ident.kdf)
        .map_err(|e| VaultError::InvalidInput(e.to_string()))?;
    Ok(DataKey::from_parts(ident.kek_id, k))
}

pub(super) fn wrap_secrets(
    ident: &Identity,
    kek: &DataKey,
    x25519: &StaticSecret,
    signing: &SigningKey,
) -> Vec<u8> {
    let mut pt = Zeroizing::new([0u8; 64]);
    pt[..32].copy_from_slice(x25519.as_bytes());
    pt[32..].copy_from_slice(signing.as_bytes());
    kek.seal(&ident.secrets_context(), pt.as_ref())
}

pub(super) fn open_secrets(
    ident: &Identity,
    passphrase: &str,
) -> Result<(StaticSecret, SigningKey), VaultError> {
    let kek = derive_kek(ident, passphrase)?;
    let pt = kek
        .open(&ident.secrets_context(), &ident.wrapped_secrets)
        .map_err(|e| match e {
            EnvelopeError::Integrity => VaultError::WrongPassphrase,
            _ => VaultError::Integrity {
                record: "the identity header (wrapped keys)".into(),
            },
        })?;
    if pt.len() != 64 {
        return Err(VaultError::Integrity {
            record: "the identity header (wrapped keys)".into(),
        });
    }
    let mut x = Zeroizing::new([0u8; 32]);
    x.copy_from_slice(&pt[..32]);
    let mut e = Zeroizing::new([0u8; 32]);
    e.copy_from_slice(&pt[32..]);
    let x25519 = StaticSecret::from(*x);
    let signing = SigningKey::from_bytes(&e);
    if PublicKey::from(&x25519).as_bytes() != &ident.x25519_public
        || signing.verifying_key().to_bytes() != ident.ed25519_public
    {
        return Err(VaultError::Integrity {
            record: "the identity header (public keys do not match)".into(),
        });
    }
    Ok((x25519, signing))
}

impl Vault {
    /// Replaces the passphrase: re-wraps the two private keys under a new salt; cost does not
    /// depend on the amount of data. Works locked or unlocked.
    ///
    /// Fails with [`VaultError::WrongPassphrase`] (nothing changed) when `old` is wrong, and with
    /// [`VaultError::PassphraseTooShort`] for a `new` one under [`MIN_PASSPHRASE_CHARS`] or
    /// [`VaultError::PassphraseTooWeak`].
    pub fn change_passphrase(&mut self, old: &str, new: &str) -> Result<(), VaultError> {
        let (x25519, signing) = open_secrets(&self.ident, old)?;
        check_new_passphrase(new)?;
        let mut next = self.ident.clone();
        next.salt = crypto::random_bytes::<16>().to_vec();
        next.kek_id = KeyId::random();
        let kek = derive_kek(&next, new)?;
        next.wrapped_secrets = wrap_secrets(&next, &kek, &x25519, &signing);
        self.store.connection().execute(
            "UPDATE identity SET kdf_salt = ?1, kek_id = ?2, wrapped_secrets = ?3,
                 kdf_m_cost_kib = ?4, kdf_t_cost = ?5, kdf_p_cost = ?6 WHERE id = 1",
            params![
                &next.salt,
                &next.kek_id.0[..],
                &next.wrapped_secrets,
                next.kdf.m_cost_kib,
                next.kdf.t_cost,
                next.kdf.p_cost
            ],
        )?;
        self.ident = next;
        Ok(())
    }

    /// Checks the passphrase without changing anything (one Argon2id derivation).
    ///
    /// Fails with [`VaultError::WrongPassphrase`].
    pub fn verify_passphrase(&self, passphrase: &str) -> Result<(), VaultError> {
        open_secrets(&self.ident, passphrase).map(|_| ())
    }

    /// The Argon2id parameters stored in this vault.
    pub fn kdf_params(&self) -> KdfParams {
        self.ident.kdf
    }

    /// This member's id.
    pub fn member_id(&self) -> MemberId {
        self.ident.member
    }

    /// This device's id.
    pub fn device_id(&self) -> DeviceId {
        self.ident.device
    }

    /// The team's id.
    pub fn team_id(&self) -> TeamId {
        self.ident.team
    }
}
