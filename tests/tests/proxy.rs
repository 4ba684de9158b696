//! The fault-injecting proxy itself, against a tiny request-response upstream (and once against
//! the real server with the real client), so scenarios can trust what it injects.

use std::io::{self, Read as _, Write as _};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use teduh_client::{ClientError, ServerClient};
use teduh_tests::proxy::{Counters, FaultProxy, Faults};
use teduh_tests::TestServer;

/// A request-response server: reads `request_len` bytes (or up to the end of the stream), records
/// them, answers with `response` if the request was complete, then closes. One connection at a
/// time. Its thread stays blocked in `accept` until the test binary exits; it holds nothing else.
struct Upstream {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Vec<u8>>>>,
}

impl Upstream {
    fn start(request_len: usize, response: Vec<u8>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("the upstream binds a port");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let recording = Arc::clone(&received);
        thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut request = Vec::new();
                // A cut request ends early (or with a reset): keep what arrived.
                let _ = (&mut stream)
                    .take(request_len as u64)
                    .read_to_end(&mut request);
                let complete = request.len() == request_len;
                recording.lock().expect("not poisoned").push(request);
                if complete {
                    let _ = stream.write_all(&response);
                }
            }
        });
        Self { addr, received }
    }

    /// The requests received, once there are `n` of them.
    fn wait_for(&self, n: usize) -> Vec<Vec<u8>> {
        eventually("the upstream has seen every connection", || {
            self.received.lock().expect("not poisoned").len() >= n
        });
        self.received.lock().expect("not poisoned").clone()
    }
}

/// Sends `request` and returns whatever comes back before the end of the stream (a cut makes it
/// short). Fails only when the connection cannot be opened.
fn exchange(addr: SocketAddr, request: &[u8]) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    // A cut may close the socket under the write; the short response tells.
    let _ = stream.write_all(request);
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    Ok(response)
}

/// Deterministic filler bytes, different for each `salt`.
fn bytes(len: usize, salt: u64) -> Vec<u8> {
    let mut state = salt.wrapping_mul(6_364_136_223_846_793_005) | 1;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 56) as u8
        })
        .collect()
}

fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn bytes_pass_unchanged_without_faults() {
    let request = bytes(100_000, 1);
    let response = bytes(300_000, 2);
    let upstream = Upstream::start(request.len(), response.clone());
    let proxy = FaultProxy::start(upstream.addr, Faults::default());

    let got = exchange(proxy.addr(), &request).expect("the proxy accepts");

    assert!(got == response, "the response must arrive byte for byte");
    assert!(
        upstream.wait_for(1)[0] == request,
        "the request must arrive byte for byte"
    );
    let want = Counters {
        connections: 1,
        bytes_up: 100_000,
        bytes_down: 300_000,
        ..Counters::default()
    };
    eventually("the counters show one clean exchange", || {
        proxy.counters() == want
    });
}

#[test]
fn a_bandwidth_cap_paces_each_direction_separately() {
    // 20 KB under a 20 KB/s cap takes about a second; both directions run side by side.
    let cases = [
        (
            "up",
            20_000,
            10,
            Faults {
                up_bytes_per_sec: Some(20_000),
                ..Faults::default()
            },
        ),
        (
            "down",
            10,
            20_000,
            Faults {
                down_bytes_per_sec: Some(20_000),
                ..Faults::default()
            },
        ),
    ];
    thread::scope(|scope| {
        for (direction, request_len, response_len, faults) in cases {
            scope.spawn(move || {
                let request = bytes(request_len, 3);
                let response = bytes(response_len, 4);
                let upstream = Upstream::start(request_len, response.clone());
                let proxy = FaultProxy::start(upstream.addr, faults);

                let started = Instant::now();
                let got = exchange(proxy.addr(), &request).expect("the proxy accepts");
                let took = started.elapsed();

                assert!(got == response, "{direction}: a slow link still delivers");
                assert!(
                    took >= Duration::from_millis(800),
                    "{direction}: 20 KB at 20 KB/s must take about a second, took {took:?}"
                );
            });
        }
    });
}

#[test]
fn latency_delays_each_direction() {
    let upstream = Upstream::start(4, b"pong".to_vec());
    let faults = Faults {
        latency: Duration::from_millis(100),
        ..Faults::default()
    };
    let proxy = FaultProxy::start(upstream.addr, faults);

    let started = Instant::now();
    let got = exchange(proxy.addr(), b"ping").expect("the proxy accepts");
    let took = started.elapsed();

    assert_eq!(got, b"pong", "latency delays but does not alter");
    assert!(
        took >= Duration::from_millis(200),
        "a request and its answer each wait the one-way latency, took {took:?}"
    );
}

