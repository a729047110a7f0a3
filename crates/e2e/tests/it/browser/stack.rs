//! The whole app for the browser: a fresh migrated PostgreSQL database, the image sidecar
//! fetching from a local picture source, and the root spin.toml on Spin.

use e2e::{AppConfig, TestApp};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use testkit::{PictureSource, Reply, Sidecar};

/// A real 480×270 PNG (the browser must decode it), so the test needs no network.
const PICTURE: &[u8] = include_bytes!("picture.png");
pub const PICTURE_WIDTH: i64 = 480;

pub struct App {
    pub base_url: String,
    _served: TestApp,
    _sidecar: Sidecar,
    _sidecar_data: TempDir,
    _source: PictureSource,
}

impl App {
    pub async fn start() -> App {
        let postgres = testkit::shared_postgres();
        let database = e2e::migrated_database(postgres).await;

        let source = PictureSource::start();
        source.route("/picture.png", Reply::picture("image/png", PICTURE.to_vec()));
        let sidecar_data = tempfile::Builder::new().prefix("browser-image-").tempdir().expect("temp dir");
        let sidecar = Sidecar::start(
            &testkit::sidecar_binary(),
            &[
                ("IMAGE_DATA_DIR", sidecar_data.path().to_str().expect("UTF-8 temp path")),
                ("IMAGE_SOURCE_URL", &source.url("/picture.png")),
            ],
        );

        let config = AppConfig::with_database(postgres, database).variable("image_service_host", sidecar.host());
        let served = TestApp::spawn(config);
        let base_url = served.url("");
        let app = App { base_url, _served: served, _sidecar: sidecar, _sidecar_data: sidecar_data, _source: source };
        app.wait_for_daily_photo().await;
        app
    }

    /// The sidecar fetches its first picture in the background: wait until the app serves it.
    async fn wait_for_daily_photo(&self) {
        let url = format!("{}/api/daily_photo", self.base_url);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let response = reqwest::get(&url).await;
            if let Ok(response) = &response
                && response.status() == 200
                && response.headers().get("content-type").is_some_and(|t| t == "image/png")
            {
                return;
            }
            assert!(Instant::now() < deadline, "the app never served the daily photo: {response:?}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}
