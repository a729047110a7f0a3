//! The background loop: fetch when due, store, swap in; on failure keep the last good picture
//! and retry with exponential backoff and jitter.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::json;
use tokio::sync::watch;

use crate::fetch::Fetcher;
use crate::image::{Image, format_rfc3339};
use crate::log;
use crate::state::AppState;
use crate::store::Store;
use crate::trace::Span;
use opentelemetry::trace::SpanKind;

pub struct Schedule {
    pub interval: Duration,
    pub retry_min: Duration,
    pub retry_max: Duration,
}

pub async fn run(
    state: Arc<AppState>,
    store: Arc<Store>,
    fetcher: Fetcher,
    schedule: Schedule,
    mut shutdown: watch::Receiver<()>,
) {
    // A restart keeps the stored picture until it is due: it never burns a new one.
    let mut due = state.stored().map_or_else(SystemTime::now, |image| image.meta.fetched_at + schedule.interval);
    loop {
        state.set_next_refresh(due);
        let wait = due.duration_since(SystemTime::now()).unwrap_or_default();
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
        let outcome = tokio::select! {
            outcome = fetch_and_store(&fetcher, &store) => outcome,
            _ = shutdown.changed() => return,
        };
        due = match outcome {
            Ok(image) => {
                let next = image.meta.fetched_at + schedule.interval;
                log::info(
                    "fetched a new picture",
                    json!({
                        "sha256": image.meta.sha256, "size": image.meta.size,
                        "content_type": image.meta.content_type, "from": image.meta.source,
                        "next_refresh": format_rfc3339(next),
                    }),
                );
                state.metrics.count_fetch("ok");
                state.replace_image(image, next);
                next
            }
            Err((reason, error)) => {
                state.metrics.count_fetch(reason);
                let failures = state.record_failure(error.clone());
                let delay = retry_delay(failures, schedule.retry_min, schedule.retry_max);
                log::warn(
                    "fetch failed, keeping the current picture",
                    json!({
                        "reason": reason, "error": error, "consecutive_failures": failures,
                        "retry_in_ms": delay.as_millis() as u64, "source": fetcher.shown_source(),
                    }),
                );
                SystemTime::now() + delay
            }
        };
    }
}

/// Downloads and persists; the blocking file work runs off the async workers. Traced as
/// `refresh picture` with the download and the volume write inside.
async fn fetch_and_store(fetcher: &Fetcher, store: &Arc<Store>) -> Result<Image, (&'static str, String)> {
    let refresh = Span::root("refresh picture");
    let outcome = fetch_and_store_in(&refresh, fetcher, store).await;
    if let Err((reason, error)) = &outcome {
        refresh.set("image.fetch.outcome", *reason);
        refresh.fail(error.clone());
    }
    outcome
}

async fn fetch_and_store_in(
    refresh: &Span,
    fetcher: &Fetcher,
    store: &Arc<Store>,
) -> Result<Image, (&'static str, String)> {
    let fetch = refresh.child("fetch picture", SpanKind::Client);
    fetch.set("url.full", fetcher.shown_source().to_owned());
    let image = fetcher.fetch().await.map_err(|error| {
        fetch.fail(error.to_string());
        (error.reason(), error.to_string())
    })?;
    fetch.set("http.response.body.size", image.meta.size as i64);
    drop(fetch);
    let write = refresh.child("store picture", SpanKind::Internal);
    let store = Arc::clone(store);
    let saved = image.clone();
    tokio::task::spawn_blocking(move || store.save(&saved))
        .await
        .map_err(|error| ("storage", error.to_string()))?
        .map_err(|error| ("storage", format!("cannot store the picture: {error}")))
        .inspect_err(|(_, error)| write.fail(error.clone()))?;
    Ok(image)
}

/// Doubles from `min` on each consecutive failure up to `max`, then keeps a random half
/// ("equal jitter") so that many sidecars retrying the same source spread out.
pub fn retry_delay(failures: u32, min: Duration, max: Duration) -> Duration {
    let doublings = failures.saturating_sub(1).min(31);
    let ceiling = min.saturating_mul(1 << doublings).min(max);
    let half = ceiling / 2;
    half + half.mul_f64(fastrand::f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(10);
    const MAX: Duration = Duration::from_secs(3600);

    fn bounds(failures: u32) -> (Duration, Duration) {
        let samples: Vec<Duration> = (0..200).map(|_| retry_delay(failures, MIN, MAX)).collect();
        (*samples.iter().min().unwrap(), *samples.iter().max().unwrap())
    }

    #[test]
    fn delay_doubles_within_its_jitter_band() {
        for (failures, ceiling) in [(1, 10), (2, 20), (3, 40), (6, 320)] {
            let (low, high) = bounds(failures);
            let ceiling = Duration::from_secs(ceiling);
            assert!(low >= ceiling / 2 && high <= ceiling, "failures={failures}: {low:?}..{high:?}");
            assert!(high - low > ceiling / 10, "jitter spreads the delays: {low:?}..{high:?}");
        }
    }

    #[test]
    fn delay_never_exceeds_the_maximum() {
        for failures in [12, 40, u32::MAX] {
            let (low, high) = bounds(failures);
            assert!(low >= MAX / 2 && high <= MAX, "failures={failures}: {low:?}..{high:?}");
        }
    }
}
