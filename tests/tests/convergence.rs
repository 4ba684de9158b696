//! Convergence: five devices (a supervisor, a counselor with two laptops, two more members)
//! and a server; random edits, random partitions (who syncs when), clocks skewed by up to a
//! year. After healing, every device has the identical state, and every text ever written is
//! still there: as the current value or as a visible earlier/conflicting version.

use proptest::prelude::*;
use teduh_core::domain::ClientProfile;
use teduh_core::ids::{ClientId, EntityId, NoteId};
use teduh_protocol::sync::Role;
use teduh_tests::device::{draft, profile, Device};
use teduh_tests::TestServer;

#[derive(Debug, Clone)]
enum Op {
    AddClient(usize),
    EditClient(usize, usize),
    AddNote(usize, usize),
    EditNote(usize, usize),
    Finalise(usize, usize),
    Sync(usize),
}

fn op() -> impl Strategy<Value = Op> {
    let d = 0..5usize;
    let i = 0..8usize;
    prop_oneof![
        2 => d.clone().prop_map(Op::AddClient),
        3 => (d.clone(), i.clone()).prop_map(|(d, i)| Op::EditClient(d, i)),
        3 => (d.clone(), i.clone()).prop_map(|(d, i)| Op::AddNote(d, i)),
        3 => (d.clone(), i.clone()).prop_map(|(d, i)| Op::EditNote(d, i)),
        1 => (d.clone(), i).prop_map(|(d, i)| Op::Finalise(d, i)),
        // The counselor's two laptops editing her notes: the concurrent case that remains.
        3 => (1..3usize, 0..8usize).prop_map(|(d, i)| Op::EditNote(d, i)),
        4 => d.prop_map(Op::Sync),
    ]
}

const DAY_MS: i64 = 24 * 3600 * 1000;

struct World {
    _server: TestServer,
    devices: Vec<Device>,
    /// Every text written: (entity, field, text).
    written: Vec<(EntityId, &'static str, String)>,
    counter: u64,
}

impl World {
    fn new(skews_days: &[i64]) -> Self {
        let server = TestServer::start();
        let team = server.create_team("Tim Konvergensi");
        let url = server.url().to_owned();
        let mut sup = Device::register(&url, &server.invite(&team, Role::Supervisor), "sup");
        let mut c1 = Device::register(&url, &server.invite(&team, Role::Counselor), "kons.1");
        let mut c1b = c1.another_device().expect("second laptop");
        let mut c2 = Device::register(&url, &server.invite(&team, Role::Counselor), "kons.2");
        let mut c3 = Device::register(&url, &server.invite(&team, Role::Outreach), "lapangan.3");
        // The supervisor admits each device (kons.1's second laptop too, by its own safety
        // number); then the clocks go wrong, before anyone writes.
        for d in [&mut c1, &mut c1b, &mut c2, &mut c3] {
            sup.admit(d);
        }
        let mut devices = vec![sup, c1, c1b, c2, c3];
        for (d, days) in devices.iter_mut().zip(skews_days) {
            d.vault.set_clock_offset_ms(days * DAY_MS).expect("skew");
        }
        World {
            _server: server,
            devices,
            written: Vec::new(),
            counter: 0,
        }
    }

    fn token(&mut self, what: &str) -> String {
        self.counter += 1;
        format!("{what}-{}", self.counter)
    }

    fn clients(&mut self, d: usize) -> Vec<ClientId> {
        self.devices[d]
            .vault
            .list_clients()
            .expect("list")
            .into_iter()
            .map(|c| c.id)
            .collect()
    }

    fn notes(&mut self, d: usize) -> Vec<NoteId> {
        let mut out = Vec::new();
        for c in self.clients(d) {
            for n in self.devices[d].vault.notes(c).expect("notes") {
                out.push(n.id);
            }
        }
        out
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::AddClient(d) => {
                let name = self.token("nama");
                let code = self.token("K");
                let id = self.devices[d]
                    .vault
                    .add_client(&profile(&code, &name))
                    .expect("add client");
                self.written.push((id.into(), "name", name));
            }
            Op::EditClient(d, i) => {
                let clients = self.clients(d);
                let Some(&c) = clients.get(i % clients.len().max(1)) else {
                    return;
                };
                let current = self.devices[d].vault.client(c).expect("client");
                let address = self.token("alamat");
                let p = ClientProfile {
                    address: address.clone(),
                    ..current.profile
                };
                self.devices[d]
                    .vault
                    .update_client(c, &p)
                    .expect("edit client");
                self.written.push((c.into(), "address", address));
            }
            Op::AddNote(d, i) => {
                let clients = self.clients(d);
                let Some(&c) = clients.get(i % clients.len().max(1)) else {
                    return;
                };
                let text = self.token("narasi");
                let n = self.devices[d]
                    .vault
                    .add_note(c, &draft(&text))
                    .expect("note");
                self.written.push((n.into(), "narrative", text));
            }
            Op::EditNote(d, i) => {
                let notes = self.notes(d);
                let Some(&n) = notes.get(i % notes.len().max(1)) else {
                    return;
                };
                let text = self.token("suntingan");
                match self.devices[d].vault.edit_note(n, &draft(&text)) {
                    Ok(()) => self.written.push((n.into(), "narrative", text)),
                    // Only the author edits her note: concurrent edits come from her two
                    // laptops (devices 1 and 2).
                    Err(
                        teduh_core::vault::VaultError::NoteFinalised(_)
                        | teduh_core::vault::VaultError::NotAuthor(_),
                    ) => {}
                    Err(e) => panic!("edit note: {e}"),
                }
            }
            Op::Finalise(d, i) => {
                let notes = self.notes(d);
                if let Some(&n) = notes.get(i % notes.len().max(1)) {
                    match self.devices[d].vault.finalise_note(n) {
                        Ok(())
                        | Err(
                            teduh_core::vault::VaultError::NoteFinalised(_)
                            | teduh_core::vault::VaultError::NotAuthor(_),
                        ) => {}
                        Err(e) => panic!("finalise: {e}"),
                    }
                }
            }
            Op::Sync(d) => {
                // A partition: only this device reaches the server now.
                self.devices[d].sync().expect("sync on a working link");
            }
        }
    }

