//! The directory travels from the admin to a device through a real server: signed, fetched with
//! a conditional request, verified, and never replaced by a tampered or older bundle.

use chrono::Utc;
use ed25519_dalek::SigningKey;
use teduh_client::{DirectoryFetch, ServerClient};
use teduh_directory::bundle::SignedBundle;
use teduh_directory::index::{DirectoryIndex, IndexError, Query};
use teduh_directory::publish::sign_next;
use teduh_tests::TestServer;

fn fetch(client: &ServerClient, etag: Option<&str>) -> DirectoryFetch {
    client.directory(etag).expect("the server answers")
}

fn bundle_of(fetched: DirectoryFetch) -> (SignedBundle, Option<String>) {
    match fetched {
        DirectoryFetch::Bundle { body, etag } => (
            serde_json::from_slice(&body).expect("a signed bundle"),
            etag,
        ),
        other => panic!("expected a bundle, got {other:?}"),
    }
}

#[test]
fn a_published_directory_reaches_a_device_once_and_then_answers_not_modified() {
    let server = TestServer::start();
    let client = ServerClient::new(server.url());
    assert_eq!(
        fetch(&client, None),
        DirectoryFetch::NotPublished,
        "nothing yet"
    );

    let key = SigningKey::from_bytes(&[5; 32]);
    let mut entries = teduh_directory::seed::seed_bundle().entries;
    entries.retain(|e| e.category == teduh_directory::model::Category::Emergency);
    let signed = sign_next(entries, &key, None, Utc::now()).expect("signs");
    server.publish_directory(2, serde_json::to_vec(&signed).expect("json"));

    let mut device = DirectoryIndex::open_in_memory().expect("device directory");
    let (bundle, etag) = bundle_of(fetch(&client, None));
    let version = device
        .apply_signed(&bundle, &key.verifying_key())
        .expect("a correctly signed newer bundle is applied");
    assert_eq!(version, 2);
    let all = device
        .search(&Query::default(), Utc::now())
        .expect("search");
    assert!(
        all.iter()
            .all(|h| h.entry.category == teduh_directory::model::Category::Emergency),
        "the device now holds the published entries only"
    );
    let etag = etag.expect("the server sends an ETag");
    assert_eq!(
        fetch(&client, Some(&etag)),
        DirectoryFetch::NotModified,
        "a device that has the bundle downloads nothing (2G links)"
    );
}

#[test]
fn a_tampered_or_replayed_bundle_from_the_server_leaves_the_device_directory_in_place() {
    let server = TestServer::start();
    let client = ServerClient::new(server.url());
    let key = SigningKey::from_bytes(&[6; 32]);
    let entries = teduh_directory::seed::seed_bundle().entries;
    let good = sign_next(entries.clone(), &key, Some(4), Utc::now()).expect("signs"); // v5
    let mut device = DirectoryIndex::open_in_memory().expect("device directory");
    device
        .apply_signed(&good, &key.verifying_key())
        .expect("applies v5");

    // The server (or anyone on the path) serves an altered copy: a changed number.
    let mut tampered = sign_next(entries.clone(), &key, Some(5), Utc::now()).expect("signs");
    tampered.payload = tampered.payload.replacen("\"112\"", "\"1120\"", 1);
    server.publish_directory(6, serde_json::to_vec(&tampered).expect("json"));
    let (bundle, _) = bundle_of(fetch(&client, None));
    assert!(matches!(
        device.apply_signed(&bundle, &key.verifying_key()),
        Err(IndexError::Bundle(
            teduh_directory::bundle::BundleError::BadSignature
        ))
    ));

    // An old but genuine bundle served again.
    let old = sign_next(entries, &key, Some(1), Utc::now()).expect("signs"); // v2
    server.publish_directory(7, serde_json::to_vec(&old).expect("json"));
    let (bundle, _) = bundle_of(fetch(&client, None));
    assert!(matches!(
        device.apply_signed(&bundle, &key.verifying_key()),
        Err(IndexError::Bundle(
            teduh_directory::bundle::BundleError::NotNewer { .. }
        ))
    ));
    assert_eq!(
        device.version().expect("version"),
        Some(5),
        "the good bundle stays"
    );
    let hits = device
        .search(
            &Query {
                text: "112".into(),
                ..Query::default()
            },
            Utc::now(),
        )
        .expect("search");
    assert!(
        hits.iter().any(|h| h.entry.id == "darurat-112"),
        "112 is still 112"
    );
}

