//! A fault-injecting TCP proxy ([`FaultProxy`]) to put between a device and the sync server, so
//! scenarios can prove that sync survives the links counselors actually have: slow, high-latency,
//! and cut off mid-request.
//!
//! The faults ([`Faults`]) can be changed while connections are live:
//!
//! - **latency**: every chunk is held for the one-way delay before it is forwarded, in each
//!   direction, so a request and its answer cost one round trip of `2 × latency`. The proxy is a
//!   delay line, not a stop-and-wait: latency does not lower throughput below what a TCP window of
//!   about a megabyte allows.
//! - **bandwidth**: a token bucket per direction (up = client to server, down = server to
//!   client) paces writes in small pieces, so a cap of 20 000 B/s turns 20 KB into about a second.
//! - **cuts**: with [`Faults::cut_probability`] a connection is doomed when it is accepted: the
//!   proxy draws a direction and a byte offset up to [`Faults::cut_max_offset`] and, when the
//!   stream in that direction reaches the offset, shuts both sockets down, as when the phone's
//!   radio drops the link. A cut in the *response* ([`Counters::cuts_in_response`]) is the
//!   dangerous one: the server has the whole request and may have stored it (it keeps what it
//!   stored even if the client vanishes), but the client never hears the answer and must retry.
//! - **offline**: the listening socket is closed, so new connections are refused
//!   (`ECONNREFUSED`, as from a server that is gone), and live ones are severed.
//!
//! Cuts come from a seeded PRNG ([`Faults::seed`]): connection *n* (counted from 0 in accept
//! order) meets the same fate on every run with the same seed, so a failing scenario can be
//! replayed.
//!
//! # What a userspace proxy cannot do
//!
//! Packet loss (a 2G link loses around 3% of packets) is not reproducible here: the proxy sits
//! above TCP, which retransmits lost segments, so the application only ever sees loss as extra
//! delay and a smaller congestion window. Emulating it needs the kernel's `netem` queueing
//! discipline on a veth pair into a network namespace; a helper would run a command inside the
//! namespace, with a server listening on the host end:
//!
//! ```text
//! ip netns add teduh2g
//! ip link add teduh2g-h type veth peer name teduh2g-n netns teduh2g
//! ip addr add 10.200.0.1/30 dev teduh2g-h && ip link set teduh2g-h up
//! ip -n teduh2g addr add 10.200.0.2/30 dev teduh2g-n
//! ip -n teduh2g link set teduh2g-n up && ip -n teduh2g link set lo up
//! tc qdisc add dev teduh2g-h root netem delay 400ms rate 40kbit loss 3%        # down
//! tc -n teduh2g qdisc add dev teduh2g-n root netem delay 400ms rate 20kbit loss 3%  # up
//! ip netns exec teduh2g <command>   # reaches the server at 10.200.0.1
//! ip link del teduh2g-h; ip netns del teduh2g
//! ```
//!
//! The development VM's kernel is built without `CONFIG_NET_SCH_NETEM` and without loadable
//! modules (`tc qdisc add ... netem` answers "Specified qdisc kind is unknown"), so there is no
//! `scripts/net-2g.sh` yet. Everything else above works there, and the `tbf` qdisc can cap the rate
//! (`tc qdisc add dev teduh2g-h root tbf rate 40kbit burst 1600 latency 400ms`), but neither
//! delay nor loss is available without netem.
//!
//! The proxy also does not delay the TCP handshake (the client connects to the local proxy
//! instantly), and a cut closes the client's socket (a prompt end of stream) where a real dead
//! link would leave it hanging until a timeout.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError, Weak};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Bytes read from a socket at once (one chunk of the delay line).
const READ_CHUNK: usize = 16 * 1024;
/// Chunks in flight per direction: with [`READ_CHUNK`] about 1 MiB, a TCP window's worth.
const CHUNKS_IN_FLIGHT: usize = 64;
/// Longest uninterrupted sleep, so a severed connection's threads notice promptly.
const SLICE: Duration = Duration::from_millis(10);
/// How long the proxy tries to reach the upstream for each new connection.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The faults a [`FaultProxy`] injects. `Faults::default()` injects none.
///
/// Latency and bandwidth apply to live connections as soon as they change; the cut is drawn when a
/// connection is accepted, with the faults of that moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    /// One-way delay added to every chunk, in each direction (half the round trip).
    pub latency: Duration,
    /// Cap from the server to the client, in bytes per second; `None` for no cap. `Some(0)` stalls
    /// the direction: the link is up but moves nothing.
    pub down_bytes_per_sec: Option<u64>,
    /// Cap from the client to the server, in bytes per second; `None` for no cap. `Some(0)` stalls
    /// the direction.
    pub up_bytes_per_sec: Option<u64>,
    /// Probability (0.0 to 1.0) that a new connection is cut.
    pub cut_probability: f64,
    /// A cut happens at a byte offset drawn uniformly from `0..=cut_max_offset` of the connection's
    /// request stream (client to server) or response stream (server to client); with keep-alive a
    /// stream carries several requests. If that stream is not longer than the offset, the
    /// connection survives.
    pub cut_max_offset: u64,
    /// Refuse every new connection and sever live ones: the server has vanished.
    pub offline: bool,
    /// Seed of the PRNG that decides the cuts.
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency: Duration::ZERO,
            down_bytes_per_sec: None,
            up_bytes_per_sec: None,
            cut_probability: 0.0,
            cut_max_offset: 4096,
            offline: false,
            seed: 0,
        }
    }
}

