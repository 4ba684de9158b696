use crate::vault::fixtures::{client, vault, PASS};
use chrono::{Duration, Utc};

use super::*;
use crate::contact::{Channel, ContactEntry, SelfHarm};
use crate::domain::{NoteDraft, RiskLevel};
use crate::ids::ScreeningId;
use crate::records::RecordKind;
use crate::screening::{answers_in_order, Instrument, ScreeningAnswers};
use crate::vault::sealed::to_fields;
use crate::vault::ContactInput;

fn phq9(self_harm: u8, days_ago: i64) -> ScreeningAnswers {
    let mut values = [1u8; 9];
    values[8] = self_harm;
    ScreeningAnswers {
        instrument: Instrument::Phq9,
        answers: answers_in_order(Instrument::Phq9, &values).expect("nine answers"),
        administered_at: Some(Utc::now() - Duration::days(days_ago)),
        administered_by: None,
        language: "id".into(),
    }
}

fn draft(risk: Option<RiskLevel>) -> NoteDraft {
    NoteDraft {
        occurred_at: Some(Utc::now()),
        zone: "Asia/Jakarta".into(),
        narrative: "sesi sintetis".into(),
        risk,
        ..NoteDraft::default()
    }
}

#[test]
fn a_phq9_self_harm_answer_opens_one_episode_and_blocks_an_unassessed_note() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let c = client(&mut v, "E-1");
    let calm = v.add_screening(c, &phq9(0, 0)).expect("screening");
    assert!(
        v.episodes_of(Subject::Client(c), Utc::now())
            .expect("episodes")
            .is_empty(),
        "no red flag, no episode"
    );
    let flagged = v.add_screening(c, &phq9(2, 0)).expect("screening");
    let episodes = v
        .episodes_of(Subject::Client(c), Utc::now())
        .expect("episodes");
    assert_eq!(episodes.len(), 1, "a red flag opens an episode");
    let e = &episodes[0];
    assert_eq!(
        e.episode.trigger,
        Trigger::Screening {
            screening: ScreeningId(flagged.0),
            items: vec![crate::screening::PHQ9_SELF_HARM.into()]
        }
    );
    assert_ne!(ScreeningId(calm.0), ScreeningId(flagged.0));
    assert_eq!(e.episode.opened_by, Some(v.member_id()));
    assert_eq!(e.subject_code, "E-1");
    assert_eq!(
        e.deadline - e.episode.opened_at,
        Duration::hours(24),
        "24 h by default"
    );
    assert!(e.episode.is_open() && !e.overdue);

    // A second red flag on the same client belongs to the open episode.
    v.add_screening(c, &phq9(3, 0)).expect("screening");
    let n = v
        .add_note(c, &draft(Some(RiskLevel::Imminent)))
        .expect("note");
    assert_eq!(
        v.episodes_of(Subject::Client(c), Utc::now())
            .expect("e")
            .len(),
        1
    );

    // While it is open, a note with its risk not assessed cannot be finalised.
    let unassessed = v.add_note(c, &draft(None)).expect("note");
    let before = v.log_len().expect("log");
    let err = v.finalise_note(unassessed).expect_err("risk not assessed");
    assert!(
        matches!(err, VaultError::RiskNotAssessed(id) if id == unassessed),
        "{err}"
    );
    assert_eq!(err.code(), crate::error::Code::RiskNotAssessed);
    assert_eq!(v.log_len().expect("log"), before, "nothing written");
    v.finalise_note(n)
        .expect("a note with its risk assessed is finalised");
    let mut assessed = draft(Some(RiskLevel::High));
    assessed.narrative = "dinilai".into();
    v.edit_note(unassessed, &assessed).expect("edit");
    v.finalise_note(unassessed).expect("assessed now");
}

