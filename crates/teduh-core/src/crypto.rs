//! Key material: the passphrase-derived key-encryption key, data keys, and sealed key envelopes.
//!
//! - [`KdfParams`]: Argon2id cost parameters. They are stored beside the salt in the vault and
//!   always read back from there on unlock, so they can be raised later without breaking old
//!   vaults. [`KdfParams::interactive`] is tuned for this project's reference machine (unlock in
//!   0.5-1 s, see the `vault` benchmark).
//! - [`DataKey`]: a 256-bit AES key with its [`KeyId`], zeroized on drop.
//! - [`seal_to`] / [`open_sealed`]: an HPKE-style sealed box (ephemeral X25519, HKDF-SHA256,
//!   AES-256-GCM envelope) that wraps a key to a member's X25519 public key.

use argon2::{Algorithm, Argon2, Params, Version};
use hkdf::Hkdf;
use rand_core::{OsRng, RngCore};
use sha2::Sha256;
use teduh_protocol::envelope::{self, EnvelopeError, SealingKey, NONCE_LEN};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::ids::KeyId;

/// Argon2id cost parameters (memory in KiB, iterations, lanes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KdfParams {
    /// Memory cost in KiB.
    pub m_cost_kib: u32,
    /// Number of passes.
    pub t_cost: u32,
    /// Degree of parallelism (lanes).
    pub p_cost: u32,
}

impl KdfParams {
    /// Parameters for real vaults: 128 MiB, 8 passes, 1 lane. Measured by the `vault` benchmark
    /// at 0.6-0.7 s on the 2-core reference machine in an optimised build while other builds
    /// were running (target 0.5-1 s; 6 passes measured 0.40-0.50 s);
    /// memory-hard enough that guessing passphrases on a stolen laptop is slow, small enough
    /// for a 4 GB laptop. One lane: the argon2 crate computes lanes sequentially without its
    /// `parallel` feature, so more lanes would only cost time.
    pub fn interactive() -> Self {
        Self {
            m_cost_kib: 128 * 1024,
            t_cost: 8,
            p_cost: 1,
        }
    }

    /// Deliberately weak parameters for tests and benchmarks that create many vaults.
    /// Never use for a real vault: a stolen database could be brute-forced quickly.
    pub fn insecure_fast_for_tests() -> Self {
        Self {
            m_cost_kib: 64,
            t_cost: 1,
            p_cost: 1,
        }
    }
}

/// Errors deriving keys.
#[derive(Debug, thiserror::Error)]
pub enum KdfError {
    /// Argon2 refused the parameters (e.g. a damaged vault header).
    #[error("invalid key-derivation parameters: {0}")]
    Params(String),
}

/// Fills a fresh array from the operating system's CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    OsRng.fill_bytes(&mut b);
    b
}

/// A fresh random nonce for one seal.
pub fn fresh_nonce() -> [u8; NONCE_LEN] {
    random_bytes()
}

/// Derives the 256-bit key-encryption key from a passphrase with Argon2id.
///
/// Fails only when the parameters are invalid.
pub fn derive_kek(
    passphrase: &[u8],
    salt: &[u8],
    params: KdfParams,
) -> Result<Zeroizing<[u8; 32]>, KdfError> {
    let p = Params::new(params.m_cost_kib, params.t_cost, params.p_cost, Some(32))
        .map_err(|e| KdfError::Params(e.to_string()))?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, p);
    let mut out = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase, salt, out.as_mut())
        .map_err(|e| KdfError::Params(e.to_string()))?;
    Ok(out)
}

