use crate::vault::fixtures::{vault, PASS};
use chrono::{Duration, Utc};

use super::read::summary_rows;
use super::*;
use crate::contact::{AgeBand, CallerType, ContactAction, ContactOutcome, ContactPerson, SelfHarm};
use crate::domain::{ConsentGiver, RiskLevel, Sex};
use crate::vault::review::ReviewAction;

const NUMBER: &str = "0812-3456-7890";

/// An anonymous WhatsApp chat of twelve minutes that ended a minute ago.
fn anonymous_chat(minutes_ago: i64) -> ContactEntry {
    let end = Utc::now() - Duration::minutes(minutes_ago);
    ContactEntry {
        channel: Channel::WhatsApp,
        started_at: Some(end - Duration::minutes(12)),
        ended_at: Some(end),
        categories: vec!["psychosocial-distress".into()],
        actions: vec![ContactAction::Listened],
        outcome: Some(ContactOutcome::Resolved),
        summary: "penelepon cemas soal ujian".into(),
        ..ContactEntry::default()
    }
}

fn input(entry: ContactEntry, number: &str) -> ContactInput {
    ContactInput {
        entry,
        caller_number: number.into(),
    }
}

#[test]
fn an_anonymous_contact_is_saved_and_read_back_whole() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let entry = anonymous_chat(1);
    let id = v.add_contact(&input(entry.clone(), "")).expect("saved");
    let read = v.contact(id).expect("read");
    assert_eq!(read.entry, entry);
    assert_eq!(read.entry.caller_type, CallerType::Anonymous);
    assert!(!read.has_number);
    assert!(!read.red_flag);
    assert_eq!(read.volunteer, Some(v.member_id()));
    let list = v.contacts(&ContactFilter::default()).expect("list");
    assert_eq!(list.total, 1);

    // Changed later (the callback made): only the change is written, and it survives a lock.
    let mut later = entry.clone();
    later.summary = "penelepon merasa lebih tenang".into();
    v.update_contact(id, &input(later.clone(), ""))
        .expect("updated");
    v.lock();
    v.unlock(PASS).expect("unlock");
    assert_eq!(v.contact(id).expect("read").entry.summary, later.summary);
    v.check_consistency().expect("the log and the tables agree");
}

#[test]
fn impossible_contacts_are_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let mut backwards = anonymous_chat(1);
    backwards.ended_at = backwards.started_at.map(|s| s - Duration::minutes(5));
    assert!(matches!(
        v.add_contact(&input(backwards, "")),
        Err(VaultError::InvalidInput(m)) if m.contains("before it started")
    ));
    let mut invented = anonymous_chat(1);
    invented.categories = vec!["not-a-category".into()];
    assert!(matches!(
        v.add_contact(&input(invented, "")),
        Err(VaultError::InvalidInput(m)) if m.contains("not-a-category")
    ));
    assert!(matches!(
        v.add_contact(&input(anonymous_chat(1), "0812-ABCD")),
        Err(VaultError::InvalidInput(m)) if m.contains("digits")
    ));
    assert_eq!(
        v.contacts(&ContactFilter::default()).expect("list").total,
        0
    );
    assert_eq!(
        v.outbox(10).expect("outbox").len(),
        0,
        "no record of a refused contact"
    );
}

#[test]
fn a_repeat_caller_is_linked_by_a_hash_that_is_not_her_number() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let first = v
        .add_contact(&input(anonymous_chat(60), NUMBER))
        .expect("first");
    let second = v
        .add_contact(&input(anonymous_chat(30), "+62 812 3456 7890"))
        .expect("second");
    v.add_contact(&input(anonymous_chat(10), "0813 1111 2222"))
        .expect("someone else");

    let earlier = v.previous_contacts("6281234567890", None).expect("lookup");
    let ids: Vec<_> = earlier.iter().map(|c| c.id).collect();
    assert_eq!(ids, vec![second, first], "newest first, both spellings");
    assert!(earlier.iter().all(|c| c.has_number));
    let besides_current = v.previous_contacts(NUMBER, Some(second)).expect("lookup");
    assert_eq!(
        besides_current.len(),
        1,
        "the contact being written is left out"
    );

    // The number is nowhere in the device's database, not even normalised (only sealed
    // bytes and the hash inside them).
    let mut bytes = std::fs::read(dir.path().join("t.sqlite3")).expect("db");
    bytes.extend(std::fs::read(dir.path().join("t.sqlite3-wal")).unwrap_or_default());
    assert!(bytes.len() > 4096, "the database was read");
    for needle in ["81234567890", "0812-3456-7890"] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle} stored in the clear"
        );
    }
}