    fn heal(&mut self) {
        for _ in 0..3 {
            for d in &mut self.devices {
                d.sync().expect("sync");
            }
        }
        // A client is read by its workers and the supervisor only (issue 23): the supervisor
        // puts every member on every case, so that every device must end in the same state
        // (records stored unopened until then open when the keys arrive).
        let workers: Vec<u64> = self.devices[1..].iter().map(Device::member).collect();
        let sup = &mut self.devices[0];
        for client in sup.vault.list_clients().expect("list") {
            sup.vault
                .assign_case(client.id, &workers, None)
                .expect("the supervisor assigns");
        }
        for _ in 0..3 {
            for d in &mut self.devices {
                d.sync().expect("sync");
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, max_shrink_iters: 8, ..ProptestConfig::default() })]

    #[test]
    fn five_devices_converge_whatever_the_partitions_and_clocks(
        ops in proptest::collection::vec(op(), 10..60),
        skews in proptest::collection::vec(-365i64..=365, 5),
    ) {
        let mut w = World::new(&skews);
        for o in &ops {
            w.apply(o);
        }
        w.heal();
        let first = w.devices[0].state();
        for (i, d) in w.devices.iter().enumerate() {
            prop_assert!(d.state() == first, "device {} differs from device 0", i);
            prop_assert_eq!(d.vault.pending_count().expect("pending"), 0);
            let held = d.vault.held_records().expect("held");
            prop_assert!(held.is_empty(), "device {} holds {:?}", i, held);
            let alarms = d.vault.security_alarms().expect("alarms");
            prop_assert!(alarms.is_empty(), "device {} raised {:?}", i, alarms);
            let reports = d.vault.reported_alarms().expect("reports");
            prop_assert!(reports.is_empty(), "device {} was sent {:?}", i, reports);
        }
        let written = w.written.clone();
        for d in &mut w.devices {
            for (entity, field, text) in &written {
                let history = d.vault.field_history(*entity).expect("history");
                prop_assert!(
                    history.iter().any(|v| v.field == *field && v.value == serde_json::json!(text)),
                    "{} of {} was lost", text, entity
                );
            }
        }
    }
}

/// What the supervisor's review queue shows of a note (its sealed summary) follows the version
/// that wins, whatever order the versions arrive in: a draft edit from the counselor's other
/// laptop, stamped later but outranked by the finalisation, reaches the supervisor last and
/// changes neither the note nor its risk in her queue.
#[test]
fn an_outranked_edit_arriving_last_does_not_change_the_risk_the_queue_shows() {
    use teduh_core::domain::RiskLevel;
    use teduh_core::vault::QueueFilter;
    let server = TestServer::start();
    let (mut sup, mut laptop) = server.supervised_team("Tim Antrean", "sup", "kons");
    let mut other = laptop.another_device().expect("second laptop");
    sup.admit(&mut other);
    let client = laptop
        .vault
        .add_client(&profile("AQ-1", "Klien Antrean"))
        .expect("client");
    let mut note = draft("sesi pertama");
    note.risk = Some(RiskLevel::Low);
    let id = laptop.vault.add_note(client, &note).expect("note");
    laptop.sync().expect("sends the note and wraps the key");
    other.sync().expect("the other laptop receives it");
    // Offline, with its clock a day ahead, the other laptop edits the draft.
    other
        .vault
        .set_clock_offset_ms(DAY_MS)
        .expect("clock ahead");
    note.risk = Some(RiskLevel::High);
    other.vault.edit_note(id, &note).expect("edits the draft");
    laptop.vault.finalise_note(id).expect("finalises");
    laptop.sync().expect("sends the finalisation");
    let risks = |d: &mut Device| -> Vec<(NoteId, Option<RiskLevel>)> {
        d.vault
            .review_queue(&QueueFilter::default())
            .expect("queue")
            .into_iter()
            .map(|i| (i.note, i.risk))
            .collect()
    };
    sup.sync().expect("the supervisor pulls the finalised note");
    assert_eq!(risks(&mut sup), vec![(id, Some(RiskLevel::Low))]);
    other.sync().expect("the other laptop sends its edit");
    sup.sync().expect("the supervisor pulls the edit last");
    assert_eq!(
        risks(&mut sup),
        vec![(id, Some(RiskLevel::Low))],
        "the finalised version outranks the later draft edit"
    );
    laptop.sync().expect("the first laptop pulls the edit too");
    assert_eq!(risks(&mut laptop), risks(&mut sup));
    assert!(laptop.state() == sup.state(), "both hold the same state");
}
