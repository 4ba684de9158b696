//! [`HttpTransport`]: the sync engine's [`Transport`] over HTTP(S), built with
//! [`HttpTransportBuilder`].

use std::io::Read as _;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use teduh_core::sync::{Transport, TransportError};
use teduh_protocol::sync::org::{OrgInfo, OrgSettingsBody, TeamListing};
use teduh_protocol::sync::{
    DeviceInvitation, DeviceView, EnvelopeList, ErasedRecords, InboxMessage, InvitationPackage,
    Limits, MemberView, NewEpoch, NewMessages, PushAck, RegisterRequest, RenewRequest, RosterBody,
    Session, TeamInfo, TeamInvitation, Tokens, UrgentAck, UrgentSignal, OCTET_STREAM,
};
use teduh_protocol::ApiError;

use crate::agent::{self, AgentSettings, BuildError};
use crate::ServerClient;

/// Default limit on establishing a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit on one read or write making no progress.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Largest pull page accepted. The server cuts pages far smaller (see `Limits::max_pull_bytes`);
/// the cap only keeps a hostile or broken server from exhausting the device's memory.
pub const MAX_PULL_PAGE_BYTES: u64 = 64 * 1024 * 1024;
/// Largest JSON answer (or error body) accepted, for the same reason.
pub const MAX_JSON_BYTES: u64 = 4 * 1024 * 1024;

/// Set to `1` to let devices talk plain `http://` to another computer: for a test network only.
/// The desktop shows it in the header while it is on.
pub const ALLOW_PLAIN_HTTP_ENV: &str = "TEDUH_ALLOW_PLAIN_HTTP";

/// Whether [`ALLOW_PLAIN_HTTP_ENV`] is set to `1` in this process's environment.
pub fn plain_http_allowed_by_env() -> bool {
    std::env::var(ALLOW_PLAIN_HTTP_ENV).is_ok_and(|v| v.trim() == "1")
}

/// Checks a sync server address: `https://` anywhere; plain `http://` only to this computer
/// (`localhost`, `127.0.0.0/8`, `[::1]`) unless `allow_plain_http`. Returns the address without
/// its trailing slash.
///
/// Fails with [`BuildError::BadUrl`] for anything that is not an http(s) address with a host,
/// and with [`BuildError::PlainHttp`] for `http://` to another host.
pub fn check_server_url(url: &str, allow_plain_http: bool) -> Result<String, BuildError> {
    let url = url.trim().trim_end_matches('/');
    let lower = url.to_ascii_lowercase();
    let (plain, rest) = match (
        lower.strip_prefix("https://"),
        lower.strip_prefix("http://"),
    ) {
        (Some(rest), _) => (false, rest),
        (None, Some(rest)) => (true, rest),
        (None, None) => return Err(BuildError::BadUrl(url.to_owned())),
    };
    if rest.is_empty() || rest.chars().any(char::is_whitespace) {
        return Err(BuildError::BadUrl(url.to_owned()));
    }
    if plain && !allow_plain_http && !is_loopback_authority(rest) {
        return Err(BuildError::PlainHttp(url.to_owned()));
    }
    Ok(url.to_owned())
}