#[test]
fn a_yes_to_the_self_harm_question_puts_the_contact_in_the_supervisors_queue() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    v.add_contact(&input(anonymous_chat(5), "")).expect("calm");
    let mut crisis = anonymous_chat(1);
    crisis.self_harm = SelfHarm::Yes;
    crisis.risk = Some(RiskLevel::High);
    crisis.categories = vec!["suicide-risk".into()];
    let id = v.add_contact(&input(crisis, "")).expect("crisis");
    assert!(v.contact(id).expect("read").red_flag);
    let queue = v.contact_queue().expect("queue");
    assert_eq!(queue.iter().map(|c| c.id).collect::<Vec<_>>(), vec![id]);
    let flagged = v
        .contacts(&ContactFilter {
            red_flag_only: true,
            ..ContactFilter::default()
        })
        .expect("filter");
    assert_eq!(flagged.total, 1);
    // A comment leaves it waiting; "return" is not something a contact can be.
    v.review_contact(
        id,
        &ReviewDraft {
            action: ReviewAction::Comment,
            comment: "hubungi besok pagi".into(),
        },
    )
    .expect("comment");
    assert_eq!(v.contact_queue().expect("queue").len(), 1);
    assert!(matches!(
        v.review_contact(
            id,
            &ReviewDraft {
                action: ReviewAction::Return,
                comment: "x".into(),
            },
        ),
        Err(VaultError::InvalidInput(_))
    ));
}

#[test]
fn converting_a_caller_keeps_every_contact_in_the_clients_timeline_under_the_clients_key() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let mut named = anonymous_chat(120);
    named.caller_type = CallerType::Myself;
    named.person = ContactPerson {
        name: "Mawar".into(),
        age_band: Some(AgeBand::From18To59),
        sex: Sex::Female,
        city: "Kota Contoh".into(),
    };
    let first = v.add_contact(&input(named.clone(), NUMBER)).expect("first");
    let second = v
        .add_contact(&input(anonymous_chat(5), NUMBER))
        .expect("second");

    let profile = crate::domain::ClientProfile {
        code: "HL-001".into(),
        name: "Mawar".into(),
        estimated_age: Some(30),
        sex: Sex::Female,
        ..Default::default()
    };
    let consent = Consent {
        given_by: ConsentGiver::SelfGiven,
        giver_name: "Mawar".into(),
        purposes: vec!["counseling".into()],
        channel: crate::domain::ConsentChannel::Verbal,
        given_at: Some(Utc::now()),
        ..Default::default()
    };
    let client = v
        .convert_contacts(&[first, second], &profile, &consent)
        .expect("converted");
    assert_eq!(v.client(client).expect("client").profile.code, "HL-001");
    let export = v.export_client(client).expect("export");
    assert_eq!(export.consents.len(), 1, "the verbal consent is recorded");
    assert_eq!(export.cases.len(), 1, "her case is open");
    assert_eq!(
        export.cases[0].details.presenting_problem, "penelepon cemas soal ujian",
        "in the words of the newest contact"
    );
    assert_eq!(export.cases[0].details.assigned_worker, Some(v.member_id()));
    assert_eq!(
        export.contacts.len(),
        2,
        "her access export holds her contacts"
    );

    let timeline = v.client_contacts(client).expect("timeline");
    assert_eq!(timeline.len(), 2, "both contacts in the timeline");
    assert_eq!(
        timeline[0].entry, named,
        "the first contact, whole, oldest first"
    );
    assert!(timeline
        .iter()
        .all(|c| c.client == Some(client) && c.has_number));

    // The originals point to the client and keep what statistics need, not who she is.
    let original = v.contact(first).expect("original");
    assert_eq!(original.converted_to, Some(client));
    assert_eq!(original.entry.person.name, "");
    assert_eq!(original.entry.person.city, "");
    assert_eq!(original.entry.summary, "");
    assert_eq!(original.entry.person.age_band, Some(AgeBand::From18To59));
    assert_eq!(original.entry.categories, named.categories);
    // The list shows the originals only; the copies are the client's.
    assert_eq!(
        v.contacts(&ContactFilter::default()).expect("list").total,
        2
    );
    // Sealed under the client's key: the copies open through the client, and a caller who
    // calls again is seen as this client.
    let again = v.previous_contacts(NUMBER, None).expect("lookup");
    assert!(again.iter().all(|c| c.converted_to == Some(client)));
    assert!(matches!(
        v.convert_contacts(&[first], &profile, &consent),
        Err(VaultError::InvalidInput(m)) if m.contains("already")
    ));

    v.rebuild().expect("rebuild");
    assert_eq!(v.client_contacts(client).expect("timeline").len(), 2);
    assert_eq!(summary_rows(v.store.connection()).expect("rows"), 4);
    v.check_consistency().expect("consistent");
}

