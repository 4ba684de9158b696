//! The HTTP API driven through the router: the happy path of a team's sync, and every kind of
//! bad input answered with a 4xx and a machine-readable code, storing nothing. The harness is
//! `common/api.rs`; rotating tokens have their own file (`tokens.rs`).
//!
//! Long (about 1,200 lines) on purpose: one scenario per endpoint family, each self-contained on
//! the shared harness, read and changed one at a time; splitting them would only scatter the
//! endpoint families across files without sharing more.

mod common;
#[path = "common/api.rs"]
mod harness;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::{json, Value};
use teduh_protocol::sync::{b64, hlc_from_millis, PushPage, Role};
use teduh_server::router::Settings;
use tower::ServiceExt as _;

use self::harness::*;

#[tokio::test]
async fn a_team_registers_logs_in_pushes_and_pulls_binary_pages() {
    let api = Api::new(test_settings()).await;
    let (sup, cou) = api.team_with_epoch("Kupang").await;
    let team = cou.team_id;

    let page = vec![
        rec(cou.device_id, 1, &[0u8, 1, 2, 255]),
        rec(cou.device_id, 2, b"x"),
    ];
    let r = api.push(team, &cou.token, page.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(r.json()["stored_through"], 2);
    assert_eq!(r.json()["stored"], 2);

    let pulled = api.pull_all(team, &sup.token).await;
    assert_eq!(
        pulled, page,
        "the supervisor pulls exactly the bytes the counselor pushed"
    );
    let r = api
        .get(
            &format!("/v1/teams/{team}/records?after=0"),
            Some(&sup.token),
        )
        .await;
    assert_eq!(
        r.content_type, "application/octet-stream",
        "record pages are binary"
    );

    // A new device of the counselor: a code from her first device, then its own keys.
    let r = api
        .json(
            "POST",
            "/v1/devices/invitations",
            Some(&cou.token),
            json!({}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    let code = r.json()["code"].as_str().expect("code").to_owned();
    let mut body = register_body(&code, "Kupang-cou");
    body["public_keys"] = json!(b64::encode(&[8u8; 64]));
    let r = api.json("POST", "/v1/register", None, body).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let v = r.json();
    assert_eq!(v["member_id"].as_u64(), Some(cou.member_id), "her member");
    assert_ne!(
        v["device_id"].as_u64(),
        Some(cou.device_id),
        "a new device id"
    );
    assert_eq!(v["public_keys"], b64::encode(&[8u8; 64]), "its own keys");
    let laptop = v["token"].as_str().expect("token").to_owned();
    assert_eq!(api.pull_all(team, &laptop).await.len(), 2);

    let r = api
        .get(&format!("/v1/teams/{team}/envelopes"), Some(&laptop))
        .await;
    assert_eq!(r.json()["current_epoch"], 1);
    assert_eq!(
        r.json()["envelopes"],
        json!([]),
        "nothing was sealed to the new device yet"
    );
    let r = api
        .get(&format!("/v1/teams/{team}/envelopes"), Some(&cou.token))
        .await;
    assert_eq!(
        r.json()["envelopes"],
        json!([{"epoch": 1, "envelope": b64::encode(b"env-cou")}]),
        "a device sees only the envelope addressed to it"
    );

    let r = api
        .get(&format!("/v1/teams/{team}/members"), Some(&laptop))
        .await;
    assert_eq!(r.json().as_array().map(Vec::len), Some(2), "both members");

    let r = api
        .json(
            "PUT",
            &format!("/v1/teams/{team}/roster"),
            Some(&sup.token),
            json!({"version": 1, "roster": b64::encode(b"signed roster")}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = api
        .get(&format!("/v1/teams/{team}/roster"), Some(&cou.token))
        .await;
    assert_eq!(r.json()["roster"], b64::encode(b"signed roster"));

    let r = api
        .json(
            "POST",
            &format!("/v1/teams/{team}/client-keys"),
            Some(&cou.token),
            json!({"wraps": [{"epoch": 1, "client_id": b64::encode(b"client-1"), "wrap": b64::encode(b"k")}]}),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let r = api
        .get(
            &format!("/v1/teams/{team}/client-keys?epoch=1"),
            Some(&sup.token),
        )
        .await;
    assert_eq!(r.json()["wraps"][0]["wrap"], b64::encode(b"k"));

    let erase = json!({"client_id": b64::encode(b"client-1")});
    let uri = format!("/v1/teams/{team}/client-keys/erase");
    let r = api
        .json("POST", &uri, Some(&cou.token), erase.clone())
        .await;
    assert_eq!(
        r.code(),
        "Forbidden",
        "only supervisors and admins shred client keys"
    );
    let r = api.json("POST", &uri, Some(&sup.token), erase).await;
    assert_eq!(
        r.json()["erased"],
        1,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let r = api.get("/v1/devices", Some(&cou.token)).await;
    assert_eq!(
        r.json().as_array().map(Vec::len),
        Some(2),
        "the counselor's two devices"
    );

    // Erasure: records replaced by their tombstones. The counselor erases her own; the
    // supervisor's record only a key manager may.
    let body = |tag: u8| {
        let mut b = vec![0x44];
        b.extend([tag; 132]);
        b.extend_from_slice(b"badan sintetis");
        b
    };
    let tomb = |tag: u8| {
        use sha2::Digest as _;
        teduh_protocol::tombstone::Tombstone::encode(
            &body(tag)[..133],
            &sha2::Sha256::digest(b"badan sintetis").into(),
        )
    };
    let r = api
        .push(team, &cou.token, vec![rec(cou.device_id, 3, &body(3))])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = api
        .push(team, &sup.token, vec![rec(sup.device_id, 1, &body(9))])
        .await;
    assert_eq!(r.status, StatusCode::OK);
    let mut sup_tomb = rec(sup.device_id, 1, &tomb(9));
    let r = api.erase(team, &cou.token, vec![sup_tomb.clone()]).await;
    assert_eq!(r.code(), "Forbidden", "another's record: key managers only");
    let r = api
        .erase(team, &cou.token, vec![rec(cou.device_id, 3, &tomb(3))])
        .await;
    assert_eq!(
        r.json()["erased"],
        1,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    sup_tomb.payload[140] ^= 1;
    let r = api.erase(team, &sup.token, vec![sup_tomb.clone()]).await;
    assert_eq!(r.code(), "NotItsTombstone");
    sup_tomb.payload[140] ^= 1;
    let r = api.erase(team, &sup.token, vec![sup_tomb]).await;
    assert_eq!(r.json()["erased"], 1);
    let r = api
        .call(
            "POST",
            &format!("/v1/teams/{team}/records/erase"),
            Some(&sup.token),
            Some("application/json"),
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(r.code(), "UnsupportedContentType");
    let pulled = api.pull_all(team, &sup.token).await;
    assert!(
        pulled
            .iter()
            .all(|r| !r.payload.windows(14).any(|w| w == b"badan sintetis")),
        "no erased body is served"
    );

    let r = api.get("/metrics", None).await;
    let text = String::from_utf8_lossy(&r.body);
    assert!(text.contains("teduh_records_stored_total 4"), "{text}");
    assert!(!text.contains(&cou.token), "metrics never contain tokens");
}

#[tokio::test]
async fn the_limits_are_advertised_and_the_openapi_document_is_served() {
    let api = Api::new(test_settings()).await;
    let r = api.get("/v1/limits", None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["max_push_bytes"], 1024 * 1024);
    let r = api.get("/openapi.json", None).await;
    assert_eq!(r.json()["openapi"], "3.0.3");
    let r = api
        .call("DELETE", "/v1/limits", None, None, Vec::new())
        .await;
    assert_eq!(r.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(r.code(), "MethodNotAllowed");
}

#[tokio::test]
async fn bad_record_pages_are_refused_with_codes_and_store_nothing() {
    let settings = Settings {
        auth_burst: 1000,
        ..Settings::default()
    };
    let max_push = settings.limits.max_push_bytes as usize;
    let api = Api::new(settings).await;
    let (sup, cou) = api.team_with_epoch("T").await;
    let team = cou.team_id;
    let uri = format!("/v1/teams/{team}/records");
    let good = PushPage {
        records: vec![rec(cou.device_id, 1, b"hello")],
    }
    .encode();

    type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, StatusCode, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            "garbage",
            Some("application/octet-stream"),
            b"not a page".to_vec(),
            StatusCode::BAD_REQUEST,
            "MalformedPage",
        ),
        (
            "truncated",
            Some("application/octet-stream"),
            good[..good.len() - 1].to_vec(),
            StatusCode::BAD_REQUEST,
            "MalformedPage",
        ),
        (
            "trailing bytes",
            Some("application/octet-stream"),
            [good.clone(), vec![0]].concat(),
            StatusCode::BAD_REQUEST,
            "MalformedPage",
        ),
        (
            "empty body",
            Some("application/octet-stream"),
            Vec::new(),
            StatusCode::BAD_REQUEST,
            "MalformedPage",
        ),
        (
            "json content type",
            Some("application/json"),
            good.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedContentType",
        ),
        (
            "no content type",
            None,
            good.clone(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedContentType",
        ),
        (
            "oversized",
            Some("application/octet-stream"),
            vec![0u8; max_push + 1],
            StatusCode::PAYLOAD_TOO_LARGE,
            "BodyTooLarge",
        ),
    ];
    for (what, ct, body, status, code) in cases {
        let r = api.call("POST", &uri, Some(&cou.token), ct, body).await;
        assert_eq!(
            r.status,
            status,
            "{what}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(r.code(), code, "{what} has its own code");
    }

    let mut big = rec(cou.device_id, 1, &vec![7u8; 256 * 1024 + 1]);
    let r = api.push(team, &cou.token, vec![big.clone()]).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "RecordTooLarge")
    );
    big.payload.truncate(10);
    big.device_id = sup.device_id;
    let r = api.push(team, &cou.token, vec![big]).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "WrongDevice"),
        "a device may not write another device's log"
    );
    let r = api
        .call(
            "GET",
            &format!("/v1/teams/{team}/records?after=-1"),
            Some(&cou.token),
            None,
            Vec::new(),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "InvalidQuery")
    );
    let r = api.get("/v1/teams/abc/records", Some(&cou.token)).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "InvalidPath")
    );

    assert!(
        api.pull_all(team, &sup.token).await.is_empty(),
        "nothing was stored"
    );
}

#[tokio::test]
async fn push_refusals_have_distinct_codes() {
    let api = Api::new(test_settings()).await;
    let (sup, cou) = api.team_with_epoch("T").await;
    let team = cou.team_id;
    let d = cou.device_id;
    assert_eq!(
        api.push(team, &cou.token, vec![rec(d, 1, b"one")])
            .await
            .status,
        StatusCode::OK
    );

    let r = api.push(team, &cou.token, vec![rec(d, 1, b"ONE")]).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "Fork")
    );

    let mut ahead = rec(d, 2, b"two");
    ahead.hlc = hlc_from_millis(now_ms() + 24 * 3600 * 1000, 0);
    let r = api.push(team, &cou.token, vec![ahead]).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "ClockAhead")
    );

    let mut unknown = rec(d, 2, b"two");
    unknown.key_epoch = 5;
    let r = api.push(team, &cou.token, vec![unknown]).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "UnknownKeyEpoch")
    );

    let r = api
        .json(
            "POST",
            &format!("/v1/teams/{team}/epochs"),
            Some(&sup.token),
            json!({"epoch": 2, "envelopes": [{"device_id": sup.device_id, "envelope": b64::encode(b"e2")}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = api.push(team, &cou.token, vec![rec(d, 2, b"two")]).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "StaleKeyEpoch")
    );

    let r = api.push(team, &cou.token, vec![rec(d, 1, b"one")]).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "a stored record re-sent stays a no-op"
    );
    assert_eq!(r.json()["duplicates"], 1);
    assert_eq!(
        api.pull_all(team, &sup.token).await.len(),
        1,
        "only the first record stored"
    );
}

