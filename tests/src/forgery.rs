//! Modified apps: each forgery written by a counselor's app of its own (a device's later records
//! wait behind a refused one), and the proof that a receiving device holds every one of them
//! with its reason. The record-specific checks (nothing applied) stay in each test.

use teduh_core::ids::{ClientId, MemberId};
use teduh_core::vault::{Batch, VaultError};
use teduh_protocol::sync::Role;

use crate::device::{put_on_case, Device};
use crate::TestServer;

/// A forged field's value: its JSON bytes, as an app writes them.
#[allow(clippy::expect_used)]
pub fn json(v: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&v).expect("a JSON value serialises")
}

/// What a modified app writes, given her member id.
pub type Forgery = Box<dyn Fn(&mut Batch<'_>, MemberId) -> Result<(), VaultError>>;

/// Writes each of `forgeries` from a new counselor (`{prefix}{i}`) admitted by `sup` and put on
/// the cases of `clients` (so she holds the keys a forgery under them needs), pushes it, then
/// has `sup` pull and checks that each is held with its reason.
///
/// # Panics
/// When a forgery cannot be written or synced, or `sup` does not hold one with its reason.
#[allow(clippy::expect_used)]
pub fn each_is_held(
    server: &TestServer,
    team: &str,
    sup: &mut Device,
    clients: &[ClientId],
    prefix: &str,
    forgeries: &[(&str, Forgery)],
) {
    for (i, (reason, forge)) in forgeries.iter().enumerate() {
        let name = format!("{prefix}{i}");
        let mut rogue = server.member(team, Role::Counselor, &name);
        sup.admit(&mut rogue);
        for client in clients {
            put_on_case(sup, *client, &[name.as_str()]);
        }
        rogue.sync().expect("the rogue pulls the keys and records");
        let me = rogue.vault.member_id();
        rogue
            .vault
            .batch(|b| forge(b, me))
            .unwrap_or_else(|e| panic!("{reason}: a modified app writes what it likes: {e}"));
        rogue
            .sync()
            .expect("the server takes it (it cannot read it)");
    }
    sup.sync().expect("sup pulls");
    let held = sup.vault.held_records().expect("held");
    for (reason, _) in forgeries {
        assert!(
            held.iter().any(|h| h.contains(reason)),
            "held with {reason:?}: {held:?}"
        );
    }
}