#[test]
fn a_child_caller_becomes_a_client_only_with_a_guardians_consent() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let id = v
        .add_contact(&input(anonymous_chat(5), ""))
        .expect("contact");
    let child = crate::domain::ClientProfile {
        code: "HL-ANAK".into(),
        name: "Anak".into(),
        estimated_age: Some(12),
        no_guardian_reason: "belum diketahui".into(),
        ..Default::default()
    };
    let alone = Consent {
        given_by: ConsentGiver::SelfGiven,
        giver_name: "Anak".into(),
        purposes: vec!["counseling".into()],
        given_at: Some(Utc::now()),
        ..Default::default()
    };
    assert!(v.convert_contacts(&[id], &child, &alone).is_err());
    assert!(
        v.client_by_code("HL-ANAK").is_err(),
        "nothing of the refused conversion was written"
    );
    assert_eq!(v.contact(id).expect("contact").converted_to, None);
}

#[test]
fn the_list_filters_by_words_channel_category_and_day() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let mut sms = anonymous_chat(3);
    sms.channel = Channel::Sms;
    sms.summary = "Bantuan SEMBAKO".into();
    sms.categories = vec!["social-assistance".into()];
    v.add_contact(&input(sms, "")).expect("sms");
    v.add_contact(&input(anonymous_chat(2), "")).expect("chat");
    let find = |v: &mut Vault, f: ContactFilter| v.contacts(&f).expect("list").total;
    assert_eq!(
        find(
            &mut v,
            ContactFilter {
                text: "sembako".into(),
                ..Default::default()
            }
        ),
        1
    );
    assert_eq!(
        find(
            &mut v,
            ContactFilter {
                text: "ujian cemas".into(),
                ..Default::default()
            }
        ),
        1
    );
    assert_eq!(
        find(
            &mut v,
            ContactFilter {
                channel: Some(Channel::Sms),
                ..Default::default()
            }
        ),
        1
    );
    assert_eq!(
        find(
            &mut v,
            ContactFilter {
                category: Some("social-assistance".into()),
                ..Default::default()
            }
        ),
        1
    );
    let tomorrow = Utc::now().date_naive() + Duration::days(2);
    assert_eq!(
        find(
            &mut v,
            ContactFilter {
                from: Some(tomorrow),
                ..Default::default()
            }
        ),
        0
    );
    assert_eq!(
        find(
            &mut v,
            ContactFilter {
                limit: 1,
                ..Default::default()
            }
        ),
        2,
        "total beyond the page"
    );
    assert_eq!(
        v.contacts(&ContactFilter {
            limit: 1,
            ..Default::default()
        })
        .expect("page")
        .contacts
        .len(),
        1
    );
}

#[test]
fn the_dashboard_counts_contacts_per_day_line_and_category_and_overdue_callbacks() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let mut with_callback = anonymous_chat(90);
    with_callback.callback = Some(crate::contact::Callback {
        due: Some(Utc::now() - Duration::minutes(30)),
        ..Default::default()
    });
    with_callback.line = Some(crate::contact::ContactLine {
        entry: "sapa-129".into(),
        name: "SAPA 129".into(),
        number: "129".into(),
    });
    let overdue = v.add_contact(&input(with_callback, "")).expect("one");
    v.add_contact(&input(anonymous_chat(1), "")).expect("two");
    let now = Utc::now();
    let today = crate::domain::local_day(now, "Asia/Jakarta");
    let stats = v.contact_stats(today, now).expect("stats");
    assert_eq!(stats.per_day.len(), 7);
    assert_eq!(stats.per_day.iter().map(|d| d.count).sum::<u32>(), 2);
    assert!(stats
        .per_line
        .iter()
        .any(|l| l.key == "SAPA 129" && l.count == 1));
    assert_eq!(stats.per_category[0].key, "psychosocial-distress");
    assert_eq!(stats.per_category[0].count, 2);
    assert_eq!(
        stats
            .callbacks_overdue
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>(),
        vec![overdue]
    );
}

