//! The directory key decides which hotline numbers this computer believes: with a vault here,
//! it is set at an unlocked vault, and replacing it needs the person's confirmation (issue 17).

mod common;

use common::{Desktop, PASSPHRASE};

const KEY_A: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const KEY_B: &str = "2222222222222222222222222222222222222222222222222222222222222222";

/// The key as the settings file on disk holds it.
fn saved_key(d: &Desktop) -> Option<String> {
    let data = teduh_core::paths::DataDir::at(d.dir.path());
    teduh_core::settings::Settings::load(&data.settings())
        .expect("settings")
        .directory_key
}

#[test]
fn replacing_the_directory_key_needs_an_unlocked_vault_and_a_confirmation() {
    let d = Desktop::new();
    d.ok(
        "vault_create",
        serde_json::json!({"passphrase": PASSPHRASE}),
    );
    d.ok("set_directory_key", serde_json::json!({"key": KEY_A}));
    assert_eq!(
        saved_key(&d).as_deref(),
        Some(KEY_A),
        "the first key needs no confirmation"
    );

    let err = d
        .call("set_directory_key", serde_json::json!({"key": KEY_B}))
        .expect_err("a replacement is not taken silently");
    assert_eq!(err["code"], "ConfirmationNeeded");
    assert_eq!(saved_key(&d).as_deref(), Some(KEY_A), "nothing changed");

    d.ok("vault_lock", serde_json::json!({}));
    let err = d
        .call(
            "set_directory_key",
            serde_json::json!({"key": KEY_B, "confirm": true}),
        )
        .expect_err("not at a locked vault");
    assert_eq!(err["code"], "Locked");
    assert_eq!(saved_key(&d).as_deref(), Some(KEY_A));

    d.ok(
        "vault_unlock",
        serde_json::json!({"passphrase": PASSPHRASE}),
    );
    d.ok(
        "set_directory_key",
        serde_json::json!({"key": KEY_B, "confirm": true}),
    );
    assert_eq!(
        saved_key(&d).as_deref(),
        Some(KEY_B),
        "confirmed at an unlocked vault"
    );
    d.ok("set_directory_key", serde_json::json!({"key": KEY_B}));
    assert_eq!(
        saved_key(&d).as_deref(),
        Some(KEY_B),
        "saving the same key again asks nothing"
    );
}
