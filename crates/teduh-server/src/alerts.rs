//! Content-free alerts outside the app (issue 22, item 4): when a device signals that its team
//! has something urgent, the server tells the on-call supervisor by email or through the
//! organisation's own SMS or WhatsApp gateway (a webhook). The signal names no client and holds
//! no content, and neither does the message: the server could not add any, it reads none.
//!
//! Configured in the server's TOML file (`[alerts]`, see `docs/operations.md`):
//!
//! ```toml
//! [alerts]
//! smtp_host = "127.0.0.1"   # a relay on this machine or network (Postfix...) that does TLS
//! smtp_port = 25
//! from = "teduh@rumah-healing.example"
//! webhook = "http://127.0.0.1:9000/kirim"   # optional: POSTed {"to", "text", "team"} as JSON
//!
//! [[alerts.recipients]]
//! team = 3
//! member = 12          # optional: the supervisor's member id; alerted when she is on call
//! email = "piket@rumah-healing.example"
//! phone = "+62800000000"   # optional: passed to the webhook as "to"
//! ```
//!
//! A signal naming on-call supervisors reaches their recipients (or every recipient of the team
//! when none of them has one); an overdue signal reaches every recipient of the team. Another
//! signal of the same team within [`REPEAT_WINDOW`] (several devices seeing the same overdue
//! episode, a burst of red flags, a device that keeps asking) sends nothing more: at most one
//! message for new episodes and one for overdue ones per team per window. Which signals came
//! recently is kept per process.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use teduh_protocol::sync::UrgentSignal;

/// The same signal for the same team within this window sends nothing more.
pub const REPEAT_WINDOW: Duration = Duration::from_secs(10 * 60);

/// How long one delivery may take before it is given up (the device's request waits for it).
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where alerts go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertConfig {
    /// The SMTP relay's host (plain SMTP: a relay on this machine or network does TLS and
    /// authentication onwards).
    pub smtp_host: Option<String>,
    /// Its port (25 unless set).
    pub smtp_port: Option<u16>,
    /// The sender address of the emails.
    pub from: Option<String>,
    /// A URL the organisation's SMS or WhatsApp gateway listens on: each alert is POSTed to it
    /// as `{"to": phone, "text": ..., "team": id}`.
    pub webhook: Option<String>,
    /// Who is told, per team.
    #[serde(default)]
    pub recipients: Vec<Recipient>,
}

/// One person alerts go to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// The team whose alerts she gets.
    pub team: u64,
    /// Her member id, if she is a supervisor the rota may name.
    pub member: Option<u64>,
    /// Her email address.
    pub email: Option<String>,
    /// Her phone number, for the webhook.
    pub phone: Option<String>,
}

/// What a webhook receives.
#[derive(Debug, Serialize)]
struct WebhookBody<'a> {
    to: &'a str,
    text: &'a str,
    team: u64,
}

/// A signal as the repeat window knows it: the team and whether a deadline passed (not the
/// on-call ids a device names, which it could vary to send without end).
type SignalKey = (u64, bool);

/// The alert sender of one server process.
#[derive(Debug, Default)]
pub struct Alerts {
    config: AlertConfig,
    recent: Mutex<HashMap<SignalKey, Instant>>,
}

impl Alerts {
    /// Alerts configured by `config`.
    pub fn new(config: AlertConfig) -> Self {
        Self {
            config,
            recent: Mutex::default(),
        }
    }

    /// Every recipient of `team`.
    fn of_team(&self, team: u64) -> Vec<&Recipient> {
        self.config
            .recipients
            .iter()
            .filter(|r| r.team == team)
            .collect()
    }

    /// Whom a signal of `team` reaches.
    fn recipients(&self, team: u64, signal: &UrgentSignal) -> Vec<&Recipient> {
        let of_team = self.of_team(team);
        if !signal.overdue {
            let on_call: Vec<&Recipient> = of_team
                .iter()
                .copied()
                .filter(|r| r.member.is_some_and(|m| signal.on_call.contains(&m)))
                .collect();
            if !on_call.is_empty() {
                return on_call;
            }
        }
        of_team
    }

    /// Whether the same signal came within [`REPEAT_WINDOW`] (and notes this one).
    fn repeated(&self, team: u64, signal: &UrgentSignal) -> bool {
        let key = (team, signal.overdue);
        let now = Instant::now();
        let mut recent = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        recent.retain(|_, at| now.duration_since(*at) < REPEAT_WINDOW);
        if recent.contains_key(&key) {
            return true;
        }
        recent.insert(key, now);
        false
    }

