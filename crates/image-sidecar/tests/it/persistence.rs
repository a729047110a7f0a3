//! The volume: a restart keeps the picture until due, crashes never tear it, corruption is
//! noticed, and only one sidecar writes it.

use std::fs;
use std::path::Path;
use std::thread;
use std::time::Duration;

use testkit::{PictureSource, Reply, fake_picture};

use crate::helpers::{JPEG, Serving, files, serving, sha256_hex, spawn, start, status, wait_for_picture, wait_until};

fn stored_picture_files(dir: &Path) -> Vec<String> {
    files(dir).into_iter().filter(|name| name.starts_with("image-")).collect()
}

#[test]
fn a_restart_keeps_the_picture_until_it_is_due() {
    let first = fake_picture(JPEG, 1, 5_000);
    let Serving { source, dir, mut sidecar } = serving(JPEG, &first, &[]);
    let fetched_at = status(&sidecar)["fetched_at"].clone();
    assert!(sidecar.terminate(Duration::from_secs(5)).is_some_and(|exit| exit.success()));

    source.route("/1200", Reply::picture(JPEG, fake_picture(JPEG, 2, 5_000)));
    let restarted = start(dir.path(), &source.url("/1200"), &[]);
    thread::sleep(Duration::from_millis(500));
    assert_eq!(source.requests("/1200"), 1, "a restart must not burn a new picture");
    assert_eq!(restarted.get("/image").unwrap().body, first);
    let status = status(&restarted);
    assert_eq!(status["fetched_at"], fetched_at);
    assert_eq!(status["placeholder"], false);
}

#[test]
fn a_restart_after_the_interval_fetches_a_new_picture() {
    let first = fake_picture(JPEG, 3, 5_000);
    let interval = [("IMAGE_REFRESH_INTERVAL", "1s")];
    let Serving { source, dir, mut sidecar } = serving(JPEG, &first, &interval);
    sidecar.kill();

    let second = fake_picture(JPEG, 4, 5_000);
    source.route("/1200", Reply::picture(JPEG, second.clone()));
    thread::sleep(Duration::from_millis(1_100));
    let restarted = start(dir.path(), &source.url("/1200"), &interval);
    wait_for_picture(&restarted, &second);
    assert_eq!(stored_picture_files(dir.path()).len(), 1, "the previous picture file is removed");
}

#[test]
fn a_corrupted_picture_is_discarded_and_refetched() {
    let first = fake_picture(JPEG, 5, 5_000);
    let Serving { source, dir, mut sidecar } = serving(JPEG, &first, &[]);
    sidecar.terminate(Duration::from_secs(5)).expect("stops on SIGTERM");

    // Bit rot: same size, one byte flipped.
    let files = stored_picture_files(dir.path());
    let path = dir.path().join(&files[0]);
    let mut bytes = fs::read(&path).unwrap();
    bytes[4_000] ^= 0xFF;
    fs::write(&path, bytes).unwrap();

    let second = fake_picture(JPEG, 6, 5_000);
    source.route("/1200", Reply::picture(JPEG, second.clone()));
    let restarted = start(dir.path(), &source.url("/1200"), &[]);
    wait_for_picture(&restarted, &second);
    assert!(restarted.logs().iter().any(|line| line.contains("discarded the stored picture")));
    assert_eq!(source.requests("/1200"), 2);
}

#[test]
fn a_corrupted_picture_is_never_served_even_offline() {
    let first = fake_picture(JPEG, 7, 5_000);
    let Serving { source, dir, mut sidecar } = serving(JPEG, &first, &[]);
    sidecar.kill();

    let path = dir.path().join(&stored_picture_files(dir.path())[0]);
    fs::write(&path, &first[..1_000]).unwrap(); // torn by hand
    source.route("/1200", Reply::Status(503));
    let restarted = start(dir.path(), &source.url("/1200"), &[]);
    let response = restarted.get("/image").unwrap();
    assert_eq!(response.header("x-image-placeholder"), Some("true"));
    assert_eq!(status(&restarted)["placeholder"], true);
}

