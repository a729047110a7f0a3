//! Where a redirect from the picture source may lead: only to https, and never to a loopback,
//! private or link-local address. The policy checks IP literals; names are checked by the
//! resolver on the very addresses the connection then uses, so a name that resolves inward
//! (or is rebound between two lookups) gets nowhere. The configured source itself is trusted.

use std::error::Error;
use std::fmt;
use std::net::{IpAddr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::{Url, redirect};

use crate::address::is_public;
use crate::redact;

const MAX_REDIRECTS: usize = 5;

/// Why a redirect was not followed; found again in the error chain to label the failure.
#[derive(Debug)]
pub struct Refused(String);

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "redirect refused: {}", self.0)
    }
}

impl Error for Refused {}

/// `allow_insecure` (tests with a local plain-HTTP source only) lifts both rules.
pub fn policy(allow_insecure: bool) -> redirect::Policy {
    redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() > MAX_REDIRECTS {
            return attempt.error(Refused(format!("more than {MAX_REDIRECTS} redirects")));
        }
        match check_target(attempt.url(), allow_insecure) {
            Ok(()) => attempt.follow(),
            Err(refused) => attempt.error(refused),
        }
    })
}

fn check_target(url: &Url, allow_insecure: bool) -> Result<(), Refused> {
    if allow_insecure {
        return Ok(());
    }
    if url.scheme() != "https" {
        return Err(Refused(format!("{} is not https", redact::url(url))));
    }
    // The URL parser has already normalised literals (`2130706433` is `127.0.0.1`).
    let host = url.host_str().unwrap_or_default();
    match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(ip) if !is_public(ip) => Err(Refused(format!("{ip} is not a public address"))),
        _ => Ok(()),
    }
}

/// Resolves names with the system resolver, keeping only public addresses for any host but the
/// configured source's.
pub struct Resolver {
    source_host: Option<String>,
    allow_insecure: bool,
}

impl Resolver {
    pub fn new(source: &Url, allow_insecure: bool) -> Self {
        Resolver { source_host: source.host_str().map(str::to_owned), allow_insecure }
    }
}

impl Resolve for Resolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let trusted = self.allow_insecure || self.source_host.as_deref() == Some(host.as_str());
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let usable: Vec<SocketAddr> =
                found.iter().copied().filter(|addr| trusted || is_public(addr.ip())).collect();
            if usable.is_empty() && !found.is_empty() {
                return Err(Box::new(Refused(format!("{host} resolves only to non-public addresses"))) as _);
            }
            Ok(Box::new(usable.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(url: &str) -> Result<(), String> {
        check_target(&Url::parse(url).unwrap(), false).map_err(|refused| refused.to_string())
    }

    #[test]
    fn only_https_to_public_literals_or_names_passes() {
        assert_eq!(check("https://fastly.picsum.photos/id/1/1200/800.jpg"), Ok(()));
        assert_eq!(check("https://151.101.1.91/x"), Ok(()));
        for refused in [
            "http://picsum.photos/x",
            "https://127.0.0.1/x",
            "https://2130706433/x",
            "https://[::ffff:10.0.0.1]/x",
            "https://169.254.169.254/",
        ] {
            assert!(check(refused).is_err(), "{refused}");
        }
    }

    #[test]
    fn a_refusal_never_shows_the_query() {
        let error = check("http://internal.example/x?token=s3cret").unwrap_err();
        assert!(error.contains("internal.example/x") && !error.contains("s3cret"), "{error}");
    }

    #[test]
    fn the_allowance_lifts_both_rules() {
        assert!(check_target(&Url::parse("http://127.0.0.1:8080/x").unwrap(), true).is_ok());
    }

    #[tokio::test]
    async fn names_resolving_inward_are_refused_except_the_source() {
        let source = Url::parse("http://localhost:1/1200").unwrap();
        let guarded = Resolver::new(&Url::parse("https://picsum.photos/1200").unwrap(), false);
        let refused = guarded.resolve("localhost".parse().unwrap()).await.err().expect("localhost is loopback");
        assert!(refused.downcast_ref::<Refused>().is_some(), "{refused}");
        let trusted = Resolver::new(&source, false).resolve("localhost".parse().unwrap()).await.unwrap();
        assert!(trusted.into_iter().all(|addr| addr.ip().is_loopback()));
    }
}