    /// Sends the alert of `signal` for `team` (named `team_name`); returns how many messages
    /// went out. A failed delivery is logged and not counted; it never fails the request.
    pub async fn notify(&self, team: u64, team_name: &str, signal: &UrgentSignal) -> u32 {
        if self.repeated(team, signal) {
            return 0;
        }
        let (subject, text) = message(team_name, signal.overdue);
        self.deliver(team, self.recipients(team, signal), &subject, &text)
            .await
    }

    /// Tells every recipient of `team` that the server revoked `device` because a refresh token
    /// of it was presented twice (issue 27, item 3): its tokens were copied. Never
    /// held back by the repeat window: each such revocation is its own event. Returns how many
    /// messages went out.
    pub async fn notify_revoked(&self, team: u64, team_name: &str, device: u64) -> u32 {
        let (subject, text) = revoked_message(team_name, device);
        self.deliver(team, self.of_team(team), &subject, &text)
            .await
    }

    async fn deliver(
        &self,
        team: u64,
        recipients: Vec<&Recipient>,
        subject: &str,
        text: &str,
    ) -> u32 {
        let mut sent = 0;
        for r in recipients {
            if let Some(email) = &r.email {
                match tokio::time::timeout(DELIVERY_TIMEOUT, self.email(email, subject, text)).await
                {
                    Ok(Ok(())) => sent += 1,
                    Ok(Err(e)) => tracing::warn!(team, error = %e, "alert email not sent"),
                    Err(_) => tracing::warn!(team, "alert email timed out"),
                }
            }
            if let (Some(url), Some(phone)) = (&self.config.webhook, &r.phone) {
                match webhook(url, phone, text, team).await {
                    Ok(()) => sent += 1,
                    Err(e) => tracing::warn!(team, error = %e, "alert webhook failed"),
                }
            }
        }
        sent
    }

    async fn email(&self, to: &str, subject: &str, text: &str) -> anyhow::Result<()> {
        use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
        let host = self
            .config
            .smtp_host
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("no smtp_host in [alerts]"))?;
        let from = self
            .config
            .from
            .as_deref()
            .ok_or_else(|| anyhow::anyhow!("no from address in [alerts]"))?;
        let email = Message::builder()
            .from(from.parse()?)
            .to(to.parse()?)
            .subject(subject)
            .body(text.to_owned())?;
        // Plain SMTP to the relay, which carries it on over TLS.
        let mailer = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(self.config.smtp_port.unwrap_or(25))
            .timeout(Some(DELIVERY_TIMEOUT))
            .build();
        mailer.send(email).await?;
        Ok(())
    }
}

async fn webhook(url: &str, phone: &str, text: &str, team: u64) -> anyhow::Result<()> {
    let body = serde_json::to_value(WebhookBody {
        to: phone,
        text,
        team,
    })?;
    let url = url.to_owned();
    tokio::task::spawn_blocking(move || {
        ureq::AgentBuilder::new()
            .timeout(DELIVERY_TIMEOUT)
            .build()
            .post(&url)
            .send_json(body)
            .map(|_| ())
            .map_err(|e| anyhow::anyhow!("{e}"))
    })
    .await?
}

/// The subject and text of an alert: the team's name and what to do, nothing else.
pub fn message(team_name: &str, overdue: bool) -> (String, String) {
    let subject = format!("Teduh: ada hal mendesak di tim {team_name}");
    let what = if overdue {
        "Sebuah episode risiko belum ditanggapi supervisor melewati tenggatnya."
    } else {
        "Sebuah episode risiko baru menunggu tanggapan supervisor piket."
    };
    let text = format!(
        "{what}\nBuka Teduh dan lihat antrean supervisor tim {team_name}.\n\n\
         (Pesan ini sengaja tidak memuat data klien. / This message deliberately holds no \
         client data: open Teduh.)\n"
    );
    (subject, text)
}

