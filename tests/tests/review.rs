//! Supervision across devices: the review queue puts a red-flag note first, a returned note
//! comes back after the counselor's addendum, both laptops show the same history; another
//! team's supervisor sees nothing; the dashboard matches a synthetic team with known counts.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use teduh_core::domain::{
    CaseDetails, Consent, ConsentGiver, Referral, ReferralStatus, ReferralUpdate, RiskEntry,
    RiskLevel, Task,
};
use teduh_core::screening::{answers_in_order, Instrument, ScreeningAnswers};
use teduh_core::vault::{QueueFilter, ReviewAction, ReviewDraft, ReviewState, VaultError};
use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile};
use teduh_tests::TestServer;

fn srq20(flag_suicidal_thoughts: bool) -> ScreeningAnswers {
    let mut values = [0u8; 20];
    values[16] = u8::from(flag_suicidal_thoughts);
    ScreeningAnswers {
        instrument: Instrument::Srq20,
        answers: answers_in_order(Instrument::Srq20, &values).expect("twenty answers"),
        administered_at: Some(Utc::now()),
        administered_by: None,
        language: "id".into(),
    }
}

fn review(action: ReviewAction, comment: &str) -> ReviewDraft {
    ReviewDraft {
        action,
        comment: comment.into(),
    }
}

#[test]
fn a_red_flag_note_is_reviewed_first_returned_answered_and_approved_across_two_laptops() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Supervisi", "sup.rina", "kons.dodi");

    // An older, ordinary note, then a note about a client whose SRQ-20 raised a red flag.
    let calm = c
        .vault
        .add_client(&profile("Q-1", "Klien Tenang"))
        .expect("client");
    let old = c.vault.add_note(calm, &draft("sesi biasa")).expect("note");
    c.vault.finalise_note(old).expect("finalise");
    let urgent = c
        .vault
        .add_client(&profile("Q-2", "Klien Darurat"))
        .expect("client");
    c.vault
        .add_screening(urgent, &srq20(true))
        .expect("screening");
    // The red flag opened a risk episode: the note is finalised once its risk is assessed.
    let mut assessed = draft("klien menyebut pikiran bunuh diri");
    assessed.risk = Some(teduh_core::domain::RiskLevel::High);
    let flagged = c.vault.add_note(urgent, &assessed).expect("note");
    c.vault.finalise_note(flagged).expect("finalise");
    c.sync().expect("sync");
    sup.sync().expect("sync");

    let queue = sup
        .vault
        .review_queue(&QueueFilter::default())
        .expect("queue");
    assert_eq!(queue.len(), 2, "{queue:?}");
    assert_eq!(
        queue[0].note, flagged,
        "the red flag comes first although it is newer"
    );
    assert!(queue[0].red_flag);
    assert_eq!(queue[0].client_code, "Q-2");

    // Roles: a counselor cannot approve; a supervisor cannot edit the counselor's note.
    assert!(matches!(
        c.vault
            .review_note(flagged, &review(ReviewAction::Approve, "")),
        Err(VaultError::NotPermitted(_))
    ));
    assert!(matches!(
        sup.vault.edit_note(old, &draft("diubah supervisor")),
        Err(VaultError::NoteFinalised(_) | VaultError::NotAuthor(_))
    ));
    assert!(
        sup.vault
            .review_note(flagged, &review(ReviewAction::Return, ""))
            .is_err(),
        "a return needs a comment"
    );

    sup.vault
        .review_note(
            flagged,
            &review(ReviewAction::Return, "Mohon tambahkan rencana keselamatan."),
        )
        .expect("return");
    sup.vault
        .review_note(old, &review(ReviewAction::Comment, "Bagus, lanjutkan."))
        .expect("comment");
    assert_eq!(
        sup.vault.review_state(flagged).expect("state"),
        ReviewState::Returned
    );
    assert_eq!(
        sup.vault
            .review_queue(&QueueFilter::default())
            .expect("queue")
            .len(),
        1,
        "a returned note leaves the queue; a comment changes nothing"
    );
    sup.sync().expect("sync");
    c.sync().expect("sync");

    assert_eq!(
        c.vault.review_state(flagged).expect("state"),
        ReviewState::Returned
    );
    let seen = c.vault.reviews(flagged).expect("reviews");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].comment, "Mohon tambahkan rencana keselamatan.");
    c.vault
        .add_addendum(flagged, "Rencana keselamatan disusun bersama klien.")
        .expect("addendum");
    c.sync().expect("sync");
    sup.sync().expect("sync");
    let queue = sup
        .vault
        .review_queue(&QueueFilter::default())
        .expect("queue");
    assert_eq!(
        queue.first().map(|q| q.note),
        Some(flagged),
        "back in the queue, still first"
    );
    sup.vault
        .review_note(flagged, &review(ReviewAction::Approve, ""))
        .expect("approve");
    sup.sync().expect("sync");
    c.sync().expect("sync");

    for d in [&mut sup, &mut c] {
        assert_eq!(
            d.vault.review_state(flagged).expect("state"),
            ReviewState::Approved
        );
        let history: Vec<ReviewAction> = d
            .vault
            .reviews(flagged)
            .expect("reviews")
            .into_iter()
            .map(|r| r.action)
            .collect();
        assert_eq!(history, vec![ReviewAction::Return, ReviewAction::Approve]);
    }
    assert_eq!(
        sup.vault.reviews(flagged).expect("r"),
        c.vault.reviews(flagged).expect("r"),
        "both laptops show the same history, with who and when"
    );

    // Another team's supervisor sees none of it.
    let other = server.create_team("Tim Lain");
    let mut sup_b = server.member(&other, Role::Supervisor, "sup.lain");
    sup_b.sync().expect("sync");
    assert!(sup_b
        .vault
        .review_queue(&QueueFilter::default())
        .expect("queue")
        .is_empty());
}

