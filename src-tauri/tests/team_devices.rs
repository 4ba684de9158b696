//! Two devices of a team on the mock runtime with a real server in-process: conflict revisions
//! after both edited the same field offline, and re-pointing a joined vault when the team's
//! server moves.

mod common;

use common::{join_form, Desktop, PASSPHRASE};
use teduh_protocol::sync::Role;
use teduh_tests::TestServer;

type Device = Desktop;

/// What these tests do on a computer, over the shared [`Desktop`].
trait TeamDevice {
    fn join(&self, url: &str, invitation: Option<&str>);
    fn sync(&self);
    fn profile(&self, client: &str) -> serde_json::Value;
    fn set_address(&self, client: &str, address: &str);
    fn revisions(&self, entity: &str) -> Vec<serde_json::Value>;
}

impl TeamDevice for Desktop {
    fn join(&self, url: &str, invitation: Option<&str>) {
        self.ok("team_join", join_form(url, "sup.ani", invitation));
    }

    fn sync(&self) {
        let s = self.ok("sync_now", serde_json::json!({}));
        assert_eq!(s["state"], "synced", "a round on loopback completes: {s}");
    }

    fn profile(&self, client: &str) -> serde_json::Value {
        self.ok("client_detail", serde_json::json!({"id": client}))["client"]["profile"].clone()
    }

    fn set_address(&self, client: &str, address: &str) {
        let mut p = self.profile(client);
        p["address"] = address.into();
        self.ok(
            "client_update",
            serde_json::json!({"id": client, "profile": p}),
        );
    }

    fn revisions(&self, entity: &str) -> Vec<serde_json::Value> {
        self.ok("revisions_list", serde_json::json!({"entity": entity}))
            .as_array()
            .expect("array")
            .clone()
    }
}

/// The same member on two computers, both synced, with one client.
fn two_laptops(server: &TestServer) -> (Device, Device, String) {
    let team = server.create_team("Tim Kupang");
    let code = server.invite(&team, Role::Supervisor);
    let a = Device::new();
    a.join(server.url(), Some(&code));
    let client = a
        .ok(
            "client_create",
            serde_json::json!({"profile": {"code": "K-0001", "name": "Klien Sintetis", "language": "id"}}),
        )
        .as_str()
        .expect("id")
        .to_owned();
    a.sync();
    let b = Device::new();
    b.join(server.url(), Some(&a.device_code()));
    // The second laptop has keys of its own: the first admits it by its safety number; then it
    // reads the team.
    a.admit(&b, "sup.ani");
    (a, b, client)
}

#[test]
fn an_address_edited_on_two_laptops_offline_shows_the_losing_version_and_can_be_taken_over() {
    let server = TestServer::start();
    let (a, b, client) = two_laptops(&server);
    // Both offline: the first writes, then the second (later: it wins everywhere).
    a.set_address(&client, "Jl. Melati 1");
    std::thread::sleep(std::time::Duration::from_millis(5));
    b.set_address(&client, "Jl. Mawar 2");
    a.sync();
    b.sync();
    a.sync();
    assert_eq!(
        a.profile(&client)["address"],
        "Jl. Mawar 2",
        "the later edit wins"
    );

    let on_a = a.revisions(&client);
    assert_eq!(on_a.len(), 1, "{on_a:?}");
    assert_eq!(on_a[0]["field"], "address");
    assert_eq!(
        on_a[0]["value"], "Jl. Melati 1",
        "the losing version is kept and shown"
    );
    assert_eq!(on_a[0]["current_value"], "Jl. Mawar 2");
    assert_eq!(
        on_a[0]["this_device"], true,
        "it was written on this laptop"
    );

    let on_b = b.revisions(&client);
    assert_eq!(on_b.len(), 1, "{on_b:?}");
    let r = &on_b[0];
    assert_eq!(r["value"], "Jl. Melati 1");
    assert_eq!(r["this_device"], false);
    assert_eq!(
        r["author"], "sup.ani",
        "who wrote it, from the signed roster"
    );
    assert!(r["device_number"].is_u64(), "which device: {r}");
    assert!(r["written_at"].is_string(), "when: {r}");

    // The counselor takes the other version over on the second laptop: a new edit that syncs.
    b.ok(
        "revision_take",
        serde_json::json!({"entity": client, "field": r["field"], "device": r["device"], "seq": r["seq"]}),
    );
    assert_eq!(b.profile(&client)["address"], "Jl. Melati 1");
    assert!(
        b.revisions(&client).is_empty(),
        "neither the taken version nor the one it replaced is still offered"
    );
    let s = b.ok("sync_status", serde_json::json!({}));
    assert!(
        s["pending"].as_u64().unwrap_or(0) >= 1,
        "the take-over waits to be sent: {s}"
    );
    b.sync();
    a.sync();
    assert_eq!(a.profile(&client)["address"], "Jl. Melati 1", "it synced");
    assert!(
        a.revisions(&client).is_empty(),
        "both laptops agree: {:?}",
        a.revisions(&client)
    );
}

