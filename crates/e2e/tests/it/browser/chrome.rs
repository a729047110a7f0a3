//! Headless Chromium driven through chromedriver, both from Debian's `chromium` and
//! `chromium-driver` packages (`.ci/run` installs them).

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const CHROMIUM_FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-crash-reporter",
    "--window-size=1280,1400",
];

/// How long a page may take to reach an expected state.
const PATIENCE: Duration = Duration::from_secs(15);

pub struct Browser {
    pub client: Client,
    chromium_pid: Option<i32>,
    driver: Child,
    _profile: TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a session with a fresh profile.
    pub async fn launch() -> Browser {
        let port = testkit::free_port();
        let driver = Command::new(program("chromedriver"))
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::Builder::new().prefix("browser-test-").tempdir().expect("profile dir");
        let mut args: Vec<String> = CHROMIUM_FLAGS.iter().map(|flag| flag.to_string()).collect();
        args.push(format!("--user-data-dir={}", profile.path().display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": { "binary": program("chromium"), "args": args },
            "goog:loggingPrefs": { "browser": "ALL" },
        });
        let Value::Object(capabilities) = capabilities else { unreachable!() };

        let deadline = Instant::now() + PATIENCE;
        let client = loop {
            let connected = ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await;
            match connected {
                Ok(client) => break client,
                // chromedriver is still starting
                Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(100)).await,
                Err(error) => panic!("no WebDriver session from chromedriver: {error}"),
            }
        };
        let chromium_pid = client
            .capabilities()
            .and_then(|caps| caps.get("goog:processID"))
            .and_then(Value::as_i64)
            .map(|pid| pid as i32);
        Browser { client, chromium_pid, driver, _profile: profile }
    }

    /// Console and network errors logged since the previous call (chromedriver's log buffer).
    pub async fn console_errors(&self) -> Vec<String> {
        let entries = self.client.issue_cmd(BrowserLog).await.expect("read the browser log");
        entries
            .as_array()
            .expect("the browser log is an array")
            .iter()
            .filter(|entry| entry["level"] == "SEVERE")
            .map(|entry| entry["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Runs `script` (a function body that returns a value) in the page.
    pub async fn eval(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.unwrap_or_else(|e| panic!("{script}: {e}"))
    }

    /// Waits until the JavaScript expression `condition` is true in the page.
    pub async fn wait_until(&self, what: &str, condition: &str) {
        let script = format!("return Boolean({condition});");
        let deadline = Instant::now() + PATIENCE;
        while self.eval(&script).await != Value::Bool(true) {
            assert!(Instant::now() < deadline, "timed out waiting until {what} ({condition})");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("find {css}: {e}"))
    }

    /// Saves a PNG of the viewport under `artifacts/` at the workspace root (git-ignored).
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.client.screenshot().await.expect("take a screenshot");
        let dir = testkit::workspace_root().join("artifacts");
        std::fs::create_dir_all(&dir).expect("create artifacts/");
        let path = dir.join(name);
        std::fs::write(&path, png).expect("write the screenshot");
        path
    }

    /// Ends the session, which quits Chromium; chromedriver is stopped on drop.
    pub async fn close(mut self) {
        let client = self.client.clone();
        if client.close().await.is_ok() {
            self.chromium_pid = None;
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        // A failed test never reaches close(): stop Chromium ourselves, or it outlives us, and
        // let it finish before its profile directory is deleted.
        if let Some(pid) = self.chromium_pid {
            // SAFETY: kill(2) with a pid from chromedriver; signal 0 only checks it exists.
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(5);
            while unsafe { libc::kill(pid, 0) } == 0 && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// The full path of a program found in PATH (Debian's packages put both in /usr/bin).
fn program(name: &str) -> String {
    let in_path = std::env::var_os("PATH")
        .into_iter()
        .flat_map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file());
    match in_path {
        Some(path) => path.display().to_string(),
        None => panic!("{name} is not installed: apt-get install -y chromium chromium-driver (see .ci/run)"),
    }
}

/// chromedriver's log endpoint (not part of W3C WebDriver): returns and clears the entries.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _url: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(json!({ "type": "browser" }).to_string()))
    }
}