#[test]
fn the_dashboard_matches_a_team_with_known_counts() {
    let server = TestServer::start();
    let team = server.create_team("Tim Dasbor");
    let mut sup = server.member(&team, Role::Supervisor, "sup");
    let mut a = server.member(&team, Role::Counselor, "kons.a");
    let mut b = server.member(&team, Role::Counselor, "kons.b");
    sup.admit(&mut a);
    sup.admit(&mut b);
    let today = NaiveDate::from_ymd_opt(2026, 11, 23).expect("date"); // a Monday
    let at = |days_ago: i64| {
        Some(
            Utc.from_utc_datetime(
                &(today - Duration::days(days_ago))
                    .and_hms_opt(3, 0, 0)
                    .expect("time"),
            ),
        )
    };

    // Counselor A: 3 clients, 5 sessions (today, yesterday, a week ago, five weeks ago, long ago).
    let mut a_clients = Vec::new();
    for i in 0..3 {
        a_clients.push(
            a.vault
                .add_client(&profile(&format!("A-{i}"), "Klien A"))
                .expect("client"),
        );
    }
    for (client, days_ago) in [(0, 0), (1, 1), (2, 7), (0, 35), (1, 200)] {
        let mut d = draft("sesi");
        d.occurred_at = at(days_ago);
        let n = a.vault.add_note(a_clients[client], &d).expect("note");
        a.vault.finalise_note(n).expect("finalise");
    }
    // Overdue: two open tasks past due; one done, one not yet due.
    let due = |days: i64| Some(today + Duration::days(days));
    for (d, done) in [(-3, false), (-1, false), (-5, true), (4, false)] {
        let t = a
            .vault
            .add_task(
                a_clients[0],
                &Task {
                    title: "tindak lanjut".into(),
                    due: due(d),
                    ..Task::default()
                },
            )
            .expect("task");
        if done {
            a.vault
                .update_task(
                    t,
                    &Task {
                        title: "tindak lanjut".into(),
                        due: due(d),
                        done_at: Some(Utc::now()),
                        ..Task::default()
                    },
                )
                .expect("done");
        }
    }
    // High risk: one client with a case at high risk, one at low.
    let case = a
        .vault
        .open_case(a_clients[1], &CaseDetails::default())
        .expect("case");
    a.vault
        .record_risk(
            case,
            &RiskEntry {
                level: RiskLevel::High,
                reason: "ancaman".into(),
                ..RiskEntry::default()
            },
        )
        .expect("risk");
    let low = a
        .vault
        .open_case(a_clients[2], &CaseDetails::default())
        .expect("case");
    a.vault
        .record_risk(
            low,
            &RiskEntry {
                level: RiskLevel::Low,
                reason: "stabil".into(),
                ..RiskEntry::default()
            },
        )
        .expect("risk");

    // Counselor B: 2 clients, 2 sessions last week (one still a draft), 2 referrals: one open,
    // one completed.
    let b1 = b
        .vault
        .add_client(&profile("B-1", "Klien B"))
        .expect("client");
    let b2 = b
        .vault
        .add_client(&profile("B-2", "Klien B"))
        .expect("client");
    let mut d = draft("sesi b");
    d.occurred_at = at(2);
    let n = b.vault.add_note(b1, &d).expect("note");
    b.vault.finalise_note(n).expect("finalise");
    d.occurred_at = at(3);
    b.vault.add_note(b2, &d).expect("draft note");
    for c in [b1, b2] {
        b.vault
            .record_consent(
                c,
                &Consent {
                    given_by: ConsentGiver::SelfGiven,
                    purposes: vec!["referral".into()],
                    ..Consent::default()
                },
            )
            .expect("consent");
    }
    let referral = |p: &str| Referral {
        partner_id: p.into(),
        partner_name: "Mitra".into(),
        reason: "rujukan".into(),
        ..Referral::default()
    };
    b.vault
        .add_referral(b1, &referral("p-1"))
        .expect("referral");
    let done = b
        .vault
        .add_referral(b2, &referral("p-2"))
        .expect("referral");
    for status in [ReferralStatus::Accepted, ReferralStatus::Completed] {
        b.vault
            .update_referral(
                b2,
                done,
                &ReferralUpdate {
                    status,
                    ..ReferralUpdate::default()
                },
            )
            .expect("status");
    }

    for _ in 0..2 {
        for d in [&mut a, &mut b, &mut sup] {
            d.sync().expect("sync");
        }
    }
    let dash = sup.vault.dashboard(today).expect("dashboard");
    let mut loads: Vec<usize> = dash.caseloads.iter().map(|c| c.clients.len()).collect();
    loads.sort_unstable();
    assert_eq!(loads, vec![2, 3], "caseloads: {:?}", dash.caseloads);
    let weeks: Vec<u32> = dash.sessions_per_week.iter().map(|w| w.sessions).collect();
    assert_eq!(weeks.len(), 12);
    // Today is a Monday: only today's session is this week; yesterday (A), 2 and 3 days ago
    // (B, one still a draft: still a session) and last Monday (A) are last week.
    assert_eq!(weeks[11], 1, "this week: {weeks:?}");
    assert_eq!(weeks[10], 4, "last week: {weeks:?}");
    assert_eq!(weeks[6], 1, "five weeks ago");
    // Each bar opens the clients seen that week.
    let last_week = &dash.sessions_per_week[10].clients;
    assert!(
        last_week.contains(&b1) && last_week.contains(&b2),
        "{last_week:?}"
    );
    assert_eq!(dash.sessions_per_week[11].clients.len(), 1);
    assert_eq!(
        weeks.iter().sum::<u32>(),
        6,
        "the session 200 days ago is outside the chart"
    );
    assert_eq!(dash.waiting.len(), 6, "six finalised notes wait for review");
    assert_eq!(
        dash.overdue_follow_ups.len(),
        2,
        "{:?}",
        dash.overdue_follow_ups
    );
    assert_eq!(dash.open_referrals.len(), 1);
    assert_eq!(dash.high_risk_clients, vec![a_clients[1]]);
}

