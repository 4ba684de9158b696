//! Every command the app registers is listed in the build manifest and granted to the main
//! window. A command missing from either compiles and passes the mock-runtime tests, then fails
//! only in the real window ("not allowed"); this test catches it at `cargo test`.

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    let full = format!("{}/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

/// The text between `start` and the next `end` after it.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start:?}")) + start.len();
    let len = text[from..]
        .find(end)
        .unwrap_or_else(|| panic!("no {end:?}"));
    &text[from..from + len]
}

#[test]
fn every_registered_command_is_in_the_manifest_and_granted() {
    let lib = read("src/lib.rs");
    let registered: BTreeSet<String> = between(&lib, "generate_handler![", "]")
        .split(',')
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(|s| s.rsplit("::").next().unwrap_or(s).to_owned())
        .collect();
    assert!(
        registered.len() > 30,
        "parsed the handler list: {registered:?}"
    );

    let build = read("build.rs");
    let manifest: BTreeSet<String> = between(&build, "const COMMANDS: &[&str] = &[", "];")
        .split(',')
        .map(|s| s.trim().trim_matches('"').to_owned())
        .filter(|s| !s.is_empty())
        .collect();

    let capability: serde_json::Value =
        serde_json::from_str(&read("capabilities/default.json")).expect("capability JSON");
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .expect("permissions")
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();

    assert_eq!(
        registered, manifest,
        "src/lib.rs and build.rs list different commands"
    );
    assert_eq!(
        registered, granted,
        "capabilities/default.json grants different commands"
    );
}
