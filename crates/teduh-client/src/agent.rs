//! The one place ureq agents are built, so [`crate::ServerClient`] and [`crate::HttpTransport`]
//! share their timeouts, TLS trust and identification.

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::CertificateDer;

/// Sent as `User-Agent`, so server operators can tell Teduh devices (and their version) apart.
const USER_AGENT: &str = concat!("teduh-client/", env!("CARGO_PKG_VERSION"));

/// How an agent connects.
#[derive(Clone)]
pub(crate) struct AgentSettings {
    /// Limit on establishing the TCP connection (per address tried).
    pub(crate) connect_timeout: Duration,
    /// Limit on one socket read or write making no progress. Not a limit on the whole request:
    /// a slow link that keeps delivering bytes never hits it.
    pub(crate) idle_timeout: Duration,
    /// Whether 3xx answers are followed (ureq's default of 5 hops) or returned as they are.
    pub(crate) follow_redirects: bool,
    /// The TLS trust; `None` uses ureq's rustls configuration with the webpki roots.
    pub(crate) tls: Option<Arc<rustls::ClientConfig>>,
}

/// Builds an agent with `settings`. No overall request timeout is set, on purpose.
pub(crate) fn build(settings: &AgentSettings) -> ureq::Agent {
    let mut builder = ureq::AgentBuilder::new()
        .timeout_connect(settings.connect_timeout)
        .timeout_read(settings.idle_timeout)
        .timeout_write(settings.idle_timeout)
        .user_agent(USER_AGENT);
    if !settings.follow_redirects {
        builder = builder.redirects(0);
    }
    if let Some(tls) = &settings.tls {
        builder = builder.tls_config(Arc::clone(tls));
    }
    builder.build()
}

/// Why an [`crate::HttpTransport`] could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildError {
    /// The server address is not an `http://` or `https://` URL.
    #[error("the server address {0:?} must start with http:// or https://")]
    BadUrl(String),
    /// A plain `http://` address of another computer: the token, the auth secret and the
    /// wrapped keys would cross the network unencrypted.
    #[error(
        "the server address {0:?} is plain http:// to another computer; use https:// (plain \
         http:// is only for this computer, or a test network with TEDUH_ALLOW_PLAIN_HTTP=1)"
    )]
    PlainHttp(String),
    /// The PEM text holds no `CERTIFICATE` section.
    #[error("the organisation CA file holds no PEM certificate (-----BEGIN CERTIFICATE-----)")]
    NoCertificate,
    /// A PEM section is malformed (missing end line, bad base64).
    #[error("the organisation CA file is not valid PEM: {0}")]
    MalformedPem(String),
    /// A certificate section does not hold a usable X.509 certificate.
    #[error("the organisation CA certificate cannot be used as a trust anchor: {0}")]
    BadCertificate(String),
    /// rustls refused the configuration (not expected with the ring provider).
    #[error("the TLS configuration cannot be built: {0}")]
    Tls(String),
}

/// A rustls client configuration that trusts only the certificates of `pem` (one or more
/// `CERTIFICATE` sections), with the ring provider that ureq and the server use.
///
/// Fails when the PEM holds no certificate, is malformed, or a certificate cannot be parsed.
pub(crate) fn organisation_trust(pem: &[u8]) -> Result<Arc<rustls::ClientConfig>, BuildError> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| BuildError::MalformedPem(e.to_string()))?;
        roots
            .add(cert)
            .map_err(|e| BuildError::BadCertificate(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(BuildError::NoCertificate);
    }
    // An explicit provider rather than the process-wide default, which may not be installed.
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| BuildError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_without_a_certificate_or_with_garbage_is_refused() {
        let bad_der = BuildError::BadCertificate(String::new());
        let cases: [(&[u8], BuildError); 3] = [
            (b"", BuildError::NoCertificate),
            (
                b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                BuildError::NoCertificate,
            ),
            (
                b"-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n",
                bad_der,
            ),
        ];
        for (pem, expected) in cases {
            let got = organisation_trust(pem).err();
            assert_eq!(
                got.as_ref().map(std::mem::discriminant),
                Some(std::mem::discriminant(&expected)),
                "{:?} must be refused with the right reason, got {got:?}",
                String::from_utf8_lossy(pem)
            );
        }
        let unterminated = organisation_trust(b"-----BEGIN CERTIFICATE-----\nAAAA\n").err();
        assert!(
            matches!(
                unterminated,
                Some(BuildError::MalformedPem(_) | BuildError::NoCertificate)
            ),
            "an unterminated section is not a certificate: {unterminated:?}"
        );
    }
}
