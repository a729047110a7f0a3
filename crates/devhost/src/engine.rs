//! The process-wide wasmtime engine and compiled-component cache.
//!
//! One engine serves every host in the process (tests start many), so its pooling allocator
//! is reserved once and a component file compiled once per process; wasmtime's on-disk
//! compilation cache makes later processes skip compilation too.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result, anyhow};
use wasmtime::component::Component;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

const MB: usize = 1 << 20;
const GB: usize = 1 << 30;

/// How often the engine's epoch advances, as Spin's `DEFAULT_EPOCH_TICK_INTERVAL`.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The shared engine: Spin's settings (component model, epoch interruption with a ticker
/// thread, pooling allocator sized like `spin up`'s defaults), falling back to on-demand
/// allocation where the address space is too small for the pool.
pub(crate) fn engine() -> Result<&'static Engine> {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let engine = Engine::new(&config(true))
                .or_else(|pooling_error| {
                    eprintln!("devhost: pooling allocator unavailable ({pooling_error:#}), using on-demand allocation");
                    Engine::new(&config(false))
                })
                .map_err(|e| format!("{e:#}"))?;
            let ticking = engine.clone();
            std::thread::Builder::new()
                .name("devhost-epoch".into())
                .spawn(move || {
                    loop {
                        std::thread::sleep(EPOCH_TICK);
                        ticking.increment_epoch();
                    }
                })
                .map_err(|e| format!("cannot start the epoch ticker: {e}"))?;
            Ok(engine)
        })
        .as_ref()
        .map_err(|e| anyhow!("cannot create the wasmtime engine: {e}"))
}

fn config(pooling: bool) -> Config {
    let mut config = Config::new();
    config.wasm_component_model(true);
    config.epoch_interruption(true);
    if let Ok(cache) = wasmtime::Cache::from_file(None) {
        config.cache(Some(cache));
    }
    if pooling {
        let max_instances = 1_000;
        let mut pool = PoolingAllocationConfig::default();
        pool.total_component_instances(max_instances)
            .total_memories(max_instances)
            .total_tables(2 * max_instances)
            .total_stacks(max_instances)
            .total_core_instances(4 * max_instances)
            .table_elements(100_000)
            .max_component_instance_size(10 * MB)
            .max_core_instance_size(10 * MB)
            .max_core_instances_per_component(200)
            .max_tables_per_component(64)
            .max_memories_per_component(32)
            .max_tables_per_module(2)
            .max_memories_per_module(2)
            .max_memory_size(4 * GB)
            .linear_memory_keep_resident(2 * MB)
            .table_keep_resident(MB / 2);
        config.allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    }
    config
}

/// Compiles `path`, or returns the component compiled earlier from the same unchanged file.
pub(crate) fn load_component(path: &Path) -> Result<Component> {
    type Key = (PathBuf, SystemTime, u64);
    static CACHE: OnceLock<Mutex<HashMap<Key, Component>>> = OnceLock::new();

    let metadata = std::fs::metadata(path)
        .with_context(|| format!("cannot read component {} (run `make build-wasm`?)", path.display()))?;
    let key = (path.to_path_buf(), metadata.modified()?, metadata.len());
    let cache = CACHE.get_or_init(Default::default);
    if let Some(component) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(component.clone());
    }
    let component = Component::from_file(engine()?, path)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("cannot compile component {}", path.display()))?;
    cache.lock().unwrap_or_else(|e| e.into_inner()).insert(key, component.clone());
    Ok(component)
}