#[test]
fn imminent_risk_in_a_note_and_a_contacts_self_harm_answer_open_episodes() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let c = client(&mut v, "E-2");
    let n = v
        .add_note(c, &draft(Some(RiskLevel::Medium)))
        .expect("note");
    assert!(v
        .episodes_of(Subject::Client(c), Utc::now())
        .expect("e")
        .is_empty());
    v.edit_note(n, &draft(Some(RiskLevel::Imminent)))
        .expect("edit");
    let e = v.episodes_of(Subject::Client(c), Utc::now()).expect("e");
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].episode.trigger, Trigger::NoteRisk { note: n });

    let end = Utc::now() - Duration::minutes(1);
    let contact = v
        .add_contact(&ContactInput {
            entry: ContactEntry {
                channel: Channel::PhoneCall,
                started_at: Some(end - Duration::minutes(20)),
                ended_at: Some(end),
                categories: vec!["suicide-risk".into()],
                self_harm: SelfHarm::Yes,
                summary: "penelepon sintetis".into(),
                ..ContactEntry::default()
            },
            caller_number: String::new(),
        })
        .expect("contact");
    let e = v
        .episodes_of(Subject::Contact(contact), Utc::now())
        .expect("e");
    assert_eq!(
        e.len(),
        1,
        "the self-harm answer opens an episode on the contact"
    );
    assert_eq!(e[0].subject_code, "", "a contact has no client code");
    let open = v.open_episodes(Utc::now()).expect("open");
    assert_eq!(open.len(), 2, "the team's open episodes");
}

#[test]
fn only_a_supervisor_acknowledges_or_closes_and_the_work_is_saved() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let c = client(&mut v, "E-3");
    let id = v
        .open_episode(Subject::Client(c))
        .expect("opened by the worker");
    assert_eq!(
        v.open_episode(Subject::Client(c)).expect("again"),
        id,
        "one at a time"
    );
    let mut work = EpisodeWork::default();
    work.assessment.ideation.present = Some(true);
    work.assessment.ideation.detail = "pikiran pasif".into();
    work.assessment.judgement = Some(RiskLevel::High);
    work.safety_plan.services.push(crate::episode::PlanService {
        entry: "sejiwa-119".into(),
        name: "SEJIWA 119 ext 8".into(),
        number: "119".into(),
    });
    work.actions = "menghubungi keluarga".into();
    v.update_episode(id, &work).expect("saved");
    let read = v.episode(id, Utc::now()).expect("read");
    assert_eq!(read.episode.work, work);
    // This vault's member is no supervisor (she has no team).
    for decision in [
        EpisodeDecision::Acknowledge,
        EpisodeDecision::Close("aman".into()),
    ] {
        let err = v
            .decide_episode(id, &decision)
            .expect_err("not a supervisor");
        assert!(matches!(err, VaultError::NotPermitted(_)), "{err}");
    }
    let err = v
        .save_on_call_rota(&OnCallRota::default())
        .expect_err("not a supervisor");
    assert!(matches!(err, VaultError::NotPermitted(_)), "{err}");
    // Past its deadline it is overdue, and with no rota every supervisor is asked.
    let later = v
        .episode(id, read.episode.opened_at + Duration::hours(25))
        .expect("read");
    assert!(later.overdue && later.on_call.is_none());
    assert!(!later.for_me, "she is not a supervisor");
}

#[test]
fn on_upgrade_only_red_flags_of_the_last_two_weeks_open_episodes_once() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let recent = client(&mut v, "U-1");
    let old = client(&mut v, "U-2");
    // Red flags written by an earlier version (no episode opened with them), by this member.
    let me = v.member_id();
    v.batch(|b| {
        for (c, days) in [
            (recent, RECENT_RED_FLAG_DAYS - 1),
            (old, RECENT_RED_FLAG_DAYS + 1),
        ] {
            let mut answers = phq9(1, days);
            answers.administered_by = Some(me);
            b.create_child(c, RecordKind::Screening, None, &to_fields(&answers)?)?;
        }
        b.tx.execute("DELETE FROM upgrade_steps", [])?;
        Ok(())
    })
    .expect("old records");
    assert!(v.open_episodes(Utc::now()).expect("open").is_empty());
    let opened = v
        .open_episodes_for_recent_red_flags(Utc::now())
        .expect("upgrade step");
    assert_eq!(opened, 1);
    let open = v.open_episodes(Utc::now()).expect("open");
    assert_eq!(
        open.iter()
            .map(|e| e.subject_code.as_str())
            .collect::<Vec<_>>(),
        ["U-1"],
        "13 days old opens an episode, 15 days old does not"
    );
    assert_eq!(
        v.open_episodes_for_recent_red_flags(Utc::now())
            .expect("again"),
        0,
        "it runs once"
    );
    v.lock();
    v.unlock(PASS).expect("unlock");
    assert_eq!(
        v.open_episodes(Utc::now()).expect("open").len(),
        1,
        "not again at unlock"
    );
}

