//! Prometheus counters, hand-rolled (a few atomics and one map) to keep the dependency tree
//! small. Rendered by `GET /metrics` in the text exposition format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// (method, route template, status).
type RequestKey = (String, String, u16);

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// A Prometheus histogram: counts per bucket (not cumulative), sum and count.
#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// The server's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Requests by (method, route template, status): count and total seconds.
    requests: Mutex<BTreeMap<RequestKey, (u64, f64)>>,
    /// Latency by (method, route template).
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
    /// Records newly stored by pushes.
    pub records_stored: AtomicU64,
    /// Identical re-sends skipped by pushes.
    pub records_duplicate: AtomicU64,
    /// Records served by pulls.
    pub records_pulled: AtomicU64,
    /// Bytes of push bodies accepted.
    pub push_bytes: AtomicU64,
    /// Bytes of pull bodies served.
    pub pull_bytes: AtomicU64,
    /// Failed logins and registrations.
    pub auth_failures: AtomicU64,
    /// Requests refused by the rate limiter.
    pub rate_limited: AtomicU64,
}

impl Metrics {
    /// Counts one finished request. `route` is the matched route template (never the raw path,
    /// which could carry ids, and never the query string).
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        if let Ok(mut m) = self.requests.lock() {
            let e = m
                .entry((method.to_owned(), route.to_owned(), status))
                .or_insert((0, 0.0));
            e.0 += 1;
            e.1 += elapsed.as_secs_f64();
        }
        if let Ok(mut h) = self.latency.lock() {
            let secs = elapsed.as_secs_f64();
            let e = h.entry((method.to_owned(), route.to_owned())).or_default();
            if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
                e.buckets[i] += 1;
            }
            e.sum += secs;
            e.count += 1;
        }
    }

    /// Adds `n` to a counter.
    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let counters = [
            (
                "teduh_records_stored_total",
                "Records newly stored by pushes.",
                &self.records_stored,
            ),
            (
                "teduh_records_duplicate_total",
                "Identical re-sent records skipped.",
                &self.records_duplicate,
            ),
            (
                "teduh_records_pulled_total",
                "Records served by pulls.",
                &self.records_pulled,
            ),
            (
                "teduh_push_bytes_total",
                "Bytes of accepted push bodies.",
                &self.push_bytes,
            ),
            (
                "teduh_pull_bytes_total",
                "Bytes of served pull bodies.",
                &self.pull_bytes,
            ),
            (
                "teduh_auth_failures_total",
                "Failed logins and registrations.",
                &self.auth_failures,
            ),
            (
                "teduh_rate_limited_total",
                "Requests refused by the rate limiter.",
                &self.rate_limited,
            ),
        ];
        for (name, help, c) in counters {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", c.load(Ordering::Relaxed));
        }
        let _ = writeln!(
            out,
            "# HELP teduh_http_requests_total HTTP requests by route and status.\n# TYPE teduh_http_requests_total counter"
        );
        let snapshot: Vec<_> = match self.requests.lock() {
            Ok(m) => m.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            Err(_) => Vec::new(),
        };
        for ((method, route, status), (count, _)) in &snapshot {
            let _ = writeln!(
                out,
                "teduh_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        let _ = writeln!(
            out,
            "# HELP teduh_http_request_seconds_sum Total time spent answering, by route.\n# TYPE teduh_http_request_seconds_sum counter"
        );
        for ((method, route, status), (_, secs)) in &snapshot {
            let _ = writeln!(
                out,
                "teduh_http_request_seconds_sum{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {secs}",
                escape(route)
            );
        }
        let _ = writeln!(
            out,
            "# HELP teduh_http_request_duration_seconds Time to answer, by route.\n# TYPE teduh_http_request_duration_seconds histogram"
        );
        let hist: Vec<_> = match self.latency.lock() {
            Ok(m) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Err(_) => Vec::new(),
        };
        for ((method, route), h) in &hist {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.buckets) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "teduh_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "teduh_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "teduh_http_request_duration_seconds_sum{{{labels}}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "teduh_http_request_duration_seconds_count{{{labels}}} {}",
                h.count
            );
        }
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_lists_counters_and_requests() {
        let m = Metrics::default();
        Metrics::add(&m.records_stored, 3);
        m.observe(
            "POST",
            "/v1/teams/{team}/records",
            200,
            Duration::from_millis(7),
        );
        let text = m.render();
        assert!(text.contains("teduh_records_stored_total 3"), "{text}");
        assert!(
            text.contains(
                "teduh_http_requests_total{method=\"POST\",route=\"/v1/teams/{team}/records\",status=\"200\"} 1"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "teduh_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/teams/{team}/records\",le=\"0.005\"} 0"
            ),
            "7 ms is above the first bucket: {text}"
        );
        assert!(
            text.contains(
                "teduh_http_request_duration_seconds_bucket{method=\"POST\",route=\"/v1/teams/{team}/records\",le=\"0.01\"} 1"
            ),
            "buckets are cumulative: {text}"
        );
        assert!(text.contains("le=\"+Inf\"} 1"), "{text}");
    }
}
