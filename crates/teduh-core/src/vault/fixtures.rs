//! What the vault's unit tests share: a vault on a temporary directory (fast key derivation,
//! never locking by itself) and a synthetic client.

use super::Vault;
use crate::crypto::KdfParams;
use crate::domain::ClientProfile;
use crate::ids::ClientId;
use crate::store::LocalStore;

/// The passphrase of every [`vault`].
pub(super) const PASS: &str = "uji brankas sintetis";

/// A new vault in `dir`, unlocked, with no idle timeout.
pub(super) fn vault(dir: &std::path::Path) -> Vault {
    let store = LocalStore::open(&dir.join("t.sqlite3")).expect("store");
    let mut v = Vault::create_with_params(store, PASS, KdfParams::insecure_fast_for_tests())
        .expect("vault");
    v.set_idle_timeout(None);
    v
}

/// A synthetic adult client with `code`.
pub(super) fn client(v: &mut Vault, code: &str) -> ClientId {
    v.add_client(&ClientProfile {
        code: code.into(),
        name: format!("Klien {code}"),
        estimated_age: Some(30),
        ..ClientProfile::default()
    })
    .expect("client")
}
