//! How the sync engine talks to the server, without knowing HTTP.
//!
//! [`Transport`] is the server's API as blocking calls with protocol types; the HTTP
//! implementation lives in `teduh-client` (the core links no HTTP client), tests use it over a
//! real server or wrap it to inject faults. Record pages cross it as bytes in the binary formats
//! of [`teduh_protocol::sync`], so the engine controls their size.

use teduh_protocol::sync::org::{OrgInfo, TeamListing};
use teduh_protocol::sync::{
    DeviceInvitation, DeviceView, EnvelopeList, ErasedRecords, InboxMessage, InvitationPackage,
    Limits, MemberView, NewEpoch, NewMessages, PushAck, RegisterRequest, RenewRequest, RosterBody,
    Session, TeamInfo, TeamInvitation, Tokens, UrgentAck, UrgentSignal,
};

/// Why a call failed. The engine branches on the variant: `Unreachable` means "try again
/// later" (backoff), `Refused` carries the server's machine-readable code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransportError {
    /// No answer: offline, connection refused or cut, idle timeout, TLS failure. Nothing can
    /// be concluded about whether the server acted on the request.
    #[error("the server cannot be reached: {0}")]
    Unreachable(String),
    /// The server answered with an error body (`ApiError`).
    #[error("the server refused the request ({code}, HTTP {status}): {message}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// `ApiError::code`, e.g. `StaleKeyEpoch`, `ClockAhead`, `TokenRevoked`.
        code: String,
        /// `ApiError::message`.
        message: String,
        /// The server's clock (from the `Date` header, milliseconds since the Unix epoch),
        /// used to re-stamp records when this device's clock is far ahead.
        server_time_ms: Option<u64>,
    },
    /// The server answered something that is not a Teduh response (wrong service, proxy
    /// login page, undecodable body).
    #[error("unexpected answer from the server: {0}")]
    Unexpected(String),
}