/// A 256-bit AES-GCM key and its id; the key bytes are wiped when dropped.
#[derive(Clone)]
pub struct DataKey {
    /// The key's id (written into every envelope it seals).
    pub id: KeyId,
    key: Zeroizing<[u8; 32]>,
    /// The AES-256-GCM-SIV subkey ([`DataKey::seal_siv`]), derived once per key: a pull opens
    /// thousands of records under the same few keys.
    siv_subkey: std::sync::OnceLock<Zeroizing<[u8; 32]>>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl DataKey {
    /// A fresh random key with a fresh random id.
    pub fn generate() -> Self {
        Self::from_parts(KeyId::random(), Zeroizing::new(random_bytes()))
    }

    /// Wraps existing key bytes.
    pub fn from_parts(id: KeyId, key: Zeroizing<[u8; 32]>) -> Self {
        Self {
            id,
            key,
            siv_subkey: std::sync::OnceLock::new(),
        }
    }

    /// The envelope view of this key.
    pub fn sealing(&self) -> SealingKey<'_> {
        SealingKey {
            id: self.id.0,
            key: &self.key,
        }
    }

    /// Seals `plaintext` with a fresh nonce, bound to `context`.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Vec<u8> {
        envelope::seal(&self.sealing(), fresh_nonce(), context, plaintext)
    }

    /// Seals with a given nonce. The caller guarantees it is never reused with this key
    /// (e.g. a fresh random base per record, XORed with a field index).
    pub fn seal_with_nonce(
        &self,
        nonce: [u8; NONCE_LEN],
        context: &[u8],
        plaintext: &[u8],
    ) -> Vec<u8> {
        envelope::seal(&self.sealing(), nonce, context, plaintext)
    }

    /// Opens an envelope sealed by this key for `context`.
    ///
    /// Fails when the envelope was sealed by another key, altered, or bound elsewhere.
    pub fn open(&self, context: &[u8], bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
        envelope::open(&self.sealing(), context, bytes).map(Zeroizing::new)
    }

    /// Seals another key (`inner`) under this one: its id and bytes.
    pub fn wrap(&self, context: &[u8], inner: &DataKey) -> Vec<u8> {
        let mut pt = Zeroizing::new(Vec::with_capacity(48));
        pt.extend_from_slice(&inner.id.0);
        pt.extend_from_slice(inner.key.as_ref());
        self.seal(context, &pt)
    }

    /// Opens a key wrapped by [`DataKey::wrap`].
    ///
    /// Fails when the envelope does not authenticate or has the wrong length.
    pub fn unwrap_key(&self, context: &[u8], bytes: &[u8]) -> Result<DataKey, EnvelopeError> {
        let pt = self.open(context, bytes)?;
        key_from_plaintext(&pt)
    }
}

impl DataKey {
    /// The raw key bytes (for key derivation inside the core).
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// Seals without an envelope header: `nonce (12) || ciphertext || tag (16)`, 28 bytes of
    /// overhead. For record payloads, whose key is implied by the record (client and epoch)
    /// and whose associated data binds every routing field.
    pub fn seal_raw(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        self.seal_raw_with_nonce(fresh_nonce(), aad, plaintext)
    }

