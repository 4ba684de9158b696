//! Real commands through real IPC on Tauri's mock runtime (no display needed).

mod common;

use common::{app, invoke, join_form, synthetic_client, window, Desktop, PASSPHRASE};
use tauri::WebviewWindowBuilder;
use teduh_desktop::state::AppState;

#[test]
fn app_info_reports_core_version_and_data_dir() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let info = invoke(&w, "app_info", serde_json::json!({})).expect("app_info answers");
    assert_eq!(info["core_version"], teduh_core::VERSION);
    assert_eq!(info["data_dir"], tmp.path().display().to_string());
    assert_eq!(info["language"], "id", "Bahasa Indonesia by default");
}

#[test]
fn language_choice_persists_across_restarts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    {
        let app = app(tmp.path());
        let w = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .expect("window");
        let saved = invoke(&w, "set_language", serde_json::json!({"language": "en"}))
            .expect("set_language answers");
        assert_eq!(saved, "en");
    }
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let info = invoke(&w, "app_info", serde_json::json!({})).expect("app_info answers");
    assert_eq!(info["language"], "en", "the switch must survive a restart");
}

#[test]
fn unknown_language_is_a_coded_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let err = invoke(&w, "set_language", serde_json::json!({"language": "xx"}))
        .expect_err("must be refused");
    assert_eq!(err["code"], "InvalidInput", "the UI branches on the code");
}

#[test]
fn the_directory_answers_before_any_unlock_and_finds_child_services() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let hits = invoke(
        &w,
        "directory_search",
        serde_json::json!({"query": {"text": "anak"}}),
    )
    .expect("directory_search answers");
    let ids: Vec<&str> = hits
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert!(ids.contains(&"sapa-129"), "{ids:?}");
    let sapa = hits
        .as_array()
        .expect("array")
        .iter()
        .find(|h| h["id"] == "sapa-129")
        .expect("sapa");
    assert_eq!(sapa["whatsapp_url"], "https://wa.me/628111129129");
    assert_eq!(sapa["phones"][0]["tel_url"], "tel:129");
}

#[test]
fn open_contact_refuses_anything_but_phone_and_web_links() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    for url in [
        "file:///etc/passwd",
        "javascript:alert(1)",
        "tel:112 ; rm -rf /",
        // Any https site was accepted before: a phishing page opened from the app.
        "https://evil.example/masuk",
        "https://healing119.id.evil.example",
        "https://wa.me/62811?text=hi",
    ] {
        let err = invoke(&w, "open_contact", serde_json::json!({"url": url}))
            .expect_err("must be refused");
        assert_eq!(err["code"], "InvalidInput", "{url}");
    }
}

#[test]
fn auto_lock_must_stay_between_one_and_120_minutes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    for bad in [0, 121] {
        let err = invoke(&w, "set_auto_lock", serde_json::json!({"minutes": bad}))
            .expect_err("out of range");
        assert_eq!(err["code"], "InvalidInput", "{bad} minutes");
    }
    let ok = invoke(&w, "set_auto_lock", serde_json::json!({"minutes": 10})).expect("10 is fine");
    assert_eq!(ok, 10);
}

#[test]
fn the_passphrase_meter_asks_the_core_which_refuses_what_it_rates_weak() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    for weak in [
        "bismillah123",
        "indonesia1945",
        "sayangku2024",
        "password1234",
    ] {
        let rating = invoke(
            &w,
            "passphrase_strength",
            serde_json::json!({"passphrase": weak}),
        )
        .expect("rating");
        assert_eq!(rating["strength"], "weak", "{weak}");
        assert_eq!(rating["acceptable"], false, "{weak}");
    }
    let rating = invoke(
        &w,
        "passphrase_strength",
        serde_json::json!({"passphrase": PASSPHRASE}),
    )
    .expect("rating");
    assert_eq!(rating["acceptable"], true, "several words");
    let err = invoke(
        &w,
        "vault_create",
        serde_json::json!({"passphrase": "sayangku2024"}),
    )
    .expect_err("the core refuses what its meter calls weak");
    assert_eq!(err["code"], "PassphraseTooWeak");
}

