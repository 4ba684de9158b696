//! Server configuration: command-line flags, then `TEDUH_SERVER_*` environment variables, then an
//! optional TOML file, then defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use serde::Deserialize;

/// Default listen address: loopback only, so a fresh install is not exposed to the network.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8470";

/// The server's effective configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Address to listen on.
    pub listen: Option<SocketAddr>,
    /// Where the embedded SQLite database lives.
    pub data_dir: Option<PathBuf>,
    /// `postgres://...` to use PostgreSQL instead of the embedded SQLite.
    pub database: Option<String>,
    /// PEM certificate chain for HTTPS (with `tls_key`).
    pub tls_cert: Option<PathBuf>,
    /// PEM private key for HTTPS (with `tls_cert`).
    pub tls_key: Option<PathBuf>,
    /// Where content-free alerts of urgent episodes go (only in the file: `[alerts]`).
    pub alerts: Option<crate::alerts::AlertConfig>,
}

impl ServerConfig {
    /// Reads a TOML configuration file. Fails on unreadable files, syntax errors and unknown keys
    /// (a misspelt key must not be silently ignored).
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
    }

    /// Fills every unset field from `fallback` (used to layer flags/env over the file).
    pub fn or(self, fallback: ServerConfig) -> ServerConfig {
        ServerConfig {
            listen: self.listen.or(fallback.listen),
            data_dir: self.data_dir.or(fallback.data_dir),
            database: self.database.or(fallback.database),
            tls_cert: self.tls_cert.or(fallback.tls_cert),
            tls_key: self.tls_key.or(fallback.tls_key),
            alerts: self.alerts.or(fallback.alerts),
        }
    }

    /// The listen address, defaulting to [`DEFAULT_LISTEN`].
    pub fn listen(&self) -> SocketAddr {
        self.listen.unwrap_or_else(|| {
            DEFAULT_LISTEN
                .parse()
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8470)))
        })
    }

    /// The data directory, defaulting to the platform's local data directory for
    /// `teduh-server` (not a roaming one on Windows, like the app's).
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        if let Some(d) = &self.data_dir {
            return Ok(d.clone());
        }
        directories::ProjectDirs::from("id", "Teduh", "teduh-server")
            .map(|d| d.data_local_dir().to_path_buf())
            .context("no platform data directory for this user; pass --data-dir")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_and_the_file_fills_the_rest() {
        let file = ServerConfig {
            listen: Some("0.0.0.0:9000".parse().expect("addr")),
            data_dir: Some("/srv/teduh".into()),
            database: None,
            tls_cert: None,
            tls_key: None,
            alerts: None,
        };
        let flags = ServerConfig {
            listen: Some("127.0.0.1:1234".parse().expect("addr")),
            ..ServerConfig::default()
        };
        let got = flags.or(file);
        assert_eq!(got.listen(), "127.0.0.1:1234".parse().expect("addr"));
        assert_eq!(got.data_dir().expect("dir"), PathBuf::from("/srv/teduh"));
    }

    #[test]
    fn the_alerts_section_reads_its_relay_and_recipients() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("server.toml");
        std::fs::write(
            &path,
            "[alerts]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = 2525\nfrom = \"teduh@contoh.test\"\n\n\
             [[alerts.recipients]]\nteam = 3\nmember = 12\nemail = \"piket@contoh.test\"\n",
        )
        .expect("write");
        let alerts = ServerConfig::from_file(&path)
            .expect("reads")
            .alerts
            .expect("alerts");
        assert_eq!(alerts.smtp_port, Some(2525));
        assert_eq!(alerts.recipients[0].member, Some(12));
        std::fs::write(&path, "[alerts]\nsmtp = \"x\"\n").expect("write");
        assert!(
            ServerConfig::from_file(&path).is_err(),
            "a misspelt alert key is an error"
        );
    }

    #[test]
    fn unknown_keys_in_the_file_are_an_error() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let path = tmp.path().join("server.toml");
        std::fs::write(&path, "listn = \"127.0.0.1:1\"\n").expect("write");
        let err = ServerConfig::from_file(&path).expect_err("a typo must not be ignored");
        assert!(format!("{err:#}").contains("listn"), "{err:#}");
    }
}
