//! The HTTP API driven through the router without a socket: a fresh server on SQLite or
//! PostgreSQL, requests with or without a device token, and teams with members registered
//! through `POST /v1/register`. A test binary includes it beside `common` (it needs the server's
//! HTTP stack, which the cross-crate tests that share `common` do not link).

#![allow(dead_code, missing_docs)]

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::Router;
use http_body_util::BodyExt as _;
use serde_json::{json, Value};
use teduh_protocol::sync::{b64, hlc_from_millis, refresh, PullPage, PushPage, Record, Role};
use teduh_server::router::{router, AppState, Settings};
use teduh_server::storage::NewInvitation;
use teduh_server::Storage;
use tower::ServiceExt as _;

pub struct Api {
    pub app: Router,
    pub storage: Arc<dyn Storage>,
    _guard: crate::common::Guard,
}

pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or("").to_owned()
    }
}

pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

pub fn now_ms() -> u64 {
    now_secs() as u64 * 1000
}

impl Api {
    pub async fn new(settings: Settings) -> Api {
        let (storage, guard) = crate::common::sqlite().await;
        Api::with_storage(storage, guard, settings).await
    }

    /// A new organisation's server over `storage`.
    pub async fn with_storage(
        storage: Arc<dyn Storage>,
        guard: crate::common::Guard,
        settings: Settings,
    ) -> Api {
        storage
            .init_org("Org".into(), now_secs())
            .await
            .expect("org");
        Api::reopened(storage, guard, settings)
    }

    /// The server over a `storage` that already holds an organisation (a restart).
    pub fn reopened(
        storage: Arc<dyn Storage>,
        guard: crate::common::Guard,
        settings: Settings,
    ) -> Api {
        let app = router(AppState::with_settings(Arc::clone(&storage), settings));
        Api {
            app,
            storage,
            _guard: guard,
        }
    }

    pub async fn call(
        &self,
        method: &str,
        uri: &str,
        token: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let mut req = Request::builder().method(method).uri(uri);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if let Some(ct) = content_type {
            req = req.header("content-type", ct);
        }
        let resp = self
            .app
            .clone()
            .oneshot(req.body(Body::from(body)).expect("request"))
            .await
            .expect("infallible");
        let status = resp.status();
        let content_type = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = resp
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Reply {
            status,
            content_type,
            body,
        }
    }

    /// `DELETE /v1/devices/{device}` with `token`.
    pub async fn revoke(&self, device: u64, token: &str) -> Reply {
        let uri = format!("/v1/devices/{device}");
        self.call("DELETE", &uri, Some(token), None, Vec::new())
            .await
    }

    pub async fn json(&self, method: &str, uri: &str, token: Option<&str>, body: Value) -> Reply {
        self.call(
            method,
            uri,
            token,
            Some("application/json"),
            serde_json::to_vec(&body).expect("json"),
        )
        .await
    }

    pub async fn get(&self, uri: &str, token: Option<&str>) -> Reply {
        self.call("GET", uri, token, None, Vec::new()).await
    }

    pub async fn push(&self, team: u64, token: &str, records: Vec<Record>) -> Reply {
        let body = PushPage { records }.encode();
        self.call(
            "POST",
            &format!("/v1/teams/{team}/records"),
            Some(token),
            Some("application/octet-stream"),
            body,
        )
        .await
    }

    pub async fn erase(&self, team: u64, token: &str, records: Vec<Record>) -> Reply {
        let body = PushPage { records }.encode();
        self.call(
            "POST",
            &format!("/v1/teams/{team}/records/erase"),
            Some(token),
            Some("application/octet-stream"),
            body,
        )
        .await
    }

    pub async fn pull_all(&self, team: u64, token: &str) -> Vec<Record> {
        let r = self
            .get(
                &format!("/v1/teams/{team}/records?after=0&budget=1048576"),
                Some(token),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::OK,
            "pull: {}",
            String::from_utf8_lossy(&r.body)
        );
        PullPage::decode(&r.body)
            .expect("a valid page")
            .records
            .into_iter()
            .map(|r| r.record)
            .collect()
    }

    pub async fn team(&self, name: &str) -> u64 {
        self.storage
            .create_team(name.into(), now_secs())
            .await
            .expect("team")
            .id
    }

    pub async fn invite(&self, team: u64, role: Role) -> String {
        let (code, code_hash) = teduh_server::auth::new_invitation_code();
        self.storage
            .create_invitation(NewInvitation {
                team_id: team,
                package: None,
                role,
                member_id: None,
                code_hash,
                created_at: now_secs(),
                expires_at: now_secs() + 3600,
            })
            .await
            .expect("invitation");
        code
    }

    pub async fn register(&self, team: u64, role: Role, username: &str) -> Member {
        let code = self.invite(team, role).await;
        let r = self
            .json("POST", "/v1/register", None, register_body(&code, username))
            .await;
        assert_eq!(
            r.status,
            StatusCode::CREATED,
            "register: {}",
            String::from_utf8_lossy(&r.body)
        );
        let v = r.json();
        Member {
            token: v["token"].as_str().expect("token").to_owned(),
            seed: chain_seed(username),
            device_id: v["device_id"].as_u64().expect("device id"),
            member_id: v["member_id"].as_u64().expect("member id"),
            team_id: v["team_id"].as_u64().expect("team id"),
        }
    }

    /// A team with a supervisor and a counselor, at key epoch 1.
    pub async fn team_with_epoch(&self, name: &str) -> (Member, Member) {
        let team = self.team(name).await;
        let sup = self
            .register(team, Role::Supervisor, &format!("{name}-sup"))
            .await;
        let cou = self
            .register(team, Role::Counselor, &format!("{name}-cou"))
            .await;
        let r = self
            .json(
                "POST",
                &format!("/v1/teams/{team}/epochs"),
                Some(&sup.token),
                json!({"epoch": 1, "envelopes": [
                    {"device_id": sup.device_id, "envelope": b64::encode(b"env-sup")},
                    {"device_id": cou.device_id, "envelope": b64::encode(b"env-cou")},
                ]}),
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::NO_CONTENT,
            "epoch: {}",
            String::from_utf8_lossy(&r.body)
        );
        (sup, cou)
    }
}

pub struct Member {
    pub token: String,
    /// The seed of the refresh chain it registered (see [`chain_seed`]).
    pub seed: [u8; 32],
    pub device_id: u64,
    pub member_id: u64,
    pub team_id: u64,
}

impl Member {
    /// The `index`-th token of its refresh chain, as sent.
    pub fn refresh(&self, index: u32) -> String {
        refresh::to_hex(&refresh::token(&self.seed, index).expect("within the chain"))
    }
}

/// The refresh chain's seed of a member registered by [`register_body`] (a test's, derived from
/// her username).
pub fn chain_seed(username: &str) -> [u8; 32] {
    teduh_server::auth::sha256(format!("chain-of-{username}").as_bytes())
}

pub fn register_body(code: &str, username: &str) -> Value {
    json!({
        "invitation": code,
        "username": username,
        "public_keys": b64::encode(&[7u8; 64]),
        "device_name": "HP Android",
        "refresh_anchor": refresh::to_hex(&refresh::anchor(&chain_seed(username))),
    })
}

pub fn rec(device: u64, seq: u64, payload: &[u8]) -> Record {
    Record {
        device_id: device,
        device_seq: seq,
        key_epoch: 1,
        hlc: hlc_from_millis(now_ms(), 0),
        payload: payload.to_vec(),
    }
}

pub fn test_settings() -> Settings {
    Settings {
        auth_burst: 1000,
        ..Settings::default()
    }
}
