//! What the server shows and the refresher updates: the current picture and the refresh status.
//! Readers only clone an `Arc`, so a download never holds up serving.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::SystemTime;

use crate::image::Image;
use crate::metrics::Metrics;

/// The picture being served, with its HTTP validators computed once.
pub struct Served {
    pub image: Image,
    pub placeholder: bool,
    pub etag: String,
    pub last_modified: String,
}

impl Served {
    fn new(image: Image, placeholder: bool) -> Self {
        let etag = format!("\"{}\"", image.meta.sha256);
        let last_modified = httpdate::fmt_http_date(image.meta.fetched_at);
        Served { image, placeholder, etag, last_modified }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RefreshStatus {
    pub next_refresh: Option<SystemTime>,
    pub last_error: Option<String>,
    pub last_error_at: Option<SystemTime>,
    pub consecutive_failures: u32,
}

pub struct AppState {
    pub source: String,
    pub metrics: Metrics,
    current: RwLock<Arc<Served>>,
    refresh: Mutex<RefreshStatus>,
    shutting_down: AtomicBool,
}

impl AppState {
    pub fn new(stored: Option<Image>, placeholder: Image, source: String) -> Self {
        let served = match stored {
            Some(image) => Served::new(image, false),
            None => Served::new(placeholder, true),
        };
        AppState {
            source,
            metrics: Metrics::default(),
            current: RwLock::new(Arc::new(served)),
            refresh: Mutex::new(RefreshStatus::default()),
            shutting_down: AtomicBool::new(false),
        }
    }

    pub fn current(&self) -> Arc<Served> {
        self.current.read().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    /// The stored picture, if one was ever fetched (not the placeholder).
    pub fn stored(&self) -> Option<Image> {
        let served = self.current();
        (!served.placeholder).then(|| served.image.clone())
    }

    pub fn refresh_status(&self) -> RefreshStatus {
        self.refresh.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).clone()
    }

    pub fn replace_image(&self, image: Image, next_refresh: SystemTime) {
        *self.current.write().unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(Served::new(image, false));
        self.update_refresh(|status| {
            status.next_refresh = Some(next_refresh);
            status.consecutive_failures = 0;
        });
    }

    /// Returns the number of consecutive failures, this one included.
    pub fn record_failure(&self, error: String) -> u32 {
        let mut failures = 0;
        self.update_refresh(|status| {
            status.last_error = Some(error);
            status.last_error_at = Some(SystemTime::now());
            status.consecutive_failures += 1;
            failures = status.consecutive_failures;
        });
        failures
    }

    pub fn set_next_refresh(&self, next_refresh: SystemTime) {
        self.update_refresh(|status| status.next_refresh = Some(next_refresh));
    }

    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    pub fn is_ready(&self) -> bool {
        !self.shutting_down.load(Ordering::SeqCst)
    }

    fn update_refresh(&self, change: impl FnOnce(&mut RefreshStatus)) {
        change(&mut self.refresh.lock().unwrap_or_else(|poisoned| poisoned.into_inner()));
    }
}
