//! `allowed_outbound_hosts`, with the syntax and matching rules of Spin 3.6's
//! outbound-networking config: `scheme://host[:port]`, where the scheme may be `*`, the host
//! `*`, `*.domain` or an IP network, and the port `*`, a number or a range `a..b`; without a
//! port, the scheme's well-known port.

use std::net::IpAddr;
use std::ops::Range;

use anyhow::{Context, Result, bail, ensure};

/// The parsed `allowed_outbound_hosts` of one component.
#[derive(Debug, Default)]
pub(crate) struct AllowedHosts(Vec<AllowedHost>);

#[derive(Debug)]
struct AllowedHost {
    scheme: Option<String>,
    host: HostRule,
    port: PortRule,
}

#[derive(Debug)]
enum HostRule {
    Any,
    /// `*.example.com`, stored as `.example.com`.
    Subdomain(String),
    /// `self`: requests to the app itself, which this host does not route.
    ToSelf,
    Name(String),
    Network(IpAddr, u8),
}

#[derive(Debug)]
enum PortRule {
    Any,
    Port(u16),
    Range(Range<u16>),
}

impl AllowedHosts {
    /// Parses already-rendered entries (templates are expanded by the caller).
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<Self> {
        if let [only] = entries
            && only.as_ref() == "insecure:allow-all"
        {
            bail!("'insecure:allow-all' is not allowed: use '*://*:*' to allow all outbound traffic");
        }
        entries.iter().map(|entry| AllowedHost::parse(entry.as_ref())).collect::<Result<_>>().map(Self)
    }

    /// Whether `url` (`scheme://[user@]host[:port][/...]`, or without scheme, then
    /// `default_scheme`) may be reached.
    pub fn allows_url(&self, url: &str, default_scheme: &str) -> bool {
        match OutboundUrl::parse(url, default_scheme) {
            Some(url) => self.0.iter().any(|allowed| allowed.allows(&url)),
            None => false,
        }
    }
}

impl AllowedHost {
    fn parse(entry: &str) -> Result<Self> {
        let entry = entry.trim();
        let Some((scheme, rest)) = entry.split_once("://") else {
            bail!(
                "{entry:?} is not an allowed outbound host: use <scheme>://<host>[:<port>], \
                 with '*' wildcards allowed for each"
            );
        };
        let (host, port) = rest.rsplit_once(':').unwrap_or((rest, ""));
        let port = match port.split_once('/') {
            Some((port, path)) => {
                ensure!(path.is_empty(), "{entry:?} has a path but is not allowed to");
                port
            }
            None => port,
        };
        Ok(Self {
            scheme: parse_scheme(scheme).with_context(|| format!("allowed outbound host {entry:?}"))?,
            host: HostRule::parse(host).with_context(|| format!("allowed outbound host {entry:?}"))?,
            port: PortRule::parse(port, scheme).with_context(|| format!("allowed outbound host {entry:?}"))?,
        })
    }

    fn allows(&self, url: &OutboundUrl) -> bool {
        self.scheme.as_ref().is_none_or(|s| *s == url.scheme)
            && self.host.allows(&url.host)
            && self.port.allows(url.port.or_else(|| well_known_port(&url.scheme)))
    }
}

/// `None` stands for `*`.
fn parse_scheme(scheme: &str) -> Result<Option<String>> {
    if scheme == "*" {
        return Ok(None);
    }
    ensure!(!scheme.starts_with('{'), "scheme lists are not supported");
    ensure!(
        !scheme.is_empty() && scheme.chars().all(char::is_alphabetic),
        "scheme {scheme:?} contains a non-alphabetic character"
    );
    Ok(Some(scheme.to_owned()))
}

impl HostRule {
    fn parse(host: &str) -> Result<Self> {
        let host = host.trim();
        if host == "*" {
            return Ok(Self::Any);
        }
        if host == "self" || host == "self.alt" {
            return Ok(Self::ToSelf);
        }
        ensure!(!host.starts_with('{'), "host lists are not supported");
        if let Some(network) = parse_network(host) {
            return Ok(network);
        }
        ensure!(!matches!(host.split('/').nth(1), Some(path) if !path.is_empty()), "hosts must not contain paths");
        if let Some(domain) = host.strip_prefix("*.") {
            ensure!(!domain.contains('*'), "wildcards are allowed only as prefixes");
            return Ok(Self::Subdomain(format!(".{domain}")));
        }
        ensure!(!host.contains('*'), "wildcards are allowed only as subdomains");
        Ok(Self::Name(host.trim_end_matches('/').to_ascii_lowercase()))
    }

    fn allows(&self, host: &str) -> bool {
        match self {
            Self::Any => true,
            Self::Subdomain(suffix) => host.ends_with(suffix.as_str()),
            Self::ToSelf => false,
            Self::Name(name) => name == host,
            Self::Network(network, prefix) => host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse()
                .is_ok_and(|ip| in_network(ip, *network, *prefix)),
        }
    }
}

/// An IP address or CIDR network (`10.0.0.0/8`), as Spin accepts them.
fn parse_network(host: &str) -> Option<HostRule> {
    let (address, prefix) = host.split_once('/').unwrap_or((host, ""));
    let address: IpAddr = address.trim_start_matches('[').trim_end_matches(']').parse().ok()?;
    let max = if address.is_ipv4() { 32 } else { 128 };
    let prefix = if prefix.is_empty() { max } else { prefix.parse().ok().filter(|p| *p <= max)? };
    Some(HostRule::Network(address, prefix))
}