#[test]
fn vault_commands_say_locked_or_not_initialised_instead_of_failing_oddly() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .expect("window");
    let state = invoke(&w, "vault_state", serde_json::json!({})).expect("answers");
    assert_eq!(state["initialised"], false);
    let err =
        invoke(&w, "clients_search", serde_json::json!({"text": ""})).expect_err("no vault yet");
    assert_eq!(err["code"], "NotInitialised");
}

// --- Sync: joining a team and syncing with a real server in-process ---

#[test]
fn sync_status_before_joining_says_not_joined_and_nothing_waits() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = window(&app);
    let s = invoke(&w, "sync_status", serde_json::json!({})).expect("answers before any vault");
    assert_eq!(s["state"], "notJoined");
    assert_eq!(s["joined"], false);
    assert_eq!(s["pending"], 0);
    invoke(
        &w,
        "vault_create",
        serde_json::json!({"passphrase": PASSPHRASE}),
    )
    .expect("vault");
    invoke(&w, "client_create", synthetic_client("K-LOKAL")).expect("client");
    let s = invoke(&w, "sync_status", serde_json::json!({})).expect("answers");
    assert_eq!(s["state"], "notJoined", "a local-only vault never syncs");
    let err = invoke(&w, "sync_now", serde_json::json!({})).expect_err("nothing to sync with");
    assert_eq!(err["code"], "NotJoined");
}

#[test]
fn a_new_member_joins_on_first_run_and_her_writes_wait_until_synced() {
    let server = teduh_tests::TestServer::start();
    let team = server.create_team("Tim Kupang");
    // A supervisor: her own device makes the team key, so her records can be sent at once.
    let code = server.invite(&team, teduh_protocol::sync::Role::Supervisor);
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = window(&app);

    let s = invoke(
        &w,
        "team_join",
        join_form(server.url(), "sup.ani", Some(&code)),
    )
    .expect("joins with the invitation");
    assert_eq!(s["joined"], true);
    assert_eq!(s["username"], "sup.ani");
    assert_eq!(s["role"], "supervisor");
    assert_eq!(s["server_url"], server.url());
    let v = invoke(&w, "vault_state", serde_json::json!({})).expect("state");
    assert_eq!(v["initialised"], true);
    assert_eq!(v["unlocked"], true, "joining leaves the new vault open");

    invoke(&w, "client_create", synthetic_client("K-0001")).expect("client");
    let s = invoke(&w, "sync_status", serde_json::json!({})).expect("status");
    assert!(
        s["pending"].as_u64().unwrap_or(0) >= 1,
        "the new client waits to be sent: {s}"
    );
    assert_eq!(s["state"], "pending", "{s}");

    let s = invoke(&w, "sync_now", serde_json::json!({})).expect("a round runs");
    assert_eq!(s["pending"], 0, "everything reached the server: {s}");
    assert_eq!(s["state"], "synced", "{s}");
    assert_eq!(s["online"], true);
    assert!(s["last_success"].is_string(), "{s}");
    assert!(s["last_error"].is_null(), "{s}");
}

