use super::queue::{FINALISED_SQL, STORED_VALUES_SQL};
use super::*;
use crate::domain::{
    CaseDetails, Consent, ConsentGiver, NoteDraft, Referral, ReferralUpdate, RiskEntry, Task,
};
use crate::domain::{ReferralStatus, RiskLevel};
use crate::ids::ClientId;
use crate::screening::ScreeningAnswers;
use crate::screening::{answers_in_order, Instrument};
use crate::vault::fixtures::{client, vault, PASS};
use chrono::Duration as ChronoDuration;

fn finalised_note(v: &mut Vault, c: ClientId) -> NoteId {
    let n = v
        .add_note(
            c,
            &NoteDraft {
                narrative: "sesi".into(),
                risk: Some(RiskLevel::Low),
                ..NoteDraft::default()
            },
        )
        .expect("note");
    v.finalise_note(n).expect("finalise");
    n
}

fn phq9(self_harm: u8) -> ScreeningAnswers {
    let mut values = [1u8; 9];
    values[8] = self_harm;
    ScreeningAnswers {
        instrument: Instrument::Phq9,
        answers: answers_in_order(Instrument::Phq9, &values).expect("nine answers"),
        administered_at: Some(Utc::now()),
        administered_by: None,
        language: "id".into(),
    }
}

/// (note, red flag) of the queue, in its order.
fn flags(v: &mut Vault) -> Vec<(NoteId, bool)> {
    v.review_queue(&QueueFilter::default())
        .expect("queue")
        .into_iter()
        .map(|i| (i.note, i.red_flag))
        .collect()
}

fn summaries(v: &Vault) -> i64 {
    v.store
        .connection()
        .query_row("SELECT count(*) FROM screening_summaries", [], |r| r.get(0))
        .expect("count")
}

#[test]
fn a_red_flag_reaches_the_queue_after_a_rebuild_a_lost_summary_and_an_upgrade_from_schema_5() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = vault(tmp.path());
    let calm = client(&mut v, "S-1");
    let urgent = client(&mut v, "S-2");
    let calm_note = finalised_note(&mut v, calm);
    let urgent_note = finalised_note(&mut v, urgent);
    v.add_screening(calm, &phq9(0)).expect("screening");
    v.add_screening(urgent, &phq9(0)).expect("screening");
    v.add_screening(urgent, &phq9(2))
        .expect("screening with item 9");
    let want = vec![(urgent_note, true), (calm_note, false)];
    assert_eq!(flags(&mut v), want, "the red flag comes first");
    assert_eq!(summaries(&v), 3, "one sealed summary per screening");

    v.rebuild().expect("rebuild");
    assert_eq!(summaries(&v), 3, "a rebuild derives the summaries again");
    assert_eq!(flags(&mut v), want, "after a rebuild");
    v.check_consistency().expect("tables and log agree");

    // Summaries lost (or never written, as in a vault upgraded from schema 5): the queue
    // reads the screenings themselves rather than miss a red flag...
    v.store
        .connection()
        .execute("DELETE FROM screening_summaries", [])
        .expect("delete");
    assert_eq!(flags(&mut v), want, "without summaries");
    // ...and the next unlock seals the missing ones.
    v.lock();
    v.unlock(PASS).expect("unlock");
    assert_eq!(summaries(&v), 3, "filled at unlock");
    assert_eq!(flags(&mut v), want, "after the unlock filled them");

    // Note summaries missing (a vault upgraded from schema 4): the next unlock seals them,
    // and the queue sees every finalised note again.
    v.store
        .connection()
        .execute("DELETE FROM note_summaries", [])
        .expect("delete");
    assert!(
        flags(&mut v).is_empty(),
        "the queue reads notes through their summaries"
    );
    v.lock();
    v.unlock(PASS).expect("unlock");
    assert_eq!(
        flags(&mut v),
        want,
        "notes back in the queue after the unlock"
    );
    v.check_consistency().expect("tables and log agree");
}

#[test]
fn the_bulk_reads_use_their_indexes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let v = vault(tmp.path());
    let plan = |sql: &str| -> String {
        let conn = v.store.connection();
        let mut st = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .expect("explain");
        let n = st.parameter_count();
        let args: Vec<&dyn rusqlite::ToSql> = (0..n).map(|_| &"action" as _).collect();
        st.query_map(args.as_slice(), |r| r.get::<_, String>(3))
            .expect("plan")
            .collect::<Result<Vec<_>, _>>()
            .expect("rows")
            .join("; ")
    };
    let finalised = plan(FINALISED_SQL);
    assert!(finalised.contains("entity_fields_finalised"), "{finalised}");
    let stored = plan(STORED_VALUES_SQL);
    assert!(
        stored.contains("COVERING INDEX entity_fields_supervision"),
        "{stored}"
    );
}