/// Whether the authority part of an address (`host[:port][/path]`, lower case, optionally
/// `user@`) names this computer.
fn is_loopback_authority(rest: &str) -> bool {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // `http://127.0.0.1@evil.example` connects to evil.example: judge the host after any `@`.
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let host = match host_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_port.split(':').next().unwrap_or_default(),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Builds an [`HttpTransport`]: `HttpTransport::builder(url).idle_timeout(..).build()`.
#[derive(Debug, Clone)]
pub struct HttpTransportBuilder {
    base: String,
    connect_timeout: Duration,
    idle_timeout: Duration,
    organisation_ca: Option<Vec<u8>>,
    allow_plain_http: bool,
}

impl HttpTransportBuilder {
    /// Accepts a plain `http://` address of another computer (a test network; see
    /// [`ALLOW_PLAIN_HTTP_ENV`]). Off by default: only `https://`, or `http://` to this computer.
    pub fn allow_plain_http(mut self, allow: bool) -> Self {
        self.allow_plain_http = allow;
        self
    }

    /// Limit on establishing a connection (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Limit on one read or write making no progress (default [`DEFAULT_IDLE_TIMEOUT`]). There
    /// is no limit on a whole request: a slow link that keeps delivering bytes never times out.
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Trusts only the CA certificate(s) in `pem` for `https://` servers, instead of the public
    /// webpki roots: for an organisation that runs its own CA. Checked by [`Self::build`].
    pub fn organisation_ca_pem(mut self, pem: &[u8]) -> Self {
        self.organisation_ca = Some(pem.to_vec());
        self
    }

    /// The transport.
    ///
    /// Fails like [`check_server_url`], or when the organisation CA is not a well-formed PEM
    /// certificate.
    pub fn build(self) -> Result<HttpTransport, BuildError> {
        check_server_url(&self.base, self.allow_plain_http)?;
        let tls = match &self.organisation_ca {
            Some(pem) => Some(agent::organisation_trust(pem)?),
            None => None,
        };
        let agent = agent::build(&AgentSettings {
            connect_timeout: self.connect_timeout,
            idle_timeout: self.idle_timeout,
            // A redirected POST would silently turn into a GET, and the token must not follow
            // the request elsewhere: a moved server is reported, not chased.
            follow_redirects: false,
            tls,
        });
        Ok(HttpTransport {
            base: self.base,
            agent,
            server_time_ms: None,
        })
    }
}

/// The sync engine's [`Transport`] over HTTP(S): blocking calls through one ureq agent that
/// keeps connections alive between requests.
///
/// Failures map onto [`TransportError`]: no answer (refused, DNS, idle timeout, connection
/// cut mid-answer, TLS failure) is `Unreachable`; an error status with the server's `ApiError`
/// body is `Refused`, with the server's clock from the `Date` header; anything else (a proxy's
/// page, a redirect, an undecodable or oversized body) is `Unexpected`.
#[derive(Debug, Clone)]
pub struct HttpTransport {
    base: String,
    agent: ureq::Agent,
    /// The server's clock (its `Date` header) at its last answer to `limits`.
    server_time_ms: Option<u64>,
}

impl HttpTransport {
    /// A builder for the server at `base_url` (e.g. `https://sync.example.org`), with the
    /// default timeouts and the public webpki roots.
    pub fn builder(base_url: &str) -> HttpTransportBuilder {
        HttpTransportBuilder {
            base: base_url.trim_end_matches('/').to_owned(),
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            organisation_ca: None,
            allow_plain_http: false,
        }
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// A [`ServerClient`] (health, version, directory) for the same server, sharing this
    /// transport's connections, timeouts and TLS trust.
    pub fn server_client(&self) -> ServerClient {
        ServerClient::with_agent(&self.base, self.agent.clone())
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn get(&self, path: &str, token: &str) -> ureq::Request {
        self.agent
            .get(&self.url(path))
            .set(AUTHORIZATION, &bearer(token))
    }

    /// A roster at `path`, `None` while the team has none.
    fn optional_roster(
        &self,
        path: &str,
        token: &str,
    ) -> Result<Option<RosterBody>, TransportError> {
        match self.get_json(path, token) {
            Ok(roster) => Ok(Some(roster)),
            Err(TransportError::Refused {
                status: 404, code, ..
            }) if code == "NoRoster" => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn get_json<T: DeserializeOwned>(&self, path: &str, token: &str) -> Result<T, TransportError> {
        json(answer(self.get(path, token).call())?)
    }

    fn send_json<B: Serialize>(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &B,
    ) -> Result<ureq::Response, TransportError> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| TransportError::Unexpected(format!("cannot encode the request: {e}")))?;
        let mut req = self
            .agent
            .request(method, &self.url(path))
            .set("Content-Type", "application/json");
        if let Some(token) = token {
            req = req.set(AUTHORIZATION, &bearer(token));
        }
        answer(req.send_bytes(&bytes))
    }
}

const AUTHORIZATION: &str = "Authorization";

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// A successful (2xx) answer, or the failure it stands for.
fn answer(result: Result<ureq::Response, ureq::Error>) -> Result<ureq::Response, TransportError> {
    match result {
        Ok(resp) if (200..300).contains(&resp.status()) => Ok(resp),
        Ok(resp) => {
            let moved = resp
                .header("Location")
                .map(|l| format!(" to {l}"))
                .unwrap_or_default();
            Err(TransportError::Unexpected(format!(
                "HTTP {}{moved}: the server address may have changed",
                resp.status()
            )))
        }
        Err(ureq::Error::Status(status, resp)) => Err(refused(status, resp)),
        Err(ureq::Error::Transport(t)) => Err(transport_failure(&t)),
    }
}

/// An error status: `Refused` when the body is the server's `ApiError`, else `Unexpected`.
fn refused(status: u16, resp: ureq::Response) -> TransportError {
    let server_time_ms = resp.header("Date").and_then(http_date_ms);
    let body = match read_capped(resp, MAX_JSON_BYTES) {
        Ok(body) => body,
        Err(e) => return e,
    };
    match serde_json::from_slice::<ApiError>(&body) {
        Ok(api) => TransportError::Refused {
            status,
            code: api.code,
            message: api.message,
            server_time_ms,
        },
        Err(_) => TransportError::Unexpected(format!(
            "HTTP {status} without a Teduh error body (a proxy or another service?)"
        )),
    }
}

/// A request that got no HTTP answer. Answers that are not HTTP at all are `Unexpected`: the
/// address points at something other than a web server, and retrying will not help.
fn transport_failure(t: &ureq::Transport) -> TransportError {
    use ureq::ErrorKind as K;
    match t.kind() {
        K::BadStatus | K::BadHeader | K::TooManyRedirects | K::InvalidUrl | K::UnknownScheme => {
            TransportError::Unexpected(t.to_string())
        }
        _ => TransportError::Unreachable(t.to_string()),
    }
}

/// The body, at most `cap` bytes. A longer body is `Unexpected` (refused before reading when
/// `Content-Length` announces it); a body cut off mid-way is `Unreachable`.
fn read_capped(resp: ureq::Response, cap: u64) -> Result<Vec<u8>, TransportError> {
    let too_large = || TransportError::Unexpected(format!("the answer is larger than {cap} bytes"));
    let announced = resp
        .header("Content-Length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > cap) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    resp.into_reader()
        .take(cap.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| TransportError::Unreachable(format!("the answer stopped arriving: {e}")))?;
    if body.len() as u64 > cap {
        return Err(too_large());
    }
    Ok(body)
}

fn json<T: DeserializeOwned>(resp: ureq::Response) -> Result<T, TransportError> {
    let body = read_capped(resp, MAX_JSON_BYTES)?;
    serde_json::from_slice(&body)
        .map_err(|e| TransportError::Unexpected(format!("undecodable answer: {e}")))
}

/// Reads an answer without a body we need (204), so the connection can be reused.
fn empty(resp: ureq::Response) -> Result<(), TransportError> {
    read_capped(resp, MAX_JSON_BYTES).map(drop)
}

/// Milliseconds since the Unix epoch of an HTTP date (RFC 7231 IMF-fixdate, which RFC 2822
/// parsing accepts: `Sun, 06 Nov 1994 08:49:37 GMT`). `None` when unparseable or before 1970.
fn http_date_ms(value: &str) -> Option<u64> {
    let date = chrono::DateTime::parse_from_rfc2822(value.trim()).ok()?;
    u64::try_from(date.timestamp_millis()).ok()
}

impl Transport for HttpTransport {
    fn limits(&mut self) -> Result<Limits, TransportError> {
        let resp = answer(self.agent.get(&self.url("/v1/limits")).call())?;
        self.server_time_ms = resp.header("Date").and_then(http_date_ms);
        json(resp)
    }

    fn server_time_ms(&self) -> Option<u64> {
        self.server_time_ms
    }

    fn register(&mut self, req: &RegisterRequest) -> Result<Session, TransportError> {
        json(self.send_json("POST", "/v1/register", None, req)?)
    }

    fn renew_tokens(&mut self, req: &RenewRequest) -> Result<Tokens, TransportError> {
        json(self.send_json("POST", "/v1/token", None, req)?)
    }

    fn invite_device(&mut self, token: &str) -> Result<DeviceInvitation, TransportError> {
        json(self.send_json(
            "POST",
            "/v1/devices/invitations",
            Some(token),
            &serde_json::json!({}),
        )?)
    }

    fn invitation_package(&mut self, id: &str) -> Result<InvitationPackage, TransportError> {
        // The id is 32 hex digits (the server refuses anything else), so it needs no escaping.
        json(answer(
            self.agent
                .get(&self.url(&format!("/v1/invitations/{id}")))
                .call(),
        )?)
    }

    fn add_invitation(
        &mut self,
        token: &str,
        team: u64,
        invitation: &TeamInvitation,
    ) -> Result<(), TransportError> {
        let path = format!("/v1/teams/{team}/invitations");
        empty(self.send_json("POST", &path, Some(token), invitation)?)
    }

    fn team_info(&mut self, token: &str, team: u64) -> Result<TeamInfo, TransportError> {
        self.get_json(&format!("/v1/teams/{team}/info"), token)
    }

    fn org_team_listing(&mut self, token: &str, team: u64) -> Result<TeamListing, TransportError> {
        self.get_json(&format!("/v1/org/teams/{team}/listing"), token)
    }

    fn org_team_roster(
        &mut self,
        token: &str,
        team: u64,
    ) -> Result<Option<RosterBody>, TransportError> {
        self.optional_roster(&format!("/v1/org/teams/{team}/roster"), token)
    }

    fn org_team_rosters_after(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
    ) -> Result<Vec<RosterBody>, TransportError> {
        let chain: teduh_protocol::sync::RosterChain = self.get_json(
            &format!("/v1/org/teams/{team}/rosters?after={after}"),
            token,
        )?;
        Ok(chain.rosters)
    }

    fn put_org_team_roster(
        &mut self,
        token: &str,
        team: u64,
        roster: &RosterBody,
    ) -> Result<(), TransportError> {
        let path = format!("/v1/org/teams/{team}/roster");
        empty(self.send_json("PUT", &path, Some(token), roster)?)
    }

    fn add_org_team_invitation(
        &mut self,
        token: &str,
        team: u64,
        invitation: &TeamInvitation,
    ) -> Result<(), TransportError> {
        let path = format!("/v1/org/teams/{team}/invitations");
        empty(self.send_json("POST", &path, Some(token), invitation)?)
    }

    fn org_info(&mut self, token: &str) -> Result<OrgInfo, TransportError> {
        self.get_json("/v1/org", token)
    }

    fn put_org_settings(&mut self, token: &str, signed: &[u8]) -> Result<(), TransportError> {
        let body = OrgSettingsBody {
            settings: signed.to_vec(),
        };
        empty(self.send_json("PUT", "/v1/org/settings", Some(token), &body)?)
    }

    fn post_messages(
        &mut self,
        token: &str,
        team: u64,
        messages: &NewMessages,
    ) -> Result<(), TransportError> {
        let path = format!("/v1/teams/{team}/messages");
        empty(self.send_json("POST", &path, Some(token), messages)?)
    }

    fn signal_urgent(
        &mut self,
        token: &str,
        team: u64,
        signal: &UrgentSignal,
    ) -> Result<UrgentAck, TransportError> {
        let path = format!("/v1/teams/{team}/urgent");
        json(self.send_json("POST", &path, Some(token), signal)?)
    }

    fn inbox(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
    ) -> Result<Vec<InboxMessage>, TransportError> {
        let inbox: teduh_protocol::sync::Inbox =
            self.get_json(&format!("/v1/teams/{team}/messages?after={after}"), token)?;
        Ok(inbox.messages)
    }

    fn members(&mut self, token: &str, team: u64) -> Result<Vec<MemberView>, TransportError> {
        self.get_json(&format!("/v1/teams/{team}/members"), token)
    }

    fn devices(&mut self, token: &str) -> Result<Vec<DeviceView>, TransportError> {
        self.get_json("/v1/devices", token)
    }

    fn rosters_after(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
    ) -> Result<Vec<RosterBody>, TransportError> {
        let chain: teduh_protocol::sync::RosterChain =
            self.get_json(&format!("/v1/teams/{team}/rosters?after={after}"), token)?;
        Ok(chain.rosters)
    }

    fn revoke_device(&mut self, token: &str, device: u64) -> Result<(), TransportError> {
        let req = self
            .agent
            .delete(&self.url(&format!("/v1/devices/{device}")))
            .set(AUTHORIZATION, &bearer(token));
        answer(req.call()).map(|_| ())
    }

    fn roster(&mut self, token: &str, team: u64) -> Result<Option<RosterBody>, TransportError> {
        self.optional_roster(&format!("/v1/teams/{team}/roster"), token)
    }

    fn put_roster(
        &mut self,
        token: &str,
        team: u64,
        body: &RosterBody,
    ) -> Result<(), TransportError> {
        let path = format!("/v1/teams/{team}/roster");
        empty(self.send_json("PUT", &path, Some(token), body)?)
    }

    fn add_epoch(
        &mut self,
        token: &str,
        team: u64,
        epoch: &NewEpoch,
    ) -> Result<(), TransportError> {
        let path = format!("/v1/teams/{team}/epochs");
        empty(self.send_json("POST", &path, Some(token), epoch)?)
    }

    fn envelopes(&mut self, token: &str, team: u64) -> Result<EnvelopeList, TransportError> {
        self.get_json(&format!("/v1/teams/{team}/envelopes"), token)
    }

    fn push(&mut self, token: &str, team: u64, page: &[u8]) -> Result<PushAck, TransportError> {
        let req = self
            .agent
            .post(&self.url(&format!("/v1/teams/{team}/records")))
            .set(AUTHORIZATION, &bearer(token))
            .set("Content-Type", OCTET_STREAM);
        json(answer(req.send_bytes(page))?)
    }

    fn erase_records(
        &mut self,
        token: &str,
        team: u64,
        page: &[u8],
    ) -> Result<ErasedRecords, TransportError> {
        let req = self
            .agent
            .post(&self.url(&format!("/v1/teams/{team}/records/erase")))
            .set(AUTHORIZATION, &bearer(token))
            .set("Content-Type", OCTET_STREAM);
        json(answer(req.send_bytes(page))?)
    }

    fn pull(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
        budget: u64,
    ) -> Result<Vec<u8>, TransportError> {
        let path = format!("/v1/teams/{team}/records?after={after}&budget={budget}");
        let resp = answer(self.get(&path, token).call())?;
        if !resp.content_type().eq_ignore_ascii_case(OCTET_STREAM) {
            return Err(TransportError::Unexpected(format!(
                "a record page must be {OCTET_STREAM}, the server sent {}",
                resp.content_type()
            )));
        }
        read_capped(resp, MAX_PULL_PAGE_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_parse_to_unix_milliseconds() {
        assert_eq!(
            http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777_000),
            "the IMF-fixdate example of RFC 7231"
        );
        assert_eq!(http_date_ms("yesterday"), None, "garbage is no clock");
        assert_eq!(
            http_date_ms("Wed, 31 Dec 1969 23:59:59 GMT"),
            None,
            "a date before 1970 is no usable clock"
        );
    }

    #[test]
    fn only_http_and_https_addresses_build() {
        for good in [
            "http://127.0.0.1:8470",
            "https://sync.example.org/",
            "HTTPS://x",
        ] {
            assert!(
                HttpTransport::builder(good).build().is_ok(),
                "{good} is a server address"
            );
        }
        for bad in ["", "sync.example.org", "ftp://x", "https://", "http://"] {
            assert!(
                matches!(
                    HttpTransport::builder(bad).build(),
                    Err(BuildError::BadUrl(_))
                ),
                "{bad:?} is not a server address"
            );
        }
    }

    #[test]
    fn plain_http_is_only_for_this_computer_unless_allowed() {
        for local in [
            "http://127.0.0.1:8470",
            "http://localhost:8470/",
            "http://[::1]:8470",
            "http://127.1.2.3",
        ] {
            assert!(check_server_url(local, false).is_ok(), "{local}");
        }
        for remote in [
            "http://sync.example.org",
            "http://192.168.1.10:8470",
            "http://127.0.0.1@evil.example",
            "http://localhost.evil.example",
            "HTTP://10.0.0.1",
        ] {
            assert!(
                matches!(
                    check_server_url(remote, false),
                    Err(BuildError::PlainHttp(_))
                ),
                "{remote}: the token would cross the network in clear"
            );
            assert!(
                matches!(
                    HttpTransport::builder(remote).build(),
                    Err(BuildError::PlainHttp(_))
                ),
                "{remote}: the transport refuses it too"
            );
            assert!(
                check_server_url(remote, true).is_ok(),
                "{remote}: allowed on a test network"
            );
        }
        assert!(check_server_url("https://sync.example.org", false).is_ok());
    }

    #[test]
    fn the_base_url_loses_its_trailing_slash() {
        let t = HttpTransport::builder("http://127.0.0.1:1/")
            .build()
            .expect("builds");
        assert_eq!(
            t.base_url(),
            "http://127.0.0.1:1",
            "paths are appended to it"
        );
    }
}
