//! The `devhost up` binary: start-up output, component logs, signals and start-up errors.

use crate::common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use http::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};

struct Devhost {
    child: Child,
    stdout: BufReader<ChildStdout>,
    addr: std::net::SocketAddr,
    _dir: tempfile::TempDir,
}

fn command(manifest: &str, envs: &[(&str, &str)]) -> (Command, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = common::write_manifest(dir.path(), manifest);
    let mut command = Command::new(env!("CARGO_BIN_EXE_devhost"));
    command
        .args(["up", "--from"])
        .arg(path)
        .args(["--listen", "127.0.0.1:0"])
        .envs(envs.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    (command, dir)
}

async fn spawn(manifest: &str, envs: &[(&str, &str)]) -> Devhost {
    let (mut command, dir) = command(manifest, envs);
    let mut child = command.spawn().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    tokio::time::timeout(Duration::from_secs(60), stdout.read_line(&mut first)).await.unwrap().unwrap();
    let addr =
        first.trim().strip_prefix("Serving http://").unwrap_or_else(|| panic!("unexpected {first:?}")).parse().unwrap();
    Devhost { child, stdout, addr, _dir: dir }
}

impl Devhost {
    /// Sends SIGTERM and returns (exit success, rest of stdout, all of stderr).
    async fn terminate(mut self) -> (bool, String, String) {
        let status =
            Command::new("kill").args(["-TERM", &self.child.id().unwrap().to_string()]).status().await.unwrap();
        assert!(status.success());
        let status = tokio::time::timeout(Duration::from_secs(20), self.child.wait()).await.unwrap().unwrap();
        let mut stdout = String::new();
        self.stdout.read_to_string(&mut stdout).await.unwrap();
        let mut stderr = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut stderr).await.unwrap();
        (status.success(), stdout, stderr)
    }
}

#[tokio::test]
async fn component_output_is_prefixed_with_the_component_id() {
    let host = spawn(&common::probe_manifest(""), &[]).await;
    let reply = common::get(host.addr, "/?action=log").await;
    assert_eq!(reply.status, StatusCode::OK);
    let (ok, stdout, stderr) = host.terminate().await;
    assert!(ok);
    assert!(stdout.contains("[probe] line one\n"), "{stdout}");
    assert!(stdout.contains("[probe] unterminated\n"), "{stdout}");
    assert!(stderr.contains("[probe] an error line\n"), "{stderr}");
    assert!(!stdout.contains("an error line"), "{stdout}");
}

#[tokio::test]
async fn sigterm_lets_requests_in_flight_finish() {
    let host = spawn(&common::probe_manifest(""), &[]).await;
    let addr = host.addr;
    let slow = tokio::spawn(async move { common::get(addr, "/?action=sleep&ms=800").await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (ok, _, stderr) = host.terminate().await;
    assert!(ok, "{stderr}");
    let reply = slow.await.unwrap();
    assert_eq!((reply.status, reply.body.as_str()), (StatusCode::OK, "slept"));
}

/// Spin 3.6.3 does not stop on SIGTERM while a guest loops (seen: `spin up` still running
/// 15 s after it); this host gives up on such guests after its grace period, even when they
/// hold every worker thread.
#[tokio::test]
async fn sigterm_stops_the_host_within_its_grace_period_with_guests_stuck_in_loops() {
    let host = spawn(&common::probe_manifest(""), &[]).await;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut looping = Vec::new();
    for _ in 0..workers {
        let mut stream = tokio::net::TcpStream::connect(host.addr).await.unwrap();
        stream.write_all(b"GET /?action=loop HTTP/1.1\r\nHost: h\r\n\r\n").await.unwrap();
        looping.push(stream);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let (ok, _, stderr) = host.terminate().await;
    let elapsed = started.elapsed();
    assert!(ok, "{stderr}");
    assert!(elapsed < devhost::SHUTDOWN_GRACE + Duration::from_secs(3), "took {elapsed:?}");
    assert!(stderr.contains("still running"), "{stderr}");
}

#[tokio::test]
async fn variables_come_from_the_environment() {
    let manifest = format!(
        "{}\n[variables]\ntoken = {{ required = true }}\n",
        common::probe_manifest("[component.probe.variables]\ntoken = \"{{ token }}\"")
    );
    let host = spawn(&manifest, &[("SPIN_VARIABLE_TOKEN", "from-env")]).await;
    assert_eq!(common::get(host.addr, "/?action=variable&name=token").await.body, "from-env");
    host.terminate().await;

    let (mut command, _dir) = command(&manifest, &[]);
    let output = command.output().await.unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SPIN_VARIABLE_TOKEN"), "{stderr}");
}

#[tokio::test]
async fn a_bad_manifest_is_a_clear_error() {
    let (mut command, _dir) = command(&common::probe_manifest("colour = \"red\""), &[]);
    let output = command.output().await.unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("colour") && stderr.contains("spin.toml"), "{stderr}");
}
