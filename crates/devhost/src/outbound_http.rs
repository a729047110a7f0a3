//! `wasi:http/outgoing-handler`: requests only to the component's `allowed_outbound_hosts`;
//! any other is refused with `HttpRequestDenied`, the error code Spin gives.
//!
//! Plain-HTTP requests go through one process-wide pooled client, as in Spin 3.6 (its outbound
//! HTTP pools connections by default), so a component calling the same service on every
//! request reuses a kept-alive connection instead of opening a new one each time. The
//! request's `connect-timeout` reaches the connector through a task-local, because the pooled
//! client has no per-request connect options; like Spin's, it bounds only new connections.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http::Uri;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpStream;
use tokio::time::{Sleep, timeout};
use tower_service::Service;
use wasmtime_wasi_http::{Error, RequestOptions, WasiBody, WasiHttpHooks, default_hooks};

use crate::allowed_hosts::AllowedHosts;

/// Spin's limit for each of the three request timeouts a guest leaves unset.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

pub(crate) struct OutboundHttp {
    pub component_id: Arc<str>,
    pub allowed: Arc<AllowedHosts>,
    pub client: PooledClient,
}

/// The keep-alive connections of every component, by host and port; cheap to clone.
pub(crate) type PooledClient = Client<Connector, WasiBody>;

pub(crate) fn pooled_client() -> PooledClient {
    Client::builder(TokioExecutor::new()).build(Connector)
}

type ResponseFuture = Box<
    dyn Future<Output = Result<(http::Response<WasiBody>, Box<dyn Future<Output = Result<(), Error>> + Send>), Error>>
        + Send,
>;

impl WasiHttpHooks for OutboundHttp {
    fn send_request(
        &mut self,
        request: http::Request<WasiBody>,
        options: Option<RequestOptions>,
        fut: Box<dyn Future<Output = Result<(), Error>> + Send>,
    ) -> ResponseFuture {
        let uri = request.uri();
        let target =
            format!("{}://{}", uri.scheme_str().unwrap_or("https"), uri.authority().map_or("", |a| a.as_str()));
        if !self.allowed.allows_url(&target, "https") {
            eprintln!(
                "devhost: component {:?} tried to make an HTTP request to non-allowed host {target:?}; \
                 add it to the component's allowed_outbound_hosts",
                self.component_id
            );
            return Box::new(async { Err(Error::HttpRequestDenied) });
        }
        if uri.scheme() != Some(&http::uri::Scheme::HTTP) {
            // HTTPS is not pooled here (see the README's known gaps); wasmtime's sender does TLS.
            return default_hooks().send_request(request, options, fut);
        }
        let limit = |choose: fn(&RequestOptions) -> Option<Duration>| {
            options.as_ref().and_then(choose).unwrap_or(DEFAULT_TIMEOUT)
        };
        let connect_timeout = limit(|o| o.connect_timeout);
        let first_byte_timeout = limit(|o| o.first_byte_timeout);
        let between_bytes_timeout = limit(|o| o.between_bytes_timeout);
        let client = self.client.clone();
        Box::new(async move {
            let response = CONNECT_TIMEOUT.scope(connect_timeout, client.request(request));
            let response = timeout(first_byte_timeout, response)
                .await
                .map_err(|_| Error::ConnectionReadTimeout)?
                .map_err(|error| request_error(&error))?;
            let response = response.map(|incoming| {
                BetweenBytesTimeout { incoming, limit: between_bytes_timeout, sleep: None }.boxed_unsync()
            });
            // Connection errors after the head arrive through the body, so nothing comes here.
            Ok((response, Box::new(async { Ok(()) }) as Box<dyn Future<Output = _> + Send>))
        })
    }
}

tokio::task_local! {
    /// The connect timeout of the request being sent, for [`Connector`].
    static CONNECT_TIMEOUT: Duration;
}

/// Opens the pooled client's TCP connections, within the request's connect timeout.
#[derive(Clone)]
pub(crate) struct Connector;

impl Service<Uri> for Connector {
    type Response = TokioIo<TcpStream>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Error>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let limit = CONNECT_TIMEOUT.try_with(|limit| *limit).unwrap_or(DEFAULT_TIMEOUT);
        Box::pin(async move {
            let host = uri.host().ok_or(Error::HttpRequestUriInvalid)?;
            // An IPv6 literal keeps its brackets in a URI, not in a lookup.
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let addresses: Vec<SocketAddr> = tokio::net::lookup_host((host, uri.port_u16().unwrap_or(80)))
                .await
                .map_err(|_| Error::DnsError { rcode: Some("address not available".into()), info_code: Some(0) })?
                .collect();
            let stream = timeout(limit, TcpStream::connect(&*addresses))
                .await
                .map_err(|_| Error::ConnectionTimeout)?
                .map_err(|_| Error::ConnectionRefused)?;
            Ok(TokioIo::new(stream))
        })
    }
}

/// The wasi-http error for a failed pooled request: the connector's own error when connecting
/// failed, otherwise a protocol error (as Spin reports it).
fn request_error(error: &hyper_util::client::legacy::Error) -> Error {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        match cause.downcast_ref::<Error>() {
            Some(Error::ConnectionTimeout) => return Error::ConnectionTimeout,
            Some(Error::ConnectionRefused) => return Error::ConnectionRefused,
            Some(Error::HttpRequestUriInvalid) => return Error::HttpRequestUriInvalid,
            Some(Error::DnsError { rcode, info_code }) => {
                return Error::DnsError { rcode: rcode.clone(), info_code: *info_code };
            }
            _ => source = cause.source(),
        }
    }
    Error::HttpProtocolError
}

/// A response body that fails with `ConnectionReadTimeout` when the next frame takes longer
/// than the request's `between-bytes-timeout`.
struct BetweenBytesTimeout {
    incoming: hyper::body::Incoming,
    limit: Duration,
    /// Armed while waiting for a frame; `None` once one arrives.
    sleep: Option<Pin<Box<Sleep>>>,
}

impl Body for BetweenBytesTimeout {
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.incoming).poll_frame(cx) {
            this.sleep = None;
            return Poll::Ready(frame.map(|frame| frame.map_err(Error::Hyper)));
        }
        let limit = this.limit;
        let sleep = this.sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        ready!(sleep.as_mut().poll(cx));
        Poll::Ready(Some(Err(Error::ConnectionReadTimeout)))
    }

    fn is_end_stream(&self) -> bool {
        self.incoming.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.incoming.size_hint()
    }
}
