//! The HTTP side: listen, route, run one fresh component instance per request, shut down
//! gracefully.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http::uri::{Authority, Scheme};
use http::{Request, Response, StatusCode, Uri};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme as WasiScheme;
use wasmtime_wasi_http::p2::body::HyperOutgoingBody;

use crate::app::App;
use crate::headers::set_spin_headers;
use crate::instance::PreparedComponent;
use crate::limits::GuestLimits;

/// How long a shutdown waits for in-flight requests before dropping them.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// How to start a host.
#[derive(Debug, Clone)]
pub struct HostOptions {
    /// The `spin.toml`; component sources are relative to its directory.
    pub manifest: PathBuf,
    /// Where to listen; port 0 picks a free port (see [`RunningHost::addr`]).
    pub listen: SocketAddr,
    /// Application variable values by name (`db_url`), like `SPIN_VARIABLE_DB_URL`.
    pub variables: HashMap<String, String>,
    /// Bounds on each request's instance (none by default, as in `spin up`).
    pub limits: GuestLimits,
}

/// A host serving in the background of the current tokio runtime.
pub struct RunningHost {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
}

/// Loads the app (compiling its components, checking variables and imports) and starts serving.
pub async fn start(options: HostOptions) -> Result<RunningHost> {
    let HostOptions { manifest, listen, variables, limits } = options;
    // Compiling is CPU-bound: keep it off the async worker threads.
    let app = tokio::task::spawn_blocking(move || App::load(&manifest, &variables, limits)).await??;
    let listener = TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel();
    let server = tokio::spawn(serve(Arc::new(app), listener, stopped));
    Ok(RunningHost { addr, stop: Some(stop), server: Some(server) })
}

impl RunningHost {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting connections and waits for in-flight requests to finish.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
    }
}

impl Drop for RunningHost {
    /// A host dropped without `shutdown` (a failing test) stops at once.
    fn drop(&mut self) {
        if let Some(server) = &self.server {
            server.abort();
        }
    }
}