#[tokio::test]
async fn missing_bad_expired_and_revoked_tokens_are_refused() {
    let api = Api::new(test_settings()).await;
    let (sup, cou) = api.team_with_epoch("T").await;
    let uri = format!("/v1/teams/{}/records", cou.team_id);
    let r = api.get(&uri, None).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNAUTHORIZED, "MissingToken")
    );
    let r = api.get(&uri, Some("0123456789abcdef")).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNAUTHORIZED, "InvalidToken")
    );
    let r = api.call("GET", &uri, None, None, Vec::new()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);

    // The supervisor revokes the counselor's device.
    let r = api.revoke(cou.device_id, &sup.token).await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let r = api.get(&uri, Some(&cou.token)).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNAUTHORIZED, "TokenRevoked")
    );
    let r = api
        .push(cou.team_id, &cou.token, vec![rec(cou.device_id, 1, b"x")])
        .await;
    assert_eq!(
        r.code(),
        "TokenRevoked",
        "a revoked device cannot push either"
    );

    // Tokens that live zero seconds are expired at once.
    let api = Api::new(Settings {
        access_ttl_secs: 0,
        ..test_settings()
    })
    .await;
    let team = api.team("E").await;
    let m = api.register(team, Role::Counselor, "eka").await;
    let r = api
        .get(&format!("/v1/teams/{team}/records"), Some(&m.token))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNAUTHORIZED, "TokenExpired")
    );
}