impl TransportError {
    /// The server's error code, if it answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Refused { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// The sync server's API. `token` is the device's bearer token from [`Session::token`];
/// `team` the server's team id. Every method is one request.
pub trait Transport {
    /// `GET /v1/limits`.
    fn limits(&mut self) -> Result<Limits, TransportError>;
    /// `POST /v1/register`: joins with an invitation (a new member, or a further device of the
    /// member a device invitation names).
    fn register(&mut self, req: &RegisterRequest) -> Result<Session, TransportError>;
    /// `POST /v1/token` (no access token): a new access token for the device's next refresh
    /// token.
    fn renew_tokens(&mut self, req: &RenewRequest) -> Result<Tokens, TransportError>;
    /// `POST /v1/devices/invitations`: a code with which the member adds a further device.
    fn invite_device(&mut self, token: &str) -> Result<DeviceInvitation, TransportError>;
    /// `GET /v1/invitations/{id}` (no token): the package of a key manager's open invitation.
    fn invitation_package(&mut self, id: &str) -> Result<InvitationPackage, TransportError>;
    /// `POST /v1/teams/{team}/invitations`: stores an invitation made on this key manager's
    /// device.
    fn add_invitation(
        &mut self,
        token: &str,
        team: u64,
        invitation: &TeamInvitation,
    ) -> Result<(), TransportError>;
    /// `GET /v1/teams/{team}/info`: the team's and the organisation's names.
    fn team_info(&mut self, token: &str, team: u64) -> Result<TeamInfo, TransportError>;
    /// `GET /v1/org`: the organisation's name and its newest signed settings.
    fn org_info(&mut self, token: &str) -> Result<OrgInfo, TransportError>;
    /// `PUT /v1/org/settings`: a settings record the organisation key signed.
    fn put_org_settings(&mut self, token: &str, signed: &[u8]) -> Result<(), TransportError>;
    /// `GET /v1/org/teams/{team}/listing` (an administrator founding another team).
    fn org_team_listing(&mut self, token: &str, team: u64) -> Result<TeamListing, TransportError>;
    /// `GET /v1/org/teams/{team}/roster`; `None` while the team has none.
    fn org_team_roster(
        &mut self,
        token: &str,
        team: u64,
    ) -> Result<Option<RosterBody>, TransportError>;
    /// `GET /v1/org/teams/{team}/rosters?after=N`: another team's rosters above version `N`,
    /// oldest first.
    fn org_team_rosters_after(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
    ) -> Result<Vec<RosterBody>, TransportError>;
    /// `PUT /v1/org/teams/{team}/roster`: a roster the organisation key signed.
    fn put_org_team_roster(
        &mut self,
        token: &str,
        team: u64,
        roster: &RosterBody,
    ) -> Result<(), TransportError>;
    /// `POST /v1/org/teams/{team}/invitations`: an invitation to another team.
    fn add_org_team_invitation(
        &mut self,
        token: &str,
        team: u64,
        invitation: &TeamInvitation,
    ) -> Result<(), TransportError>;
    /// `POST /v1/teams/{team}/messages`: messages to devices of the team.
    fn post_messages(
        &mut self,
        token: &str,
        team: u64,
        messages: &NewMessages,
    ) -> Result<(), TransportError>;
    /// `POST /v1/teams/{team}/urgent`: asks the server to alert the team's supervisors outside
    /// the app (no client, no content).
    fn signal_urgent(
        &mut self,
        token: &str,
        team: u64,
        signal: &UrgentSignal,
    ) -> Result<UrgentAck, TransportError>;
    /// `GET /v1/teams/{team}/messages?after=N`: this device's messages above `after` (a page).
    fn inbox(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
    ) -> Result<Vec<InboxMessage>, TransportError>;
    /// `GET /v1/teams/{team}/members`.
    fn members(&mut self, token: &str, team: u64) -> Result<Vec<MemberView>, TransportError>;
    /// `GET /v1/devices` (the whole team's for key managers, else the member's own).
    fn devices(&mut self, token: &str) -> Result<Vec<DeviceView>, TransportError>;
    /// `DELETE /v1/devices/{device}`: the server refuses the device's token from now on.
    fn revoke_device(&mut self, token: &str, device: u64) -> Result<(), TransportError>;
    /// `GET /v1/teams/{team}/roster`; `None` when the team has no roster yet.
    fn roster(&mut self, token: &str, team: u64) -> Result<Option<RosterBody>, TransportError>;
    /// `GET /v1/teams/{team}/rosters?after=N`: the rosters above version `after`, oldest first
    /// (one page).
    fn rosters_after(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
    ) -> Result<Vec<RosterBody>, TransportError>;
    /// `PUT /v1/teams/{team}/roster`.
    fn put_roster(
        &mut self,
        token: &str,
        team: u64,
        body: &RosterBody,
    ) -> Result<(), TransportError>;
    /// `POST /v1/teams/{team}/epochs`.
    fn add_epoch(&mut self, token: &str, team: u64, epoch: &NewEpoch)
        -> Result<(), TransportError>;
    /// `GET /v1/teams/{team}/envelopes`.
    fn envelopes(&mut self, token: &str, team: u64) -> Result<EnvelopeList, TransportError>;
    /// `POST /v1/teams/{team}/records` with an encoded `PushPage`.
    fn push(&mut self, token: &str, team: u64, page: &[u8]) -> Result<PushAck, TransportError>;
    /// `POST /v1/teams/{team}/records/erase` with an encoded `PushPage` of tombstones.
    fn erase_records(
        &mut self,
        token: &str,
        team: u64,
        page: &[u8],
    ) -> Result<ErasedRecords, TransportError>;
    /// `GET /v1/teams/{team}/records?after=&budget=`: an encoded `PullPage`.
    fn pull(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
        budget: u64,
    ) -> Result<Vec<u8>, TransportError>;
    /// The server's clock in Unix milliseconds at its last answer to [`Transport::limits`]
    /// (HTTP `Date`, to the second), if it sent one.
    fn server_time_ms(&self) -> Option<u64> {
        None
    }
}

/// One request as an [`Interceptor`] sees it: which call, and the inputs a wrapper reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Request<'a> {
    /// [`Transport::limits`].
    Limits,
    /// [`Transport::register`].
    Register,
    /// [`Transport::renew_tokens`].
    RenewTokens,
    /// [`Transport::invite_device`].
    InviteDevice,
    /// [`Transport::invitation_package`].
    InvitationPackage,
    /// [`Transport::add_invitation`].
    AddInvitation,
    /// [`Transport::team_info`].
    TeamInfo,
    /// [`Transport::org_info`].
    OrgInfo,
    /// [`Transport::put_org_settings`].
    PutOrgSettings,
    /// [`Transport::org_team_listing`], [`Transport::org_team_roster`],
    /// [`Transport::org_team_rosters_after`], [`Transport::put_org_team_roster`] and
    /// [`Transport::add_org_team_invitation`].
    OrgTeam,
    /// [`Transport::post_messages`].
    PostMessages,
    /// `signal_urgent`.
    SignalUrgent,
    /// [`Transport::inbox`].
    Inbox,
    /// [`Transport::members`].
    Members,
    /// [`Transport::devices`].
    Devices,
    /// [`Transport::revoke_device`].
    RevokeDevice,
    /// [`Transport::roster`].
    Roster,
    /// [`Transport::rosters_after`].
    RosterChain,
    /// [`Transport::put_roster`].
    PutRoster,
    /// [`Transport::add_epoch`].
    AddEpoch,
    /// [`Transport::envelopes`].
    Envelopes,
    /// [`Transport::push`] with its encoded page.
    Push {
        /// The encoded `PushPage`.
        page: &'a [u8],
    },
    /// [`Transport::erase_records`].
    EraseRecords,
    /// [`Transport::pull`].
    Pull {
        /// The cursor asked from.
        after: u64,
        /// The byte budget asked for.
        budget: u64,
    },
}