#[test]
fn the_list_follows_every_change_while_unlocked() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let mut entry = anonymous_chat(1);
    entry.summary = String::new();
    let id = v.add_contact(&input(entry.clone(), NUMBER)).expect("saved");
    assert_eq!(
        v.contacts(&ContactFilter::default()).expect("list").total,
        1
    );
    entry.summary = "ditulis belakangan".into();
    v.update_contact(id, &input(entry.clone(), NUMBER))
        .expect("updated");
    let found = v
        .contacts(&ContactFilter {
            text: "belakangan".into(),
            ..ContactFilter::default()
        })
        .expect("list");
    assert_eq!(found.total, 1, "the change is in the list at once");
    let earlier = v.previous_contacts(NUMBER, None).expect("lookup");
    assert_eq!(earlier[0].entry.summary, "ditulis belakangan");
}

#[test]
fn a_comment_on_a_contact_leaves_the_counselors_review_news_readable() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let id = v.add_contact(&input(anonymous_chat(1), "")).expect("saved");
    v.review_contact(
        id,
        &ReviewDraft {
            action: ReviewAction::Comment,
            comment: "telepon balik besok".into(),
        },
    )
    .expect("comment");
    assert_eq!(
        v.review_news().expect("her review news still reads").len(),
        0,
        "a contact's review is not news about her notes"
    );
}

#[test]
fn a_red_flag_once_raised_waits_for_the_supervisor_even_after_a_later_no() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let mut crisis = anonymous_chat(3);
    crisis.self_harm = SelfHarm::Yes;
    let id = v.add_contact(&input(crisis.clone(), "")).expect("saved");
    crisis.self_harm = SelfHarm::No;
    v.update_contact(id, &input(crisis, ""))
        .expect("changed to no");
    let waiting = |v: &mut Vault| {
        v.contact_queue()
            .expect("queue")
            .iter()
            .map(|c| c.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(waiting(&mut v), vec![id], "a 'no' later does not clear it");
    assert!(v.contact(id).expect("read").red_flag);
    v.rebuild().expect("rebuild");
    assert_eq!(waiting(&mut v), vec![id], "nor does a rebuild");
}

#[test]
fn a_converted_contact_keeps_her_words_in_her_record_only_and_its_callback_goes_with_her() {
    let dir = tempfile::tempdir().expect("dir");
    let mut v = vault(dir.path());
    let mut entry = anonymous_chat(90);
    entry.callback = Some(crate::contact::Callback {
        due: Some(Utc::now() - Duration::minutes(10)),
        number_consented: true,
        number: "0812 0000 0009".into(),
        done_at: None,
    });
    let id = v.add_contact(&input(entry.clone(), "")).expect("saved");
    let profile = crate::domain::ClientProfile {
        code: "HL-CB".into(),
        name: "Klien Telepon Balik".into(),
        estimated_age: Some(40),
        ..Default::default()
    };
    let consent = Consent {
        given_by: ConsentGiver::SelfGiven,
        giver_name: "Klien Telepon Balik".into(),
        purposes: vec!["counseling".into()],
        given_at: Some(Utc::now()),
        ..Default::default()
    };
    let client = v
        .convert_contacts(&[id, id], &profile, &consent)
        .expect("converted");
    assert_eq!(
        v.client_contacts(client).expect("timeline").len(),
        1,
        "one copy per contact"
    );
    assert_eq!(v.contact(id).expect("original").entry.callback, None);
    let now = Utc::now();
    let stats = v
        .contact_stats(crate::domain::local_day(now, "Asia/Jakarta"), now)
        .expect("stats");
    assert_eq!(
        stats.callbacks_overdue.len(),
        1,
        "the overdue callback is hers now"
    );
    assert_eq!(stats.callbacks_overdue[0].client, Some(client));
    // A colleague's form left open on the original cannot write her words back into it.
    entry.summary = "ditulis kembali".into();
    assert!(matches!(
        v.update_contact(id, &input(entry, "")),
        Err(VaultError::InvalidInput(m)) if m.contains("became a client")
    ));
    assert_eq!(v.contact(id).expect("original").entry.summary, "");
}