#[tokio::test]
async fn a_counselor_cannot_revoke_someone_elses_device() {
    let api = Api::new(test_settings()).await;
    let (sup, cou) = api.team_with_epoch("T").await;
    let r = api.revoke(sup.device_id, &cou.token).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "NotFound")
    );
    assert_eq!(
        api.get("/v1/devices", Some(&sup.token)).await.status,
        StatusCode::OK,
        "still valid"
    );
}

#[tokio::test]
async fn invitations_are_single_use_and_registration_input_is_checked() {
    let api = Api::new(test_settings()).await;
    let team = api.team("T").await;
    let code = api.invite(team, Role::Outreach).await;
    let r = api
        .json("POST", "/v1/register", None, register_body(&code, "ana"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED);
    assert_eq!(r.json()["role"], "outreach");
    let r = api
        .json("POST", "/v1/register", None, register_body(&code, "budi"))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "InvitationUsed")
    );
    let r = api
        .json(
            "POST",
            "/v1/register",
            None,
            register_body("AAAAA-BBBBB-CCCCC-DDDDD", "citra"),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "InvitationUnknown")
    );

    let code = api.invite(team, Role::Counselor).await;
    let r = api
        .json("POST", "/v1/register", None, register_body(&code, "ana"))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "UsernameTaken")
    );
    let mut short = register_body(&code, "dewi");
    short["public_keys"] = json!(b64::encode(b"short"));
    let r = api.json("POST", "/v1/register", None, short).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "InvalidInput")
    );
    let mut bad64 = register_body(&code, "dewi");
    bad64["public_keys"] = json!("not base64!");
    let r = api.json("POST", "/v1/register", None, bad64).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "MalformedBody")
    );
    let mut extra = register_body(&code, "dewi");
    extra["is_admin"] = json!(true);
    let r = api.json("POST", "/v1/register", None, extra).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "MalformedBody"),
        "unknown fields are refused"
    );
    let r = api
        .call(
            "POST",
            "/v1/register",
            None,
            Some("application/json"),
            b"{\"invitation\":".to_vec(),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "MalformedBody")
    );
    let r = api
        .call(
            "POST",
            "/v1/register",
            None,
            Some("text/plain"),
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UnsupportedContentType")
    );
    let r = api
        .call(
            "POST",
            "/v1/register",
            None,
            Some("application/json"),
            vec![b' '; 300 * 1024],
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, "BodyTooLarge")
    );

    let r = api
        .json("POST", "/v1/register", None, register_body(&code, "dewi"))
        .await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the invitation survived every refused attempt"
    );
    assert_eq!(
        api.storage.members(team).await.expect("members").len(),
        2,
        "ana and dewi only"
    );
}

