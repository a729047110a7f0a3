//! The allow-list check run before any connection is opened, as Spin 3.6 does it.

use tokio_postgres::config::{Config, Host};

use crate::wit::Error;

/// PostgreSQL's port, which Spin assumes for a `postgres://` host given without one.
const DEFAULT_PORT: u16 = 5432;

/// Checks every host of a connection string (URL or `key=value` form) with `is_allowed`,
/// called with `postgres://host:port`.
pub(crate) fn ensure_allowed(address: &str, is_allowed: impl Fn(&str) -> bool) -> Result<(), Error> {
    let config: Config = address.parse().map_err(|e: tokio_postgres::Error| Error::ConnectionFailed(e.to_string()))?;
    // Spin checks host names only: a `hostaddr` would be connected to unchecked, and an
    // address without a host would be checked against nothing.
    if !config.get_hostaddrs().is_empty() {
        return Err(Error::ConnectionFailed("hostaddr is not supported: name the database in host".into()));
    }
    if config.get_hosts().is_empty() {
        return Err(Error::ConnectionFailed("the address names no host".into()));
    }
    for (index, host) in config.get_hosts().iter().enumerate() {
        let Host::Tcp(name) = host else {
            return Err(Error::ConnectionFailed("Unix sockets are not supported on WebAssembly".into()));
        };
        // The port the connection uses, and the one Spin checks when they differ (Spin
        // pairs a lone port with the first host only): both must be allowed.
        let used = port_of_host(config.get_ports(), index).unwrap_or(DEFAULT_PORT);
        let checked_by_spin = config.get_ports().get(index).copied().unwrap_or(DEFAULT_PORT);
        let ports = if used == checked_by_spin { vec![used] } else { vec![used, checked_by_spin] };
        for port in ports {
            let url = format!("postgres://{name}:{port}");
            if !is_allowed(&url) {
                return Err(Error::ConnectionFailed(format!("address {url} is not permitted")));
            }
        }
    }
    Ok(())
}

/// The port libpq pairs with the host at `index`: the one at the same position, or the only
/// one given.
fn port_of_host(ports: &[u16], index: usize) -> Option<u16> {
    match ports {
        [only] => Some(*only),
        _ => ports.get(index).copied(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    fn checked_urls(address: &str) -> (Result<(), Error>, Vec<String>) {
        let seen = Mutex::new(Vec::new());
        let result = ensure_allowed(address, |url| {
            seen.lock().unwrap().push(url.to_owned());
            url == "postgres://db.internal:5432" || url == "postgres://127.0.0.1:6543"
        });
        (result, seen.into_inner().unwrap())
    }

    #[test]
    fn url_with_port_is_checked_as_host_and_port() {
        let (result, seen) = checked_urls("postgres://u:p@127.0.0.1:6543/todo?sslmode=disable");
        assert_eq!(result, Ok(()));
        assert_eq!(seen, ["postgres://127.0.0.1:6543"]);
    }

    #[test]
    fn missing_port_means_5432() {
        let (result, seen) = checked_urls("host=db.internal user=todo dbname=todo");
        assert_eq!(result, Ok(()));
        assert_eq!(seen, ["postgres://db.internal:5432"]);
    }

    #[test]
    fn every_host_must_be_allowed() {
        let (result, seen) = checked_urls("postgres://db.internal,evil.example/todo");
        assert_eq!(
            result,
            Err(Error::ConnectionFailed("address postgres://evil.example:5432 is not permitted".into()))
        );
        assert_eq!(seen, ["postgres://db.internal:5432", "postgres://evil.example:5432"]);
    }

    #[test]
    fn ports_pair_with_hosts_by_position() {
        assert_eq!(port_of_host(&[1, 2], 1), Some(2));
        assert_eq!(port_of_host(&[7], 3), Some(7));
        assert_eq!(port_of_host(&[1, 2], 2), None);
        assert_eq!(port_of_host(&[], 0), None);
    }

    #[test]
    fn unix_socket_is_refused() {
        let (result, seen) = checked_urls("host=/run/postgresql dbname=todo");
        assert_eq!(result, Err(Error::ConnectionFailed("Unix sockets are not supported on WebAssembly".into())));
        assert!(seen.is_empty());
    }

    #[test]
    fn hostaddr_and_addresses_without_a_host_are_refused_unchecked() {
        for address in [
            "host=db.internal hostaddr=10.9.9.9 dbname=todo",
            "postgres://db.internal/todo?hostaddr=10.9.9.9",
            "postgres:///todo?hostaddr=127.0.0.1",
            "dbname=todo port=5432",
            "postgres:///todo",
        ] {
            let (result, seen) = checked_urls(address);
            assert!(matches!(result, Err(Error::ConnectionFailed(_))), "{address}: {result:?}");
            assert!(seen.is_empty(), "{address}: {seen:?}");
        }
    }

    #[test]
    fn a_lone_port_must_be_allowed_with_every_host_and_so_must_5432_which_spin_checks() {
        // libpq pairs the one port with both hosts; Spin checks the second host on 5432.
        let seen = Mutex::new(Vec::new());
        let result = ensure_allowed("host=a.internal,b.internal port=6543", |url| {
            seen.lock().unwrap().push(url.to_owned());
            url.ends_with(":6543")
        });
        assert_eq!(result, Err(Error::ConnectionFailed("address postgres://b.internal:5432 is not permitted".into())));
        assert_eq!(
            seen.into_inner().unwrap(),
            ["postgres://a.internal:6543", "postgres://b.internal:6543", "postgres://b.internal:5432"]
        );
    }

    #[test]
    fn unparsable_address_is_a_connection_failure() {
        let (result, seen) = checked_urls("postgres://127.0.0.1:notaport/db");
        assert!(matches!(result, Err(Error::ConnectionFailed(_))), "{result:?}");
        assert!(seen.is_empty());
    }
}
