//! The deployment's shape, read from k8s/base: which components each SpinApp runs (SpinKube's
//! selective deployment) and how the Ingress routes paths to the SpinApps' Services; and a
//! local stand-in for that Ingress in front of one Spin process per SpinApp.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};

pub struct SpinApp {
    pub name: String,
    pub components: Vec<String>,
}

/// The SpinApps of k8s/base/spinapps (the files with `kind: SpinApp`), by name. The component
/// list is read from its `components: [a, b]` line; any other shape fails the test.
pub fn spinapps() -> Vec<SpinApp> {
    let dir = testkit::workspace_root().join("k8s/base/spinapps");
    let mut apps: Vec<SpinApp> = std::fs::read_dir(&dir)
        .expect("read k8s/base/spinapps")
        .map(|entry| std::fs::read_to_string(entry.unwrap().path()).unwrap())
        .filter(|yaml| yaml.lines().any(|line| line.trim() == "kind: SpinApp"))
        .map(|yaml| {
            let list = field(&yaml, "components:").strip_prefix('[').and_then(|rest| rest.strip_suffix(']'));
            let components = list.unwrap_or_else(|| panic!("components is not a [flow, list]:\n{yaml}"));
            SpinApp {
                name: field(&yaml, "name:").to_owned(),
                components: components.split(',').map(|id| id.trim().to_owned()).collect(),
            }
        })
        .collect();
    apps.sort_by(|a, b| a.name.cmp(&b.name));
    apps
}

fn field<'y>(yaml: &'y str, name: &str) -> &'y str {
    yaml.lines()
        .find_map(|line| line.trim().strip_prefix(name))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no {name} in\n{yaml}"))
}

/// k8s/base/ingress.yaml's paths with GCE URL-map semantics: `/x` matches exactly, `/x/*`
/// matches below `/x/`, the longest match wins, anything else goes to the default backend.
struct Routes {
    paths: Vec<(String, String)>,
    default: String,
}

impl Routes {
    /// Each `- path:` line paired with the Service `name:` of the backend that follows it.
    fn of_ingress() -> Routes {
        let yaml =
            std::fs::read_to_string(testkit::workspace_root().join("k8s/base/ingress.yaml")).expect("read the Ingress");
        let service_of = |line: &str| {
            line.split("service: { name: ")
                .nth(1)
                .and_then(|rest| rest.split(',').next())
                .map(|name| name.trim().to_owned())
        };
        let mut paths = Vec::new();
        let mut default = None;
        let mut pending_path = None;
        let mut in_default = false;
        for line in yaml.lines().map(str::trim) {
            if line.starts_with("defaultBackend:") {
                in_default = true;
            } else if let Some(path) = line.strip_prefix("- path:") {
                pending_path = Some(path.trim().to_owned());
            } else if let Some(service) = service_of(line) {
                match pending_path.take() {
                    Some(path) => paths.push((path, service)),
                    None if in_default => default = Some(service),
                    None => panic!("a backend without a path in the Ingress: {line}"),
                }
                in_default = false;
            }
        }
        Routes { paths, default: default.expect("the Ingress has a defaultBackend") }
    }

    fn service_for(&self, path: &str) -> &str {
        let matches = |pattern: &str| match pattern.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == pattern,
        };
        let longest =
            self.paths.iter().filter(|(pattern, _)| matches(pattern)).max_by_key(|(pattern, _)| pattern.len());
        longest.map_or(&self.default, |(_, service)| service)
    }
}

/// A reverse proxy on a port of 127.0.0.1 routing as the Ingress does to each SpinApp's
/// address; bodies stream through unbuffered. Stops when dropped.
pub(crate) struct Ingress {
    addr: SocketAddr,
    stop: Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
}

impl Ingress {
    pub(crate) fn start(backends: Vec<(String, SocketAddr)>) -> Ingress {
        let routes = Routes::of_ingress();
        for service in routes.paths.iter().map(|(_, service)| service).chain([&routes.default]) {
            assert!(
                backends.iter().any(|(name, _)| name == service),
                "the Ingress routes to {service}, which is no SpinApp"
            );
        }
        let table = Arc::new((routes, backends));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind the ingress");
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let client: Client<HttpConnector, Incoming> = Client::builder(TokioExecutor::new()).build_http();
                let accept = async {
                    while let Ok((stream, _)) = listener.accept().await {
                        let (client, table) = (client.clone(), Arc::clone(&table));
                        tokio::spawn(async move {
                            let service = hyper::service::service_fn(move |request| {
                                forward(client.clone(), Arc::clone(&table), request)
                            });
                            let _ = hyper::server::conn::http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), service)
                                .await;
                        });
                    }
                };
                tokio::select! { _ = accept => {}, _ = stopped => {} }
            });
        });
        Ingress { addr, stop: Mutex::new(Some(stop)) }
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Ingress {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.lock().unwrap().take() {
            let _ = stop.send(());
        }
    }
}

type ProxyBody = BoxBody<Bytes, hyper::Error>;

async fn forward(
    client: Client<HttpConnector, Incoming>,
    table: Arc<(Routes, Vec<(String, SocketAddr)>)>,
    mut request: Request<Incoming>,
) -> Result<Response<ProxyBody>, Infallible> {
    let (routes, backends) = &*table;
    let service = routes.service_for(request.uri().path());
    let backend =
        backends.iter().find(|(name, _)| name == service).map(|(_, addr)| *addr).expect("routes name SpinApps");
    let path = request.uri().path_and_query().map_or("/", |path| path.as_str());
    *request.uri_mut() = format!("http://{backend}{path}").parse().expect("a backend URI");
    Ok(match client.request(request).await {
        Ok(response) => response.map(BodyExt::boxed),
        // What the load balancer answers when its backend fails.
        Err(_) => {
            let body = Full::new(Bytes::from_static(b"backend failed")).map_err(|never| match never {}).boxed();
            let mut response = Response::new(body);
            *response.status_mut() = StatusCode::BAD_GATEWAY;
            response
        }
    })
}
