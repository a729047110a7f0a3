//! What differs in the deployment's shape. SpinKube runs each SpinApp of k8s/base/spinapps with
//! only its `components` (selective deployment, `spin up --component-id ...`), and the Ingress
//! routes paths between the SpinApps: each set alone answers the routes of its components, none
//! of the others, and its pods' probes; through the Ingress's routes, a todo written by one app
//! is read by another.

use e2e::{AppConfig, TestApp};
use reqwest::StatusCode;
use serde_json::json;

/// The answer of spin.toml's `/api/...` catch-all, for a path under `/api/` that no route serves.
/// The error of health's catch-all for `/api/...` paths no component serves.
const UNKNOWN_API_PATH: &str = "no such API path";

/// Every `[[trigger.http]]` of the root spin.toml: a path that the route matches, and its component.
fn routes() -> Vec<(String, String)> {
    let manifest: toml::Table =
        std::fs::read_to_string(testkit::workspace_root().join("spin.toml")).unwrap().parse().unwrap();
    manifest["trigger"]["http"]
        .as_array()
        .unwrap()
        .iter()
        .map(|trigger| {
            let route = trigger["route"].as_str().unwrap();
            let path = route.replace(":id", "1").replace("/...", "/app.css");
            (path, trigger["component"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_spinapp_serves_its_routes_and_only_those() {
    let postgres = testkit::shared_postgres();
    let database = e2e::migrated_database(postgres).await;
    let routes = routes();
    let spinapps = e2e::deployment::spinapps();
    assert_eq!(
        spinapps.iter().map(|app| app.name.as_str()).collect::<Vec<_>>(),
        ["todo-image", "todo-read", "todo-write"]
    );
    for spinapp in spinapps {
        let ids: Vec<&str> = spinapp.components.iter().map(String::as_str).collect();
        let config = AppConfig::with_database(postgres, database.clone()).components(&ids);
        let app = TestApp::spawn(config);
        for (path, component) in &routes {
            let response = reqwest::get(app.url(path)).await.unwrap();
            let status = response.status();
            let body = response.bytes().await.unwrap();
            // Spin's own answer for a route it does not serve: 404 with an empty body. Every
            // component answers with a body (a page, JSON or an error object); under /api/, a
            // path no component of the app serves reaches the catch-all of health (in every app).
            let error = serde_json::from_slice::<serde_json::Value>(&body).ok().map(|body| body["error"].clone());
            let answered_by = match (status, body.is_empty()) {
                (StatusCode::NOT_FOUND, true) => None,
                (StatusCode::NOT_FOUND, false) if error == Some(UNKNOWN_API_PATH.into()) => Some("health"),
                _ => Some(component.as_str()),
            };
            let served = ids.contains(&component.as_str());
            assert_eq!(
                answered_by == Some(component.as_str()),
                served,
                "{}: GET {path} ({component}) gave {status}",
                spinapp.name
            );
        }
        for probe in probe_paths() {
            let status = app.get(&probe).await.status;
            assert_eq!(status, StatusCode::OK, "{}: every SpinApp answers its pods' probe {probe}", spinapp.name);
        }
    }
}

/// The `httpGet` paths of the SpinApps' `checks` (k8s/base/spinapps/defaults.yaml, a JSON patch
/// applied to every SpinApp).
fn probe_paths() -> Vec<String> {
    let text = std::fs::read_to_string(testkit::workspace_root().join("k8s/base/spinapps/defaults.yaml")).unwrap();
    let patch = &yaml_rust2::YamlLoader::load_from_str(&text).unwrap()[0];
    let checks = patch.as_vec().unwrap().iter().find(|op| op["path"].as_str() == Some("/spec/checks"));
    let checks = checks.expect("defaults.yaml sets the SpinApps' checks")["value"].as_hash().unwrap();
    let paths: Vec<String> =
        checks.values().map(|check| check["httpGet"]["path"].as_str().unwrap().to_owned()).collect();
    assert!(!paths.is_empty(), "liveness and readiness probes");
    paths
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_the_ingress_one_app_writes_and_another_reads() {
    let app = TestApp::spawn_deployment(AppConfig::with_database(
        testkit::shared_postgres(),
        e2e::migrated_database(testkit::shared_postgres()).await,
    ));
    // todo-write creates and edits, todo-read lists and serves the page, todo-image the photo.
    let id = app.created("written by todo-write").await;
    assert_eq!(app.todos("").await[0]["task"], "written by todo-write");
    let edited = app.patch(id, &json!({ "done": true })).await;
    assert_eq!(edited.status, StatusCode::OK, "{edited:?}");
    assert_eq!(app.todos("?done=true").await.len(), 1);
    let page = app.get("/").await;
    assert!(page.status == StatusCode::OK && page.text().contains("<h1>Todos</h1>"), "{page:?}");
    // No sidecar runs: todo-image answers for itself, with its JSON 503.
    app.get("/api/daily_photo").await.json().expect_error(StatusCode::SERVICE_UNAVAILABLE);
    // `/*` goes to todo-read, whose web component serves the assets.
    assert_eq!(app.get("/assets/app.css").await.status, StatusCode::OK);
    assert_eq!(app.delete(id).await.status, StatusCode::NO_CONTENT);
    assert_eq!(app.row_count(), 0);
}
