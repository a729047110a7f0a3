//! Prometheus text exposition of the counters and of the current state.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::state::AppState;

#[derive(Default)]
pub struct Metrics {
    /// Fetch attempts by outcome: `ok` or a failure reason.
    fetches: Mutex<BTreeMap<&'static str, u64>>,
    /// `/image` answers by status code.
    image_responses: Mutex<BTreeMap<u16, u64>>,
}

impl Metrics {
    pub fn count_fetch(&self, outcome: &'static str) {
        *self.fetches.lock().unwrap_or_else(|p| p.into_inner()).entry(outcome).or_default() += 1;
    }

    pub fn count_image_response(&self, status: u16) {
        *self.image_responses.lock().unwrap_or_else(|p| p.into_inner()).entry(status).or_default() += 1;
    }
}

pub fn render(state: &AppState) -> String {
    let mut out = String::new();
    let fetches = state.metrics.fetches.lock().unwrap_or_else(|p| p.into_inner()).clone();
    family(&mut out, "image_sidecar_fetches_total", "counter", "Fetch attempts by outcome.");
    for (outcome, count) in fetches {
        let _ = writeln!(out, "image_sidecar_fetches_total{{outcome=\"{outcome}\"}} {count}");
    }
    let responses = state.metrics.image_responses.lock().unwrap_or_else(|p| p.into_inner()).clone();
    family(&mut out, "image_sidecar_image_responses_total", "counter", "Answers to /image by status code.");
    for (status, count) in responses {
        let _ = writeln!(out, "image_sidecar_image_responses_total{{status=\"{status}\"}} {count}");
    }

    let served = state.current();
    let refresh = state.refresh_status();
    let gauges = [
        (
            "image_sidecar_placeholder",
            "1 while the built-in placeholder is served.",
            u64::from(served.placeholder) as f64,
        ),
        ("image_sidecar_image_bytes", "Size of the served picture.", served.image.meta.size as f64),
        (
            "image_sidecar_image_fetched_timestamp_seconds",
            "When the served picture was fetched.",
            unix_seconds(served.image.meta.fetched_at),
        ),
        (
            "image_sidecar_next_refresh_timestamp_seconds",
            "When the next fetch is due.",
            refresh.next_refresh.map_or(0.0, unix_seconds),
        ),
        (
            "image_sidecar_consecutive_failures",
            "Fetch failures since the last success.",
            f64::from(refresh.consecutive_failures),
        ),
    ];
    for (name, help, value) in gauges {
        family(&mut out, name, "gauge", help);
        let _ = writeln!(out, "{name} {value}");
    }
    out
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn unix_seconds(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH).map_or(0.0, |elapsed| elapsed.as_secs_f64())
}
