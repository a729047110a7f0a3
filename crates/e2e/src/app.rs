//! An app served by `spin up` on a port of 127.0.0.1 that Spin picked itself (`--listen
//! 127.0.0.1:0`, the address read back from its `Serving http://...` line).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use tempfile::TempDir;
use testkit::{Database, Postgres};

/// What to serve: a manifest (or, on Spin, an OCI reference), its Spin variables, and optionally
/// only some of its components (`spin up --component-id`, as SpinKube's selective deployment
/// runs a SpinApp).
pub struct AppConfig<'a> {
    pub manifest: PathBuf,
    /// `manifest` is a reference in a plain-HTTP registry on 127.0.0.1 (`spin up -k`).
    pub from_local_registry: bool,
    pub variables: Vec<(&'a str, String)>,
    pub components: &'a [&'a str],
    pub env: Vec<(&'a str, &'a str)>,
    /// The database `db_url` points at, for tests that look into it.
    pub database: Option<(&'static Postgres, Database)>,
}

impl<'a> AppConfig<'a> {
    /// The repository's spin.toml, every component.
    pub fn root_manifest() -> AppConfig<'a> {
        AppConfig {
            manifest: testkit::workspace_root().join("spin.toml"),
            from_local_registry: false,
            variables: Vec::new(),
            components: &[],
            env: Vec::new(),
            database: None,
        }
    }

    /// The root spin.toml with `database` as its `db_url` (and its server as `db_host`).
    pub fn with_database(postgres: &'static Postgres, database: Database) -> AppConfig<'a> {
        let config = AppConfig::root_manifest().variable("db_url", &database.url).variable("db_host", postgres.host());
        AppConfig { database: Some((postgres, database)), ..config }
    }

    /// The root spin.toml with a `db_url` that reaches nothing, for routes that never touch
    /// the database.
    pub fn without_database() -> AppConfig<'a> {
        AppConfig::root_manifest().variable("db_url", crate::UNUSED_DB_URL)
    }

    pub fn manifest(path: impl Into<PathBuf>) -> AppConfig<'a> {
        AppConfig { manifest: path.into(), ..AppConfig::root_manifest() }
    }

    /// The app pushed to a local registry as `reference` (`127.0.0.1:PORT/name:tag`), pulled
    /// into a fresh cache as SpinKube pulls the artifact.
    pub fn local_registry(reference: &str) -> AppConfig<'a> {
        AppConfig { from_local_registry: true, ..AppConfig::manifest(reference) }
    }

    /// A Spin variable, passed as `SPIN_VARIABLE_<NAME>` as on SpinKube.
    pub fn variable(mut self, name: &'a str, value: impl Into<String>) -> AppConfig<'a> {
        self.variables.push((name, value.into()));
        self
    }

    /// An environment variable of the Spin process. Backtrace capture is off unless set
    /// here, as in production (SpinKube's shim does not set `RUST_BACKTRACE`).
    pub fn env(mut self, name: &'a str, value: &'a str) -> AppConfig<'a> {
        self.env.push((name, value));
        self
    }

    pub fn components(mut self, ids: &'a [&'a str]) -> AppConfig<'a> {
        self.components = ids;
        self
    }
}

/// An app served on one address: one Spin process, or with [`TestApp::spawn_deployment`] one
/// Spin process per SpinApp behind the Ingress's routing; every process is killed when dropped.
pub struct TestApp {
    addr: SocketAddr,
    processes: Vec<Served>,
    output: Arc<Mutex<Vec<String>>>,
    pub(crate) database: Option<(&'static Postgres, Database)>,
    pub(crate) client: reqwest::Client,
    /// The session cookie (`name=value`) the app last set for this client, sent with every
    /// request from then on, as a browser or `curl -c`/`-b` keeps it.
    pub(crate) session: Mutex<Option<String>>,
    _ingress: Option<crate::deployment::Ingress>,
}

impl TestApp {
    /// Starts `spin up` serving `config` and waits until it listens.
    pub fn spawn(config: AppConfig) -> TestApp {
        let output = Arc::new(Mutex::new(Vec::new()));
        let served = Served::start(&config, config.components, &output);
        TestApp::new(served.addr, vec![served], output, config.database, None)
    }

    /// The app as the deployment runs it: each SpinApp of k8s/base/spinapps as its own
    /// `spin up --component-id ...` (SpinKube's selective deployment), behind a proxy that
    /// routes as k8s/base/ingress.yaml does.
    pub fn spawn_deployment(config: AppConfig) -> TestApp {
        assert!(config.components.is_empty(), "in the deployment each SpinApp runs its own components");
        let output = Arc::new(Mutex::new(Vec::new()));
        let spinapps = crate::deployment::spinapps();
        let processes: Vec<Served> = spinapps
            .iter()
            .map(|app| {
                let ids: Vec<&str> = app.components.iter().map(String::as_str).collect();
                Served::start(&config, &ids, &output)
            })
            .collect();
        let backends = spinapps.iter().zip(&processes).map(|(app, served)| (app.name.clone(), served.addr)).collect();
        let ingress = crate::deployment::Ingress::start(backends);
        TestApp::new(ingress.addr(), processes, output, config.database, Some(ingress))
    }

