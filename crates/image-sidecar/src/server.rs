//! The accept loop, with graceful shutdown (stop accepting, let open requests finish) and the
//! bounds that keep clients from exhausting the process: a cap on open connections (more wait
//! in the listen backlog), a small request-head buffer, and timeouts on slow or idle clients.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::http;
use crate::log;
use crate::stall::WriteStallTimeout;
use crate::state::AppState;

/// Request line and headers must fit in this (hyper's smallest allowed buffer is 8 KiB);
/// larger heads get 431.
const MAX_REQUEST_HEAD_BYTES: usize = 16 * 1024;
const MAX_HEADERS: usize = 64;

pub struct Limits {
    pub max_connections: usize,
    /// For the request head, the idle time between requests and a stalled answer.
    pub client_timeout: Duration,
    /// How long open requests may finish after shutdown begins.
    pub grace: Duration,
}

pub async fn serve(listener: TcpListener, state: Arc<AppState>, shutdown: impl Future<Output = ()>, limits: Limits) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut saturated = false;
    tokio::pin!(shutdown);
    loop {
        let slot = match Arc::clone(&slots).try_acquire_owned() {
            Ok(slot) => {
                saturated = false;
                slot
            }
            Err(_) => {
                if !saturated {
                    saturated = true;
                    log::warn(
                        "connection limit reached, new connections wait",
                        json!({"max_connections": limits.max_connections}),
                    );
                }
                tokio::select! {
                    slot = Arc::clone(&slots).acquire_owned() => match slot {
                        Ok(slot) => slot,
                        Err(_closed) => break, // never closed: it lives here
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let state = Arc::clone(&state);
                    let service = service_fn(move |request| http::handle(Arc::clone(&state), request));
                    let io = TokioIo::new(WriteStallTimeout::new(stream, limits.client_timeout));
                    let connection = http1::Builder::new()
                        .timer(TokioTimer::new())
                        .header_read_timeout(limits.client_timeout)
                        .max_buf_size(MAX_REQUEST_HEAD_BYTES)
                        .max_headers(MAX_HEADERS)
                        .serve_connection(io, service);
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        // A client going away mid-answer is its business, not an error of ours.
                        let _ = connection.await;
                        drop(slot);
                    });
                }
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    log::warn("accept failed", json!({"error": error.to_string()}));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    state.begin_shutdown();
    if tokio::time::timeout(limits.grace, graceful.shutdown()).await.is_err() {
        log::warn("shutdown grace period over, dropping open connections", json!({}));
    }
}