#[test]
fn an_episode_opened_here_is_signalled_once_and_once_more_when_overdue() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let c = client(&mut v, "S-1");
    let id = v.open_episode(Subject::Client(c)).expect("opened");
    let now = Utc::now();
    let due = v.urgent_signals_due(now).expect("due");
    assert_eq!(
        due,
        [UrgentDue {
            episode: id,
            overdue: false,
            on_call: None
        }]
    );
    v.mark_urgent_signal_sent(id, false, now).expect("sent");
    assert!(v.urgent_signals_due(now).expect("due").is_empty(), "once");
    let late = now + Duration::hours(25);
    let due = v.urgent_signals_due(late).expect("due");
    assert_eq!(due.len(), 1);
    assert!(
        due[0].overdue,
        "past the deadline it is signalled to everyone"
    );
    v.mark_urgent_signal_sent(id, true, late).expect("sent");
    assert!(v.urgent_signals_due(late).expect("due").is_empty());
}

#[test]
fn the_servers_clock_is_followed_within_fourteen_hours_and_never_before_what_it_relayed() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    client(&mut v, "C-1");
    let wall = u64::try_from(Utc::now().timestamp_millis()).expect("after 1970");
    const HOUR: u64 = 3600 * 1000;
    assert!(
        !v.follow_server_clock(wall + 30_000, wall).expect("follow"),
        "within a minute"
    );
    assert!(
        !v.follow_server_clock(wall + 20 * HOUR, wall)
            .expect("follow"),
        "a server twenty hours ahead is not believed"
    );
    assert!(
        !v.follow_server_clock(wall - 2 * HOUR, wall)
            .expect("follow"),
        "nor one earlier than the records it relayed"
    );
    assert!((v.corrected_now() - Utc::now()).num_seconds().abs() < 60);
    assert!(
        v.follow_server_clock(wall + 3 * HOUR, wall)
            .expect("follow"),
        "three hours: a wrong clock"
    );
    let ahead = v.corrected_now() - Utc::now();
    assert!(
        (ahead - Duration::hours(3)).num_seconds().abs() < 60,
        "{ahead}"
    );
}

#[test]
fn a_red_flag_no_episode_followed_still_flags_the_client_in_the_queue() {
    use crate::vault::QueueFilter;
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let c = client(&mut v, "Q-1");
    let n = v.add_note(c, &draft(Some(RiskLevel::Low))).expect("note");
    v.finalise_note(n).expect("finalised");
    // What an older app (or a modified one) writes: the screening without its episode.
    v.batch(|b| {
        b.create_child(c, RecordKind::Screening, None, &to_fields(&phq9(2, 0))?)?;
        Ok(())
    })
    .expect("screening");
    assert!(v.open_episodes(Utc::now()).expect("open").is_empty());
    let queue = v.review_queue(&QueueFilter::default()).expect("queue");
    assert!(
        queue[0].red_flag,
        "the red flag is not lost for want of an episode"
    );
    // An episode opened after it carries the flag from then on (closed, it answers it).
    v.open_episode(Subject::Client(c)).expect("opened");
    assert!(v.review_queue(&QueueFilter::default()).expect("queue")[0].red_flag);
}