/// What a request gave, as an [`Interceptor`] sees it: the push acknowledgement (the one
/// answer wrappers read; `None` for other calls) or the error.
pub type Answer<'a> = Result<Option<&'a PushAck>, &'a TransportError>;

/// Behaviour around every request of a wrapped transport ([`Intercepted`]): count, time, pause
/// or refuse. Both hooks default to doing nothing.
pub trait Interceptor {
    /// Before the request; an error is returned instead of making it.
    fn before(&mut self, _request: Request<'_>) -> Result<(), TransportError> {
        Ok(())
    }
    /// After the request, with what it gave; an error replaces the answer (a test's way to
    /// lose it on the way back).
    fn after(&mut self, _request: Request<'_>, _answer: Answer<'_>) -> Result<(), TransportError> {
        Ok(())
    }
}

/// A transport wrapped by an [`Interceptor`]: the one place that forwards every call, so a
/// wrapper writes only the hooks it needs.
pub struct Intercepted<'a, I> {
    inner: &'a mut dyn Transport,
    /// The behaviour around each request.
    pub hooks: I,
}

impl<'a, I: Interceptor> Intercepted<'a, I> {
    /// Wraps `inner`.
    pub fn new(inner: &'a mut dyn Transport, hooks: I) -> Self {
        Self { inner, hooks }
    }

    fn run<T>(
        &mut self,
        request: Request<'_>,
        call: impl FnOnce(&mut dyn Transport) -> Result<T, TransportError>,
        ack: fn(&T) -> Option<&PushAck>,
    ) -> Result<T, TransportError> {
        self.hooks.before(request)?;
        let out = call(&mut *self.inner);
        self.hooks.after(request, out.as_ref().map(ack))?;
        out
    }
}

fn no_ack<T>(_: &T) -> Option<&PushAck> {
    None
}

