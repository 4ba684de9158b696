//! What every handler shares: the tunable [`Settings`] and the [`AppState`] (storage, settings,
//! metrics, rate limiter).

use std::sync::Arc;
use std::time::Duration;

use teduh_protocol::sync::Limits;

use crate::auth::RateLimiter;
use crate::metrics::Metrics;
use crate::storage::Storage;

/// Tunable behaviour of the API (defaults suit production; tests shrink them).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Limits advertised by `GET /v1/limits` and enforced.
    pub limits: Limits,
    /// Lifetime of an access token, in seconds (at most an hour).
    pub access_ttl_secs: i64,
    /// Lifetime of a refresh token, in seconds (at most 90 days); each renewal issues a new one.
    /// A device offline longer joins again with a device invitation.
    pub refresh_ttl_secs: i64,
    /// Authentication requests one IP may make at once.
    pub auth_burst: u32,
    /// Authentication requests per second refilled per IP.
    pub auth_per_second: f64,
    /// A request body that makes no progress for this long is abandoned (408 BodyTimeout):
    /// slow links are fine, dead ones must not hold a connection and its buffer forever.
    pub body_idle_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            limits: Limits {
                max_push_bytes: 1024 * 1024,
                max_record_bytes: 256 * 1024,
                max_push_records: 4096,
                max_pull_bytes: 1024 * 1024,
                max_json_bytes: 256 * 1024,
                max_clock_skew_ms: 10 * 60 * 1000,
            },
            access_ttl_secs: 3600,
            refresh_ttl_secs: 90 * 24 * 3600,
            auth_burst: 30,
            auth_per_second: 1.0,
            body_idle_timeout: Duration::from_secs(60),
        }
    }
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The storage backend.
    pub storage: Arc<dyn Storage>,
    /// Limits and lifetimes.
    pub settings: Arc<Settings>,
    /// Counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// Per-IP limiter of the authentication endpoints.
    pub limiter: Arc<RateLimiter>,
    /// Where content-free alerts go ([`crate::alerts`]; nowhere unless configured).
    pub alerts: Arc<crate::alerts::Alerts>,
    /// The server's data directory, where the organisation's directory signing key lives once
    /// `admin publish-directory` made it: a bundle a device gives back must verify against it.
    pub data_dir: Option<std::path::PathBuf>,
}

impl AppState {
    /// State with default [`Settings`].
    pub fn new(storage: Arc<dyn Storage>) -> Self {
        Self::with_settings(storage, Settings::default())
    }

    /// State with the given settings.
    pub fn with_settings(storage: Arc<dyn Storage>, settings: Settings) -> Self {
        let limiter = RateLimiter::new(settings.auth_burst, settings.auth_per_second);
        Self {
            storage,
            settings: Arc::new(settings),
            metrics: Arc::new(Metrics::default()),
            limiter: Arc::new(limiter),
            alerts: Arc::default(),
            data_dir: None,
        }
    }

    /// Sends content-free alerts as `config` says.
    pub fn with_alerts(mut self, config: crate::alerts::AlertConfig) -> Self {
        self.alerts = Arc::new(crate::alerts::Alerts::new(config));
        self
    }

    /// The same state with the server's data directory (for the directory signing key).
    #[must_use]
    pub fn with_data_dir(mut self, dir: Option<std::path::PathBuf>) -> Self {
        self.data_dir = dir;
        self
    }
}
