//! Shared by the sidecar's integration tests: the real binary, a temp volume, a scripted source.

use std::path::Path;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};
use tempfile::TempDir;
use testkit::{PictureSource, Reply, Sidecar};

pub const JPEG: &str = "image/jpeg";

/// Short retry and fetch deadlines keep failure tests fast.
pub const FAST: &[(&str, &str)] =
    &[("IMAGE_RETRY_MIN", "50ms"), ("IMAGE_RETRY_MAX", "200ms"), ("IMAGE_FETCH_TIMEOUT", "2s")];

pub fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_image-sidecar"))
}

/// The sidecar on `data_dir` fetching from `source_url`, with `FAST` and then `extra` settings.
pub fn start(data_dir: &Path, source_url: &str, extra: &[(&str, &str)]) -> Sidecar {
    Sidecar::start(binary(), &env(data_dir, source_url, extra))
}

pub fn spawn(data_dir: &Path, source_url: &str, extra: &[(&str, &str)]) -> Sidecar {
    Sidecar::spawn(binary(), &env(data_dir, source_url, extra))
}

fn env<'a>(data_dir: &'a Path, source_url: &'a str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut env =
        vec![("IMAGE_DATA_DIR", data_dir.to_str().expect("UTF-8 temp path")), ("IMAGE_SOURCE_URL", source_url)];
    env.extend_from_slice(FAST);
    env.extend_from_slice(extra);
    env
}

pub fn status(sidecar: &Sidecar) -> Value {
    let response = sidecar.get("/status").expect("GET /status");
    assert_eq!(response.status, 200);
    serde_json::from_slice(&response.body).expect("status is JSON")
}

/// The names of the files on the volume, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|entry| entry.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    names
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Polls `condition` every 20 ms; panics with `what` and the sidecar's logs after `timeout`.
pub fn wait_until(sidecar: &Sidecar, timeout: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}; logs:\n{}", sidecar.logs().join("\n"));
        thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until the sidecar serves exactly `bytes`.
pub fn wait_for_picture(sidecar: &Sidecar, bytes: &[u8]) {
    let sha = sha256_hex(bytes);
    wait_until(sidecar, Duration::from_secs(10), &format!("picture {sha}"), || {
        status(sidecar)["sha256"] == sha.as_str()
    });
}

/// The value of one sample line of `/metrics`, e.g. `image_sidecar_fetches_total{outcome="ok"}`.
pub fn metric(sidecar: &Sidecar, sample: &str) -> Option<f64> {
    let text = sidecar.get("/metrics").expect("GET /metrics").text();
    text.lines().find_map(|line| line.strip_prefix(sample)?.strip_prefix(' ')?.parse().ok())
}

/// How many fetches ended with `outcome` (`ok` or a failure reason), per `/metrics`.
pub fn fetches(sidecar: &Sidecar, outcome: &str) -> u64 {
    metric(sidecar, &format!("image_sidecar_fetches_total{{outcome=\"{outcome}\"}}")).map_or(0, |count| count as u64)
}

/// Waits until `count` fetches have ended with `outcome`.
pub fn wait_for_fetches(sidecar: &Sidecar, outcome: &str, count: u64) {
    let what = format!("{count} fetches with outcome {outcome}");
    wait_until(sidecar, Duration::from_secs(15), &what, || fetches(sidecar, outcome) >= count);
}

/// Starts a sidecar fetching `source`'s `/1200`, which answers with something unacceptable, and
/// waits for a failed fetch with `reason`; the placeholder must still be served and the
/// rejection logged. Returns `/status`.
pub fn assert_rejected(source: &PictureSource, reason: &str, extra: &[(&str, &str)]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let sidecar = start(dir.path(), &source.url("/1200"), extra);
    wait_for_fetches(&sidecar, reason, 1);
    let status = status(&sidecar);
    assert_eq!(status["placeholder"], true, "nothing was accepted: {status}");
    assert!(status["consecutive_failures"].as_u64().unwrap() >= 1);
    let log = sidecar.logs().into_iter().find(|line| line.contains(&format!("\"reason\":\"{reason}\"")));
    assert!(log.is_some_and(|line| line.contains("\"level\":\"warn\"")), "the rejection is logged");
    status
}

/// A sidecar already serving `picture`, fetched from a source whose `/1200` answers with it.
pub struct Serving {
    pub source: PictureSource,
    pub dir: TempDir,
    pub sidecar: Sidecar,
}

pub fn serving(content_type: &str, picture: &[u8], extra: &[(&str, &str)]) -> Serving {
    let dir = tempfile::tempdir().unwrap();
    let (source, sidecar) = serving_on(dir.path(), content_type, picture, extra);
    Serving { source, dir, sidecar }
}

/// The same on the volume `data_dir`.
pub fn serving_on(
    data_dir: &Path,
    content_type: &str,
    picture: &[u8],
    extra: &[(&str, &str)],
) -> (PictureSource, Sidecar) {
    let source = PictureSource::start();
    source.route("/1200", Reply::picture(content_type, picture.to_vec()));
    let sidecar = start(data_dir, &source.url("/1200"), extra);
    wait_for_picture(&sidecar, picture);
    (source, sidecar)
}