#[tokio::test]
async fn a_device_code_adds_a_device_of_its_member_only_and_once() {
    let api = Api::new(test_settings()).await;
    let team = api.team("T").await;
    let ana = api.register(team, Role::Counselor, "ana").await;
    api.register(team, Role::Counselor, "budi").await;
    let code = |r: Reply| r.json()["code"].as_str().expect("code").to_owned();
    let mine = code(
        api.json(
            "POST",
            "/v1/devices/invitations",
            Some(&ana.token),
            json!({}),
        )
        .await,
    );
    let r = api
        .json("POST", "/v1/register", None, register_body(&mine, "budi"))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "InvitationForAnother"),
        "ana's code cannot add a device to budi"
    );
    let r = api
        .json("POST", "/v1/register", None, register_body(&mine, "ana"))
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "it still works for ana");
    let r = api
        .json("POST", "/v1/register", None, register_body(&mine, "ana"))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "InvitationUsed"),
        "once"
    );
    let r = api
        .json("POST", "/v1/devices/invitations", None, json!({}))
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "a token is needed");
    let mut short = register_body(&api.invite(team, Role::Counselor).await, "cici");
    short["public_keys"] = json!(b64::encode(b"pk"));
    let r = api.json("POST", "/v1/register", None, short).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, "InvalidInput"),
        "a device registers exactly its two 32-byte public keys"
    );
}

