//! `fault-proxy --upstream HOST:PORT [--profile 2g|none]`: the scenarios' [`FaultProxy`] as a
//! process, for the end-to-end tests of the real app (`tests/e2e/harness.mjs`), which put it
//! between an app and the sync server. It prints `listening <url>` once it accepts connections,
//! then reads profile names on standard input (`2g`, `none`), one per line, to change the link
//! while connections are live; it stops when standard input closes.

use std::io::BufRead as _;
use std::net::SocketAddr;

use teduh_tests::proxy::{FaultProxy, Faults};

fn profile(name: &str) -> Option<Faults> {
    match name.trim() {
        "2g" => Some(Faults::two_g()),
        "none" => Some(Faults::default()),
        _ => None,
    }
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let Some(upstream) = value("--upstream").and_then(|u| u.parse::<SocketAddr>().ok()) else {
        eprintln!("usage: fault-proxy --upstream HOST:PORT [--profile 2g|none]");
        return std::process::ExitCode::from(2);
    };
    let Some(faults) = profile(value("--profile").map_or("none", String::as_str)) else {
        eprintln!("unknown profile: use 2g or none");
        return std::process::ExitCode::from(2);
    };
    let proxy = FaultProxy::start(upstream, faults);
    println!("listening {}", proxy.url());
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        match profile(&line) {
            Some(f) => {
                proxy.set_faults(f);
                println!("profile {}", line.trim());
            }
            None => eprintln!("unknown profile {line:?}: use 2g or none"),
        }
    }
    std::process::ExitCode::SUCCESS
}
