//! The per-request state behind the `connection` resource, and its linker wiring.

use std::collections::HashMap;
use std::sync::Arc;

use deadpool_postgres::Object;
use wasmtime::component::{HasData, Linker, Resource};

use crate::error_text::spin_text;
use crate::pools::Pools;
use crate::wit::{self, Connection, Error, ParameterValue, RowSet};
use crate::{address, statement};

/// Whether a component may connect to `postgres://host:port` (its `allowed_outbound_hosts`).
pub type AllowedHosts = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Open connections a request may hold at once, as in Spin's resource table.
const MAX_OPEN_CONNECTIONS: usize = 1024;

/// One request's Postgres state: its permission and the connections it has open, which go
/// back to their pool when the guest drops them or when the request ends.
pub struct PgState {
    pools: Pools,
    allowed: AllowedHosts,
    open: HashMap<u32, Object>,
    next_rep: u32,
}

impl PgState {
    pub fn new(pools: Pools, allowed: AllowedHosts) -> Self {
        Self { pools, allowed, open: HashMap::new(), next_rep: 0 }
    }

    fn client(&self, connection: &Resource<Connection>) -> Result<&Object, Error> {
        self.open.get(&connection.rep()).ok_or_else(|| Error::ConnectionFailed("no connection found".into()))
    }

    fn insert(&mut self, client: Object) -> Result<Resource<Connection>, Error> {
        if self.open.len() >= MAX_OPEN_CONNECTIONS {
            return Err(Error::ConnectionFailed("too many connections".into()));
        }
        let rep = self.next_rep;
        self.next_rep = self.next_rep.wrapping_add(1);
        self.open.insert(rep, client);
        Ok(Resource::new_own(rep))
    }
}

impl wit::Host for PgState {}

impl wit::HostConnection for PgState {
    async fn open(&mut self, address: String) -> Result<Resource<Connection>, Error> {
        address::ensure_allowed(&address, |url| (self.allowed)(url))?;
        let client = self.pools.checkout(&address).await.map_err(|e| Error::ConnectionFailed(spin_text(&e)))?;
        self.insert(client)
    }

    async fn query(
        &mut self,
        connection: Resource<Connection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<RowSet, Error> {
        statement::query(self.client(&connection)?, &statement, &params).await
    }

    async fn execute(
        &mut self,
        connection: Resource<Connection>,
        statement: String,
        params: Vec<ParameterValue>,
    ) -> Result<u64, Error> {
        statement::execute(self.client(&connection)?, &statement, &params).await
    }

    async fn drop(&mut self, connection: Resource<Connection>) -> wasmtime::Result<()> {
        // Dropping the pooled object returns the connection to its pool.
        self.open.remove(&connection.rep());
        Ok(())
    }
}

impl HasData for PgState {
    type Data<'a> = &'a mut PgState;
}

/// Defines `spin:postgres/postgres@4.0.0` in `linker`, backed by the `PgState` that `get`
/// finds in the store's data. The functions are async: instantiate and call with the
/// `_async` methods.
pub fn add_to_linker<T: Send + 'static>(linker: &mut Linker<T>, get: fn(&mut T) -> &mut PgState) -> anyhow::Result<()> {
    wit::add_to_linker::<T, PgState>(linker, get)?;
    Ok(())
}
