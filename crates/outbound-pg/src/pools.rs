//! Process-wide connection pools, one per address string, with Spin 3.6's settings.

use std::sync::{Arc, Mutex};

use anyhow::Context;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use postgres_native_tls::MakeTlsConnector;
use tokio_postgres::NoTls;
use tokio_postgres::config::{Config, SslMode};

/// Connections per address, as in Spin.
pub const MAX_CONNECTIONS_PER_ADDRESS: usize = 64;
/// Addresses whose pools are kept, as in Spin; the least recently used one is dropped beyond.
const MAX_ADDRESSES: usize = 16;
/// The pools of every address used by any component; cheap to clone.
#[derive(Clone, Default)]
pub struct Pools {
    /// Most recently used last; a short list, so a linear search is the cheapest lookup.
    by_address: Arc<Mutex<Vec<(String, Pool)>>>,
}

impl Pools {
    /// A connection to `address` from its pool, creating the pool on first use.
    pub(crate) async fn checkout(&self, address: &str) -> anyhow::Result<Object> {
        let pool = self.pool(address).context("establishing PostgreSQL connection pool")?;
        Ok(pool.get().await?)
    }

    fn pool(&self, address: &str) -> anyhow::Result<Pool> {
        let mut pools = self.by_address.lock().unwrap_or_else(|e| e.into_inner());
        let pool = match pools.iter().position(|(known, _)| known == address) {
            Some(index) => pools.remove(index).1,
            None => new_pool(address)?,
        };
        if pools.len() == MAX_ADDRESSES {
            pools.remove(0);
        }
        pools.push((address.to_owned(), pool.clone()));
        Ok(pool)
    }
}

fn new_pool(address: &str) -> anyhow::Result<Pool> {
    // No time limits of our own: as in Spin, the address's `connect_timeout`, keepalives
    // and `options` (statement_timeout, lock_timeout) are the only bounds.
    let config: Config = address.parse().context("parsing Postgres connection string")?;
    let manager_config = ManagerConfig { recycling_method: RecyclingMethod::Clean };
    let manager = if config.get_ssl_mode() == SslMode::Disable {
        Manager::from_config(config, NoTls, manager_config)
    } else {
        let tls = native_tls::TlsConnector::builder().build()?;
        Manager::from_config(config, MakeTlsConnector::new(tls), manager_config)
    };
    Pool::builder(manager).max_size(MAX_CONNECTIONS_PER_ADDRESS).build().context("building Postgres connection pool")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(n: usize) -> String {
        format!("postgres://u@127.0.0.1:{}/db?sslmode=disable", 10_000 + n)
    }

    fn addresses(pools: &Pools) -> Vec<String> {
        pools.by_address.lock().unwrap().iter().map(|(a, _)| a.clone()).collect()
    }

    #[test]
    fn one_pool_per_address_with_spin_settings() {
        let pools = Pools::default();
        let first = pools.pool(&address(1)).unwrap();
        assert_eq!(first.status().max_size, MAX_CONNECTIONS_PER_ADDRESS);
        let timeouts = first.timeouts();
        assert_eq!(
            (timeouts.create, timeouts.wait, timeouts.recycle),
            (None, None, None),
            "Spin's pools have no time limits"
        );
        // The same pool is handed out again: resizing one is seen through the other.
        first.resize(3);
        assert_eq!(pools.pool(&address(1)).unwrap().status().max_size, 3);
        assert_eq!(addresses(&pools), [address(1)]);
    }

    #[test]
    fn least_recently_used_address_is_dropped_beyond_the_limit() {
        let pools = Pools::default();
        for n in 0..MAX_ADDRESSES {
            pools.pool(&address(n)).unwrap();
        }
        pools.pool(&address(0)).unwrap();
        pools.pool(&address(MAX_ADDRESSES)).unwrap();
        let kept = addresses(&pools);
        assert_eq!(kept.len(), MAX_ADDRESSES);
        assert!(!kept.contains(&address(1)), "address 1 was the least recently used");
        assert!(kept.contains(&address(0)) && kept.contains(&address(MAX_ADDRESSES)));
    }

    #[test]
    fn unparsable_address_is_reported_with_context() {
        let error = Pools::default().pool("postgres://u@127.0.0.1:x/db").unwrap_err();
        assert!(format!("{error:?}").contains("parsing Postgres connection string"), "{error:?}");
    }
}