impl Faults {
    /// A 2G (EDGE) link as counselors in remote areas have it: 40 kbit/s down, 20 kbit/s up,
    /// 400 ms each way (an 800 ms round trip). No cuts; the 3% packet loss of such a link cannot be
    /// reproduced by a proxy (see the [module documentation](crate::proxy)).
    pub fn two_g() -> Self {
        Self {
            latency: Duration::from_millis(400),
            down_bytes_per_sec: Some(40_000 / 8),
            up_bytes_per_sec: Some(20_000 / 8),
            ..Self::default()
        }
    }

    fn cap(&self, direction: Direction) -> Option<u64> {
        match direction {
            Direction::Up => self.up_bytes_per_sec,
            Direction::Down => self.down_bytes_per_sec,
        }
    }
}

/// What a [`FaultProxy`] has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Connections accepted and forwarded (refused ones never reach the proxy).
    pub connections: u64,
    /// Cuts performed: `cuts_in_request + cuts_in_response`.
    pub cuts: u64,
    /// Cuts in the client-to-server stream: the server never got the whole request.
    pub cuts_in_request: u64,
    /// Cuts in the server-to-client stream: the server got the request and may have acted on it,
    /// but the client did not hear the whole answer.
    pub cuts_in_response: u64,
    /// Bytes forwarded from clients to the upstream.
    pub bytes_up: u64,
    /// Bytes forwarded from the upstream to clients.
    pub bytes_down: u64,
}

/// A TCP proxy on 127.0.0.1 that forwards to one upstream (or, as a load balancer, to several in
/// turn, one connection each) while injecting [`Faults`].
///
/// It runs on plain threads with blocking sockets, so synchronous test code can use it directly.
/// Dropping it stops accepting, severs live connections and joins every thread it started.
pub struct FaultProxy {
    shared: Arc<Shared>,
    url: String,
    acceptor: Option<JoinHandle<()>>,
    /// Serialises [`FaultProxy::set_faults`], so the listener's state follows the last call.
    changing: Mutex<()>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` on a free loopback port.
    ///
    /// # Panics
    ///
    /// When no loopback port can be bound or no thread spawned (a test fixture has no better
    /// answer).
    #[allow(clippy::expect_used)]
    pub fn start(upstream: SocketAddr, faults: Faults) -> Self {
        Self::balancing(&[upstream], faults)
    }

    /// Starts a proxy that hands each new connection to the next of `upstreams` in turn (round
    /// robin), as a load balancer in front of several server instances does.
    ///
    /// # Panics
    ///
    /// When `upstreams` is empty, or as [`FaultProxy::start`].
    #[allow(clippy::expect_used)]
    pub fn balancing(upstreams: &[SocketAddr], faults: Faults) -> Self {
        assert!(!upstreams.is_empty(), "a proxy needs an upstream");
        let listener = TcpListener::bind("127.0.0.1:0").expect("the proxy binds a loopback port");
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let offline = faults.offline;
        let shared = Arc::new(Shared {
            addr,
            upstreams: upstreams.to_vec(),
            control: Mutex::new(Control {
                faults,
                listening: true,
                stopping: false,
                rebind_error: None,
            }),
            changed: Condvar::new(),
            counters: AtomicCounters::default(),
            links: Mutex::new(Vec::new()),
        });
        let accepting = Arc::clone(&shared);
        let acceptor = thread::Builder::new()
            .name("fault-proxy-accept".into())
            .spawn(move || accept_loop(&accepting, listener))
            .expect("the proxy starts its accept thread");
        let proxy = Self {
            shared,
            url: format!("http://{addr}"),
            acceptor: Some(acceptor),
            changing: Mutex::new(()),
        };
        if offline {
            proxy.settle();
        }
        proxy
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.shared.addr
    }

    /// The proxy as a base URL, `http://127.0.0.1:<port>`, for the HTTP client.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The faults in force.
    pub fn faults(&self) -> Faults {
        self.shared.faults()
    }

