//! Rotating tokens (issue 27, item 3; decisions/0013) through the HTTP API, on SQLite and on
//! PostgreSQL: an access token of at most an hour, renewed without the passphrase by the next
//! token of the device's refresh chain; a refresh token presented twice revokes the device;
//! revoking the device stops both; a server restored from an older backup still takes the
//! device's next token; a device that joined before rotation starts its chain with its one
//! token.

mod common;
#[path = "common/api.rs"]
mod harness;

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use teduh_protocol::sync::{refresh, Role};
use teduh_server::router::Settings;
use teduh_server::Storage;

use self::harness::*;

/// What `POST /v1/token` gave: the new access token and the seconds it lives.
struct Renewed {
    token: String,
    expires_in: u64,
    refresh_expires_in: u64,
}

async fn renew(api: &Api, device: u64, refresh_token: &str) -> Result<Renewed, Refusal> {
    renew_with(
        api,
        json!({ "device_id": device, "refresh_token": refresh_token }),
    )
    .await
}

async fn renew_with(api: &Api, body: serde_json::Value) -> Result<Renewed, Refusal> {
    let r = api.json("POST", "/v1/token", None, body).await;
    if r.status != StatusCode::OK {
        return Err((r.status, r.code()));
    }
    let v = r.json();
    Ok(Renewed {
        token: v["token"].as_str().expect("token").to_owned(),
        expires_in: v["expires_in"].as_u64().expect("expires_in"),
        refresh_expires_in: v["refresh_expires_in"]
            .as_u64()
            .expect("refresh_expires_in"),
    })
}

type Refusal = (StatusCode, String);

/// What a request with `token` gets: `Ok` or the status and code refusing it.
async fn devices_with(api: &Api, token: &str) -> Result<(), Refusal> {
    let r = api.get("/v1/devices", Some(token)).await;
    if r.status == StatusCode::OK {
        Ok(())
    } else {
        Err((r.status, r.code()))
    }
}

fn refused(code: &str) -> Refusal {
    (StatusCode::UNAUTHORIZED, code.to_owned())
}

async fn both_backends<F, Fut>(test: F)
where
    F: Fn(Api) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (storage, guard) = common::sqlite().await;
    test(Api::with_storage(storage, guard, test_settings()).await).await;
    let (storage, guard) = common::postgres().await;
    test(Api::with_storage(storage, guard, test_settings()).await).await;
}

#[tokio::test]
async fn an_access_token_lives_an_hour_and_each_refresh_token_works_once() {
    both_backends(|api| async move {
        let team = api.team("T").await;
        let ana = api.register(team, Role::Counselor, "ana").await;
        let budi = api.register(team, Role::Counselor, "budi").await;

        let first = renew(&api, ana.device_id, &ana.refresh(1))
            .await
            .expect("renews");
        assert!(
            first.expires_in <= 3600,
            "access at most an hour: {}",
            first.expires_in
        );
        assert!(
            first.refresh_expires_in <= 90 * 24 * 3600,
            "the next refresh token within 90 days: {}",
            first.refresh_expires_in
        );
        assert_ne!(first.token, ana.token, "a new access token");
        assert_eq!(
            devices_with(&api, &ana.token).await,
            Err(refused("InvalidToken")),
            "the access token it replaced stops working"
        );
        assert_eq!(devices_with(&api, &first.token).await, Ok(()));

        let second = renew(&api, ana.device_id, &ana.refresh(2))
            .await
            .expect("the next token renews again");
        assert_eq!(devices_with(&api, &second.token).await, Ok(()));

        // Guesses and other devices' tokens revoke nothing.
        assert_eq!(
            renew(&api, ana.device_id, &"f".repeat(64)).await.err(),
            Some(refused("InvalidToken")),
            "a token never issued is unknown"
        );
        assert_eq!(
            renew(&api, ana.device_id, &budi.refresh(1)).await.err(),
            Some(refused("InvalidToken")),
            "another device's token is not hers"
        );
        assert_eq!(
            renew(&api, 999_999, &ana.refresh(3)).await.err(),
            Some(refused("InvalidToken")),
            "no such device"
        );
        assert_eq!(
            devices_with(&api, &second.token).await,
            Ok(()),
            "still hers"
        );
        assert!(renew(&api, budi.device_id, &budi.refresh(1)).await.is_ok());
    })
    .await;
}

#[tokio::test]
async fn a_lost_answer_only_skips_a_token() {
    both_backends(|api| async move {
        let team = api.team("T").await;
        let ana = api.register(team, Role::Outreach, "ana").await;
        // The 2G link drops the answer to token 1: the device never saw the access token and
        // sends token 2 next.
        renew(&api, ana.device_id, &ana.refresh(1))
            .await
            .expect("the server renewed");
        let next = renew(&api, ana.device_id, &ana.refresh(2))
            .await
            .expect("the next token renews");
        assert_eq!(devices_with(&api, &next.token).await, Ok(()));
        // Sent but never arrived: the server sees a token two steps on.
        let later = renew(&api, ana.device_id, &ana.refresh(4))
            .await
            .expect("a skipped token renews");
        assert_eq!(devices_with(&api, &later.token).await, Ok(()));
    })
    .await;
}

