//! What one request's instance of a component sees: its store state, and the linker that
//! provides exactly the imports of `wit/world.wit`.

use std::sync::Arc;

use anyhow::{Context, Result};
use wasmtime::component::{Component, HasSelf, Linker, ResourceTable};
use wasmtime::{Engine, Store, StoreLimits};
use wasmtime_wasi::{WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime_wasi_http::p2::bindings::ProxyPre;
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

use crate::allowed_hosts::AllowedHosts;
use crate::app::OutboundPools;
use crate::limits::GuestLimits;
use crate::outbound_http::OutboundHttp;
use crate::stdio::ComponentOutput;
use crate::variables::{ComponentVariables, bindings as variables};

/// The state of one request's store.
pub(crate) struct RequestState {
    table: ResourceTable,
    wasi: WasiCtx,
    http: WasiHttpCtx,
    outbound_http: OutboundHttp,
    variables: Arc<ComponentVariables>,
    pg: outbound_pg::PgState,
    /// Used only when `GuestLimits::max_instance_memory` is set.
    pub(crate) limits: StoreLimits,
}

impl WasiView for RequestState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for RequestState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.outbound_http }
    }
}

/// The linker shared by every component: WASI 0.2 (without network sockets or files, as the
/// components have no `files` and reach the network only through the two interfaces below),
/// `wasi:http/outgoing-handler`, `spin:postgres/postgres@4.0.0`, `fermyon:spin/variables@2.0.0`.
pub(crate) fn linker(engine: &Engine) -> Result<Linker<RequestState>> {
    let mut linker = Linker::<RequestState>::new(engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;
    wasmtime_wasi_http::p2::add_only_http_to_linker_async(&mut linker)?;
    variables::add_to_linker::<_, HasSelf<Arc<ComponentVariables>>>(&mut linker, |state| &mut state.variables)?;
    outbound_pg::add_to_linker(&mut linker, |state: &mut RequestState| &mut state.pg)?;
    Ok(linker)
}

/// A component ready to serve: pre-instantiated once, instantiated afresh for every request.
pub(crate) struct PreparedComponent {
    pub id: Arc<str>,
    pub pre: ProxyPre<RequestState>,
    variables: Arc<ComponentVariables>,
    allowed: Arc<AllowedHosts>,
    postgres_allowed: outbound_pg::AllowedHosts,
    environment: Vec<(String, String)>,
    stdout_prefix: Arc<str>,
}

impl PreparedComponent {
    pub fn new(
        id: &str,
        component: &Component,
        linker: &Linker<RequestState>,
        variables: ComponentVariables,
        allowed: AllowedHosts,
        environment: Vec<(String, String)>,
    ) -> Result<Self> {
        let instance_pre = linker
            .instantiate_pre(component)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("component {id:?} imports something this host does not provide"))?;
        let pre = ProxyPre::new(instance_pre)
            .map_err(anyhow::Error::from)
            .with_context(|| format!("component {id:?} does not export wasi:http/incoming-handler"))?;
        let allowed = Arc::new(allowed);
        let postgres_allowed = {
            let allowed = allowed.clone();
            Arc::new(move |address: &str| allowed.allows_url(address, "postgres"))
        };
        Ok(Self {
            id: id.into(),
            pre,
            variables: Arc::new(variables),
            allowed,
            postgres_allowed,
            environment,
            stdout_prefix: format!("[{id}] ").into(),
        })
    }

    /// A fresh store for one request.
    pub fn store(&self, pools: &OutboundPools, limits: &GuestLimits) -> Store<RequestState> {
        let wasi = WasiCtxBuilder::new()
            .envs(&self.environment)
            .stdout(ComponentOutput::stdout(self.stdout_prefix.clone()))
            .stderr(ComponentOutput::stderr(self.stdout_prefix.clone()))
            .build();
        let state = RequestState {
            table: ResourceTable::new(),
            wasi,
            http: WasiHttpCtx::new(),
            outbound_http: OutboundHttp {
                component_id: self.id.clone(),
                allowed: self.allowed.clone(),
                client: pools.http.clone(),
            },
            variables: self.variables.clone(),
            pg: outbound_pg::PgState::new(pools.postgres.clone(), self.postgres_allowed.clone()),
            limits: StoreLimits::default(),
        };
        let mut store = Store::new(self.pre.engine(), state);
        limits.apply(&mut store);
        store
    }
}