fn in_network(ip: IpAddr, network: IpAddr, prefix: u8) -> bool {
    let (ip, network, bits) = match (ip, network) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => (u32::from(ip) as u128, u32::from(net) as u128, 32),
        (IpAddr::V6(ip), IpAddr::V6(net)) => (u128::from(ip), u128::from(net), 128),
        _ => return false,
    };
    let shift = bits - u32::from(prefix);
    shift >= bits || (ip >> shift) == (network >> shift)
}

impl PortRule {
    fn parse(port: &str, scheme: &str) -> Result<Self> {
        if port.is_empty() {
            return well_known_port(scheme)
                .map(Self::Port)
                .with_context(|| format!("no port was given and the scheme {scheme:?} has no well-known port"));
        }
        if port == "*" {
            return Ok(Self::Any);
        }
        ensure!(!port.starts_with('{'), "port lists are not supported");
        if let Some((start, end)) = port.split_once("..") {
            let number =
                |s: &str| s.parse::<u16>().with_context(|| format!("port range {port:?} contains a non-number"));
            return Ok(Self::Range(number(start)?..number(end)?));
        }
        Ok(Self::Port(port.parse().with_context(|| format!("port {port:?} is not a number"))?))
    }

    fn allows(&self, port: Option<u16>) -> bool {
        match (self, port) {
            (Self::Any, _) => true,
            (Self::Port(allowed), Some(port)) => *allowed == port,
            (Self::Range(range), Some(port)) => range.contains(&port),
            (_, None) => false,
        }
    }
}

fn well_known_port(scheme: &str) -> Option<u16> {
    Some(match scheme {
        "postgres" => 5432,
        "mysql" => 3306,
        "redis" => 6379,
        "mqtt" => 1883,
        "http" => 80,
        "https" => 443,
        _ => return None,
    })
}

/// The parts of an outbound URL that permissions are about.
struct OutboundUrl {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl OutboundUrl {
    fn parse(url: &str, default_scheme: &str) -> Option<Self> {
        let (scheme, rest) = url.split_once("://").unwrap_or((default_scheme, url));
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        let (host, port) = match host_port.rfind(':') {
            Some(colon) if !host_port[colon..].contains(']') => {
                (&host_port[..colon], Some(host_port[colon + 1..].parse().ok()?))
            }
            _ => (host_port, None),
        };
        if host.is_empty() {
            return None;
        }
        Some(Self { scheme: scheme.to_ascii_lowercase(), host: host.to_ascii_lowercase(), port })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows(entries: &[&str], url: &str) -> bool {
        AllowedHosts::parse(entries).unwrap().allows_url(url, "https")
    }

    #[test]
    fn exact_hosts_use_well_known_ports() {
        assert!(allows(&["postgres://db.local"], "postgres://u:p@db.local/todo"));
        assert!(allows(&["postgres://db.local"], "postgres://db.local:5432/todo"));
        assert!(!allows(&["postgres://db.local"], "postgres://db.local:5433/todo"));
        assert!(allows(&["http://127.0.0.1:8081"], "http://127.0.0.1:8081/api"));
        assert!(!allows(&["http://127.0.0.1:8081"], "https://127.0.0.1:8081/api"));
        assert!(!allows(&["http://127.0.0.1:8081"], "http://127.0.0.2:8081/api"));
        assert!(!allows(&[], "http://127.0.0.1:8081/"));
    }

    #[test]
    fn wildcards() {
        assert!(allows(&["*://*:*"], "redis://anything:1"));
        assert!(allows(&["https://*.example.com"], "https://api.example.com/x"));
        assert!(!allows(&["https://*.example.com"], "https://example.com/x"));
        assert!(allows(&["http://localhost:*"], "http://localhost:3000"));
        assert!(allows(&["http://localhost:3000..3010"], "http://localhost:3005"));
        assert!(!allows(&["http://localhost:3000..3010"], "http://localhost:3010"));
    }

    #[test]
    fn networks() {
        assert!(allows(&["postgres://10.0.0.0/8:5432"], "postgres://10.1.2.3:5432/db"));
        assert!(!allows(&["postgres://10.0.0.0/8:5432"], "postgres://11.1.2.3:5432/db"));
        assert!(allows(&["http://[::1]:80"], "http://[::1]/"));
    }

    #[test]
    fn self_is_parsed_but_never_matches_a_host() {
        assert!(!allows(&["http://self"], "http://self/"));
    }

    #[test]
    fn passwords_with_at_signs_and_paths_with_at_signs() {
        assert!(allows(&["postgres://db:5432"], "postgres://u:p%40ss@db:5432/x"));
        assert!(allows(&["https://example.com"], "https://example.com/file@0.1.0.json"));
    }

    #[test]
    fn invalid_entries_are_errors() {
        for entry in
            ["example.com", "*", "http://a.*.com", "http://a.com/path", "ftp://x", "http://x:abc", "insecure:allow-all"]
        {
            assert!(AllowedHosts::parse(&[entry]).is_err(), "{entry} should be rejected");
        }
    }
}
