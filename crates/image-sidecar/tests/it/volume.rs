//! Faults of the volume itself: full, read-only, unreadable. The sidecar keeps serving the last
//! good picture (or the placeholder), leaves no temp files and never deletes the stored picture
//! because of an error that may pass.
//!
//! Full and read-only are real tmpfs mounts: the tests run as root, for whom a directory's
//! permission bits deny nothing, so only a mount makes writes actually fail.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use tempfile::TempDir;
use testkit::{Reply, fake_picture};

use crate::helpers::{
    JPEG, Serving, files, serving, serving_on, sha256_hex, start, status, wait_for_fetches, wait_for_picture,
    wait_until,
};

/// A tmpfs mounted on a fresh directory for one test, unmounted again on drop.
struct Tmpfs {
    dir: TempDir,
}

impl Tmpfs {
    fn mount(options: &str) -> Tmpfs {
        let dir = tempfile::tempdir().unwrap();
        mount(&["-t", "tmpfs", "-o", options, "tmpfs"], dir.path());
        Tmpfs { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Remounts read-only; nothing may have a file open for writing on it.
    fn make_read_only(&self) {
        mount(&["-o", "remount,ro"], self.path());
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazy, so that a sidecar still holding its lock cannot keep the mount alive.
        let _ = Command::new("umount").arg("-l").arg(self.path()).status();
    }
}

fn mount(args: &[&str], target: &Path) {
    let output = Command::new("mount").args(args).arg(target).output().expect("run mount(8)");
    assert!(
        output.status.success(),
        "mount {args:?} failed (these tests need root to mount a tmpfs): {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// What the volume holds with `picture` stored and nothing else.
fn stored_files(picture: &[u8]) -> Vec<String> {
    vec![".lock".to_owned(), "current.json".to_owned(), format!("image-{}.bin", sha256_hex(picture))]
}

#[test]
fn a_full_volume_keeps_the_last_good_picture_and_no_temp_files() {
    let volume = Tmpfs::mount("size=256k");
    let good = fake_picture(JPEG, 1, 40_000);
    let (source, sidecar) = serving_on(volume.path(), JPEG, &good, &[("IMAGE_REFRESH_INTERVAL", "200ms")]);

    source.route("/1200", Reply::picture(JPEG, fake_picture(JPEG, 2, 400_000)));
    wait_for_fetches(&sidecar, "storage", 2);
    assert_eq!(sidecar.get("/image").unwrap().body, good, "the last good picture is still served");
    let status = status(&sidecar);
    assert_eq!(status["placeholder"], false);
    assert!(status["last_error"].as_str().unwrap().contains("No space left"), "{status}");
    // No write in flight while the volume is listed: the next fetch fails before storing.
    source.route("/1200", Reply::Status(500));
    wait_for_fetches(&sidecar, "http_status", 1);
    assert_eq!(files(volume.path()), stored_files(&good), "nothing of the failed writes is left");

    // Once a picture fits again, it is stored as usual.
    let small = fake_picture(JPEG, 3, 30_000);
    source.route("/1200", Reply::picture(JPEG, small.clone()));
    wait_for_picture(&sidecar, &small);
    source.route("/1200", Reply::Status(500));
    wait_for_fetches(&sidecar, "http_status", 2);
    assert_eq!(files(volume.path()), stored_files(&small));
}

#[test]
fn a_read_only_volume_serves_the_picture_it_holds() {
    let volume = Tmpfs::mount("size=1m");
    let good = fake_picture(JPEG, 4, 20_000);
    let (source, mut first) = serving_on(volume.path(), JPEG, &good, &[]);
    first.terminate(Duration::from_secs(5)).expect("stops on SIGTERM");
    volume.make_read_only();

    // Due at once (the interval is shorter than the picture's age), but nothing can be stored.
    source.route("/1200", Reply::picture(JPEG, fake_picture(JPEG, 5, 20_000)));
    let sidecar = start(volume.path(), &source.url("/1200"), &[("IMAGE_REFRESH_INTERVAL", "50ms")]);
    wait_for_fetches(&sidecar, "storage", 2);
    assert_eq!(sidecar.get("/image").unwrap().body, good);
    let status = status(&sidecar);
    assert_eq!(status["placeholder"], false);
    assert!(status["last_error"].as_str().unwrap().contains("Read-only file system"), "{status}");
    assert_eq!(files(volume.path()), stored_files(&good));
}

#[test]
fn an_empty_read_only_volume_serves_the_placeholder() {
    let volume = Tmpfs::mount("ro,size=64k");
    let source = testkit::PictureSource::start();
    source.route("/1200", Reply::picture(JPEG, fake_picture(JPEG, 6, 10_000)));
    let sidecar = start(volume.path(), &source.url("/1200"), &[]);
    wait_for_fetches(&sidecar, "storage", 1);
    let response = sidecar.get("/image").unwrap();
    assert_eq!(response.header("x-image-placeholder"), Some("true"));
    assert!(files(volume.path()).is_empty());
}

/// An unreadable picture (here a directory where the file should be: an I/O error other than
/// "not found", as a failing disk gives) is retried, then served without, and never deleted:
/// once readable again, the next start serves it.
#[test]
fn a_read_error_at_start_keeps_the_stored_picture() {
    let good = fake_picture(JPEG, 7, 5_000);
    let Serving { source, dir, mut sidecar } = serving(JPEG, &good, &[]);
    sidecar.terminate(Duration::from_secs(5)).expect("stops on SIGTERM");
    let picture_file = dir.path().join(files(dir.path()).into_iter().find(|name| name.starts_with("image-")).unwrap());
    let aside = dir.path().join("aside");
    std::fs::rename(&picture_file, &aside).unwrap();
    std::fs::create_dir(&picture_file).unwrap();

    source.route("/1200", Reply::Status(503));
    let unreadable = start(dir.path(), &source.url("/1200"), &[]);
    wait_until(&unreadable, Duration::from_secs(10), "serving without the picture", || {
        unreadable.logs().iter().any(|line| line.contains("serving without it"))
    });
    assert_eq!(unreadable.get("/image").unwrap().header("x-image-placeholder"), Some("true"));
    let retries = unreadable.logs().iter().filter(|line| line.contains("trying again")).count();
    assert_eq!(retries, 2, "{:?}", unreadable.logs());
    drop(unreadable);

    std::fs::remove_dir(&picture_file).unwrap();
    std::fs::rename(&aside, &picture_file).unwrap();
    assert!(dir.path().join("current.json").exists(), "the metadata was kept");
    let restarted = start(dir.path(), &source.url("/1200"), &[]);
    assert_eq!(restarted.get("/image").unwrap().body, good);
}
