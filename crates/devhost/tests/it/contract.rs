//! The import contract holds for every component the repository builds: the components of
//! the root `spin.toml` and the host's test fixtures (all built by `make build-wasm`).

use std::path::PathBuf;

use devhost::contract::{Contract, manifest_components};

fn fixture_components() -> Vec<(String, PathBuf)> {
    let fixtures = testkit::workspace_root().join("crates/devhost/fixtures");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let cargo_toml = std::fs::read_to_string(entry.unwrap().path().join("Cargo.toml")).unwrap();
        let manifest: toml::Table = toml::from_str(&cargo_toml).unwrap();
        let name = manifest["package"]["name"].as_str().unwrap().to_owned();
        found.push((name.clone(), testkit::wasm(&name.replace('-', "_"))));
    }
    found
}

#[test]
fn every_built_component_imports_only_the_wit_world() {
    let contract = Contract::project().unwrap();
    let mut components = manifest_components(&testkit::workspace_root().join("spin.toml")).unwrap();
    components.extend(fixture_components());
    assert!(components.len() >= 8, "expected the app's six components and the fixtures: {components:?}");

    let failures: Vec<String> = components
        .iter()
        .filter_map(|(id, path)| contract.check_file(path).err().map(|e| format!("{id}: {e:#}")))
        .collect();
    assert!(failures.is_empty(), "components breaking the contract:\n{}", failures.join("\n"));
}

/// The app's components are built lean (`.cargo/config.toml`, which `spin build` uses too): a
/// small initial linear memory, because the pooling allocator resets it after every request,
/// and no debug info in what is pushed to the registry.
#[test]
fn app_components_are_lean() {
    const MAX_INITIAL_MEMORY: u64 = 256 * 1024;
    const MAX_FILE_SIZE: u64 = 1024 * 1024;
    let components = manifest_components(&testkit::workspace_root().join("spin.toml")).unwrap();
    for (id, path) in components {
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
