//! The whole app for the browser: a fresh migrated PostgreSQL database, the image sidecar
//! fetching from a local picture source, and the root spin.toml on the project's host.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::{Child, Command};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The picture the local source serves (480×270 PNG), so the test needs no network.
const PICTURE: &[u8] = include_bytes!("picture.png");

pub struct App {
    pub base_url: String,
    host: devhost::RunningHost,
    _sidecar: KillOnDrop,
    _sidecar_data: TempDir,
}

/// A child process that must not outlive the test, even one that panics.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl App {
    pub async fn start() -> App {
        let postgres = testkit::shared_postgres();
        let db_url = postgres.create_database();
        migrate::run(&db_url).await.expect("migrate the test database");

        let source = serve_picture().await;
        let sidecar_addr = format!("127.0.0.1:{}", testkit::free_port());
        let sidecar_data = tempfile::Builder::new().prefix("browser-image-").tempdir().expect("temp dir");
        let sidecar = KillOnDrop(
            Command::new(testkit::workspace_root().join("target/release/image-sidecar"))
            .env("IMAGE_LISTEN", &sidecar_addr)
            .env("IMAGE_DATA_DIR", sidecar_data.path())
            .env("IMAGE_SOURCE_URL", format!("http://{source}/picture.png"))
            .spawn()
                .expect("start target/release/image-sidecar (built by `make build-native`)"),
        );

        let variables = HashMap::from([
            ("db_url".to_string(), db_url),
            ("db_host".to_string(), postgres.host()),
            ("image_service_host".to_string(), sidecar_addr),
        ]);
        let host = devhost::start(devhost::HostOptions {
            manifest: testkit::workspace_root().join("spin.toml"),
            listen: "127.0.0.1:0".parse().unwrap(),
            variables,
        })
        .await
        .expect("start the app on devhost");

        let base_url = format!("http://{}", host.addr());
        let app = App { base_url, host, _sidecar: sidecar, _sidecar_data: sidecar_data };
        app.wait_for_daily_photo().await;
        app
    }

    /// The sidecar fetches its first picture in the background: wait until the app serves it.
    async fn wait_for_daily_photo(&self) {
        let url = format!("{}/api/daily_photo", self.base_url);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let response = reqwest::get(&url).await;
            let ready = matches!(&response, Ok(r) if r.status() == 200
                && r.headers().get("content-type").is_some_and(|t| t == "image/png"));
            if ready {
                return;
            }
            assert!(Instant::now() < deadline, "the app never served the daily photo: {response:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn stop(self) {
        self.host.shutdown().await;
    }
}

/// An HTTP server on 127.0.0.1 that answers every request with [`PICTURE`].
async fn serve_picture() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the picture source");
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request).await;
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
                    PICTURE.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(PICTURE).await;
            });
        }
    });
    addr
}
