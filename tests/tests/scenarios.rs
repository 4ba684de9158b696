//! Device-and-server scenarios.

use teduh_client::{ClientError, ServerClient};
use teduh_tests::TestServer;

#[test]
fn a_device_reaches_a_real_server_and_recognises_it() {
    let server = TestServer::start();
    let client = ServerClient::new(server.url());
    let v = client.version().expect("version answers");
    assert_eq!(
        v.protocol,
        teduh_protocol::PROTOCOL_VERSION,
        "same protocol on both ends"
    );
    let h = client.health().expect("healthz answers");
    assert_eq!(h.status, "ok");
}

#[test]
fn a_vanished_server_is_reported_as_unreachable_not_as_a_crash() {
    let url = {
        let server = TestServer::start();
        server.url().to_owned()
    };
    // The server (and its runtime) is gone now.
    let err = ServerClient::new(&url)
        .health()
        .expect_err("nobody answers");
    assert!(matches!(err, ClientError::Unreachable { .. }), "{err}");
}
