//! The image sidecar: owns the daily picture's volume, refreshes the picture once per interval
//! and serves it over HTTP to the stateless `daily-photo` component. See README.md.

mod address;
pub mod config;
mod fetch;
mod http;
mod image;
mod log;
mod media;
mod metrics;
mod placeholder;
mod redact;
mod redirect;
mod refresh;
mod server;
mod stall;
mod state;
mod store;
mod trace;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::Config;
pub use http::PLACEHOLDER_HEADER;

use crate::image::Image;
use crate::store::{Loaded, Store};

/// A stored picture that cannot be read is tried again this often before serving without it.
const LOAD_ATTEMPTS: u32 = 3;
const LOAD_RETRY_DELAY: Duration = Duration::from_millis(200);

/// Runs until `shutdown` completes: takes the volume's lock, loads the stored picture, then
/// serves while refreshing in the background.
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let tracing = trace::start(|name| std::env::var(name).ok()).context("cannot set up the OTLP trace exporter")?;
    let store = Arc::new(Store::open(&config.data_dir)?);
    let stored = load_stored(&store).await;
    let shown_source = redact::url(&config.source_url);
    let state = Arc::new(state::AppState::new(stored, placeholder::image(), shown_source.clone()));
    let listener = TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {} (IMAGE_LISTEN)", config.listen))?;
    let served = state.current();
    log::info(
        "image-sidecar listening",
        json!({
            "listen": config.listen.to_string(), "data_dir": config.data_dir.display().to_string(),
            "source": shown_source, "placeholder": served.placeholder, "sha256": served.image.meta.sha256,
            "traces_exported": tracing.is_some(),
        }),
    );

    let (stop_refresh, refresh_stopped) = watch::channel(());
    let schedule = refresh::Schedule {
        interval: config.refresh_interval,
        retry_min: config.retry_min,
        retry_max: config.retry_max,
    };
    let fetcher = fetch::Fetcher::new(&config)?;
    let refresher = tokio::spawn(refresh::run(Arc::clone(&state), store, fetcher, schedule, refresh_stopped));

    let limits = server::Limits {
        max_connections: config.max_connections,
        client_timeout: config.client_timeout,
        grace: config.shutdown_timeout,
    };
    server::serve(listener, state, shutdown, limits).await;
    let _ = stop_refresh.send(());
    let _ = refresher.await;
    if let Some(tracing) = tracing {
        tracing.shutdown().await;
    }
    log::info("image-sidecar stopped", json!({}));
    Ok(())
}

/// The stored picture, if it is intact. A read error may be passing (a volume still attaching,
/// say): it is retried, and even when it persists the picture stays on the volume for the
/// next start; meanwhile the placeholder is served and a new picture fetched.
async fn load_stored(store: &Store) -> Option<Image> {
    for attempt in 1..=LOAD_ATTEMPTS {
        match store.load() {
            Loaded::Image(image) => return Some(image),
            Loaded::Empty => return None,
            Loaded::Discarded(reason) => {
                log::warn("discarded the stored picture, fetching a new one", json!({"reason": reason}));
                return None;
            }
            Loaded::Unreadable(error) if attempt < LOAD_ATTEMPTS => {
                log::warn("cannot read the stored picture, trying again", json!({"error": error, "attempt": attempt}));
                tokio::time::sleep(LOAD_RETRY_DELAY * attempt).await;
            }
            Loaded::Unreadable(error) => {
                log::warn("cannot read the stored picture, serving without it (it is kept)", json!({"error": error}));
            }
        }
    }
    None
}

/// Completes on SIGTERM (Kubernetes) or SIGINT (Ctrl-C).
pub async fn termination_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).expect("install SIGTERM handler");
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
}

/// Logs a fatal error as a JSON line, like every other line this service writes.
pub fn log_fatal(error: &anyhow::Error) {
    log::error("image-sidecar cannot run", json!({"error": format!("{error:#}")}));
}