    /// [`DataKey::seal_raw`] with a given nonce. The caller guarantees a nonce never seals two
    /// different messages under this key (e.g. a synthetic nonce: a PRF of the message and its
    /// associated data, so only an identical message repeats it).
    pub(crate) fn seal_raw_with_nonce(
        &self,
        nonce: [u8; NONCE_LEN],
        aad: &[u8],
        plaintext: &[u8],
    ) -> Vec<u8> {
        use aes_gcm::aead::{Aead, KeyInit, Payload};
        let cipher = aes_gcm::Aes256Gcm::new(aes_gcm::Key::<aes_gcm::Aes256Gcm>::from_slice(
            self.key.as_ref(),
        ));
        let mut out = nonce.to_vec();
        // Encryption with a 96-bit nonce and in-memory buffers cannot fail.
        if let Ok(ct) = cipher.encrypt(
            aes_gcm::Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad,
            },
        ) {
            out.extend_from_slice(&ct);
        }
        out
    }

    /// Opens [`DataKey::seal_raw`].
    ///
    /// Fails with [`EnvelopeError::Integrity`] when the bytes were altered, sealed by another
    /// key or bound to other associated data, [`EnvelopeError::Truncated`] when too short.
    pub fn open_raw(&self, aad: &[u8], bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
        use aes_gcm::aead::{Aead, KeyInit, Payload};
        if bytes.len() < NONCE_LEN + envelope::TAG_LEN {
            return Err(EnvelopeError::Truncated { len: bytes.len() });
        }
        let cipher = aes_gcm::Aes256Gcm::new(aes_gcm::Key::<aes_gcm::Aes256Gcm>::from_slice(
            self.key.as_ref(),
        ));
        let (nonce, ct) = bytes.split_at(NONCE_LEN);
        cipher
            .decrypt(aes_gcm::Nonce::from_slice(nonce), Payload { msg: ct, aad })
            .map(Zeroizing::new)
            .map_err(|_| EnvelopeError::Integrity)
    }

    /// Seals misuse-resistantly, as records from format 4 do: AES-256-GCM-SIV (RFC 8452) under a
    /// subkey of this key, with a nonce derived from `aad` and never sent: `ciphertext || tag
    /// (16)`, 16 bytes of overhead. A record's associated data binds its routing fields, so each
    /// record has its own nonce; were one ever repeated (a device reusing a sequence), GCM-SIV
    /// reveals only whether the two messages are equal, where AES-GCM would reveal their XOR.
    /// The same message and associated data always give the same bytes.
    pub fn seal_siv(&self, aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        use aes_gcm_siv::aead::{Aead, Payload};
        let (cipher, nonce) = self.siv(aad);
        // GCM-SIV refuses only messages above 64 GiB; a record's fields stay below 4 MiB.
        cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .expect("AES-256-GCM-SIV seals any message below 64 GiB")
    }

    /// Opens [`DataKey::seal_siv`].
    ///
    /// Fails with [`EnvelopeError::Integrity`] when the bytes were altered, sealed by another
    /// key or bound to other associated data, [`EnvelopeError::Truncated`] when too short.
    pub fn open_siv(&self, aad: &[u8], bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
        use aes_gcm_siv::aead::{Aead, Payload};
        if bytes.len() < envelope::TAG_LEN {
            return Err(EnvelopeError::Truncated { len: bytes.len() });
        }
        let (cipher, nonce) = self.siv(aad);
        cipher
            .decrypt(&nonce, Payload { msg: bytes, aad })
            .map(Zeroizing::new)
            .map_err(|_| EnvelopeError::Integrity)
    }

    /// The GCM-SIV cipher under this key's own subkey (a key is never used by two modes) and
    /// the nonce for `aad`: SHA-256 of it, cut to 12 bytes.
    fn siv(&self, aad: &[u8]) -> (aes_gcm_siv::Aes256GcmSiv, aes_gcm_siv::Nonce) {
        use aes_gcm_siv::aead::KeyInit;
        use sha2::Digest;
        let sub = self.siv_subkey.get_or_init(|| {
            let derived = derive_key(self.key.as_ref(), b"", b"teduh/aes-256-gcm-siv/v1");
            let mut sub = Zeroizing::new([0u8; 32]);
            sub.copy_from_slice(derived.bytes());
            sub
        });
        let cipher = aes_gcm_siv::Aes256GcmSiv::new(
            aes_gcm_siv::Key::<aes_gcm_siv::Aes256GcmSiv>::from_slice(sub.as_ref()),
        );
        let digest = Sha256::new()
            .chain_update(b"teduh/aes-256-gcm-siv-nonce/v1")
            .chain_update((aad.len() as u64).to_be_bytes())
            .chain_update(aad)
            .finalize();
        (
            cipher,
            *aes_gcm_siv::Nonce::from_slice(&digest[..NONCE_LEN]),
        )
    }
}

/// HKDF-SHA256 of `ikm` into a key whose id is derived too (deterministic on every device).
pub fn derive_key(ikm: &[u8], salt: &[u8], info: &[u8]) -> DataKey {
    let hk = Hkdf::<Sha256>::new(Some(salt), ikm);
    let mut okm = Zeroizing::new([0u8; 48]);
    // 48 bytes is far below HKDF-SHA256's limit, so expand cannot fail.
    let _ = hk.expand(info, okm.as_mut());
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&okm[..32]);
    let mut id = [0u8; 16];
    id.copy_from_slice(&okm[32..]);
    DataKey::from_parts(KeyId(id), key)
}

