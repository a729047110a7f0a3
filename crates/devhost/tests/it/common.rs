//! Shared by the host's integration tests: apps written to a temp dir, a plain HTTP client,
//! and a local HTTP server for outbound calls.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use http::{Request, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpStream};

/// An app served by an in-process host, its manifest in a temp dir that lives as long as it.
pub struct TestApp {
    pub host: devhost::RunningHost,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn addr(&self) -> SocketAddr {
        self.host.addr()
    }

    pub async fn get(&self, path_and_query: &str) -> Reply {
        get(self.addr(), path_and_query).await
    }
}

/// `manifest` with `{probe}` standing for the probe fixture component.
pub async fn start_app(manifest: &str, variables: &[(&str, &str)]) -> anyhow::Result<TestApp> {
    start_app_with_limits(manifest, variables, devhost::GuestLimits::default()).await
}

pub async fn start_app_with_limits(
    manifest: &str,
    variables: &[(&str, &str)],
    limits: devhost::GuestLimits,
) -> anyhow::Result<TestApp> {
    let dir = tempfile::tempdir()?;
    let path = write_manifest(dir.path(), manifest);
    let host = devhost::start(devhost::HostOptions {
        manifest: path,
        listen: "127.0.0.1:0".parse()?,
        variables: variables.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<HashMap<_, _>>(),
        limits,
    })
    .await?;
    Ok(TestApp { host, _dir: dir })
}

pub fn write_manifest(dir: &std::path::Path, manifest: &str) -> std::path::PathBuf {
    let probe = testkit::wasm("fixture_probe");
    let path = dir.join("spin.toml");
    std::fs::write(&path, manifest.replace("{probe}", &probe.display().to_string())).unwrap();
    path
}

/// One component on every path, with the given extra component settings.
pub fn probe_manifest(component_settings: &str) -> String {
    format!(
        r#"spin_manifest_version = 2
[application]
name = "probe"
[[trigger.http]]
route = "/..."
component = "probe"
[component.probe]
source = "{{probe}}"
{component_settings}
"#
    )
}

pub struct Reply {
    pub status: StatusCode,
    pub body: String,
}

impl Reply {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

pub async fn get(addr: SocketAddr, path_and_query: &str) -> Reply {
    let request = Request::get(path_and_query).header("host", addr.to_string()).body(Empty::<Bytes>::new()).unwrap();
    send(addr, request).await
}

/// Sends one request on a fresh connection.
pub async fn send<B>(addr: SocketAddr, request: Request<B>) -> Reply
where
    B: hyper::body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let stream = TcpStream::connect(addr).await.expect("connect to the host");
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(connection);
    let response = sender.send_request(request).await.expect("a response");
    let status = response.status();
    let body = response.into_body().collect().await.expect("the whole body").to_bytes();
    Reply { status, body: String::from_utf8_lossy(&body).into_owned() }
}

/// Writes `request` as it is on a fresh connection and returns everything the host sends
/// back until it closes the connection.
pub async fn raw_exchange(addr: SocketAddr, request: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(addr).await.expect("connect to the host");
    stream.write_all(request).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(std::time::Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the host closes the connection")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

/// A local HTTP server answering every request with `200 pong <path>`.
pub async fn pong_server() -> SocketAddr {
    counting_pong_server().await.0
}

/// A [`pong_server`] that also counts the TCP connections it has accepted.
pub async fn counting_pong_server() -> (SocketAddr, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let service = hyper::service::service_fn(|request: Request<hyper::body::Incoming>| async move {
                let body = format!("pong {}", request.uri().path());
                Ok::<_, std::convert::Infallible>(hyper::Response::new(Full::new(Bytes::from(body))))
            });
            tokio::spawn(hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });
    (addr, accepted)
}