#[test]
fn a_server_restored_from_backup_gets_the_newest_directory_back_from_a_device() {
    use teduh_directory::refresh::{apply_fetched, Fetched};
    let server = TestServer::start();
    let (mut sup, _c) = server.supervised_team("Tim Direktori", "sup", "kons");
    // The organisation's key, as `admin publish-directory` keeps it in the data directory.
    let key = SigningKey::from_bytes(&[5; 32]);
    std::fs::write(
        server.data_dir().join("directory-signing.key"),
        key.to_bytes(),
    )
    .expect("key file");
    let entries = teduh_directory::seed::seed_bundle().entries;
    let v2 = sign_next(entries.clone(), &key, None, Utc::now()).expect("signs");
    server.publish_directory(2, serde_json::to_vec(&v2).expect("json"));
    let backup = server.back_up();
    let v3 = sign_next(entries[..3].to_vec(), &key, Some(2), Utc::now()).expect("signs");
    server.publish_directory(3, serde_json::to_vec(&v3).expect("json"));

    let as_fetched = |f: DirectoryFetch| match f {
        DirectoryFetch::NotModified => Fetched::NotModified,
        DirectoryFetch::NotPublished => Fetched::NotPublished,
        DirectoryFetch::Bundle { body, etag } => Fetched::Bundle { body, etag },
    };
    let client = ServerClient::new(server.url());
    let mut device = DirectoryIndex::open_in_memory().expect("device directory");
    let got = apply_fetched(
        &mut device,
        &key.verifying_key(),
        as_fetched(fetch(&client, None)),
    )
    .expect("applies");
    assert_eq!(
        got.refreshed,
        teduh_directory::refresh::Refreshed::Updated { version: 3 }
    );

    let server = server.restored_from(&backup);
    server.admin(teduh_server::admin::AdminCommand::AfterRestore { by: 1_000_000 });
    let client = ServerClient::new(server.url());
    let got = apply_fetched(
        &mut device,
        &key.verifying_key(),
        as_fetched(fetch(&client, None)),
    )
    .expect("an older bundle is no error");
    assert_eq!(
        device.version().expect("version"),
        Some(3),
        "the device keeps version 3"
    );
    let give_back = got
        .give_back
        .expect("the device sees the server lost version 3");
    let token = sup.vault.sync_token().expect("token");

    // A member's device cannot publish a directory of its own, nor an older one.
    let stranger = SigningKey::from_bytes(&[6; 32]);
    let forged = sign_next(entries[..1].to_vec(), &stranger, Some(9), Utc::now()).expect("signs");
    let refused = client.give_back_directory(&token, &serde_json::to_vec(&forged).expect("json"));
    assert!(
        refused.is_err(),
        "a bundle the organisation did not sign is refused"
    );
    assert!(
        !client
            .give_back_directory(&token, &serde_json::to_vec(&v2).expect("json"))
            .expect("answers"),
        "the version the server has already is not stored again"
    );
    assert!(
        client
            .give_back_directory("not-a-token", &give_back)
            .is_err(),
        "only a member's device gives a bundle back"
    );

    assert!(
        client
            .give_back_directory(&token, &give_back)
            .expect("accepted"),
        "the organisation's newest bundle is taken back"
    );
    // A newcomer now gets version 3, exactly as the organisation signed it.
    let mut newcomer = DirectoryIndex::open_in_memory().expect("device directory");
    let (bundle, _) = bundle_of(fetch(&client, None));
    assert_eq!(
        newcomer
            .apply_signed(&bundle, &key.verifying_key())
            .expect("verifies"),
        3
    );
}