    fn new(
        addr: SocketAddr,
        processes: Vec<Served>,
        output: Arc<Mutex<Vec<String>>>,
        database: Option<(&'static Postgres, Database)>,
        ingress: Option<crate::deployment::Ingress>,
    ) -> TestApp {
        let client = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("an HTTP client");
        TestApp { addr, processes, output, database, client, session: Mutex::new(None), _ingress: ingress }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Everything the Spin processes (and so every component) printed so far, line by line.
    pub fn output(&self) -> Vec<String> {
        self.output.lock().unwrap().clone()
    }

    /// The components' one-line JSON request logs printed so far.
    pub fn request_logs(&self) -> Vec<serde_json::Value> {
        self.output()
            .iter()
            .filter_map(|line| line.find("{\"").map(|start| &line[start..]))
            .filter_map(|json| serde_json::from_str::<serde_json::Value>(json).ok())
            .filter(|log| log.get("route").is_some())
            .collect()
    }

    /// Waits until at least `count` request logs have been printed; returns them all.
    pub fn wait_for_request_logs(&self, count: usize, timeout: Duration) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let logs = self.request_logs();
            if logs.len() >= count {
                return logs;
            }
            let output = self.output().join("\n");
            assert!(Instant::now() < deadline, "fewer than {count} request logs within {timeout:?}:\n{output}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The serving process's peak resident memory (`VmHWM`), in KiB: the largest of Spin's
    /// processes (`spin up` serves from a `spin trigger http` child).
    pub fn peak_rss_kib(&self) -> u64 {
        let pids = self.processes.iter().flat_map(|served| testkit::process_group_members(&served.child));
        let peak = pids.filter_map(|pid| proc_status_kib(pid, "VmHWM:")).max();
        peak.expect("Spin's processes are running and their /proc/PID/status readable")
    }
}

/// One `spin up` serving on a port it picked itself.
struct Served {
    addr: SocketAddr,
    child: Child,
    _state_dir: TempDir,
}

impl Served {
    fn start(config: &AppConfig, components: &[&str], output: &Arc<Mutex<Vec<String>>>) -> Served {
        let state_dir = tempfile::Builder::new().prefix("e2e-app-").tempdir().expect("temp dir");
        let mut command = Command::new(spin_binary());
        command.arg("up").arg("--from").arg(&config.manifest).args(["--listen", "127.0.0.1:0"]);
        // No log files next to spin.toml, no shared state between apps.
        command.args(["--log-dir", ""]).arg("--state-dir").arg(state_dir.path());
        if config.from_local_registry {
            command.arg("--insecure").arg("--cache-dir").arg(state_dir.path().join("cache"));
        }
        for id in components {
            command.args(["--component-id", id]);
        }
        for (name, _) in
            std::env::vars().filter(|(name, _)| name.starts_with("SPIN_VARIABLE_") || name.ends_with("_BACKTRACE"))
        {
            command.env_remove(name);
        }
        command.envs(config.env.iter().copied());
        for (name, value) in &config.variables {
            command.env(format!("SPIN_VARIABLE_{}", name.to_uppercase()), value);
        }
        command.current_dir(state_dir.path()).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = testkit::spawn_process_group(command).unwrap_or_else(|error| panic!("start spin: {error}"));

        let (serving, address) = mpsc::channel();
        testkit::capture_lines(child.stdout.take().expect("piped stdout"), output, move |line| {
            if let Some(addr) = line.trim().strip_prefix("Serving http://") {
                let _ = serving.send(addr.parse::<SocketAddr>());
            }
        });
        testkit::capture_lines(child.stderr.take().expect("piped stderr"), output, |_| ());
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            match address.recv_timeout(Duration::from_millis(50)) {
                Ok(addr) => break addr.expect("a socket address after `Serving http://`"),
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => panic!("spin stopped before serving"),
            }
            let exited = child.try_wait().expect("poll spin");
            assert!(
                exited.is_none() && Instant::now() < deadline,
                "spin did not start serving {} ({exited:?}):\n{}",
                config.manifest.display(),
                output.lock().unwrap().join("\n")
            );
        };
        Served { addr, child, _state_dir: state_dir }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        testkit::kill_process_group(&mut self.child);
    }
}

/// A `kB` field of /proc/PID/status; `None` once the process is gone.
fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(Path::new("/proc").join(pid.to_string()).join("status")).ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The `spin` on `PATH`: every end-to-end test runs on it, so without one they fail.
fn spin_binary() -> &'static Path {
    static SPIN: OnceLock<PathBuf> = OnceLock::new();
    SPIN.get_or_init(|| {
        let path = std::env::var_os("PATH").unwrap_or_default();
        std::env::split_paths(&path).map(|dir| dir.join("spin")).find(|candidate| candidate.is_file()).expect(
            "no `spin` on PATH: the end-to-end tests run on Spin 3.6.3 (`make deps` installs it; `make test` puts it on PATH)",
        )
    })
}
