//! The `image-sidecar` binary as a child process with its log lines captured.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::client::{HttpResponse, http_request};
use crate::process::capture_lines;
use crate::{free_port, workspace_root};

/// The binary built by `make build-native` (`cargo build --release -p image-sidecar`).
/// The sidecar's own tests pass `env!("CARGO_BIN_EXE_image-sidecar")` instead.
pub fn sidecar_binary() -> PathBuf {
    let path = workspace_root().join("target/release/image-sidecar");
    assert!(path.exists(), "{} is missing: run `make build-native` first", path.display());
    path
}

pub struct Sidecar {
    child: Child,
    addr: SocketAddr,
    logs: Arc<Mutex<Vec<String>>>,
}

impl Sidecar {
    /// Starts the sidecar on a free port with `env` (IMAGE_* variables of the test process are
    /// not inherited) and waits until it answers `/healthz`.
    pub fn start(binary: &Path, env: &[(&str, &str)]) -> Sidecar {
        let mut sidecar = Sidecar::spawn(binary, env);
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = sidecar.child.try_wait().expect("poll the sidecar") {
                panic!("image-sidecar exited with {status} while starting:\n{}", sidecar.logs().join("\n"));
            }
            if sidecar.get("/healthz").is_ok_and(|response| response.status == 200) {
                return sidecar;
            }
            assert!(Instant::now() < deadline, "image-sidecar did not start:\n{}", sidecar.logs().join("\n"));
            thread::sleep(Duration::from_millis(20));
        }
    }

    /// Starts the sidecar without waiting for it (for tests of refused starts).
    pub fn spawn(binary: &Path, env: &[(&str, &str)]) -> Sidecar {
        let addr: SocketAddr = ([127, 0, 0, 1], free_port()).into();
        let mut command = Command::new(binary);
        for (name, _) in std::env::vars().filter(|(name, _)| name.starts_with("IMAGE_")) {
            command.env_remove(name);
        }
        command.env("IMAGE_LISTEN", addr.to_string()).envs(env.iter().copied());
        command.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = crate::process::spawn_tied_to_process(command)
            .unwrap_or_else(|error| panic!("spawn {}: {error}", binary.display()));
        let logs = Arc::new(Mutex::new(Vec::new()));
        capture_lines(child.stdout.take().expect("piped stdout"), &logs, |_| ());
        capture_lines(child.stderr.take().expect("piped stderr"), &logs, |_| ());
        Sidecar { child, addr, logs }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `127.0.0.1:PORT`, the form of the `image_service_host` Spin variable.
    pub fn host(&self) -> String {
        self.addr.to_string()
    }

    pub fn get(&self, path: &str) -> std::io::Result<HttpResponse> {
        self.request("GET", path, &[])
    }

    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> std::io::Result<HttpResponse> {
        http_request(self.addr, method, path, headers, Duration::from_secs(5))
    }

    /// Every line the sidecar wrote so far, stdout and stderr.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM, as Kubernetes stops a pod; returns how it exited, or `None` if it did not
    /// within `timeout`.
    pub fn terminate(&mut self, timeout: Duration) -> Option<ExitStatus> {
        self.signal(libc::SIGTERM);
        self.wait(timeout)
    }

    /// SIGKILL: no chance to clean up, as in a crash or an OOM kill.
    pub fn kill(&mut self) {
        self.signal(libc::SIGKILL);
        let _ = self.child.wait();
    }

    pub fn wait(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("poll the sidecar") {
                return Some(status);
            }
            thread::sleep(Duration::from_millis(10));
        }
        None
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = libc::pid_t::try_from(self.child.id()).expect("pid fits pid_t");
        // SAFETY: kill(2) on our own child, which has not been reaped while we hold `child`.
        unsafe { libc::kill(pid, signal) };
    }
}

impl Drop for Sidecar {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
    }
}