/// The key that seals a client's records of one team-key epoch: both the client's data key and
/// the epoch's team key are needed, so a member removed before an epoch cannot read that
/// epoch's records even of clients whose data key she kept, and destroying a client's data key
/// shreds all its records.
pub fn record_key(team_key: &DataKey, client_key: &DataKey, client_id: &[u8; 16]) -> DataKey {
    let mut info = b"teduh/record-key/v2".to_vec();
    info.extend_from_slice(client_id);
    derive_key(client_key.bytes(), team_key.bytes(), &info)
}

fn key_from_plaintext(pt: &[u8]) -> Result<DataKey, EnvelopeError> {
    if pt.len() != 48 {
        return Err(EnvelopeError::Integrity);
    }
    let id = KeyId::from_slice(&pt[..16]).ok_or(EnvelopeError::Integrity)?;
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&pt[16..]);
    Ok(DataKey::from_parts(id, key))
}

fn sealed_box_key(shared: &[u8; 32], eph: &PublicKey, recipient: &PublicKey) -> DataKey {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(eph.as_bytes());
    salt[32..].copy_from_slice(recipient.as_bytes());
    let hk = Hkdf::<Sha256>::new(Some(&salt), shared);
    let mut okm = Zeroizing::new([0u8; 32]);
    // 32 bytes is far below HKDF-SHA256's 8160-byte limit, so expand cannot fail.
    let _ = hk.expand(b"teduh/key-envelope/v1", okm.as_mut());
    // The box key is used once; its id only has to be deterministic for both sides.
    let mut id = [0u8; 16];
    id.copy_from_slice(&eph.as_bytes()[..16]);
    DataKey::from_parts(KeyId(id), okm)
}

/// Wraps `inner` to `recipient`'s X25519 public key: `ephemeral public key (32) || envelope`.
///
/// Layout (version 1, frozen by the golden vector in this module's tests): the ephemeral X25519
/// public key (32 bytes), then an envelope sealed with `HKDF-SHA256(salt = ephemeral public ||
/// recipient public, ikm = X25519 shared secret, info = "teduh/key-envelope/v1")`, key id = the
/// first 16 bytes of the ephemeral public key, holding `inner key id (16) || inner key (32)`.
pub fn seal_to(recipient: &PublicKey, context: &[u8], inner: &DataKey) -> Vec<u8> {
    seal_to_with(
        StaticSecret::random_from_rng(OsRng),
        fresh_nonce(),
        recipient,
        context,
        inner,
    )
}

/// [`seal_to`] with a given ephemeral secret and nonce (fixed only in golden vectors).
fn seal_to_with(
    eph: StaticSecret,
    nonce: [u8; NONCE_LEN],
    recipient: &PublicKey,
    context: &[u8],
    inner: &DataKey,
) -> Vec<u8> {
    let mut pt = Zeroizing::new(Vec::with_capacity(48));
    pt.extend_from_slice(&inner.id.0);
    pt.extend_from_slice(inner.key.as_ref());
    seal_bytes_with(eph, nonce, recipient, context, &pt)
}

fn seal_bytes_with(
    eph: StaticSecret,
    nonce: [u8; NONCE_LEN],
    recipient: &PublicKey,
    context: &[u8],
    pt: &[u8],
) -> Vec<u8> {
    let eph_pub = PublicKey::from(&eph);
    let shared = eph.diffie_hellman(recipient);
    let k = sealed_box_key(shared.as_bytes(), &eph_pub, recipient);
    let mut out = eph_pub.as_bytes().to_vec();
    out.extend_from_slice(&envelope::seal(&k.sealing(), nonce, context, pt));
    out
}

/// Seals arbitrary bytes (e.g. every team key a member may read) to `recipient`, in the same
/// sealed-box layout as [`seal_to`].
pub fn seal_bytes_to(recipient: &PublicKey, context: &[u8], plaintext: &[u8]) -> Vec<u8> {
    seal_bytes_with(
        StaticSecret::random_from_rng(OsRng),
        fresh_nonce(),
        recipient,
        context,
        plaintext,
    )
}

