//! Rotating tokens (issue 27, item 3) through the HTTP API, on SQLite and on PostgreSQL: an
//! access token of at most an hour, renewed without the passphrase by a refresh token of at
//! most 90 days that rotates; a copied refresh token revokes the device; revoking the device
//! stops both tokens; a device that joined before rotation renews with its one token.

mod common;
#[path = "common/api.rs"]
mod harness;

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use teduh_protocol::sync::Role;
use teduh_server::router::Settings;
use teduh_server::Storage;

use self::harness::*;

/// The tokens `POST /v1/token` gave.
struct Renewed {
    token: String,
    refresh_token: String,
    expires_in: u64,
    refresh_expires_in: u64,
}

async fn renew(api: &Api, refresh_token: &str) -> Result<Renewed, (StatusCode, String)> {
    let r = api
        .json(
            "POST",
            "/v1/token",
            None,
            json!({ "refresh_token": refresh_token }),
        )
        .await;
    if r.status != StatusCode::OK {
        return Err((r.status, r.code()));
    }
    let v = r.json();
    let text = |k: &str| v[k].as_str().expect(k).to_owned();
    Ok(Renewed {
        token: text("token"),
        refresh_token: text("refresh_token"),
        expires_in: v["expires_in"].as_u64().expect("expires_in"),
        refresh_expires_in: v["refresh_expires_in"]
            .as_u64()
            .expect("refresh_expires_in"),
    })
}

/// What a request with `token` gets: 200, or the status and code refusing it.
async fn devices_with(api: &Api, token: &str) -> (StatusCode, String) {
    let r = api.get("/v1/devices", Some(token)).await;
    (r.status, r.code())
}

const OK: (StatusCode, &str) = (StatusCode::OK, "");

fn refused(code: &str) -> (StatusCode, String) {
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
async fn an_access_token_lives_an_hour_and_the_refresh_token_rotates() {
    both_backends(|api| async move {
        let team = api.team("T").await;
        let ana = api.register(team, Role::Counselor, "ana").await;
        assert!(
            !ana.refresh_token.is_empty(),
            "registration gives a refresh token"
        );
        assert_ne!(ana.refresh_token, ana.token);

        let first = renew(&api, &ana.refresh_token).await.expect("renews");
        assert!(
            first.expires_in <= 3600,
            "access at most an hour: {}",
            first.expires_in
        );
        assert!(
            first.refresh_expires_in <= 90 * 24 * 3600,
            "refresh at most 90 days: {}",
            first.refresh_expires_in
        );
        assert_ne!(first.token, ana.token, "a new access token");
        assert_ne!(
            first.refresh_token, ana.refresh_token,
            "a new refresh token"
        );
        assert_eq!(
            devices_with(&api, &ana.token).await,
            refused("InvalidToken"),
            "the access token it replaced stops working"
        );
        assert_eq!(
            devices_with(&api, &first.token).await,
            (OK.0, OK.1.to_owned())
        );

        // The next renewal rotates again; the first refresh token is now two behind.
        let second = renew(&api, &first.refresh_token)
            .await
            .expect("renews again");
        assert_eq!(
            devices_with(&api, &second.token).await,
            (OK.0, OK.1.to_owned())
        );
        assert_eq!(
            renew(&api, "f".repeat(64).as_str()).await.err(),
            Some(refused("InvalidToken")),
            "a token never issued is unknown and revokes nothing"
        );
        assert_eq!(
            devices_with(&api, &second.token).await,
            (OK.0, OK.1.to_owned()),
            "still working after a stranger's guess"
        );
    })
    .await;
}

#[tokio::test]
async fn an_answer_lost_on_the_way_is_asked_again_without_harm() {
    both_backends(|api| async move {
        let team = api.team("T").await;
        let ana = api.register(team, Role::Outreach, "ana").await;
        let first = renew(&api, &ana.refresh_token).await.expect("renews");
        let _lost = first; // the 2G link dropped the answer: the device never saw it
        let again = renew(&api, &ana.refresh_token)
            .await
            .expect("the same refresh token renews once more: its answer never arrived");
        assert_eq!(
            devices_with(&api, &again.token).await,
            (OK.0, OK.1.to_owned()),
            "the device works on"
        );
        let next = renew(&api, &again.refresh_token)
            .await
            .expect("and rotates");
        assert_eq!(
            devices_with(&api, &next.token).await,
            (OK.0, OK.1.to_owned())
        );
    })
    .await;
}

#[tokio::test]
async fn a_copied_refresh_token_used_again_revokes_the_device() {
    both_backends(|api| async move {
        let team = api.team("T").await;
        let ana = api.register(team, Role::Counselor, "ana").await;
        let budi = api.register(team, Role::Counselor, "budi").await;
        // Someone copies Ana's refresh token; her device renews and works on.
        let copied = ana.refresh_token.clone();
        let hers = renew(&api, &ana.refresh_token).await.expect("renews");
        assert_eq!(
            devices_with(&api, &hers.token).await,
            (OK.0, OK.1.to_owned())
        );
        // The copy is presented: it was rotated and its successor was used.
        assert_eq!(
            renew(&api, &copied).await.err(),
            Some(refused("TokenReused")),
            "the copier gets nothing"
        );
        assert_eq!(
            devices_with(&api, &hers.token).await,
            refused("TokenReused"),
            "her access token stops, and says why"
        );
        assert_eq!(
            renew(&api, &hers.refresh_token).await.err(),
            Some(refused("TokenReused")),
            "so does her refresh token"
        );
        assert_eq!(
            devices_with(&api, &budi.token).await,
            (OK.0, OK.1.to_owned()),
            "a colleague is not touched"
        );

        // The other order: the copier renews first and uses what she got; Ana's device then
        // presents its (now rotated) token.
        let budi_copy = renew(&api, &budi.refresh_token)
            .await
            .expect("the copier renews");
        assert_eq!(
            devices_with(&api, &budi_copy.token).await,
            (OK.0, OK.1.to_owned())
        );
        assert_eq!(
            renew(&api, &budi.refresh_token).await.err(),
            Some(refused("TokenReused")),
            "the device finds itself revoked"
        );
        assert_eq!(
            devices_with(&api, &budi_copy.token).await,
            refused("TokenReused"),
            "and the copier's tokens stop too"
        );
    })
    .await;
}

#[tokio::test]
async fn revoking_a_device_stops_both_its_tokens() {
    both_backends(|api| async move {
        let (sup, cou) = api.team_with_epoch("T").await;
        let r = api
            .call(
                "DELETE",
                &format!("/v1/devices/{}", cou.device_id),
                Some(&sup.token),
                None,
                Vec::new(),
            )
            .await;
        assert_eq!(r.status, StatusCode::NO_CONTENT);
        assert_eq!(
            devices_with(&api, &cou.token).await,
            refused("TokenRevoked")
        );
        assert_eq!(
            renew(&api, &cou.refresh_token).await.err(),
            Some(refused("TokenRevoked")),
            "the refresh token cannot bring it back"
        );
    })
    .await;
}

#[tokio::test]
async fn expired_tokens_are_refused_with_distinct_codes() {
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
        refused("TokenExpired"),
        "an expired access token asks for a renewal"
    );
    assert_eq!(
        renew(&api, &ana.refresh_token).await.err(),
        Some(refused("RefreshExpired")),
        "an expired refresh token asks for a device invitation"
    );
    for body in [
        json!({}),
        json!({"refresh_token": ""}),
        json!({"refresh_token": "x".repeat(200)}),
        json!({"refresh_token": "abc", "extra": 1}),
    ] {
        let r = api.json("POST", "/v1/token", None, body.clone()).await;
        assert!(
            r.status.is_client_error() && r.status != StatusCode::UNAUTHORIZED,
            "{body}: {}",
            r.status
        );
    }
}

