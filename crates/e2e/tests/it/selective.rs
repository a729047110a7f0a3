//! SpinKube runs each SpinApp of k8s/base/spinapps with only its `components` (selective
//! deployment, `spin up --component-id ...`): each such set, started on its own from the root
//! spin.toml on real Spin, answers every route of its components and none of the others.

use e2e::{AppConfig, Runtime, TestApp};
use reqwest::StatusCode;

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
    let Some(runtime) = Runtime::Spin.available() else { return };
    let postgres = testkit::shared_postgres();
    let db_url = e2e::migrated_database(postgres).await;
    let routes = routes();
    let spinapps = e2e::spinkube::spinapps();
    assert_eq!(
        spinapps.iter().map(|app| app.name.as_str()).collect::<Vec<_>>(),
        ["todo-image", "todo-read", "todo-write"]
    );
    for spinapp in spinapps {
        let ids: Vec<&str> = spinapp.components.iter().map(String::as_str).collect();
        let config = AppConfig::root_manifest()
            .variable("db_url", &db_url)
            .variable("db_host", postgres.host())
            .components(&ids);
        let app = TestApp::spawn(runtime, config);
        for (path, component) in &routes {
            let response = reqwest::get(app.url(path)).await.unwrap();
            let status = response.status();
            let body = response.bytes().await.unwrap();
            // Spin's own answer for a route it does not serve: 404 with an empty body. Every
            // component answers with a body (a page, JSON or an error object).
            let unrouted = status == StatusCode::NOT_FOUND && body.is_empty();
            let served = ids.contains(&component.as_str());
            assert_eq!(!unrouted, served, "{}: GET {path} ({component}) gave {status}", spinapp.name);
        }
        let ready = reqwest::get(app.url("/readyz")).await.unwrap();
        assert_eq!(ready.status(), StatusCode::OK, "{}: every SpinApp answers its probes", spinapp.name);
    }
}