/// Opens [`seal_bytes_to`].
///
/// Fails when the box was made for another key, altered, or bound to another context.
pub fn open_sealed_bytes(
    secret: &StaticSecret,
    context: &[u8],
    bytes: &[u8],
) -> Result<Zeroizing<Vec<u8>>, EnvelopeError> {
    if bytes.len() < 32 {
        return Err(EnvelopeError::Truncated { len: bytes.len() });
    }
    let mut eph = [0u8; 32];
    eph.copy_from_slice(&bytes[..32]);
    let eph_pub = PublicKey::from(eph);
    let shared = secret.diffie_hellman(&eph_pub);
    let k = sealed_box_key(shared.as_bytes(), &eph_pub, &PublicKey::from(secret));
    k.open(context, &bytes[32..])
}

/// Opens a key sealed by [`seal_to`] with the recipient's secret.
///
/// Fails when the box was made for another key, altered, or bound to another context.
pub fn open_sealed(
    secret: &StaticSecret,
    context: &[u8],
    bytes: &[u8],
) -> Result<DataKey, EnvelopeError> {
    if bytes.len() < 32 {
        return Err(EnvelopeError::Truncated { len: bytes.len() });
    }
    let mut eph = [0u8; 32];
    eph.copy_from_slice(&bytes[..32]);
    let eph_pub = PublicKey::from(eph);
    let shared = secret.diffie_hellman(&eph_pub);
    let k = sealed_box_key(shared.as_bytes(), &eph_pub, &PublicKey::from(secret));
    k.unwrap_key(context, &bytes[32..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_sealed_to_a_member_opens_only_with_her_secret() {
        let alice = StaticSecret::random_from_rng(OsRng);
        let mallory = StaticSecret::random_from_rng(OsRng);
        let team = DataKey::generate();
        let boxed = seal_to(&PublicKey::from(&alice), b"team", &team);
        let opened = open_sealed(&alice, b"team", &boxed).expect("recipient opens");
        assert_eq!(opened.id, team.id, "the same key comes out");
        assert!(
            open_sealed(&mallory, b"team", &boxed).is_err(),
            "another member's secret must not open it"
        );
        assert!(
            open_sealed(&alice, b"other", &boxed).is_err(),
            "a box moved to another context must not open"
        );
    }

    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }

    #[test]
    fn the_key_envelope_format_matches_its_golden_vector() {
        // Frozen: cross-checked once against Python's `cryptography` (X25519, HKDF, AESGCM).
        let recipient = StaticSecret::from([0x42u8; 32]);
        let inner = DataKey::from_parts(KeyId([0x11; 16]), Zeroizing::new([0x22; 32]));
        let boxed = seal_to_with(
            StaticSecret::from([0x07u8; 32]),
            [0x33; 12],
            &PublicKey::from(&recipient),
            b"team-key",
            &inner,
        );
        assert_eq!(
            hex(&boxed),
            GOLDEN_KEY_BOX,
            "the key envelope layout must never change"
        );
        let opened = open_sealed(&recipient, b"team-key", &boxed).expect("golden box opens");
        assert_eq!(opened.id, inner.id, "the wrapped key id comes back");
    }

    const GOLDEN_KEY_BOX: &str = "13be4feaeaf204c7fd3358fc9c00721881d174278128227ec674f37f7fe97b6d0113be4feaeaf204c7fd3358fc9c007218333333333333333333333333893f5704d444db02a4dc510e43a5082990403f0796444117f8b8baaca77f67523d7b1b882b69ee3152e866577051111c5da4053e78e647913df33e6ee11a8715";

    #[test]
    fn the_same_passphrase_and_salt_give_the_same_kek() {
        let p = KdfParams::insecure_fast_for_tests();
        let a = derive_kek(b"pass", b"saltsaltsalt", p).expect("derives");
        let b = derive_kek(b"pass", b"saltsaltsalt", p).expect("derives");
        let c = derive_kek(b"pasS", b"saltsaltsalt", p).expect("derives");
        assert_eq!(*a, *b, "derivation is deterministic");
        assert_ne!(*a, *c, "a different passphrase gives a different key");
    }
}