#[test]
fn a_session_counts_on_its_local_day() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = vault(tmp.path());
    let c = client(&mut v, "Z-1");
    // 01.30 WIB on 25 November is still 24 November in UTC.
    let at = DateTime::parse_from_rfc3339("2026-11-24T18:30:00Z")
        .expect("time")
        .with_timezone(&Utc);
    let n = v
        .add_note(
            c,
            &NoteDraft {
                occurred_at: Some(at),
                zone: "Asia/Jakarta".into(),
                narrative: "sesi malam".into(),
                ..NoteDraft::default()
            },
        )
        .expect("note");
    v.finalise_note(n).expect("finalise");
    let day = |d: u32| NaiveDate::from_ymd_opt(2026, 11, d);
    let on = |v: &mut Vault, from, to| {
        v.review_queue(&QueueFilter {
            from,
            to,
            ..QueueFilter::default()
        })
        .expect("queue")
        .len()
    };
    assert_eq!(
        on(&mut v, day(25), day(25)),
        1,
        "found on 25/11, as it is shown"
    );
    assert_eq!(on(&mut v, None, day(24)), 0, "not on 24/11");
    // The dashboard's week (Monday 23 November) counts it on the 25th as well.
    let dash = v.dashboard(day(25).expect("day")).expect("dashboard");
    assert_eq!(dash.sessions_per_week.last().map(|w| w.sessions), Some(1));
}

#[test]
fn a_caseload_counts_the_clients_she_registered_not_only_those_with_notes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = vault(tmp.path());
    let seen = client(&mut v, "C-1");
    let new = client(&mut v, "C-2");
    finalised_note(&mut v, seen);
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    let dash = v.dashboard(today).expect("dashboard");
    let mut both = vec![seen, new];
    both.sort();
    assert_eq!(
        dash.caseloads,
        vec![Caseload {
            member: Some(v.member_id()),
            clients: both
        }],
        "a counselor with two clients has a caseload of two, though one has no note yet"
    );
}

#[test]
fn a_damaged_screening_flags_its_client_instead_of_failing_the_queue() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = vault(tmp.path());
    let calm = client(&mut v, "S-9");
    let note = finalised_note(&mut v, calm);
    v.add_screening(calm, &phq9(0)).expect("screening");
    assert_eq!(flags(&mut v), vec![(note, false)]);
    v.store
        .connection()
        .execute("UPDATE screening_summaries SET sealed = x'00'", [])
        .expect("damage");
    assert_eq!(
        flags(&mut v),
        vec![(note, true)],
        "the supervisor is sent to look rather than shown nothing"
    );
}