/// What 200 exchanges of 2 KB each way went through, with a quarter of connections cut within
/// the first 1000 bytes of one direction.
struct CutRun {
    intact: Vec<bool>,
    counters: Counters,
    complete_requests: usize,
}

fn run_with_cuts(seed: u64) -> CutRun {
    const CONNECTIONS: usize = 200;
    let request = bytes(2000, 5);
    let response = bytes(2000, 6);
    let upstream = Upstream::start(request.len(), response.clone());
    let faults = Faults {
        cut_probability: 0.25,
        cut_max_offset: 1000,
        seed,
        ..Faults::default()
    };
    let proxy = FaultProxy::start(upstream.addr, faults);
    let intact = (0..CONNECTIONS)
        .map(|_| exchange(proxy.addr(), &request).expect("the proxy accepts") == response)
        .collect();
    let complete_requests = upstream
        .wait_for(CONNECTIONS)
        .iter()
        .filter(|received| **received == request)
        .count();
    CutRun {
        intact,
        counters: proxy.counters(),
        complete_requests,
    }
}

#[test]
fn cuts_happen_at_the_configured_probability_and_replay_with_the_same_seed() {
    let run = run_with_cuts(42);
    let c = run.counters;
    let failed = run.intact.iter().filter(|ok| !**ok).count() as u64;

    assert_eq!(c.connections, 200, "every exchange is one connection");
    assert!(
        (30..=70).contains(&c.cuts),
        "about a quarter of 200 connections are cut, got {}",
        c.cuts
    );
    assert_eq!(
        c.cuts,
        c.cuts_in_request + c.cuts_in_response,
        "every cut is in the request or in the response"
    );
    assert!(
        c.cuts_in_request > 0 && c.cuts_in_response > 0,
        "both directions get cut: {c:?}"
    );
    assert_eq!(
        failed, c.cuts,
        "every cut fails its exchange (offsets are shorter than both streams), nothing else does"
    );
    assert_eq!(
        run.complete_requests as u64,
        200 - c.cuts_in_request,
        "a cut in the response leaves the server with the whole request"
    );

    let again = run_with_cuts(42);
    assert_eq!(
        again.intact, run.intact,
        "the same seed cuts the same connections"
    );
    assert_eq!(
        again.counters.cuts_in_response, c.cuts_in_response,
        "the same seed cuts the same direction"
    );
    let other = run_with_cuts(43);
    assert_ne!(
        other.intact, run.intact,
        "another seed cuts other connections"
    );
}

#[test]
fn offline_mode_refuses_connections_and_severs_live_ones_until_back_online() {
    let upstream = Upstream::start(4, b"pong".to_vec());
    let offline = Faults {
        offline: true,
        ..Faults::default()
    };
    let proxy = FaultProxy::start(upstream.addr, offline.clone());

    let refused = TcpStream::connect(proxy.addr()).expect_err("an offline proxy refuses");
    assert_eq!(
        refused.kind(),
        io::ErrorKind::ConnectionRefused,
        "offline looks like a server that is gone"
    );

    proxy.set_faults(Faults::default());
    let got = exchange(proxy.addr(), b"ping").expect("back online on the same port");
    assert_eq!(got, b"pong", "an online proxy forwards again");

    // Half a request, so the upstream keeps the connection open, waiting for the rest.
    let mut live = TcpStream::connect(proxy.addr()).expect("the proxy accepts");
    live.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("a read timeout can be set");
    live.write_all(b"pi").expect("half a request is sent");
    eventually("the proxy has accepted the live connection", || {
        proxy.counters().connections == 2
    });
    proxy.set_faults(offline);
    let mut rest = Vec::new();
    match live.read_to_end(&mut rest) {
        Ok(_) => assert!(rest.is_empty(), "a severed link delivers nothing more"),
        Err(e) => assert_eq!(
            e.kind(),
            io::ErrorKind::ConnectionReset,
            "going offline ends live connections promptly"
        ),
    }
    let refused = TcpStream::connect(proxy.addr()).expect_err("offline again");
    assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
    assert_eq!(
        proxy.counters().connections,
        2,
        "refused connections never reach the proxy"
    );
}

#[test]
fn the_real_client_reaches_the_server_over_2g_and_sees_an_offline_one_as_unreachable() {
    let server = TestServer::start();
    let proxy = FaultProxy::start(server.addr(), Faults::two_g());
    let client = ServerClient::new(proxy.url());

    let started = Instant::now();
    client.health().expect("the server answers over 2G");
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(800),
        "a request costs at least the 800 ms round trip of 2G, took {took:?}"
    );

    proxy.set_faults(Faults {
        offline: true,
        ..Faults::two_g()
    });
    let err = client.health().expect_err("nobody answers");
    assert!(matches!(err, ClientError::Unreachable { .. }), "{err}");
}