#[tokio::test]
async fn a_refresh_token_presented_twice_revokes_the_device() {
    both_backends(|api| async move {
        let team = api.team("T").await;
        let ana = api.register(team, Role::Counselor, "ana").await;
        let budi = api.register(team, Role::Counselor, "budi").await;
        let citra = api.register(team, Role::Counselor, "citra").await;
        let dewi = api.register(team, Role::Counselor, "dewi").await;

        // Ana's chain is copied; her device renews first, then the copy presents the same token.
        let hers = renew(&api, ana.device_id, &ana.refresh(1))
            .await
            .expect("renews");
        assert_eq!(
            renew(&api, ana.device_id, &ana.refresh(1)).await.err(),
            Some(refused("TokenReused")),
            "the copier gets nothing"
        );
        assert_eq!(
            devices_with(&api, &hers.token).await,
            Err(refused("TokenReused")),
            "her access token stops, and says why"
        );
        assert_eq!(
            renew(&api, ana.device_id, &ana.refresh(2)).await.err(),
            Some(refused("TokenReused")),
            "so does her chain"
        );

        // Budi's copier renews first; his device then presents the same token.
        let theirs = renew(&api, budi.device_id, &budi.refresh(1))
            .await
            .expect("the copier renews");
        assert_eq!(
            renew(&api, budi.device_id, &budi.refresh(1)).await.err(),
            Some(refused("TokenReused"))
        );
        assert_eq!(
            devices_with(&api, &theirs.token).await,
            Err(refused("TokenReused")),
            "the copier's access token stops too"
        );

        // Citra's copier jumps ahead; her device's next token is now behind the head.
        renew(&api, citra.device_id, &citra.refresh(5))
            .await
            .expect("the copier jumps ahead");
        assert_eq!(
            renew(&api, citra.device_id, &citra.refresh(1)).await.err(),
            Some(refused("TokenReused"))
        );

        assert_eq!(
            devices_with(&api, &dewi.token).await,
            Ok(()),
            "a colleague is not touched"
        );
    })
    .await;
}

#[tokio::test]
async fn revoking_a_device_stops_both_its_tokens() {
    both_backends(|api| async move {
        let (sup, cou) = api.team_with_epoch("T").await;
        let r = api.revoke(cou.device_id, &sup.token).await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(
            devices_with(&api, &cou.token).await,
            Err(refused("TokenRevoked"))
        );
        assert_eq!(
            renew(&api, cou.device_id, &cou.refresh(1)).await.err(),
            Some(refused("TokenRevoked")),
            "its refresh chain cannot bring it back"
        );
    })
    .await;
}

#[tokio::test]
async fn expired_tokens_and_malformed_renewals_are_refused_with_distinct_codes() {
    let (storage, guard) = common::sqlite().await;
    let api = Api::with_storage(
        storage,
        guard,
        Settings {
            access_ttl_secs: 0,
            refresh_ttl_secs: 0,
            ..test_settings()
        },
    )
    .await;
    let team = api.team("T").await;
    let ana = api.register(team, Role::Counselor, "ana").await;
    assert_eq!(
        devices_with(&api, &ana.token).await,
        Err(refused("TokenExpired")),
        "an expired access token asks for a renewal"
    );
    assert_eq!(
        renew(&api, ana.device_id, &ana.refresh(1)).await.err(),
        Some(refused("RefreshExpired")),
        "a chain unused for too long asks for a device invitation"
    );
    for body in [
        json!({}),
        json!({"refresh_token": ana.refresh(1)}),
        json!({"device_id": ana.device_id, "refresh_token": ""}),
        json!({"device_id": ana.device_id, "refresh_token": "x".repeat(64)}),
        json!({"device_id": ana.device_id, "refresh_token": ana.refresh(1), "extra": 1}),
        json!({"device_id": ana.device_id, "refresh_token": ana.refresh(1), "anchor": "00"}),
    ] {
        let r = api.json("POST", "/v1/token", None, body.clone()).await;
        assert!(
            r.status.is_client_error() && r.status != StatusCode::UNAUTHORIZED,
            "{body}: {}",
            r.status
        );
    }
}

fn sqlite_at(path: &std::path::Path) -> Arc<dyn Storage> {
    Arc::new(teduh_server::storage::sqlite::SqliteStorage::open(path).expect("opens"))
}

fn scratch() -> common::Guard {
    common::Guard::Sqlite(tempfile::tempdir().expect("tempdir"))
}

