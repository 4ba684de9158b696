//! Rotating tokens between real devices and a real server (issue 27, item 3; decisions/0013): a
//! device syncs for as long as it likes on access tokens that live seconds here (an hour in
//! production), renewed without its passphrase by its refresh chain; an answer lost on the way
//! does no harm; a refresh chain copied off a device revokes the device whichever of the two
//! uses it first, tells the team's alert recipients, and gives the copier nothing readable.

use std::time::Duration;

use teduh_core::sync::{Answer, Intercepted, Interceptor, Request, SyncError, TransportError};
use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::hostile::copied_renewal;
use teduh_tests::leak::{marker_forms, scan_bytes};
use teduh_tests::TestServer;

const MARKER: &str = "QZVR-TOKEN-SALINAN-4417";

/// Access tokens of four seconds: a device renews three seconds after each.
const ACCESS_SECS: i64 = 4;

fn let_the_access_token_age() {
    std::thread::sleep(Duration::from_millis(3_200));
}

/// Counts the renewals a round makes, and can make the server's next answer to a request
/// look expired (`TokenExpired`) or lose the answer to the next renewal.
#[derive(Default)]
struct Watch {
    renewals: usize,
    expire_next_pull: bool,
    lose_next_renewal: bool,
}

impl Interceptor for Watch {
    fn before(&mut self, request: Request<'_>) -> Result<(), TransportError> {
        match request {
            Request::RenewTokens => self.renewals += 1,
            Request::Pull { .. } if self.expire_next_pull => {
                self.expire_next_pull = false;
                return Err(TransportError::Refused {
                    status: 401,
                    code: "TokenExpired".into(),
                    message: "the server's clock says so".into(),
                    server_time_ms: None,
                });
            }
            _ => {}
        }
        Ok(())
    }

    fn after(&mut self, request: Request<'_>, answer: Answer<'_>) -> Result<(), TransportError> {
        if request == Request::RenewTokens && answer.is_ok() && self.lose_next_renewal {
            self.lose_next_renewal = false;
            return Err(TransportError::Unreachable(
                "the 2G link dropped the answer".into(),
            ));
        }
        Ok(())
    }
}

fn sync_watched(device: &mut Device, watch: &mut Watch) -> Result<(), SyncError> {
    let mut http = device.transport();
    let mut t = Intercepted::new(&mut http, std::mem::take(watch));
    let out = device.sync_through(&mut t).map(|_| ());
    *watch = t.hooks;
    out
}

fn tuned_server(alerts: teduh_server::alerts::AlertConfig) -> TestServer {
    TestServer::start_tuned(alerts, |s| s.access_ttl_secs = ACCESS_SECS)
}

#[test]
fn a_device_syncs_on_renewed_tokens_without_its_passphrase_and_survives_a_lost_answer() {
    let server = tuned_server(Default::default());
    let team = server.create_team("Tim Token");
    let mut sup = server.member(&team, Role::Supervisor, "sup.token");
    let mut ana = server.member(&team, Role::Counselor, "kons.token");
    sup.admit(&mut ana);
    ana.sync().expect("the newest key");
    let client = ana
        .vault
        .add_client(&profile("TK-0001", MARKER))
        .expect("client");
    let mut watch = Watch::default();

    for round in 1..=3 {
        let_the_access_token_age();
        ana.vault
            .add_note(client, &draft(&format!("catatan ke-{round}")))
            .expect("note");
        sync_watched(&mut ana, &mut watch).expect("the round renews and syncs");
        assert_eq!(watch.renewals, round, "one renewal per aged token");
        assert_eq!(ana.vault.pending_count().expect("pending"), 0, "all sent");
    }

    // The server finds the token expired mid-round (its clock, a restore): renewed, retried.
    watch.expire_next_pull = true;
    sync_watched(&mut ana, &mut watch).expect("renewed and retried");
    assert_eq!(watch.renewals, 4, "one more renewal for the refused pull");

    // The answer to a renewal is lost: the round fails as offline, the next one asks again
    // with the same refresh token and the device is not taken for a copy.
    let_the_access_token_age();
    watch.lose_next_renewal = true;
    let lost = sync_watched(&mut ana, &mut watch).expect_err("no answer, no round");
    assert!(matches!(lost, SyncError::Offline(_)), "{lost:?}");
    sync_watched(&mut ana, &mut watch).expect("the next round renews and syncs");
    ana.vault
        .add_note(client, &draft("sesudah jawaban hilang"))
        .expect("note");
    ana.sync().expect("still a member");
    sup.sync().expect("the supervisor pulls");
    assert_eq!(ana.vault.pending_count().expect("pending"), 0);
}

