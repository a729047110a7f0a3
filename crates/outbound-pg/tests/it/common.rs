//! Driving the host interface the way wasmtime does for a guest: `open` returns an owned
//! handle, `query`/`execute` borrow it, `drop` ends it.

use std::sync::Arc;

use outbound_pg::wit::{Connection, DbValue, Error, HostConnection, ParameterValue, RowSet};
use outbound_pg::{PgState, Pools};
use wasmtime::component::Resource;

/// A request whose component may connect anywhere.
pub fn request(pools: &Pools) -> PgState {
    PgState::new(pools.clone(), Arc::new(|_: &str| true))
}

pub async fn open(state: &mut PgState, address: &str) -> Resource<Connection> {
    state.open(address.to_owned()).await.unwrap_or_else(|e| panic!("open {address}: {e:?}"))
}

pub fn borrow(connection: &Resource<Connection>) -> Resource<Connection> {
    Resource::new_borrow(connection.rep())
}

pub async fn try_query(
    state: &mut PgState,
    connection: &Resource<Connection>,
    sql: &str,
    params: Vec<ParameterValue>,
) -> Result<RowSet, Error> {
    state.query(borrow(connection), sql.to_owned(), params).await
}

pub async fn query(
    state: &mut PgState,
    connection: &Resource<Connection>,
    sql: &str,
    params: Vec<ParameterValue>,
) -> RowSet {
    try_query(state, connection, sql, params).await.unwrap_or_else(|e| panic!("{sql}: {e:?}"))
}

pub async fn try_execute(
    state: &mut PgState,
    connection: &Resource<Connection>,
    sql: &str,
    params: Vec<ParameterValue>,
) -> Result<u64, Error> {
    state.execute(borrow(connection), sql.to_owned(), params).await
}

pub async fn execute(
    state: &mut PgState,
    connection: &Resource<Connection>,
    sql: &str,
    params: Vec<ParameterValue>,
) -> u64 {
    try_execute(state, connection, sql, params).await.unwrap_or_else(|e| panic!("{sql}: {e:?}"))
}

/// The single value of a one-row, one-column result.
pub async fn scalar(state: &mut PgState, connection: &Resource<Connection>, sql: &str) -> DbValue {
    let rows = query(state, connection, sql, vec![]).await.rows;
    assert_eq!(rows.len(), 1, "{sql} returns one row");
    rows[0][0].clone()
}

pub async fn close(state: &mut PgState, connection: Resource<Connection>) {
    HostConnection::drop(state, connection).await.unwrap();
}

/// A request with one connection open to a new database of the shared test server.
pub async fn connected() -> (PgState, Resource<Connection>) {
    let url = testkit::shared_postgres().create_database();
    let mut state = request(&Pools::default());
    let connection = open(&mut state, &url).await;
    (state, connection)
}
