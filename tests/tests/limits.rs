//! Withdrawal and restriction take effect (issue 25, UU PDP Ps 40, 41), through the public API
//! of two team members' vaults: a withdrawn purpose stops that processing (referral,
//! supervision review, statistics) unless another lawful basis is recorded; a restricted client
//! is read-only for everyone and hidden from every list but her handler's, until lifted.
//! All names are made up.

use chrono::{Duration, Utc};
use teduh_core::domain::{
    purpose, Consent, ConsentChannel, ConsentWithdrawal, LawfulBasis, Referral,
};
use teduh_core::ids::ClientId;
use teduh_core::report::monthly::Month;
use teduh_core::request::{DataRequest, IdentityCheck, RequestAnswer, RequestKind};
use teduh_core::vault::{QueueFilter, ReviewAction, ReviewDraft, Vault, VaultError};
use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::TestServer;

/// A consent to `purposes`, given two days ago.
fn consent(purposes: &[&str], basis: LawfulBasis) -> Consent {
    Consent {
        giver_name: "Klien Sintetis".into(),
        purposes: purposes.iter().map(|p| p.to_string()).collect(),
        lawful_basis: basis,
        channel: ConsentChannel::Written,
        given_at: Some(Utc::now() - Duration::days(2)),
        basis_reason: if basis == LawfulBasis::Consent {
            String::new()
        } else {
            "Perlindungan anak (sintetis)".into()
        },
        ..Consent::default()
    }
}

fn withdrawal() -> ConsentWithdrawal {
    ConsentWithdrawal {
        withdrawn_at: Some(Utc::now()),
        reason: "Klien mencabut persetujuan (sintetis)".into(),
    }
}

/// How long ago her session was held.
const NOTE_HOURS_AGO: i64 = 2;

/// A team of a supervisor and a counselor; the counselor's client with a finalised note this
/// month, synced to the supervisor.
fn team_with_client(server: &TestServer, code: &str) -> (Device, Device, ClientId) {
    let team = server.create_team(&format!("Tim {code}"));
    let mut sup = server.member(&team, Role::Supervisor, &format!("sup.{code}"));
    let mut ana = server.member(&team, Role::Counselor, &format!("kons.{code}"));
    sup.admit(&mut ana);
    ana.sync().expect("the newest key");
    let client = ana
        .vault
        .add_client(&profile(code, "Klien Sintetis"))
        .expect("client");
    let mut note = draft("Sesi biasa (sintetis)");
    note.occurred_at = Some(Utc::now() - Duration::hours(NOTE_HOURS_AGO));
    let n = ana.vault.add_note(client, &note).expect("note");
    ana.vault.finalise_note(n).expect("finalised");
    ana.sync().expect("ana pushes");
    sup.sync().expect("sup pulls");
    (sup, ana, client)
}

fn queued(v: &mut Vault, client: ClientId) -> bool {
    v.review_queue(&QueueFilter::default())
        .expect("queue")
        .iter()
        .any(|i| i.client == client)
}

/// Her note's month in the team's zone (WIB, UTC+7).
fn served_this_month(v: &mut Vault) -> usize {
    let held = Utc::now() - Duration::hours(NOTE_HOURS_AGO) + Duration::hours(7);
    let month = Month::of(held.date_naive());
    v.month_facts(month).expect("facts").clients.len()
}

#[test]
fn a_withdrawn_purpose_stops_review_referral_and_statistics_unless_another_basis_is_recorded() {
    let server = TestServer::start();
    let (mut sup, mut ana, client) = team_with_client(&server, "TP-1");
    let all = [
        purpose::SERVICE,
        purpose::REFERRAL,
        purpose::SUPERVISION,
        purpose::STATISTICS,
    ];
    let given = ana
        .vault
        .record_consent(client, &consent(&all, LawfulBasis::Consent))
        .expect("consent");
    ana.sync().expect("push");
    sup.sync().expect("pull");
    assert!(queued(&mut sup.vault, client), "her note waits for review");
    assert_eq!(served_this_month(&mut sup.vault), 1, "she is counted");

    // She withdraws everything, then consents to service again: supervision, referral and
    // statistics stop.
    ana.vault
        .withdraw_consent(given, &withdrawal())
        .expect("withdrawn");
    ana.vault
        .record_consent(client, &consent(&[purpose::SERVICE], LawfulBasis::Consent))
        .expect("service again");
    ana.sync().expect("push");
    sup.sync().expect("pull");

    assert!(
        !queued(&mut sup.vault, client),
        "her notes leave the review queue"
    );
    let note = ana.vault.notes(client).expect("notes")[0].id;
    let err = sup
        .vault
        .review_note(
            note,
            &ReviewDraft {
                action: ReviewAction::Approve,
                comment: String::new(),
            },
        )
        .expect_err("no review");
    assert!(matches!(err, VaultError::ConsentWithdrawn(_)), "{err}");
    assert_eq!(served_this_month(&mut sup.vault), 0, "she is not counted");

    let referral = |basis: Option<LawfulBasis>| Referral {
        partner_id: "sapa-129".into(),
        partner_name: "SAPA 129".into(),
        reason: "Pendampingan hukum (sintetis)".into(),
        lawful_basis: basis,
        ..Referral::default()
    };
    for basis in [None, Some(LawfulBasis::Consent)] {
        let err = ana
            .vault
            .add_referral(client, &referral(basis))
            .expect_err("no referral on her withdrawn consent");
        assert!(
            matches!(err, VaultError::ConsentWithdrawn(_)),
            "{basis:?}: {err}"
        );
    }
    assert!(ana.vault.referrals(client).expect("referrals").is_empty());
    ana.vault
        .add_referral(client, &referral(Some(LawfulBasis::VitalInterest)))
        .expect("a vital interest still refers her");

    // A lawful basis other than consent, recorded for supervision, lets review go on.
    ana.vault
        .record_consent(
            client,
            &consent(&[purpose::SUPERVISION], LawfulBasis::LegalObligation),
        )
        .expect("a recorded basis");
    ana.sync().expect("push");
    sup.sync().expect("pull");
    assert!(
        queued(&mut sup.vault, client),
        "back in the queue on the recorded basis"
    );
    assert_eq!(
        served_this_month(&mut sup.vault),
        0,
        "statistics still stopped"
    );
}