#[test]
fn the_dashboard_lists_agree_with_reading_every_client_in_full() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut v = vault(tmp.path());
    let today = NaiveDate::from_ymd_opt(2026, 11, 25).expect("date");
    let day = |offset: i64| Some(today + ChronoDuration::days(offset));
    let mut clients = Vec::new();
    for i in 0..6 {
        let c = client(&mut v, &format!("D-{i}"));
        clients.push(c);
        v.record_consent(
            c,
            &Consent {
                given_by: ConsentGiver::SelfGiven,
                purposes: vec!["referral".into()],
                ..Consent::default()
            },
        )
        .expect("consent");
    }
    // Tasks: past due and open, past due but done later, due today, not yet due, no date.
    for (i, (due, done)) in [
        (day(-3), false),
        (day(-5), true),
        (day(0), false),
        (day(2), false),
        (None, false),
        (day(-1), false),
    ]
    .into_iter()
    .enumerate()
    {
        let c = clients[i % 4];
        let task = Task {
            title: format!("tugas {i}"),
            due,
            ..Task::default()
        };
        let t = v.add_task(c, &task).expect("task");
        if done {
            let done = Task {
                done_at: Some(Utc::now()),
                ..task
            };
            v.update_task(t, &done).expect("done");
        }
    }
    // Referrals: just sent, accepted, completed, declined.
    let statuses: [&[ReferralStatus]; 4] = [
        &[],
        &[ReferralStatus::Accepted],
        &[ReferralStatus::Accepted, ReferralStatus::Completed],
        &[ReferralStatus::Declined],
    ];
    for (i, updates) in statuses.into_iter().enumerate() {
        let c = clients[(i + 1) % 6];
        let r = v
            .add_referral(
                c,
                &Referral {
                    partner_id: format!("p-{i}"),
                    partner_name: "Mitra".into(),
                    reason: "rujukan".into(),
                    ..Referral::default()
                },
            )
            .expect("referral");
        for status in updates {
            v.update_referral(
                c,
                r,
                &ReferralUpdate {
                    status: *status,
                    ..ReferralUpdate::default()
                },
            )
            .expect("status");
        }
    }
    // Cases: high then low (no longer high), low then imminent, no risk entry, and a
    // client with a calm case beside a high one.
    let risks: [(usize, &[RiskLevel]); 5] = [
        (0, &[RiskLevel::High, RiskLevel::Low]),
        (1, &[RiskLevel::Low, RiskLevel::Imminent]),
        (2, &[]),
        (3, &[RiskLevel::Low]),
        (3, &[RiskLevel::Medium, RiskLevel::High]),
    ];
    for (i, levels) in risks {
        let case = v
            .open_case(clients[i], &CaseDetails::default())
            .expect("case");
        for level in levels {
            v.record_risk(
                case,
                &RiskEntry {
                    level: *level,
                    reason: "asesmen".into(),
                    ..RiskEntry::default()
                },
            )
            .expect("risk");
        }
    }

    let dash = v.dashboard(today).expect("dashboard");
    let (mut overdue, mut open, mut high) = (Vec::new(), Vec::new(), Vec::new());
    for c in v.list_clients().expect("clients") {
        let full = v.export_client(c.id).expect("export");
        for t in full.tasks {
            if t.task.done_at.is_none() && t.task.due.is_some_and(|d| d < today) {
                overdue.push((c.id, t.id));
            }
        }
        for r in full.referrals {
            if !r.status.is_closed() {
                open.push((c.id, r.id));
            }
        }
        if full
            .cases
            .iter()
            .any(|k| matches!(k.current_risk, Some(RiskLevel::High | RiskLevel::Imminent)))
        {
            high.push(c.id);
        }
    }
    assert_eq!(dash.overdue_follow_ups, overdue, "overdue follow-ups");
    assert_eq!(overdue.len(), 2, "two open tasks are past due");
    assert_eq!(dash.open_referrals, open, "open referrals");
    assert_eq!(open.len(), 2, "sent and accepted are open");
    assert_eq!(dash.high_risk_clients, high, "high-risk clients");
    assert_eq!(
        high,
        vec![clients[1], clients[3]],
        "the last entry is the risk"
    );
}

#[test]
fn a_closed_case_no_longer_counts_among_the_high_risk_clients() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let c = client(&mut v, "HR-1");
    let case = v.open_case(c, &CaseDetails::default()).expect("case");
    v.record_risk(
        case,
        &RiskEntry {
            level: RiskLevel::High,
            reason: "rencana menyakiti diri".into(),
            assessed_at: Some(Utc::now()),
            assessed_by: None,
        },
    )
    .expect("risk");
    let today = Utc::now().date_naive();
    assert_eq!(
        v.dashboard(today).expect("dashboard").high_risk_clients,
        vec![c]
    );
    v.update_case(
        case,
        &CaseDetails {
            stage: crate::domain::CaseStage::ClosureOrReferral,
            closure_reason: Some("dirujuk ke layanan kesehatan jiwa".into()),
            ..CaseDetails::default()
        },
    )
    .expect("closed");
    assert!(
        v.dashboard(today)
            .expect("dashboard")
            .high_risk_clients
            .is_empty(),
        "a closed case's last risk is history, not a client at risk now"
    );
}

#[test]
fn today_is_the_day_of_the_teams_zone_not_of_utc() {
    let dir = tempfile::tempdir().expect("dir");
    let v = vault(dir.path());
    // 20.00 UTC is already tomorrow at 03.00 WIB (a team with no zone set works in WIB).
    let at: DateTime<Utc> = "2026-12-05T20:00:00Z".parse().expect("time");
    assert_eq!(
        v.today(at).expect("today"),
        NaiveDate::from_ymd_opt(2026, 12, 6).expect("date")
    );
    let morning: DateTime<Utc> = "2026-12-05T16:59:00Z".parse().expect("time");
    assert_eq!(
        v.today(morning).expect("today"),
        NaiveDate::from_ymd_opt(2026, 12, 5).expect("date")
    );
}
