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
use yaml_rust2::{Yaml, YamlLoader};

pub struct SpinApp {
    pub name: String,
    pub components: Vec<String>,
}

/// The YAML documents of a file of k8s/base.
fn documents(path: &str) -> Vec<Yaml> {
    let path = testkit::workspace_root().join("k8s/base").join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("read {}: {error}", path.display()));
    YamlLoader::load_from_str(&text).unwrap_or_else(|error| panic!("{} is not YAML: {error}", path.display()))
}

fn string(yaml: &Yaml, what: &str) -> String {
    yaml.as_str().unwrap_or_else(|| panic!("{what} is not a string: {yaml:?}")).to_owned()
}

/// The SpinApps of k8s/base/spinapps (the documents with `kind: SpinApp`), by name.
pub fn spinapps() -> Vec<SpinApp> {
    let dir = testkit::workspace_root().join("k8s/base/spinapps");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("read k8s/base/spinapps")
        .map(|entry| format!("spinapps/{}", entry.unwrap().file_name().to_string_lossy()))
        .collect();
    files.sort();
    let mut apps: Vec<SpinApp> = files
        .iter()
        .flat_map(|file| documents(file))
        .filter(|document| document["kind"].as_str() == Some("SpinApp"))
        .map(|spinapp| SpinApp {
            name: string(&spinapp["metadata"]["name"], "a SpinApp's name"),
            components: spinapp["spec"]["components"]
                .as_vec()
                .unwrap_or_else(|| panic!("a SpinApp without a components list: {spinapp:?}"))
                .iter()
                .map(|id| string(id, "a component id"))
                .collect(),
        })
        .collect();
    apps.sort_by(|a, b| a.name.cmp(&b.name));
    apps
}

/// k8s/base/ingress.yaml's paths with GCE URL-map semantics: `/x` matches exactly, `/x/*`
/// matches below `/x/`, the longest match wins, anything else goes to the default backend.
struct Routes {
    paths: Vec<(String, String)>,
    default: String,
}

impl Routes {
    fn of_ingress() -> Routes {
        let ingress =
            documents("ingress.yaml").into_iter().find(|document| document["kind"].as_str() == Some("Ingress"));
        let spec = &ingress.expect("an Ingress in k8s/base/ingress.yaml")["spec"];
        let service = |backend: &Yaml| string(&backend["service"]["name"], "a backend's Service name");
        let paths = spec["rules"]
            .as_vec()
            .expect("the Ingress has rules")
            .iter()
            .flat_map(|rule| rule["http"]["paths"].as_vec().expect("a rule with http paths"))
            .map(|path| (string(&path["path"], "a path"), service(&path["backend"])))
            .collect();
        Routes { paths, default: service(&spec["defaultBackend"]) }
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