#[test]
fn a_finalised_note_shows_the_other_version_read_only_and_it_can_be_dismissed() {
    let server = TestServer::start();
    let (a, b, client) = two_laptops(&server);
    let note = a
        .ok(
            "note_save_draft",
            serde_json::json!({"client": client, "note": null, "draft": {"zone": "Asia/Jakarta", "narrative": "awal"}}),
        )
        .as_str()
        .expect("note id")
        .to_owned();
    a.sync();
    b.sync();
    b.ok(
        "note_save_draft",
        serde_json::json!({"client": client, "note": note, "draft": {"zone": "Asia/Jakarta", "narrative": "dari laptop kedua"}}),
    );
    std::thread::sleep(std::time::Duration::from_millis(5));
    a.ok(
        "note_save_draft",
        serde_json::json!({"client": client, "note": note, "draft": {"zone": "Asia/Jakarta", "narrative": "dari laptop pertama"}}),
    );
    a.ok("note_finalise", serde_json::json!({"note": note}));
    a.sync();
    b.sync();
    a.sync();

    let revisions = a.revisions(&note);
    assert_eq!(revisions.len(), 1, "{revisions:?}");
    let r = &revisions[0];
    assert_eq!(r["field"], "narrative");
    assert_eq!(r["value"], "dari laptop kedua");
    assert_eq!(r["current_value"], "dari laptop pertama");
    let id = serde_json::json!({"entity": note, "field": r["field"], "device": r["device"], "seq": r["seq"]});
    let err = a
        .call("revision_take", id.clone())
        .expect_err("a finalised note is not edited; an addendum is the way");
    assert_eq!(err["code"], "NoteFinalised");
    a.ok("revision_dismiss", id);
    assert!(a.revisions(&note).is_empty(), "dismissed on this laptop");
    assert_eq!(
        b.revisions(&note).len(),
        1,
        "dismissing is this computer's choice; the version is still offered elsewhere"
    );
}

#[test]
fn a_joined_vault_follows_its_team_to_a_new_address_only_if_the_same_team_answers_there() {
    use teduh_tests::proxy::{FaultProxy, Faults};
    let server = TestServer::start();
    let team = server.create_team("Tim Kupang");
    let code = server.invite(&team, Role::Supervisor);
    let d = Device::new();
    d.join(server.url(), Some(&code));
    d.sync();
    let address = |d: &Device| d.ok("sync_status", serde_json::json!({}))["server_url"].clone();

    // Another organisation's server: it answers, but does not know this device.
    let other = TestServer::start();
    other.create_team("Tim Lain");
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        format!("http://{}", l.local_addr().expect("addr"))
    };
    for (url, code) in [
        (other.url(), "ServerMismatch"),
        (closed.as_str(), "ServerUnreachable"),
        ("sync.example.org", "InvalidServerUrl"),
        ("", "InvalidServerUrl"),
    ] {
        let err = d
            .call(
                "set_server_url",
                serde_json::json!({"url": url, "confirm": true}),
            )
            .expect_err("refused");
        assert_eq!(err["code"], code, "{url}: {err}");
        assert_eq!(address(&d), server.url(), "{url}: nothing changed");
    }
    assert_eq!(
        d.ok("app_info", serde_json::json!({}))["server_url"],
        server.url(),
        "Settings shows the team's server"
    );

    // The organisation moved its server: the same server answers at a new address.
    let moved = FaultProxy::start(server.addr(), Faults::default());
    d.ok("vault_lock", serde_json::json!({}));
    let err = d
        .call(
            "set_server_url",
            serde_json::json!({"url": moved.url(), "confirm": true}),
        )
        .expect_err("the device's token is sealed in the vault");
    assert_eq!(err["code"], "Locked");
    d.ok(
        "vault_unlock",
        serde_json::json!({"passphrase": PASSPHRASE}),
    );
    // Moving the team's server is a trust decision: the person confirms it first.
    let err = d
        .call("set_server_url", serde_json::json!({"url": moved.url()}))
        .expect_err("not confirmed");
    assert_eq!(err["code"], "ConfirmationNeeded");
    assert_eq!(
        address(&d),
        server.url(),
        "nothing changed before she confirmed"
    );
    let saved = d.ok(
        "set_server_url",
        serde_json::json!({"url": moved.url(), "confirm": true}),
    );
    assert_eq!(saved, moved.url());
    assert_eq!(address(&d), moved.url(), "the binding follows");
    assert_eq!(
        d.ok("app_info", serde_json::json!({}))["server_url"],
        moved.url()
    );
    let before = server.team_record_count(&team);
    d.ok(
        "client_create",
        serde_json::json!({"profile": {"code": "K-0002", "name": "Klien Sintetis", "language": "id"}}),
    );
    d.sync();
    assert!(
        server.team_record_count(&team) > before,
        "records reach the team's server through the new address"
    );
    // Saving the same address again changes nothing and asks nothing.
    assert_eq!(
        d.ok(
            "set_server_url",
            serde_json::json!({"url": format!("{}/", moved.url())})
        ),
        moved.url()
    );
}