impl<I: Interceptor> Transport for Intercepted<'_, I> {
    fn limits(&mut self) -> Result<Limits, TransportError> {
        self.run(Request::Limits, |t| t.limits(), no_ack)
    }
    fn server_time_ms(&self) -> Option<u64> {
        self.inner.server_time_ms()
    }
    fn register(&mut self, req: &RegisterRequest) -> Result<Session, TransportError> {
        self.run(Request::Register, |t| t.register(req), no_ack)
    }
    fn renew_tokens(&mut self, req: &RenewRequest) -> Result<Tokens, TransportError> {
        self.run(Request::RenewTokens, |t| t.renew_tokens(req), no_ack)
    }
    fn invite_device(&mut self, token: &str) -> Result<DeviceInvitation, TransportError> {
        self.run(Request::InviteDevice, |t| t.invite_device(token), no_ack)
    }
    fn invitation_package(&mut self, id: &str) -> Result<InvitationPackage, TransportError> {
        self.run(
            Request::InvitationPackage,
            |t| t.invitation_package(id),
            no_ack,
        )
    }
    fn add_invitation(
        &mut self,
        token: &str,
        team: u64,
        invitation: &TeamInvitation,
    ) -> Result<(), TransportError> {
        self.run(
            Request::AddInvitation,
            |t| t.add_invitation(token, team, invitation),
            no_ack,
        )
    }
    fn team_info(&mut self, token: &str, team: u64) -> Result<TeamInfo, TransportError> {
        self.run(Request::TeamInfo, |t| t.team_info(token, team), no_ack)
    }
    fn org_info(&mut self, token: &str) -> Result<OrgInfo, TransportError> {
        self.run(Request::OrgInfo, |t| t.org_info(token), no_ack)
    }
    fn put_org_settings(&mut self, token: &str, signed: &[u8]) -> Result<(), TransportError> {
        self.run(
            Request::PutOrgSettings,
            |t| t.put_org_settings(token, signed),
            no_ack,
        )
    }
    fn org_team_listing(&mut self, token: &str, team: u64) -> Result<TeamListing, TransportError> {
        self.run(
            Request::OrgTeam,
            |t| t.org_team_listing(token, team),
            no_ack,
        )
    }
    fn org_team_roster(
        &mut self,
        token: &str,
        team: u64,
    ) -> Result<Option<RosterBody>, TransportError> {
        self.run(Request::OrgTeam, |t| t.org_team_roster(token, team), no_ack)
    }
    fn org_team_rosters_after(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
    ) -> Result<Vec<RosterBody>, TransportError> {
        self.run(
            Request::OrgTeam,
            |t| t.org_team_rosters_after(token, team, after),
            no_ack,
        )
    }
    fn put_org_team_roster(
        &mut self,
        token: &str,
        team: u64,
        roster: &RosterBody,
    ) -> Result<(), TransportError> {
        self.run(
            Request::OrgTeam,
            |t| t.put_org_team_roster(token, team, roster),
            no_ack,
        )
    }
    fn add_org_team_invitation(
        &mut self,
        token: &str,
        team: u64,
        invitation: &TeamInvitation,
    ) -> Result<(), TransportError> {
        self.run(
            Request::OrgTeam,
            |t| t.add_org_team_invitation(token, team, invitation),
            no_ack,
        )
    }
    fn signal_urgent(
        &mut self,
        token: &str,
        team: u64,
        signal: &UrgentSignal,
    ) -> Result<UrgentAck, TransportError> {
        self.run(
            Request::SignalUrgent,
            |t| t.signal_urgent(token, team, signal),
            no_ack,
        )
    }
    fn post_messages(
        &mut self,
        token: &str,
        team: u64,
        messages: &NewMessages,
    ) -> Result<(), TransportError> {
        self.run(
            Request::PostMessages,
            |t| t.post_messages(token, team, messages),
            no_ack,
        )
    }
    fn inbox(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
    ) -> Result<Vec<InboxMessage>, TransportError> {
        self.run(Request::Inbox, |t| t.inbox(token, team, after), no_ack)
    }
    fn members(&mut self, token: &str, team: u64) -> Result<Vec<MemberView>, TransportError> {
        self.run(Request::Members, |t| t.members(token, team), no_ack)
    }
    fn devices(&mut self, token: &str) -> Result<Vec<DeviceView>, TransportError> {
        self.run(Request::Devices, |t| t.devices(token), no_ack)
    }
    fn revoke_device(&mut self, token: &str, device: u64) -> Result<(), TransportError> {
        self.run(
            Request::RevokeDevice,
            |t| t.revoke_device(token, device),
            no_ack,
        )
    }
    fn roster(&mut self, token: &str, team: u64) -> Result<Option<RosterBody>, TransportError> {
        self.run(Request::Roster, |t| t.roster(token, team), no_ack)
    }
    fn rosters_after(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
    ) -> Result<Vec<RosterBody>, TransportError> {
        self.run(
            Request::RosterChain,
            |t| t.rosters_after(token, team, after),
            no_ack,
        )
    }
    fn put_roster(
        &mut self,
        token: &str,
        team: u64,
        body: &RosterBody,
    ) -> Result<(), TransportError> {
        self.run(
            Request::PutRoster,
            |t| t.put_roster(token, team, body),
            no_ack,
        )
    }
    fn add_epoch(
        &mut self,
        token: &str,
        team: u64,
        epoch: &NewEpoch,
    ) -> Result<(), TransportError> {
        self.run(
            Request::AddEpoch,
            |t| t.add_epoch(token, team, epoch),
            no_ack,
        )
    }
    fn envelopes(&mut self, token: &str, team: u64) -> Result<EnvelopeList, TransportError> {
        self.run(Request::Envelopes, |t| t.envelopes(token, team), no_ack)
    }
    fn push(&mut self, token: &str, team: u64, page: &[u8]) -> Result<PushAck, TransportError> {
        self.run(
            Request::Push { page },
            |t| t.push(token, team, page),
            |ack| Some(ack),
        )
    }
    fn erase_records(
        &mut self,
        token: &str,
        team: u64,
        page: &[u8],
    ) -> Result<ErasedRecords, TransportError> {
        self.run(
            Request::EraseRecords,
            |t| t.erase_records(token, team, page),
            no_ack,
        )
    }
    fn pull(
        &mut self,
        token: &str,
        team: u64,
        after: u64,
        budget: u64,
    ) -> Result<Vec<u8>, TransportError> {
        self.run(
            Request::Pull { after, budget },
            |t| t.pull(token, team, after, budget),
            no_ack,
        )
    }
}
