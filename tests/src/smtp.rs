//! A local SMTP sink for tests (issue 22's alerts): accepts every message on 127.0.0.1 and
//! keeps it, so a test reads exactly what the server would have emailed.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// One message as received: the envelope's recipients and the raw data (headers and body).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// `RCPT TO` addresses.
    pub to: Vec<String>,
    /// Everything between `DATA` and the lone dot.
    pub data: String,
}

/// The sink; it stops with the test process.
pub struct SmtpSink {
    /// Its port on 127.0.0.1.
    pub port: u16,
    messages: Arc<Mutex<Vec<Received>>>,
}

impl SmtpSink {
    /// Starts listening on a free port.
    #[allow(clippy::expect_used)]
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let messages = Arc::new(Mutex::new(Vec::new()));
        let kept = Arc::clone(&messages);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let kept = Arc::clone(&kept);
                std::thread::spawn(move || {
                    let _ = serve(stream, &kept);
                });
            }
        });
        Self { port, messages }
    }

    /// The server's `[alerts]` that mail `email` through this sink for `team`'s alerts.
    pub fn alerts_for(&self, team: u64, email: &str) -> teduh_server::alerts::AlertConfig {
        use teduh_server::alerts::{AlertConfig, Recipient};
        AlertConfig {
            smtp_host: Some("127.0.0.1".into()),
            smtp_port: Some(self.port),
            from: Some("teduh@contoh.test".into()),
            recipients: vec![Recipient {
                team,
                member: None,
                email: Some(email.into()),
                phone: None,
            }],
            ..AlertConfig::default()
        }
    }

    /// The messages received so far.
    pub fn messages(&self) -> Vec<Received> {
        self.messages
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

fn serve(stream: TcpStream, kept: &Mutex<Vec<Received>>) -> std::io::Result<()> {
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    out.write_all(b"220 sink ESMTP\r\n")?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let verb = line.trim_end().to_ascii_uppercase();
        if verb.starts_with("EHLO") || verb.starts_with("HELO") {
            out.write_all(b"250 sink\r\n")?;
        } else if verb.starts_with("RCPT TO:") {
            to.push(
                line.trim_end()[8..]
                    .trim()
                    .trim_matches(['<', '>'])
                    .to_owned(),
            );
            out.write_all(b"250 ok\r\n")?;
        } else if verb == "DATA" {
            out.write_all(b"354 end with .\r\n")?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                data.push_str(&line);
            }
            kept.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Received {
                    to: std::mem::take(&mut to),
                    data,
                });
            out.write_all(b"250 queued\r\n")?;
        } else if verb == "QUIT" {
            out.write_all(b"221 bye\r\n")?;
            return Ok(());
        } else {
            // MAIL FROM, RSET, NOOP...
            out.write_all(b"250 ok\r\n")?;
        }
    }
}
