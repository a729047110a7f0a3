//! One download from the picture source, validated before anything is stored.

use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::{Client, Url, header::CONTENT_TYPE, redirect};

use crate::config::Config;
use crate::image::Image;
use crate::media::{self, Rejection};

pub struct Fetcher {
    client: Client,
    source: Url,
    max_bytes: u64,
}

#[derive(Debug)]
pub enum FetchError {
    Timeout,
    Unreachable(String),
    Status(u16),
    Rejected(Rejection),
    TooLarge { limit: u64 },
    Body(String),
}

impl FetchError {
    /// A short stable label, used in metrics and logs.
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::Unreachable(_) => "unreachable",
            Self::Status(_) => "http_status",
            Self::Rejected(Rejection::NotAnImage { .. }) => "content_type",
            Self::Rejected(_) => "magic_bytes",
            Self::TooLarge { .. } => "too_large",
            Self::Body(_) => "body",
        }
    }
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Timeout => write!(f, "the source did not answer in time"),
            Self::Unreachable(error) => write!(f, "the source is unreachable: {error}"),
            Self::Status(status) => write!(f, "the source answered HTTP {status}"),
            Self::Rejected(rejection) => write!(f, "not a picture: {rejection}"),
            Self::TooLarge { limit } => write!(f, "the picture is larger than {limit} bytes"),
            Self::Body(error) => write!(f, "the download broke off: {error}"),
        }
    }
}

impl From<reqwest::Error> for FetchError {
    fn from(error: reqwest::Error) -> Self {
        // The chain (e.g. "connection refused") is what an operator needs to see.
        let detail = std::iter::successors(Some(&error as &dyn std::error::Error), |e| e.source())
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(": ");
        if error.is_timeout() {
            Self::Timeout
        } else if error.is_body() || error.is_decode() {
            Self::Body(detail)
        } else {
            Self::Unreachable(detail)
        }
    }
}

impl Fetcher {
    pub fn new(config: &Config) -> anyhow::Result<Self> {
        let client = Client::builder()
            .timeout(config.fetch_timeout)
            .connect_timeout(config.fetch_timeout.min(Duration::from_secs(10)))
            .redirect(redirect::Policy::limited(5))
            .user_agent(concat!("image-sidecar/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Fetcher { client, source: config.source_url.clone(), max_bytes: config.max_bytes })
    }

    pub fn source(&self) -> &Url {
        &self.source
    }

    /// Downloads one picture; the size cap holds whether or not the source sends Content-Length.
    pub async fn fetch(&self) -> Result<Image, FetchError> {
        let mut response = self.client.get(self.source.clone()).send().await?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        let declared = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("")
            .to_owned();
        if !media::declares_image(&declared) {
            return Err(FetchError::Rejected(Rejection::NotAnImage { declared }));
        }
        if response.content_length().is_some_and(|length| length > self.max_bytes) {
            return Err(FetchError::TooLarge { limit: self.max_bytes });
        }
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await? {
            if (body.len() + chunk.len()) as u64 > self.max_bytes {
                return Err(FetchError::TooLarge { limit: self.max_bytes });
            }
            body.extend_from_slice(&chunk);
        }
        let content_type = media::validate(&declared, &body).map_err(FetchError::Rejected)?;
        let body: Bytes = body.freeze();
        Ok(Image::new(body, content_type, response.url().as_str(), SystemTime::now()))
    }
}
