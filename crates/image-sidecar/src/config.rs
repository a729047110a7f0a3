//! Configuration from `IMAGE_*` environment variables; a bad value stops the start with a message
//! that names the variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use reqwest::Url;

use crate::redact;

#[derive(Debug, Clone)]
pub struct Config {
    /// Address the HTTP server binds (`IMAGE_LISTEN`).
    pub listen: SocketAddr,
    /// The volume holding the image, its metadata and the lock (`IMAGE_DATA_DIR`).
    pub data_dir: PathBuf,
    /// Where pictures come from; redirects are followed (`IMAGE_SOURCE_URL`).
    pub source_url: Url,
    /// Tests only: redirects may also lead to plain http and to loopback, private or link-local
    /// addresses (`IMAGE_ALLOW_INSECURE_REDIRECTS`).
    pub allow_insecure_redirects: bool,
    /// How long one picture is kept (`IMAGE_REFRESH_INTERVAL`).
    pub refresh_interval: Duration,
    /// Largest accepted download (`IMAGE_MAX_BYTES`).
    pub max_bytes: u64,
    /// Whole-download deadline, connect included (`IMAGE_FETCH_TIMEOUT`).
    pub fetch_timeout: Duration,
    /// First retry delay after a failed fetch; doubles on each failure (`IMAGE_RETRY_MIN`).
    pub retry_min: Duration,
    /// Longest retry delay (`IMAGE_RETRY_MAX`).
    pub retry_max: Duration,
    /// How long in-flight requests may finish after SIGTERM (`IMAGE_SHUTDOWN_TIMEOUT`).
    pub shutdown_timeout: Duration,
    /// Open connections at most; more wait to be accepted (`IMAGE_MAX_CONNECTIONS`).
    pub max_connections: usize,
    /// How long a client may take to send a request head, idle between requests or stall
    /// reading an answer before its connection is closed (`IMAGE_CLIENT_TIMEOUT`).
    pub client_timeout: Duration,
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads every setting through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let setting = |name: &str, default: &str| -> String {
            lookup(name).filter(|value| !value.trim().is_empty()).unwrap_or_else(|| default.to_owned())
        };
        let config = Config {
            listen: parse("IMAGE_LISTEN", &setting("IMAGE_LISTEN", "127.0.0.1:8081"), |v| {
                v.parse::<SocketAddr>().map_err(anyhow::Error::from)
            })?,
            data_dir: PathBuf::from(setting("IMAGE_DATA_DIR", "./data")),
            source_url: source_url(&setting("IMAGE_SOURCE_URL", "https://picsum.photos/1200"))?,
            allow_insecure_redirects: parse(
                "IMAGE_ALLOW_INSECURE_REDIRECTS",
                &setting("IMAGE_ALLOW_INSECURE_REDIRECTS", "false"),
                parse_bool,
            )?,
            refresh_interval: duration(&setting, "IMAGE_REFRESH_INTERVAL", "24h")?,
            max_bytes: parse("IMAGE_MAX_BYTES", &setting("IMAGE_MAX_BYTES", "10MiB"), parse_bytes)?,
            fetch_timeout: duration(&setting, "IMAGE_FETCH_TIMEOUT", "30s")?,
            retry_min: duration(&setting, "IMAGE_RETRY_MIN", "10s")?,
            retry_max: duration(&setting, "IMAGE_RETRY_MAX", "1h")?,
            shutdown_timeout: duration(&setting, "IMAGE_SHUTDOWN_TIMEOUT", "10s")?,
            max_connections: parse("IMAGE_MAX_CONNECTIONS", &setting("IMAGE_MAX_CONNECTIONS", "512"), parse_count)?,
            client_timeout: duration(&setting, "IMAGE_CLIENT_TIMEOUT", "10s")?,
        };
        if config.retry_min > config.retry_max {
            bail!("IMAGE_RETRY_MIN ({:?}) must not exceed IMAGE_RETRY_MAX ({:?})", config.retry_min, config.retry_max);
        }
        Ok(config)
    }
}

fn parse<T>(name: &str, value: &str, parser: impl Fn(&str) -> anyhow::Result<T>) -> anyhow::Result<T> {
    parser(value.trim()).with_context(|| format!("{name}={value:?} is invalid"))
}

/// Longer durations would put times derived from them past what RFC 3339 can write (year 9999).
const MAX_DURATION: Duration = Duration::from_secs(10 * 365 * 86_400);

