//! Blocking HTTP client for the Teduh sync server.
//!
//! - [`HttpTransport`] (built with [`HttpTransportBuilder`], failing with [`BuildError`]) is the
//!   sync engine's [`teduh_core::sync::Transport`] over HTTP(S): bearer tokens, binary record
//!   pages, idle-progress timeouts, capped answer sizes, rustls with the webpki roots or an
//!   organisation's own CA.
//! - [`ServerClient`] speaks the public endpoints (health, version, directory).
//!
//! Both are blocking on purpose: the desktop app calls them from async Tauri commands (which run
//! on a worker thread) and the CLI is synchronous; no async runtime is needed on devices. Both
//! build their ureq agent in one place, so they share timeouts and TLS trust.

mod agent;
mod transport;

use std::io::Read as _;
use std::time::Duration;

use teduh_protocol::{ApiError, HealthReport, ServerVersion};

pub use agent::BuildError;
pub use transport::{
    check_server_url, plain_http_allowed_by_env, HttpTransport, HttpTransportBuilder,
    ALLOW_PLAIN_HTTP_ENV, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT, MAX_JSON_BYTES,
    MAX_PULL_PAGE_BYTES,
};

/// Errors talking to the server.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached (offline, wrong address, refused, timed out).
    #[error("the server at {url} cannot be reached: {detail}")]
    Unreachable {
        /// The URL that was tried.
        url: String,
        /// Transport detail, for logs.
        detail: String,
    },
    /// The server answered with an error body.
    #[error("the server refused the request ({}): {}", .0.code, .0.message)]
    Api(ApiError),
    /// The server answered something that is not a Teduh response.
    #[error("unexpected response from {url}: {detail}")]
    Unexpected {
        /// The URL that was tried.
        url: String,
        /// What was wrong.
        detail: String,
    },
}

/// A directory bundle larger than this is refused (5,000 entries are about 3 MB).
pub const MAX_DIRECTORY_BYTES: u64 = 32 * 1024 * 1024;

/// The answer to a conditional directory request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectoryFetch {
    /// The device's copy is current (HTTP 304).
    NotModified,
    /// The organisation has not published a directory yet.
    NotPublished,
    /// A bundle (unverified bytes) and its ETag for the next request.
    Bundle {
        /// The signed bundle file as served.
        body: Vec<u8>,
        /// The ETag to send next time.
        etag: Option<String>,
    },
}

/// A connection profile for one sync server.
#[derive(Debug, Clone)]
pub struct ServerClient {
    base: String,
    agent: ureq::Agent,
}

impl ServerClient {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8470`).
    /// `https://` servers are verified against the public webpki roots; for an organisation's
    /// own CA, use [`HttpTransport::server_client`].
    pub fn new(base_url: &str) -> Self {
        let agent = agent::build(&agent::AgentSettings {
            connect_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(15),
            follow_redirects: true,
            tls: None,
        });
        Self::with_agent(base_url, agent)
    }

    pub(crate) fn with_agent(base_url: &str, agent: ureq::Agent) -> Self {
        Self {
            base: base_url.trim_end_matches('/').to_owned(),
            agent,
        }
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// `GET /healthz`. Fails when the server is unreachable or unhealthy.
    pub fn health(&self) -> Result<HealthReport, ClientError> {
        self.get_json("/healthz")
    }

    /// `GET /version`. Fails when the server is unreachable or not a Teduh server.
    pub fn version(&self) -> Result<ServerVersion, ClientError> {
        let v: ServerVersion = self.get_json("/version")?;
        if v.name != "teduh-server" {
            return Err(ClientError::Unexpected {
                url: self.base.clone(),
                detail: format!("this is not a Teduh server (it says it is {:?})", v.name),
            });
        }
        Ok(v)
    }

    /// `GET /v1/directory` with `If-None-Match`: the newest signed directory bundle, unless the
    /// device already has it. The body is returned unverified; the caller verifies its signature.
    ///
    /// Fails when the server is unreachable or answers with an error.
    pub fn directory(&self, etag: Option<&str>) -> Result<DirectoryFetch, ClientError> {
        let url = format!("{}/v1/directory", self.base);
        let mut req = self.agent.get(&url);
        if let Some(tag) = etag {
            req = req.set("If-None-Match", tag);
        }
        match req.call() {
            Ok(resp) if resp.status() == 304 => Ok(DirectoryFetch::NotModified),
            Ok(resp) => {
                let etag = resp.header("ETag").map(str::to_owned);
                let mut body = Vec::new();
                resp.into_reader()
                    .take(MAX_DIRECTORY_BYTES)
                    .read_to_end(&mut body)
                    .map_err(|e| ClientError::Unreachable {
                        url: url.clone(),
                        detail: e.to_string(),
                    })?;
                Ok(DirectoryFetch::Bundle { body, etag })
            }
            Err(e) => match failure(url, e) {
                ClientError::Api(api) if api.code == "NoDirectory" => {
                    Ok(DirectoryFetch::NotPublished)
                }
                other => Err(other),
            },
        }
    }

    /// `PUT /v1/directory`: gives back the organisation's signed `bundle` (as this device
    /// holds it) to a server that serves an older one or none (restored from a backup). The
    /// server keeps it only when it verifies against its directory key and is newer than its
    /// own. `Ok(false)`: the server already has it or a newer one.
    ///
    /// Fails when the server is unreachable or refuses the bundle otherwise.
    pub fn give_back_directory(&self, token: &str, bundle: &[u8]) -> Result<bool, ClientError> {
        let url = format!("{}/v1/directory", self.base);
        let sent = self
            .agent
            .put(&url)
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", teduh_protocol::sync::OCTET_STREAM)
            .send_bytes(bundle);
        match sent {
            Ok(_) => Ok(true),
            Err(e) => match failure(url, e) {
                ClientError::Api(api) if api.code == "DirectoryNotNewer" => Ok(false),
                other => Err(other),
            },
        }
    }

    fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let url = format!("{}{}", self.base, path);
        match self.agent.get(&url).call() {
            Ok(resp) => resp.into_json().map_err(|e| ClientError::Unexpected {
                url,
                detail: e.to_string(),
            }),
            Err(e) => Err(failure(url, e)),
        }
    }
}

/// Turns a failed request into the error callers branch on: the server's own `ApiError` when it
/// answered with one, else unreachable or unexpected.
fn failure(url: String, e: ureq::Error) -> ClientError {
    match e {
        ureq::Error::Status(_, resp) => match resp.into_json::<ApiError>() {
            Ok(api) => ClientError::Api(api),
            Err(e) => ClientError::Unexpected {
                url,
                detail: e.to_string(),
            },
        },
        ureq::Error::Transport(t) => ClientError::Unreachable {
            url,
            detail: t.to_string(),
        },
    }
}