#[test]
fn a_second_computer_joins_with_a_code_from_the_first_and_reads_once_admitted() {
    let server = teduh_tests::TestServer::start();
    let team = server.create_team("Tim Kupang");
    let code = server.invite(&team, teduh_protocol::sync::Role::Supervisor);
    let first_dir = tempfile::tempdir().expect("tempdir");
    let first = app(first_dir.path());
    let w1 = window(&first);
    invoke(
        &w1,
        "team_join",
        join_form(server.url(), "sup.ani", Some(&code)),
    )
    .expect("joins");
    invoke(&w1, "client_create", synthetic_client("K-0042")).expect("client");
    invoke(&w1, "sync_now", serde_json::json!({})).expect("sent");

    let second_dir = tempfile::tempdir().expect("tempdir");
    let second = app(second_dir.path());
    let w2 = window(&second);
    let err = invoke(&w2, "team_join", join_form(server.url(), "sup.ani", None))
        .expect_err("every device joins with a code");
    assert_eq!(err["code"], "InvalidInvitation");
    let v = invoke(&w2, "vault_state", serde_json::json!({})).expect("state");
    assert_eq!(
        v["initialised"], false,
        "a failed join leaves no vault behind"
    );

    let device_code = invoke(&w1, "team_device_code", serde_json::json!({})).expect("a code");
    let device_code = device_code.as_str().expect("a string").to_owned();
    let mut own = join_form(server.url(), "sup.ani", Some(&device_code));
    own["form"]["passphrase"] = "frasa sandi laptop kedua yang panjang".into();
    invoke(&w2, "team_join", own).expect("joins as a further device, with its own passphrase");
    invoke(&w1, "sync_now", serde_json::json!({})).expect("sees it waiting");
    invoke(&w2, "sync_now", serde_json::json!({})).expect("waits");
    let waiting = invoke(&w2, "team_view", serde_json::json!({})).expect("view");
    assert_eq!(waiting["admitted"], false, "{waiting}");
    let rows = invoke(&w2, "clients_search", serde_json::json!({"text": ""})).expect("list");
    assert_eq!(
        rows,
        serde_json::json!([]),
        "nothing reads before admission"
    );
    let number = waiting["safety_numbers"][0]["number"]
        .as_str()
        .expect("a number for her first device")
        .to_owned();
    invoke(
        &w1,
        "team_confirm",
        serde_json::json!({"username": "sup.ani", "safetyNumber": number}),
    )
    .expect("her first device admits it");
    invoke(&w1, "sync_now", serde_json::json!({})).expect("roster");
    let s = invoke(&w2, "sync_now", serde_json::json!({})).expect("pulls");
    assert_eq!(s["state"], "synced", "{s}");
    let rows = invoke(&w2, "clients_search", serde_json::json!({"text": ""})).expect("list");
    let codes: Vec<&str> = rows
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|r| r["code"].as_str())
        .collect();
    assert_eq!(
        codes,
        ["K-0042"],
        "the client written on the first computer arrived"
    );
}

#[test]
fn joining_errors_are_coded_and_leave_the_first_run_screen_as_it_was() {
    let server = teduh_tests::TestServer::start();
    server.create_team("Tim Kupang");
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = window(&app);
    let err = invoke(
        &w,
        "team_join",
        join_form(server.url(), "budi", Some("BUKAN-KODE")),
    )
    .expect_err("unknown invitation");
    assert_eq!(err["code"], "InvalidInvitation");
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        format!("http://{}", l.local_addr().expect("addr"))
    };
    let err = invoke(&w, "team_join", join_form(&closed, "budi", Some("X")))
        .expect_err("nobody listens there");
    assert_eq!(err["code"], "ServerUnreachable");
    let err = invoke(
        &w,
        "team_join",
        join_form("sync.example.org", "budi", Some("X")),
    )
    .expect_err("not an address");
    assert_eq!(err["code"], "InvalidServerUrl");
    // The auth secret and the wrapped keys would cross the network in clear: refused before
    // anything is sent (plain http:// is only for this computer).
    let err = invoke(
        &w,
        "team_join",
        join_form("http://sync.example.org", "budi", Some("X")),
    )
    .expect_err("plain http to another computer");
    assert_eq!(err["code"], "InvalidServerUrl");
    let v = invoke(&w, "vault_state", serde_json::json!({})).expect("state");
    assert_eq!(v["initialised"], false, "no half-made vault");
    assert!(
        std::fs::read_dir(tmp.path())
            .expect("dir")
            .filter_map(Result::ok)
            .all(|e| !e.file_name().to_string_lossy().contains("joining")),
        "no staging files left"
    );
}

