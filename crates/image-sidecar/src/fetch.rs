//! One download from the picture source, validated before anything is stored.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::{Client, Url, header::CONTENT_TYPE};

use crate::config::Config;
use crate::image::Image;
use crate::media::{self, Rejection};
use crate::redact;
use crate::redirect::{self, Refused};

pub struct Fetcher {
    client: Client,
    source: Url,
    /// The source as logs may show it.
    shown_source: String,
    max_bytes: u64,
}

#[derive(Debug)]
pub enum FetchError {
    Timeout,
    Unreachable(String),
    Redirect(String),
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
            Self::Redirect(_) => "redirect",
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
            Self::Redirect(error) => write!(f, "the source's redirect was not followed: {error}"),
            Self::Status(status) => write!(f, "the source answered HTTP {status}"),
            Self::Rejected(rejection) => write!(f, "not a picture: {rejection}"),
            Self::TooLarge { limit } => write!(f, "the picture is larger than {limit} bytes"),
            Self::Body(error) => write!(f, "the download broke off: {error}"),
        }
    }
}

impl From<reqwest::Error> for FetchError {
    fn from(mut error: reqwest::Error) -> Self {
        if let Some(url) = error.url_mut() {
            redact::strip(url);
        }
        // The chain (e.g. "connection refused") is what an operator needs to see.
        let chain: Vec<&dyn std::error::Error> =
            std::iter::successors(Some(&error as &dyn std::error::Error), |e| e.source()).collect();
        let detail = chain.iter().map(ToString::to_string).collect::<Vec<_>>().join(": ");
        if error.is_timeout() {
            Self::Timeout
        } else if error.is_redirect() || chain.iter().any(|e| e.downcast_ref::<Refused>().is_some()) {
            Self::Redirect(detail)
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
            .redirect(redirect::policy(config.allow_insecure_redirects))
            .dns_resolver(Arc::new(redirect::Resolver::new(&config.source_url, config.allow_insecure_redirects)))
            // A proxy would hide the real destination from the address checks.
            .no_proxy()
            .user_agent(concat!("image-sidecar/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let shown_source = redact::url(&config.source_url);
        Ok(Fetcher { client, source: config.source_url.clone(), shown_source, max_bytes: config.max_bytes })
    }

    pub fn shown_source(&self) -> &str {
        &self.shown_source
    }

    /// Downloads one picture; the size cap holds whether or not the source sends Content-Length.
    pub async fn fetch(&self) -> Result<Image, FetchError> {
        let mut response = self.client.get(self.source.clone()).send().await?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        let declared =
            response.headers().get(CONTENT_TYPE).and_then(|value| value.to_str().ok()).unwrap_or("").to_owned();
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
        Ok(Image::new(body, content_type, &redact::url(response.url()), SystemTime::now()))
    }
}