#[tokio::test]
async fn an_invitation_made_on_a_key_manager_s_device_serves_its_package_until_used() {
    let api = Api::new(test_settings()).await;
    let (sup, cou) = api.team_with_epoch("Kupang").await;
    let team = sup.team_id;
    let id = "0123456789abcdef0123456789abcdef";
    let body = json!({"id": id, "role": "counselor", "package": b64::encode(b"sealed package"),
        "expires_at": now_secs() + 3600});
    let uri = format!("/v1/teams/{team}/invitations");
    let r = api.json("POST", &uri, Some(&cou.token), body.clone()).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "Forbidden"),
        "only supervisors and admins invite"
    );
    let r = api.json("POST", &uri, Some(&sup.token), body.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let r = api.json("POST", &uri, Some(&sup.token), body).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "AlreadyExists"),
        "an id is stored once"
    );
    let r = api.get(&format!("/v1/invitations/{id}"), None).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["package"], b64::encode(b"sealed package"));
    assert_eq!(r.json()["team_id"], team);
    assert_eq!(r.json()["role"], "counselor");
    let r = api.get("/v1/invitations/NOT-AN-ID", None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = api
        .get("/v1/invitations/ffffffffffffffffffffffffffffffff", None)
        .await;
    assert_eq!(r.code(), "InvitationUnknown");
    // The joiner registers with the id (and a proof the server stores without reading).
    let mut reg = register_body(id, "kons.baru");
    reg["proof"] = json!(b64::encode(b"proof bytes"));
    let r = api.json("POST", "/v1/register", None, reg).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let r = api.get(&format!("/v1/invitations/{id}"), None).await;
    assert_eq!(
        r.code(),
        "InvitationUsed",
        "a used invitation serves nothing"
    );
    let r = api.get("/v1/devices", Some(&sup.token)).await;
    let devices = r.json();
    assert!(
        devices
            .as_array()
            .expect("array")
            .iter()
            .any(|d| d["join_proof"] == b64::encode(b"proof bytes")),
        "the key manager's device sees the proof: {devices}"
    );
    let r = api
        .get(&format!("/v1/teams/{team}/info"), Some(&cou.token))
        .await;
    assert_eq!(r.json()["name"], "Kupang");
}