/// Metadata whose checksum still matches but whose other fields cannot be served (a content
/// type that would break the HTTP head, a fetch time that would put off every refresh) is
/// discarded and logged like any corruption, never trusted or panicked over.
#[test]
fn unusable_metadata_is_discarded() {
    let picture = fake_picture(JPEG, 9, 5_000);
    let Serving { source, dir, mut sidecar } = serving(JPEG, &picture, &[]);
    sidecar.terminate(Duration::from_secs(5)).expect("stops on SIGTERM");
    let current = dir.path().join("current.json");
    let good: serde_json::Value = serde_json::from_slice(&fs::read(&current).unwrap()).unwrap();
    source.route("/1200", Reply::Status(503));

    for (field, value) in [("content_type", "image/jpeg\r\nSet-Cookie: a=b"), ("fetched_at", "9999-01-01T00:00:00Z")] {
        let mut bad = good.clone();
        bad[field] = value.into();
        fs::write(&current, serde_json::to_vec(&bad).unwrap()).unwrap();
        let restarted = start(dir.path(), &source.url("/1200"), &[]);
        let response = restarted.get("/image").unwrap();
        assert_eq!((response.status, response.header("x-image-placeholder")), (200, Some("true")), "{field}");
        assert!(restarted.logs().iter().any(|line| line.contains("discarded the stored picture")), "{field}");
        assert!(!current.exists(), "{field}: the bad metadata is removed");
    }
}

/// The sidecar refreshes continuously (1 ms interval) from a source whose picture changes on
/// every fetch, and is killed with SIGKILL at moments around the end of a download, i.e. while
/// it validates, hashes, writes, fsyncs and renames. After each kill, a restart with a source
/// that only fails must serve a whole picture from the source, never a torn one or the
/// placeholder.
#[test]
fn kill_9_during_writes_always_leaves_a_whole_picture() {
    let pictures: Vec<Vec<u8>> = (0..4).map(|seed| fake_picture(JPEG, 100 + seed, 2 * 1024 * 1024)).collect();
    let hashes: Vec<String> = pictures.iter().map(|picture| sha256_hex(picture)).collect();
    let source = PictureSource::start();
    source.route("/1200", Reply::Cycle(pictures.iter().map(|p| Reply::picture(JPEG, p.clone())).collect()));
    source.route("/broken", Reply::Status(500));
    let dir = tempfile::tempdir().unwrap();

    let mut first = start(dir.path(), &source.url("/1200"), &[]);
    wait_for_picture(&first, &pictures[0]);
    first.kill();

    for round in 0..12u64 {
        let busy = start(dir.path(), &source.url("/1200"), &[("IMAGE_REFRESH_INTERVAL", "1ms")]);
        let done = source.requests("/1200");
        assert!(source.wait_for_completed("/1200", done + 1 + (round as usize % 3), Duration::from_secs(20)));
        thread::sleep(Duration::from_millis(fastrand::u64(0..25)));
        let mut busy = busy;
        busy.kill();

        let check = start(dir.path(), &source.url("/broken"), &[]);
        let status = status(&check);
        assert_eq!(status["placeholder"], false, "round {round}: the stored picture was lost: {status}");
        let response = check.get("/image").unwrap();
        let served = sha256_hex(&response.body);
        assert!(hashes.contains(&served), "round {round}: served bytes are not one of the source's pictures");
        assert_eq!(response.header("etag"), Some(format!("\"{served}\"").as_str()));
        assert!(!check.logs().iter().any(|line| line.contains("discarded")), "round {round}: {:?}", check.logs());
        drop(check);
    }
    // The last start cleared what the kills left: the lock, the metadata and one picture.
    let files = files(dir.path());
    assert_eq!(files.len(), 3, "{files:?}");
    assert_eq!(files[..2], [".lock", "current.json"]);
}

#[test]
fn a_second_sidecar_on_the_same_volume_is_refused() {
    let picture = fake_picture(JPEG, 8, 5_000);
    let Serving { source, dir, sidecar: first } = serving(JPEG, &picture, &[]);

    let mut second = spawn(dir.path(), &source.url("/1200"), &[]);
    let exit = second.wait(Duration::from_secs(10)).expect("the second copy exits by itself");
    assert_eq!(exit.code(), Some(1));
    wait_until(&second, Duration::from_secs(2), "its error line", || {
        second.logs().iter().any(|line| line.contains("already used by another image-sidecar"))
    });
    assert_eq!(first.get("/image").unwrap().body, picture, "the first copy carries on");
    assert_eq!(source.requests("/1200"), 1, "the second copy fetched nothing");
}