#[test]
fn each_counselor_sees_her_own_caseload_and_the_reviews_of_her_own_notes() {
    let server = TestServer::start();
    let team = server.create_team("Tim Kasus");
    let mut sup = server.member(&team, Role::Supervisor, "sup.wulan");
    let mut sari = server.member(&team, Role::Counselor, "kons.sari");
    let mut bayu = server.member(&team, Role::Counselor, "kons.bayu");
    sup.admit(&mut sari);
    sup.admit(&mut bayu);
    sari.sync().expect("the newest key");
    let shared = sari
        .vault
        .add_client(&profile("M-1", "Klien Bersama"))
        .expect("client");
    let sari_note = sari
        .vault
        .add_note(shared, &draft("sesi pertama"))
        .expect("note");
    sari.vault.finalise_note(sari_note).expect("finalise");
    let only_bayu = bayu
        .vault
        .add_client(&profile("M-2", "Klien Bayu"))
        .expect("client");
    let bayu_note = bayu
        .vault
        .add_note(only_bayu, &draft("sesi bayu"))
        .expect("note");
    bayu.vault.finalise_note(bayu_note).expect("finalise");
    sari.sync().expect("sync");
    bayu.sync().expect("sync");
    // The supervisor puts Bayu on Sari's client's case (issue 23); he writes a session there:
    // now it is in his caseload too.
    teduh_tests::device::put_on_case(&mut sup, shared, &["kons.bayu"]);
    bayu.sync().expect("bayu receives the client's key");
    let bayu_on_shared = bayu
        .vault
        .add_note(shared, &draft("sesi pengganti"))
        .expect("note");
    bayu.vault.finalise_note(bayu_on_shared).expect("finalise");
    for d in [&mut bayu, &mut sari, &mut sup] {
        d.sync().expect("sync");
    }

    assert_eq!(sari.vault.my_clients().expect("mine"), [shared].into());
    assert_eq!(
        bayu.vault.my_clients().expect("mine"),
        [shared, only_bayu].into()
    );
    assert!(sup.vault.my_clients().expect("mine").is_empty());
    // The client list filters on the same fact.
    let facets = sari.vault.client_facets().expect("facets");
    assert!(facets[&shared].mine);
    assert!(
        !facets.contains_key(&only_bayu),
        "Sari does not read Bayu's own client (issue 23)"
    );
    assert_eq!(
        sup.vault.list_clients().expect("all").len(),
        2,
        "the supervisor sees the team"
    );

    sup.vault
        .review_note(
            sari_note,
            &review(ReviewAction::Return, "Lengkapi rencana tindak lanjut."),
        )
        .expect("return");
    sup.vault
        .review_note(
            bayu_note,
            &review(ReviewAction::Comment, "Catatan yang rapi."),
        )
        .expect("comment");
    sup.sync().expect("sync");
    sari.sync().expect("sync");
    bayu.sync().expect("sync");

    let news = sari.vault.review_news().expect("news");
    assert_eq!(news.len(), 1, "only her own note: {news:?}");
    assert_eq!(news[0].note, sari_note);
    assert_eq!(news[0].client_code, "M-1");
    assert_eq!(news[0].state, ReviewState::Returned);
    assert_eq!(news[0].latest.action, ReviewAction::Return);
    let news = bayu.vault.review_news().expect("news");
    assert_eq!(news.len(), 1, "{news:?}");
    assert_eq!(
        (news[0].note, news[0].state, news[0].latest.action),
        (bayu_note, ReviewState::Waiting, ReviewAction::Comment)
    );
    assert!(sup.vault.review_news().expect("news").is_empty());

    // Her addendum answers the return: the note waits again, as the supervisor's queue says.
    sari.vault
        .add_addendum(sari_note, "Tindak lanjut: kunjungan rumah minggu depan.")
        .expect("addendum");
    let news = sari.vault.review_news().expect("news");
    assert_eq!(news[0].state, ReviewState::Waiting);
    assert_eq!(
        news[0].state,
        sari.vault.review_state(sari_note).expect("state"),
        "the notice and the queue agree"
    );
}

