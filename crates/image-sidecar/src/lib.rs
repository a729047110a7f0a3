//! The image sidecar: owns the daily picture's volume, refreshes the picture once per interval
//! and serves it over HTTP to the stateless `daily-photo` component. See README.md.

pub mod config;
mod fetch;
mod http;
mod image;
mod log;
mod media;
mod metrics;
mod placeholder;
mod refresh;
mod server;
mod state;
mod store;

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use config::Config;
pub use http::PLACEHOLDER_HEADER;

use crate::store::{Loaded, Store};

/// Runs until `shutdown` completes: takes the volume's lock, loads the stored picture, then
/// serves while refreshing in the background.
pub async fn run(config: Config, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
    let store = Arc::new(Store::open(&config.data_dir)?);
    let stored = match store.load() {
        Loaded::Image(image) => Some(image),
        Loaded::Empty => None,
        Loaded::Discarded(reason) => {
            log::warn("discarded the stored picture, fetching a new one", json!({"reason": reason}));
            None
        }
    };
    let state = Arc::new(state::AppState::new(stored, placeholder::image(), config.source_url.to_string()));
    let listener =
        TcpListener::bind(config.listen).await.with_context(|| format!("cannot listen on {} (IMAGE_LISTEN)", config.listen))?;
    let served = state.current();
    log::info("image-sidecar listening", json!({
        "listen": config.listen.to_string(), "data_dir": config.data_dir.display().to_string(),
        "source": config.source_url.as_str(), "placeholder": served.placeholder, "sha256": served.image.meta.sha256,
    }));

    let (stop_refresh, refresh_stopped) = watch::channel(());
    let schedule = refresh::Schedule {
        interval: config.refresh_interval,
        retry_min: config.retry_min,
        retry_max: config.retry_max,
    };
    let fetcher = fetch::Fetcher::new(&config)?;
    let refresher = tokio::spawn(refresh::run(Arc::clone(&state), store, fetcher, schedule, refresh_stopped));

    server::serve(listener, state, shutdown, config.shutdown_timeout).await;
    let _ = stop_refresh.send(());
    let _ = refresher.await;
    log::info("image-sidecar stopped", json!({}));
    Ok(())
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