    /// Replaces the faults. Going offline returns once the port refuses connections (live ones
    /// are severed); coming back online returns once it listens again, on the same port.
    ///
    /// # Panics
    ///
    /// When coming back online finds the port taken by another process meanwhile.
    pub fn set_faults(&self, faults: Faults) {
        let _one_at_a_time = lock(&self.changing);
        let offline = faults.offline;
        lock(&self.shared.control).faults = faults;
        self.shared.changed.notify_all();
        if offline {
            self.shared.sever_all();
        }
        self.settle();
    }

    /// The counters so far (each read atomically; read them once traffic has stopped for a
    /// consistent picture).
    pub fn counters(&self) -> Counters {
        let c = &self.shared.counters;
        let cuts_in_request = c.cuts_in_request.load(Ordering::SeqCst);
        let cuts_in_response = c.cuts_in_response.load(Ordering::SeqCst);
        Counters {
            connections: c.connections.load(Ordering::SeqCst),
            cuts: cuts_in_request + cuts_in_response,
            cuts_in_request,
            cuts_in_response,
            bytes_up: c.bytes_up.load(Ordering::SeqCst),
            bytes_down: c.bytes_down.load(Ordering::SeqCst),
        }
    }

    /// Waits until the listener matches the `offline` flag (or the proxy is stopping).
    fn settle(&self) {
        let mut control = lock(&self.shared.control);
        let mut woken = false;
        loop {
            if let Some(error) = &control.rebind_error {
                panic!(
                    "the fault proxy cannot listen on {} again: {error}",
                    self.addr()
                );
            }
            if control.stopping || control.listening != control.faults.offline {
                return;
            }
            if control.listening && !woken {
                // The accept thread is blocked in accept(): a connection wakes it up to see the
                // new faults (the lock is released meanwhile so that it can answer).
                drop(control);
                let _ = TcpStream::connect_timeout(&self.shared.addr, CONNECT_TIMEOUT);
                woken = true;
                control = lock(&self.shared.control);
                continue;
            }
            let (guard, waited) = self
                .shared
                .changed
                .wait_timeout(control, Duration::from_millis(500))
                .unwrap_or_else(PoisonError::into_inner);
            control = guard;
            if waited.timed_out() {
                woken = false; // Knock again, in case the first connection went astray.
            }
        }
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let listening = {
            let mut control = lock(&self.shared.control);
            control.stopping = true;
            control.listening
        };
        self.shared.changed.notify_all();
        if listening {
            let _ = TcpStream::connect_timeout(&self.shared.addr, CONNECT_TIMEOUT);
        }
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        // The accept thread is gone, so no link starts after this.
        let links = std::mem::take(&mut *lock(&self.shared.links));
        for entry in &links {
            if let Some(link) = entry.link.upgrade() {
                link.sever();
            }
        }
        for entry in links {
            for thread in entry.threads {
                let _ = thread.join();
            }
        }
    }
}

/// Client to server (the request) or server to client (the response).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Up,
    Down,
}