#[tokio::test]
async fn a_device_reads_only_its_own_messages_after_its_cursor() {
    let api = Api::new(test_settings()).await;
    let (sup, cou) = api.team_with_epoch("Ende").await;
    let team = sup.team_id;
    let uri = format!("/v1/teams/{team}/messages");
    let body = json!({"messages": [
        {"device_id": sup.device_id, "body": b64::encode(b"report one")},
        {"device_id": sup.device_id, "body": b64::encode(b"report two")},
    ]});
    let r = api.json("POST", &uri, Some(&cou.token), body).await;
    assert_eq!(
        r.status,
        StatusCode::NO_CONTENT,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    let r = api.get(&format!("{uri}?after=0"), Some(&sup.token)).await;
    let messages = r.json()["messages"].as_array().expect("array").clone();
    assert_eq!(messages.len(), 2);
    assert_eq!(messages[0]["sender_device"], cou.device_id);
    assert_eq!(messages[1]["body"], b64::encode(b"report two"));
    let first = messages[0]["id"].as_u64().expect("id");
    let r = api
        .get(&format!("{uri}?after={first}"), Some(&sup.token))
        .await;
    assert_eq!(r.json()["messages"].as_array().map(Vec::len), Some(1));
    let r = api.get(&uri, Some(&cou.token)).await;
    assert_eq!(
        r.json()["messages"],
        json!([]),
        "the counselor's device reads none of the supervisor's"
    );
    let r = api
        .json(
            "POST",
            &uri,
            Some(&cou.token),
            json!({"messages": [{"device_id": 999_999, "body": b64::encode(b"x")}]}),
        )
        .await;
    assert_eq!(r.code(), "NotTeamMember");
    let r = api
        .json("POST", &uri, Some(&cou.token), json!({"messages": []}))
        .await;
    assert_eq!(r.code(), "InvalidInput");
}

#[tokio::test]
async fn another_teams_records_envelopes_and_keys_are_forbidden() {
    let api = Api::new(test_settings()).await;
    let (_, a) = api.team_with_epoch("A").await;
    let (b_sup, b) = api.team_with_epoch("B").await;
    assert_eq!(
        api.push(b.team_id, &b.token, vec![rec(b.device_id, 1, b"secret")])
            .await
            .status,
        StatusCode::OK
    );
    let other = b.team_id;
    for (method, path) in [
        ("GET", "records?after=0"),
        ("GET", "envelopes"),
        ("GET", "client-keys"),
        ("GET", "members"),
        ("GET", "roster"),
    ] {
        let r = api
            .call(
                method,
                &format!("/v1/teams/{other}/{path}"),
                Some(&a.token),
                None,
                Vec::new(),
            )
            .await;
        assert_eq!(
            (r.status, r.code().as_str()),
            (StatusCode::FORBIDDEN, "WrongTeam"),
            "{method} {path} of another team"
        );
    }
    let r = api
        .push(other, &a.token, vec![rec(a.device_id, 1, b"intruder")])
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "WrongTeam")
    );
    let pulled = api.pull_all(other, &b_sup.token).await;
    assert_eq!(pulled.len(), 1, "the intruder stored nothing in team B");
}

#[tokio::test]
async fn only_supervisors_and_admins_publish_epochs_and_rosters() {
    let api = Api::new(test_settings()).await;
    let (sup, cou) = api.team_with_epoch("T").await;
    let team = cou.team_id;
    let r = api
        .json(
            "POST",
            &format!("/v1/teams/{team}/epochs"),
            Some(&cou.token),
            json!({"epoch": 2, "envelopes": [{"device_id": cou.device_id, "envelope": b64::encode(b"x")}]}),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "Forbidden")
    );
    let r = api
        .json(
            "PUT",
            &format!("/v1/teams/{team}/roster"),
            Some(&cou.token),
            json!({"version": 1, "roster": b64::encode(b"forged")}),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "Forbidden")
    );
    let r = api
        .json(
            "POST",
            &format!("/v1/teams/{team}/epochs"),
            Some(&sup.token),
            json!({"epoch": 3, "envelopes": [{"device_id": cou.device_id, "envelope": b64::encode(b"x")}]}),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::CONFLICT, "EpochNotNext")
    );
    let r = api
        .get(&format!("/v1/teams/{team}/roster"), Some(&cou.token))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "NoRoster")
    );
}