/// Humane, strictly positive durations up to ten years: `90s`, `15m`, `24h`, `1h 30m`, `500ms`.
fn duration(setting: &impl Fn(&str, &str) -> String, name: &str, default: &str) -> anyhow::Result<Duration> {
    parse(name, &setting(name, default), |value| {
        let parsed = humantime::parse_duration(value).context("expected a duration such as 90s, 15m, 24h or 1h 30m")?;
        if parsed.is_zero() {
            bail!("must be longer than zero");
        }
        if parsed > MAX_DURATION {
            bail!("must not exceed ten years");
        }
        Ok(parsed)
    })
}

/// The message shows the value without its query string: that may be an API key.
fn source_url(value: &str) -> anyhow::Result<Url> {
    let checked = || -> anyhow::Result<Url> {
        let url = Url::parse(value.trim()).context("expected an absolute http(s) URL")?;
        if !matches!(url.scheme(), "http" | "https") {
            bail!("only http and https sources are supported");
        }
        Ok(url)
    };
    checked().with_context(|| format!("IMAGE_SOURCE_URL={:?} is invalid", redact::text(value)))
}

fn parse_bool(value: &str) -> anyhow::Result<bool> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => bail!("expected true or false"),
    }
}

fn parse_count(value: &str) -> anyhow::Result<usize> {
    match value.parse::<usize>().context("expected a whole number")? {
        0 => bail!("must be larger than zero"),
        count => Ok(count),
    }
}

/// A byte count, plain or with a binary unit: `10485760`, `512KiB`, `10MiB`.
fn parse_bytes(value: &str) -> anyhow::Result<u64> {
    let split = value.find(|c: char| !c.is_ascii_digit()).unwrap_or(value.len());
    let (digits, unit) = value.split_at(split);
    let number: u64 = digits.parse().context("expected a byte count such as 10485760, 512KiB or 10MiB")?;
    let multiplier = match unit.trim() {
        "" | "B" => 1,
        "KiB" => 1 << 10,
        "MiB" => 1 << 20,
        "GiB" => 1 << 30,
        other => bail!("unknown unit {other:?} (use B, KiB, MiB or GiB)"),
    };
    let bytes = number.checked_mul(multiplier).context("too large")?;
    if bytes == 0 {
        bail!("must be larger than zero");
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        let env: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| env.get(name).cloned())
    }

    #[test]
    fn defaults_match_the_documentation() {
        let config = config(&[]).unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8081");
        assert_eq!(config.data_dir, PathBuf::from("./data"));
        assert_eq!(config.source_url.as_str(), "https://picsum.photos/1200");
        assert_eq!(config.refresh_interval, Duration::from_secs(24 * 3600));
        assert_eq!(config.max_bytes, 10 * 1024 * 1024);
        assert!(!config.allow_insecure_redirects, "redirects are guarded unless asked otherwise");
        assert_eq!(config.max_connections, 512);
        assert_eq!(config.client_timeout, Duration::from_secs(10));
    }

    #[test]
    fn a_bad_source_url_is_named_without_its_query() {
        let error = format!("{:#}", config(&[("IMAGE_SOURCE_URL", "gopher://host/x?key=s3cret")]).unwrap_err());
        assert!(error.contains("IMAGE_SOURCE_URL") && error.contains("gopher://host/x"), "{error}");
        assert!(!error.contains("s3cret"), "{error}");
    }

    #[test]
    fn humane_values_are_understood() {
        let config = config(&[("IMAGE_REFRESH_INTERVAL", "1h 30m"), ("IMAGE_MAX_BYTES", "512KiB")]).unwrap();
        assert_eq!(config.refresh_interval, Duration::from_secs(5400));
        assert_eq!(config.max_bytes, 512 * 1024);
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (name, value) in [
            ("IMAGE_LISTEN", "localhost"),
            ("IMAGE_SOURCE_URL", "ftp://example.com/x"),
            ("IMAGE_REFRESH_INTERVAL", "banana"),
            ("IMAGE_REFRESH_INTERVAL", "0s"),
            ("IMAGE_MAX_BYTES", "10MB"),
            ("IMAGE_FETCH_TIMEOUT", "-3s"),
            ("IMAGE_RETRY_MAX", "9000years"),
            ("IMAGE_ALLOW_INSECURE_REDIRECTS", "yes"),
            ("IMAGE_MAX_CONNECTIONS", "0"),
            ("IMAGE_CLIENT_TIMEOUT", "never"),
        ] {
            let error = format!("{:#}", config(&[(name, value)]).unwrap_err());
            assert!(error.contains(name), "{error}");
        }
    }

    #[test]
    fn retry_bounds_must_be_ordered() {
        let error = config(&[("IMAGE_RETRY_MIN", "2h"), ("IMAGE_RETRY_MAX", "1h")]).unwrap_err();
        assert!(error.to_string().contains("IMAGE_RETRY_MIN"));
    }
}