#[test]
fn a_copied_refresh_token_revokes_the_device_tells_the_supervisors_and_yields_no_plaintext() {
    let sink = teduh_tests::smtp::SmtpSink::start();
    // A fresh server numbers its first team 1 (asserted below).
    let server = tuned_server(sink.alerts_for(1, "supervisor@contoh.test"));
    let team = server.create_team("Tim Salinan");
    assert_eq!(server.team_id(&team), 1);
    let mut sup = server.member(&team, Role::Supervisor, "sup.salinan");
    let mut ana = server.member(&team, Role::Counselor, "kons.ana");
    let mut budi = server.member(&team, Role::Counselor, "kons.budi");
    sup.admit(&mut ana);
    sup.admit(&mut budi);
    ana.sync().expect("key");
    budi.sync().expect("key");
    let client = ana
        .vault
        .add_client(&profile("SL-0042", MARKER))
        .expect("client");
    ana.vault.add_note(client, &draft(MARKER)).expect("note");
    ana.sync().expect("pushed");
    let forms = marker_forms(MARKER);
    let mut http = ana.transport();
    let team_id = server.team_id(&team);

    // 1. Ana's credentials are copied; her device renews first, then the copy is presented.
    let copied = ana.vault.sync_credentials().expect("her tokens");
    let_the_access_token_age();
    ana.sync().expect("she renews and syncs");
    use teduh_core::sync::Transport as _;
    let refused = http
        .renew_tokens(&copied_renewal(&copied, ana.device()))
        .expect_err("refused");
    assert_eq!(refused.code(), Some("TokenReused"));
    let pull = http.pull(&copied.access, team_id, 0, 1 << 20);
    assert!(pull.is_err(), "the copied access token reads nothing");
    let err = ana.sync().expect_err("her device is revoked");
    assert!(matches!(err, SyncError::TokenCopied), "{err:?}");
    assert_eq!(err.code().as_str(), "TokenCopied");
    assert!(
        ana.vault.list_clients().expect("clients").len() == 1,
        "her records stay on her device"
    );

    // 2. Budi's tokens are copied, and the copier renews first and reads what she can.
    let copied = budi.vault.sync_credentials().expect("his tokens");
    let theirs = http
        .renew_tokens(&copied_renewal(&copied, budi.device()))
        .expect("the copier renews first");
    let page = http
        .pull(&theirs.token, team_id, 0, 1 << 20)
        .expect("the copier pulls the team's log");
    assert!(!page.is_empty(), "she got the sealed records");
    let leaks = scan_bytes("the copier's pull", &page, &forms);
    assert!(leaks.is_empty(), "no plaintext: {leaks:?}");
    let err = budi.sync().expect_err("his device finds itself revoked");
    assert!(matches!(err, SyncError::TokenCopied), "{err:?}");
    let after = http.pull(&theirs.token, team_id, 0, 1 << 20);
    assert_eq!(
        after
            .err()
            .and_then(|e| e.code().map(str::to_owned))
            .as_deref(),
        Some("TokenReused"),
        "the copier's tokens stop too"
    );

    // The team's alert recipient hears of both, without a word about a client.
    let messages = sink.messages();
    assert_eq!(
        messages.len(),
        2,
        "one alert per revoked device: {messages:?}"
    );
    for m in &messages {
        assert_eq!(m.to, ["supervisor@contoh.test"]);
        assert!(m.data.contains("Tim Salinan"), "{}", m.data);
        assert!(m.data.contains("dicabut"), "{}", m.data);
        for secret in ["SL-0042", MARKER, "kons.ana", "kons.budi"] {
            assert!(
                !m.data.contains(secret),
                "{secret:?} in the alert: {}",
                m.data
            );
        }
    }
    // The supervisor's own app hears of it too: a security alarm for each revoked device.
    sup.sync().expect("the supervisor is not touched");
    let alarms = sup.vault.security_alarms().expect("alarms");
    let copied: Vec<_> = alarms
        .iter()
        .filter(|a| a.kind == teduh_core::team::AlarmKind::TokenCopied.code())
        .collect();
    assert_eq!(copied.len(), 2, "one per revoked device: {alarms:?}");
    for device in [ana.device(), budi.device()] {
        assert!(
            copied.iter().any(|a| a.device == device),
            "device {device} named: {copied:?}"
        );
    }
    sup.sync().expect("again");
    assert_eq!(
        sup.vault.security_alarms().expect("alarms").len(),
        alarms.len(),
        "raised once"
    );
}

#[test]
fn after_a_restore_from_an_older_backup_devices_renew_and_sync_without_a_new_invitation() {
    let server = tuned_server(Default::default());
    let team = server.create_team("Tim Cadangan Token");
    let mut sup = server.member(&team, Role::Supervisor, "sup.cadangan");
    let mut ana = server.member(&team, Role::Outreach, "jangkau.cadangan");
    sup.admit(&mut ana);
    ana.sync().expect("the newest key");
    let client = ana
        .vault
        .add_client(&profile("CT-0007", MARKER))
        .expect("client");
    ana.sync().expect("pushed");
    let backup = server.back_up();
    // After the backup: several renewals, and records the backup lacks.
    let mut watch = Watch::default();
    for round in 0..3 {
        let_the_access_token_age();
        ana.vault
            .add_note(client, &draft(&format!("sesudah cadangan {round}")))
            .expect("note");
        sync_watched(&mut ana, &mut watch).expect("renews and syncs");
    }
    assert_eq!(watch.renewals, 3);

    let server = server.restored_from(&backup);
    server.admin(teduh_server::admin::AdminCommand::AfterRestore { by: 1_000_000 });
    // At once: her access token is newer than the backup, so the restored server does not know
    // it; the round renews (her next refresh token is ahead of the restored head) and goes on.
    let report = sync_watched(&mut ana, &mut watch);
    assert!(
        report.is_ok(),
        "her next token is ahead of the restored head: {report:?}"
    );
    assert_eq!(watch.renewals, 4, "renewed against the restored server");
    ana.sync_until_done(3)
        .expect("she re-sends what the server lost");
    sup.sync_until_done(3).expect("the supervisor too");
    assert_eq!(ana.vault.pending_count().expect("pending"), 0);
}