/// The subject and text of the alert that a device was revoked for a copied refresh chain.
pub fn revoked_message(team_name: &str, device: u64) -> (String, String) {
    let subject = format!("Teduh: perangkat #{device} di tim {team_name} dicabut otomatis");
    let text = format!(
        "Token pembaruan perangkat #{device} dipakai dua kali: token sinkron perangkat itu \
         kemungkinan disalin. Server mencabut perangkat itu; pemiliknya perlu bergabung lagi \
         dengan undangan perangkat. Periksa daftar perangkat tim {team_name} di Teduh dan \
         bicarakan dengan pemiliknya.\n\n(A refresh token of device #{device} was presented \
         twice, so its tokens were probably copied: the server revoked the device. No client \
         data is in this message.)\n"
    );
    (subject, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> AlertConfig {
        AlertConfig {
            recipients: vec![
                Recipient {
                    team: 1,
                    member: Some(10),
                    email: Some("piket@contoh.test".into()),
                    phone: None,
                },
                Recipient {
                    team: 1,
                    member: Some(11),
                    email: Some("cadangan@contoh.test".into()),
                    phone: None,
                },
                Recipient {
                    team: 2,
                    member: None,
                    email: Some("lain@contoh.test".into()),
                    phone: None,
                },
            ],
            ..AlertConfig::default()
        }
    }

    fn emails(a: &Alerts, team: u64, signal: &UrgentSignal) -> Vec<String> {
        a.recipients(team, signal)
            .into_iter()
            .filter_map(|r| r.email.clone())
            .collect()
    }

    #[test]
    fn a_signal_reaches_the_on_call_supervisor_and_an_overdue_one_the_whole_team() {
        let a = Alerts::new(config());
        let on_call = |ids: Vec<u64>| UrgentSignal {
            on_call: ids,
            overdue: false,
        };
        assert_eq!(emails(&a, 1, &on_call(vec![10])), ["piket@contoh.test"]);
        assert_eq!(
            emails(&a, 1, &on_call(vec![99])),
            ["piket@contoh.test", "cadangan@contoh.test"],
            "nobody on call has an address: the whole team"
        );
        let overdue = UrgentSignal {
            on_call: vec![10],
            overdue: true,
        };
        assert_eq!(emails(&a, 1, &overdue).len(), 2);
        assert_eq!(emails(&a, 2, &on_call(vec![])), ["lain@contoh.test"]);
        assert!(emails(&a, 3, &on_call(vec![])).is_empty());
    }

    #[test]
    fn the_same_signal_within_the_window_is_sent_once() {
        let a = Alerts::new(config());
        let s = UrgentSignal {
            on_call: vec![10],
            overdue: false,
        };
        assert!(!a.repeated(1, &s));
        assert!(a.repeated(1, &s), "a burst makes one message");
        let other_ids = UrgentSignal {
            on_call: vec![11, 12],
            overdue: false,
        };
        assert!(
            a.repeated(1, &other_ids),
            "naming others does not send again"
        );
        assert!(!a.repeated(2, &s), "another team's is its own");
        let overdue = UrgentSignal {
            on_call: vec![10],
            overdue: true,
        };
        assert!(!a.repeated(1, &overdue), "going overdue is news");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn the_webhook_gets_the_phone_and_the_text_and_nothing_about_a_client() {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let got = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("a request");
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .expect("timeout");
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Headers, then the JSON body (small: one read after the headers suffices).
            while !String::from_utf8_lossy(&request).contains("}") {
                let n = stream.read(&mut buf).expect("read");
                if n == 0 {
                    break;
                }
                request.extend_from_slice(&buf[..n]);
            }
            stream
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
                .expect("answer");
            String::from_utf8_lossy(&request).into_owned()
        });
        let a = Alerts::new(AlertConfig {
            webhook: Some(format!("http://127.0.0.1:{port}/kirim")),
            recipients: vec![Recipient {
                team: 4,
                member: Some(10),
                email: None,
                phone: Some("+62800000001".into()),
            }],
            ..AlertConfig::default()
        });
        let signal = UrgentSignal {
            on_call: vec![10],
            overdue: false,
        };
        assert_eq!(
            a.notify(4, "Tim Gateway", &signal).await,
            1,
            "one message sent"
        );
        let request = got.join().expect("the gateway's thread");
        assert!(request.starts_with("POST /kirim"), "{request}");
        let body = &request[request.find('{').expect("a JSON body")..];
        let json: serde_json::Value = serde_json::from_str(body).expect("JSON");
        assert_eq!(json["to"], "+62800000001");
        assert_eq!(json["team"], 4);
        assert!(json["text"]
            .as_str()
            .is_some_and(|t| t.contains("Tim Gateway")));
        assert_eq!(
            json.as_object().map(|o| o.len()),
            Some(3),
            "to, text and team: nothing else"
        );
    }

    #[test]
    fn the_message_names_the_team_and_nothing_else() {
        let (subject, text) = message("Tim Rumah Healing", true);
        assert!(subject.contains("Tim Rumah Healing"));
        assert!(text.contains("tidak memuat data klien"));
    }
}