/// A device that joined before tokens rotated holds one long-lived token: after the upgrade
/// that token is also its refresh token, and the access token it is expires within the hour.
#[tokio::test]
async fn a_device_from_before_rotation_renews_with_its_one_token() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("server.sqlite3");
    let old_token = "0123456789abcdef".repeat(4);
    {
        let storage: Arc<dyn Storage> =
            Arc::new(teduh_server::storage::sqlite::SqliteStorage::open(&path).expect("opens"));
        let guard = common::Guard::Sqlite(tempfile::tempdir().expect("tempdir"));
        let api = Api::with_storage(storage, guard, test_settings()).await;
        let team = api.team("T").await;
        api.register(team, Role::Counselor, "ana").await;
    }
    // Back to schema 5, with the device's token as a year-long token of that schema.
    let c = rusqlite::Connection::open(&path).expect("opens");
    c.execute_batch(&format!(
        "DROP TABLE spent_refresh_tokens;
         DROP INDEX devices_refresh; DROP INDEX devices_previous_refresh;
         ALTER TABLE devices DROP COLUMN refresh_hash;
         ALTER TABLE devices DROP COLUMN refresh_expires_at;
         ALTER TABLE devices DROP COLUMN previous_refresh_hash;
         ALTER TABLE devices DROP COLUMN access_used;
         ALTER TABLE devices DROP COLUMN revoked_reason;
         UPDATE devices SET token_hash = X'{}', expires_at = strftime('%s', 'now') + 31536000;
         PRAGMA user_version = 5;",
        hex(&teduh_server::auth::sha256(old_token.as_bytes()))
    ))
    .expect("schema 5");
    drop(c);

    let storage: Arc<dyn Storage> =
        Arc::new(teduh_server::storage::sqlite::SqliteStorage::open(&path).expect("migrates"));
    assert_eq!(storage.schema_version().await.expect("version"), 6);
    let guard = common::Guard::Sqlite(tempfile::tempdir().expect("tempdir"));
    let api = Api::reopened(storage, guard, test_settings());
    assert_eq!(
        devices_with(&api, &old_token).await,
        (OK.0, OK.1.to_owned()),
        "the old token still works as an access token for now"
    );
    let renewed = renew(&api, &old_token)
        .await
        .expect("renews with its one token");
    assert_eq!(
        devices_with(&api, &renewed.token).await,
        (OK.0, OK.1.to_owned())
    );
    assert_eq!(
        devices_with(&api, &old_token).await,
        refused("InvalidToken"),
        "the year-long token is gone"
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}