/// The nightly backup is from before the device's last renewals: the restored server finds its
/// next token further ahead and takes it; nobody needs a new invitation.
#[tokio::test]
async fn a_server_restored_from_an_older_backup_takes_the_device_s_next_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("server.sqlite3");
    let backup = dir.path().join("backup.sqlite3");
    let ana = {
        let api = Api::with_storage(sqlite_at(&path), scratch(), test_settings()).await;
        let team = api.team("T").await;
        let ana = api.register(team, Role::Outreach, "ana").await;
        renew(&api, ana.device_id, &ana.refresh(1))
            .await
            .expect("renews");
        let c = rusqlite::Connection::open(&path).expect("opens");
        c.execute("VACUUM INTO ?1", [backup.to_str().expect("path")])
            .expect("the backup");
        for k in 2..=30 {
            renew(&api, ana.device_id, &ana.refresh(k))
                .await
                .expect("renews");
        }
        ana
    };
    let api = Api::reopened(sqlite_at(&backup), scratch(), test_settings());
    let after = renew(&api, ana.device_id, &ana.refresh(31))
        .await
        .expect("the restored server takes the next token");
    assert_eq!(devices_with(&api, &after.token).await, Ok(()));
    assert_eq!(
        renew(&api, ana.device_id, &ana.refresh(20)).await.err(),
        Some(refused("TokenReused")),
        "and still knows a used one when it sees it"
    );
}

/// A device that joined before tokens rotated holds one long-lived token: after the upgrade it
/// starts its chain with it, once.
#[tokio::test]
async fn a_device_from_before_rotation_starts_its_chain_with_its_one_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("server.sqlite3");
    let old_token = "0123456789abcdef".repeat(4);
    let (ana, budi) = {
        let api = Api::with_storage(sqlite_at(&path), scratch(), test_settings()).await;
        let team = api.team("T").await;
        let ana = api.register(team, Role::Counselor, "ana").await;
        let budi = api.register(team, Role::Counselor, "budi").await;
        (ana, budi)
    };
    // Back to schema 5, each device with a year-long token of that schema.
    let c = rusqlite::Connection::open(&path).expect("opens");
    let budi_token = "fedcba9876543210".repeat(4);
    for (device, token) in [(ana.device_id, &old_token), (budi.device_id, &budi_token)] {
        c.execute(
            "UPDATE devices SET token_hash = ?1, expires_at = strftime('%s', 'now') + 31536000
             WHERE id = ?2",
            rusqlite::params![&teduh_server::auth::sha256(token.as_bytes())[..], device],
        )
        .expect("a year-long token");
    }
    c.execute_batch(
        "ALTER TABLE devices DROP COLUMN refresh_head;
         ALTER TABLE devices DROP COLUMN refresh_expires_at;
         ALTER TABLE devices DROP COLUMN refresh_bootstrap_hash;
         ALTER TABLE devices DROP COLUMN revoked_reason;
         PRAGMA user_version = 5;",
    )
    .expect("schema 5");
    drop(c);

    let storage = sqlite_at(&path);
    assert_eq!(storage.schema_version().await.expect("version"), 6);
    let api = Api::reopened(storage, scratch(), test_settings());
    assert_eq!(
        devices_with(&api, &old_token).await,
        Ok(()),
        "the old token still works as an access token for now"
    );
    let seed = [42u8; 32];
    let anchor = refresh::to_hex(&refresh::anchor(&seed));
    let start = json!({"device_id": ana.device_id, "refresh_token": old_token, "anchor": anchor});
    renew_with(&api, start.clone())
        .await
        .expect("starts the chain");
    let again = renew_with(&api, start)
        .await
        .expect("the same again: its answer was lost");
    assert_eq!(devices_with(&api, &again.token).await, Ok(()));
    assert_eq!(
        devices_with(&api, &old_token).await,
        Err(refused("InvalidToken")),
        "the year-long token no longer reads"
    );
    let t1 = refresh::to_hex(&refresh::token(&seed, 1).expect("t1"));
    renew(&api, ana.device_id, &t1)
        .await
        .expect("the chain goes on");
    let other = refresh::to_hex(&refresh::anchor(&[43u8; 32]));
    assert_eq!(
        renew_with(
            &api,
            json!({"device_id": ana.device_id, "refresh_token": old_token, "anchor": other})
        )
        .await
        .err(),
        Some(refused("TokenReused")),
        "the old token presented again starts nothing: it was copied"
    );
    assert_eq!(
        renew(&api, budi.device_id, &budi_token).await.err(),
        Some((StatusCode::BAD_REQUEST, "InvalidInput".into())),
        "the old token needs the anchor of the chain it starts"
    );
}

/// The same token presented twice at once (a copier racing the device): one renewal, and the
/// other is a reuse that revokes the device, never two renewals.
#[tokio::test]
async fn the_same_token_presented_twice_at_once_renews_once_and_revokes() {
    both_backends(|api| async move {
        let team = api.team("T").await;
        // A few races, each on a device of its own.
        for name in ["ana", "budi", "citra"] {
            let m = api.register(team, Role::Counselor, name).await;
            let token = m.refresh(1);
            let (a, b) = tokio::join!(
                renew(&api, m.device_id, &token),
                renew(&api, m.device_id, &token)
            );
            let renewed = [a.is_ok(), b.is_ok()];
            assert_eq!(
                renewed.iter().filter(|ok| **ok).count(),
                1,
                "exactly one renews: {renewed:?}"
            );
            let refusal = a.err().or(b.err()).expect("one refusal");
            assert_eq!(refusal, refused("TokenReused"), "and the other revokes");
        }
    })
    .await;
}