async fn serve(app: Arc<App>, listener: TcpListener, mut stopped: oneshot::Receiver<()>) {
    let graceful = GracefulShutdown::new();
    let builder = auto::Builder::new(TokioExecutor::new());
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Typically out of file descriptors: back off instead of spinning.
                    eprintln!("devhost: accept failed: {error}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut stopped => break,
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = service_fn(move |request| {
            let app = app.clone();
            async move { handle(&app, request, client).await }
        });
        let connection = graceful.watch(builder.serve_connection(TokioIo::new(stream), service).into_owned());
        tokio::spawn(async move {
            if let Err(error) = connection.await
                && !is_client_gone(&*error)
                && !is_refused_request(&*error)
            {
                eprintln!("devhost: connection from {client}: {error}");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown()).await.is_err() {
        eprintln!("devhost: requests still running after {SHUTDOWN_GRACE:?}, dropping them");
    }
}

/// A client closing its keep-alive connection, or going away mid-request, is routine.
fn is_client_gone(error: &(dyn std::error::Error + 'static)) -> bool {
    error.downcast_ref::<hyper::Error>().is_some_and(|e| e.is_incomplete_message() || e.is_canceled())
        || error
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| matches!(e.kind(), std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::BrokenPipe))
}

/// A request `handle` refused, and logged, by closing the connection. Any hyper user error
/// matches, so a failure while streaming a guest's response body goes unlogged too (known gap).
fn is_refused_request(error: &(dyn std::error::Error + 'static)) -> bool {
    error.downcast_ref::<hyper::Error>().is_some_and(hyper::Error::is_user)
}

/// Answers one request. An `Err` makes hyper close the connection without a response, which
/// is what Spin 3.6 does when it cannot tell the request's authority.
async fn handle(app: &App, mut request: Request<Incoming>, client: SocketAddr) -> Result<Response<HyperOutgoingBody>> {
    let path = request.uri().path().to_owned();
    if let Some(well_known) = path.strip_prefix("/.well-known/spin/") {
        return Ok(match well_known {
            "health" => text_response(StatusCode::OK, "OK"),
            _ => text_response(StatusCode::NOT_FOUND, ""),
        });
    }
    let Some(route) = app.router.route(&path) else {
        return Ok(text_response(StatusCode::NOT_FOUND, ""));
    };
    if let Err(error) = set_absolute_uri(&mut request) {
        eprintln!("devhost: request to {path} dropped: {error:#}");
        return Err(error);
    }
    let component = &app.components[route.component()];
    // Spin turns every header value into a string before it instantiates the component, so
    // one that is not UTF-8 fails the request with an empty 500.
    if let Some(name) = first_non_utf8_header(request.headers()) {
        eprintln!(
            "devhost: component {:?}: request to {path} refused: header {name:?} is not valid UTF-8",
            component.id
        );
        return Ok(text_response(StatusCode::INTERNAL_SERVER_ERROR, ""));
    }
    let uri = request.uri().clone();
    set_spin_headers(request.headers_mut(), &uri, &route, client);

    Ok(match run(component, app, request).await {
        Ok(response) => response,
        Err(error) => {
            eprintln!("devhost: component {:?} failed on {path}: {error:#}", component.id);
            text_response(StatusCode::INTERNAL_SERVER_ERROR, "")
        }
    })
}

fn first_non_utf8_header(headers: &http::HeaderMap) -> Option<&http::HeaderName> {
    headers.iter().find(|(_, value)| std::str::from_utf8(value.as_bytes()).is_err()).map(|(name, _)| name)
}

/// Runs the request through a fresh instance, as Spin does, except that the guest is first
/// polled here rather than in a task of its own: a guest that finishes without waiting (the
/// common case) costs no task spawn. One still streaming its body when the response head is
/// ready goes on in a background task. The guest reports its own failure.
async fn run(
    component: &PreparedComponent,
    app: &App,
    request: Request<Incoming>,
) -> Result<Response<HyperOutgoingBody>> {
    let mut store = component.store(&app.pools, &app.limits);
    let (respond, mut response) = oneshot::channel();
    let mut http = store.data_mut().http();
    let request = http.new_incoming_request(WasiScheme::Http, request)?;
    let response_out = http.new_response_outparam(respond)?;
    let pre = component.pre.clone();
    let id = component.id.clone();
    let mut guest = Box::pin(async move {
        let outcome = async {
            let proxy = pre.instantiate_async(&mut store).await?;
            proxy.wasi_http_incoming_handler().call_handle(&mut store, request, response_out).await
        };
        if let Err(error) = outcome.await {
            // `{:#}`: the error and the guest's frames, not the host's own backtrace.
            eprintln!("devhost: component {id:?} failed: {:#}", anyhow::Error::from(error));
        }
    });

    let response = tokio::select! {
        biased;
        response = &mut response => {
            tokio::spawn(guest);
            response
        }
        () = &mut guest => response.await,
    };
    match response {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(code)) => bail!("the component set an error response: {code:?}"),
        Err(_) => bail!("the component did not produce a response"),
    }
}

/// Gives the request URI the scheme and authority Spin gives it (from `Host` or the URI).
fn set_absolute_uri(request: &mut Request<Incoming>) -> Result<()> {
    let header = request
        .headers()
        .get(http::header::HOST)
        .map(|h| -> Result<Authority> {
            h.to_str()
                .context("'Host' header is not valid UTF-8")?
                .parse()
                .context("'Host' header is not a valid authority")
        })
        .transpose()?;
    let mut parts = request.uri().clone().into_parts();
    let authority = match (header, parts.authority.take()) {
        (None, None) => bail!("no 'Host' header present in request"),
        (Some(a), None) | (None, Some(a)) => a,
        (Some(header), Some(uri)) if header == uri => header,
        (Some(_), Some(_)) => bail!("authority in 'Host' header does not match authority in URI"),
    };
    parts.scheme = Some(Scheme::HTTP);
    parts.authority = Some(authority);
    if parts.path_and_query.is_none() {
        parts.path_and_query = Some(http::uri::PathAndQuery::from_static("/"));
    }
    *request.uri_mut() = Uri::from_parts(parts)?;
    Ok(())
}

fn text_response(status: StatusCode, body: &str) -> Response<HyperOutgoingBody> {
    let body = Full::new(Bytes::copy_from_slice(body.as_bytes())).map_err(|never| match never {}).boxed_unsync();
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response
}
