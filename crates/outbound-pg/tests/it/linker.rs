//! `add_to_linker` provides the interface under the name and shape a Spin guest imports.

use std::sync::Arc;

use outbound_pg::{PgState, Pools, add_to_linker};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store};

struct RequestData {
    postgres: PgState,
}

/// A component importing the interface's `connection` resource, as every spin-sdk 5.2 guest
/// using `pg4` does.
const GUEST: &str = r#"
(component
  (import "spin:postgres/postgres@4.0.0" (instance
    (export "connection" (type (sub resource)))
  ))
)
"#;

#[tokio::test]
async fn guest_importing_spin_postgres_instantiates() {
    let engine = Engine::new(&Config::new()).unwrap();
    let mut linker = Linker::<RequestData>::new(&engine);
    add_to_linker(&mut linker, |data| &mut data.postgres).unwrap();

    let component = Component::new(&engine, GUEST).unwrap();
    let data = RequestData { postgres: PgState::new(Pools::default(), Arc::new(|_: &str| false)) };
    let mut store = Store::new(&engine, data);
    linker.instantiate_async(&mut store, &component).await.unwrap();

    let empty = Linker::<RequestData>::new(&engine);
    let mut store = Store::new(&engine, store.into_data());
    assert!(empty.instantiate_async(&mut store, &component).await.is_err(), "the import is real");
}