#[tokio::test]
async fn authentication_endpoints_are_rate_limited() {
    let api = Api::new(Settings {
        auth_burst: 3,
        auth_per_second: 0.001,
        ..Settings::default()
    })
    .await;
    let body = register_body("KODE-TIDAK-ADA", "nobody");
    for _ in 0..3 {
        let r = api.json("POST", "/v1/register", None, body.clone()).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
    let r = api.json("POST", "/v1/register", None, body).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::TOO_MANY_REQUESTS, "RateLimited")
    );
    let r = api.get("/v1/limits", None).await;
    assert_eq!(r.status, StatusCode::OK, "other endpoints are not limited");
}

/// A small deterministic fuzzer: random bodies, content types and paths against every
/// endpoint must never produce a 5xx.
#[tokio::test]
async fn random_requests_never_cause_a_server_error() {
    let api = Api::new(test_settings()).await;
    let (_, cou) = api.team_with_epoch("T").await;
    let team = cou.team_id;
    let routes = [
        ("POST", "/v1/register".to_owned()),
        ("POST", "/v1/devices/invitations".to_owned()),
        (
            "GET",
            "/v1/invitations/0123456789abcdef0123456789abcdef".to_owned(),
        ),
        ("POST", format!("/v1/teams/{team}/invitations")),
        ("GET", format!("/v1/teams/{team}/info")),
        ("POST", format!("/v1/teams/{team}/messages")),
        ("GET", format!("/v1/teams/{team}/messages?after=0")),
        ("GET", "/v1/devices".to_owned()),
        ("DELETE", "/v1/devices/18446744073709551615".to_owned()),
        ("GET", format!("/v1/teams/{team}/members")),
        ("PUT", format!("/v1/teams/{team}/roster")),
        ("POST", format!("/v1/teams/{team}/epochs")),
        ("GET", format!("/v1/teams/{team}/envelopes")),
        ("POST", format!("/v1/teams/{team}/client-keys")),
        (
            "GET",
            format!("/v1/teams/{team}/client-keys?epoch=99999999999"),
        ),
        ("POST", format!("/v1/teams/{team}/records")),
        (
            "GET",
            format!("/v1/teams/{team}/records?after=18446744073709551615&budget=0"),
        ),
        ("GET", "/v1/teams/18446744073709551615/records".to_owned()),
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let json_shapes = [
        json!({}),
        json!([]),
        json!(null),
        json!({"epoch": -1, "envelopes": [{"device_id": "x", "envelope": 5}]}),
        json!({"version": u64::MAX, "roster": ""}),
        json!({"wraps": [{"epoch": 4294967295u64, "client_id": "", "wrap": ""}]}),
        json!({"username": "\u{0000}", "auth_secret": "AAAA", "device_name": ""}),
        json!({"epoch": 2, "envelopes": [{"device_id": u64::MAX, "envelope": "AA=="}]}),
    ];
    for i in 0..400 {
        let (method, path) = &routes[(next() % routes.len() as u64) as usize];
        let token = if i % 3 == 0 {
            None
        } else {
            Some(cou.token.as_str())
        };
        let (ct, body): (Option<&str>, Vec<u8>) = match next() % 4 {
            0 => (
                Some("application/json"),
                serde_json::to_vec(&json_shapes[(next() % json_shapes.len() as u64) as usize])
                    .expect("json"),
            ),
            1 => {
                let n = (next() % 200) as usize;
                (
                    Some("application/octet-stream"),
                    (0..n).map(|_| next() as u8).collect(),
                )
            }
            2 => {
                let mut page = PushPage {
                    records: vec![rec(cou.device_id, next() % 5, b"p")],
                }
                .encode();
                let cut = (next() as usize) % (page.len() + 1);
                page.truncate(cut);
                (Some("application/octet-stream"), page)
            }
            _ => (None, b"\xff\xfe".to_vec()),
        };
        let r = api.call(method, path, token, ct, body).await;
        assert!(
            r.status.as_u16() < 500,
            "{method} {path} answered {}: {}",
            r.status,
            String::from_utf8_lossy(&r.body)
        );
        if !r.status.is_success() {
            assert!(
                !r.code().is_empty(),
                "{method} {path}: every refusal has a code"
            );
        }
    }
}

#[tokio::test]
async fn the_api_behaves_the_same_on_postgres() {
    let (storage, guard) = common::postgres().await;
    let api = Api::with_storage(storage, guard, test_settings()).await;
    let (sup, cou) = api.team_with_epoch("P").await;
    let page = vec![rec(cou.device_id, 1, b"pg")];
    let r = api.push(cou.team_id, &cou.token, page.clone()).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&r.body)
    );
    assert_eq!(api.pull_all(cou.team_id, &sup.token).await, page);
    let r = api
        .push(
            cou.team_id,
            &cou.token,
            vec![rec(cou.device_id, 1, b"other")],
        )
        .await;
    assert_eq!(r.code(), "Fork");
}