/// State shared by the proxy handle, the accept thread and the connection threads.
struct Shared {
    addr: SocketAddr,
    /// Where connections go: connection n to `upstreams[n % len]`.
    upstreams: Vec<SocketAddr>,
    control: Mutex<Control>,
    /// Signalled when `control` changes.
    changed: Condvar,
    counters: AtomicCounters,
    links: Mutex<Vec<LinkEntry>>,
}

struct Control {
    faults: Faults,
    /// Whether the listening socket is open (it is closed while offline).
    listening: bool,
    stopping: bool,
    /// Why the port could not be bound again after being offline.
    rebind_error: Option<String>,
}

#[derive(Default)]
struct AtomicCounters {
    connections: AtomicU64,
    cuts_in_request: AtomicU64,
    cuts_in_response: AtomicU64,
    bytes_up: AtomicU64,
    bytes_down: AtomicU64,
}

struct LinkEntry {
    /// Weak, so a finished connection's sockets close as soon as its threads end.
    link: Weak<Link>,
    threads: Vec<JoinHandle<()>>,
}

impl Shared {
    fn faults(&self) -> Faults {
        lock(&self.control).faults.clone()
    }

    fn count_cut(&self, direction: Direction) {
        let counter = match direction {
            Direction::Up => &self.counters.cuts_in_request,
            Direction::Down => &self.counters.cuts_in_response,
        };
        counter.fetch_add(1, Ordering::SeqCst);
    }

    fn count_bytes(&self, direction: Direction, n: usize) {
        let counter = match direction {
            Direction::Up => &self.counters.bytes_up,
            Direction::Down => &self.counters.bytes_down,
        };
        counter.fetch_add(n as u64, Ordering::SeqCst);
    }

    fn sever_all(&self) {
        for entry in lock(&self.links).iter() {
            if let Some(link) = entry.link.upgrade() {
                link.sever();
            }
        }
    }

    /// Forwards a freshly accepted client to the upstream through four threads: a reader and a
    /// writer per direction, with a bounded channel between them as the delay line.
    fn open_link(self: &Arc<Self>, client: TcpStream, faults: &Faults) {
        let index = self.counters.connections.fetch_add(1, Ordering::SeqCst);
        let cut = Cut::draw(faults, index);
        let target = self.upstreams[usize::try_from(index).unwrap_or(0) % self.upstreams.len()];
        let Ok(upstream) = TcpStream::connect_timeout(&target, CONNECT_TIMEOUT) else {
            return; // Dropping the client closes it: the server is unreachable from here.
        };
        // Small paced writes must leave at once, not wait for Nagle's algorithm.
        let _ = client.set_nodelay(true);
        let _ = upstream.set_nodelay(true);
        let link = Arc::new(Link {
            client,
            upstream,
            closed: AtomicBool::new(false),
        });
        let mut threads = Vec::with_capacity(4);
        let started = self
            .spawn_direction(&link, Direction::Up, cut, &mut threads)
            .and_then(|()| self.spawn_direction(&link, Direction::Down, cut, &mut threads));
        if started.is_err() {
            link.sever();
        }
        {
            let mut links = lock(&self.links);
            links.retain(|entry| !entry.threads.iter().all(JoinHandle::is_finished));
            links.push(LinkEntry {
                link: Arc::downgrade(&link),
                threads,
            });
        }
        // Going offline sets the flag, then severs the registered links: a link registered too
        // late for that must see the flag here.
        if lock(&self.control).faults.offline {
            link.sever();
        }
    }

