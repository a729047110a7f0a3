//! The artifact SpinKube pulls: `spin registry push` of the root spin.toml to a local OCI
//! registry (Debian's `docker-registry`), then `spin up --from` that reference on a fresh cache
//! serves the whole app.

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use e2e::{AppConfig, TestApp};
use reqwest::StatusCode;

/// A registry on a port of 127.0.0.1 it picked itself, storing into a temp dir; killed on drop.
struct LocalRegistry {
    addr: String,
    _process: std::process::Child,
    _storage: tempfile::TempDir,
}

impl LocalRegistry {
    fn start() -> LocalRegistry {
        let storage = tempfile::tempdir().unwrap();
        let config = storage.path().join("config.yml");
        let data = storage.path().join("data");
        let yaml = format!(
            "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:0\n",
            data.display()
        );
        std::fs::write(&config, yaml).unwrap();
        let mut command = Command::new("docker-registry");
        command.arg("serve").arg(&config).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
        let mut process = testkit::spawn_tied_to_process(command)
            .expect("run docker-registry (Debian's docker-registry package; `make deps` installs it)");
        let (listening, addr) = mpsc::channel();
        let lines = Arc::new(Mutex::new(Vec::new()));
        testkit::capture_lines(process.stderr.take().unwrap(), &lines, move |line| {
            if let Some(at) = line.find("listening on ") {
                let addr: String = line[at + "listening on ".len()..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '"')
                    .collect();
                let _ = listening.send(addr);
            }
        });
        let addr = addr
            .recv_timeout(Duration::from_secs(15))
            .unwrap_or_else(|_| panic!("the registry did not start: {:?}", lines.lock().unwrap()));
        LocalRegistry { addr, _process: process, _storage: storage }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pushed_artifact_runs_on_spin() {
    let registry = LocalRegistry::start();
    let reference = format!("{}/todo:e2e", registry.addr);
    let push = Command::new("spin")
        .args(["registry", "push", "--insecure", "--from"])
        .arg(testkit::workspace_root().join("spin.toml"))
        .arg(&reference)
        .output()
        .unwrap();
    assert!(push.status.success(), "spin registry push: {}", String::from_utf8_lossy(&push.stderr));
    assert!(String::from_utf8_lossy(&push.stdout).contains("Pushed with digest sha256:"));

    let postgres = testkit::shared_postgres();
    let database = e2e::migrated_database(postgres).await;
    let config =
        AppConfig::local_registry(&reference).variable("db_url", &database.url).variable("db_host", postgres.host());
    let app = TestApp::spawn(config);
    let client = reqwest::Client::new();
    let page = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("<h1>Todos</h1>"));
    let created = client
        .post(app.url("/api/todo"))
        .header("content-type", "application/json")
        .body(r#"{"task":"from the artifact"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let listed = client.get(app.url("/api/todos")).send().await.unwrap().text().await.unwrap();
    assert!(listed.contains("from the artifact"), "{listed}");
}

/// `spin build` runs each component's `[component.x.build]` command from its `workdir` and
/// leaves every `source` of spin.toml in place (a no-op rebuild after `make build`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spin_build_builds_every_component_source() {
    let root = testkit::workspace_root();
    let build = Command::new("spin").args(["build", "--from"]).arg(root.join("spin.toml")).output().unwrap();
    let output = format!("{}{}", String::from_utf8_lossy(&build.stdout), String::from_utf8_lossy(&build.stderr));
    assert!(build.status.success(), "spin build failed:\n{output}");
    let manifest: toml::Table = std::fs::read_to_string(root.join("spin.toml")).unwrap().parse().unwrap();
    for (id, component) in manifest["component"].as_table().unwrap() {
        assert!(output.contains(&format!("Building component {id}")), "{id} was not built:\n{output}");
        let source = root.join(component["source"].as_str().unwrap());
        assert!(source.exists(), "{id}: {} missing after spin build", source.display());
    }
}