#[test]
fn an_approval_from_a_counselor_s_modified_app_does_not_count_on_the_supervisor_s_laptop() {
    let server = TestServer::start();
    let (mut sup, mut c) = server.supervised_team("Tim Integritas", "sup.maya", "kons.rudi");
    let client = c
        .vault
        .add_client(&profile("I-1", "Klien Integritas"))
        .expect("client");
    let note = c.vault.add_note(client, &draft("sesi")).expect("note");
    c.vault.finalise_note(note).expect("finalise");

    // A modified app: the counselor's own copy of the roster says she is a supervisor, so her
    // app lets her approve her own note.
    {
        let db = rusqlite::Connection::open(c.data_dir().join("teduh.sqlite3")).expect("db");
        let bytes: Vec<u8> = db
            .query_row("SELECT roster FROM sync_binding WHERE id = 1", [], |r| {
                r.get(0)
            })
            .expect("roster");
        let mut roster: serde_json::Value = serde_json::from_slice(&bytes).expect("json");
        for m in roster["members"].as_array_mut().expect("members") {
            if m["username"] == "kons.rudi" {
                m["role"] = serde_json::json!("supervisor");
            }
        }
        db.execute(
            "UPDATE sync_binding SET roster = ?1 WHERE id = 1",
            [serde_json::to_vec(&roster).expect("json")],
        )
        .expect("tamper");
    }
    c.vault
        .review_note(note, &review(ReviewAction::Approve, ""))
        .expect("her modified app approves");
    c.sync().expect("sync");
    sup.sync().expect("sync");

    // The supervisor's laptop goes by the roster it verified: the note still waits for her.
    // The approval is held with the reason (trust 1/3: receivers enforce the role), never
    // applied; before, it was applied and only not counted.
    assert_eq!(
        sup.vault.reviews(note).expect("reviews").len(),
        0,
        "the refused record is not applied"
    );
    let held = sup.vault.held_records().expect("held");
    assert!(
        held.iter()
            .any(|h| h.contains("refused: only a supervisor or admin")),
        "it is held and says why: {held:?}"
    );
    assert_eq!(
        sup.vault.review_state(note).expect("state"),
        ReviewState::Waiting
    );
    let queue = sup
        .vault
        .review_queue(&QueueFilter::default())
        .expect("queue");
    assert_eq!(queue.iter().map(|q| q.note).collect::<Vec<_>>(), vec![note]);
    // A real supervisor's approval counts.
    sup.vault
        .review_note(note, &review(ReviewAction::Approve, ""))
        .expect("approve");
    assert_eq!(
        sup.vault.review_state(note).expect("state"),
        ReviewState::Approved
    );
}