#[tokio::test]
async fn the_directory_is_served_with_an_etag_and_answers_not_modified() {
    let api = Api::new(test_settings()).await;
    let r = api.get("/v1/directory", None).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "NoDirectory")
    );
    let signed = br#"{"payload":"{\"version\":7}","signature":"00"}"#.to_vec();
    api.storage
        .publish_directory(
            teduh_server::storage::DirectoryBundle {
                version: 7,
                sha256: teduh_server::auth::sha256(&signed),
                bundle: signed.clone(),
            },
            now_secs(),
        )
        .await
        .expect("publish");
    let resp = api
        .app
        .clone()
        .oneshot(
            Request::get("/v1/directory")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(resp.status(), StatusCode::OK);
    let etag = resp.headers()["etag"].to_str().expect("ascii").to_owned();
    assert!(
        etag.starts_with("\"7-"),
        "the ETag names the version: {etag}"
    );
    let body = resp.into_body().collect().await.expect("body").to_bytes();
    assert_eq!(body.to_vec(), signed, "the exact signed bytes are served");
    let resp = api
        .app
        .clone()
        .oneshot(
            Request::get("/v1/directory")
                .header("if-none-match", &etag)
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(
        resp.status(),
        StatusCode::NOT_MODIFIED,
        "a device that has it downloads nothing"
    );
    let resp = api
        .app
        .clone()
        .oneshot(
            Request::get("/v1/directory")
                .header("if-none-match", "\"6-0000000000000000\"")
                .body(Body::empty())
                .expect("request"),
        )
        .await
        .expect("infallible");
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "an older ETag gets the new bundle"
    );
}

/// A body that sends one chunk and then nothing, like a phone that lost its signal mid-upload.
struct Stalled {
    first: Option<axum::body::Bytes>,
}

impl http_body::Body for Stalled {
    type Data = axum::body::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        match self.first.take() {
            Some(b) => std::task::Poll::Ready(Some(Ok(http_body::Frame::data(b)))),
            None => std::task::Poll::Pending,
        }
    }
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_abandoned_with_a_timeout_code() {
    let api = Api::new(Settings {
        body_idle_timeout: std::time::Duration::from_millis(200),
        ..test_settings()
    })
    .await;
    let (sup, cou) = api.team_with_epoch("T").await;
    let page = PushPage {
        records: vec![rec(cou.device_id, 1, &[1u8; 1000])],
    }
    .encode();
    let half = axum::body::Bytes::copy_from_slice(&page[..page.len() / 2]);
    for (uri, ct) in [
        (
            format!("/v1/teams/{}/records", cou.team_id),
            "application/octet-stream",
        ),
        ("/v1/register".to_owned(), "application/json"),
    ] {
        let req = Request::post(&uri)
            .header("authorization", format!("Bearer {}", cou.token))
            .header("content-type", ct)
            .body(Body::new(Stalled {
                first: Some(half.clone()),
            }))
            .expect("request");
        let resp = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            api.app.clone().oneshot(req),
        )
        .await
        .expect("the server gives up on its own, well before the test does")
        .expect("infallible");
        assert_eq!(resp.status(), StatusCode::REQUEST_TIMEOUT, "{uri}");
        let body = resp.into_body().collect().await.expect("body").to_bytes();
        let v: Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(v["code"], "BodyTimeout", "{uri}");
    }
    assert!(
        api.pull_all(cou.team_id, &sup.token).await.is_empty(),
        "nothing stored"
    );
}
