//! The import contract holds for every component the repository builds: the components of the
//! root `spin.toml` and the benchmark floor (all built by `make build`).

use std::path::PathBuf;

use component_contract::{Contract, manifest_components};

fn app_components() -> Vec<(String, PathBuf)> {
    manifest_components(&testkit::workspace_root().join("spin.toml")).unwrap()
}

#[test]
fn every_built_component_imports_only_the_wit_world() {
    let contract = Contract::project().unwrap();
    let mut components = app_components();
    components.extend(manifest_components(&testkit::workspace_root().join("bench/floor/spin.toml")).unwrap());
    assert!(components.len() >= 7, "expected the app's six components and the floor: {components:?}");

    let failures: Vec<String> = components
        .iter()
        .filter_map(|(id, path)| contract.check_file(path).err().map(|e| format!("{id}: {e:#}")))
        .collect();
    assert!(failures.is_empty(), "components breaking the contract:\n{}", failures.join("\n"));
}

/// The app's components are built lean (`.cargo/config.toml`, which `spin build` uses too): a
/// small initial linear memory, because Spin's pooling allocator resets it after every request,
/// and no debug info in what is pushed to the registry.
#[test]
fn app_components_are_lean() {
    const MAX_INITIAL_MEMORY: u64 = 256 * 1024;
    const MAX_FILE_SIZE: u64 = 1024 * 1024;
    for (id, path) in app_components() {
        let wasm = std::fs::read(&path).unwrap();
        let memory = initial_memory_bytes(&wasm);
        assert!(memory <= MAX_INITIAL_MEMORY, "{id}: initial memory {memory} bytes, more than {MAX_INITIAL_MEMORY}");
        let size = wasm.len() as u64;
        assert!(size <= MAX_FILE_SIZE, "{id}: {size} bytes, more than {MAX_FILE_SIZE} (debug info?)");
    }
}

/// The initial size of every linear memory of the component's core modules, added up.
fn initial_memory_bytes(wasm: &[u8]) -> u64 {
    let mut total = 0;
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::MemorySection(memories) = payload.unwrap() {
            for memory in memories {
                let memory = memory.unwrap();
                total += memory.initial << memory.page_size_log2.unwrap_or(16);
            }
        }
    }
    total
}