    fn spawn_direction(
        self: &Arc<Self>,
        link: &Arc<Link>,
        direction: Direction,
        cut: Option<Cut>,
        threads: &mut Vec<JoinHandle<()>>,
    ) -> io::Result<()> {
        let (source, sink) = match direction {
            Direction::Up => (link.client.try_clone()?, link.upstream.try_clone()?),
            Direction::Down => (link.upstream.try_clone()?, link.client.try_clone()?),
        };
        let cut_at = cut
            .filter(|cut| cut.direction == direction)
            .map(|cut| cut.offset);
        let (chunks, delayed) = mpsc::sync_channel(CHUNKS_IN_FLIGHT);
        let name = match direction {
            Direction::Up => "fault-proxy-up",
            Direction::Down => "fault-proxy-down",
        };
        let (shared, reading) = (Arc::clone(self), Arc::clone(link));
        threads.push(
            thread::Builder::new()
                .name(name.into())
                .spawn(move || read_side(&shared, &reading, source, chunks))?,
        );
        let (shared, writing) = (Arc::clone(self), Arc::clone(link));
        threads.push(thread::Builder::new().name(name.into()).spawn(move || {
            write_side(&shared, &writing, direction, cut_at, sink, delayed);
        })?);
        Ok(())
    }
}

/// The accept thread: forwards connections while online; while offline the listener is closed
/// (so the kernel refuses connections) and bound again on the same port when back online.
fn accept_loop(shared: &Arc<Shared>, listener: TcpListener) {
    let mut listener = Some(listener);
    loop {
        let Some(open) = &listener else {
            let mut control = lock(&shared.control);
            while control.faults.offline && !control.stopping {
                control = shared
                    .changed
                    .wait(control)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if control.stopping {
                return;
            }
            match bind_again(shared.addr) {
                Ok(again) => {
                    listener = Some(again);
                    control.listening = true;
                    shared.changed.notify_all();
                }
                Err(e) => {
                    control.rebind_error = Some(e.to_string());
                    shared.changed.notify_all();
                    return;
                }
            }
            continue;
        };
        let accepted = open.accept();
        let faults = {
            let control = lock(&shared.control);
            if control.stopping {
                return;
            }
            control.faults.clone()
        };
        if faults.offline {
            drop(accepted);
            listener = None; // Pending connections in the backlog are reset with it.
            lock(&shared.control).listening = false;
            shared.changed.notify_all();
            continue;
        }
        match accepted {
            Ok((client, _)) => shared.open_link(client, &faults),
            // Out of file descriptors and the like: do not spin.
            Err(_) => thread::sleep(SLICE),
        }
    }
}

/// Binds the proxy's port again; retries briefly in case the old socket is still being released.
fn bind_again(addr: SocketAddr) -> io::Result<TcpListener> {
    let mut attempts = 0;
    loop {
        match TcpListener::bind(addr) {
            Ok(listener) => return Ok(listener),
            Err(e) if attempts >= 40 => return Err(e),
            Err(_) => {
                attempts += 1;
                thread::sleep(Duration::from_millis(25));
            }
        }
    }
}

/// The cut a connection is doomed to, drawn when it is accepted.
#[derive(Debug, Clone, Copy)]
struct Cut {
    direction: Direction,
    /// Bytes of that direction's stream delivered before both sockets are shut down.
    offset: u64,
}

impl Cut {
    /// Connection `index`'s fate depends only on the seed and the index, not on timing.
    fn draw(faults: &Faults, index: u64) -> Option<Self> {
        let mut rng = SplitMix64(faults.seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        if rng.next_f64() >= faults.cut_probability {
            return None;
        }
        let direction = if rng.next_u64() & 1 == 0 {
            Direction::Up
        } else {
            Direction::Down
        };
        let offset = match faults.cut_max_offset.checked_add(1) {
            Some(bound) => rng.next_u64() % bound,
            None => rng.next_u64(),
        };
        Some(Self { direction, offset })
    }
}

/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and good enough to decide faults.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One proxied connection: the two sockets, shut down together when it is cut or severed.
struct Link {
    client: TcpStream,
    upstream: TcpStream,
    closed: AtomicBool,
}

impl Link {
    /// Closes both sides at once; every thread of the link then ends (reads see end of stream,
    /// writes fail, sleeps notice `closed`).
    fn sever(&self) {
        self.closed.store(true, Ordering::SeqCst);
        let _ = self.client.shutdown(Shutdown::Both);
        let _ = self.upstream.shutdown(Shutdown::Both);
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Sleeps for `duration` unless the link is severed meanwhile; false if it was.
    fn pause(&self, duration: Duration) -> bool {
        let end = Instant::now() + duration;
        loop {
            if self.is_closed() {
                return false;
            }
            let now = Instant::now();
            if now >= end {
                return true;
            }
            thread::sleep((end - now).min(SLICE));
        }
    }
}

/// A chunk of the stream and when it may leave (its arrival plus the latency).
struct Chunk {
    due: Instant,
    bytes: Vec<u8>,
}

/// Reads one direction into the delay line. The end of the stream closes the channel, which the
/// writer turns into a half-close; a read error (a reset) severs the link.
fn read_side(shared: &Shared, link: &Link, mut source: TcpStream, chunks: SyncSender<Chunk>) {
    let mut buf = vec![0; READ_CHUNK];
    loop {
        match source.read(&mut buf) {
            Ok(0) => return,
            Ok(n) => {
                let due = Instant::now() + shared.faults().latency;
                let chunk = Chunk {
                    due,
                    bytes: buf[..n].to_vec(),
                };
                if chunks.send(chunk).is_err() {
                    return; // The writer is gone: the link was cut or severed.
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => {
                link.sever();
                return;
            }
        }
    }
}

/// Writes one direction out of the delay line: waits for each chunk's due time, paces it under
/// the bandwidth cap and cuts the link when the stream reaches `cut_at`.
fn write_side(
    shared: &Shared,
    link: &Link,
    direction: Direction,
    cut_at: Option<u64>,
    mut sink: TcpStream,
    delayed: Receiver<Chunk>,
) {
    let mut bucket = TokenBucket::new();
    let mut delivered: u64 = 0;
    while let Ok(chunk) = delayed.recv() {
        if !link.pause(chunk.due.saturating_duration_since(Instant::now())) {
            return;
        }
        let mut rest = &chunk.bytes[..];
        while !rest.is_empty() {
            if link.is_closed() {
                return;
            }
            if cut_at == Some(delivered) {
                // Count first: whoever sees the connection die must find the cut counted.
                shared.count_cut(direction);
                link.sever();
                return;
            }
            let mut n = rest.len();
            if let Some(offset) = cut_at {
                n = n.min(usize::try_from(offset - delivered).unwrap_or(usize::MAX));
            }
            match shared.faults().cap(direction) {
                None => {}
                Some(0) => {
                    // A stalled link: wait for the faults to change.
                    if !link.pause(SLICE) {
                        return;
                    }
                    continue;
                }
                Some(rate) => {
                    n = n.min(piece(rate));
                    if !bucket.take(n, rate, link) {
                        return;
                    }
                }
            }
            if sink.write_all(&rest[..n]).is_err() {
                link.sever();
                return;
            }
            delivered += n as u64;
            shared.count_bytes(direction, n);
            rest = &rest[n..];
        }
    }
    if !link.is_closed() {
        let _ = sink.shutdown(Shutdown::Write);
    }
}

/// Bytes written at once under a cap of `rate` bytes per second: about 50 writes a second, so
/// the stream flows smoothly instead of in bursts.
fn piece(rate: u64) -> usize {
    usize::try_from((rate / 50).clamp(1, 1024)).unwrap_or(1024)
}

/// A token bucket that starts empty and holds at most one [`piece`]: no burst beyond that.
struct TokenBucket {
    tokens: f64,
    refilled: Instant,
}

impl TokenBucket {
    fn new() -> Self {
        Self {
            tokens: 0.0,
            refilled: Instant::now(),
        }
    }

    /// Waits until `n` bytes may pass at `rate` bytes per second and takes them; false if the
    /// link was severed meanwhile.
    fn take(&mut self, n: usize, rate: u64, link: &Link) -> bool {
        let capacity = piece(rate) as f64;
        let rate = rate as f64;
        loop {
            let now = Instant::now();
            let earned = now.duration_since(self.refilled).as_secs_f64() * rate;
            self.tokens = (self.tokens + earned).min(capacity);
            self.refilled = now;
            if self.tokens >= n as f64 {
                self.tokens -= n as f64;
                return true;
            }
            let wait = Duration::from_secs_f64((n as f64 - self.tokens) / rate);
            if !link.pause(wait) {
                return false;
            }
        }
    }
}

/// Locks a mutex; a poisoned one (a panicked test thread) is still usable for the proxy's plain
/// data.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