#[test]
fn locking_pauses_sync_until_the_vault_is_unlocked_again() {
    let server = teduh_tests::TestServer::start();
    let Desktop {
        app: _app,
        w,
        dir: _tmp,
    } = Desktop::supervisor_joined(&server);
    invoke(&w, "client_create", synthetic_client("K-0007")).expect("client");
    invoke(&w, "vault_lock", serde_json::json!({})).expect("locks");
    let s = invoke(&w, "sync_status", serde_json::json!({})).expect("status");
    assert_eq!(s["state"], "locked", "{s}");
    assert!(
        s["pending"].as_u64().unwrap_or(0) >= 1,
        "still counted while locked: {s}"
    );
    let err = invoke(&w, "sync_now", serde_json::json!({})).expect_err("needs the keys");
    assert_eq!(err["code"], "Locked");
    invoke(
        &w,
        "vault_unlock",
        serde_json::json!({"passphrase": PASSPHRASE}),
    )
    .expect("unlocks");
    let s = invoke(&w, "sync_now", serde_json::json!({})).expect("syncs again");
    assert_eq!(s["pending"], 0, "{s}");
}

#[test]
fn the_background_worker_sends_a_write_by_itself_and_emits_its_status() {
    use tauri::Listener as _;
    let server = teduh_tests::TestServer::start();
    let team = server.create_team("Tim Kupang");
    let code = server.invite(&team, teduh_protocol::sync::Role::Supervisor);
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = window(&app);
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let sink = std::sync::Arc::clone(&seen);
    app.listen_any(teduh_desktop::sync::EVENT, move |e| {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(e.payload()) {
            if let (Ok(mut s), Some(state)) = (sink.lock(), v["state"].as_str()) {
                s.push(state.to_owned());
            }
        }
    });
    teduh_desktop::start_background(app.handle()).expect("worker starts");
    invoke(
        &w,
        "team_join",
        join_form(server.url(), "sup.ani", Some(&code)),
    )
    .expect("joins");
    invoke(&w, "client_create", synthetic_client("K-0099")).expect("client");
    let started = std::time::Instant::now();
    let status = loop {
        let s = invoke(&w, "sync_status", serde_json::json!({})).expect("status");
        if s["state"] == "synced" && s["pending"] == 0 {
            break s;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the worker should send the client a few seconds after the write: {s}"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(status["last_success"].is_string());
    let states = seen.lock().expect("events").clone();
    assert!(
        states.iter().any(|s| s == "syncing") && states.iter().any(|s| s == "synced"),
        "the UI hears each change without polling: {states:?}"
    );
}

#[test]
fn a_round_on_loopback_is_short_and_reports_its_timings() {
    let server = teduh_tests::TestServer::start();
    let Desktop {
        app: _app,
        w,
        dir: _tmp,
    } = Desktop::supervisor_joined(&server);
    let timed = |what: &str| {
        let t = std::time::Instant::now();
        let s = invoke(&w, "sync_now", serde_json::json!({})).expect("round");
        let took = t.elapsed();
        eprintln!("loopback round, {what}: {} ms", took.as_millis());
        assert_eq!(s["state"], "synced", "{s}");
        took
    };
    timed("first (roster, team key)");
    invoke(&w, "client_create", synthetic_client("K-0001")).expect("client");
    let one = timed("one new client");
    let idle = timed("nothing new");
    for i in 0..50 {
        invoke(&w, "client_create", synthetic_client(&format!("K-1{i:03}"))).expect("client");
    }
    timed("50 new clients");
    assert!(
        one < std::time::Duration::from_secs(2) && idle < std::time::Duration::from_secs(2),
        "a loopback round holds the vault for milliseconds, not seconds"
    );
}

#[test]
fn user_commands_during_a_long_round_wait_for_one_local_step_never_for_a_request() {
    use tauri::Manager as _;
    use teduh_tests::proxy::{FaultProxy, Faults};
    let server = teduh_tests::TestServer::start();
    let team = server.create_team("Tim Kupang");
    let code = server.invite(&team, teduh_protocol::sync::Role::Supervisor);
    // A slow uplink makes the round long: many requests of about two seconds each.
    let proxy = FaultProxy::start(server.addr(), Faults::default());
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = window(&app);
    invoke(
        &w,
        "team_join",
        join_form(proxy.url(), "sup.ani", Some(&code)),
    )
    .expect("joins");
    invoke(&w, "sync_now", serde_json::json!({})).expect("team key");
    for i in 0..200 {
        invoke(&w, "client_create", synthetic_client(&format!("K-{i:04}"))).expect("client");
    }
    proxy.set_faults(Faults {
        latency: std::time::Duration::from_millis(20),
        up_bytes_per_sec: Some(16_000),
        ..Faults::default()
    });
    let state = app.state::<AppState>();
    // Half of one request's time: a command that waited for a request in flight takes longer.
    let bound = teduh_desktop::sync::round::TARGET_REQUEST_TIME / 2;
    std::thread::scope(|scope| {
        let round_started = std::time::Instant::now();
        let round = scope.spawn(|| teduh_desktop::sync::round::sync_now(&state));
        // Wait until the round has sent a first page.
        let started = std::time::Instant::now();
        loop {
            let s = invoke(&w, "sync_status", serde_json::json!({})).expect("status");
            if s["progress"]["sent"].as_u64().unwrap_or(0) > 0 {
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "the round should be sending: {s}"
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        // Several commands, spread over more than one request, while the round sends.
        let mut waits = Vec::new();
        for i in 0..6 {
            let t = std::time::Instant::now();
            let found = invoke(
                &w,
                "clients_search",
                serde_json::json!({"text": format!("K-019{i}")}),
            )
            .expect("search");
            waits.push(t.elapsed());
            assert!(found.to_string().contains(&format!("K-019{i}")), "{found}");
            std::thread::sleep(std::time::Duration::from_millis(400));
        }
        let still_running = !round.is_finished();
        let longest = waits.iter().max().copied().unwrap_or_default();
        eprintln!(
            "user commands during a slow round waited {:?} ms (longest {} ms, bound {} ms; round \
             still running: {still_running})",
            waits.iter().map(|w| w.as_millis()).collect::<Vec<_>>(),
            longest.as_millis(),
            bound.as_millis()
        );
        assert!(
            still_running,
            "the commands must have run while the round was sending"
        );
        assert!(
            longest < bound,
            "each command waits for a local step at most, never for a ~2 s request: {waits:?}"
        );
        let s = round.join().expect("round thread").expect("round ends");
        eprintln!(
            "the whole round took {} ms",
            round_started.elapsed().as_millis()
        );
        assert_eq!(s.pending, 0, "the round finished all it had to send: {s:?}");
    });
}

#[test]
fn on_one_computer_she_is_no_supervisor_and_tasks_need_a_title() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let app = app(tmp.path());
    let w = window(&app);
    invoke(
        &w,
        "vault_create",
        serde_json::json!({"passphrase": PASSPHRASE}),
    )
    .expect("vault");
    let client = invoke(&w, "client_create", synthetic_client("K-0201")).expect("client");

    let team = invoke(&w, "team_view", serde_json::json!({})).expect("team");
    assert_eq!(
        team["role"],
        serde_json::Value::Null,
        "not in a team: {team}"
    );
    assert_eq!(team["supervises"], false);

    let err = invoke(
        &w,
        "task_add",
        serde_json::json!({"client": client, "task": {"title": "  ", "due": null}}),
    )
    .expect_err("a task without a title");
    assert_eq!(err["code"], "InvalidInput");
    invoke(
        &w,
        "task_add",
        serde_json::json!({"client": client, "task": {"title": "Telepon klien", "due": "2026-11-30"}}),
    )
    .expect("task");
    let detail = invoke(&w, "client_detail", serde_json::json!({"id": client})).expect("detail");
    assert_eq!(detail["tasks"][0]["task"]["title"], "Telepon klien");

    // Her own finalised note: she may comment, not approve (that is a supervisor's).
    let note = invoke(
        &w,
        "note_save_draft",
        serde_json::json!({"client": client, "note": null, "draft": {"narrative": "sesi"}}),
    )
    .expect("note");
    invoke(&w, "note_finalise", serde_json::json!({"note": note})).expect("finalise");
    let err = invoke(
        &w,
        "review_add",
        serde_json::json!({"note": note, "draft": {"action": "approve", "comment": ""}}),
    )
    .expect_err("approve without the role");
    assert_eq!(err["code"], "NotPermitted");
    let reviews = invoke(&w, "note_reviews", serde_json::json!({"note": note})).expect("reviews");
    assert_eq!(reviews["state"], "waiting");
    let queue = invoke(&w, "review_queue", serde_json::json!({"filter": {}})).expect("queue");
    assert_eq!(queue.as_array().map(Vec::len), Some(1), "{queue}");
}

#[test]
fn a_screening_saved_in_the_app_names_who_administered_it_like_the_cli_does() {
    let d = Desktop::new();
    d.ok(
        "vault_create",
        serde_json::json!({"passphrase": PASSPHRASE}),
    );
    let client = d.ok("client_create", synthetic_client("K-0301"));
    d.ok(
        "note_save_draft",
        serde_json::json!({"client": client, "note": null, "draft": {"narrative": "sesi"}}),
    );
    let answers: serde_json::Map<String, serde_json::Value> = (1..=9)
        .map(|i| (format!("phq9.{i:02}"), serde_json::json!(1)))
        .collect();
    let saved = d.ok(
        "screening_add",
        serde_json::json!({"client": client, "instrument": "phq9", "answers": answers, "language": "id"}),
    );
    assert_eq!(saved["total"], 9, "the saved screening comes back scored");

    let detail = d.ok("client_detail", serde_json::json!({"id": client}));
    let author = &detail["notes"][0]["author"];
    assert!(author.is_string(), "the note names its author: {detail}");
    assert_eq!(
        &detail["screenings"][0]["answers"]["administered_by"], author,
        "the screening names the member who administered it (the CLI records the same)"
    );
}

#[test]
fn a_supervisor_admits_a_counselor_by_the_number_her_screen_shows() {
    let server = teduh_tests::TestServer::start();
    let sup = Desktop::supervisor_joined(&server);
    sup.ok("sync_now", serde_json::json!({}));
    let kons = Desktop::new();
    let code = server.invite("Tim Kupang", teduh_protocol::sync::Role::Counselor);
    kons.ok(
        "team_join",
        join_form(server.url(), "kons.budi", Some(&code)),
    );
    kons.ok("client_create", synthetic_client("K-0301"));

    // She waits: her screen shows one number, for the supervisor; nothing of hers goes out.
    let s = kons.ok("sync_now", serde_json::json!({}));
    assert!(s["pending"].as_u64().unwrap_or(0) >= 1, "{s}");
    let waiting = kons.ok("team_view", serde_json::json!({}));
    assert_eq!(waiting["admitted"], false, "{waiting}");
    let numbers = waiting["safety_numbers"].as_array().expect("numbers");
    assert_eq!(numbers.len(), 1, "{waiting}");
    assert_eq!(numbers[0]["key_manager"], "sup.ani");
    let number = numbers[0]["number"].as_str().expect("a number").to_owned();

    // The supervisor sees her waiting and types what she hears.
    sup.ok("sync_now", serde_json::json!({}));
    let team = sup.ok("team_view", serde_json::json!({}));
    assert_eq!(team["pending"][0]["username"], "kons.budi", "{team}");
    assert_eq!(team["pending"][0]["role"], "counselor");
    // Every digit misheard by one.
    let misheard: String = number
        .chars()
        .map(|ch| {
            ch.to_digit(10)
                .and_then(|d| char::from_digit((d + 1) % 10, 10))
                .unwrap_or(ch)
        })
        .collect();
    let err = sup
        .call(
            "team_confirm",
            serde_json::json!({"username": "kons.budi", "safetyNumber": misheard}),
        )
        .expect_err("a wrong number admits no one");
    assert_eq!(err["code"], "SafetyNumberMismatch", "{err}");
    let team = sup.ok(
        "team_confirm",
        serde_json::json!({"username": "kons.budi", "safetyNumber": number}),
    );
    assert_eq!(
        team["pending"],
        serde_json::json!([]),
        "she no longer waits: {team}"
    );

    // The roster and her key go out with the supervisor's next round.
    sup.ok("sync_now", serde_json::json!({}));
    let s = kons.ok("sync_now", serde_json::json!({}));
    assert_eq!(s["pending"], 0, "her client went out: {s}");
    let admitted = kons.ok("team_view", serde_json::json!({}));
    assert_eq!(admitted["admitted"], true, "{admitted}");
    assert_eq!(admitted["safety_numbers"], serde_json::json!([]));
    let names: Vec<&str> = admitted["members"]
        .as_array()
        .expect("members")
        .iter()
        .filter_map(|m| m["username"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"sup.ani") && names.contains(&"kons.budi"));
    sup.ok("sync_now", serde_json::json!({}));
    let rows = sup.ok("clients_search", serde_json::json!({"text": ""}));
    assert!(
        rows.as_array()
            .expect("array")
            .iter()
            .any(|r| r["code"] == "K-0301"),
        "her client reached the supervisor: {rows}"
    );
}

#[test]
fn an_administrator_makes_the_organisation_key_in_the_app_and_her_roster_names_it() {
    let server = teduh_tests::TestServer::start();
    let team = server.create_team("Tim Kunci");
    let code = server.invite(&team, teduh_protocol::sync::Role::Admin);
    let dir = tempfile::tempdir().expect("tempdir");
    let app = app(dir.path());
    let w = window(&app);
    invoke(
        &w,
        "team_join",
        join_form(server.url(), "admin.ani", Some(&code)),
    )
    .expect("joins");
    invoke(&w, "sync_now", serde_json::json!({})).expect("makes the team");
    let sheet = invoke(&w, "org_key_init", serde_json::json!({})).expect("the key is made");
    let recovery = sheet["recovery_code"].as_str().expect("code");
    assert!(recovery.starts_with("TEDUH-ORG1-"), "{sheet}");
    let again = invoke(&w, "org_key_init", serde_json::json!({})).expect_err("made once");
    assert_eq!(again["code"], "InvalidInput");
    invoke(&w, "sync_now", serde_json::json!({})).expect("the roster names it");
    let view = invoke(&w, "team_view", serde_json::json!({})).expect("view");
    assert_eq!(view["holds_org_key"], true);
    assert_eq!(view["org_fingerprint"], sheet["fingerprint"], "{view}");
    assert_eq!(view["zone"], "WIB", "{view}");
    // She names the organisation and her team's zone; her device signs them.
    let view = invoke(
        &w,
        "org_settings_save",
        serde_json::json!({ "name": "Layanan Psikososial Uji", "zone": "WITA" }),
    )
    .expect("signed");
    assert_eq!(
        (&view["org_name"], &view["zone"]),
        (
            &serde_json::json!("Layanan Psikososial Uji"),
            &serde_json::json!("WITA")
        )
    );
    let refused = invoke(
        &w,
        "org_settings_save",
        serde_json::json!({ "name": "x", "zone": "UTC" }),
    )
    .expect_err("not an Indonesian zone");
    assert_eq!(refused["code"], "InvalidInput");
    // The directory key is now the organisation key: a bundle it signs is applied, one the
    // server's own key signs is not, and the key cannot be set by hand any more.
    let org = teduh_core::team::org::from_recovery_code(recovery).expect("the sheet restores");
    let entries = teduh_directory::seed::seed_bundle().entries;
    let by_org =
        teduh_directory::publish::sign_next(entries.clone(), &org, None, chrono::Utc::now())
            .expect("signs");
    server.publish_directory(2, serde_json::to_vec(&by_org).expect("json"));
    let refreshed = invoke(&w, "directory_refresh", serde_json::json!({})).expect("refresh");
    assert_eq!(refreshed["state"], "updated", "{refreshed}");
    let (server_key, _) =
        teduh_directory::publish::load_or_create_key(&dir.path().join("server-directory.key"))
            .expect("the server's own directory key");
    let by_server =
        teduh_directory::publish::sign_next(vec![], &server_key, Some(2), chrono::Utc::now())
            .expect("signs");
    server.publish_directory(3, serde_json::to_vec(&by_server).expect("json"));
    invoke(&w, "directory_refresh", serde_json::json!({}))
        .expect_err("a bundle the server's key signed is refused");
    let hand = invoke(
        &w,
        "set_directory_key",
        serde_json::json!({ "key": teduh_directory::bundle::public_key_hex(&server_key.verifying_key()), "confirm": true }),
    )
    .expect_err("the roster decides");
    assert_eq!(hand["code"], "NotPermitted");
}