#[test]
fn a_restricted_client_is_read_only_and_hidden_from_every_list_but_her_handlers_until_lifted() {
    let server = TestServer::start();
    let (mut sup, mut ana, client) = team_with_client(&server, "TR-1");
    let request = ana
        .vault
        .add_request(
            client,
            &DataRequest {
                kind: RequestKind::Restriction,
                received_at: Some(Utc::now() - Duration::hours(3)),
                identity: IdentityCheck::KnownToWorker,
                ..DataRequest::default()
            },
        )
        .expect("her restriction request");
    // Registered, not yet granted: nothing changes.
    ana.vault
        .update_client(client, &profile("TR-1", "Klien Sintetis Baru"))
        .expect("still writable before the answer");
    ana.vault
        .answer_request(
            request,
            &RequestAnswer {
                answered_at: Some(Utc::now()),
                text: "Pemrosesan dibatasi (sintetis).".into(),
                ..RequestAnswer::default()
            },
        )
        .expect("granted");
    ana.sync().expect("push");
    sup.sync().expect("pull");

    // Read-only for everyone, the handler too; reading still works.
    for (who, v) in [("ana", &mut ana.vault), ("sup", &mut sup.vault)] {
        assert_eq!(
            v.client(client).expect("readable").profile.name,
            "Klien Sintetis Baru",
            "{who} reads her"
        );
        let err = v
            .update_client(client, &profile("TR-1", "Diubah"))
            .expect_err("read-only");
        assert!(
            matches!(err, VaultError::Restricted(c) if c == client),
            "{who}: {err}"
        );
        let err = v
            .add_note(client, &draft("catatan baru"))
            .expect_err("read-only");
        assert!(matches!(err, VaultError::Restricted(_)), "{who}: {err}");
        assert!(v.restriction(client).expect("restriction").is_some());
    }
    assert_eq!(
        sup.vault.client(client).expect("still stored").profile.name,
        "Klien Sintetis Baru",
        "nothing was changed"
    );

    // Hidden from the supervisor's lists, not from the handler's.
    assert!(!sup
        .vault
        .list_clients()
        .expect("list")
        .iter()
        .any(|c| c.id == client));
    assert!(sup
        .vault
        .search_clients("TR-1", 10)
        .expect("search")
        .is_empty());
    assert!(!queued(&mut sup.vault, client), "out of the review queue");
    assert_eq!(
        served_this_month(&mut sup.vault),
        0,
        "out of the statistics"
    );
    assert!(ana
        .vault
        .list_clients()
        .expect("list")
        .iter()
        .any(|c| c.id == client));
    assert_eq!(
        ana.vault.search_clients("TR-1", 10).expect("search").len(),
        1
    );

    // The handler lifts it, once, and everything comes back.
    ana.vault.lift_restriction(request).expect("lifted");
    assert!(matches!(
        ana.vault.lift_restriction(request),
        Err(VaultError::InvalidInput(_))
    ));
    ana.sync().expect("push");
    sup.sync().expect("pull");
    assert!(sup.vault.restriction(client).expect("none").is_none());
    assert!(sup
        .vault
        .list_clients()
        .expect("list")
        .iter()
        .any(|c| c.id == client));
    assert!(queued(&mut sup.vault, client));
    ana.vault
        .update_client(client, &profile("TR-1", "Diubah lagi"))
        .expect("writable again");
}
